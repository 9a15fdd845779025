// The timetabling solver: data in, data out (after ortools'
// cp_model_solver.h). Deterministic for a seed as long as the work limit,
// not the time limit, stops it; the time limit is a safety net.
//
//   SolveParams p;
//   p.seed = 7;
//   p.work_limit = 5'000'000;
//   p.on_improvement = [](const Progress& pr) { ... };
//   SolveResult r = Solve(inst, p);
//   if (r.hard == 0) ... r.solution ...
//
// Method (see docs/timetable.md for the evidence): activities tied by hard
// same-starting-time constraints move as one block; hard unary constraints
// (available / preferred times, breaks, reserved slots) shrink each block's
// domain so they hold by construction; a greedy most-constrained-first
// construction is followed by tabu min-conflicts local search over
// (block, start, room) — plain moves and Kempe-chain swaps — with
// incremental delta evaluation, first towards hard = 0, then on the weighted
// soft cost. Thread-compatible: one Solve per thread; `inst` must outlive
// the call only.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "timetable/model.h"

namespace edugov::timetable {

struct Progress {
  double seconds = 0;     // since Solve started (wall clock; for display only)
  int64_t work = 0;       // deterministic work units spent so far
  int hard = 0;           // hard violations of the best solution so far
  double soft = 0;        // its soft cost
};

struct SolveParams {
  uint64_t seed = 1;
  double time_limit_seconds = 60;  // safety net; makes runs non-repeatable
  // One unit is one candidate move evaluated. <= 0: unlimited.
  int64_t work_limit = 0;
  // Stop as soon as hard == 0 (time-to-first-complete runs).
  bool stop_at_first_complete = false;
  // Called on every improvement of the best (hard, soft), from Solve's thread.
  std::function<void(const Progress&)> on_improvement;
  // Wall clock in seconds; injectable so tests never read the real clock.
  std::function<double()> clock;
  // When set and true, the search stops at its next budget check (within
  // a few hundred candidate moves) and returns the best so far, as at the
  // time limit. Read from Solve's thread; set from any thread. Not owned.
  const std::atomic<bool>* cancel = nullptr;
};

struct SolveResult {
  Solution solution;   // the best found (hard first, then soft)
  int hard = 0;        // as counted by the solver; Check() is the referee
  double soft = 0;
  int64_t work = 0;
  double seconds = 0;
  double first_complete_seconds = -1;  // -1: never reached hard == 0
  int64_t first_complete_work = -1;
  // When hard > 0: a small set of constraints that cannot all hold, as
  // human-readable lines (constraint sources and what clashes), most
  // specific first. Empty when a complete timetable was found.
  std::vector<std::string> conflicts;
};

SolveResult Solve(const Instance& inst, const SolveParams& params);

}  // namespace edugov::timetable
