// edugov_timetable_tool FILE.fet [time_limit_s] [seed] [work_limit]:
// imports, solves, re-checks with the independent checker.
#include <cstdio>
#include <cstdlib>

#include "timetable/checker.h"
#include "timetable/fet_import.h"
#include "timetable/solver.h"

int main(int argc, char** argv) {
  using namespace edugov::timetable;
  if (argc < 2) { std::fprintf(stderr, "usage: %s FILE.fet [time] [seed] [work]\n", argv[0]); return 2; }
  auto imp = ImportFetFile(argv[1]);
  if (!imp.ok()) { std::fprintf(stderr, "%s\n", imp.status().ToString().c_str()); return 1; }
  SolveParams p;
  p.time_limit_seconds = argc > 2 ? std::atof(argv[2]) : 10;
  p.seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
  p.work_limit = argc > 4 ? std::atoll(argv[4]) : 0;
  p.on_improvement = [](const Progress& pr) {
    std::printf("t=%.3f hard=%d soft=%.2f work=%lld\n", pr.seconds, pr.hard, pr.soft, (long long)pr.work);
    std::fflush(stdout);
  };
  SolveResult r = Solve(imp->instance, p);
  CheckReport rep = Check(imp->instance, r.solution);
  std::printf("solver: hard=%d soft=%.2f first_complete=%.3fs work=%lld | checker: hard=%d soft=%.2f\n",
              r.hard, r.soft, r.first_complete_seconds, (long long)r.work, rep.hard_violations, rep.soft_cost);
  int shown = 0;
  for (const Violation& v : rep.violations)
    if (v.hard && shown++ < 400) std::printf("  %s: %s @ %s\n", v.type.c_str(), v.what.c_str(), v.where.c_str());
  for (const auto& c : r.conflicts) std::printf("  conflict: %s\n", c.c_str());
  return 0;
}
