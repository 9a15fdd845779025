#include "ledger/sanctions.h"

#include <gtest/gtest.h>

#include "ledger/chain.h"
#include "ledger/ledger_test_support.h"
#include "testing/test_db.h"

namespace edugov::ledger {
namespace {

using storage::Backend;
using storage::Connection;

class SanctionsTest : public LedgerDbTest {
 protected:
  static SanctionEntry Entry(int64_t staff_id, int year) {
    return {.staff_id = staff_id, .org_id = 37, .org_path = "/1/4/37/", .case_id = 12,
            .measure = "warning", .veto_year = year, .reason = "体罚学生(案件 MC2025-000012)",
            .accountable = {{.staff_id = 5, .role = "principal"},
                            {.staff_id = 6, .role = "party_secretary"}},
            .decided_by = "juzhang"};
  }

  Status Append(const SanctionEntry& e) {
    Status s = storage::RunInTransaction(conn(), [&](Connection& tx) {
      return AppendSanction(tx, e, clock_);
    });
    clock_.Advance(std::chrono::seconds(1));
    return s;
  }

  void AppendN(int n) {
    for (int i = 1; i <= n; ++i) {
      SanctionEntry e = Entry(100 + i, 2025);
      e.measure = SanctionLadder()[static_cast<size_t>(i - 1) % SanctionLadder().size()];
      Status s = Append(e);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }

  VerifyReport Verify() {
    auto r = VerifySanctions(conn());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyReport{};
  }
};

TEST(SanctionLadderTest, MildestFirstWithChineseNames) {
  ASSERT_EQ(SanctionLadder().size(), 6u);
  EXPECT_EQ(SanctionLadder().front(), "notice_of_criticism");
  EXPECT_EQ(SanctionLadder().back(), "removal");
  EXPECT_EQ(MeasureNameZh("notice_of_criticism"), "通报批评");
  EXPECT_EQ(MeasureNameZh("warning"), "警告");
  EXPECT_EQ(MeasureNameZh("demerit"), "记过");
  EXPECT_EQ(MeasureNameZh("post_demotion"), "降低岗位等级");
  EXPECT_EQ(MeasureNameZh("transfer_out_of_town"), "调离城区");
  EXPECT_EQ(MeasureNameZh("removal"), "清除出教师队伍");
  EXPECT_EQ(MeasureNameZh("flogging"), "flogging");
  EXPECT_TRUE(IsKnownMeasure("demerit"));
  EXPECT_FALSE(IsKnownMeasure("Demerit"));
}

TEST_P(SanctionsTest, EmptyChainVerifies) {
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.entries, 0);
}

TEST_P(SanctionsTest, AppendedEntriesVerifyAndReadBack) {
  AppendN(3);
  ASSERT_TRUE(Append({.staff_id = 900, .org_id = 50, .org_path = "/1/5/50/", .case_id = 13,
                      .measure = "removal", .veto_year = 2026, .reason = "有偿补课",
                      .decided_by = "juzhang"})
                  .ok());
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok) << r.reason_en;
  EXPECT_EQ(r.entries, 4);

  auto all = ReadSanctions(conn(), 0, "");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].seq, 4);  // newest first
  EXPECT_EQ((*all)[0].entry.measure, "removal");
  EXPECT_EQ((*all)[3].seq, 1);
  EXPECT_EQ((*all)[3].prev_hash, GenesisHash());
  EXPECT_EQ((*all)[2].prev_hash, (*all)[3].hash);

  const SanctionRecord& first = (*all)[3];
  EXPECT_EQ(first.entry.staff_id, 101);
  EXPECT_EQ(first.entry.org_path, "/1/4/37/");
  EXPECT_EQ(first.entry.reason, "体罚学生(案件 MC2025-000012)");
  EXPECT_EQ(first.entry.decided_by, "juzhang");
  EXPECT_EQ(first.at_us, 1'740'000'000'000'000);
  ASSERT_EQ(first.entry.accountable.size(), 2u);
  EXPECT_EQ(first.entry.accountable[0].staff_id, 5);
  EXPECT_EQ(first.entry.accountable[0].role, "principal");
  EXPECT_EQ(first.entry.accountable[1].role, "party_secretary");

  auto one = ReadSanctions(conn(), 102, "");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].entry.measure, "warning");

  auto subtree = ReadSanctions(conn(), 0, "/1/4/");
  ASSERT_TRUE(subtree.ok());
  EXPECT_EQ(subtree->size(), 3u);
  auto other = ReadSanctions(conn(), 0, "/1/5/");
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other->size(), 1u);
  EXPECT_EQ((*other)[0].entry.staff_id, 900);
  // Both filters apply together.
  auto both = ReadSanctions(conn(), 900, "/1/4/");
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->empty());
}

TEST_P(SanctionsTest, VetoBarsOnlyThatYear) {
  ASSERT_TRUE(Append(Entry(88, 2025)).ok());
  auto v = IsVetoed(conn(), 88, 2025);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(*v);
  v = IsVetoed(conn(), 88, 2026);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(*v);
  v = IsVetoed(conn(), 89, 2025);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(*v);
}

