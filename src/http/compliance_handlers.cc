// /api/v1/targets, /what-if, /findings/trend and /findings/{id}
// (compliance_handlers.h lists them). Thin: the compliance service measures
// targets and what-ifs and assembles a finding's page
// (compliance/finding_page.h), each scoped by the caller's org subtree;
// these functions only turn the answers into JSON.
#include "http/compliance_handlers.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cases/engine.h"
#include "datasets/columnar.h"
#include "datasets/store.h"
#include "registry/registry.h"
#include "rules/evaluator.h"
#include "rules/findings_store.h"
#include "compliance/finding_page.h"
#include "compliance/service.h"
#include "http/json_input.h"
#include "http/route.h"
#include "storage/database.h"

namespace edugov::http {
namespace {

using accounts::Principal;

Status Unavailable(const App& app) {
  const Status& why = app.compliance_status;
  return UnavailableError("the policy pack is unavailable: " + why.message_en(), "政策包不可用：" + why.message_zh());
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

Status NoOrg() { return PermissionDeniedError("your account is bound to no org", "您的账号未绑定单位"); }

// ---------------------------------------------------------------- targets

StatusOr<nlohmann::json> Targets(compliance::ComplianceService& svc, const Principal& p, Date as_of) {
  if (p.org_path.empty()) return NoOrg();
  ASSIGN_OR_RETURN(compliance::TargetsResult result, svc.Targets(as_of));
  std::map<std::string, const rules::bound::Target*> by_id;
  for (const auto& t : result.pack->pack().targets) by_id[t.id] = &t;
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = 0; i < result.items.size(); ++i) {
    const rules::TargetProgress& tp = result.items[i];
    // Visible when inside the caller's subtree or above it.
    const std::string& path = result.org_paths[i];
    if (!path.empty() && !p.CanSee(path) && !StartsWith(p.org_path, path)) continue;
    const rules::bound::Target* t = by_id[tp.target_id];
    nlohmann::json baseline;
    if (t && t->baseline_date) {
      baseline = {{"date", Date::FromDaysSinceEpoch(*t->baseline_date).ToString()}, {"value", t->baseline_value}};
    }
    items.push_back({{"id", tp.target_id},
                     {"clause", tp.clause},
                     {"title_zh", tp.title_zh},
                     {"source_zh", t ? t->source_zh : std::string()},
                     {"entity", {{"type", tp.entity_type}, {"id", tp.entity_id}, {"name", tp.entity_name}}},
                     {"measured", tp.has_value ? nlohmann::json(tp.measured) : nlohmann::json()},
                     {"target", tp.target},
                     {"comparison", tp.comparison},
                     {"deadline", tp.deadline},
                     {"expected", tp.expected},
                     {"baseline", std::move(baseline)},
                     {"status", std::string(rules::TargetStatusName(tp.status))},
                     {"unresolved_org_code", tp.unresolved_org_code.empty() ? nlohmann::json()
                                                                            : nlohmann::json(tp.unresolved_org_code)}});
  }
  return nlohmann::json{{"as_of", as_of.ToString()}, {"items", std::move(items)}};
}

// ---------------------------------------------------------------- the pack's rules

std::string DayOrEmpty(int32_t d, bool open) { return open ? std::string() : Date::FromDaysSinceEpoch(d).ToString(); }

nlohmann::json RulesJson(const rules::bound::Pack& pack) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : pack.rules) {
    nlohmann::json params = nlohmann::json::array();
    for (const auto& prm : r.parameters) {
      nlohmann::json values = nlohmann::json::array();
      for (const auto& v : prm.values) {
        values.push_back({{"value", v.value},
                          {"valid_from", DayOrEmpty(v.valid_from, v.valid_from == rules::bound::kOpenFrom)},
                          {"valid_to", DayOrEmpty(v.valid_to, v.valid_to == rules::bound::kOpenTo)}});
      }
      params.push_back({{"name", prm.name}, {"label_zh", prm.label_zh}, {"values", std::move(values)}});
    }
    items.push_back({{"id", r.id},
                     {"clause", r.clause},
                     {"title_zh", r.title_zh},
                     {"source_zh", r.source_zh},
                     {"severity", r.severity},
                     {"parameters", std::move(params)}});
  }
  return nlohmann::json{{"pack", pack.name}, {"title_zh", pack.title_zh}, {"items", std::move(items)}};
}

