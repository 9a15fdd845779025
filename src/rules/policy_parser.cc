#include "rules/policy_parser.h"

#include <yaml-cpp/yaml.h>

#include "common/yaml_error.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "common/date.h"

namespace edugov::rules {
namespace {

using datasets::MarkOf;
using datasets::YamlError;

// The timetable norms' parameters the timetable checker reads
// (http/timetable_findings.cc maps them onto timetable::PlanNorms). A name
// outside this list is an error: a misspelt norm would otherwise be
// silently replaced by the work plan's default.
struct NormParam {
  const char* name;
  bool clock;  // "HH:MM" → minutes after midnight; else a whole number
  int min;
  int max;
};
constexpr NormParam kTimetableNormParams[] = {
    {"first_lesson_not_before_primary", true, 0, 24 * 60 - 1},
    {"first_lesson_not_before_junior", true, 0, 24 * 60 - 1},
    {"min_break_minutes", false, 0, 240},
    {"min_noon_rest_minutes", false, 0, 600},
    {"min_pe_lessons_grades_1_2", false, 0, 30},
    {"min_pe_lessons_grades_3_6", false, 0, 30},
    {"min_pe_lessons_junior", false, 0, 30},
    {"min_pe_lessons_senior", false, 0, 30},
    {"eye_exercises_per_day", false, 0, 10},
    {"long_breaks_per_day", false, 0, 10},
};
// The timetable checks a norm may name under rules: (timetable::NormCheckId;
// the rules module does not link the timetable one).
constexpr const char* kTimetableChecks[] = {"tt.first_lesson",     "tt.breaks",        "tt.noon_rest",
                                            "tt.reserved_periods", "tt.eye_exercises", "tt.long_break",
                                            "tt.pe_weekly",        "tt.curriculum"};

class Parser {
 public:
  explicit Parser(std::string_view file) : file_(file) {}

  StatusOr<ast::Pack> Pack(const YAML::Node& root) {
    if (!root.IsMap()) return Err(root, "a policy pack must be a mapping", "策略包必须是映射");
    RETURN_IF_ERROR(Keys(root, {"pack", "title_zh", "semesters", "school_closures", "calendar", "datasets", "rules",
                                "targets", "timetable_norms"}));
    ast::Pack p;
    p.file = file_;
    if (root["pack"]) { ASSIGN_OR_RETURN(p.name, Text(root["pack"], "pack")); }
    if (root["title_zh"]) { ASSIGN_OR_RETURN(p.title_zh, Text(root["title_zh"], "title_zh")); }
    ASSIGN_OR_RETURN(p.datasets, datasets::ParseDatasets(root["datasets"], file_));
    if (YAML::Node s = root["semesters"]) {
      // Two forms: a list (the declared semesters only), or a mapping
      // {declared: [...], provisional: hunan | none} (docs/policy-format.md,
      // "Semesters").
      if (s.IsMap()) {
        RETURN_IF_ERROR(Keys(s, {"declared", "provisional"}));
        ASSIGN_OR_RETURN(p.provisional_semesters, Opt(s, "provisional"));
        if (!s["declared"]) return Err(s, "semesters: missing key 'declared'", "semesters：缺少键 'declared'");
        s = s["declared"];
      }
      RETURN_IF_ERROR(List(s, "semesters"));
      for (const auto& n : s) {
        RETURN_IF_ERROR(Map(n, "a semester"));
        RETURN_IF_ERROR(Keys(n, {"name", "from", "to"}));
        ast::Semester sem;
        sem.mark = MarkOf(n);
        ASSIGN_OR_RETURN(sem.name, Req(n, "name"));
        ASSIGN_OR_RETURN(sem.from, Req(n, "from"));
        ASSIGN_OR_RETURN(sem.to, Req(n, "to"));
        p.semesters.push_back(std::move(sem));
      }
    }
    if (const YAML::Node& sc = root["school_closures"]) {
      ASSIGN_OR_RETURN(p.school_closures, Unless(sc, "school_closures"));
    }
    ASSIGN_OR_RETURN(p.calendar_path, Opt(root, "calendar"));
    if (const YAML::Node& rs = root["rules"]) {
      RETURN_IF_ERROR(List(rs, "rules"));
      for (const auto& n : rs) {
        ASSIGN_OR_RETURN(ast::Rule r, Rule(n));
        p.rules.push_back(std::move(r));
      }
    }
    if (const YAML::Node& ts = root["targets"]) {
      RETURN_IF_ERROR(List(ts, "targets"));
      for (const auto& n : ts) {
        ASSIGN_OR_RETURN(ast::Target t, Target(n));
        p.targets.push_back(std::move(t));
      }
    }
    if (const YAML::Node& ns = root["timetable_norms"]) {
      RETURN_IF_ERROR(List(ns, "timetable_norms"));
      std::set<std::string> seen, checks;
      for (const auto& n : ns) {
        ASSIGN_OR_RETURN(ast::TimetableNorm t, TimetableNorm(n, seen, checks));
        p.timetable_norms.push_back(std::move(t));
      }
    }
    return p;
  }

