#include "rules/findings_store.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <tuple>

#include "registry/registry.h"
#include "storage/generations.h"

namespace edugov::rules {
namespace {

using Key = std::tuple<std::string, std::string, int64_t, std::string>;


std::string DayText(int32_t d, bool open) {
  return open ? std::string() : Date::FromDaysSinceEpoch(d).ToString();
}

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

FindingRecord RecordFrom(const storage::ResultSet& rs, size_t i) {
  FindingRecord r;
  r.id = rs.GetInt(i, 0);
  r.rule_id = rs.GetText(i, 1);
  r.clause = rs.GetText(i, 2);
  r.entity_type = rs.GetText(i, 3);
  r.entity_id = rs.GetInt(i, 4);
  r.org_path = rs.GetText(i, 5);
  r.township_id = rs.IsNull(i, 6) ? 0 : rs.GetInt(i, 6);
  r.period_kind = rs.GetText(i, 7);
  r.period_start = rs.GetText(i, 8);
  r.period_end = rs.GetText(i, 9);
  r.measured = rs.IsNull(i, 10) ? 0 : rs.GetDouble(i, 10);
  r.threshold = rs.IsNull(i, 11) ? 0 : rs.GetDouble(i, 11);
  r.comparison = rs.GetText(i, 12);
  r.status = rs.GetText(i, 13);
  if (auto why = rs.GetOptionalText(i, 14)) r.resolution = *why;
  return r;
}

}  // namespace

constexpr std::string_view kFindingsStore = "findings";  // its row in store_generations

StatusOr<uint64_t> FindingsGeneration(storage::Connection& conn) {
  return storage::ReadGeneration(conn, kFindingsStore);
}
Status NoteFindingsChanged(storage::Connection& tx) { return storage::BumpGeneration(tx, kFindingsStore); }

StatusOr<SaveSummary> SaveFindings(storage::Connection& conn, const bound::Pack& pack,
                                   const std::vector<Finding>& findings, Date as_of, const Clock& clock) {
  SaveScope scope;
  for (const auto& r : pack.rules) scope.rule_ids.push_back(r.id);
  SaveSummary sum;
  Status s = storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(sum, SaveFindingsInTransaction(tx, findings, as_of, clock, scope));
    return OkStatus();
  });
  if (!s.ok()) return s;
  return sum;
}

StatusOr<SaveSummary> SaveFindingsInTransaction(storage::Connection& tx, const std::vector<Finding>& findings,
                                                Date as_of, const Clock& clock, const SaveScope& scope) {
  SaveSummary sum;
  const std::string today = as_of.ToString();
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             clock.Now().time_since_epoch()).count();
  const std::set<std::string> rule_ids(scope.rule_ids.begin(), scope.rule_ids.end());
  {
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     tx.Query("SELECT id, rule_id, entity_type, entity_id, period_start, period_end, status, "
                              "org_path FROM findings"));
    struct Row { int64_t id; std::string period_end; std::string status; std::string org_path; bool seen = false; };
    std::map<Key, Row> stored;
    for (size_t i = 0; i < rs.size(); ++i) {
      stored[{rs.GetText(i, 1), rs.GetText(i, 2), rs.GetInt(i, 3), rs.GetText(i, 4)}] =
          Row{rs.GetInt(i, 0), rs.GetText(i, 5), rs.GetText(i, 6), rs.GetText(i, 7)};
    }
    for (const Finding& f : findings) {
      Key k{f.rule_id, f.entity_type, f.entity_id, f.period_start};
      auto it = stored.find(k);
      if (it == stored.end()) {
        RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO findings (rule_id, clause, severity, entity_type, entity_id, org_path, township_id, "
            "period_kind, period_start, period_end, measured, threshold, comparison, parameters_json, "
            "evidence_json, evidence_count, status, first_seen_on, last_seen_on, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'open', $17, $17, "
            "$18, $18)",
            {f.rule_id, f.clause, f.severity, f.entity_type, f.entity_id, f.org_path, OptTownship(f),
             f.period_kind, f.period_start, f.period_end, f.measured, f.threshold, f.comparison,
             ParamsJson(f), EvidenceJson(f), f.evidence_count, today, now_us}));
        ++sum.opened;
        continue;
      }
      it->second.seen = true;
      const bool reopen = it->second.status != "open";
      RETURN_IF_ERROR(tx.Execute(
          "UPDATE findings SET measured = $2, threshold = $3, parameters_json = $4, evidence_json = $5, "
          "evidence_count = $6, last_seen_on = $7, updated_at = $8, status = 'open', resolved_on = NULL, "
          "resolution = NULL, times_reopened = times_reopened + $9 WHERE id = $1",
          {it->second.id, f.measured, f.threshold, ParamsJson(f), EvidenceJson(f), f.evidence_count, today,
           now_us, int64_t{reopen ? 1 : 0}}));
      (reopen ? sum.reopened : sum.standing) += 1;
    }
    for (const auto& [k, row] : stored) {
      if (row.seen || row.status != "open" || !rule_ids.count(std::get<0>(k))) continue;
      if (!scope.org_path_prefix.empty() && row.org_path.compare(0, scope.org_path_prefix.size(),
                                                                 scope.org_path_prefix) != 0) {
        continue;
      }
      if (!row.period_end.empty() && row.period_end > today) continue;
      RETURN_IF_ERROR(tx.Execute(
          "UPDATE findings SET status = 'resolved', resolved_on = $2, updated_at = $3 WHERE id = $1",
          {row.id, today, now_us}));
      ++sum.resolved;
    }
  }
  RETURN_IF_ERROR(NoteFindingsChanged(tx));
  return sum;
}

