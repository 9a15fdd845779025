#include "cases/case_type.h"

#include <yaml-cpp/yaml.h>

#include "common/yaml_error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace edugov::cases {
namespace {

// Errors name "file:line:col" (1-based) in the message and in field(), so an
// editor or `edugov cases validate` can jump there.
class Ctx {
 public:
  explicit Ctx(std::string_view name) : name_(name) {}

  std::string Where(const YAML::Node& n) const {
    if (!n.IsDefined()) return name_;
    const YAML::Mark m = n.Mark();
    if (m.is_null()) return name_;
    return name_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  }
  Status Error(const YAML::Node& n, const std::string& en, const std::string& zh) const {
    const std::string w = Where(n);
    return InvalidArgumentError(w + ": " + en, w + "：" + zh).WithField(w);
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

Status CheckKeys(const Ctx& c, const YAML::Node& n, const std::string& what,
                 std::initializer_list<std::string_view> allowed) {
  if (!n.IsMap()) {
    return c.Error(n, what + " must be a mapping", what + " 应为映射（key: value）");
  }
  for (const auto& kv : n) {
    const std::string key = kv.first.as<std::string>("");
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return c.Error(kv.first, "unknown key '" + key + "' in " + what + " (allowed: " + list + ")",
                     what + " 中有未知的键 '" + key + "'（允许：" + list + "）");
    }
  }
  return OkStatus();
}

StatusOr<std::string> Str(const Ctx& c, const YAML::Node& n, const std::string& what) {
  if (!n.IsDefined() || n.IsNull() || !n.IsScalar()) {
    return c.Error(n, what + " must be a string", what + " 应为字符串");
  }
  return n.as<std::string>();
}

StatusOr<std::string> ReqStr(const Ctx& c, const YAML::Node& parent, const char* key,
                             const std::string& what) {
  const YAML::Node n = parent[key];
  if (!n.IsDefined() || n.IsNull()) {
    return c.Error(parent, what + ": '" + key + "' is missing", what + "：缺少 '" + key + "'");
  }
  return Str(c, n, what + "." + key);
}

StatusOr<int> Int(const Ctx& c, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) return c.Error(n, what + " must be an integer", what + " 应为整数");
  const std::string s = n.as<std::string>();
  try {
    size_t used = 0;
    int v = std::stoi(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    return c.Error(n, what + " must be an integer, got '" + s + "'",
                   what + " 应为整数，实际为 '" + s + "'");
  }
}

StatusOr<bool> Bool(const Ctx& c, const YAML::Node& n, const std::string& what) {
  if (n.IsScalar()) {
    const std::string s = n.as<std::string>();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return c.Error(n, what + " must be true or false", what + " 应为 true 或 false");
}

StatusOr<std::vector<std::string>> StrList(const Ctx& c, const YAML::Node& n,
                                           const std::string& what) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.as<std::string>());
    return out;
  }
  if (!n.IsSequence()) return c.Error(n, what + " must be a list", what + " 应为列表");
  for (const YAML::Node& e : n) {
    ASSIGN_OR_RETURN(std::string s, Str(c, e, what));
    out.push_back(std::move(s));
  }
  return out;
}

StatusOr<Label> ParseLabel(const Ctx& c, const YAML::Node& n, const std::string& what) {
  Label l;
  if (n.IsScalar()) {
    l.zh = n.as<std::string>();
  } else {
    RETURN_IF_ERROR(CheckKeys(c, n, what, {"zh", "en"}));
    ASSIGN_OR_RETURN(l.zh, ReqStr(c, n, "zh", what));
    if (n["en"]) {
      ASSIGN_OR_RETURN(l.en, Str(c, n["en"], what + ".en"));
    }
  }
  if (l.zh.empty()) return c.Error(n, what + ": zh label is empty", what + "：中文名称为空");
  return l;
}

bool ValidId(const std::string& s) {
  static const std::regex re("[a-z_][a-z0-9_]*");
  return std::regex_match(s, re);
}

const std::set<std::string>& PlainRoles() {
  static const std::set<std::string> r = {"bureau_leader", "bureau_dept", "township", "school",
                                          "teacher",       "inspector",   "public",   "system",
                                          "assignee"};
  return r;
}

