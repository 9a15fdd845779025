// Fresh, migrated databases for tests, on either backend.
//
//   for (Backend b : TestBackends()) {           // SQLite always; PostgreSQL
//     ASSIGN_OR_RETURN(TestDb db, TestDb::Create(b));  // when EDUGOV_TEST_PG_URL
//     ...                                        // is set (./run test sets it)
//   }
//
// SQLite: a private in-memory database. PostgreSQL: a new database on the
// throwaway server named by EDUGOV_TEST_PG_URL, dropped when the TestDb dies.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "storage/database.h"

namespace edugov::testing {

// kSqlite, plus kPostgres when EDUGOV_TEST_PG_URL is set.
std::vector<storage::Backend> TestBackends();
std::string BackendName(storage::Backend backend);

class TestDb {
 public:
  // `migrate`: apply every migration (stamped by a fake clock).
  static StatusOr<TestDb> Create(storage::Backend backend, bool migrate = true);
  // Moving transfers the duty to drop the PostgreSQL database.
  TestDb(TestDb&& other) noexcept
      : db_(std::move(other.db_)), url_(std::move(other.url_)),
        admin_url_(std::move(other.admin_url_)), pg_name_(std::exchange(other.pg_name_, {})) {}
  TestDb& operator=(TestDb&&) = delete;
  ~TestDb();

  storage::Database& db() { return *db_; }
  const std::string& url() const { return url_; }

 private:
  TestDb() = default;
  std::unique_ptr<storage::Database> db_;
  std::string url_;
  std::string admin_url_;  // PostgreSQL: where to DROP the database from
  std::string pg_name_;
};

}  // namespace edugov::testing
