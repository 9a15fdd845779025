// The re-check after a submission (recheck.h): a partial image, the affected
// rules, a save limited to the touched orgs and days. The upsert writes the
// same columns and JSON shapes as findings_store.cc (migration 004), so a
// finding opened here and one opened by `edugov check` are the same row.
#include "rules/recheck.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "registry/registry.h"
#include "rules/binder.h"
#include "rules/compiler.h"
#include "rules/findings_store.h"
#include "rules/evaluator.h"
#include "rules/live_image.h"
#include "rules/policy_parser.h"
#include "rules/recheck_internal.h"

namespace edugov::rules {
namespace recheck_internal {
namespace {

using Key = std::tuple<std::string, std::string, int64_t, std::string>;

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

// A rule comparing with the previous period or needing a run of periods:
// a touched day can change the findings of every later period too.
bool ReadsEarlierPeriods(const bound::Rule& r) { return r.check.against_previous || r.check.consecutive > 1; }

// A finding about a touched org, something inside it, or something above it,
// in a period that overlaps the touched days (or, `later` too, any period
// after them).
bool InScope(const Touched& t, const std::string& org_path, const std::string& start, const std::string& end,
             bool later) {
  if (!later && !start.empty() && start > t.last_day) return false;
  if (!end.empty() && end < t.first_day) return false;
  for (const std::string& p : t.org_paths) {
    if (StartsWith(org_path, p) || StartsWith(p, org_path)) return true;
  }
  return false;
}

namespace {

std::string DayText(int32_t d, bool open) { return open ? std::string() : Date::FromDaysSinceEpoch(d).ToString(); }

std::string ParamsJson(const Finding& f) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : f.parameters) {
    a.push_back({{"name", p.name},
                 {"value", p.value},
                 {"valid_from", DayText(p.valid_from, p.valid_from == bound::kOpenFrom)},
                 {"valid_to", DayText(p.valid_to, p.valid_to == bound::kOpenTo)},
                 {"what_if", p.overridden}});
  }
  return a.dump();
}

std::string EvidenceJson(const Finding& f) {
  return nlohmann::json{{"dataset", f.evidence_dataset}, {"row_ids", f.evidence_row_ids}}.dump();
}

storage::Value OptTownship(const Finding& f) {
  return f.township_id ? storage::Value(f.township_id) : storage::Null();
}

// The stored ids and their values as text (dates, times) or numbers.
std::optional<int64_t> RefValue(const storage::Value& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&v)) {
    try {
      return std::stoll(*s);
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

int32_t ReadRoot(const datasets::RegistryImage& reg, bound::GroupEntity level, int32_t o) {
  switch (level) {
    case bound::GroupEntity::kClass:
    case bound::GroupEntity::kSchool: return o;
    case bound::GroupEntity::kTownship: {
      const int32_t t = reg.org_township[static_cast<size_t>(o)];
      return t >= 0 ? t : o;
    }
    case bound::GroupEntity::kCounty: {
      const int32_t c = reg.org_county[static_cast<size_t>(o)];
      return c >= 0 ? c : -1;
    }
    case bound::GroupEntity::kAll: return -1;
  }
  return -1;
}

Status SaveScoped(storage::Connection& tx, const std::vector<const bound::Rule*>& rules,
                  const std::vector<Finding>& findings, const Touched& touched, Date as_of, const Clock& clock,
                  SaveResult& out) {
  const std::string today = as_of.ToString();
  const int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(clock.Now().time_since_epoch()).count();
  // The stored findings of the affected rules about the touched orgs.
  std::string sql =
      "SELECT id, rule_id, entity_type, entity_id, period_start, period_end, status, org_path FROM findings "
      "WHERE rule_id IN (";
  storage::Params params;
  for (const bound::Rule* r : rules) {
    params.emplace_back(std::in_place_type<std::string>, r->id);
    sql += (params.size() > 1 ? ", $" : "$") + std::to_string(params.size());
  }
  auto param = [&](storage::Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  if (touched.classes_only) {
    // Only the judged classes' findings: the unique key's prefix finds them.
    sql += ") AND entity_type = 'class' AND entity_id IN (";
    bool first = true;
    for (int64_t id : touched.classes) {
      sql += (first ? "" : ", ") + param(storage::Value(id));
      first = false;
    }
    sql += ")";
  } else {
    // The touched orgs' subtrees (a prefix LIKE, which the org_path index
    // serves) and the orgs above them by their exact paths — not
    // "$p LIKE org_path || '%'", which reads every finding of the rules.
    sql += ") AND (";
    std::set<std::string> above;
    bool first = true;
    for (const std::string& p : touched.org_paths) {
      sql += std::string(first ? "" : " OR ") + "org_path LIKE " + param(storage::Value(p + "%"));
      first = false;
      for (size_t slash = p.find('/', 1); slash != std::string::npos && slash + 1 < p.size();
           slash = p.find('/', slash + 1)) {
        above.insert(p.substr(0, slash + 1));
      }
    }
    if (!above.empty()) {
      sql += " OR org_path IN (";
      bool first_above = true;
      for (const std::string& a : above) {
        sql += (first_above ? "" : ", ") + param(storage::Value(a));
        first_above = false;
      }
      sql += ")";
    }
    sql += ")";
  }
  ASSIGN_OR_RETURN(storage::ResultSet rs, tx.Query(sql, params));
  struct Row {
    int64_t id;
    std::string period_end;
    std::string status;
    bool seen = false;
  };
  std::set<std::string> later;  // rules whose window runs on after the touched days
  for (const bound::Rule* r : rules) {
    if (ReadsEarlierPeriods(*r)) later.insert(r->id);
  }
  std::map<Key, Row> stored;
  for (size_t i = 0; i < rs.size(); ++i) {
    if (!InScope(touched, rs.GetText(i, 7), rs.GetText(i, 4), rs.GetText(i, 5), later.count(rs.GetText(i, 1)) > 0)) {
      continue;
    }
    if (touched.classes_only && !(rs.GetText(i, 2) == "class" && touched.classes.count(rs.GetInt(i, 3)))) continue;
    stored[{rs.GetText(i, 1), rs.GetText(i, 2), rs.GetInt(i, 3), rs.GetText(i, 4)}] =
        Row{rs.GetInt(i, 0), rs.GetText(i, 5), rs.GetText(i, 6)};
  }
  for (const Finding& f : findings) {
    Key k{f.rule_id, f.entity_type, f.entity_id, f.period_start};
    auto it = stored.find(k);
    int64_t id = 0;
    std::string status;
    if (it == stored.end()) {
      // ON CONFLICT: a concurrent re-check (or sweep) may have inserted it
      // since the read above; then it is updated below like a stored one.
      ASSIGN_OR_RETURN(
          storage::ResultSet ins,
          tx.Query("INSERT INTO findings (rule_id, clause, severity, entity_type, entity_id, org_path, township_id, "
                   "period_kind, period_start, period_end, measured, threshold, comparison, parameters_json, "
                   "evidence_json, evidence_count, status, first_seen_on, last_seen_on, created_at, updated_at) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'open', $17, "
                   "$17, $18, $18) ON CONFLICT (rule_id, entity_type, entity_id, period_start) DO NOTHING "
                   "RETURNING id",
                   {f.rule_id, f.clause, f.severity, f.entity_type, f.entity_id, f.org_path, OptTownship(f),
                    f.period_kind, f.period_start, f.period_end, f.measured, f.threshold, f.comparison,
                    ParamsJson(f), EvidenceJson(f), f.evidence_count, today, now_us}));
      if (!ins.empty()) {
        ++out.opened;
        out.open.emplace_back(ins.GetInt(0, 0), f.org_path);
        continue;
      }
      ASSIGN_OR_RETURN(storage::ResultSet again,
                       tx.Query("SELECT id, status FROM findings WHERE rule_id = $1 AND entity_type = $2 "
                                "AND entity_id = $3 AND period_start = $4",
                                {f.rule_id, f.entity_type, f.entity_id, f.period_start}));
      if (again.empty()) {
        return InternalError("finding " + f.rule_id + " vanished during the re-check",
                             "复核期间问题 " + f.rule_id + " 消失");
      }
      id = again.GetInt(0, 0);
      status = again.GetText(0, 1);
    } else {
      it->second.seen = true;
      id = it->second.id;
      status = it->second.status;
    }
    const bool reopen = status != "open";
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE findings SET measured = $2, threshold = $3, parameters_json = $4, evidence_json = $5, "
        "evidence_count = $6, last_seen_on = $7, updated_at = $8, status = 'open', resolved_on = NULL, "
        "times_reopened = times_reopened + $9 WHERE id = $1",
        {id, f.measured, f.threshold, ParamsJson(f), EvidenceJson(f), f.evidence_count, today, now_us,
         int64_t{reopen ? 1 : 0}}));
    (reopen ? out.reopened : out.standing) += 1;
    out.open.emplace_back(id, f.org_path);
  }
  for (const auto& [k, row] : stored) {
    if (row.seen || row.status != "open") continue;
    if (!row.period_end.empty() && row.period_end > today) continue;
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE findings SET status = 'resolved', resolved_on = $2, updated_at = $3 WHERE id = $1",
        {row.id, today, now_us}));
    ++out.resolved;
  }
  std::sort(out.open.begin(), out.open.end());
  return NoteFindingsChanged(tx);  // findings_store.h
}

