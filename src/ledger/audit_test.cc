#include "ledger/audit.h"

#include <gtest/gtest.h>

#include <cstdio>

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

// ---- every tamper variant named exactly (issue 15) ---------------------------

constexpr const char* kColumns =
    "seq, at_us, actor_user_id, actor, action, entity, entity_id, before_json, after_json";

// Re-chains entries from..last the way a forger with database access would:
// every later prev_hash and hash recomputed under the current encoding, and
// the head row moved along — consistent in itself.
void Rechain(LedgerDbTest& t, Connection& c, int64_t from) {
  auto rs = c.Query(std::string("SELECT ") + kColumns + ", prev_hash FROM audit_log ORDER BY seq");
  ASSERT_TRUE(rs.ok());
  std::string prev = GenesisHash();
  for (size_t r = 0; r < rs->size(); ++r) {
    const int64_t seq = rs->GetInt(r, 0);
    if (seq < from) {
      auto h = c.Query("SELECT hash FROM audit_log WHERE seq = $1", {seq});
      prev = h->GetText(0, 0);
      continue;
    }
    TypedEncoder enc;
    for (size_t i = 0; i < 9; ++i) enc.Add(rs->at(r, i));
    const std::string hash = ChainHash(prev, enc.bytes());
    ASSERT_TRUE(c.Execute("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3",
                          {prev, hash, seq})
                    .ok());
    prev = hash;
  }
  ASSERT_TRUE(c.Execute("UPDATE ledger_heads SET hash = $1 WHERE ledger = 'audit'", {prev}).ok());
  (void)t;
}

TEST_P(AuditTest, NullTurnedIntoEmptyStringIsAnEdit) {
  Status s = storage::RunInTransaction(conn(), [&](Connection& tx) {
    return AppendAudit(tx, {.actor = "juzhang", .action = "org.create", .entity = "org",
                            .entity_id = "1", .after = "{}"},
                       clock_);  // before_json is NULL
  });
  ASSERT_TRUE(s.ok());
  AppendN(1);
  Exec("UPDATE audit_log SET before_json = '' WHERE seq = 1");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason_en, "entry 1 was edited (hash mismatch)");
  EXPECT_EQ(r.reason_zh, "第 1 条记录被篡改(哈希不符)");
}

TEST_P(AuditTest, IntegerTurnedIntoTextIsAnEdit) {
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "PostgreSQL's columns are strictly typed";
  Status s = storage::RunInTransaction(conn(), [&](Connection& tx) {
    return AppendAudit(tx, {.actor_user_id = 0, .actor = "system", .action = "demo.generate",
                            .entity = "demo", .entity_id = "1"},
                       clock_);
  });
  ASSERT_TRUE(s.ok());
  // Read as a number, 'system' is 0 — the old encoding could not tell.
  Exec("UPDATE audit_log SET actor_user_id = 'system' WHERE seq = 1");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason_en, "entry 1 was edited (hash mismatch)");
  // And text turned into a blob with the same bytes.
  Exec("UPDATE audit_log SET actor_user_id = 0, entity_id = CAST('1' AS BLOB) WHERE seq = 1");
  r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason_en, "entry 1 was edited (hash mismatch)");
}

TEST_P(AuditTest, ReplacedHeadHashIsNamed) {
  AppendN(3);
  Exec("UPDATE ledger_heads SET hash = '" + std::string(64, 'f') + "' WHERE ledger = 'audit'");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
  EXPECT_EQ(r.reason_en,
            "entry 3 does not match the chain head's hash: head replaced (or entry 3 replaced)");
  EXPECT_EQ(r.reason_zh, "第 3 条记录与链头哈希不符:链头被替换(或第 3 条记录被替换)");
}

TEST_P(AuditTest, WellChainedRowBeyondTheHeadIsInserted) {
  AppendN(3);
  auto head = conn().Query("SELECT hash FROM ledger_heads WHERE ledger = 'audit'");
  ASSERT_TRUE(head.ok());
  const std::string prev = head->GetText(0, 0);
  storage::Params row;
  for (int64_t v : {4, 1, 0}) row.emplace_back(v);
  for (const char* v : {"mallory", "org.update", "org", "9"}) row.emplace_back(std::string(v));
  row.emplace_back(storage::Null());
  row.emplace_back(storage::Null());
  TypedEncoder enc;
  for (const storage::Value& v : row) enc.Add(v);
  row.push_back(prev);
  row.push_back(ChainHash(prev, enc.bytes()));
  ASSERT_TRUE(conn().Execute(std::string("INSERT INTO audit_log (") + kColumns +
                                 ", prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                             row)
                  .ok());
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 4);
  EXPECT_EQ(r.reason_en, "entry 4 lies beyond the chain head (entry 3): inserted");
  EXPECT_EQ(r.reason_zh, "第 4 条记录在链头(第 3 条)之后:系被插入");
}