 private:
  Status Err(const YAML::Node& n, std::string en, std::string zh) {
    return YamlError(n, file_, std::move(en), std::move(zh));
  }
  Status Map(const YAML::Node& n, std::string_view what) {
    if (n.IsMap()) return OkStatus();
    return Err(n, std::string(what) + " must be a mapping", std::string(what) + " 必须是映射");
  }
  Status List(const YAML::Node& n, std::string_view what) {
    if (n.IsSequence()) return OkStatus();
    return Err(n, std::string(what) + " must be a list", std::string(what) + " 必须是列表");
  }
  Status Keys(const YAML::Node& n, std::initializer_list<std::string_view> allowed) {
    for (const auto& kv : n) {
      std::string k = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        return Err(kv.first, "unknown key '" + k + "'", "未知的键 '" + k + "'");
      }
    }
    return OkStatus();
  }
  StatusOr<std::string> Text(const YAML::Node& n, std::string_view what) {
    if (!n.IsScalar()) {
      return Err(n, std::string(what) + " must be a scalar", std::string(what) + " 必须是标量值");
    }
    return n.Scalar();
  }
  StatusOr<ast::Scalar> Sc(const YAML::Node& n, std::string_view what) {
    ASSIGN_OR_RETURN(std::string t, Text(n, what));
    return ast::Scalar{std::move(t), MarkOf(n)};
  }
  StatusOr<ast::Scalar> Req(const YAML::Node& parent, const char* key) {
    const YAML::Node& n = parent[key];
    if (!n) {
      return Err(parent, std::string("missing key '") + key + "'", std::string("缺少键 '") + key + "'");
    }
    return Sc(n, key);
  }
  StatusOr<std::optional<ast::Scalar>> Opt(const YAML::Node& parent, const char* key) {
    const YAML::Node& n = parent[key];
    if (!n) return std::optional<ast::Scalar>();
    ASSIGN_OR_RETURN(ast::Scalar s, Sc(n, key));
    return std::optional<ast::Scalar>(std::move(s));
  }
  // A scalar or a list of scalars.
  StatusOr<std::vector<ast::Scalar>> Scalars(const YAML::Node& n, std::string_view what) {
    std::vector<ast::Scalar> out;
    if (!n) return out;
    if (n.IsScalar()) {
      out.push_back({n.Scalar(), MarkOf(n)});
      return out;
    }
    RETURN_IF_ERROR(List(n, what));
    for (const auto& e : n) {
      ASSIGN_OR_RETURN(ast::Scalar s, Sc(e, what));
      out.push_back(std::move(s));
    }
    return out;
  }

  StatusOr<std::vector<ast::Condition>> Conditions(const YAML::Node& n, std::string_view what) {
    std::vector<ast::Condition> out;
    if (!n) return out;
    RETURN_IF_ERROR(List(n, what));
    for (const auto& c : n) {
      RETURN_IF_ERROR(Map(c, "a condition"));
      RETURN_IF_ERROR(Keys(c, {"column", "op", "value"}));
      ast::Condition cond;
      cond.mark = MarkOf(c);
      ASSIGN_OR_RETURN(cond.column, Req(c, "column"));
      ASSIGN_OR_RETURN(cond.op, Req(c, "op"));
      ASSIGN_OR_RETURN(cond.values, Scalars(c["value"], "value"));
      out.push_back(std::move(cond));
    }
    return out;
  }