TEST_P(SanctionsTest, BadEntriesAreRefusedNamingTheField) {
  SanctionEntry e = Entry(88, 2025);
  e.measure = "flogging";
  Status s = Append(e);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "measure");
  EXPECT_NE(s.message_zh().find("处分阶梯"), std::string::npos);

  e = Entry(88, 2025);
  e.reason.clear();
  s = Append(e);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "reason");

  e = Entry(0, 2025);
  EXPECT_EQ(Append(e).field(), "staff_id");
  e = Entry(88, 1925);
  EXPECT_EQ(Append(e).field(), "veto_year");
  e = Entry(88, 2025);
  e.accountable.push_back({.staff_id = 9, .role = "janitor"});
  EXPECT_EQ(Append(e).field(), "accountable");

  // Nothing half-written: the head did not move.
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.entries, 0);
}

TEST_P(SanctionsTest, AppendOutsideTransactionIsRefused) {
  Status s = AppendSanction(conn(), Entry(88, 2025), clock_);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
}

TEST_P(SanctionsTest, RolledBackDecisionLeavesNoEntry) {
  AppendN(1);
  Status s = storage::RunInTransaction(conn(), [&](Connection& tx) -> Status {
    RETURN_IF_ERROR(AppendSanction(tx, Entry(88, 2025), clock_));
    return InvalidArgumentError("the case transition itself failed");
  });
  EXPECT_FALSE(s.ok());
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.entries, 1);
  auto v = IsVetoed(conn(), 88, 2025);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(*v);
}

TEST_P(SanctionsTest, SharesNoChainWithTheAuditLog) {
  AppendN(2);
  auto heads = conn().Query("SELECT ledger, seq FROM ledger_heads ORDER BY ledger");
  ASSERT_TRUE(heads.ok());
  bool saw = false;
  for (size_t r = 0; r < heads->size(); ++r) {
    if (heads->GetText(r, 0) == "sanctions") {
      saw = true;
      EXPECT_EQ(heads->GetInt(r, 1), 2);
    }
  }
  EXPECT_TRUE(saw);
  auto audit = VerifyAudit(conn());
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->ok);
}

TEST_P(SanctionsTest, DetectsEditedMeasure) {
  AppendN(4);
  // Softening a sanction after the fact: removal → notice of criticism.
  Exec("UPDATE sanctions SET measure = 'notice_of_criticism' WHERE seq = 2");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
  EXPECT_EQ(r.reason_en, "sanction entry 2 was edited (hash mismatch)");
  EXPECT_EQ(r.reason_zh, "处分台账第 2 条记录被篡改(哈希不符)");
}

TEST_P(SanctionsTest, DetectsEditedVetoYearAndAccountable) {
  AppendN(3);
  Exec("UPDATE sanctions SET veto_year = 2024 WHERE seq = 3");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);

  Exec("UPDATE sanctions SET veto_year = 2025 WHERE seq = 3");
  EXPECT_TRUE(Verify().ok);
  Exec("UPDATE sanctions SET accountable_json = '[]' WHERE seq = 1");
  r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 1);
}

TEST_P(SanctionsTest, DetectsEditWithRecomputedHash) {
  AppendN(3);
  auto rs = conn().Query("SELECT prev_hash FROM sanctions WHERE seq = 2");
  ASSERT_TRUE(rs.ok());
  std::string forged = ChainHash(rs->GetText(0, 0), "forged");
  Exec("UPDATE sanctions SET hash = '" + forged + "' WHERE seq = 2");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
}

TEST_P(SanctionsTest, DetectsDeletedEntry) {
  AppendN(4);
  Exec("DELETE FROM sanctions WHERE seq = 3");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
  EXPECT_NE(r.reason_en.find("deleted"), std::string::npos);
}

TEST_P(SanctionsTest, DetectsDeletedTail) {
  AppendN(4);
  Exec("DELETE FROM sanctions WHERE seq = 4");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 4);
  EXPECT_NE(r.reason_en.find("deleted"), std::string::npos);
}

// A forger's row (seq, 1, 7, 37, '/1/4/37/', 1, measure, 2025, 'x', '[]', 'x')
// under the current, typed encoding — what the forger would have to compute.
std::string ForgedEncoding(int64_t seq, const char* measure) {
  TypedEncoder enc;
  for (int64_t v : {seq, int64_t{1}, int64_t{7}, int64_t{37}}) enc.Add(v);
  enc.Add(std::string("/1/4/37/")).Add(int64_t{1}).Add(std::string(measure)).Add(int64_t{2025});
  for (const char* v : {"x", "[]", "x"}) enc.Add(std::string(v));
  return enc.bytes();
}

TEST_P(SanctionsTest, DetectsReplacedHeadHash) {
  AppendN(2);
  Exec("UPDATE ledger_heads SET hash = '" + std::string(64, 'e') + "' WHERE ledger = 'sanctions'");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason_en, "sanction entry 2 does not match the chain head's hash: head replaced "
                         "(or entry 2 replaced)");
  EXPECT_EQ(r.reason_zh, "处分台账第 2 条记录与链头哈希不符:链头被替换(或第 2 条记录被替换)");
}

