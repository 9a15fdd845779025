#include "ledger/heads.h"

namespace edugov::ledger {

StatusOr<NextLink> ClaimNext(storage::Connection& tx, std::string_view ledger) {
  if (!tx.in_transaction()) {
    return InternalError("ledger entries must be appended inside the change's transaction",
                         "台账记录必须在变更的同一事务中写入");
  }
  ASSIGN_OR_RETURN(storage::ResultSet head,
                   tx.Query("UPDATE ledger_heads SET seq = seq + 1 WHERE ledger = $1 RETURNING seq, hash",
                            {std::string(ledger)}));
  if (head.size() != 1) {
    return InternalError("ledger head '" + std::string(ledger) + "' is missing",
                         "台账“" + std::string(ledger) + "”的链头记录缺失");
  }
  return NextLink{.seq = head.GetInt(0, 0), .prev_hash = head.GetText(0, 1)};
}

Status SetHeadHash(storage::Connection& tx, std::string_view ledger, const std::string& hash) {
  ASSIGN_OR_RETURN(int64_t updated,
                   tx.Execute("UPDATE ledger_heads SET hash = $1 WHERE ledger = $2", {hash, std::string(ledger)}));
  if (updated != 1) {
    return InternalError("ledger head '" + std::string(ledger) + "' is missing",
                         "台账“" + std::string(ledger) + "”的链头记录缺失");
  }
  return OkStatus();
}

}  // namespace edugov::ledger
