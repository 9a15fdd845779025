// The Database contract, run against both backends (PostgreSQL only under
// scripts/with-postgres.sh).
#include "storage/database.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "storage/internal/pool.h"
#include "storage/test_util.h"

namespace edugov::storage {
namespace {

using testing::BackendTest;

class DatabaseTest : public BackendTest {};

TEST_P(DatabaseTest, BindsEveryValueTypeAndReadsItBackTyped) {
  ASSERT_OK(Ddl("CREATE TABLE t (k INTEGER PRIMARY KEY, i BIGINT, r {{REAL}}, s TEXT, b {{BLOB}})"));
  const std::string blob("\0\x01\xff\t\n\\x", 7);
  const std::string chinese = "县教育局·课后作业 ✓";
  ASSERT_OK(conn().Execute("INSERT INTO t (k, i, r, s, b) VALUES ($1, $2, $3, $4, $5)",
                           {int64_t{1}, std::numeric_limits<int64_t>::min(), 0.1, chinese,
                            Blob{blob}}));
  ASSERT_OK(conn().Execute("INSERT INTO t (k, i, r, s, b) VALUES ($1, $2, $3, $4, $5)",
                           {int64_t{2}, Null(), Null(), Null(), Null()}));
  ASSERT_OK(conn().Execute("INSERT INTO t (k, i, r, s, b) VALUES ($1, $2, $3, $4, $5)",
                           {int64_t{3}, std::numeric_limits<int64_t>::max(), -2.5e300,
                            std::string(), Blob{}}));
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT k, i, r, s, b FROM t ORDER BY k"));
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs.columns(), (std::vector<std::string>{"k", "i", "r", "s", "b"}));
  EXPECT_EQ(rs.at(0, 1), Value(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(rs.at(0, 2), Value(0.1));
  EXPECT_EQ(rs.at(0, 3), Value(chinese));
  EXPECT_EQ(rs.at(0, 4), Value(Blob{blob}));
  for (size_t c = 1; c < 5; ++c) EXPECT_TRUE(rs.IsNull(1, c)) << c;
  EXPECT_EQ(rs.GetInt(1, 1, 42), 42);
  EXPECT_EQ(rs.GetText(1, 3, "none"), "none");
  EXPECT_EQ(rs.GetOptionalInt(1, 1), std::nullopt);
  EXPECT_EQ(rs.GetOptionalText(1, 3), std::nullopt);
  EXPECT_EQ(rs.at(2, 1), Value(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(rs.GetDouble(2, 2), -2.5e300);
  EXPECT_EQ(rs.at(2, 3), Value(std::string()));
  EXPECT_EQ(rs.at(2, 4), Value(Blob{}));
  // Numeric accessors convert between integer and floating columns.
  EXPECT_EQ(rs.GetDouble(0, 0), 1.0);

  // Parameters in a WHERE clause, Chinese text compared exactly.
  ASSERT_OK_AND_ASSIGN(ResultSet found, conn().Query("SELECT k FROM t WHERE s = $1", {chinese}));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found.GetInt(0, 0), 1);
}

TEST_P(DatabaseTest, ParametersMayRepeatAndAppearOutOfOrder) {
  ASSERT_OK(Ddl("CREATE TABLE t (a BIGINT, b TEXT)"));
  ASSERT_OK(conn().Execute("INSERT INTO t (b, a) VALUES ($2, $1)", {int64_t{7}, "seven"}));
  ASSERT_OK_AND_ASSIGN(ResultSet rs,
                       conn().Query("SELECT b FROM t WHERE a = $1 AND a + $1 = 14", {int64_t{7}}));
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs.GetText(0, 0), "seven");
  ASSERT_OK_AND_ASSIGN(size_t b, rs.ColumnIndex("b"));
  EXPECT_EQ(b, 0u);
  EXPECT_EQ(rs.ColumnIndex("nope").status().code(), StatusCode::kInvalidArgument);
}

TEST_P(DatabaseTest, ExecuteReturnsChangedRows) {
  ASSERT_OK(Ddl("CREATE TABLE t (a BIGINT)"));
  ASSERT_OK_AND_ASSIGN(int64_t inserted, conn().Execute("INSERT INTO t (a) VALUES (1), (2), (3)"));
  EXPECT_EQ(inserted, 3);
  ASSERT_OK_AND_ASSIGN(int64_t updated, conn().Execute("UPDATE t SET a = a + 10 WHERE a >= $1",
                                                       {int64_t{2}}));
  EXPECT_EQ(updated, 2);
  ASSERT_OK_AND_ASSIGN(int64_t ddl, conn().Execute("CREATE TABLE u (a BIGINT)"));
  EXPECT_EQ(ddl, 0);
}

TEST_P(DatabaseTest, ReturningGivesGeneratedIds) {
  ASSERT_OK(Ddl("CREATE TABLE orgs (id {{ID}}, name TEXT NOT NULL UNIQUE)"));
  ASSERT_OK_AND_ASSIGN(ResultSet first,
                       conn().Query("INSERT INTO orgs (name) VALUES ($1) RETURNING id", {"一中"}));
  ASSERT_OK_AND_ASSIGN(ResultSet second,
                       conn().Query("INSERT INTO orgs (name) VALUES ($1) RETURNING id, name",
                                    {"二中"}));
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_GT(second.GetInt(0, 0), first.GetInt(0, 0));
  EXPECT_EQ(second.GetText(0, 1), "二中");
}

TEST_P(DatabaseTest, OnConflictUpdatesOrDoesNothing) {
  ASSERT_OK(Ddl("CREATE TABLE counts (name TEXT PRIMARY KEY, n BIGINT NOT NULL)"));
  const char* upsert =
      "INSERT INTO counts (name, n) VALUES ($1, 1) "
      "ON CONFLICT (name) DO UPDATE SET n = counts.n + 1 RETURNING n";
  for (int64_t want = 1; want <= 3; ++want) {
    ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query(upsert, {"作业"}));
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs.GetInt(0, 0), want);
  }
  ASSERT_OK_AND_ASSIGN(int64_t changed,
                       conn().Execute("INSERT INTO counts (name, n) VALUES ($1, 100) "
                                      "ON CONFLICT DO NOTHING",
                                      {"作业"}));
  EXPECT_EQ(changed, 0);
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT n FROM counts"));
  EXPECT_EQ(rs.GetInt(0, 0), 3);
}

TEST_P(DatabaseTest, TransactionCommits) {
  ASSERT_OK(Ddl("CREATE TABLE t (a BIGINT)"));
  ASSERT_OK(RunInTransaction(conn(), [](Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO t (a) VALUES (1)"));
    return tx.Execute("INSERT INTO t (a) VALUES (2)").status();
  }));
  EXPECT_FALSE(conn().in_transaction());
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT COUNT(*) FROM t"));
  EXPECT_EQ(rs.GetInt(0, 0), 2);
}

TEST_P(DatabaseTest, TransactionRollsBackOnErrorLeavingNothingHalfWritten) {
  ASSERT_OK(Ddl("CREATE TABLE t (a BIGINT PRIMARY KEY)"));
  Status s = RunInTransaction(conn(), [](Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO t (a) VALUES (1)"));
    RETURN_IF_ERROR(tx.Execute("INSERT INTO t (a) VALUES (2)"));
    return tx.Execute("INSERT INTO t (a) VALUES (1)").status();  // duplicate
  });
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_FALSE(conn().in_transaction());
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT COUNT(*) FROM t"));
  EXPECT_EQ(rs.GetInt(0, 0), 0);
}

TEST_P(DatabaseTest, TransactionRollsBackWhenBodyReturnsError) {
  ASSERT_OK(Ddl("CREATE TABLE t (a BIGINT)"));
  Status s = RunInTransaction(conn(), [](Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO t (a) VALUES (1)"));
    return NotFoundError("no such class", "没有这个班级");
  });
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT COUNT(*) FROM t"));
  EXPECT_EQ(rs.GetInt(0, 0), 0);
}

TEST_P(DatabaseTest, TransactionRollsBackWhenBodyThrows) {
  ASSERT_OK(Ddl("CREATE TABLE t (a BIGINT)"));
  Status s = RunInTransaction(conn(), [](Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO t (a) VALUES (1)"));
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message_en().find("boom"), std::string::npos);
  EXPECT_FALSE(conn().in_transaction());
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT COUNT(*) FROM t"));
  EXPECT_EQ(rs.GetInt(0, 0), 0);
}

TEST_P(DatabaseTest, NestedBeginIsRefused) {
  ASSERT_OK(conn().Begin(TransactionMode::kRead));
  EXPECT_EQ(conn().Begin(TransactionMode::kWrite).code(), StatusCode::kFailedPrecondition);
  conn().Rollback();
  EXPECT_FALSE(conn().in_transaction());
}

TEST_P(DatabaseTest, BulkInsertRoundTripsOneHundredThousandRows) {
  ASSERT_OK(Ddl("CREATE TABLE big (id BIGINT PRIMARY KEY, label TEXT, score {{REAL}})"));
  constexpr int64_t kRows = 100000;
  std::vector<Params> rows;
  rows.reserve(kRows);
  for (int64_t i = 0; i < kRows; ++i) {
    rows.push_back({i, "学生" + std::to_string(i), static_cast<double>(i) / 4});
  }
  ASSERT_OK(RunInTransaction(conn(), [&](Connection& tx) {
    return tx.BulkInsert("big", {"id", "label", "score"}, rows);
  }));
  ASSERT_OK_AND_ASSIGN(ResultSet rs,
                       conn().Query("SELECT COUNT(*), SUM(id), SUM(score) FROM big"));
  EXPECT_EQ(rs.GetInt(0, 0), kRows);
  EXPECT_EQ(rs.GetInt(0, 1), kRows * (kRows - 1) / 2);
  EXPECT_DOUBLE_EQ(rs.GetDouble(0, 2), static_cast<double>(kRows * (kRows - 1) / 2) / 4);
  ASSERT_OK_AND_ASSIGN(ResultSet one,
                       conn().Query("SELECT label, score FROM big WHERE id = $1", {int64_t{77777}}));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one.GetText(0, 0), "学生77777");
  EXPECT_EQ(one.GetDouble(0, 1), 77777.0 / 4);
}

TEST_P(DatabaseTest, BulkInsertKeepsSpecialCharactersNullsAndBytes) {
  ASSERT_OK(Ddl("CREATE TABLE odd (id BIGINT PRIMARY KEY, s TEXT, b {{BLOB}}, r {{REAL}})"));
  const std::vector<std::string> texts = {
      "tab\there",     "new\nline",   "carriage\rreturn", "back\\slash", "\\N",
      "\\.",           "中文，全角。", "",                 "end\\",       "\\x41",
      "quote\"and'",   "a\t\\n\r\n",
  };
  const std::string bytes("\0\t\n\\\xff\x80 N", 8);
  std::vector<Params> rows;
  for (size_t i = 0; i < texts.size(); ++i) {
    rows.push_back({static_cast<int64_t>(i), texts[i], Blob{bytes + texts[i]}, 0.5 * i});
  }
  rows.push_back({int64_t{100}, Null(), Null(), Null()});
  ASSERT_OK(RunInTransaction(conn(), [&](Connection& tx) {
    return tx.BulkInsert("odd", {"id", "s", "b", "r"}, rows);
  }));
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT id, s, b, r FROM odd ORDER BY id"));
  ASSERT_EQ(rs.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rs.row(i), rows[i]) << "row " << i;
  }
}