  StatusOr<ast::Scope> Scope(const YAML::Node& n) {
    ast::Scope s;
    if (!n) return s;
    RETURN_IF_ERROR(Map(n, "scope"));
    RETURN_IF_ERROR(Keys(n, {"stages", "grades", "flags", "orgs"}));
    s.mark = MarkOf(n);
    ASSIGN_OR_RETURN(s.stages, Scalars(n["stages"], "stages"));
    ASSIGN_OR_RETURN(s.grades, Scalars(n["grades"], "grades"));
    ASSIGN_OR_RETURN(s.flags, Scalars(n["flags"], "flags"));
    ASSIGN_OR_RETURN(s.orgs, Scalars(n["orgs"], "orgs"));
    return s;
  }

  // The check vocabulary; `compare_key` is "compare" for rules, "target" for targets.
  StatusOr<ast::Check> Check(const YAML::Node& n, const YAML::Node& compare, std::string_view what) {
    RETURN_IF_ERROR(Map(n, what));
    ast::Check c;
    c.mark = MarkOf(n);
    ASSIGN_OR_RETURN(c.source, Req(n, "source"));
    ASSIGN_OR_RETURN(c.where, Conditions(n["where"], "where"));
    const YAML::Node& g = n["group"];
    if (!g) return Err(n, "missing key 'group'", "缺少键 'group'");
    RETURN_IF_ERROR(Map(g, "group"));
    RETURN_IF_ERROR(Keys(g, {"entity", "period", "consecutive"}));
    ASSIGN_OR_RETURN(c.group_entity, Req(g, "entity"));
    ASSIGN_OR_RETURN(c.group_period, Opt(g, "period"));
    ASSIGN_OR_RETURN(c.consecutive, Opt(g, "consecutive"));
    ASSIGN_OR_RETURN(c.aggregate, Req(n, "aggregate"));
    ASSIGN_OR_RETURN(c.column, Opt(n, "column"));
    ASSIGN_OR_RETURN(c.share_where, Conditions(n["share_where"], "share_where"));
    if (const YAML::Node& d = n["divide_by"]) {
      ASSIGN_OR_RETURN(ast::Operand op, Operand(d, "divide_by", /*nested=*/false));
      c.divide_by = std::move(op);
    }
    if (!compare) return Err(n, "missing the comparison", "缺少比较");
    RETURN_IF_ERROR(Map(compare, "compare"));
    RETURN_IF_ERROR(Keys(compare, {"op", "parameter", "value", "against"}));
    ASSIGN_OR_RETURN(c.compare_op, Req(compare, "op"));
    ASSIGN_OR_RETURN(c.compare_parameter, Opt(compare, "parameter"));
    ASSIGN_OR_RETURN(c.compare_value, Opt(compare, "value"));
    if (const YAML::Node& a = compare["against"]) {
      if (a.IsScalar()) {
        if (a.Scalar() != "previous_period") {
          return Err(a, "against must be previous_period or an aggregate mapping",
                     "against 必须是 previous_period 或一个聚合映射");
        }
        c.against_previous = true;
      } else {
        ASSIGN_OR_RETURN(ast::Operand op, Operand(a, "against", /*nested=*/true));
        c.against = std::move(op);
        if (const YAML::Node& d = a["divide_by"]) {
          ASSIGN_OR_RETURN(ast::Operand dop, Operand(d, "divide_by", /*nested=*/false));
          c.against_divide_by = std::move(dop);
        }
      }
      // With against, value/parameter is an optional factor (default 1).
      if (c.compare_parameter.has_value() && c.compare_value.has_value()) {
        return Err(compare, "compare takes at most one of parameter and value",
                   "compare 最多只能有 parameter 或 value 之一");
      }
    } else if (c.compare_parameter.has_value() == c.compare_value.has_value()) {
      return Err(compare, "compare needs exactly one of parameter and value",
                 "compare 需要且只需要 parameter 或 value 之一");
    }
    return c;
  }