// ---------------------------------------------------------------- what-if

StatusOr<nlohmann::json> WhatIf(compliance::ComplianceService& svc, const Principal& p, const nlohmann::json& body,
                                Date today) {
  if (!p.IsBureau()) {
    return PermissionDeniedError("what-if analysis is for bureau accounts", "假设分析仅限县教育局账号使用");
  }
  Date as_of = today;
  if (body.contains("as_of") && !body["as_of"].is_null()) {
    if (!body["as_of"].is_string()) {
      return FieldError("as_of", "as_of must be a date YYYY-MM-DD", "as_of 须为日期 YYYY-MM-DD");
    }
    auto d = Date::Parse(body["as_of"].get<std::string>());
    if (!d.ok()) {
      return FieldError("as_of", "as_of must be a date YYYY-MM-DD", "as_of 须为日期 YYYY-MM-DD");
    }
    as_of = *d;
  }
  if (!body.contains("params") || !body["params"].is_object() || body["params"].empty()) {
    return FieldError("params", "params must be an object {name: number} with at least one entry",
                      "params 须为至少含一项的对象 {参数名: 数值}");
  }
  std::map<std::string, double> overrides;
  for (const auto& [name, value] : body["params"].items()) {
    if (!value.is_number()) {
      return FieldError("params." + name, "params." + name + " must be a number", "params." + name + " 须为数值");
    }
    overrides[name] = value.get<double>();
  }
  ASSIGN_OR_RETURN(compliance::WhatIfResult result, svc.WhatIf(overrides, as_of));
  const auto holder = svc.pack();
  const rules::bound::Pack& pack = holder->pack();
  const std::vector<rules::Finding>& now = result.now;
  const std::vector<rules::Finding>& changed = result.what_if;
  std::map<std::string, std::pair<int64_t, int64_t>> by_rule, by_clause;  // → (now, what_if)
  std::map<std::pair<std::string, int64_t>, std::pair<std::string, int64_t>> cells;  // (clause, township) → (name, n)
  int64_t total_now = 0, total_changed = 0;
  for (const auto& f : now) {
    if (!p.CanSee(f.org_path)) continue;
    ++by_rule[f.rule_id].first;
    ++by_clause[f.clause].first;
    ++total_now;
  }
  for (const auto& f : changed) {
    if (!p.CanSee(f.org_path)) continue;
    ++by_rule[f.rule_id].second;
    ++by_clause[f.clause].second;
    ++total_changed;
    // A township's own finding counts for itself, like /findings/summary.
    const bool is_township = f.entity_type == "township";
    const int64_t tid = is_township ? f.entity_id : f.township_id;
    auto& cell = cells[{f.clause, tid}];
    cell.first = is_township ? f.entity_name : f.township_name;
    ++cell.second;
  }
  nlohmann::json rules_json = nlohmann::json::array();
  for (const auto& r : pack.rules) {
    auto it = by_rule.find(r.id);
    const auto counts = it == by_rule.end() ? std::pair<int64_t, int64_t>{0, 0} : it->second;
    rules_json.push_back({{"rule", r.id}, {"clause", r.clause}, {"title_zh", r.title_zh},
                          {"now", counts.first}, {"what_if", counts.second}});
  }
  nlohmann::json clauses = nlohmann::json::array();
  for (const auto& [clause, counts] : by_clause) {
    clauses.push_back({{"clause", clause}, {"now", counts.first}, {"what_if", counts.second}});
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& [key, cell] : cells) {
    nlohmann::json township;
    if (key.second != 0) township = {{"id", key.second}, {"name", cell.first}};
    items.push_back({{"clause", key.first}, {"township", std::move(township)}, {"what_if", cell.second}});
  }
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : overrides) params[k] = v;
  return nlohmann::json{{"as_of", as_of.ToString()},
                        {"params", std::move(params)},
                        {"total", {{"now", total_now}, {"what_if", total_changed}}},
                        {"by_rule", std::move(rules_json)},
                        {"by_clause", std::move(clauses)},
                        {"items", std::move(items)}};
}