StatusOr<int64_t> WithdrawFindingsOfRemovedRules(storage::Connection& tx, const std::set<std::string>& pack_rule_ids,
                                                 Date as_of, const Clock& clock) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   tx.Query("SELECT DISTINCT rule_id FROM findings WHERE status = 'open'"));
  int64_t n = 0;
  const int64_t now_us = ToUnixMicros(clock.Now());
  for (size_t i = 0; i < rs.size(); ++i) {
    const std::string rule = rs.GetText(i, 0);
    // Timetable findings (tt.*) come from uploaded timetables, not the sweep.
    if (pack_rule_ids.count(rule) || rule.rfind("tt.", 0) == 0) continue;
    ASSIGN_OR_RETURN(int64_t changed,
                     tx.Execute("UPDATE findings SET status = 'resolved', resolution = 'rule_withdrawn', "
                                "resolved_on = $2, updated_at = $3 WHERE rule_id = $1 AND status = 'open'",
                                {rule, as_of.ToString(), now_us}));
    n += changed;
  }
  if (n > 0) RETURN_IF_ERROR(NoteFindingsChanged(tx));
  return n;
}

StatusOr<std::vector<FindingRecord>> ListFindingRecords(storage::Connection& conn) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT id, rule_id, clause, entity_type, entity_id, org_path, township_id, "
                              "period_kind, period_start, period_end, measured, threshold, comparison, status, "
                              "resolution FROM findings ORDER BY id"));
  std::vector<FindingRecord> out;
  out.reserve(rs.size());
  for (size_t i = 0; i < rs.size(); ++i) out.push_back(RecordFrom(rs, i));
  return out;
}

StatusOr<std::optional<FindingRecord>> GetFindingRecord(storage::Connection& conn, int64_t id,
                                                        std::string_view org_path_prefix) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT id, rule_id, clause, entity_type, entity_id, org_path, township_id, "
                              "period_kind, period_start, period_end, measured, threshold, comparison, status, "
                              "resolution FROM findings WHERE id = $1 AND org_path LIKE $2",
                              {id, std::string(org_path_prefix) + "%"}));
  if (rs.empty()) return std::optional<FindingRecord>();
  return std::optional<FindingRecord>(RecordFrom(rs, 0));
}

StatusOr<std::string> LatestJudgedOn(storage::Connection& conn) {
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query("SELECT MAX(last_seen_on) FROM findings"));
  if (rs.empty() || rs.IsNull(0, 0)) return std::string();
  return rs.GetText(0, 0);
}

StatusOr<std::vector<StoredFinding>> ListStoredFindings(storage::Connection& conn) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT id, rule_id, entity_type, entity_id, period_start, status, resolved_on, "
                              "measured FROM findings ORDER BY id"));
  std::vector<StoredFinding> out;
  for (size_t i = 0; i < rs.size(); ++i) {
    out.push_back({rs.GetInt(i, 0), rs.GetText(i, 1), rs.GetText(i, 2), rs.GetInt(i, 3), rs.GetText(i, 4),
                   rs.GetText(i, 5), rs.GetText(i, 6), rs.GetDouble(i, 7)});
  }
  return out;
}

}  // namespace edugov::rules

// ---------------------------------------------------------------- scoped reads