StatusOr<std::vector<RoleToken>> ParseRoles(const Ctx& c, const YAML::Node& n,
                                            const std::string& what) {
  ASSIGN_OR_RETURN(std::vector<std::string> list, StrList(c, n, what));
  std::vector<RoleToken> out;
  for (const std::string& tok : list) {
    RoleToken t;
    const size_t colon = tok.find(':');
    if (colon != std::string::npos) {
      t.role = tok.substr(0, colon);
      t.department = tok.substr(colon + 1);
      if (t.role != "bureau_dept" || !accounts::IsKnownDepartment(t.department)) {
        return c.Error(n, what + ": unknown role '" + tok + "'", what + "：未知角色 '" + tok + "'");
      }
    } else {
      t.role = tok;
      if (!PlainRoles().count(tok)) {
        return c.Error(n, what + ": unknown role '" + tok +
                              "' (bureau_leader, bureau_dept[:dept], township, school, teacher, "
                              "inspector, public, system, assignee)",
                       what + "：未知角色 '" + tok + "'");
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

// "school", "township", "leadership", "department:<dept>".
Status ParseLevel(const Ctx& c, const YAML::Node& n, const std::string& tok, std::string* level,
                  std::string* department, const std::string& what) {
  if (tok == "school" || tok == "township" || tok == "leadership") {
    *level = tok;
    department->clear();
    return OkStatus();
  }
  if (tok.rfind("department:", 0) == 0 && accounts::IsKnownDepartment(tok.substr(11))) {
    *level = "department";
    *department = tok.substr(11);
    return OkStatus();
  }
  return c.Error(n, what + ": unknown level '" + tok +
                        "' (school, township, department:<dept>, leadership)",
                 what + "：未知层级 '" + tok + "'（school、township、department:<股室>、leadership）");
}

StatusOr<FieldType> ParseFieldType(const Ctx& c, const YAML::Node& n) {
  static const std::map<std::string, FieldType> kTypes = {
      {"text", FieldType::kText},   {"longtext", FieldType::kLongText}, {"int", FieldType::kInt},
      {"decimal", FieldType::kDecimal}, {"date", FieldType::kDate},     {"bool", FieldType::kBool},
      {"enum", FieldType::kEnum},   {"org", FieldType::kOrg},           {"staff", FieldType::kStaff},
      {"phone", FieldType::kPhone}};
  ASSIGN_OR_RETURN(std::string s, Str(c, n, "type"));
  auto it = kTypes.find(s);
  if (it == kTypes.end()) {
    return c.Error(n, "unknown field type '" + s +
                          "' (text, longtext, int, decimal, date, bool, enum, org, staff, phone)",
                   "未知字段类型 '" + s + "'");
  }
  return it->second;
}

StatusOr<FieldSpec> ParseField(const Ctx& c, const YAML::Node& n) {
  RETURN_IF_ERROR(CheckKeys(c, n, "field",
                            {"name", "label", "type", "required", "confidential", "options",
                             "frozen_from"}));
  FieldSpec f;
  ASSIGN_OR_RETURN(f.name, ReqStr(c, n, "name", "field"));
  if (!ValidId(f.name)) {
    return c.Error(n["name"], "field name '" + f.name + "' must match [a-z_][a-z0-9_]*",
                   "字段名 '" + f.name + "' 只能由小写字母、数字和下划线组成");
  }
  const std::string what = "field " + f.name;
  if (!n["label"]) return c.Error(n, what + ": label is missing", what + "：缺少 label");
  ASSIGN_OR_RETURN(f.label, ParseLabel(c, n["label"], what + ".label"));
  if (n["type"]) {
    ASSIGN_OR_RETURN(f.type, ParseFieldType(c, n["type"]));
  }
  if (n["required"]) {
    ASSIGN_OR_RETURN(f.required, Bool(c, n["required"], what + ".required"));
  }
  if (n["confidential"]) {
    ASSIGN_OR_RETURN(f.confidential, Bool(c, n["confidential"], what + ".confidential"));
  }
  if (n["frozen_from"]) {
    ASSIGN_OR_RETURN(f.frozen_from_state, Str(c, n["frozen_from"], what + ".frozen_from"));
  }
  if (n["options"]) {
    const YAML::Node o = n["options"];
    if (!o.IsSequence()) return c.Error(o, what + ".options must be a list", what + ".options 应为列表");
    for (const YAML::Node& e : o) {
      RETURN_IF_ERROR(CheckKeys(c, e, what + " option", {"key", "label"}));
      ASSIGN_OR_RETURN(std::string key, ReqStr(c, e, "key", what + " option"));
      if (!e["label"]) return c.Error(e, what + " option " + key + ": label is missing", what + " 选项 " + key + "：缺少 label");
      ASSIGN_OR_RETURN(Label l, ParseLabel(c, e["label"], what + " option " + key));
      for (const auto& [k, _] : f.options) {
        if (k == key) return c.Error(e, what + ": option '" + key + "' listed twice", what + "：选项 '" + key + "' 重复");
      }
      f.options.emplace_back(key, std::move(l));
    }
  }
  if (f.type == FieldType::kEnum && f.options.empty()) {
    return c.Error(n, what + ": an enum field needs options", what + "：枚举字段需要 options");
  }
  if (f.type != FieldType::kEnum && !f.options.empty()) {
    return c.Error(n["options"], what + ": options are only for enum fields", what + "：只有枚举字段可以有 options");
  }
  return f;
}

StatusOr<TimeLimit> ParseTimeLimit(const Ctx& c, const YAML::Node& n, const std::string& what) {
  RETURN_IF_ERROR(CheckKeys(c, n, what,
                            {"working_days", "remind_after_days", "escalate_after_days",
                             "days_field", "by"}));
  TimeLimit t;
  if (!n["working_days"]) return c.Error(n, what + ": working_days is missing", what + "：缺少 working_days");
  ASSIGN_OR_RETURN(t.working_days, Int(c, n["working_days"], what + ".working_days"));
  if (n["remind_after_days"]) {
    ASSIGN_OR_RETURN(t.remind_after_days, Int(c, n["remind_after_days"], what + ".remind_after_days"));
  }
  if (n["escalate_after_days"]) {
    ASSIGN_OR_RETURN(t.escalate_after_days,
                     Int(c, n["escalate_after_days"], what + ".escalate_after_days"));
  }
  if (t.working_days < 0 || t.remind_after_days < 0 || t.escalate_after_days < 0) {
    return c.Error(n, what + ": a time limit cannot be negative", what + "：时限不能为负数");
  }
  if (n["days_field"]) {
    ASSIGN_OR_RETURN(t.days_field, Str(c, n["days_field"], what + ".days_field"));
  }
  if (const YAML::Node by = n["by"]) {
    RETURN_IF_ERROR(CheckKeys(c, by, what + ".by", {"field", "days"}));
    ASSIGN_OR_RETURN(t.by_field, ReqStr(c, by, "field", what + ".by"));
    const YAML::Node days = by["days"];
    if (!days.IsMap()) return c.Error(by, what + ".by.days must map values to working days", what + ".by.days 应为 值: 工作日数");
    for (const auto& kv : days) {
      ASSIGN_OR_RETURN(int d, Int(c, kv.second, what + ".by.days"));
      if (d < 0) return c.Error(kv.second, what + ": a time limit cannot be negative", what + "：时限不能为负数");
      t.by_value[kv.first.as<std::string>()] = d;
    }
  }
  return t;
}

StatusOr<StateSpec> ParseState(const Ctx& c, const YAML::Node& n) {
  RETURN_IF_ERROR(CheckKeys(c, n, "state",
                            {"id", "label", "terminal", "assignee", "assignee_org_field",
                             "time_limit", "public"}));
  StateSpec s;
  ASSIGN_OR_RETURN(s.id, ReqStr(c, n, "id", "state"));
  if (!ValidId(s.id)) return c.Error(n["id"], "state id '" + s.id + "' must match [a-z_][a-z0-9_]*", "状态 id '" + s.id + "' 格式不对");
  const std::string what = "state " + s.id;
  if (!n["label"]) return c.Error(n, what + ": label is missing", what + "：缺少 label");
  ASSIGN_OR_RETURN(s.label, ParseLabel(c, n["label"], what + ".label"));
  if (n["terminal"]) {
    ASSIGN_OR_RETURN(s.terminal, Bool(c, n["terminal"], what + ".terminal"));
  }
  if (n["public"]) {
    ASSIGN_OR_RETURN(s.public_visible, Bool(c, n["public"], what + ".public"));
  }
  if (n["assignee"]) {
    ASSIGN_OR_RETURN(std::string tok, Str(c, n["assignee"], what + ".assignee"));
    RETURN_IF_ERROR(ParseLevel(c, n["assignee"], tok, &s.assignee_level, &s.assignee_department,
                               what + ".assignee"));
  }
  if (n["assignee_org_field"]) {
    ASSIGN_OR_RETURN(s.assignee_org_field, Str(c, n["assignee_org_field"], what + ".assignee_org_field"));
  }
  if (n["time_limit"]) {
    ASSIGN_OR_RETURN(TimeLimit t, ParseTimeLimit(c, n["time_limit"], what + ".time_limit"));
    s.time_limit = std::move(t);
  }
  return s;
}

StatusOr<TransitionSpec> ParseTransition(const Ctx& c, const YAML::Node& n) {
  RETURN_IF_ERROR(CheckKeys(c, n, "transition",
                            {"id", "label", "from", "to", "roles", "required_fields",
                             "requires_comment", "requires_evidence", "effects", "public_comment"}));
  TransitionSpec t;
  ASSIGN_OR_RETURN(t.id, ReqStr(c, n, "id", "transition"));
  if (!ValidId(t.id)) return c.Error(n["id"], "transition id '" + t.id + "' must match [a-z_][a-z0-9_]*", "流转 id '" + t.id + "' 格式不对");
  const std::string what = "transition " + t.id;
  if (!n["label"]) return c.Error(n, what + ": label is missing", what + "：缺少 label");
  ASSIGN_OR_RETURN(t.label, ParseLabel(c, n["label"], what + ".label"));
  if (!n["from"]) return c.Error(n, what + ": from is missing", what + "：缺少 from");
  ASSIGN_OR_RETURN(t.from, StrList(c, n["from"], what + ".from"));
  if (n["to"]) {
    ASSIGN_OR_RETURN(t.to, Str(c, n["to"], what + ".to"));
  }
  if (!n["roles"]) return c.Error(n, what + ": roles is missing", what + "：缺少 roles");
  ASSIGN_OR_RETURN(t.roles, ParseRoles(c, n["roles"], what + ".roles"));
  if (t.roles.empty()) return c.Error(n["roles"], what + ": roles is empty", what + "：roles 为空");
  if (n["required_fields"]) {
    ASSIGN_OR_RETURN(t.required_fields, StrList(c, n["required_fields"], what + ".required_fields"));
  }
  if (n["requires_comment"]) {
    ASSIGN_OR_RETURN(t.requires_comment, Bool(c, n["requires_comment"], what + ".requires_comment"));
  }
  if (n["requires_evidence"]) {
    ASSIGN_OR_RETURN(t.requires_evidence, Bool(c, n["requires_evidence"], what + ".requires_evidence"));
  }
  if (n["public_comment"]) {
    ASSIGN_OR_RETURN(t.public_comment, Bool(c, n["public_comment"], what + ".public_comment"));
  }
  if (n["effects"]) {
    ASSIGN_OR_RETURN(t.effects, StrList(c, n["effects"], what + ".effects"));
  }
  return t;
}

StatusOr<CaseType> ParseType(const Ctx& c, const YAML::Node& root) {
  RETURN_IF_ERROR(CheckKeys(c, root, "case type",
                            {"id", "prefix", "label", "fields", "states", "transitions",
                             "escalation_chain", "confidential_readers", "openers",
                             "reopen_within_days", "category_field", "frozen_change_state",
                             "merge", "accountable", "finding_categories", "report"}));
  CaseType t;
  ASSIGN_OR_RETURN(t.id, ReqStr(c, root, "id", "case type"));
  if (!ValidId(t.id)) return c.Error(root["id"], "case type id '" + t.id + "' must match [a-z_][a-z0-9_]*", "类型 id '" + t.id + "' 格式不对");
  ASSIGN_OR_RETURN(t.prefix, ReqStr(c, root, "prefix", "case type"));
  static const std::regex kPrefix("[A-Z]{2,4}");
  if (!std::regex_match(t.prefix, kPrefix)) {
    return c.Error(root["prefix"], "prefix '" + t.prefix + "' must be 2–4 capital letters",
                   "编号前缀 '" + t.prefix + "' 应为 2–4 个大写字母");
  }
  if (!root["label"]) return c.Error(root, "label is missing", "缺少 label");
  ASSIGN_OR_RETURN(t.label, ParseLabel(c, root["label"], "label"));

  const YAML::Node fields = root["fields"];
  if (fields && !fields.IsSequence()) return c.Error(fields, "fields must be a list", "fields 应为列表");
  for (const YAML::Node& f : fields) {
    ASSIGN_OR_RETURN(FieldSpec spec, ParseField(c, f));
    if (t.FindField(spec.name)) return c.Error(f, "field '" + spec.name + "' declared twice", "字段 '" + spec.name + "' 重复声明");
    t.fields.push_back(std::move(spec));
  }
  const YAML::Node states = root["states"];
  if (!states.IsSequence() || states.size() == 0) {
    return c.Error(states.IsDefined() ? states : root, "states must be a non-empty list", "states 应为非空列表");
  }
  std::map<std::string, YAML::Node> state_nodes;
  for (const YAML::Node& s : states) {
    ASSIGN_OR_RETURN(StateSpec spec, ParseState(c, s));
    if (t.FindState(spec.id)) return c.Error(s, "state '" + spec.id + "' declared twice", "状态 '" + spec.id + "' 重复声明");
    state_nodes[spec.id] = s;
    t.states.push_back(std::move(spec));
  }
  const YAML::Node transitions = root["transitions"];
  if (transitions && !transitions.IsSequence()) return c.Error(transitions, "transitions must be a list", "transitions 应为列表");
  std::vector<YAML::Node> tnodes;
  for (const YAML::Node& tn : transitions) {
    ASSIGN_OR_RETURN(TransitionSpec spec, ParseTransition(c, tn));
    if (t.FindTransition(spec.id)) return c.Error(tn, "transition '" + spec.id + "' declared twice", "流转 '" + spec.id + "' 重复声明");
    t.transitions.push_back(std::move(spec));
    tnodes.push_back(tn);
  }
  if (root["escalation_chain"]) {
    ASSIGN_OR_RETURN(std::vector<std::string> chain, StrList(c, root["escalation_chain"], "escalation_chain"));
    for (const std::string& tok : chain) {
      std::string level, dept;
      RETURN_IF_ERROR(ParseLevel(c, root["escalation_chain"], tok, &level, &dept, "escalation_chain"));
      t.escalation_chain.push_back(tok);
    }
  }
  if (root["confidential_readers"]) {
    ASSIGN_OR_RETURN(t.confidential_readers, StrList(c, root["confidential_readers"], "confidential_readers"));
    for (const std::string& d : t.confidential_readers) {
      if (!accounts::IsKnownDepartment(d)) {
        return c.Error(root["confidential_readers"], "confidential_readers: unknown department '" + d + "'",
                       "confidential_readers：未知股室 '" + d + "'");
      }
    }
  }
  if (root["openers"]) {
    ASSIGN_OR_RETURN(t.openers, ParseRoles(c, root["openers"], "openers"));
  }
  if (root["reopen_within_days"]) {
    ASSIGN_OR_RETURN(t.reopen_within_days, Int(c, root["reopen_within_days"], "reopen_within_days"));
    if (t.reopen_within_days < 0) return c.Error(root["reopen_within_days"], "reopen_within_days cannot be negative", "reopen_within_days 不能为负数");
  }
  if (root["category_field"]) {
    ASSIGN_OR_RETURN(t.category_field, Str(c, root["category_field"], "category_field"));
    const FieldSpec* f = t.FindField(t.category_field);
    if (!f || f->type != FieldType::kEnum) {
      return c.Error(root["category_field"], "category_field '" + t.category_field + "' is not a declared enum field",
                     "category_field '" + t.category_field + "' 不是已声明的枚举字段");
    }
  }
  if (root["frozen_change_state"]) {
    ASSIGN_OR_RETURN(t.frozen_change_state, Str(c, root["frozen_change_state"], "frozen_change_state"));
    if (!t.FindState(t.frozen_change_state)) {
      return c.Error(root["frozen_change_state"], "frozen_change_state: unknown state '" + t.frozen_change_state + "'",
                     "frozen_change_state：未知状态 '" + t.frozen_change_state + "'");
    }
  }
  if (const YAML::Node m = root["merge"]) {
    RETURN_IF_ERROR(CheckKeys(c, m, "merge", {"within_days", "threshold", "text_field"}));
    CaseType::MergeRule rule;
    if (m["within_days"]) {
      ASSIGN_OR_RETURN(rule.within_days, Int(c, m["within_days"], "merge.within_days"));
    }
    if (m["threshold"]) {
      try {
        rule.threshold = m["threshold"].as<double>();
      } catch (const std::exception&) {
        return c.Error(m["threshold"], "merge.threshold must be a number", "merge.threshold 应为数字");
      }
      if (rule.threshold <= 0 || rule.threshold > 1) return c.Error(m["threshold"], "merge.threshold must be in (0, 1]", "merge.threshold 应在 (0, 1] 之内");
    }
    if (m["text_field"]) {
      ASSIGN_OR_RETURN(rule.text_field, Str(c, m["text_field"], "merge.text_field"));
    }
    const FieldSpec* tf = t.FindField(rule.text_field);
    if (!tf || (tf->type != FieldType::kText && tf->type != FieldType::kLongText) || tf->confidential) {
      return c.Error(m, "merge.text_field '" + rule.text_field + "' is not a declared, non-confidential text field",
                     "merge.text_field '" + rule.text_field + "' 不是已声明的非保密文本字段");
    }
    if (!t.FindState("merged")) return c.Error(m, "merge needs a state 'merged'", "merge 需要一个 'merged' 状态");
    t.merge = rule;
  }
  if (const YAML::Node a = root["accountable"]) {
    RETURN_IF_ERROR(CheckKeys(c, a, "accountable", {"categories", "post"}));
    ASSIGN_OR_RETURN(t.accountable_categories, StrList(c, a["categories"], "accountable.categories"));
    ASSIGN_OR_RETURN(t.accountable_post, ReqStr(c, a, "post", "accountable"));
  }
  if (const YAML::Node fc = root["finding_categories"]) {
    if (!fc.IsMap()) return c.Error(fc, "finding_categories must map rule-id prefixes to categories", "finding_categories 应为 规则前缀: 类别");
    const FieldSpec* cat = t.category_field.empty() ? nullptr : t.FindField(t.category_field);
    for (const auto& kv : fc) {
      const std::string value = kv.second.as<std::string>("");
      const bool known = cat && std::any_of(cat->options.begin(), cat->options.end(),
                                            [&](const auto& o) { return o.first == value; });
      if (!known) {
        return c.Error(kv.second, "finding_categories: '" + value + "' is not an option of the category field",
                       "finding_categories：'" + value + "' 不是类别字段的选项");
      }
      t.finding_categories[kv.first.as<std::string>()] = value;
    }
  }

  if (const YAML::Node r = root["report"]) {
    RETURN_IF_ERROR(CheckKeys(c, r, "report",
                              {"rectification_working_days", "campaign_working_days",
                               "accountability_working_days", "rising"}));
    CaseType::ReportThresholds th;
    auto positive = [&](const YAML::Node& parent, const char* key, const std::string& what, int* out) -> Status {
      const YAML::Node n = parent[key];
      if (!n.IsDefined() || n.IsNull()) {
        return c.Error(parent, what + ": '" + key + "' is missing", what + "：缺少 '" + key + "'");
      }
      ASSIGN_OR_RETURN(*out, Int(c, n, what + "." + key));
      if (*out <= 0) return c.Error(n, what + "." + key + " must be positive", what + "." + key + " 应为正数");
      return OkStatus();
    };
    RETURN_IF_ERROR(positive(r, "rectification_working_days", "report", &th.rectification_working_days));
    RETURN_IF_ERROR(positive(r, "campaign_working_days", "report", &th.campaign_working_days));
    RETURN_IF_ERROR(positive(r, "accountability_working_days", "report", &th.accountability_working_days));
    const YAML::Node rising = r["rising"];
    if (!rising.IsDefined() || rising.IsNull()) {
      return c.Error(r, "report: 'rising' is missing", "report：缺少 'rising'");
    }
    RETURN_IF_ERROR(CheckKeys(c, rising, "report.rising", {"min_count", "min_ratio", "min_increase"}));
    RETURN_IF_ERROR(positive(rising, "min_count", "report.rising", &th.rising_min_count));
    RETURN_IF_ERROR(positive(rising, "min_increase", "report.rising", &th.rising_min_increase));
    const YAML::Node ratio = rising["min_ratio"];
    if (!ratio.IsDefined() || ratio.IsNull()) {
      return c.Error(rising, "report.rising: 'min_ratio' is missing", "report.rising：缺少 'min_ratio'");
    }
    try {
      th.rising_min_ratio = ratio.as<double>();
    } catch (const std::exception&) {
      return c.Error(ratio, "report.rising.min_ratio must be a number", "report.rising.min_ratio 应为数字");
    }
    if (!(th.rising_min_ratio >= 1)) {
      return c.Error(ratio, "report.rising.min_ratio must be at least 1", "report.rising.min_ratio 应不小于 1");
    }
    t.report = th;
  }

  // Cross-references.
  for (const FieldSpec& f : t.fields) {
    if (!f.frozen_from_state.empty() && !t.FindState(f.frozen_from_state)) {
      return c.Error(root["fields"], "field " + f.name + ": frozen_from names unknown state '" + f.frozen_from_state + "'",
                     "字段 " + f.name + "：frozen_from 指向未知状态 '" + f.frozen_from_state + "'");
    }
  }
  for (const StateSpec& s : t.states) {
    const YAML::Node sn = state_nodes[s.id];
    if (!s.assignee_org_field.empty()) {
      const FieldSpec* f = t.FindField(s.assignee_org_field);
      if (!f || f->type != FieldType::kOrg) {
        return c.Error(sn, "state " + s.id + ": assignee_org_field '" + s.assignee_org_field + "' is not a declared org field",
                       "状态 " + s.id + "：assignee_org_field '" + s.assignee_org_field + "' 不是已声明的 org 字段");
      }
    }
    if (s.time_limit) {
      const TimeLimit& tl = *s.time_limit;
      if (!tl.days_field.empty()) {
        const FieldSpec* f = t.FindField(tl.days_field);
        if (!f || f->type != FieldType::kInt) return c.Error(sn, "state " + s.id + ": days_field '" + tl.days_field + "' is not a declared int field", "状态 " + s.id + "：days_field '" + tl.days_field + "' 不是已声明的整数字段");
      }
      if (!tl.by_field.empty()) {
        const FieldSpec* f = t.FindField(tl.by_field);
        if (!f || f->type != FieldType::kEnum) return c.Error(sn, "state " + s.id + ": by.field '" + tl.by_field + "' is not a declared enum field", "状态 " + s.id + "：by.field '" + tl.by_field + "' 不是已声明的枚举字段");
        for (const auto& [v, _] : tl.by_value) {
          bool known = false;
          for (const auto& [k, l] : f->options) known = known || k == v;
          if (!known) return c.Error(sn, "state " + s.id + ": by.days names '" + v + "', not an option of " + tl.by_field, "状态 " + s.id + "：by.days 中的 '" + v + "' 不是 " + tl.by_field + " 的选项");
        }
      }
    }
  }
  for (size_t i = 0; i < t.transitions.size(); ++i) {
    const TransitionSpec& tr = t.transitions[i];
    const YAML::Node& tn = tnodes[i];
    for (const std::string& f : tr.from) {
      if (f != "*" && !t.FindState(f)) {
        return c.Error(tn["from"], "transition " + tr.id + ": from names unknown state '" + f + "'",
                       "流转 " + tr.id + "：from 指向未知状态 '" + f + "'");
      }
    }
    if (!tr.to.empty() && !t.FindState(tr.to)) {
      return c.Error(tn["to"], "transition " + tr.id + ": to names unknown state '" + tr.to + "'",
                     "流转 " + tr.id + "：to 指向未知状态 '" + tr.to + "'");
    }
    for (const std::string& f : tr.required_fields) {
      if (!t.FindField(f)) {
        return c.Error(tn["required_fields"], "transition " + tr.id + ": required field '" + f + "' is not declared",
                       "流转 " + tr.id + "：必填字段 '" + f + "' 未声明");
      }
    }
    for (const std::string& e : tr.effects) {
      bool ok = e == "sanction" || e == "close" || e == "extend" || e == "freeze";
      if (e.rfind("open_case:", 0) == 0) ok = true;  // the type is checked by the registry
      if (!ok) return c.Error(tn["effects"], "transition " + tr.id + ": unknown effect '" + e + "' (sanction, close, extend, freeze, open_case:<type>)", "流转 " + tr.id + "：未知效果 '" + e + "'");
      if (e == "extend" && !t.FindField("extend_days")) return c.Error(tn["effects"], "transition " + tr.id + ": effect extend needs an int field extend_days", "流转 " + tr.id + "：extend 效果需要整数字段 extend_days");
      if (e == "sanction" && (!t.FindField("measure") || !t.FindField("veto_year"))) return c.Error(tn["effects"], "transition " + tr.id + ": effect sanction needs fields measure and veto_year", "流转 " + tr.id + "：sanction 效果需要字段 measure 和 veto_year");
    }
  }
  // Every state must be reachable from the initial one.
  std::set<std::string> seen = {t.states[0].id};
  for (bool grew = true; grew;) {
    grew = false;
    for (const TransitionSpec& tr : t.transitions) {
      if (tr.to.empty() || seen.count(tr.to)) continue;
      const bool from_seen = std::any_of(tr.from.begin(), tr.from.end(), [&](const std::string& f) {
        if (f != "*") return seen.count(f) > 0;
        return std::any_of(seen.begin(), seen.end(),
                           [&](const std::string& s) { return !t.FindState(s)->terminal; });
      });
      if (from_seen) {
        seen.insert(tr.to);
        grew = true;
      }
    }
  }
  for (const StateSpec& s : t.states) {
    if (!seen.count(s.id)) {
      return c.Error(state_nodes[s.id], "state '" + s.id + "' cannot be reached from '" + t.states[0].id + "'",
                     "状态 '" + s.id + "' 无法从初始状态 '" + t.states[0].id + "' 到达");
    }
  }
  return t;
}

Status CheckRegistry(const std::vector<CaseType>& types, const std::vector<std::string>& names) {
  std::map<std::string, size_t> ids, prefixes;
  for (size_t i = 0; i < types.size(); ++i) {
    const CaseType& t = types[i];
    if (auto [it, fresh] = ids.emplace(t.id, i); !fresh) {
      return InvalidArgumentError(names[i] + ": case type id '" + t.id + "' also declared in " + names[it->second],
                                  names[i] + "：类型 id '" + t.id + "' 已在 " + names[it->second] + " 中声明")
          .WithField(names[i]);
    }
    if (auto [it, fresh] = prefixes.emplace(t.prefix, i); !fresh) {
      return InvalidArgumentError(names[i] + ": prefix '" + t.prefix + "' also used by " + names[it->second],
                                  names[i] + "：编号前缀 '" + t.prefix + "' 已被 " + names[it->second] + " 使用")
          .WithField(names[i]);
    }
  }
  for (size_t i = 0; i < types.size(); ++i) {
    for (const TransitionSpec& tr : types[i].transitions) {
      for (const std::string& e : tr.effects) {
        if (e.rfind("open_case:", 0) == 0 && !ids.count(e.substr(10))) {
          return InvalidArgumentError(names[i] + ": transition " + tr.id + ": effect names unknown case type '" + e.substr(10) + "'",
                                      names[i] + "：流转 " + tr.id + "：效果指向未知类型 '" + e.substr(10) + "'")
              .WithField(names[i]);
        }
      }
    }
  }
  return OkStatus();
}

StatusOr<CaseType> ParseText(std::string_view text, std::string_view name) {
  Ctx c(name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return YamlError(name, e);
  }
  try {
    return ParseType(c, root);
  } catch (const YAML::Exception& e) {
    return YamlError(name, e);
  }
}

}  // namespace

const StateSpec* CaseType::FindState(std::string_view id) const {
  for (const StateSpec& s : states) {
    if (s.id == id) return &s;
  }
  return nullptr;
}
const TransitionSpec* CaseType::FindTransition(std::string_view id) const {
  for (const TransitionSpec& t : transitions) {
    if (t.id == id) return &t;
  }
  return nullptr;
}
const FieldSpec* CaseType::FindField(std::string_view name) const {
  for (const FieldSpec& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

StatusOr<CaseTypeRegistry> CaseTypeRegistry::FromYaml(std::string_view text, std::string_view name) {
  ASSIGN_OR_RETURN(CaseType t, ParseText(text, name));
  CaseTypeRegistry r;
  r.types_.push_back(std::move(t));
  RETURN_IF_ERROR(CheckRegistry(r.types_, {std::string(name)}));
  return r;
}

StatusOr<CaseTypeRegistry> CaseTypeRegistry::LoadDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFoundError("case type directory " + dir + " does not exist",
                         "案件类型目录 " + dir + " 不存在");
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  CaseTypeRegistry r;
  std::vector<std::string> names;
  for (const fs::path& p : files) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) return NotFoundError("cannot read " + p.string(), "无法读取 " + p.string());
    ASSIGN_OR_RETURN(CaseType t, ParseText(ss.str(), p.string()));
    r.types_.push_back(std::move(t));
    names.push_back(p.string());
  }
  if (r.types_.empty()) {
    return NotFoundError("no case types (*.yaml) in " + dir, dir + " 中没有案件类型（*.yaml）");
  }
  RETURN_IF_ERROR(CheckRegistry(r.types_, names));
  return r;
}

const CaseType* CaseTypeRegistry::Find(std::string_view id) const {
  for (const CaseType& t : types_) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

}  // namespace edugov::cases