  // {aggregate, column, where, share_where} (+ divide_by when nested).
  StatusOr<ast::Operand> Operand(const YAML::Node& n, std::string_view what, bool nested) {
    RETURN_IF_ERROR(Map(n, what));
    if (nested) {
      RETURN_IF_ERROR(Keys(n, {"aggregate", "column", "where", "share_where", "divide_by"}));
    } else {
      RETURN_IF_ERROR(Keys(n, {"aggregate", "column", "where", "share_where"}));
    }
    ast::Operand o;
    o.mark = MarkOf(n);
    ASSIGN_OR_RETURN(o.aggregate, Req(n, "aggregate"));
    ASSIGN_OR_RETURN(o.column, Opt(n, "column"));
    o.has_where = static_cast<bool>(n["where"]);
    ASSIGN_OR_RETURN(o.where, Conditions(n["where"], "where"));
    ASSIGN_OR_RETURN(o.share_where, Conditions(n["share_where"], "share_where"));
    return o;
  }

  // {dataset, where?, until?}: a rule's unless clause, or the pack's school_closures.
  StatusOr<ast::Unless> Unless(const YAML::Node& un, std::string_view what) {
    RETURN_IF_ERROR(Map(un, what));
    RETURN_IF_ERROR(Keys(un, {"dataset", "where", "until"}));
    ast::Unless u;
    u.mark = MarkOf(un);
    ASSIGN_OR_RETURN(u.dataset, Req(un, "dataset"));
    ASSIGN_OR_RETURN(u.where, Conditions(un["where"], "where"));
    ASSIGN_OR_RETURN(u.until, Opt(un, "until"));
    return u;
  }

  StatusOr<ast::Rule> Rule(const YAML::Node& n) {
    RETURN_IF_ERROR(Map(n, "a rule"));
    RETURN_IF_ERROR(Keys(n, {"id", "clause", "source_zh", "title_zh", "severity", "scope",
                             "parameters", "check", "unless", "case", "days"}));
    ast::Rule r;
    r.mark = MarkOf(n);
    ASSIGN_OR_RETURN(r.id, Req(n, "id"));
    ASSIGN_OR_RETURN(r.clause, Req(n, "clause"));
    ASSIGN_OR_RETURN(ast::Scalar src, Req(n, "source_zh"));
    r.source_zh = src.text;
    if (n["title_zh"]) { ASSIGN_OR_RETURN(r.title_zh, Text(n["title_zh"], "title_zh")); }
    if (n["severity"]) {
      ASSIGN_OR_RETURN(r.severity, Sc(n["severity"], "severity"));
    } else {
      r.severity = {"major", r.mark};
    }
    ASSIGN_OR_RETURN(r.scope, Scope(n["scope"]));
    if (const YAML::Node& ps = n["parameters"]) {
      RETURN_IF_ERROR(List(ps, "parameters"));
      for (const auto& pn : ps) {
        RETURN_IF_ERROR(Map(pn, "a parameter"));
        RETURN_IF_ERROR(Keys(pn, {"name", "label_zh", "values", "value"}));
        ast::Parameter p;
        p.mark = MarkOf(pn);
        ASSIGN_OR_RETURN(p.name, Req(pn, "name"));
        if (pn["label_zh"]) { ASSIGN_OR_RETURN(p.label_zh, Text(pn["label_zh"], "label_zh")); }
        if (pn["value"]) {
          ast::DatedValue v;
          v.mark = MarkOf(pn["value"]);
          ASSIGN_OR_RETURN(v.value, Sc(pn["value"], "value"));
          p.values.push_back(std::move(v));
        }
        if (const YAML::Node& vs = pn["values"]) {
          RETURN_IF_ERROR(List(vs, "values"));
          for (const auto& vn : vs) {
            RETURN_IF_ERROR(Map(vn, "a dated value"));
            RETURN_IF_ERROR(Keys(vn, {"value", "valid_from", "valid_to"}));
            ast::DatedValue v;
            v.mark = MarkOf(vn);
            ASSIGN_OR_RETURN(v.value, Req(vn, "value"));
            ASSIGN_OR_RETURN(v.valid_from, Opt(vn, "valid_from"));
            ASSIGN_OR_RETURN(v.valid_to, Opt(vn, "valid_to"));
            p.values.push_back(std::move(v));
          }
        }
        if (p.values.empty()) {
          return Err(pn, "parameter '" + p.name.text + "' needs value or values",
                     "参数 '" + p.name.text + "' 需要 value 或 values");
        }
        r.parameters.push_back(std::move(p));
      }
    }
    if (!n["check"]) return Err(n, "missing key 'check'", "缺少键 'check'");
    RETURN_IF_ERROR(Map(n["check"], "check"));
    RETURN_IF_ERROR(Keys(n["check"], {"source", "where", "group", "aggregate", "column",
                                      "share_where", "divide_by", "compare"}));
    ASSIGN_OR_RETURN(r.check, Check(n["check"], n["check"]["compare"], "check"));
    if (const YAML::Node& us = n["unless"]) {
      RETURN_IF_ERROR(List(us, "unless"));
      for (const auto& un : us) {
        ASSIGN_OR_RETURN(ast::Unless u, Unless(un, "an unless clause"));
        r.unless.push_back(std::move(u));
      }
    }
    ASSIGN_OR_RETURN(r.days, Opt(n, "days"));
    if (const YAML::Node& cn = n["case"]) {
      RETURN_IF_ERROR(Map(cn, "case"));
      RETURN_IF_ERROR(Keys(cn, {"assignee", "due_working_days"}));
      ast::CaseSpec cs;
      cs.mark = MarkOf(cn);
      ASSIGN_OR_RETURN(cs.assignee, Req(cn, "assignee"));
      ASSIGN_OR_RETURN(cs.due_working_days, Req(cn, "due_working_days"));
      r.case_spec = std::move(cs);
    }
    return r;
  }

