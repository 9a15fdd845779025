// The migration runner against both backends, with test-only migration
// lists (the real schema/*.sql files belong to other modules).
#include "storage/migrations.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "storage/internal/migrate.h"
#include "storage/test_util.h"

namespace edugov::storage {
namespace {

using internal::CheckSchemaCurrentWith;
using internal::MigrateWith;
using testing::BackendTest;

const TimePoint kStart = FromUnixMicros(1740960000000000);  // 2025-03-03T08:00:00+08:00

std::vector<Migration> ThreeMigrations() {
  return {
      {1, "schools", "CREATE TABLE schools (id {{ID}}, name TEXT NOT NULL UNIQUE);"},
      {2, "classes",
       "CREATE TABLE classes (id {{ID}}, school_id BIGINT NOT NULL REFERENCES schools (id),"
       " photo {{BLOB}}, avg_score {{REAL}});\n"
       "CREATE INDEX classes_school ON classes (school_id);"},
      {3, "seed", "INSERT INTO schools (name) VALUES ('实验小学');"},
  };
}

class MigrationsTest : public BackendTest {
 protected:
  FakeClock clock_{kStart};
};

TEST_P(MigrationsTest, FreshDatabaseIsAtVersionZero) {
  ASSERT_OK_AND_ASSIGN(int v, CurrentSchemaVersion(conn()));
  EXPECT_EQ(v, 0);
}

TEST_P(MigrationsTest, AppliesEachMigrationOnceAndRecordsIt) {
  ASSERT_OK_AND_ASSIGN(int applied, MigrateWith(conn(), clock_, ThreeMigrations()));
  EXPECT_EQ(applied, 3);
  ASSERT_OK_AND_ASSIGN(int v, CurrentSchemaVersion(conn()));
  EXPECT_EQ(v, 3);
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query(
      "SELECT version, name, applied_at FROM schema_migrations ORDER BY version"));
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs.GetText(1, 1), "classes");
  EXPECT_EQ(rs.GetInt(2, 2), ToUnixMicros(kStart));
  ASSERT_OK_AND_ASSIGN(ResultSet seeded, conn().Query("SELECT name FROM schools"));
  ASSERT_EQ(seeded.size(), 1u);
  EXPECT_EQ(seeded.GetText(0, 0), "实验小学");
  EXPECT_OK(CheckSchemaCurrentWith(conn(), 3));
}

TEST_P(MigrationsTest, RerunIsANoOp) {
  ASSERT_OK(MigrateWith(conn(), clock_, ThreeMigrations()));
  clock_.Advance(std::chrono::hours(1));
  ASSERT_OK_AND_ASSIGN(int again, MigrateWith(conn(), clock_, ThreeMigrations()));
  EXPECT_EQ(again, 0);
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT COUNT(*) FROM schools"));
  EXPECT_EQ(rs.GetInt(0, 0), 1);  // the seed ran once
}

TEST_P(MigrationsTest, AppliesOnlyPendingMigrations) {
  std::vector<Migration> all = ThreeMigrations();
  ASSERT_OK(MigrateWith(conn(), clock_, {all[0]}));
  Status behind = CheckSchemaCurrentWith(conn(), 3);
  EXPECT_EQ(behind.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(behind.message_en(),
            "database schema is at version 1, this edugov needs 3: run `edugov migrate`");
  EXPECT_EQ(behind.message_zh(), "数据库结构版本为 1,需要 3:请先运行 edugov migrate");
  clock_.Advance(std::chrono::minutes(5));
  ASSERT_OK_AND_ASSIGN(int applied, MigrateWith(conn(), clock_, all));
  EXPECT_EQ(applied, 2);
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query(
      "SELECT applied_at FROM schema_migrations ORDER BY version"));
  EXPECT_EQ(rs.GetInt(0, 0), ToUnixMicros(kStart));
  EXPECT_EQ(rs.GetInt(1, 0), ToUnixMicros(kStart + std::chrono::minutes(5)));
}

TEST_P(MigrationsTest, NewerDatabaseIsRefusedAndUntouched) {
  ASSERT_OK(MigrateWith(conn(), clock_, ThreeMigrations()));
  std::vector<Migration> older = ThreeMigrations();
  older.resize(2);
  auto result = MigrateWith(conn(), clock_, older);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message_en().find("upgrade edugov"), std::string::npos);
  EXPECT_NE(result.status().message_zh().find("请升级 edugov"), std::string::npos);
  Status check = CheckSchemaCurrentWith(conn(), 2);
  EXPECT_EQ(check.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(check.message_en().find("version 3"), std::string::npos) << check.ToString();
  ASSERT_OK_AND_ASSIGN(int v, CurrentSchemaVersion(conn()));
  EXPECT_EQ(v, 3);
}