TEST_P(DatabaseTest, BulkInsertNeedsTransactionAndWholeRows) {
  ASSERT_OK(Ddl("CREATE TABLE t (a BIGINT, b TEXT)"));
  EXPECT_EQ(conn().BulkInsert("t", {"a", "b"}, {{int64_t{1}, "x"}}).code(),
            StatusCode::kFailedPrecondition);
  Status ragged = RunInTransaction(conn(), [](Connection& tx) {
    return tx.BulkInsert("t", {"a", "b"}, {{int64_t{1}, "x"}, {int64_t{2}}});
  });
  EXPECT_EQ(ragged.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ragged.field(), "row 1");
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT COUNT(*) FROM t"));
  EXPECT_EQ(rs.GetInt(0, 0), 0);
}

TEST_P(DatabaseTest, UniqueViolationIsAlreadyExists) {
  ASSERT_OK(Ddl("CREATE TABLE users (id BIGINT PRIMARY KEY, username TEXT UNIQUE)"));
  ASSERT_OK(conn().Execute("INSERT INTO users (id, username) VALUES (1, $1)", {"zhang"}));
  Status pk = conn().Execute("INSERT INTO users (id, username) VALUES (1, $1)", {"li"}).status();
  EXPECT_EQ(pk.code(), StatusCode::kAlreadyExists) << pk.ToString();
  Status unique =
      conn().Execute("INSERT INTO users (id, username) VALUES (2, $1)", {"zhang"}).status();
  EXPECT_EQ(unique.code(), StatusCode::kAlreadyExists) << unique.ToString();
  EXPECT_NE(unique.message_en().find("username"), std::string::npos) << unique.ToString();
  Status bulk = RunInTransaction(conn(), [](Connection& tx) {
    return tx.BulkInsert("users", {"id", "username"}, {{int64_t{3}, "wang"}, {int64_t{4}, "zhang"}});
  });
  EXPECT_EQ(bulk.code(), StatusCode::kAlreadyExists) << bulk.ToString();
}