  // One timetable norm: {id, clause, source_zh, title_zh?, rules?: [check
  // rule id], parameters?: [{name, label_zh?, value | values: [{value,
  // valid_from?, valid_to?}]}]}, at least one of rules and parameters.
  // `seen` and `checks` hold the parameter names and rule ids of the norms
  // before it.
  StatusOr<ast::TimetableNorm> TimetableNorm(const YAML::Node& n, std::set<std::string>& seen,
                                             std::set<std::string>& checks) {
    RETURN_IF_ERROR(Map(n, "a timetable norm"));
    RETURN_IF_ERROR(Keys(n, {"id", "clause", "source_zh", "title_zh", "rules", "parameters"}));
    ast::TimetableNorm t;
    t.mark = MarkOf(n);
    ASSIGN_OR_RETURN(t.id, Req(n, "id"));
    ASSIGN_OR_RETURN(t.clause, Req(n, "clause"));
    ASSIGN_OR_RETURN(ast::Scalar src, Req(n, "source_zh"));
    t.source_zh = src.text;
    if (t.source_zh.empty()) {
      return Err(n["source_zh"], "timetable norm '" + t.id.text + "': source_zh must quote the plan's sentence",
                 "课表规范 '" + t.id.text + "'：source_zh 须引用工作要点原文");
    }
    if (n["title_zh"]) { ASSIGN_OR_RETURN(t.title_zh, Text(n["title_zh"], "title_zh")); }
    if (const YAML::Node& rs = n["rules"]) {
      RETURN_IF_ERROR(List(rs, "rules"));
      for (const auto& rn : rs) {
        ast::Scalar r{.text = "", .mark = MarkOf(rn)};
        ASSIGN_OR_RETURN(r.text, Text(rn, "rules"));
        const bool known = std::any_of(std::begin(kTimetableChecks), std::end(kTimetableChecks),
                                       [&](const char* c) { return r.text == c; });
        if (!known) {
          std::string names;
          for (const char* c : kTimetableChecks) names += std::string(names.empty() ? "" : ", ") + c;
          return Err(rn, "unknown timetable check '" + r.text + "' (known: " + names + ")",
                     "未知的课表检查 '" + r.text + "'（可用：" + names + "）");
        }
        if (!checks.insert(r.text).second) {
          return Err(rn, "timetable check '" + r.text + "' is named by two norms",
                     "课表检查 '" + r.text + "' 被两条规范重复声明");
        }
        t.rules.push_back(std::move(r));
      }
    }
    const YAML::Node& ps = n["parameters"];
    if (ps) RETURN_IF_ERROR(List(ps, "parameters"));
    if ((!ps || ps.size() == 0) && t.rules.empty()) {
      return Err(n, "timetable norm '" + t.id.text + "' names no rules and no parameters",
                 "课表规范 '" + t.id.text + "' 既无 rules 也无参数");
    }
    for (const auto& pn : ps) {
      RETURN_IF_ERROR(Map(pn, "a parameter"));
      RETURN_IF_ERROR(Keys(pn, {"name", "label_zh", "values", "value"}));
      ast::TimetableNormParameter p;
      p.mark = MarkOf(pn);
      ASSIGN_OR_RETURN(p.name, Req(pn, "name"));
      const NormParam* known = nullptr;
      for (const NormParam& k : kTimetableNormParams)
        if (p.name.text == k.name) known = &k;
      if (known == nullptr) {
        std::string names;
        for (const NormParam& k : kTimetableNormParams) names += std::string(names.empty() ? "" : ", ") + k.name;
        return Err(pn["name"], "unknown timetable norm parameter '" + p.name.text + "' (known: " + names + ")",
                   "未知的课表规范参数 '" + p.name.text + "'（可用：" + names + "）");
      }
      if (!seen.insert(p.name.text).second) {
        return Err(pn["name"], "timetable norm parameter '" + p.name.text + "' appears twice",
                   "课表规范参数 '" + p.name.text + "' 重复出现");
      }
      if (pn["label_zh"]) { ASSIGN_OR_RETURN(p.label_zh, Text(pn["label_zh"], "label_zh")); }
      if (pn["value"] && pn["values"]) {
        return Err(pn, "parameter '" + p.name.text + "' takes value or values, not both",
                   "参数 '" + p.name.text + "' 只能有 value 或 values 之一");
      }
      std::vector<std::pair<ast::TimetableNormValue, YAML::Node>> vs;
      if (const YAML::Node& v = pn["value"]) {
        ASSIGN_OR_RETURN(double x, NormNumber(v, *known));
        vs.push_back({{x, ast::TimetableNormValue{}.valid_from, ast::TimetableNormValue{}.valid_to, MarkOf(v)}, v});
      }
      if (const YAML::Node& vl = pn["values"]) {
        RETURN_IF_ERROR(List(vl, "values"));
        for (const auto& vn : vl) {
          RETURN_IF_ERROR(Map(vn, "a dated value"));
          RETURN_IF_ERROR(Keys(vn, {"value", "valid_from", "valid_to"}));
          if (!vn["value"]) return Err(vn, "missing key 'value'", "缺少键 'value'");
          ast::TimetableNormValue d;
          d.mark = MarkOf(vn);
          ASSIGN_OR_RETURN(d.value, NormNumber(vn["value"], *known));
          if (vn["valid_from"]) { ASSIGN_OR_RETURN(d.valid_from, Day(vn["valid_from"], "valid_from")); }
          if (vn["valid_to"]) { ASSIGN_OR_RETURN(d.valid_to, Day(vn["valid_to"], "valid_to")); }
          if (d.valid_to < d.valid_from) {
            return Err(vn, "valid_to is before valid_from", "valid_to 早于 valid_from");
          }
          vs.push_back({d, vn});
        }
      }
      if (vs.empty()) {
        return Err(pn, "parameter '" + p.name.text + "' needs value or values",
                   "参数 '" + p.name.text + "' 需要 value 或 values");
      }
      std::stable_sort(vs.begin(), vs.end(),
                       [](const auto& a, const auto& b) { return a.first.valid_from < b.first.valid_from; });
      for (size_t i = 1; i < vs.size(); ++i) {
        if (vs[i].first.valid_from <= vs[i - 1].first.valid_to) {
          return Err(vs[i].second, "parameter '" + p.name.text + "': validity dates overlap those of another value",
                     "参数 '" + p.name.text + "'：有效期与另一取值重叠");
        }
      }
      for (auto& v : vs) p.values.push_back(v.first);
      t.parameters.push_back(std::move(p));
    }
    return t;
  }

