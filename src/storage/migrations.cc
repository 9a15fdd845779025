// The migration runner. Each pending migration runs in its own write
// transaction together with its schema_migrations row, so a failure leaves
// the database at the previous version with nothing half-applied (DDL is
// transactional on both backends). Each transaction re-reads the version
// under a lock — PostgreSQL: an advisory transaction lock; SQLite: BEGIN
// IMMEDIATE's write lock — so two processes migrating at once apply every
// migration exactly once between them.
#include "storage/migrations.h"

#include <string>

#include "storage/internal/migrate.h"

namespace edugov::storage {
namespace internal {
namespace {

// pg_advisory_xact_lock key: "edugov_m" as ASCII, fixed for all versions.
constexpr int64_t kMigrationLockKey = 0x656475676f765f6d;

constexpr const char* kCreateSchemaMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

StatusOr<bool> SchemaMigrationsExists(Connection& conn) {
  ResultSet rs;
  if (conn.backend() == Backend::kSqlite) {
    ASSIGN_OR_RETURN(rs, conn.Query("SELECT COUNT(*) FROM sqlite_master "
                                    "WHERE type = 'table' AND name = 'schema_migrations'"));
  } else {
    ASSIGN_OR_RETURN(rs, conn.Query("SELECT COUNT(*) FROM information_schema.tables "
                                    "WHERE table_schema = current_schema() "
                                    "AND table_name = 'schema_migrations'"));
  }
  return rs.GetInt(0, 0) > 0;
}

StatusOr<int> ReadVersion(Connection& conn) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT MAX(version) FROM schema_migrations"));
  return static_cast<int>(rs.GetInt(0, 0, 0));
}

Status TooNew(int current, int latest) {
  std::string n = std::to_string(current), m = std::to_string(latest);
  return FailedPreconditionError(
      "database schema is at version " + n + ", newer than this edugov knows (" + m +
          "): upgrade edugov",
      "数据库结构版本为 " + n + ",高于本程序支持的 " + m + ":请升级 edugov");
}

// One step: under the lock, apply the next pending migration if any.
// Sets *applied when it did.
Status MigrateOneStep(Connection& conn, const Clock& clock,
                      const std::vector<Migration>& migrations, bool* applied) {
  *applied = false;
  const int latest = static_cast<int>(migrations.size());
  return RunInTransaction(conn, TransactionMode::kWrite, [&](Connection& tx) -> Status {
    if (tx.backend() == Backend::kPostgres) {
      RETURN_IF_ERROR(tx.Query("SELECT pg_advisory_xact_lock($1)", {kMigrationLockKey}));
    }
    ASSIGN_OR_RETURN(bool exists, SchemaMigrationsExists(tx));
    if (!exists) RETURN_IF_ERROR(tx.Execute(kCreateSchemaMigrations));
    ASSIGN_OR_RETURN(int current, ReadVersion(tx));
    if (current > latest) return TooNew(current, latest);
    if (current == latest) return OkStatus();
    const Migration& m = migrations[static_cast<size_t>(current)];
    std::string sql = ApplyDialect(m.sql, tx.backend());
    if (size_t t = sql.find("{{"); t != std::string::npos) {
      return InternalError("migration " + std::to_string(m.version) + "_" + m.name +
                               " uses an unknown dialect token near \"" + sql.substr(t, 20) + "\"",
                           "迁移 " + std::to_string(m.version) + "_" + m.name + " 含有未知的方言标记");
    }
    Status ran = tx.ExecuteScript(sql);
    if (!ran.ok()) {
      std::string which = std::to_string(m.version) + "_" + m.name;
      return Status(ran.code(), "migration " + which + " failed: " + ran.message_en(),
                    "迁移 " + which + " 失败：" + ran.message_zh());
    }
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        {int64_t{m.version}, m.name, ToUnixMicros(clock.Now())}));
    *applied = true;
    return OkStatus();
  });
}

}  // namespace

Status ValidateMigrations(const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    if (m.version != static_cast<int>(i + 1) || m.name.empty()) {
      return InternalError("migration list is broken at position " + std::to_string(i) +
                               " (version " + std::to_string(m.version) + ", name \"" + m.name +
                               "\"): versions must run 1, 2, 3 … without gaps",
                           "迁移列表在第 " + std::to_string(i) + " 项出错：版本号必须从 1 起连续");
    }
  }
  return OkStatus();
}

StatusOr<int> MigrateWith(Connection& conn, const Clock& clock,
                          const std::vector<Migration>& migrations) {
  RETURN_IF_ERROR(ValidateMigrations(migrations));
  int applied = 0;
  for (;;) {
    bool did = false;
    RETURN_IF_ERROR(MigrateOneStep(conn, clock, migrations, &did));
    if (!did) return applied;
    ++applied;
  }
}

Status CheckSchemaCurrentWith(Connection& conn, int latest) {
  ASSIGN_OR_RETURN(int current, CurrentSchemaVersion(conn));
  if (current > latest) return TooNew(current, latest);
  if (current < latest) {
    std::string n = std::to_string(current), m = std::to_string(latest);
    return FailedPreconditionError(
        "database schema is at version " + n + ", this edugov needs " + m + ": run `edugov migrate`",
        "数据库结构版本为 " + n + ",需要 " + m + ":请先运行 edugov migrate");
  }
  return OkStatus();
}

}  // namespace internal

const std::vector<Migration>& AllMigrations() { return internal::EmbeddedMigrations(); }

int LatestSchemaVersion() { return static_cast<int>(AllMigrations().size()); }

StatusOr<int> CurrentSchemaVersion(Connection& conn) {
  ASSIGN_OR_RETURN(bool exists, internal::SchemaMigrationsExists(conn));
  if (!exists) return 0;
  return internal::ReadVersion(conn);
}

StatusOr<int> Migrate(Connection& conn, const Clock& clock) {
  return internal::MigrateWith(conn, clock, AllMigrations());
}

Status CheckSchemaCurrent(Connection& conn) {
  return internal::CheckSchemaCurrentWith(conn, LatestSchemaVersion());
}

std::string ApplyDialect(std::string_view sql, Backend backend) {
  struct Token {
    std::string_view token, sqlite, postgres;
  };
  static constexpr Token kTokens[] = {
      {"{{ID}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
       "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
      {"{{BLOB}}", "BLOB", "BYTEA"},
      {"{{REAL}}", "REAL", "DOUBLE PRECISION"},
      {"{{PATTERN_OPS}}", "", "text_pattern_ops"},
  };
  std::string out;
  out.reserve(sql.size());
  size_t i = 0;
  while (i < sql.size()) {
    bool replaced = false;
    if (sql[i] == '{') {
      for (const Token& t : kTokens) {
        if (sql.substr(i, t.token.size()) == t.token) {
          out += backend == Backend::kSqlite ? t.sqlite : t.postgres;
          i += t.token.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += sql[i++];
  }
  return out;
}

}  // namespace edugov::storage
