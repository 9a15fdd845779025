// Appending to a chain whose head is a row of ledger_heads, for ledgers kept
// by other modules (teacher points: src/points). The module stores its own
// entries; this claims the next seq and moves the head, so `edugov audit
// anchor` and the shared verification (internal/verify_chain.h) cover it.
//
//   ASSIGN_OR_RETURN(ledger::NextLink next, ledger::ClaimNext(tx, "points"));
//   const std::string hash = ledger::ChainHash(next.prev_hash, encoding);
//   … INSERT the entry with next.seq, next.prev_hash, hash …
//   RETURN_IF_ERROR(ledger::SetHeadHash(tx, "points", hash));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/database.h"

namespace edugov::ledger {

struct NextLink {
  int64_t seq = 0;
  std::string prev_hash;  // hex
};

// Bumps the head's seq inside the caller's write transaction — which
// serialises appenders, as for the audit log — and returns the new seq with
// the hash to chain from. kInternal when the ledger has no head row.
StatusOr<NextLink> ClaimNext(storage::Connection& tx, std::string_view ledger);
// Records the appended entry's hash as the head's.
Status SetHeadHash(storage::Connection& tx, std::string_view ledger, const std::string& hash);

}  // namespace edugov::ledger
