// Stage 3: a bound rule or target + a ColumnarImage → plan::Plan. Resolves
// scope org codes against the registry image (kInvalidArgument naming the
// code and the rule if unknown), builds the entity → group and day → period
// arrays, picks the parameter value valid on each period's first day (or the
// what-if override), and precomputes the "unless" exemptions. Periods are
// judged once they have ended on or before `as_of`; rows dated after `as_of`
// are ignored. A rule that judges no group without rows (avg, min, max,
// share, or a ratio) gets periods over its rows' days only — and, unless it
// needs adjacent periods (consecutive, previous_period), only the periods
// that hold a row (same findings, far fewer groups). divide_by and
// against operands become sub-plans with the rule's slots and periods.
// Stateless; thread-safe for a const image.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/date.h"
#include "common/status.h"
#include "datasets/columnar.h"
#include "rules/bound.h"
#include "rules/plan.h"

namespace edugov::rules {

struct CompileOptions {
  Date as_of;
  // What-if: parameter name (or "rule_id.name") → value for every date.
  std::map<std::string, double> overrides;
  // Open-cases targets (bound::Target::open_cases): the number of cases of
  // `case_type` not in a terminal state under `org_path` (a subtree prefix).
  // Supplied by the caller so src/rules never reads the cases table; unset →
  // those targets report no value. An error (e.g. an unknown case type) fails
  // the evaluation.
  std::function<StatusOr<int64_t>(std::string_view case_type, std::string_view org_path)> count_open_cases = nullptr;
};

StatusOr<plan::Plan> CompileRule(const bound::Pack& pack, const bound::Rule& rule,
                                 const datasets::ColumnarImage& image, const CompileOptions& options);
// A target's indicator: one period (as_of), no threshold.
StatusOr<plan::Plan> CompileTarget(const bound::Pack& pack, const bound::Target& target,
                                   const datasets::ColumnarImage& image, const CompileOptions& options);

}  // namespace edugov::rules