TEST_P(DatabaseTest, ForeignKeyViolationIsFailedPrecondition) {
  ASSERT_OK(Ddl("CREATE TABLE schools (id BIGINT PRIMARY KEY);"
                "CREATE TABLE classes (id BIGINT PRIMARY KEY,"
                " school_id BIGINT NOT NULL REFERENCES schools (id))"));
  ASSERT_OK(conn().Execute("INSERT INTO schools (id) VALUES (1)"));
  ASSERT_OK(conn().Execute("INSERT INTO classes (id, school_id) VALUES (1, 1)"));
  Status s = conn().Execute("INSERT INTO classes (id, school_id) VALUES (2, 99)").status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  Status del = conn().Execute("DELETE FROM schools WHERE id = 1").status();
  EXPECT_EQ(del.code(), StatusCode::kFailedPrecondition) << del.ToString();
}

TEST_P(DatabaseTest, SyntaxErrorIsInvalidArgument) {
  Status s = conn().Execute("SELEKT 1").status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

TEST_P(DatabaseTest, PoolConnectionsShareOneDatabase) {
  ASSERT_OK(Ddl("CREATE TABLE t (a TEXT)"));
  ASSERT_OK(conn().Execute("INSERT INTO t (a) VALUES ($1)", {"共享"}));
  ASSERT_OK_AND_ASSIGN(ConnectionHandle other, db().Acquire());
  ASSERT_NE(other.get(), &conn());
  ASSERT_OK_AND_ASSIGN(ResultSet rs, other->Query("SELECT a FROM t"));
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs.GetText(0, 0), "共享");
}