TEST_P(MigrationsTest, FailedMigrationLeavesThePreviousVersionWhole) {
  std::vector<Migration> list = ThreeMigrations();
  list[1].sql = "CREATE TABLE half (a BIGINT); CREATE TABLE broken (;";
  auto result = MigrateWith(conn(), clock_, list);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message_en().find("2_classes"), std::string::npos)
      << result.status().ToString();
  ASSERT_OK_AND_ASSIGN(int v, CurrentSchemaVersion(conn()));
  EXPECT_EQ(v, 1);
  // The statement before the error in migration 2 was rolled back with it.
  EXPECT_FALSE(conn().Query("SELECT * FROM half").ok());
}

TEST_P(MigrationsTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  constexpr int kMigrators = 2;
  std::mutex mu;
  std::condition_variable cv;
  int ready = 0;
  std::vector<int> applied(kMigrators, -1);
  std::vector<Status> errors(kMigrators);
  std::vector<std::thread> threads;
  for (int t = 0; t < kMigrators; ++t) {
    threads.emplace_back([&, t] {
      auto h = db().Acquire();
      {
        // Start together: each holds its connection before either migrates.
        std::unique_lock<std::mutex> lock(mu);
        ++ready;
        cv.notify_all();
        cv.wait(lock, [&] { return ready == kMigrators; });
      }
      if (!h.ok()) {
        errors[t] = h.status();
        return;
      }
      auto r = MigrateWith(**h, clock_, ThreeMigrations());
      if (r.ok()) {
        applied[t] = *r;
      } else {
        errors[t] = r.status();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const Status& s : errors) EXPECT_OK(s);
  EXPECT_EQ(applied[0] + applied[1], 3);
  ASSERT_OK_AND_ASSIGN(ResultSet rs, conn().Query("SELECT COUNT(*) FROM schools"));
  EXPECT_EQ(rs.GetInt(0, 0), 1);
}

TEST_P(MigrationsTest, UnknownDialectTokenIsAnError) {
  auto result = MigrateWith(conn(), clock_, {{1, "bad", "CREATE TABLE t (a {{UUID}})"}});
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
}

// The schema/*.sql files other modules own must run on both backends.
TEST_P(MigrationsTest, EmbeddedMigrationsApply) {
  ASSERT_OK_AND_ASSIGN(int applied, Migrate(conn(), clock_));
  EXPECT_EQ(applied, LatestSchemaVersion());
  EXPECT_OK(CheckSchemaCurrent(conn()));
  ASSERT_OK_AND_ASSIGN(int again, Migrate(conn(), clock_));
  EXPECT_EQ(again, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::ParamName);

TEST(MigrationListTest, GapsAndDuplicatesAreRejected) {
  EXPECT_OK(internal::ValidateMigrations({}));
  EXPECT_OK(internal::ValidateMigrations(ThreeMigrations()));
  EXPECT_EQ(internal::ValidateMigrations({{1, "a", ""}, {3, "c", ""}}).code(),
            StatusCode::kInternal);
  EXPECT_EQ(internal::ValidateMigrations({{1, "a", ""}, {1, "b", ""}}).code(),
            StatusCode::kInternal);
  EXPECT_EQ(internal::ValidateMigrations({{2, "b", ""}}).code(), StatusCode::kInternal);
}

TEST(MigrationListTest, EmbeddedMigrationsAreOrderedWithoutGaps) {
  EXPECT_OK(internal::ValidateMigrations(AllMigrations()));
  EXPECT_EQ(LatestSchemaVersion(), static_cast<int>(AllMigrations().size()));
}

TEST(ApplyDialectTest, ReplacesEveryTokenPerBackend) {
  const char* sql = "CREATE TABLE t (id {{ID}}, b {{BLOB}}, r {{REAL}}, s TEXT DEFAULT '{x}')";
  EXPECT_EQ(ApplyDialect(sql, Backend::kSqlite),
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB, r REAL, "
            "s TEXT DEFAULT '{x}')");
  EXPECT_EQ(ApplyDialect(sql, Backend::kPostgres),
            "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, b BYTEA, "
            "r DOUBLE PRECISION, s TEXT DEFAULT '{x}')");
}

}  // namespace
}  // namespace edugov::storage