void CopySaved(SaveResult&& saved, RecheckSummary& summary) {
  summary.opened = saved.opened;
  summary.standing = saved.standing;
  summary.reopened = saved.reopened;
  summary.resolved = saved.resolved;
  summary.open_finding_ids.clear();
  summary.open_finding_org_paths.clear();
  for (auto& [id, path] : saved.open) {
    summary.open_finding_ids.push_back(id);
    summary.open_finding_org_paths.push_back(std::move(path));
  }
}

Affected AffectedRules(const bound::Pack& pack, std::string_view dataset) {
  Affected a;
  for (size_t i = 0; i < pack.datasets.size(); ++i) {
    if (pack.datasets[i].name == dataset) a.index = static_cast<int>(i);
  }
  if (a.index < 0) return a;
  for (const bound::Rule& r : pack.rules) {
    bool hit = r.check.source == bound::SourceKind::kDataset && r.check.dataset == a.index;
    for (const bound::Unless& u : r.unless) hit = hit || u.dataset == a.index;
    if (!hit) continue;
    a.rules.push_back(&r);
    if (r.check.source == bound::SourceKind::kDataset) a.needed.insert(r.check.dataset);
    for (const bound::Unless& u : r.unless) a.needed.insert(u.dataset);
  }
  return a;
}