namespace edugov::rules {
namespace {

Status NoOrg() {
  return Status(StatusCode::kPermissionDenied, "your account is bound to no org", "您的账号未绑定单位");
}

// The columns FindingViewFrom reads, in order, of `findings f`.
constexpr std::string_view kViewColumns =
    "f.id, f.rule_id, f.clause, f.severity, f.entity_type, f.entity_id, f.org_path, f.period_kind, "
    "f.period_start, f.period_end, f.measured, f.threshold, f.comparison, f.parameters_json, f.evidence_json, "
    "f.evidence_count, f.status, f.first_seen_on, f.last_seen_on, f.resolved_on, f.times_reopened, f.township_id";

FindingView FindingViewFrom(const storage::ResultSet& rs, size_t i) {
  FindingView v;
  v.id = rs.GetInt(i, 0);
  v.rule_id = rs.GetText(i, 1);
  v.clause = rs.GetText(i, 2);
  v.severity = rs.GetText(i, 3);
  v.entity_type = rs.GetText(i, 4);
  v.entity_id = rs.GetInt(i, 5);
  v.org_path = rs.GetText(i, 6);
  v.period_kind = rs.GetText(i, 7);
  v.period_start = rs.GetText(i, 8);
  v.period_end = rs.GetText(i, 9);
  if (!rs.IsNull(i, 10)) v.measured = rs.GetDouble(i, 10);
  if (!rs.IsNull(i, 11)) v.threshold = rs.GetDouble(i, 11);
  v.comparison = rs.GetText(i, 12);
  v.parameters_json = rs.GetText(i, 13);
  v.evidence_json = rs.GetText(i, 14);
  v.evidence_count = rs.GetInt(i, 15);
  v.status = rs.GetText(i, 16);
  v.first_seen_on = rs.GetText(i, 17);
  v.last_seen_on = rs.GetText(i, 18);
  v.resolved_on = rs.GetOptionalText(i, 19);
  v.times_reopened = rs.GetInt(i, 20);
  if (!rs.IsNull(i, 21)) v.township_id = rs.GetInt(i, 21);
  return v;
}

bool IsOrgEntity(const std::string& type) {
  return type == "school" || type == "township" || type == "county" || type == "org";
}

// Fills entity_name (and, with `detail`, a class's school and the
// township's name) from the registry.
Status NameEntities(storage::Connection& conn, std::vector<FindingView>& views, bool detail) {
  std::set<int64_t> orgs, classes, staff;
  for (const FindingView& v : views) {
    if (IsOrgEntity(v.entity_type)) orgs.insert(v.entity_id);
    else if (v.entity_type == "class") classes.insert(v.entity_id);
    else if (v.entity_type == "staff") staff.insert(v.entity_id);
    if (detail && v.township_id) orgs.insert(*v.township_id);
  }
  ASSIGN_OR_RETURN(auto org_names, registry::OrgNames(conn, orgs));
  ASSIGN_OR_RETURN(auto class_names, registry::ClassNames(conn, classes));
  ASSIGN_OR_RETURN(auto staff_names, registry::StaffNames(conn, staff));
  for (FindingView& v : views) {
    if (IsOrgEntity(v.entity_type)) {
      if (auto it = org_names.find(v.entity_id); it != org_names.end()) v.entity_name = it->second;
    } else if (v.entity_type == "class") {
      if (auto it = class_names.find(v.entity_id); it != class_names.end()) {
        v.entity_name = it->second.name;
        if (detail) v.entity_school = it->second.school_name;
      }
    } else if (v.entity_type == "staff") {
      if (auto it = staff_names.find(v.entity_id); it != staff_names.end()) v.entity_name = it->second;
    }
    if (detail && v.township_id) {
      if (auto it = org_names.find(*v.township_id); it != org_names.end()) v.township_name = it->second;
    }
  }
  return OkStatus();
}

// WHERE clause and its parameters, shared by the list, its count and the summary.
struct Where {
  std::string sql;
  storage::Params params;

