// Stage 4: run compiled plans over the image and report findings (rules)
// and progress (targets). One tight loop per rule over the columns; groups
// are dense integer slots (entity slot × period), not hash maps.
//
//   ASSIGN_OR_RETURN(bound::Pack pack, Bind(ast));
//   ASSIGN_OR_RETURN(CheckResult result, Evaluate(pack, image, {.as_of = as_of}));
//
// Semantics (docs/policy-format.md): rows pass scope, `where` and "unless";
// each group (entity, period) is aggregated; count and sum groups with no
// rows are judged too (a school with no inspection has count 0); avg, min,
// max and share groups with no values are not. A finding is a group whose
// measured value breaks `measured OP threshold`. NULL values are skipped by
// sum/avg/min/max and never satisfy a condition except is_null. With
// divide_by the measured value is a ratio (not judged when the divisor is 0);
// with against the threshold is factor × another aggregate of the group (or
// of its previous period); with consecutive N only the last period of N
// broken periods in a row is a finding, its evidence the rows of all N.
//
// Deterministic: findings come out by rule (pack order), then period, then
// group entity (registry order). Thread-safety: reads the image and pack
// only; callers may evaluate the same const image from several threads.
// Each thread keeps its accumulators (grown to its largest rule so far:
// about 4 bytes per row plus ~24 bytes per group) between calls, so a
// long-lived worker does not re-allocate them on every sweep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/date.h"
#include "common/status.h"
#include "datasets/columnar.h"
#include "rules/bound.h"
#include "rules/compiler.h"
#include "rules/plan.h"

namespace edugov::rules {

// Evidence row ids kept per finding (evidence_count has them all).
inline constexpr size_t kMaxEvidenceRows = 100;

struct Finding {
  std::string rule_id;
  std::string clause;
  std::string severity;
  std::string entity_type;  // class | school | township | county | all
  int64_t entity_id = 0;    // classes.id or orgs.id; 0 for "all"
  std::string entity_name;
  std::string org_path;      // of the entity's org (a class: its school)
  int64_t township_id = 0;   // 0 when none
  std::string township_name;
  std::string period_kind;   // day | week | month | semester | year | none
  std::string period_label;
  std::string period_start;  // YYYY-MM-DD, "" for none
  std::string period_end;
  double measured = 0;
  double threshold = 0;
  std::string comparison;  // the norm: "<=", ">=" …
  std::vector<plan::ParamUse> parameters;
  std::string evidence_dataset;  // "" for registry rules
  // The ids of the rows aggregated into the group: all of them up to
  // kMaxEvidenceRows, else the last kMaxEvidenceRows in image order; ascending.
  std::vector<int64_t> evidence_row_ids;
  int64_t evidence_count = 0;
};

enum class TargetStatus { kOnTrack, kAtRisk, kMet, kMissed };
std::string_view TargetStatusName(TargetStatus s);

struct TargetProgress {
  std::string target_id;
  std::string clause;
  std::string title_zh;
  std::string entity_type;
  int64_t entity_id = 0;
  std::string entity_name;
  double measured = 0;
  bool has_value = false;  // false: no rows to measure
  double target = 0;
  std::string comparison;
  std::string deadline;
  double expected = 0;  // where a linear path from the baseline would be today
  TargetStatus status = TargetStatus::kAtRisk;
  // Non-empty: the target's scope names this org code and the registry has
  // no such org — nothing measured (entity_type "org", entity_name the code).
  std::string unresolved_org_code;
};

struct RuleStats {
  std::string rule_id;
  size_t rows_scanned = 0;
  size_t groups = 0;
  size_t findings = 0;
};

struct CheckResult {
  std::vector<Finding> findings;
  std::vector<TargetProgress> targets;
  std::vector<RuleStats> stats;
};

// Every rule and target of the pack. kInvalidArgument for an override that
// names no parameter of the pack, or an unknown scope org code of a rule (a
// target's unknown code is a TargetProgress line with unresolved_org_code);
// kResourceExhausted if a rule would need more than 2^27 groups.
StatusOr<CheckResult> Evaluate(const bound::Pack& pack, const datasets::ColumnarImage& image,
                               const CompileOptions& options);

// One compiled rule's findings (appended to `out`).
Status EvaluateRulePlan(const bound::Rule& rule, const plan::Plan& plan,
                        const datasets::ColumnarImage& image, std::vector<Finding>& out,
                        RuleStats* stats = nullptr);

}  // namespace edugov::rules
