// Deterministic demo rows for the policy pack's datasets behind the norms of
// items 8, 14, 16, 20, 21, 24, 26 and 29 and the item-15/16/19/20 count
// targets (salaries, school_funds, education_funding, staffing_hires,
// school_evaluations, exam_results, routine_tests, activity_records,
// sports_meets, project_records), over a registry that GenerateDemoData has
// already written. Realistic and with a few true violations, so
// `edugov check` shows something: some schools short of the 20 % equipment
// share, a school failing its evaluation two years running, routine tests
// under 80 % pass, a county whose teachers earn less than its civil servants
// in 2025, schools hiring substitute teachers, …
//
//   ASSIGN_OR_RETURN(demo::DatasetDemoSummary s,
//       demo::GenerateDatasetDemo(*conn, clock, "policy/anhua-2025.yaml", /*seed=*/1));
//
// The same registry, pack, seed, year and `through` give the same rows
// (SplitMix64 only; the clock gives submitted_at only). Rows are dated in the
// demo `year` and the two before it (…-12-31 of year-2 .. year-12-31; the
// comments below say 2025, the default); rows after `through` — the days
// that have not come yet when the demo is anchored inside `year` — are left
// out without changing any other row.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "storage/database.h"

namespace edugov::demo {

struct DatasetDemoSummary {
  std::map<std::string, int64_t> rows;  // dataset → rows written
  int64_t total = 0;
};

// Reads the pack's `datasets:` at `policy_path`, creates the ds_ tables of
// the datasets above (EnsureDatasetTables; `conn` must not be in a
// transaction) and writes their rows in one transaction with one audit entry
// "demo.datasets". kFailedPrecondition when one of them is not declared in
// the pack or lacks a column this generator fills, or already has rows;
// kNotFound / kInvalidArgument for a missing or malformed pack.
StatusOr<DatasetDemoSummary> GenerateDatasetDemo(storage::Connection& conn, const Clock& clock,
                                                 const std::string& policy_path, uint64_t seed, int year = 2025,
                                                 std::optional<Date> through = std::nullopt);

}  // namespace edugov::demo
