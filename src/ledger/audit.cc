#include "ledger/audit.h"

#include <string>

#include "ledger/chain.h"
#include "ledger/internal/verify_chain.h"

namespace edugov::ledger {

namespace {

constexpr std::string_view kAuditLedger = "audit";

// The fields, in the order docs/ledger-format.md fixes for audit entries:
// version 1, kept to verify entries written before version 2.
std::string EncodeV1(int64_t seq, int64_t at_us, const AuditEntry& e) {
  CanonicalEncoder enc;
  enc.Add(seq).Add(at_us).Add(e.actor_user_id).Add(e.actor).Add(e.action).Add(e.entity)
      .Add(e.entity_id).Add(e.before).Add(e.after);
  return enc.bytes();
}

// Version 2: the same fields as the values stored (kSelectColumns' first
// nine), typed — what is hashed on append is exactly what verify reads.
std::string EncodeV2(const storage::Value* fields) {
  TypedEncoder enc;
  for (int i = 0; i < 9; ++i) enc.Add(fields[i]);
  return enc.bytes();
}

storage::Value NullIfEmpty(const std::string& s) {
  if (s.empty()) return storage::Null();
  return s;
}

}  // namespace

Status AppendAudit(storage::Connection& conn, const AuditEntry& entry, const Clock& clock) {
  if (!conn.in_transaction()) {
    return InternalError("audit entries must be appended inside the change's transaction");
  }
  if (entry.action.empty() || entry.entity.empty()) {
    return InternalError("audit entry without action or entity");
  }
  // Bumping the head first takes its row lock (PostgreSQL) or relies on the
  // write transaction (SQLite), so concurrent appenders queue here and each
  // sees the hash its predecessor committed.
  ASSIGN_OR_RETURN(storage::ResultSet head,
                   conn.Query("UPDATE ledger_heads SET seq = seq + 1 WHERE ledger = $1 "
                              "RETURNING seq, hash",
                              {std::string(kAuditLedger)}));
  if (head.size() != 1) return InternalError("audit ledger head is missing");
  const int64_t seq = head.GetInt(0, 0);
  const std::string prev = head.GetText(0, 1);
  const int64_t at_us = ToUnixMicros(clock.Now());
  storage::Params row = {seq, at_us, entry.actor_user_id, entry.actor, entry.action, entry.entity,
                         entry.entity_id, NullIfEmpty(entry.before), NullIfEmpty(entry.after)};
  const std::string hash = ChainHash(prev, EncodeV2(row.data()));
  row.push_back(prev);
  row.push_back(hash);

  RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO audit_log (seq, at_us, actor_user_id, actor, action, entity, entity_id, "
      "before_json, after_json, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
      row));
  RETURN_IF_ERROR(conn.Execute("UPDATE ledger_heads SET hash = $1 WHERE ledger = $2",
                               {hash, std::string(kAuditLedger)}));
  return OkStatus();
}

namespace {

AuditRecord RecordFromRow(const storage::ResultSet& rs, size_t r) {
  AuditRecord rec;
  rec.seq = rs.GetInt(r, 0);
  rec.at_us = rs.GetInt(r, 1);
  rec.entry.actor_user_id = rs.GetInt(r, 2);
  rec.entry.actor = rs.GetText(r, 3);
  rec.entry.action = rs.GetText(r, 4);
  rec.entry.entity = rs.GetText(r, 5);
  rec.entry.entity_id = rs.GetText(r, 6);
  rec.entry.before = rs.GetText(r, 7);
  rec.entry.after = rs.GetText(r, 8);
  rec.prev_hash = rs.GetText(r, 9);
  rec.hash = rs.GetText(r, 10);
  return rec;
}

constexpr const char* kSelectColumns =
    "SELECT seq, at_us, actor_user_id, actor, action, entity, entity_id, before_json, "
    "after_json, prev_hash, hash FROM audit_log ";

}  // namespace

StatusOr<std::vector<AuditRecord>> ReadAudit(storage::Connection& conn, int64_t before_seq,
                                             int limit) {
  if (limit <= 0 || limit > 1000) {
    return Status(StatusCode::kInvalidArgument, "limit must be between 1 and 1000",
                  "limit 必须在 1 到 1000 之间", "limit");
  }
  std::string sql = kSelectColumns;
  storage::Params params;
  if (before_seq > 0) {
    sql += "WHERE seq < $1 ORDER BY seq DESC LIMIT $2";
    params = {before_seq, int64_t{limit}};
  } else {
    sql += "ORDER BY seq DESC LIMIT $1";
    params = {int64_t{limit}};
  }
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(sql, params));
  std::vector<AuditRecord> out;
  out.reserve(rs.size());
  for (size_t r = 0; r < rs.size(); ++r) out.push_back(RecordFromRow(rs, r));
  return out;
}

StatusOr<VerifyReport> VerifyAudit(storage::Connection& conn, const std::vector<Anchor>& anchors) {
  return internal::VerifyChain(
      conn,
      {.ledger = kAuditLedger,
       .select_sql = kSelectColumns,
       .entry_en = "entry",
       .entry_zh = "",
       .chain_en = "the chain",
       .chain_zh = "审计链",
       .head_missing_en = "the audit chain head is missing",
       .head_missing_zh = "审计链头记录缺失",
       .link_at =
           [](const storage::ResultSet& rs, size_t r) {
             AuditRecord rec = RecordFromRow(rs, r);
             return internal::ChainLink{.seq = rec.seq,
                                        .prev_hash = std::move(rec.prev_hash),
                                        .hash = std::move(rec.hash),
                                        .encoding = EncodeV2(rs.row(r).data()),
                                        .legacy_encoding = EncodeV1(rec.seq, rec.at_us, rec.entry)};
           },
       .anchors = &anchors});
}

}  // namespace edugov::ledger