Touched TouchedBy(const datasets::RegistryImage& reg, const datasets::DatasetSchema& schema,
                  const std::vector<datasets::IngestedRow>& rows) {
  Touched touched;
  const int entity_col = schema.ColumnIndex(schema.entity_column);
  const int period_col = schema.ColumnIndex(schema.period_column);
  const bool by_class = schema.entity_kind() == datasets::RefKind::kClass;
  for (const datasets::IngestedRow& row : rows) {
    if (entity_col < 0 || static_cast<size_t>(entity_col) >= row.values.size()) continue;
    std::optional<int64_t> id = RefValue(row.values[static_cast<size_t>(entity_col)]);
    if (!id) continue;
    int32_t org = -1;
    if (by_class) {
      const int32_t c = reg.ClassIndex(*id);
      if (c >= 0) org = reg.class_school[static_cast<size_t>(c)];
      if (c >= 0) touched.classes.insert(*id);
    } else {
      org = reg.OrgIndex(*id);
    }
    if (org < 0) continue;
    std::string first, last;
    for (size_t c = 0; c < schema.columns.size() && c < row.values.size(); ++c) {
      if (schema.columns[c].type != datasets::ColumnType::kDate) continue;
      const auto* text = std::get_if<std::string>(&row.values[c]);
      if (!text || text->empty()) continue;
      if (static_cast<int>(c) == period_col) first = *text;
      last = std::max(last, *text);
    }
    if (first.empty()) continue;  // an undated row is in no period
    touched.orgs.insert(org);
    touched.org_paths.insert(reg.org_path[static_cast<size_t>(org)]);
    touched.first_day = touched.first_day.empty() ? first : std::min(touched.first_day, first);
    touched.last_day = std::max(touched.last_day, std::max(first, last));
  }
  return touched;
}

}  // namespace recheck_internal

using namespace recheck_internal;