  // (emplace with in_place_type: GCC 12 warns maybe-uninitialized when a
  // storage::Value temporary is moved into the vector.)
  void Add(std::string_view column_op, const std::string& v) {
    params.emplace_back(std::in_place_type<std::string>, v);
    sql += " AND " + std::string(column_op) + " $" + std::to_string(params.size());
  }
};

Where InSubtree(const accounts::Principal& p, const std::optional<std::string>& status) {
  Where w;
  w.sql = "f.org_path LIKE $1";
  w.params.emplace_back(std::in_place_type<std::string>, p.org_path + "%");
  if (status) w.Add("f.status =", *status);
  return w;
}

// The path of org `id` named by filter `field`, which must be of `kind` in
// the principal's subtree.
StatusOr<std::string> FilterOrgPath(storage::Connection& conn, const accounts::Principal& p, int64_t id,
                                    const std::string& field, registry::OrgKind kind, std::string_view kind_zh) {
  StatusOr<registry::Org> org = registry::FindOrg(conn, p, id);
  if (!org.ok() && org.status().code() != StatusCode::kNotFound) return org.status();
  if (!org.ok()) {
    return Status(StatusCode::kNotFound, field + " " + std::to_string(id) + ": no such org in your scope",
                  field + " " + std::to_string(id) + "：您的管辖范围内没有该单位", field);
  }
  if (org->kind != kind) {
    return Status(StatusCode::kInvalidArgument,
                  field + " " + std::to_string(id) + " is not a " + std::string(registry::OrgKindName(kind)),
                  field + " " + std::to_string(id) + " 不是" + std::string(kind_zh), field);
  }
  return org->path;
}

}  // namespace

StatusOr<FindingsPage> ListFindings(storage::Connection& conn, const accounts::Principal& principal,
                                    const FindingsFilter& filter, int64_t offset, int64_t limit) {
  if (principal.org_path.empty()) return NoOrg();
  Where w = InSubtree(principal, filter.status);
  if (filter.rule_id) w.Add("f.rule_id =", *filter.rule_id);
  if (filter.clause) w.Add("f.clause =", *filter.clause);
  if (filter.township_id) {
    ASSIGN_OR_RETURN(std::string path, FilterOrgPath(conn, principal, *filter.township_id, "township",
                                                     registry::OrgKind::kTownship, "乡镇"));
    w.Add("f.org_path LIKE", path + "%");
  }
  if (filter.school_id) {
    ASSIGN_OR_RETURN(std::string path, FilterOrgPath(conn, principal, *filter.school_id, "school",
                                                     registry::OrgKind::kSchool, "学校"));
    w.Add("f.org_path LIKE", path + "%");
  }
  FindingsPage page;
  ASSIGN_OR_RETURN(storage::ResultSet count, conn.Query("SELECT COUNT(*) FROM findings f WHERE " + w.sql, w.params));
  page.total = count.GetInt(0, 0);

  storage::Params params = w.params;
  params.emplace_back(std::in_place_type<int64_t>, limit);
  params.emplace_back(std::in_place_type<int64_t>, offset);
  const std::string sql = "SELECT " + std::string(kViewColumns) + " FROM findings f WHERE " + w.sql +
                          " ORDER BY f.id LIMIT $" + std::to_string(params.size() - 1) + " OFFSET $" +
                          std::to_string(params.size());
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(sql, params));
  page.items.reserve(rs.size());
  for (size_t i = 0; i < rs.size(); ++i) page.items.push_back(FindingViewFrom(rs, i));
  RETURN_IF_ERROR(NameEntities(conn, page.items, /*detail=*/false));
  return page;
}

StatusOr<std::vector<FindingsSummaryRow>> SummarizeFindings(storage::Connection& conn,
                                                           const accounts::Principal& principal,
                                                           const std::optional<std::string>& status) {
  if (principal.org_path.empty()) return NoOrg();
  const Where w = InSubtree(principal, status);
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT f.clause, f.township_id, "
                              "CAST(SUM(CASE WHEN f.status = 'open' THEN 1 ELSE 0 END) AS BIGINT), "
                              "CAST(SUM(CASE WHEN f.status = 'resolved' THEN 1 ELSE 0 END) AS BIGINT), "
                              "CAST(COUNT(*) AS BIGINT) FROM findings f WHERE " + w.sql +
                                  " GROUP BY f.clause, f.township_id ORDER BY f.clause, f.township_id",
                              w.params));
  std::vector<FindingsSummaryRow> out;
  std::set<int64_t> townships;
  for (size_t i = 0; i < rs.size(); ++i) {
    FindingsSummaryRow row;
    row.clause = rs.GetText(i, 0);
    if (!rs.IsNull(i, 1)) {
      row.township_id = rs.GetInt(i, 1);
      townships.insert(*row.township_id);
    }
    row.open = rs.GetInt(i, 2);
    row.resolved = rs.GetInt(i, 3);
    row.total = rs.GetInt(i, 4);
    out.push_back(std::move(row));
  }
  ASSIGN_OR_RETURN(auto names, registry::OrgNames(conn, townships));
  for (FindingsSummaryRow& row : out) {
    if (!row.township_id) continue;
    if (auto it = names.find(*row.township_id); it != names.end()) row.township_name = it->second;
  }
  return out;
}

