// The teacher points policy (policy/teacher-points.yaml; plan item 23): the
// earning and deduction rules, the base every teacher starts a school year
// with, the objection window and the eligibility thresholds. Data, not code;
// a bad file is refused naming the field and its line:column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/principal.h"
#include "common/status.h"

namespace edugov::points {

struct Label {
  std::string zh;
  std::string en;
};

struct Rule {
  std::string id;
  Label label;
  std::string clause;  // the plan's words the rule applies
  int64_t points = 0;  // per unit; negative for a deduction
  Label unit;          // empty: one unit an entry
  int64_t max_units = 1;
  Label evidence;      // what the recorder must name
  // Roles that may record it: "school", "township", "bureau_leader",
  // "bureau_dept" (any department) or "bureau_dept:hr".
  std::vector<std::string> recorders;
};

struct EligibilityList {
  std::string id;  // registration | awards | title_promotion | performance_pay | contract_renewal
  Label label;
  int64_t min_points = 0;
  bool veto_blocks = false;  // a one-vote veto that year keeps the teacher off
};

struct PointsPolicy {
  std::string clause;
  std::string quote_zh;
  int64_t base_points = 0;
  int objection_window_days = 15;
  std::vector<Rule> rules;
  std::vector<EligibilityList> eligibility;

  const Rule* FindRule(std::string_view id) const;
  const EligibilityList* FindList(std::string_view id) const;
};

inline constexpr const char* kDefaultPointsPolicyPath = "policy/teacher-points.yaml";

// kInvalidArgument naming the field ("rules[2].points") with line:column;
// kNotFound when the file cannot be read.
StatusOr<PointsPolicy> ParsePointsPolicy(const std::string& yaml_text,
                                         const std::string& name = kDefaultPointsPolicyPath);
StatusOr<PointsPolicy> LoadPointsPolicy(const std::string& path);

// True when `who` holds one of the rule's recorder roles.
bool MayRecord(const Rule& rule, const accounts::Principal& who);

}  // namespace edugov::points
