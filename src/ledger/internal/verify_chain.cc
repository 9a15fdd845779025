#include "ledger/internal/verify_chain.h"

#include <map>

#include "ledger/chain.h"

namespace edugov::ledger::internal {

void FailReport(VerifyReport& report, int64_t seq, std::string en, std::string zh) {
  report.ok = false;
  report.first_bad_seq = seq;
  report.reason_en = std::move(en);
  report.reason_zh = std::move(zh);
}

namespace {

std::string AnchorWhere(const Anchor& a) {
  return "written " + a.written_at + ", line " + std::to_string(a.line);
}
std::string AnchorWhereZh(const Anchor& a) {
  return "写于 " + a.written_at + "，第 " + std::to_string(a.line) + " 行";
}

}  // namespace

StatusOr<VerifyReport> VerifyChain(storage::Connection& conn, const ChainSpec& spec) {
  VerifyReport report;
  const std::string entry_en(spec.entry_en);
  const std::string entry_zh(spec.entry_zh);
  const std::string chain_en(spec.chain_en);
  const std::string chain_zh(spec.chain_zh);
  // This ledger's anchors by seq (several runs may have anchored one seq).
  std::multimap<int64_t, const Anchor*> anchors;
  if (spec.anchors) {
    for (const Anchor& a : *spec.anchors) {
      if (a.ledger == spec.ledger && a.seq > 0) anchors.emplace(a.seq, &a);
    }
  }
  Status tx = storage::RunInTransaction(conn, storage::TransactionMode::kRead,
                                        [&](storage::Connection& c) -> Status {
    ASSIGN_OR_RETURN(storage::ResultSet head,
                     c.Query("SELECT seq, hash FROM ledger_heads WHERE ledger = $1",
                             {std::string(spec.ledger)}));
    if (head.size() != 1) {
      FailReport(report, 1, std::string(spec.head_missing_en), std::string(spec.head_missing_zh));
      return OkStatus();
    }
    const int64_t head_seq = head.GetInt(0, 0);
    const std::string head_hash = head.GetText(0, 1);
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     c.Query(std::string(spec.select_sql) + "ORDER BY seq"));
    std::string prev = GenesisHash();
    int64_t expected_seq = 1;
    bool seen_v2 = false;
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
      if (ChainHash(prev, link.encoding) == link.hash) {
        seen_v2 = true;
      } else if (seen_v2 || ChainHash(prev, link.legacy_encoding) != link.hash) {
        FailReport(report, link.seq, entry_en + " " + n + " was edited (hash mismatch)",
                   entry_zh + "第 " + n + " 条记录被篡改(哈希不符)");
        return OkStatus();
      }
      // A rewritten entry whose every successor was re-chained (and the head
      // moved along) is consistent in itself; only a copy kept outside the
      // database still knows the old hash.
      for (auto [it, end] = anchors.equal_range(link.seq); it != end; ++it) {
        const Anchor& a = *it->second;
        ++report.anchors_checked;
        if (a.hash != link.hash) {
          FailReport(report, link.seq,
                     entry_en + " " + n + " differs from the head anchor (" + AnchorWhere(a) +
                         "): the chain was rewritten and re-chained at or before entry " + n,
                     entry_zh + "第 " + n + " 条记录与链头锚点(" + AnchorWhereZh(a) +
                         ")不符:链在第 " + n + " 条或之前被改写并重新链接");
          return OkStatus();
        }
      }
      prev = std::move(link.hash);
      ++expected_seq;
    }
    const int64_t last_seq = expected_seq - 1;
    const std::string last_s = std::to_string(last_seq);
    const std::string head_s = std::to_string(head_seq);
    if (head_seq < last_seq) {
      // Well-chained entries beyond the head were never appended by edugov,
      // which moves the head in the same transaction.
      const std::string first = std::to_string(head_seq + 1);
      FailReport(report, head_seq + 1,
                 entry_en + " " + first + " lies beyond the chain head (entry " + head_s +
                     "): inserted",
                 entry_zh + "第 " + first + " 条记录在链头(第 " + head_s + " 条)之后:系被插入");
      return OkStatus();
    }
    if (head_seq > last_seq) {
      FailReport(report, last_seq + 1,
                 chain_en + " ends at entry " + last_s + " but its head says " + head_s +
                     ": entries after it were deleted",
                 chain_zh + "在第 " + last_s + " 条结束,但链头记录为第 " + head_s +
                     " 条:其后的记录已被删除");
      return OkStatus();
    }
    if (head_hash != prev) {
      // Same seq, another hash: the head row's hash was overwritten, or the
      // last entry swapped for a forgery chained onto its predecessor — the
      // stored rows cannot tell which; an anchor of that seq can.
      FailReport(report, last_seq,
                 entry_en + " " + last_s +
                     " does not match the chain head's hash: head replaced (or entry " + last_s +
                     " replaced)",
                 entry_zh + "第 " + last_s + " 条记录与链头哈希不符:链头被替换(或第 " + last_s +
                     " 条记录被替换)");
      return OkStatus();
    }
    // An anchor past the end: the tail was cut and the head rewritten to match.
    if (auto it = anchors.upper_bound(last_seq); it != anchors.end()) {
      const Anchor& a = *it->second;
      const std::string s = std::to_string(a.seq);
      FailReport(report, last_seq + 1,
                 chain_en + " ends at entry " + last_s + " but the head anchor (" + AnchorWhere(a) +
                     ") records entry " + s + ": entries after " + last_s +
                     " were deleted and the head rewritten",
                 chain_zh + "在第 " + last_s + " 条结束,但链头锚点(" + AnchorWhereZh(a) +
                     ")记录到第 " + s + " 条:第 " + last_s + " 条之后的记录被删除且链头被改写");
    }
    return OkStatus();
  });
  RETURN_IF_ERROR(tx);
  return report;
}

}  // namespace edugov::ledger::internal