TEST_P(DatabaseTest, HandleDroppedInsideTransactionIsRolledBack) {
  ASSERT_OK(Ddl("CREATE TABLE t (a BIGINT)"));
  {
    ASSERT_OK_AND_ASSIGN(ConnectionHandle h, db().Acquire());
    ASSERT_OK(h->Begin(TransactionMode::kWrite));
    ASSERT_OK(h->Execute("INSERT INTO t (a) VALUES (1)"));
  }
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT COUNT(*) FROM t"));
  EXPECT_EQ(rs.GetInt(0, 0), 0);
}

TEST_P(DatabaseTest, AcquireBlocksWhilePoolIsExhaustedAndResumesOnRelease) {
  // options_.pool_size is 4 and the fixture holds one.
  std::vector<ConnectionHandle> held;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(ConnectionHandle h, db().Acquire());
    held.push_back(std::move(h));
  }
  auto* pool = dynamic_cast<internal::PooledDatabase*>(&db());
  ASSERT_NE(pool, nullptr);

  std::mutex mu;
  std::condition_variable cv;
  bool acquired = false;
  Connection* got = nullptr;
  std::thread waiter([&] {
    auto h = db().Acquire();
    std::lock_guard<std::mutex> lock(mu);
    acquired = h.ok();
    got = h.ok() ? h->get() : nullptr;
    cv.notify_all();
    // `h` goes back to the pool here.
  });
  // The waiter is parked in Acquire() once the pool counts it.
  while (pool->waiting() == 0) std::this_thread::yield();
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_FALSE(acquired);
  }
  Connection* released = held.back().get();
  held.pop_back();  // returns one connection
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return acquired; });
  }
  waiter.join();
  EXPECT_EQ(got, released);
  EXPECT_EQ(pool->waiting(), 0);
}

