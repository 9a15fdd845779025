#include "cases/internal/core.h"

#include "ledger/audit.h"

namespace edugov::cases::internal {

using json = nlohmann::json;
using storage::Connection;
using storage::ResultSet;

Status Notify(const EngineDeps& d, Connection& tx, const CaseRow& c, const std::string& kind,
              const std::string& level, int64_t org, const std::string& dept,
              const std::string& zh, const std::string& en) {
  if (!d.notifier) return OkStatus();
  // A county-level case has no school or township to tell.
  if ((level == "school" || level == "township") && org == 0) return OkStatus();
  CaseNotice n;
  n.kind = kind;
  n.case_id = c.id;
  n.case_ref = c.ref;
  n.case_type = c.case_type;
  n.title = c.title;
  n.message_zh = zh;
  n.message_en = en;
  n.level = level;
  n.org_id = org;
  n.department = dept;
  return d.notifier->Notify(tx, n);
}

Status NotifyAssignee(const EngineDeps& d, Connection& tx, const CaseRow& c, const std::string& kind,
                      const std::string& zh, const std::string& en) {
  if (c.assignee_level.empty()) return OkStatus();
  return Notify(d, tx, c, kind, c.assignee_level, c.assignee_org_id, c.assignee_department, zh, en);
}

json AuditJson(const CaseRow& c) {
  json j = {{"ref", c.ref},           {"type", c.case_type},         {"state", c.state},
            {"title", c.title},       {"category", c.category},      {"org_id", c.org_id},
            {"staff_id", c.staff_id}, {"assignee_level", c.assignee_level},
            {"assignee_org_id", c.assignee_org_id},
            {"fields", c.fields},     {"version", c.version}};
  if (c.due_at) j["due_at"] = FormatTimestamp(FromUnixMicros(*c.due_at));
  if (c.deadline_provisional) j["deadline_provisional"] = true;
  // Confidential values never enter the audit log; only that they exist.
  j["confidential"] = c.confidential.has_value() ? "sealed" : "";
  return j;
}

Status Audit(const EngineDeps& d, Connection& tx, const Actor& a, const std::string& action,
             const CaseRow* before, const CaseRow& after) {
  return ledger::AppendAudit(tx, {.actor_user_id = ActorId(a), .actor = ActorName(a),
                                  .action = action, .entity = "case",
                                  .entity_id = std::to_string(after.id),
                                  .before = before ? AuditJson(*before).dump() : "",
                                  .after = AuditJson(after).dump()},
                             *d.clock);
}

StatusOr<int64_t> AddEvent(Connection& tx, int64_t case_id, const Actor& a, int64_t now,
                           const EventIn& e) {
  ASSIGN_OR_RETURN(ResultSet rs,
                   tx.Query("INSERT INTO case_events (case_id, at, actor_user_id, actor, kind, "
                            "transition, from_state, to_state, comment, fields_json, visibility) "
                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                            {case_id, now,
                             a.kind == Actor::Kind::kUser ? storage::Value(a.user->user_id) : storage::Null(),
                             ActorName(a), e.kind,
                             e.transition.empty() ? storage::Null() : storage::Value(e.transition),
                             e.from.empty() ? storage::Null() : storage::Value(e.from),
                             e.to.empty() ? storage::Null() : storage::Value(e.to), e.comment,
                             e.fields.dump(), std::string(e.is_public ? "public" : "internal")}));
  return rs.GetInt(0, 0);
}

storage::Value OptInt(const std::optional<int64_t>& v) {
  return v ? storage::Value(*v) : storage::Null();
}
storage::Value IdOrNull(int64_t v) { return v ? storage::Value(v) : storage::Null(); }

// Writes every mutable column of `c` back, guarded by the version it was read
// at (`c.version` is the new one).
Status UpdateRow(Connection& tx, const CaseRow& c, int64_t now) {
  ASSIGN_OR_RETURN(
      int64_t n,
      tx.Execute("UPDATE cases SET state = $1, title = $2, category = $3, staff_id = $4, "
                 "assignee_level = $5, assignee_org_id = $6, assignee_department = $7, "
                 "escalation_level = $8, state_entered_at = $9, due_at = $10, deadline_unknown = $11, "
                 "extended_days = $12, reminded_at = $13, escalated_at = $14, closed_at = $15, "
                 "fields_json = $16, confidential = $17, frozen_json = $18, merged_into = $19, "
                 "satisfaction = $20, reopen_until = $21, version = $22, updated_at = $23, "
                 "deadline_provisional = $26 WHERE id = $24 AND version = $25",
                 {c.state, c.title, c.category, IdOrNull(c.staff_id), c.assignee_level,
                  IdOrNull(c.assignee_org_id), c.assignee_department, int64_t{c.escalation_level},
                  c.state_entered_at, OptInt(c.due_at), int64_t{c.deadline_unknown ? 1 : 0},
                  int64_t{c.extended_days}, OptInt(c.reminded_at), OptInt(c.escalated_at),
                  OptInt(c.closed_at), c.fields.dump(),
                  c.confidential ? storage::Value(storage::Blob{*c.confidential}) : storage::Null(),
                  c.frozen_json ? storage::Value(*c.frozen_json) : storage::Null(),
                  OptInt(c.merged_into),
                  c.satisfaction ? storage::Value(int64_t{*c.satisfaction}) : storage::Null(),
                  OptInt(c.reopen_until), int64_t{c.version}, now, c.id, int64_t{c.version - 1},
                  int64_t{c.deadline_provisional ? 1 : 0}}));
  if (n != 1) {
    return Status(StatusCode::kFailedPrecondition,
                  "the case was changed by someone else meanwhile; reload it",
                  "案件已被他人修改，请刷新后重试", "version");
  }
  return OkStatus();
}

StatusOr<json> OpenSecret(const EngineDeps& d, const CaseRow& c) {
  if (!c.confidential) return json::object();
  ASSIGN_OR_RETURN(std::string plain, d.box->Open(*c.confidential));
  json j = json::parse(plain, nullptr, false);
  return j.is_object() ? j : json::object();
}

std::string EnumLabel(const CaseType& t, const std::string& field, const std::string& key) {
  if (const FieldSpec* f = t.FindField(field)) {
    for (const auto& [k, l] : f->options) {
      if (k == key) return l.zh;
    }
  }
  return key;
}

}  // namespace edugov::cases::internal
