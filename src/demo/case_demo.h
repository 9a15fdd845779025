// A year of synthetic cases for the demo county, made through the workflow
// engine (cases::CaseEngine) exactly as users and the public would make them:
// complaints with a realistic category mix and seasons (meals, fees and
// uniforms peak at term start, March and September), in every state — some
// answered, verified, closed and rated, some merged as repeats, some
// reopened, some stuck past their deadline and reminded/escalated by the
// clock sweep — plus rectifications, approvals, hazards, dropouts and
// misconduct cases, a few of which end in sanctions on the ledger.
//
//   FakeClock clock(…);                // moved by GenerateCaseDemo
//   ASSIGN_OR_RETURN(auto services, cli::LoadCaseServices({.clock = &clock, …}));
//   ASSIGN_OR_RETURN(demo::CaseDemoSummary s,
//       demo::GenerateCaseDemo(db, services->engine(), clock, {.seed = 1}));
//
// Deterministic: the same registry, seed and options give the same cases
// (randomness is SplitMix64 from the seed; time is `clock`, which this sets
// and steps forward through the year; the engine's own Random must be seeded
// too for identical tracking codes). Every action is one engine call, so
// each is audited and on the case's timeline. Not thread-safe; `db`,
// `engine` and `clock` must outlive the call, and `engine` must run on
// `clock`.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "cases/engine.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "storage/database.h"

namespace edugov::demo {

struct CaseDemoOptions {
  uint64_t seed = 1;
  // The twelve months the cases run through (China time); `edugov demo-data`
  // takes the twelve whole months before its anchor's month.
  Date first_day = Date::FromYmd(2025, 1, 1);
  Date last_day = Date::FromYmd(2025, 12, 31);
  // Complaints per school per year on average (busier schools get more).
  double complaints_per_school = 1.6;
};

struct CaseDemoSummary {
  int64_t complaints = 0;
  int64_t merged = 0;     // repeats joined to an earlier complaint
  int64_t closed = 0;     // complaints closed
  int64_t rated = 0;
  int64_t reopened = 0;
  int64_t stuck = 0;      // complaints left unanswered past their deadline
  int64_t rectifications = 0;
  int64_t approvals = 0;
  int64_t hazards = 0;
  int64_t dropouts = 0;
  int64_t misconduct = 0;
  int64_t sanctions = 0;
  int64_t sweeps = 0;     // weekly clock sweeps run
};

using CaseDemoProgress = std::function<void(std::string_view phase, int64_t done, int64_t total)>;

// Generates into a database that already holds the demo registry
// (GenerateDemoData) and no cases: kFailedPrecondition when cases exist or
// there are no schools. An engine error names the case and the action.
StatusOr<CaseDemoSummary> GenerateCaseDemo(storage::Database& db, cases::CaseEngine& engine, FakeClock& clock,
                                           const CaseDemoOptions& options = {},
                                           const CaseDemoProgress& progress = {});

// After the demo's compliance sweep opened rectifications from its findings:
// moves a deterministic share of them on, as schools and verifiers would, so
// the demo shows every state — about a third answered with evidence (待核验),
// half of those verified (已销号) — each step a day apart on `clock`.
struct RectificationDemoSummary {
  int64_t submitted = 0;
  int64_t closed = 0;
};
StatusOr<RectificationDemoSummary> AdvanceFindingRectifications(cases::CaseEngine& engine, FakeClock& clock,
                                                                uint64_t seed);

}  // namespace edugov::demo
