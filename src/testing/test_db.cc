#include "testing/test_db.h"

#include <atomic>
#include <cstdlib>

#include "common/random.h"
#include "storage/migrations.h"

namespace edugov::testing {

namespace {

const char* PgUrl() {
  const char* url = std::getenv("EDUGOV_TEST_PG_URL");
  return (url != nullptr && *url != '\0') ? url : nullptr;
}

// postgresql://user@host:port/db?x → same URL with the database replaced.
std::string WithDatabase(const std::string& url, const std::string& name) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  size_t query = url.find('?');
  std::string base = slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + name + rest;
}

}  // namespace

std::vector<storage::Backend> TestBackends() {
  std::vector<storage::Backend> out = {storage::Backend::kSqlite};
  if (PgUrl() != nullptr) out.push_back(storage::Backend::kPostgres);
  return out;
}

std::string BackendName(storage::Backend backend) {
  return backend == storage::Backend::kSqlite ? "sqlite" : "postgres";
}

StatusOr<TestDb> TestDb::Create(storage::Backend backend, bool migrate) {
  TestDb t;
  if (backend == storage::Backend::kSqlite) {
    t.url_ = "sqlite::memory:";
  } else {
    if (PgUrl() == nullptr) return FailedPreconditionError("EDUGOV_TEST_PG_URL is not set");
    // Unique per process and call: tests in several processes share a server.
    static std::atomic<int> counter{0};
    t.admin_url_ = PgUrl();
    t.pg_name_ = "edugov_t_" + SecureRandom().Hex(6) + "_" + std::to_string(counter++);
    ASSIGN_OR_RETURN(auto admin, storage::Database::Open(t.admin_url_, {.pool_size = 1}));
    ASSIGN_OR_RETURN(auto conn, admin->Acquire());
    RETURN_IF_ERROR(conn->Execute("CREATE DATABASE " + t.pg_name_));
    t.url_ = WithDatabase(t.admin_url_, t.pg_name_);
  }
  ASSIGN_OR_RETURN(t.db_, storage::Database::Open(t.url_, {.pool_size = 4}));
  if (migrate) {
    FakeClock clock(FromUnixMicros(1'700'000'000'000'000));
    ASSIGN_OR_RETURN(auto conn, t.db_->Acquire());
    RETURN_IF_ERROR(storage::Migrate(*conn, clock));
  }
  return t;
}

TestDb::~TestDb() {
  if (pg_name_.empty()) return;
  db_.reset();  // close our connections before dropping the database
  auto admin = storage::Database::Open(admin_url_, {.pool_size = 1});
  if (!admin.ok()) return;
  auto conn = (*admin)->Acquire();
  if (!conn.ok()) return;
  (void)(*conn)->Execute("DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)");
}

}  // namespace edugov::testing
