#include "ledger/internal/verify_chain.h"

#include "ledger/chain.h"

namespace edugov::ledger::internal {

void FailReport(VerifyReport& report, int64_t seq, std::string en, std::string zh) {
  report.ok = false;
  report.first_bad_seq = seq;
  report.reason_en = std::move(en);
  report.reason_zh = std::move(zh);
}

StatusOr<VerifyReport> VerifyChain(storage::Connection& conn, const ChainSpec& spec) {
  VerifyReport report;
  const std::string entry_en(spec.entry_en);
  const std::string entry_zh(spec.entry_zh);
  Status tx = storage::RunInTransaction(conn, storage::TransactionMode::kRead,
                                        [&](storage::Connection& c) -> Status {
    ASSIGN_OR_RETURN(storage::ResultSet head,
                     c.Query("SELECT seq, hash FROM ledger_heads WHERE ledger = $1",
                             {std::string(spec.ledger)}));
    if (head.size() != 1) {
      FailReport(report, 1, std::string(spec.head_missing_en), std::string(spec.head_missing_zh));
      return OkStatus();
    }
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     c.Query(std::string(spec.select_sql) + "ORDER BY seq"));
    std::string prev = GenesisHash();
    int64_t expected_seq = 1;
    for (size_t r = 0; r < rs.size(); ++r) {
      ChainLink link = spec.link_at(rs, r);
      ++report.entries;
      const std::string n = std::to_string(link.seq);
      if (link.seq != expected_seq) {
        const std::string want = std::to_string(expected_seq);
        FailReport(report, expected_seq,
                   entry_en + " " + want + " is missing (next stored is " + n + "): deleted",
                   entry_zh + "第 " + want + " 条记录缺失(下一条为第 " + n + " 条):已被删除");
        return OkStatus();
      }
      if (link.prev_hash != prev) {
        FailReport(report, link.seq,
                   entry_en + " " + n +
                       " does not follow its predecessor (prev_hash mismatch): reordered or "
                       "replaced",
                   entry_zh + "第 " + n +
                       " 条记录与前一条不衔接(prev_hash 不符):顺序被调换或记录被替换");
        return OkStatus();
      }
      if (ChainHash(prev, link.encoding) != link.hash) {
        FailReport(report, link.seq, entry_en + " " + n + " was edited (hash mismatch)",
                   entry_zh + "第 " + n + " 条记录被篡改(哈希不符)");
        return OkStatus();
      }
      prev = std::move(link.hash);
      ++expected_seq;
    }
    spec.check_end({.last_seq = expected_seq - 1, .last_hash = prev,
                    .head_seq = head.GetInt(0, 0), .head_hash = head.GetText(0, 1)},
                   report);
    return OkStatus();
  });
  RETURN_IF_ERROR(tx);
  return report;
}

}  // namespace edugov::ledger::internal