  // A norm's value: "HH:MM" for a clock parameter, else a whole number,
  // within the parameter's range.
  StatusOr<double> NormNumber(const YAML::Node& n, const NormParam& k) {
    ASSIGN_OR_RETURN(std::string text, Text(n, "value"));
    if (k.clock) {
      std::optional<int> m = datasets::ParseTimeOfDay(text);
      if (!m) {
        return Err(n, std::string(k.name) + " must be a clock time HH:MM, not '" + text + "'",
                   std::string(k.name) + " 必须是 HH:MM 格式的时刻，而不是 '" + text + "'");
      }
      return static_cast<double>(*m);
    }
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(v) || v != std::floor(v) || v < k.min || v > k.max) {
      return Err(n,
                 std::string(k.name) + " must be a whole number from " + std::to_string(k.min) + " to " +
                     std::to_string(k.max) + ", not '" + text + "'",
                 std::string(k.name) + " 必须是 " + std::to_string(k.min) + " 到 " + std::to_string(k.max) +
                     " 之间的整数，而不是 '" + text + "'");
    }
    return v;
  }

  StatusOr<int32_t> Day(const YAML::Node& n, std::string_view what) {
    ASSIGN_OR_RETURN(std::string text, Text(n, what));
    auto d = Date::Parse(text);
    if (!d.ok()) {
      return Err(n, std::string(what) + " must be a date YYYY-MM-DD, not '" + text + "'",
                 std::string(what) + " 必须是 YYYY-MM-DD 格式的日期，而不是 '" + text + "'");
    }
    return d->DaysSinceEpoch();
  }

