// Test helpers for the storage tests: a fresh, private database per test on
// either backend, and Status assertions.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "common/random.h"
#include "storage/database.h"
#include "storage/migrations.h"

#define ASSERT_OK(expr)                                                      \
  do {                                                                       \
    auto&& assert_ok_r_ = (expr);                                            \
    const auto& assert_ok_s_ = ::edugov::internal::AsStatus(assert_ok_r_);   \
    ASSERT_TRUE(assert_ok_s_.ok()) << assert_ok_s_.ToString();               \
  } while (0)
#define EXPECT_OK(expr)                                                      \
  do {                                                                       \
    auto&& expect_ok_r_ = (expr);                                            \
    const auto& expect_ok_s_ = ::edugov::internal::AsStatus(expect_ok_r_);   \
    EXPECT_TRUE(expect_ok_s_.ok()) << expect_ok_s_.ToString();               \
  } while (0)
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                      \
  ASSERT_OK_AND_ASSIGN_IMPL(EDUGOV_CONCAT(assert_or_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)                            \
  auto tmp = (expr);                                                         \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();                          \
  lhs = std::move(tmp).value()

namespace edugov::storage::testing {

inline const char* BackendName(Backend b) { return b == Backend::kSqlite ? "Sqlite" : "Postgres"; }

// The admin URL of the throwaway server scripts/with-postgres.sh starts, or
// empty when the tests run without one.
inline std::string PostgresAdminUrl() {
  const char* url = std::getenv("EDUGOV_TEST_PG_URL");
  return url ? url : "";
}

// `url` with its database name (the path) replaced by `dbname`.
inline std::string WithDatabaseName(const std::string& url, const std::string& dbname) {
  size_t auth = url.find("://") + 3;
  size_t path = url.find_first_of("/?", auth);
  size_t query = url.find('?', auth);
  std::string head = url.substr(0, path == std::string::npos ? url.size() : path);
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return head + "/" + dbname + tail;
}

// A database of its own for one test: "sqlite::memory:" (already private),
// or a CREATE DATABASE edugov_test_<random> on the test server, dropped in
// the destructor.
class ScratchDatabase {
 public:
  // Leaves url() empty when the backend is not available (error() says why
  // if it should have been).
  explicit ScratchDatabase(Backend backend) : backend_(backend) {
    if (backend == Backend::kSqlite) {
      url_ = "sqlite::memory:";
      return;
    }
    std::string admin_url = PostgresAdminUrl();
    if (admin_url.empty()) return;
    auto admin = Database::Open(admin_url, {.pool_size = 1});
    if (!admin.ok()) {
      error_ = admin.status().ToString();
      return;
    }
    admin_ = std::move(admin).value();
    name_ = "edugov_test_" + SecureRandom().Hex(8);
    auto conn = admin_->Acquire();
    if (!conn.ok()) {
      error_ = conn.status().ToString();
      return;
    }
    auto created = (*conn)->Execute("CREATE DATABASE " + name_);
    if (!created.ok()) {
      error_ = created.status().ToString();
      return;
    }
    url_ = WithDatabaseName(admin_url, name_);
  }
  ~ScratchDatabase() {
    if (admin_ && !url_.empty()) {
      auto conn = admin_->Acquire();
      if (conn.ok()) (void)(*conn)->Execute("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  // Empty when unavailable; see skip_reason().
  const std::string& url() const { return url_; }
  static constexpr const char* kSkipReason =
      "PostgreSQL tests need EDUGOV_TEST_PG_URL: run under scripts/with-postgres.sh";
  // Set when the server was configured but the scratch database failed.
  const std::string& error() const { return error_; }

 private:
  Backend backend_;
  std::unique_ptr<Database> admin_;
  std::string name_;
  std::string url_;
  std::string error_;
};

// Base fixture of the parameterised suites: db() is a fresh database of the
// parameter's backend, conn() a connection from it.
class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<ScratchDatabase>(GetParam());
    ASSERT_EQ(scratch_->error(), "");
    if (scratch_->url().empty()) GTEST_SKIP() << ScratchDatabase::kSkipReason;
    auto db = Database::Open(scratch_->url(), options_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto conn = db_->Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::make_unique<ConnectionHandle>(std::move(conn).value());
  }
  void TearDown() override {
    conn_.reset();
    db_.reset();
    scratch_.reset();
  }

  Database& db() { return *db_; }
  Connection& conn() { return **conn_; }
  // Runs DDL written with the dialect tokens of migrations.h.
  Status Ddl(Connection& c, std::string_view sql) {
    return c.ExecuteScript(ApplyDialect(sql, c.backend()));
  }
  Status Ddl(std::string_view sql) { return Ddl(conn(), sql); }

  DatabaseOptions options_{.pool_size = 4, .busy_timeout_ms = 5000};
  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<ConnectionHandle> conn_;
};

inline std::string ParamName(const ::testing::TestParamInfo<Backend>& info) {
  return BackendName(info.param);
}

}  // namespace edugov::storage::testing