StatusOr<RecheckSummary> RecheckSubmission(storage::Connection& conn, const bound::Pack& pack,
                                           std::string_view dataset,
                                           const std::vector<datasets::IngestedRow>& rows, Date as_of,
                                           const Clock& clock) {
  RecheckSummary summary;
  if (rows.empty()) return summary;

  // 1. The affected rules and the datasets they read.
  Affected aff = AffectedRules(pack, dataset);
  if (aff.rules.empty()) return summary;
  const std::vector<const bound::Rule*>& affected = aff.rules;

  // 2. The touched orgs and days.
  const auto t_eval = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(datasets::RegistryImage reg, datasets::LoadRegistryImage(conn, as_of));
  Touched touched = TouchedBy(reg, pack.datasets[static_cast<size_t>(aff.index)], rows);
  if (touched.orgs.empty()) return summary;
  const std::set<int32_t>& touched_orgs = touched.orgs;

  // 3. The partial image: each affected rule's read roots for each touched org.
  bool read_all = false;
  std::set<std::string> root_paths;
  for (int32_t o : touched_orgs) {
    for (const bound::Rule* r : affected) {
      const int32_t root = ReadRoot(reg, r->check.group, o);
      if (root < 0) read_all = true;
      else root_paths.insert(reg.org_path[static_cast<size_t>(root)]);
    }
  }
  std::vector<std::string> roots;  // without those inside another (sorted: a prefix comes first)
  for (const std::string& p : root_paths) {
    if (roots.empty() || !StartsWith(p, roots.back())) roots.push_back(p);
  }
  std::vector<datasets::DatasetSchema> schemas;
  for (int i : aff.needed) schemas.push_back(pack.datasets[static_cast<size_t>(i)]);
  datasets::ColumnarImage image = datasets::EmptyImage(schemas, std::move(reg));
  for (const datasets::DatasetSchema& s : schemas) {
    // The datasets module reads its own tables: the rows under the roots and
    // on the orgs above them (their "unless" rows reach down), or all of them.
    ASSIGN_OR_RETURN(std::vector<datasets::IngestedRow> loaded,
                     datasets::ReadRowsAround(conn, s, read_all ? std::vector<std::string>() : roots));
    summary.rows_read += static_cast<int64_t>(loaded.size());
    RETURN_IF_ERROR(datasets::Append(image, s.name, loaded));
  }

  // 4. Evaluate the affected rules as the sweep would; keep what is in scope.
  const CompileOptions options{as_of, {}};
  std::vector<Finding> findings;
  for (const bound::Rule* r : affected) {
    ASSIGN_OR_RETURN(plan::Plan pl, CompileRule(pack, *r, image, options));
    std::vector<Finding> all;
    RETURN_IF_ERROR(EvaluateRulePlan(*r, pl, image, all));
    for (Finding& f : all) {
      if (InScope(touched, f.org_path, f.period_start, f.period_end, ReadsEarlierPeriods(*r))) {
        findings.push_back(std::move(f));
      }
    }
  }
  summary.rules = static_cast<int64_t>(affected.size());

  // 5. The scoped save, in one transaction.
  const auto t_save = std::chrono::steady_clock::now();
  summary.evaluate_us = std::chrono::duration_cast<std::chrono::microseconds>(t_save - t_eval).count();
  SaveResult saved;
  Status s = storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    saved = SaveResult{};
    return SaveScoped(tx, affected, findings, touched, as_of, clock, saved);
  });
  RETURN_IF_ERROR(s);
  summary.save_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t_save).count();
  CopySaved(std::move(saved), summary);
  return summary;
}

StatusOr<std::unique_ptr<SubmissionRechecker>> SubmissionRechecker::Load(const std::string& policy_path) {
  ASSIGN_OR_RETURN(ast::Pack ast, ParsePolicyFile(policy_path));
  ASSIGN_OR_RETURN(bound::Pack pack, Bind(ast));
  return std::make_unique<SubmissionRechecker>(std::move(pack));
}

SubmissionRechecker::SubmissionRechecker(bound::Pack pack)
    : pack_(std::move(pack)), live_(std::make_unique<LiveImage>(pack_)) {}

SubmissionRechecker::~SubmissionRechecker() = default;

StatusOr<RecheckSummary> SubmissionRechecker::Recheck(storage::Connection& conn, const Clock& clock,
                                                      std::string_view dataset,
                                                      const std::vector<datasets::IngestedRow>& rows) const {
  const Date as_of = registry::ChinaDate(clock.Now());
  RETURN_IF_ERROR(live_->Apply(conn, as_of, dataset, rows));
  return live_->Recheck(conn, dataset, rows, as_of, clock);
}

StatusOr<RecheckSummary> SubmissionRechecker::Recheck(storage::Connection& conn, const Clock& clock,
                                                      std::string_view dataset,
                                                      const std::vector<datasets::IngestedRow>& rows,
                                                      const accounts::Principal& submitter) const {
  ASSIGN_OR_RETURN(RecheckSummary summary, Recheck(conn, clock, dataset, rows));
  KeepVisibleTo(summary, submitter);
  return summary;
}

void KeepVisibleTo(RecheckSummary& summary, const accounts::Principal& viewer) {
  std::vector<int64_t> ids;
  std::vector<std::string> paths;
  for (size_t i = 0; i < summary.open_finding_ids.size() && i < summary.open_finding_org_paths.size(); ++i) {
    if (!viewer.CanSee(summary.open_finding_org_paths[i])) continue;
    ids.push_back(summary.open_finding_ids[i]);
    paths.push_back(std::move(summary.open_finding_org_paths[i]));
  }
  summary.open_finding_ids = std::move(ids);
  summary.open_finding_org_paths = std::move(paths);
}

Status SubmissionRechecker::Ingested(storage::Connection& conn, const Clock& clock, std::string_view dataset,
                                     const std::vector<datasets::IngestedRow>& rows) const {
  return live_->Apply(conn, registry::ChinaDate(clock.Now()), dataset, rows);
}

void SubmissionRechecker::Invalidate() const { live_->Invalidate(); }

}  // namespace edugov::rules