TEST_P(AuditTest, ReChainedTailIsCaughtByTheHeadAnchor) {
  const std::string file = ::testing::TempDir() + "/audit_anchor_" +
                           testing::BackendName(GetParam()) + ".txt";
  std::remove(file.c_str());
  AppendN(3);
  auto heads = ReadHeads(conn(), clock_);
  ASSERT_TRUE(heads.ok());
  ASSERT_TRUE(AppendAnchors(file, *heads).ok());  // line 1: audit at 3, line 2: sanctions
  AppendN(2);
  auto anchors = ReadAnchorFile(file);
  ASSERT_TRUE(anchors.ok()) << anchors.status().ToString();
  {
    auto r = VerifyAudit(conn(), *anchors);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->ok) << r->reason_en;
    EXPECT_EQ(r->anchors_checked, 1);
  }
  Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2");
  Rechain(*this, conn(), 2);
  EXPECT_TRUE(Verify().ok) << "the chain alone cannot see a re-chained tail";
  auto r = VerifyAudit(conn(), *anchors);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->first_bad_seq, 3);
  EXPECT_EQ(r->reason_en,
            "entry 3 differs from the head anchor (written 2025-02-19T21:20:03Z, line 1): the chain "
            "was rewritten and re-chained at or before entry 3");
  EXPECT_EQ(r->reason_zh,
            "第 3 条记录与链头锚点(写于 2025-02-19T21:20:03Z，第 1 行)不符:链在第 3 条或之前被改写并重新链接");
  std::remove(file.c_str());
}

TEST_P(AuditTest, CutTailWithRewrittenHeadIsCaughtByTheHeadAnchor) {
  const std::string file = ::testing::TempDir() + "/audit_anchor_cut_" +
                           testing::BackendName(GetParam()) + ".txt";
  std::remove(file.c_str());
  AppendN(5);
  ASSERT_TRUE(AppendAnchors(file, *ReadHeads(conn(), clock_)).ok());
  Exec("DELETE FROM audit_log WHERE seq > 3");
  auto h3 = conn().Query("SELECT hash FROM audit_log WHERE seq = 3");
  ASSERT_TRUE(h3.ok());
  Exec("UPDATE ledger_heads SET seq = 3, hash = '" + h3->GetText(0, 0) + "' WHERE ledger = 'audit'");
  EXPECT_TRUE(Verify().ok);
  auto r = VerifyAudit(conn(), *ReadAnchorFile(file));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->reason_en,
            "the chain ends at entry 3 but the head anchor (written 2025-02-19T21:20:05Z, line 1) "
            "records entry 5: entries after 3 were deleted and the head rewritten");
  std::remove(file.c_str());
}

TEST_P(AuditTest, ChainsWrittenUnderVersion1StillVerify) {
  // Two entries as edugov wrote them before the typed encoding, then one now.
  std::string prev = GenesisHash();
  for (int64_t seq = 1; seq <= 2; ++seq) {
    CanonicalEncoder enc;
    enc.Add(seq).Add(int64_t{1}).Add(int64_t{7}).Add("juzhang").Add("org.update").Add("org")
        .Add("1").Add("").Add("{}");
    const std::string hash = ChainHash(prev, enc.bytes());
    ASSERT_TRUE(conn().Execute(std::string("INSERT INTO audit_log (") + kColumns +
                                   ", prev_hash, hash) VALUES ($1,1,7,'juzhang','org.update','org',"
                                   "'1',NULL,'{}',$2,$3)",
                               {seq, prev, hash})
                    .ok());
    prev = hash;
  }
  Exec("UPDATE ledger_heads SET seq = 2, hash = '" + prev + "' WHERE ledger = 'audit'");
  AppendN(1);
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok) << r.reason_en;
  EXPECT_EQ(r.entries, 3);
  // An old entry edited is still an edit.
  Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2");
  r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason_en, "entry 2 was edited (hash mismatch)");
}

TEST(AnchorFile, MalformedLinesNameFileLineAndField) {
  const std::string file = ::testing::TempDir() + "/bad_anchor.txt";
  FILE* f = std::fopen(file.c_str(), "w");
  std::fputs("# anchors\nedugov-anchor 1 audit 3 nothex 2025-01-01T00:00:00Z\n", f);
  std::fclose(f);
  auto r = ReadAnchorFile(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "hash");
  EXPECT_EQ(r.status().message_en(), file + ":2: hash: not 64 lower-case hex digits");
  std::remove(file.c_str());
  EXPECT_EQ(ReadAnchorFile(file).status().code(), StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::ledger
