// timetable_xhstt_bench FILE.xml TIME_LIMIT SEED: one XHSTT instance through
// our solver, for bench/timetable/xhstt.sh. Prints key=value lines:
//   instance=… times=… events=… activities=…
//   unsupported=<what>: <count>           (one line each)
//   embedded=<group> reported=<inf>,<obj> evaluated=<inf>,<obj>
//   ours first_complete=<s|-> seconds=<s> hard=<n> unplaced=<n> evaluated=<inf>,<obj>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "timetable/solver.h"
#include "timetable/xhstt.h"

int main(int argc, char** argv) {
  using namespace edugov::timetable;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s FILE.xml TIME_LIMIT SEED\n", argv[0]);
    return 1;
  }
  auto x = ImportXhsttFile(argv[1]);
  if (!x.ok()) {
    std::fprintf(stderr, "%s\n", x.status().ToString().c_str());
    return 1;
  }
  std::printf("instance=%s times=%zu events=%zu activities=%zu\n", x->instance.name.c_str(), x->time_ids.size(),
              x->event_ids.size(), x->instance.activities.size());
  for (const std::string& u : x->unsupported) std::printf("unsupported=%s\n", u.c_str());
  for (const XhsttSolution& s : x->solutions) {
    const XhsttCost c = EvaluateXhstt(*x, s.sub_events);
    std::printf("embedded=%s reported=%lld,%lld evaluated=%lld,%lld\n", s.group.c_str(),
                s.has_report ? static_cast<long long>(s.reported_infeasibility) : -1LL,
                s.has_report ? static_cast<long long>(s.reported_objective) : -1LL,
                static_cast<long long>(c.infeasibility), static_cast<long long>(c.objective));
  }
  SolveParams p;
  p.seed = std::strtoull(argv[3], nullptr, 10);
  p.time_limit_seconds = std::atof(argv[2]);
  const SolveResult r = Solve(x->instance, p);
  std::map<std::string, int64_t> by;
  const XhsttCost c = EvaluateXhstt(*x, SubEventsOf(*x, r.solution), &by);
  for (const auto& [k, v] : by) std::printf("ours_cost=%s: %lld\n", k.c_str(), static_cast<long long>(v));
  char first[32] = "-";
  if (r.first_complete_seconds >= 0) std::snprintf(first, sizeof first, "%.3f", r.first_complete_seconds);
  int unplaced = 0;
  for (const Placement& pl : r.solution.placements) unplaced += pl.start < 0;
  std::printf("ours first_complete=%s seconds=%.3f hard=%d unplaced=%d evaluated=%lld,%lld\n", first, r.seconds,
              r.hard, unplaced, static_cast<long long>(c.infeasibility), static_cast<long long>(c.objective));
  return 0;
}
