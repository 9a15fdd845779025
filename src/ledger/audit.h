// The audit ledger: every change to edugov's data (who, when, what, before
// and after) appended to a hash-chained, append-only log in the same
// transaction as the change itself. Format: docs/ledger-format.md.
//
//   RETURN_IF_ERROR(ledger::AppendAudit(tx, {.actor = principal.username,
//       .action = "org.update", .entity = "org", .entity_id = "37",
//       .before = old_json, .after = new_json}, clock));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "ledger/anchor.h"
#include "storage/database.h"

namespace edugov::ledger {

struct AuditEntry {
  int64_t actor_user_id = 0;  // 0 for the system or the command line
  std::string actor;          // username, "system" or "cli:<os user>"
  std::string action;         // dotted verb: "org.create", "user.passwd"
  std::string entity;         // "org", "class", "staff", "user", …
  std::string entity_id;
  std::string before;  // JSON text or empty (create)
  std::string after;   // JSON text or empty (delete)
};

// Appends `entry` to the audit chain. Must run inside a write transaction
// on `conn` — the append and the change it records commit or roll back
// together. Serialises concurrent appenders on the chain head row.
Status AppendAudit(storage::Connection& conn, const AuditEntry& entry, const Clock& clock);

struct AuditRecord {
  int64_t seq = 0;
  int64_t at_us = 0;
  AuditEntry entry;
  std::string prev_hash;  // hex
  std::string hash;       // hex
};

// The most recent `limit` records with seq < before_seq (0: from the end),
// newest first.
StatusOr<std::vector<AuditRecord>> ReadAudit(storage::Connection& conn, int64_t before_seq,
                                             int limit);

struct VerifyReport {
  bool ok = true;
  int64_t entries = 0;        // entries checked
  int64_t first_bad_seq = 0;  // 0 when ok
  std::string reason_en;      // what is wrong with that entry
  std::string reason_zh;
  int64_t anchors_checked = 0;  // anchor lines compared with a stored entry
};

// Re-derives the whole chain from the stored rows and compares it with the
// stored hashes, the chain head and the `anchors` of ledger "audit" (other
// ledgers' are skipped). Names the first entry that was edited (a NULL made
// "" or an integer made text included), deleted, inserted or reordered, a
// replaced head, and a re-chained tail or cut tail an anchor contradicts.
// Reads in one read transaction.
StatusOr<VerifyReport> VerifyAudit(storage::Connection& conn,
                                   const std::vector<Anchor>& anchors = {});

}  // namespace edugov::ledger
