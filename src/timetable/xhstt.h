// XHSTT-2014 (the ITC 2011 high-school timetabling archive format) as a
// research yardstick (docs/benchmarks.md §4): read an instance into our model,
// read the solutions embedded in the file, and cost any solution the XHSTT
// way — infeasibility (required constraints) and objective (the rest) —
// for the constraint types we evaluate.
//
//   ASSIGN_OR_RETURN(XhsttInstance x, ImportXhsttFile("FI-WP-06.xml"));
//   SolveResult r = Solve(x.instance, params);
//   XhsttCost ours = EvaluateXhstt(x, SubEventsOf(x, r.solution));
//   for (const XhsttSolution& s : x.solutions) EvaluateXhstt(x, s.sub_events) vs s.reported_*
//
// Supported, i.e. modelled for the solver and evaluated: AssignTime (every
// activity is placed), AvoidClashes (teacher / class / room clashes are hard
// in our model), AvoidUnavailableTimes, PreferTimes, SplitEvents (events are
// split once at import into sub-events of allowed durations), SpreadEvents
// whose time groups are days with a maximum of 1 (our min-days constraint;
// other spreads are evaluated but not modelled). An event longer than a day
// that no SplitEvents constraint governs is split into single periods (XHSTT
// leaves such splits to the solver). Every other constraint type (LinkEvents,
// LimitIdleTimes, …), and event resources left for the solver to assign,
// are listed in `unsupported`
// with their counts — never silently dropped — and are neither modelled nor
// evaluated, so the costs compare on the supported part only.
//
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "timetable/model.h"

namespace edugov::timetable {

// One placed piece of an XHSTT event: the event, its first time (index into
// the file's time list, -1 unassigned), its duration.
struct XhsttSubEvent {
  int event = 0;
  int time = -1;
  int duration = 1;
};

struct XhsttSolution {
  std::string group;  // SolutionGroup Id
  bool has_report = false;
  int64_t reported_infeasibility = 0;
  int64_t reported_objective = 0;
  std::vector<XhsttSubEvent> sub_events;
};

// A constraint in XHSTT terms, kept for evaluation.
struct XhsttConstraint {
  std::string type;  // "PreferTimesConstraint", …
  std::string id;
  bool required = false;
  int64_t weight = 1;
  std::string cost_function;  // Linear | Quadratic | Step
  std::vector<int> events;       // points of application (events) …
  std::vector<std::vector<int>> event_groups;  // … or event groups
  std::vector<int> resources;    // … or resources
  std::vector<int> times;        // PreferTimes / AvoidUnavailableTimes
  int duration = 0;              // PreferTimes: only sub-events of this duration (0: all)
  // SpreadEvents: per time group, its times and [min, max].
  struct Spread {
    std::vector<int> times;
    int min = 0;
    int max = 1 << 30;
  };
  std::vector<Spread> spreads;
  // SplitEvents.
  int min_duration = 1, max_duration = 1 << 30, min_amount = 1, max_amount = 1 << 30;
};

struct XhsttInstance {
  Instance instance;               // activities = sub-events after the import's split
  std::vector<std::string> time_ids;
  std::vector<int> time_slot;      // time index → our slot
  std::vector<std::string> event_ids;
  std::vector<int> event_duration;
  std::vector<std::vector<int>> event_resources;  // resource indices (preassigned)
  std::vector<std::string> resource_ids;
  std::vector<int> activity_event;  // activity → event
  std::vector<XhsttConstraint> evaluated;
  // "LimitIdleTimesConstraint: 2 (required 2)", "events with unassigned resources: 126", …
  std::vector<std::string> unsupported;
  std::vector<XhsttSolution> solutions;
};

struct XhsttCost {
  int64_t infeasibility = 0;
  int64_t objective = 0;
};

// kNotFound for a missing file; kInvalidArgument for malformed XML or a
// dangling reference, naming the element.
StatusOr<XhsttInstance> ImportXhsttFile(const std::string& path);
StatusOr<XhsttInstance> ImportXhsttString(const std::string& xml, const std::string& file_name);

// Our solution as XHSTT sub-events (one per activity; unplaced → time -1).
std::vector<XhsttSubEvent> SubEventsOf(const XhsttInstance& x, const Solution& sol);

// The XHSTT cost of `subs` over the evaluated constraints only; with
// `by_constraint`, each non-zero constraint's cost by "Type Id".
XhsttCost EvaluateXhstt(const XhsttInstance& x, const std::vector<XhsttSubEvent>& subs,
                        std::map<std::string, int64_t>* by_constraint = nullptr);

}  // namespace edugov::timetable
