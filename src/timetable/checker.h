// Independent validation of a timetable: re-derives every clash and every
// constraint violation from the Instance and the Solution alone, sharing no
// code or state with the solver (after ortools' SolutionIsFeasible), so a
// solver bug cannot hide its own mistakes.
//
//   CheckReport r = Check(inst, sol);
//   if (r.hard_violations > 0) for (const Violation& v : r.violations) ...
//
// Costs: each violated hard constraint instance counts 1 in
// `hard_violations`; each violation of a soft constraint adds weight/100 to
// `soft_cost` (FET's convention for weighted conflicts). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "timetable/model.h"

namespace edugov::timetable {

struct Violation {
  // Index into Instance::constraints, or -1 for the implicit basic rules
  // (teacher / students / room clash, unplaced activity, bell schedule).
  int constraint = -1;
  std::string type;    // "TeacherClash", "MinDaysBetweenActivities", ...
  bool hard = true;
  double cost = 1.0;   // 1 per hard violation; weight/100 per soft one
  std::string what;    // human readable, English
  std::string where;   // slot / day / room / activity ids
  std::string clause;  // the work-plan clause the instance names for it, empty if none
  // The activity a bell-schedule violation is about (a lesson before the
  // first allowed start, in a reserved slot), -1 otherwise.
  int activity = -1;
};

struct CheckReport {
  int hard_violations = 0;
  double soft_cost = 0.0;
  std::vector<Violation> violations;
  bool feasible() const { return hard_violations == 0; }
};

// `sol.placements` must have one entry per activity (a shorter vector is
// reported as unplaced activities, not a crash).
CheckReport Check(const Instance& inst, const Solution& sol);

}  // namespace edugov::timetable
