// The walk every hash-chained ledger's Verify… shares: read the chain head,
// re-derive each stored entry's hash from its predecessor's in seq order,
// and name the first entry that was deleted, reordered, edited or inserted,
// a head that was replaced, and — given anchors (anchor.h) — a tail that
// was rewritten and re-chained. What the stored rows look like stays with
// each ledger (audit.cc, sanctions.cc); the byte format is
// docs/ledger-format.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/anchor.h"
#include "ledger/audit.h"
#include "storage/database.h"

namespace edugov::ledger::internal {

// One stored entry as the walk sees it.
struct ChainLink {
  int64_t seq = 0;
  std::string prev_hash;  // hex, as stored
  std::string hash;       // hex, as stored
  std::string encoding;   // version 2 (TypedEncoder), from the stored values
  std::string legacy_encoding;  // version 1 (CanonicalEncoder)
};

struct ChainSpec {
  std::string_view ledger;      // ledger_heads.ledger
  std::string_view select_sql;  // every entry's columns; " ORDER BY seq" is appended
  // How reasons name an entry: "<entry_en> 3 was edited …", "<entry_zh>第 3 条记录…",
  // and the chain: "<chain_en> ends at …", "<chain_zh>在第 …".
  std::string_view entry_en;
  std::string_view entry_zh;
  std::string_view chain_en;
  std::string_view chain_zh;
  std::string_view head_missing_en;
  std::string_view head_missing_zh;
  // Row r of select_sql's result as a link. Must not throw.
  std::function<ChainLink(const storage::ResultSet&, size_t)> link_at;
  // Anchors of this and other ledgers (the others are skipped); may be empty.
  const std::vector<Anchor>* anchors = nullptr;
};

// Marks `report` as failed at `seq` with the reasons given.
void FailReport(VerifyReport& report, int64_t seq, std::string en, std::string zh);

// Walks the chain `spec` describes inside one read transaction on `conn`.
// An entry verifies under encoding version 2, or under version 1 only
// while no version-2 entry came before it (chains written before version 2
// existed; a later entry is never downgraded). A broken chain is an ok
// StatusOr whose report says what broke; a failed query is an error.
StatusOr<VerifyReport> VerifyChain(storage::Connection& conn, const ChainSpec& spec);

}  // namespace edugov::ledger::internal
