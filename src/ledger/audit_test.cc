#include "ledger/audit.h"

#include <gtest/gtest.h>

#include "ledger/chain.h"
#include "ledger/ledger_test_support.h"
#include "testing/test_db.h"

namespace edugov::ledger {
namespace {

using storage::Backend;
using storage::Connection;

class AuditTest : public LedgerDbTest {
 protected:
  void AppendN(int n) {
    for (int i = 1; i <= n; ++i) {
      Status s = storage::RunInTransaction(conn(), [&](Connection& tx) {
        return AppendAudit(tx,
                           {.actor_user_id = 7, .actor = "juzhang", .action = "org.update",
                            .entity = "org", .entity_id = std::to_string(i),
                            .before = R"({"name":"旧"})", .after = R"({"name":"新"})"},
                           clock_);
      });
      ASSERT_TRUE(s.ok()) << s.ToString();
      clock_.Advance(std::chrono::seconds(1));
    }
  }

  VerifyReport Verify() {
    auto r = VerifyAudit(conn());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyReport{};
  }
};

TEST_P(AuditTest, EmptyChainVerifies) {
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.entries, 0);
}

TEST_P(AuditTest, AppendedEntriesVerifyAndReadBackNewestFirst) {
  AppendN(5);
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok) << r.reason_en;
  EXPECT_EQ(r.entries, 5);

  auto recent = ReadAudit(conn(), 0, 2);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].seq, 5);
  EXPECT_EQ((*recent)[1].seq, 4);
  EXPECT_EQ((*recent)[0].entry.after, R"({"name":"新"})");
  auto older = ReadAudit(conn(), 4, 10);
  ASSERT_TRUE(older.ok());
  EXPECT_EQ(older->size(), 3u);
  EXPECT_EQ((*older)[0].seq, 3);
}

TEST_P(AuditTest, AppendOutsideTransactionIsRefused) {
  Status s = AppendAudit(conn(), {.actor = "x", .action = "a.b", .entity = "e"}, clock_);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
}

TEST_P(AuditTest, RolledBackChangeLeavesNoEntry) {
  AppendN(1);
  Status s = storage::RunInTransaction(conn(), [&](Connection& tx) -> Status {
    RETURN_IF_ERROR(AppendAudit(tx, {.actor = "x", .action = "a.b", .entity = "e"}, clock_));
    return InvalidArgumentError("the change itself failed");
  });
  EXPECT_FALSE(s.ok());
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.entries, 1);
}

TEST_P(AuditTest, DetectsEditedEntry) {
  AppendN(4);
  Exec("UPDATE audit_log SET after_json = '{\"name\":\"改\"}' WHERE seq = 2");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
  EXPECT_NE(r.reason_en.find("edited"), std::string::npos);
}

TEST_P(AuditTest, DetectsEditWithRecomputedHash) {
  // A forger who recomputes the edited entry's own hash still breaks the link
  // to the next entry.
  AppendN(3);
  auto rs = conn().Query("SELECT prev_hash FROM audit_log WHERE seq = 2");
  ASSERT_TRUE(rs.ok());
  std::string forged = ChainHash(rs->GetText(0, 0), "forged");
  Exec("UPDATE audit_log SET hash = '" + forged + "' WHERE seq = 2");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
}

TEST_P(AuditTest, DetectsDeletedEntry) {
  AppendN(4);
  Exec("DELETE FROM audit_log WHERE seq = 3");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
  EXPECT_NE(r.reason_en.find("deleted"), std::string::npos);
}

TEST_P(AuditTest, DetectsDeletedTail) {
  AppendN(4);
  Exec("DELETE FROM audit_log WHERE seq = 4");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 4);
  // Pinned word for word: the wording is what `edugov audit verify` prints.
  EXPECT_EQ(r.reason_en, "the chain ends at entry 3 but its head says 4: entries after it were deleted");
  EXPECT_EQ(r.reason_zh, "审计链在第 3 条结束,但链头记录为第 4 条:其后的记录已被删除");
}

TEST_P(AuditTest, DetectsReorderedEntries) {
  AppendN(4);
  Exec("UPDATE audit_log SET seq = 100 WHERE seq = 2");
  Exec("UPDATE audit_log SET seq = 2 WHERE seq = 3");
  Exec("UPDATE audit_log SET seq = 3 WHERE seq = 100");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::ledger
