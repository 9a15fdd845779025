#include "points/policy.h"

#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace edugov::points {

namespace {

// Parsing state: the file's name for messages.
class Parser {
 public:
  explicit Parser(std::string name) : name_(std::move(name)) {}

  Status Bad(const std::string& field, const std::string& en, const std::string& zh,
             const YAML::Node& at) const {
    const YAML::Mark m = at.Mark();
    const std::string where =
        m.is_null() ? "" : ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    return Status(StatusCode::kInvalidArgument, name_ + where + ": " + field + en,
                  "积分政策文件 " + name_ + where + ":" + field + zh, field);
  }

  StatusOr<std::string> Text(const YAML::Node& parent, const std::string& key,
                             const std::string& field, bool required) const {
    const YAML::Node n = parent[key];
    if (!n) {
      if (!required) return std::string();
      return Bad(field, " is required", " 必填", parent);
    }
    if (!n.IsScalar() || n.Scalar().empty()) {
      return Bad(field, " must be non-empty text", " 须为非空文本", n);
    }
    return n.Scalar();
  }

  StatusOr<int64_t> Int(const YAML::Node& parent, const std::string& key, const std::string& field,
                        int64_t lo, int64_t hi) const {
    const YAML::Node n = parent[key];
    if (!n) return Bad(field, " is required", " 必填", parent);
    int64_t v = 0;
    try {
      v = n.as<int64_t>();
    } catch (const YAML::Exception&) {
      return Bad(field, " must be an integer", " 须为整数", n);
    }
    if (v < lo || v > hi) {
      return Bad(field, " must be between " + std::to_string(lo) + " and " + std::to_string(hi),
                 " 须在 " + std::to_string(lo) + " 到 " + std::to_string(hi) + " 之间", n);
    }
    return v;
  }

  StatusOr<Label> LabelOf(const YAML::Node& parent, const std::string& key, const std::string& field,
                          bool required) const {
    const YAML::Node n = parent[key];
    if (!n) {
      if (!required) return Label{};
      return Bad(field, " is required ({zh: …, en: …})", " 必填({zh: …, en: …})", parent);
    }
    if (!n.IsMap()) return Bad(field, " must be {zh: …, en: …}", " 须为 {zh: …, en: …}", n);
    Label l;
    ASSIGN_OR_RETURN(l.zh, Text(n, "zh", field + ".zh", true));
    ASSIGN_OR_RETURN(l.en, Text(n, "en", field + ".en", true));
    return l;
  }

