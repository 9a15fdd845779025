#include "draws/draw_policy.h"

#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/yaml_error.h"

namespace edugov::draws {

namespace {

// "policy/draws.yaml:3:8: team_size must be …" / "抽查参数文件 policy/draws.yaml 第 3 行第 8 列：team_size 须…".
Status Bad(const std::string& field, const std::string& en, const std::string& zh,
           const YAML::Node& at) {
  return Status(StatusCode::kInvalidArgument, YamlWhereEn(kDefaultDrawPolicyPath, at.Mark()) + ": " + field + en,
                "抽查参数文件 " + YamlWhereZh(kDefaultDrawPolicyPath, at.Mark()) + "：" + field + zh, field);
}

StatusOr<int> IntField(const YAML::Node& root, const std::string& key, int lo, int hi) {
  const YAML::Node n = root[key];
  if (!n) return Bad(key, " is missing", " 缺失", root);
  int v = 0;
  try {
    v = n.as<int>();
  } catch (const YAML::Exception&) {
    return Bad(key, " must be an integer", " 须为整数", n);
  }
  if (v < lo || v > hi) {
    return Bad(key, " must be between " + std::to_string(lo) + " and " + std::to_string(hi),
               " 须在 " + std::to_string(lo) + " 到 " + std::to_string(hi) + " 之间", n);
  }
  return v;
}

}  // namespace

StatusOr<DrawPolicy> ParseDrawPolicy(const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return YamlError(kDefaultDrawPolicyPath, e, "policy");
  }
  if (!root.IsMap()) return Bad("policy", " must be a mapping", " 须为映射", root);
  DrawPolicy p;
  for (const char* key : {"clause", "quote_zh"}) {
    const YAML::Node n = root[key];
    if (!n || !n.IsScalar() || n.as<std::string>().empty()) {
      return Bad(key, " is required (the plan's clause and its quoted sentence)",
                 " 必填(工作要点条款及原文)", n ? n : root);
    }
  }
  p.clause = root["clause"].as<std::string>();
  p.quote_zh = root["quote_zh"].as<std::string>();
  ASSIGN_OR_RETURN(p.min_rate_percent, IntField(root, "min_rate_percent", 1, 100));
  ASSIGN_OR_RETURN(p.team_size, IntField(root, "team_size", 1, 20));
  ASSIGN_OR_RETURN(p.conflict_years, IntField(root, "conflict_years", 0, 50));
  const YAML::Node risk = root["risk_grades"];
  if (!risk || !risk.IsMap()) {
    return Bad("risk_grades", " must map high and medium to open-findings floors",
               " 须为 high、medium 的未整改问题数下限", risk ? risk : root);
  }
  ASSIGN_OR_RETURN(p.risk_high, IntField(risk, "high", 1, 100000));
  ASSIGN_OR_RETURN(p.risk_medium, IntField(risk, "medium", 1, 100000));
  if (p.risk_medium > p.risk_high) {
    return Bad("risk_grades", ": medium must not exceed high", ":medium 不得大于 high", risk);
  }
  const YAML::Node strata = root["strata"];
  if (!strata || !strata.IsSequence()) {
    return Bad("strata", " must list township, stage and/or risk", " 须列出 township、stage、risk",
               strata ? strata : root);
  }
  for (const auto& s : strata) {
    const std::string v = s.as<std::string>("");
    if (v != "township" && v != "stage" && v != "risk") {
      return Bad("strata", ": unknown dimension '" + v + "'", ":未知的分层维度“" + v + "”", s);
    }
    p.strata.push_back(v);
  }
  return p;
}

StatusOr<DrawPolicy> LoadDrawPolicy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kNotFound, "cannot read the draws policy " + path,
                  "无法读取抽查参数文件 " + path, "policy");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseDrawPolicy(ss.str());
}

}  // namespace edugov::draws