TEST_P(SanctionsTest, EmptyTextForNullAndTextForIntegerAreEdits) {
  AppendN(2);
  if (GetParam() == Backend::kSqlite) {
    // 'abc' in an INTEGER column stays text; read as a number it was 0.
    Exec("UPDATE sanctions SET case_id = 0 WHERE seq = 1");
    Exec("UPDATE sanctions SET case_id = 'abc' WHERE seq = 1");
  } else {
    Exec("UPDATE sanctions SET reason = reason || '' WHERE seq = 1");  // no change at all
    EXPECT_TRUE(Verify().ok);
    Exec("UPDATE sanctions SET accountable_json = '' WHERE seq = 1");
  }
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason_en, "sanction entry 1 was edited (hash mismatch)");
}

TEST_P(SanctionsTest, ReChainedTailIsCaughtByTheHeadAnchor) {
  AppendN(3);
  auto heads = ReadHeads(conn(), clock_);
  ASSERT_TRUE(heads.ok());
  std::vector<Anchor> anchors = *heads;
  // Edit entry 3 and re-derive its hash and the head, as a forger would.
  auto rs = conn().Query(
      "SELECT seq, at_us, staff_id, org_id, org_path, case_id, measure, veto_year, reason, "
      "accountable_json, decided_by, prev_hash FROM sanctions WHERE seq = 3");
  ASSERT_TRUE(rs.ok());
  TypedEncoder enc;
  for (size_t i = 0; i < 11; ++i) {
    enc.Add(i == 6 ? storage::Value(std::string("notice_of_criticism")) : rs->at(0, i));
  }
  const std::string hash = ChainHash(rs->GetText(0, 11), enc.bytes());
  Exec("UPDATE sanctions SET measure = 'notice_of_criticism', hash = '" + hash + "' WHERE seq = 3");
  Exec("UPDATE ledger_heads SET hash = '" + hash + "' WHERE ledger = 'sanctions'");
  EXPECT_TRUE(Verify().ok);
  auto r = VerifySanctions(conn(), anchors);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->reason_en,
            "sanction entry 3 differs from the head anchor (written 2025-02-19T21:20:03Z, line 0): "
            "the chain was rewritten and re-chained at or before entry 3");
}

TEST_P(SanctionsTest, DetectsInsertedEntry) {
  AppendN(2);
  // A forged third entry chained correctly onto the second but without the
  // head moving: the head no longer names the last entry.
  auto rs = conn().Query("SELECT hash FROM sanctions WHERE seq = 2");
  ASSERT_TRUE(rs.ok());
  const std::string prev = rs->GetText(0, 0);
  const std::string enc = ForgedEncoding(3, "removal");
  Exec("INSERT INTO sanctions (seq, at_us, staff_id, org_id, org_path, case_id, measure, "
       "veto_year, reason, accountable_json, decided_by, prev_hash, hash) VALUES (3, 1, 7, 37, "
       "'/1/4/37/', 1, 'removal', 2025, 'x', '[]', 'x', '" + prev + "', '" +
       ChainHash(prev, enc) + "')");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
  EXPECT_EQ(r.reason_en, "sanction entry 3 lies beyond the chain head (entry 2): inserted");
  EXPECT_EQ(r.reason_zh, "处分台账第 3 条记录在链头(第 2 条)之后:系被插入");
}

TEST_P(SanctionsTest, DetectsReplacedLastEntry) {
  // The last entry replaced by a well-chained forgery: only the head's hash
  // still remembers the original.
  AppendN(2);
  auto rs = conn().Query("SELECT prev_hash FROM sanctions WHERE seq = 2");
  ASSERT_TRUE(rs.ok());
  const std::string prev = rs->GetText(0, 0);
  const std::string enc = ForgedEncoding(2, "notice_of_criticism");
  Exec("DELETE FROM sanctions WHERE seq = 2");
  Exec("INSERT INTO sanctions (seq, at_us, staff_id, org_id, org_path, case_id, measure, "
       "veto_year, reason, accountable_json, decided_by, prev_hash, hash) VALUES (2, 1, 7, 37, "
       "'/1/4/37/', 1, 'notice_of_criticism', 2025, 'x', '[]', 'x', '" + prev + "', '" +
       ChainHash(prev, enc) + "')");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
  EXPECT_EQ(r.reason_en, "sanction entry 2 does not match the chain head's hash: head replaced "
                         "(or entry 2 replaced)");
}

TEST_P(SanctionsTest, DetectsSwappedEntries) {
  AppendN(4);
  Exec("UPDATE sanctions SET seq = 100 WHERE seq = 2");
  Exec("UPDATE sanctions SET seq = 2 WHERE seq = 3");
  Exec("UPDATE sanctions SET seq = 3 WHERE seq = 100");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
  EXPECT_NE(r.reason_en.find("reordered"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, SanctionsTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::ledger
