#include "rules/findings_store.h"

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <tuple>

namespace edugov::rules {
namespace {

using Key = std::tuple<std::string, std::string, int64_t, std::string>;

std::atomic<uint64_t> g_findings_generation{0};

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

uint64_t FindingsGeneration() { return g_findings_generation.load(); }
void NoteFindingsChanged() { g_findings_generation.fetch_add(1); }

StatusOr<SaveSummary> SaveFindings(storage::Connection& conn, const bound::Pack& pack,
                                   const std::vector<Finding>& findings, Date as_of, const Clock& clock) {
  SaveScope scope;
  for (const auto& r : pack.rules) scope.rule_ids.push_back(r.id);
  SaveSummary sum;
  Status s = storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(sum, SaveFindingsInTransaction(tx, findings, as_of, clock, scope));
    return OkStatus();
  });
  NoteFindingsChanged();  // after the commit (or rollback: a harmless extra bump)
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