TEST_P(DatabaseTest, ConcurrentWritersAllCommit) {
  ASSERT_OK(Ddl("CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
                "INSERT INTO counter (id, n) VALUES (1, 0)"));
  constexpr int kThreads = 3, kIncrements = 50;
  std::vector<std::thread> threads;
  std::vector<Status> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto h = db().Acquire();
      if (!h.ok()) {
        results[t] = h.status();
        return;
      }
      for (int i = 0; i < kIncrements && results[t].ok(); ++i) {
        results[t] = RunInTransaction(**h, [](Connection& tx) {
          return tx.Execute("UPDATE counter SET n = n + 1 WHERE id = 1").status();
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const Status& s : results) EXPECT_OK(s);
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT n FROM counter"));
  EXPECT_EQ(rs.GetInt(0, 0), kThreads * kIncrements);
}

// PostgreSQL only: the server can drop a session under us.
TEST_P(DatabaseTest, BrokenConnectionIsReplacedOnNextAcquire) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "a SQLite connection cannot break";
  ASSERT_OK_AND_ASSIGN(ConnectionHandle victim, db().Acquire());
  ASSERT_OK_AND_ASSIGN(ResultSet pid, victim->Query("SELECT pg_backend_pid()"));
  ASSERT_OK(conn().Query("SELECT pg_terminate_backend(CAST($1 AS INTEGER))", {pid.GetInt(0, 0)}));
  Status lost = victim->Query("SELECT 1").status();
  EXPECT_EQ(lost.code(), StatusCode::kUnavailable) << lost.ToString();
  // Hold every other slot so the next Acquire must reuse the victim's.
  std::vector<ConnectionHandle> others;
  for (int i = 0; i < options_.pool_size - 2; ++i) {
    ASSERT_OK_AND_ASSIGN(ConnectionHandle h, db().Acquire());
    others.push_back(std::move(h));
  }
  victim.Reset();
  ASSERT_OK_AND_ASSIGN(ConnectionHandle fresh, db().Acquire());
  ASSERT_OK_AND_ASSIGN(ResultSet one, fresh->Query("SELECT 1 AS one"));
  EXPECT_EQ(one.GetInt(0, 0), 1);
}

// PostgreSQL aborts a transaction at its first error; a body that swallows
// the error and returns OK must not be told its writes were committed.
TEST_P(DatabaseTest, CommitOfAbortedPostgresTransactionIsAnError) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "SQLite keeps the transaction usable";
  ASSERT_OK(Ddl("CREATE TABLE t (a BIGINT PRIMARY KEY)"));
  Status s = RunInTransaction(conn(), [](Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO t (a) VALUES (1)"));
    (void)tx.Execute("INSERT INTO t (a) VALUES (1)");  // fails; error ignored on purpose
    return OkStatus();
  });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_FALSE(conn().in_transaction());
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT COUNT(*) FROM t"));
  EXPECT_EQ(rs.GetInt(0, 0), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::ParamName);

}  // namespace
}  // namespace edugov::storage