 private:
  std::string name_;
};

bool KnownRecorder(const std::string& r) {
  const auto colon = r.find(':');
  const std::string role = r.substr(0, colon);
  if (colon != std::string::npos) {
    return role == "bureau_dept" && accounts::IsKnownDepartment(r.substr(colon + 1));
  }
  return role == "school" || role == "township" || role == "bureau_leader" || role == "bureau_dept";
}

bool IsId(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

const Rule* PointsPolicy::FindRule(std::string_view id) const {
  for (const Rule& r : rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const EligibilityList* PointsPolicy::FindList(std::string_view id) const {
  for (const EligibilityList& l : eligibility) {
    if (l.id == id) return &l;
  }
  return nullptr;
}

StatusOr<PointsPolicy> ParsePointsPolicy(const std::string& yaml_text, const std::string& name) {
  Parser p(name);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return Status(StatusCode::kInvalidArgument, name + ": not valid YAML: " + e.what(),
                  "积分政策文件 " + name + " 不是有效的 YAML:" + e.what(), "policy");
  }
  if (!root.IsMap()) return p.Bad("policy", " must be a mapping", " 须为映射", root);
  PointsPolicy out;
  ASSIGN_OR_RETURN(out.clause, p.Text(root, "clause", "clause", true));
  ASSIGN_OR_RETURN(out.quote_zh, p.Text(root, "quote_zh", "quote_zh", true));
  ASSIGN_OR_RETURN(out.base_points, p.Int(root, "base_points", "base_points", 0, 1000));
  ASSIGN_OR_RETURN(int64_t window, p.Int(root, "objection_window_days", "objection_window_days", 1, 365));
  out.objection_window_days = static_cast<int>(window);

  const YAML::Node rules = root["rules"];
  if (!rules || !rules.IsSequence() || rules.size() == 0) {
    return p.Bad("rules", " must list at least one rule", " 须至少列出一条积分规则", rules ? rules : root);
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < rules.size(); ++i) {
    const YAML::Node n = rules[i];
    const std::string f = "rules[" + std::to_string(i) + "]";
    if (!n.IsMap()) return p.Bad(f, " must be a mapping", " 须为映射", n);
    Rule r;
    ASSIGN_OR_RETURN(r.id, p.Text(n, "id", f + ".id", true));
    if (!IsId(r.id)) {
      return p.Bad(f + ".id", ": '" + r.id + "' must be lower-case letters, digits and _",
                   ":“" + r.id + "”只能由小写字母、数字和下划线组成", n["id"]);
    }
    if (!ids.insert(r.id).second) {
      return p.Bad(f + ".id", ": rule '" + r.id + "' is declared twice", ":规则“" + r.id + "”重复声明",
                   n["id"]);
    }
    ASSIGN_OR_RETURN(r.label, p.LabelOf(n, "label", f + ".label", true));
    ASSIGN_OR_RETURN(r.clause, p.Text(n, "clause", f + ".clause", true));
    ASSIGN_OR_RETURN(r.points, p.Int(n, "points", f + ".points", -1000, 1000));
    if (r.points == 0) return p.Bad(f + ".points", " must not be 0", " 不得为 0", n["points"]);
    ASSIGN_OR_RETURN(r.unit, p.LabelOf(n, "unit", f + ".unit", false));
    r.max_units = 1;
    if (n["max_units"]) {
      ASSIGN_OR_RETURN(r.max_units, p.Int(n, "max_units", f + ".max_units", 1, 10000));
    }
    ASSIGN_OR_RETURN(r.evidence, p.LabelOf(n, "evidence", f + ".evidence", true));
    const YAML::Node rec = n["recorders"];
    if (!rec || !rec.IsSequence() || rec.size() == 0) {
      return p.Bad(f + ".recorders", " must list the roles that may record the rule",
                   " 须列出可录入该规则的角色", rec ? rec : n);
    }
    for (size_t j = 0; j < rec.size(); ++j) {
      const std::string v = rec[j].IsScalar() ? rec[j].Scalar() : "";
      if (!KnownRecorder(v)) {
        return p.Bad(f + ".recorders[" + std::to_string(j) + "]",
                     ": unknown role '" + v +
                         "' (school, township, bureau_leader, bureau_dept or bureau_dept:DEPARTMENT)",
                     ":未知角色“" + v + "”(school、township、bureau_leader、bureau_dept 或 bureau_dept:部门)",
                     rec[j]);
      }
      r.recorders.push_back(v);
    }
    out.rules.push_back(std::move(r));
  }

  static const std::set<std::string> kLists = {"registration", "awards", "title_promotion",
                                               "performance_pay", "contract_renewal"};
  const YAML::Node lists = root["eligibility"];
  if (!lists || !lists.IsSequence()) {
    return p.Bad("eligibility", " must list the eligibility thresholds", " 须列出各项资格的积分门槛",
                 lists ? lists : root);
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < lists.size(); ++i) {
    const YAML::Node n = lists[i];
    const std::string f = "eligibility[" + std::to_string(i) + "]";
    if (!n.IsMap()) return p.Bad(f, " must be a mapping", " 须为映射", n);
    EligibilityList l;
    ASSIGN_OR_RETURN(l.id, p.Text(n, "id", f + ".id", true));
    if (!kLists.count(l.id)) {
      return p.Bad(f + ".id",
                   ": unknown list '" + l.id +
                       "' (registration, awards, title_promotion, performance_pay, contract_renewal)",
                   ":未知资格“" + l.id + "”(registration、awards、title_promotion、performance_pay、contract_renewal)",
                   n["id"]);
    }
    if (!seen.insert(l.id).second) {
      return p.Bad(f + ".id", ": '" + l.id + "' is declared twice", ":“" + l.id + "”重复声明", n["id"]);
    }
    ASSIGN_OR_RETURN(l.label, p.LabelOf(n, "label", f + ".label", true));
    ASSIGN_OR_RETURN(l.min_points, p.Int(n, "min_points", f + ".min_points", -100000, 100000));
    const YAML::Node veto = n["veto_blocks"];
    if (!veto) return p.Bad(f + ".veto_blocks", " is required (true or false)", " 必填(true 或 false)", n);
    try {
      l.veto_blocks = veto.as<bool>();
    } catch (const YAML::Exception&) {
      return p.Bad(f + ".veto_blocks", " must be true or false", " 须为 true 或 false", veto);
    }
    out.eligibility.push_back(std::move(l));
  }
  return out;
}

StatusOr<PointsPolicy> LoadPointsPolicy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kNotFound, "cannot read the teacher points policy " + path,
                  "无法读取教师积分政策文件 " + path, "policy");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParsePointsPolicy(ss.str(), path);
}

bool MayRecord(const Rule& rule, const accounts::Principal& who) {
  const std::string role(accounts::RoleName(who.role));
  for (const std::string& r : rule.recorders) {
    if (r == role) return true;
    if (who.role == accounts::Role::kBureauDept && r == "bureau_dept:" + who.department) return true;
  }
  return false;
}

}  // namespace edugov::points