// ---------------------------------------------------------------- trend

StatusOr<int64_t> WeeksParam(const Request& req) {
  auto text = req.Query("weeks");
  if (!text) return 12;
  int64_t v = 0;
  bool ok = !text->empty() && text->size() <= 4;
  for (char c : *text) {
    if (c < '0' || c > '9') ok = false;
    else v = v * 10 + (c - '0');
  }
  if (!ok || v < 1 || v > 104) {
    return FieldError("weeks", "weeks must be an integer in 1…104, not \"" + *text + "\"",
                      "weeks 须为 1…104 之间的整数，而不是“" + *text + "”");
  }
  return v;
}

StatusOr<nlohmann::json> Trend(storage::Connection& conn, const Request& req, const Principal& p, Date today) {
  if (p.org_path.empty()) return NoOrg();
  ASSIGN_OR_RETURN(int64_t weeks, WeeksParam(req));
  std::optional<std::string> clause = req.Query("clause");
  if (clause && (clause->empty() || clause->size() > 200)) {
    return FieldError("clause", "clause must be 1…200 characters", "clause 须为 1…200 个字符");
  }
  ASSIGN_OR_RETURN(std::vector<rules::FindingsWeek> trend, rules::FindingsTrend(conn, p, clause, weeks, today));
  nlohmann::json out = nlohmann::json::array();
  for (const rules::FindingsWeek& w : trend) {
    out.push_back({{"week", w.label},
                   {"start", w.start.ToString()},
                   {"end", w.end.ToString()},
                   {"open", w.open},
                   {"resolved", w.resolved},
                   {"total", w.open + w.resolved}});
  }
  return nlohmann::json{{"weeks", std::move(out)}};
}

// ---------------------------------------------------------------- one finding

nlohmann::json ParseStoredJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json() : j;
}

template <typename T>
nlohmann::json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json CellJson(const storage::Value& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

nlohmann::json RectificationJson(const std::optional<cases::CaseEngine::LinkedCase>& linked) {
  if (!linked) return nullptr;
  return {{"id", linked->id},
          {"ref", linked->ref},
          {"state", linked->state},
          {"state_label", {{"zh", linked->state_label.zh}, {"en", linked->state_label.en}}}};
}

// The stored evidence ({dataset, row_ids, …}: whatever the check saved) with
// the dataset's columns and the rows the caller may see, named.
nlohmann::json EvidenceJson(const rules::FindingView& f, const compliance::EvidenceRows& e) {
  nlohmann::json evidence = ParseStoredJson(f.evidence_json);
  if (!evidence.is_object()) evidence = nlohmann::json::object();
  if (!evidence.contains("row_ids") || !evidence["row_ids"].is_array()) evidence["row_ids"] = nlohmann::json::array();
  evidence["columns"] = nlohmann::json::array();
  evidence["rows"] = nlohmann::json::array();
  evidence["count"] = f.evidence_count;
  if (!e.schema || e.rows.empty()) return evidence;
  evidence["label_zh"] = e.schema->label_zh;
  for (const auto& c : e.schema->columns) {
    evidence["columns"].push_back(
        {{"name", c.name}, {"label_zh", c.label_zh}, {"type", std::string(datasets::ColumnTypeName(c.type))}});
  }
  for (const auto& row : e.rows) {
    nlohmann::json values = nlohmann::json::object(), labels = nlohmann::json::object();
    for (size_t c = 0; c < e.schema->columns.size(); ++c) values[e.schema->columns[c].name] = CellJson(row.cells[c]);
    for (const auto& [column, name] : row.labels) labels[column] = name;
    evidence["rows"].push_back({{"row_id", row.row_id}, {"values", std::move(values)}, {"labels", std::move(labels)}});
  }
  return evidence;
}

nlohmann::json RuleJson(const rules::bound::Rule* r) {
  if (!r) return nullptr;
  nlohmann::json ps = nlohmann::json::array();
  for (const auto& prm : r->parameters) ps.push_back({{"name", prm.name}, {"label_zh", prm.label_zh}});
  return {{"id", r->id},           {"clause", r->clause},     {"title_zh", r->title_zh},
          {"source_zh", r->source_zh}, {"severity", r->severity}, {"parameters", std::move(ps)}};
}

nlohmann::json FindingPageJson(const compliance::FindingPage& page) {
  const rules::FindingView& f = page.finding;
  nlohmann::json parameters = ParseStoredJson(f.parameters_json);
  if (!parameters.is_array()) parameters = nlohmann::json::array();
  nlohmann::json township;
  if (f.township_id) township = {{"id", *f.township_id}, {"name", OrNull(f.township_name)}};
  nlohmann::json entity = {{"type", f.entity_type}, {"id", f.entity_id}, {"name", OrNull(f.entity_name)}};
  if (f.entity_school) entity["school"] = *f.entity_school;
  return nlohmann::json{
      {"id", f.id},
      {"rule", f.rule_id},
      {"clause", f.clause},
      {"severity", f.severity},
      {"entity", std::move(entity)},
      {"period", {{"kind", f.period_kind}, {"start", f.period_start}, {"end", f.period_end}}},
      {"measured", OrNull(f.measured)},
      {"threshold", OrNull(f.threshold)},
      {"comparison", f.comparison},
      {"parameters", std::move(parameters)},
      {"evidence", EvidenceJson(f, page.evidence)},
      {"status", f.status},
      {"opened_on", f.first_seen_on},
      {"last_seen_on", f.last_seen_on},
      {"resolved_on", OrNull(f.resolved_on)},
      {"times_reopened", f.times_reopened},
      {"township_id", OrNull(f.township_id)},
      {"township", std::move(township)},
      {"rule_info", RuleJson(page.rule)},
      {"case", RectificationJson(page.rectification)},
      {"can_open_case", page.can_open_case},
  };
}

}  // namespace