  StatusOr<ast::Target> Target(const YAML::Node& n) {
    RETURN_IF_ERROR(Map(n, "a target"));
    RETURN_IF_ERROR(Keys(n, {"id", "clause", "source_zh", "title_zh", "scope", "indicator", "target",
                             "deadline", "baseline"}));
    ast::Target t;
    t.mark = MarkOf(n);
    ASSIGN_OR_RETURN(t.id, Req(n, "id"));
    ASSIGN_OR_RETURN(t.clause, Req(n, "clause"));
    ASSIGN_OR_RETURN(ast::Scalar src, Req(n, "source_zh"));
    t.source_zh = src.text;
    if (n["title_zh"]) { ASSIGN_OR_RETURN(t.title_zh, Text(n["title_zh"], "title_zh")); }
    ASSIGN_OR_RETURN(t.scope, Scope(n["scope"]));
    if (!n["indicator"]) return Err(n, "missing key 'indicator'", "缺少键 'indicator'");
    if (n["indicator"].IsMap() && n["indicator"]["open_cases"]) {
      // A count of open cases (docs/policy-format.md, "Targets"): no source to aggregate.
      const YAML::Node& ind = n["indicator"];
      RETURN_IF_ERROR(Keys(ind, {"open_cases"}));
      ASSIGN_OR_RETURN(t.open_cases, Req(ind, "open_cases"));
      t.indicator.mark = MarkOf(ind);
      const YAML::Node& cmp = n["target"];
      if (!cmp) return Err(n, "missing key 'target'", "缺少键 'target'");
      RETURN_IF_ERROR(Map(cmp, "target"));
      RETURN_IF_ERROR(Keys(cmp, {"op", "value"}));
      ASSIGN_OR_RETURN(t.indicator.compare_op, Req(cmp, "op"));
      ASSIGN_OR_RETURN(t.indicator.compare_value, Req(cmp, "value"));
    } else {
      RETURN_IF_ERROR(Keys(n["indicator"], {"source", "where", "group", "aggregate", "column", "share_where",
                                            "divide_by"}));
      ASSIGN_OR_RETURN(t.indicator, Check(n["indicator"], n["target"], "indicator"));
    }
    ASSIGN_OR_RETURN(t.deadline, Req(n, "deadline"));
    if (const YAML::Node& b = n["baseline"]) {
      RETURN_IF_ERROR(Map(b, "baseline"));
      RETURN_IF_ERROR(Keys(b, {"date", "value"}));
      ASSIGN_OR_RETURN(t.baseline_date, Req(b, "date"));
      ASSIGN_OR_RETURN(t.baseline_value, Req(b, "value"));
    }
    return t;
  }

  std::string file_;
};

}  // namespace

// Bounds on what a pack's text can make the parser do (issue 15). yaml-cpp
// shares an aliased node rather than copying it, so a billion-laughs
// document loads small — but every walk of the tree expands it. So the
// tree is walked once here, counting nodes as expanded, before any real
// walk. (Nesting past 2000 is refused by yaml-cpp's own depth guard.)
constexpr size_t kMaxPolicyBytes = size_t{16} << 20;  // the Anhua pack: 53 KB
constexpr size_t kMaxPolicyNodes = 1'000'000;         // the Anhua pack: ~10 k
constexpr int kMaxPolicyDepth = 64;                   // the Anhua pack: < 10

