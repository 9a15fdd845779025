// The draws' parameters from policy/draws.yaml (the plan's clause 12,
// "双随机、一公开"): the least rate per stratum, the team size, the years a
// posting makes a conflict of interest, the risk-grade floors and the strata
// a plan may use. Data, not code: the county changes them without a build.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace edugov::draws {

struct DrawPolicy {
  std::string clause;    // "12"
  std::string quote_zh;  // the plan's sentence, quoted
  int min_rate_percent = 20;
  int team_size = 2;
  int conflict_years = 3;
  int risk_high = 3;    // open findings at which a school is high risk
  int risk_medium = 1;  // … medium; below: low
  std::vector<std::string> strata;  // allowed dimensions, in key order
};

inline constexpr const char* kDefaultDrawPolicyPath = "policy/draws.yaml";

// kInvalidArgument naming the field (with line:column) for a bad file;
// kNotFound when it cannot be read.
StatusOr<DrawPolicy> LoadDrawPolicy(const std::string& path);
StatusOr<DrawPolicy> ParseDrawPolicy(const std::string& yaml_text);

}  // namespace edugov::draws