std::pair<Date, std::string> IsoWeekOf(Date d) {
  const Date monday = d.AddDays(-(d.IsoWeekday() - 1));
  const Date thursday = monday.AddDays(3);
  const int week = (thursday.DaysSinceEpoch() - Date::FromYmd(thursday.year(), 1, 1).DaysSinceEpoch()) / 7 + 1;
  return {monday, std::to_string(thursday.year()) + (week < 10 ? "-W0" : "-W") + std::to_string(week)};
}

StatusOr<std::vector<FindingsWeek>> FindingsTrend(storage::Connection& conn, const accounts::Principal& principal,
                                                  const std::optional<std::string>& clause, int64_t weeks,
                                                  Date today) {
  if (principal.org_path.empty()) return NoOrg();
  storage::Params params;
  params.emplace_back(std::in_place_type<std::string>, principal.org_path + "%");
  std::string sql =
      "SELECT CASE WHEN period_start = '' THEN first_seen_on ELSE period_start END, status, "
      "CAST(COUNT(*) AS BIGINT) FROM findings WHERE org_path LIKE $1";
  if (clause) {
    params.emplace_back(std::in_place_type<std::string>, *clause);
    sql += " AND clause = $2";
  }
  sql += " GROUP BY 1, 2";
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(sql, params));
  std::map<int32_t, std::pair<int64_t, int64_t>> by_monday;  // → (open, resolved)
  int32_t latest = IsoWeekOf(today).first.DaysSinceEpoch();
  bool any = false;
  for (size_t i = 0; i < rs.size(); ++i) {
    auto d = Date::Parse(rs.GetText(i, 0));
    if (!d.ok()) continue;
    const int32_t monday = IsoWeekOf(*d).first.DaysSinceEpoch();
    auto& cell = by_monday[monday];
    (rs.GetText(i, 1) == "open" ? cell.first : cell.second) += rs.GetInt(i, 2);
    latest = any ? std::max(latest, monday) : monday;
    any = true;
  }
  std::vector<FindingsWeek> out;
  for (int64_t w = weeks - 1; w >= 0; --w) {
    const Date monday = Date::FromDaysSinceEpoch(latest - static_cast<int32_t>(w * 7));
    auto it = by_monday.find(monday.DaysSinceEpoch());
    FindingsWeek week{.label = IsoWeekOf(monday).second, .start = monday, .end = monday.AddDays(6)};
    if (it != by_monday.end()) {
      week.open = it->second.first;
      week.resolved = it->second.second;
    }
    out.push_back(std::move(week));
  }
  return out;
}

StatusOr<std::optional<FindingView>> GetFinding(storage::Connection& conn, const accounts::Principal& principal,
                                                int64_t id) {
  if (principal.org_path.empty()) return NoOrg();
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT " + std::string(kViewColumns) +
                                  " FROM findings f WHERE f.id = $1 AND f.org_path LIKE $2",
                              {storage::Value(id), storage::Value(principal.org_path + "%")}));
  if (rs.empty()) return std::optional<FindingView>();
  std::vector<FindingView> one{FindingViewFrom(rs, 0)};
  RETURN_IF_ERROR(NameEntities(conn, one, /*detail=*/true));
  return std::optional<FindingView>(std::move(one.front()));
}

// ---------------------------------------------------------------- timetable findings

Status ReplaceFindingJsonInTransaction(storage::Connection& tx, const UnperiodisedKey& key,
                                       const std::string& evidence_json, const std::string& parameters_json) {
  RETURN_IF_ERROR(tx.Execute("UPDATE findings SET evidence_json = $1, parameters_json = $2 WHERE rule_id = $3 "
                             "AND entity_type = $4 AND entity_id = $5 AND period_start = ''",
                             {evidence_json, parameters_json, key.rule_id, key.entity_type, key.entity_id})
                      .status());
  return NoteFindingsChanged(tx);
}

StatusOr<int64_t> CountOpenFindingsAt(storage::Connection& conn, std::string_view rule_prefix,
                                      std::string_view org_path) {
  // LIKE: the prefix is a rule-id prefix such as "tt." (no % or _ in it).
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT COUNT(*) FROM findings WHERE rule_id LIKE $1 AND status = 'open' "
                              "AND org_path = $2",
                              {std::string(rule_prefix) + "%", std::string(org_path)}));
  return rs.GetInt(0, 0);
}

}  // namespace edugov::rules
