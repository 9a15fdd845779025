// The walk every hash-chained ledger's Verify… shares: read the chain head,
// re-derive each stored entry's hash from its predecessor's in seq order,
// and name the first entry that was deleted, reordered or edited. What the
// stored rows look like and how the end of the chain is judged against the
// head stay with each ledger (audit.cc, sanctions.cc); the byte format is
// docs/ledger-format.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ledger/audit.h"
#include "storage/database.h"

namespace edugov::ledger::internal {

// One stored entry as the walk sees it.
struct ChainLink {
  int64_t seq = 0;
  std::string prev_hash;  // hex, as stored
  std::string hash;       // hex, as stored
  std::string encoding;   // the entry's canonical encoding (chain.h)
};

// Where a clean walk stopped, next to what the head row says.
struct ChainEnd {
  int64_t last_seq = 0;   // 0 for an empty chain
  std::string last_hash;  // GenesisHash() for an empty chain
  int64_t head_seq = 0;
  std::string head_hash;
};

struct ChainSpec {
  std::string_view ledger;      // ledger_heads.ledger
  std::string_view select_sql;  // every entry's columns; " ORDER BY seq" is appended
  // How reasons name an entry: "<entry_en> 3 was edited …", "<entry_zh>第 3 条记录…".
  std::string_view entry_en;
  std::string_view entry_zh;
  std::string_view head_missing_en;
  std::string_view head_missing_zh;
  // Row r of select_sql's result as a link. Must not throw.
  std::function<ChainLink(const storage::ResultSet&, size_t)> link_at;
  // Judges a clean walk's end against the head; calls FailReport when they
  // disagree, leaves the report alone otherwise.
  std::function<void(const ChainEnd&, VerifyReport&)> check_end;
};

// Marks `report` as failed at `seq` with the reasons given.
void FailReport(VerifyReport& report, int64_t seq, std::string en, std::string zh);

// Walks the chain `spec` describes inside one read transaction on `conn`.
// A broken chain is an ok StatusOr whose report says what broke; a failed
// query is an error.
StatusOr<VerifyReport> VerifyChain(storage::Connection& conn, const ChainSpec& spec);

}  // namespace edugov::ledger::internal