Status CheckYamlBounds(const YAML::Node& root, std::string_view file) {
  std::vector<std::pair<YAML::Node, int>> stack;
  stack.emplace_back(root, 1);
  size_t nodes = 0;
  while (!stack.empty()) {
    const std::pair<YAML::Node, int> top = std::move(stack.back());
    stack.pop_back();
    const bool too_many = ++nodes > kMaxPolicyNodes;
    if (too_many || top.second > kMaxPolicyDepth) {
      const YAML::Mark m = top.first.Mark();
      const std::string where = std::string(file) + ":" + std::to_string(m.line + 1) + ":" +
                                std::to_string(m.column + 1);
      const std::string limit = too_many ? "max_yaml_nodes = " + std::to_string(kMaxPolicyNodes)
                                         : "max_yaml_depth = " + std::to_string(kMaxPolicyDepth);
      return Status(StatusCode::kInvalidArgument,
                    where + ": the YAML " +
                        (too_many ? "expands (aliases included) to too many nodes"
                                  : "is nested too deeply") + " (limit " + limit + ")",
                    where + "：YAML " + (too_many ? "展开（含别名）后节点过多" : "嵌套层次过深") +
                        "（上限 " + limit + "）",
                    where);
    }
    if (top.first.IsMap()) {
      for (const auto& kv : top.first) {
        stack.emplace_back(kv.first, top.second + 1);
        stack.emplace_back(kv.second, top.second + 1);
      }
    } else if (top.first.IsSequence()) {
      for (const auto& child : top.first) stack.emplace_back(child, top.second + 1);
    }
  }
  return OkStatus();
}

StatusOr<ast::Pack> ParsePolicy(std::string_view yaml_text, std::string_view file) {
  if (yaml_text.size() > kMaxPolicyBytes) {
    const std::string where = std::string(file);
    const std::string limit = "max_yaml_bytes = " + std::to_string(kMaxPolicyBytes);
    return Status(StatusCode::kInvalidArgument, where + ": the policy file is too large (limit " + limit + ")",
                  where + "：策略文件过大（上限 " + limit + "）", where);
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return ::edugov::YamlError(file, e);
  }
  RETURN_IF_ERROR(CheckYamlBounds(root, file));
  return Parser(file).Pack(root);
}

StatusOr<ast::Pack> ParsePolicyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError("cannot read policy file " + path, "无法读取策略文件 " + path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  ASSIGN_OR_RETURN(ast::Pack pack, ParsePolicy(ss.str(), path));
  // School days need the China working calendar; it is data beside the pack
  // (policy/calendar/), read once here so the binder stays free of files.
  const ast::Scalar* school_rule = nullptr;
  for (const auto& r : pack.rules) {
    if (r.days && r.days->text == "school" && !school_rule) school_rule = &*r.days;
  }
  if (school_rule) {
    // `calendar:` relative to the pack; else calendar/ beside it (policy/);
    // else policy/calendar under the working directory, the default of every
    // command (a pack copied elsewhere to be edited still finds it).
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    std::filesystem::path cal = dir / (pack.calendar_path ? pack.calendar_path->text : "calendar");
    std::error_code ec;
    if (!pack.calendar_path && !std::filesystem::exists(cal, ec) && std::filesystem::exists("policy/calendar", ec)) {
      cal = "policy/calendar";
    }
    StatusOr<calendar::WorkingCalendar> loaded = calendar::WorkingCalendar::Load(cal.string());
    if (!loaded.ok()) {
      const datasets::SourceMark& m = pack.calendar_path ? pack.calendar_path->mark : school_rule->mark;
      const std::string w = path + ":" + std::to_string(m.line) + ":" + std::to_string(m.column);
      return Status(StatusCode::kInvalidArgument,
                    w + ": days: school needs the China working calendar " + cal.string() + ": " +
                        loaded.status().message_en(),
                    w + "：days: school 需要工作日历 " + cal.string() + "：" + loaded.status().message_zh(), w);
    }
    pack.calendar = std::make_shared<const calendar::WorkingCalendar>(std::move(*loaded));
  }
  return pack;
}

}  // namespace edugov::rules
