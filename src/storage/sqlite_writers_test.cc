// SQLite write transactions of one server take turns in the order they
// asked (sqlite_backend.cc, WriterQueue): a thread committing back to back
// cannot starve another writer of the same process until its busy timeout.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.h"

namespace edugov::storage {
namespace {

namespace fs = std::filesystem;

struct TempFile {
  fs::path path = fs::temp_directory_path() / ("edugov-writers-" + std::to_string(::getpid()) + ".db");
  TempFile() { Remove(); }
  ~TempFile() { Remove(); }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
  }
};

// A writer committing transactions back to back, each holding the lock for
// a while, and a second writer with a busy timeout shorter than the first's
// run: every one of the second writer's transactions gets its turn. Before
// the queue, SQLite's sleep-and-retry lost the race after nearly every
// commit and the second writer failed with "database is locked".
TEST(SqliteWritersTest, ABackToBackWriterCannotStarveAnother) {
  TempFile file;
  auto db = Database::Open("sqlite:" + file.path.string(), {.pool_size = 3, .busy_timeout_ms = 500});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  {
    auto conn = (*db)->Acquire();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Execute("CREATE TABLE t (who TEXT, n INTEGER)", {}).ok());
  }
  std::atomic<bool> stop{false};
  std::atomic<int> hog_commits{0};
  std::thread hog([&] {
    auto conn = (*db)->Acquire();
    ASSERT_TRUE(conn.ok());
    while (!stop.load()) {
      Status s = RunInTransaction(**conn, [&](Connection& tx) -> Status {
        // Several ms holding the write lock: a rectification opened with
        // its events and audit entries. The other writer's timeout is ~50
        // of these: with its turn in the queue it waits for one.
        for (int i = 0; i < 1000; ++i) RETURN_IF_ERROR(tx.Execute("INSERT INTO t VALUES ('hog', " + std::to_string(i) + ")", {}).status());
        return OkStatus();
      });
      ASSERT_TRUE(s.ok()) << s.ToString();
      ++hog_commits;
    }
  });
  while (hog_commits.load() < 3) std::this_thread::yield();
  auto conn = (*db)->Acquire();
  ASSERT_TRUE(conn.ok());
  std::vector<std::string> failures;
  for (int k = 0; k < 50; ++k) {
    Status s = RunInTransaction(**conn, [&](Connection& tx) -> Status {
      return tx.Execute("INSERT INTO t VALUES ('other', " + std::to_string(k) + ")", {}).status();
    });
    if (!s.ok()) failures.push_back(s.ToString());
  }
  stop = true;
  hog.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " of 50 failed, first: " << failures.front();
  auto n = (*conn)->Query("SELECT count(*) FROM t WHERE who = 'other'", {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->GetInt(0, 0), 50);
  EXPECT_GT(hog_commits.load(), 3);
}

// A thread that holds a write transaction and asks for another on a second
// connection is told "busy" after the timeout, as SQLite would tell it —
// not left waiting for itself.
TEST(SqliteWritersTest, ASecondWriteTransactionOfTheSameThreadTimesOut) {
  TempFile file;
  auto db = Database::Open("sqlite:" + file.path.string(), {.pool_size = 2, .busy_timeout_ms = 100});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto a = (*db)->Acquire();
  auto b = (*db)->Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Execute("CREATE TABLE t (n INTEGER)", {}).ok());
  ASSERT_TRUE((*a)->Begin(TransactionMode::kWrite).ok());
  Status second = (*b)->Begin(TransactionMode::kWrite);
  EXPECT_EQ(second.code(), StatusCode::kUnavailable) << second.ToString();
  ASSERT_TRUE((*a)->Commit().ok());
  // The queue moved past the abandoned turn: both connections write again.
  ASSERT_TRUE(RunInTransaction(**b, [](Connection& tx) { return tx.Execute("INSERT INTO t VALUES (1)", {}).status(); }).ok());
  ASSERT_TRUE(RunInTransaction(**a, [](Connection& tx) { return tx.Execute("INSERT INTO t VALUES (2)", {}).status(); }).ok());
}

}  // namespace
}  // namespace edugov::storage
