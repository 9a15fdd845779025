// The one narrow interface edugov code uses to reach its system of record,
// with two backends behind it: embedded SQLite (the default) and PostgreSQL.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open("sqlite:var/edugov.db"));
//   ASSIGN_OR_RETURN(ConnectionHandle conn, db->Acquire());
//   Status s = RunInTransaction(*conn, [&](Connection& tx) -> Status {
//     ASSIGN_OR_RETURN(ResultSet rs, tx.Query("SELECT name FROM orgs WHERE id = $1", {id}));
//     ...
//   });
//
// Portable SQL: both backends accept the same statements. Parameters are
// written $1, $2, …; ON CONFLICT and RETURNING work on both. Migrations may
// use the dialect tokens listed in migrations.h; application statements may
// not. Timestamps are stored as BIGINT microseconds since the Unix epoch,
// dates as TEXT 'YYYY-MM-DD', booleans as INTEGER 0/1. LIKE is case-sensitive
// on both backends.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace edugov::storage {

enum class Backend { kSqlite, kPostgres };

// A SQL value. Blobs travel as std::string holding raw bytes (Blob tag).
struct Blob {
  std::string bytes;
  friend bool operator==(const Blob&, const Blob&) = default;
};
using Value = std::variant<std::monostate, int64_t, double, std::string, Blob>;
using Params = std::vector<Value>;

inline Value Null() { return std::monostate{}; }

// A fully materialised query result. Column values come back typed: integer
// columns as int64_t (booleans too), floating columns as double, text as
// std::string, BYTEA/BLOB as Blob, NULL as std::monostate.
class ResultSet {
 public:
  ResultSet() = default;
  ResultSet(std::vector<std::string> columns, std::vector<std::vector<Value>> rows)
      : columns_(std::move(columns)), rows_(std::move(rows)) {}

  const std::vector<std::string>& columns() const { return columns_; }
  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  const std::vector<Value>& row(size_t r) const { return rows_[r]; }
  const Value& at(size_t r, size_t c) const { return rows_[r][c]; }

  bool IsNull(size_t r, size_t c) const;
  // Typed accessors: the value must have that type (a numeric column read as
  // the other numeric type converts). Reading NULL returns the fallback.
  int64_t GetInt(size_t r, size_t c, int64_t if_null = 0) const;
  double GetDouble(size_t r, size_t c, double if_null = 0) const;
  std::string GetText(size_t r, size_t c, std::string_view if_null = {}) const;
  std::optional<std::string> GetOptionalText(size_t r, size_t c) const;
  std::optional<int64_t> GetOptionalInt(size_t r, size_t c) const;
  std::string GetBlob(size_t r, size_t c) const;
  // Index of a column by name, or error naming it.
  StatusOr<size_t> ColumnIndex(std::string_view name) const;

  std::vector<std::vector<Value>>& mutable_rows() { return rows_; }

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<Value>> rows_;
};

enum class TransactionMode {
  kRead,   // SQLite: BEGIN DEFERRED; PostgreSQL: BEGIN
  kWrite,  // SQLite: BEGIN IMMEDIATE (takes the write lock up front, so two
           // writers never deadlock on lock upgrade); PostgreSQL: BEGIN
};

// One session with the database. Not thread-safe: use from one thread at a
// time. Prepared statements are cached per connection, keyed by SQL text.
class Connection {
 public:
  virtual ~Connection() = default;

  virtual Backend backend() const = 0;

  // Runs one statement; returns the number of rows changed.
  virtual StatusOr<int64_t> Execute(std::string_view sql, const Params& params = {}) = 0;
  // Runs one statement and returns its rows (also for INSERT … RETURNING).
  virtual StatusOr<ResultSet> Query(std::string_view sql, const Params& params = {}) = 0;
  // Runs several ';'-separated statements without parameters (migrations).
  virtual Status ExecuteScript(std::string_view sql) = 0;

  // Inserts many rows into `table` as fast as the backend allows (SQLite: a
  // cached prepared statement; PostgreSQL: COPY). Must be called inside a
  // transaction. Every row has columns.size() values.
  virtual Status BulkInsert(std::string_view table, const std::vector<std::string>& columns,
                            const std::vector<Params>& rows) = 0;

  virtual Status Begin(TransactionMode mode) = 0;
  virtual Status Commit() = 0;
  // Never fails in a way the caller can act on; errors are logged.
  virtual void Rollback() = 0;
  virtual bool in_transaction() const = 0;
};

struct DatabaseOptions {
  // Connections kept open by the pool; Acquire() blocks when all are in use.
  int pool_size = 8;
  // SQLite: how long a writer waits for the lock before failing (ms).
  int busy_timeout_ms = 5000;
};

class Database;

// A pooled connection, returned to its pool when destroyed. The Database
// must outlive every handle.
class ConnectionHandle {
 public:
  ConnectionHandle(std::unique_ptr<Connection> conn, std::function<void(std::unique_ptr<Connection>)> release)
      : conn_(std::move(conn)), release_(std::move(release)) {}
  ConnectionHandle(ConnectionHandle&&) = default;
  // Returns the connection held before, if any, to its pool first (a
  // defaulted move-assignment would close it and leak its pool slot).
  ConnectionHandle& operator=(ConnectionHandle&& other) {
    if (this != &other) {
      Reset();
      conn_ = std::move(other.conn_);
      release_ = std::move(other.release_);
    }
    return *this;
  }
  ~ConnectionHandle() { Reset(); }
  // Returns the connection to its pool now; the handle is then empty.
  void Reset() {
    if (conn_ && release_) release_(std::move(conn_));
    conn_.reset();
  }
  Connection& operator*() const { return *conn_; }
  Connection* operator->() const { return conn_.get(); }
  Connection* get() const { return conn_.get(); }

 private:
  std::unique_ptr<Connection> conn_;
  std::function<void(std::unique_ptr<Connection>)> release_;
};

// A database and its connection pool. Thread-safe.
class Database {
 public:
  virtual ~Database() = default;

  // URL forms: "sqlite:PATH" (file created if absent; parent directory must
  // exist), "sqlite::memory:" (tests; one shared in-memory database), and
  // "postgresql://user:pass@host:port/dbname?…" (libpq URI; "postgres://"
  // too). Fails with kInvalidArgument for a malformed URL and kUnavailable
  // when the server cannot be reached, naming the URL without its password.
  static StatusOr<std::unique_ptr<Database>> Open(std::string_view url,
                                                  const DatabaseOptions& options = {});

  virtual Backend backend() const = 0;
  // The URL with any password replaced by "***", for logs and errors.
  virtual const std::string& redacted_url() const = 0;

  // Borrows a connection; blocks while the pool is exhausted. A connection
  // that was broken is replaced transparently.
  virtual StatusOr<ConnectionHandle> Acquire() = 0;
};

// Runs `body` in a transaction: commits if it returns OK, rolls back
// otherwise (and if it throws). Returns body's error or the commit's.
Status RunInTransaction(Connection& conn, TransactionMode mode,
                        const std::function<Status(Connection&)>& body);
inline Status RunInTransaction(Connection& conn, const std::function<Status(Connection&)>& body) {
  return RunInTransaction(conn, TransactionMode::kWrite, body);
}

// The same URL with the password replaced by "***".
std::string RedactUrl(std::string_view url);

// `name` as a double-quoted SQL identifier, valid on both backends: embedded
// quotes doubled, each part of a dotted name ("schema.table") quoted apart.
std::string QuoteIdentifier(std::string_view name);

}  // namespace edugov::storage