void RegisterComplianceHandlers(Router& router, App& app) {
  using Json = StatusOr<nlohmann::json>;
  auto today = [&app] { return registry::ChinaDate(app.clock->Now()); };
  RouteBuilder routes(router, app);

  routes.Get("/api/v1/targets").Json([today](RouteContext& c) -> Json {
    if (!c.app().compliance) return Unavailable(c.app());
    return Targets(*c.app().compliance, c.principal(), today());
  });
  // The plan's text is public policy: any signed-in user may read it.
  routes.Get("/api/v1/rules").Json([](RouteContext& c) -> Json {
    if (!c.app().compliance) return Unavailable(c.app());
    return RulesJson(c.app().compliance->pack()->pack());
  });
  // The body is read by WhatIf (after the role check), not declared with
  // JsonBody(): fields it does not read are ignored, as they always were.
  routes.Post("/api/v1/what-if").Options({.heavy = true, .reads_only = true}).Json([today](RouteContext& c) -> Json {
    if (!c.app().compliance) return Unavailable(c.app());
    ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(c.req().body));
    return WhatIf(*c.app().compliance, c.principal(), body, today());
  });
  routes.Get("/api/v1/findings/trend").Json([today](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    return Trend(*conn, c.req(), c.principal(), today());
  });
  // The path's {id} is read here rather than declared with Ids(): a
  // malformed id is the same "not in your scope" as an unknown one, and an
  // account bound to no org hears that first.
  routes.Get("/api/v1/findings/{id}").Json([](RouteContext& c) -> Json {
    if (c.principal().org_path.empty()) return NoOrg();
    const Status not_found = NotFoundError("no such finding in your scope", "您的管辖范围内没有该问题");
    StatusOr<int64_t> id = ParseId(c.PathText("id"));
    if (!id.ok()) return not_found;
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(std::optional<compliance::FindingPage> page,
                     compliance::ReadFindingPage(*conn, c.app().compliance, c.app().cases, c.principal(), *id));
    if (!page) return not_found;
    return FindingPageJson(*page);
  });
}

}  // namespace edugov::http
