// The SQLite backend: one sqlite3* per pooled connection, a prepared-statement
// cache per connection, "$N" parameters bound by name.
//
// "sqlite::memory:" uses SQLite's memdb VFS ("file:/edugov_mem_N?vfs=memdb"):
// every connection of the pool opens the same in-memory database, which lives
// as long as one of them is open (the pool keeps them until the Database is
// destroyed). memdb rather than "mode=memory&cache=shared": shared-cache mode
// reports table-lock conflicts as SQLITE_LOCKED at once, ignoring
// busy_timeout, so two threads writing would fail where a file database
// would wait; memdb uses ordinary database locks and the busy handler.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "storage/internal/backends.h"
#include "storage/internal/pool.h"

namespace edugov::storage::internal {
namespace {

// Beyond this many distinct statements the cache is flushed: it is meant for
// the fixed statements of application code, not unbounded generated SQL.
constexpr size_t kMaxCachedStatements = 512;

// Write transactions of one database, across the pool's connections, in the
// order they asked: a ticket each, served first come first served. SQLite's
// own wait (busy_timeout) is a sleep-and-retry in growing steps, so a thread
// committing write transactions back to back — a sweep opening tens of
// thousands of rectifications, one transaction each — takes the lock again
// microseconds after each commit, and a submission polling every 100 ms
// waits until its timeout and fails ("database is locked"). With the queue
// it waits for at most the transactions ahead of it. Other processes (the
// CLI beside a running server) still meet SQLite's own lock and busy wait.
//
// The wait is bounded by the busy timeout, as SQLite's would be, and fails
// the same way: a thread holding a write transaction on one connection
// that asks for another on a second connection gets "busy", not a hang.
class WriterQueue {
 public:
  explicit WriterQueue(int timeout_ms) : timeout_(timeout_ms) {}

  // True once it is the caller's turn; false after the timeout (the ticket
  // is then given up, and the queue moves past it).
  bool Enter() {
    std::unique_lock lock(mu_);
    const uint64_t ticket = next_++;
    if (cv_.wait_for(lock, timeout_, [&] { return serving_ == ticket; })) return true;
    // Leave the line: a ticket that gave up is skipped when its turn comes.
    abandoned_.insert(ticket);
    SkipAbandonedLocked();
    cv_.notify_all();
    return false;
  }

  void Leave() {
    {
      std::lock_guard lock(mu_);
      ++serving_;
      SkipAbandonedLocked();
    }
    cv_.notify_all();
  }

 private:
  void SkipAbandonedLocked() {
    while (abandoned_.erase(serving_) > 0) ++serving_;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  const std::chrono::milliseconds timeout_;
  uint64_t next_ = 0;                       // the next ticket handed out
  uint64_t serving_ = 0;                    // the ticket whose turn it is
  std::unordered_set<uint64_t> abandoned_;  // tickets that timed out before their turn
};

Status SqliteError(int rc, const std::string& message) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return AlreadyExistsError("unique constraint violated: " + message, "唯一约束冲突：" + message);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return FailedPreconditionError("foreign key constraint violated: " + message,
                                     "外键约束不满足：" + message);
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError("SQLite database is busy: " + message, "SQLite 数据库繁忙：" + message);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
      return UnavailableError("SQLite database unavailable: " + message,
                              "SQLite 数据库不可用：" + message);
    case SQLITE_FULL:
      return ResourceExhaustedError("SQLite database is full: " + message,
                                    "SQLite 数据库空间已满：" + message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return InternalError("SQLite database is damaged: " + message, "SQLite 数据库已损坏：" + message);
  }
  return InvalidArgumentError("SQLite error: " + message, "SQLite 错误：" + message);
}

// Resets a cached statement when a call is done with it, so it holds no
// locks (an unreset statement makes COMMIT fail) and no stale bindings.
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StatementUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

int BindValue(sqlite3_stmt* stmt, int index, const Value& value) {
  // SQLITE_STATIC: the caller's Params outlive the statement's use.
  struct Binder {
    sqlite3_stmt* stmt;
    int index;
    int operator()(std::monostate) const { return sqlite3_bind_null(stmt, index); }
    int operator()(int64_t v) const { return sqlite3_bind_int64(stmt, index, v); }
    int operator()(double v) const { return sqlite3_bind_double(stmt, index, v); }
    int operator()(const std::string& v) const {
      return sqlite3_bind_text64(stmt, index, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
    }
    int operator()(const Blob& v) const {
      return sqlite3_bind_blob64(stmt, index, v.bytes.data(), v.bytes.size(), SQLITE_STATIC);
    }
  };
  return std::visit(Binder{stmt, index}, value);
}

Value ColumnValue(sqlite3_stmt* stmt, int c) {
  switch (sqlite3_column_type(stmt, c)) {
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt, c));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, c);
    case SQLITE_TEXT: {
      const char* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
      return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c)));
    }
    case SQLITE_BLOB: {
      const char* data = static_cast<const char*>(sqlite3_column_blob(stmt, c));
      size_t n = static_cast<size_t>(sqlite3_column_bytes(stmt, c));
      return Blob{n == 0 ? std::string() : std::string(data, n)};
    }
    default:
      return std::monostate{};
  }
}

class SqliteConnection final : public PooledConnection {
 public:
  // Takes ownership of `db`.
  explicit SqliteConnection(sqlite3* db, std::shared_ptr<WriterQueue> writers)
      : db_(db), writers_(std::move(writers)) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);  // an open transaction is rolled back
    LeaveWriters();
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Backend backend() const override { return Backend::kSqlite; }
  bool broken() const override { return false; }  // a local file cannot hang up
  bool in_transaction() const override { return sqlite3_get_autocommit(db_) == 0; }

  StatusOr<int64_t> Execute(std::string_view sql, const Params& params) override {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    StatementUse use(stmt);
    RETURN_IF_ERROR(BindParams(stmt, params));
    int64_t before = sqlite3_total_changes64(db_);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return Error(rc);
    // DDL leaves sqlite3_changes64() at the previous statement's count.
    return sqlite3_total_changes64(db_) == before ? 0 : sqlite3_changes64(db_);
  }

  StatusOr<ResultSet> Query(std::string_view sql, const Params& params) override {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    StatementUse use(stmt);
    RETURN_IF_ERROR(BindParams(stmt, params));
    int ncol = sqlite3_column_count(stmt);
    std::vector<std::string> columns;
    columns.reserve(static_cast<size_t>(ncol));
    for (int c = 0; c < ncol; ++c) columns.emplace_back(sqlite3_column_name(stmt, c));
    std::vector<std::vector<Value>> rows;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Value>& row = rows.emplace_back();
      row.reserve(static_cast<size_t>(ncol));
      for (int c = 0; c < ncol; ++c) row.push_back(ColumnValue(stmt, c));
    }
    if (rc != SQLITE_DONE) return Error(rc);
    return ResultSet(std::move(columns), std::move(rows));
  }

  Status ExecuteScript(std::string_view sql) override {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return OkStatus();
    std::string message = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return SqliteError(sqlite3_extended_errcode(db_), message);
  }

  Status BulkInsert(std::string_view table, const std::vector<std::string>& columns,
                    const std::vector<Params>& rows) override {
    if (!in_transaction()) {
      return FailedPreconditionError("BulkInsert must run inside a transaction",
                                     "批量插入必须在事务中执行");
    }
    if (columns.empty()) {
      return InvalidArgumentError("BulkInsert needs at least one column", "批量插入至少需要一列");
    }
    std::string sql = "INSERT INTO " + QuoteIdentifier(table) + " (";
    std::string values;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) {
        sql += ", ";
        values += ", ";
      }
      sql += QuoteIdentifier(columns[i]);
      values += "$" + std::to_string(i + 1);
    }
    sql += ") VALUES (" + values + ")";
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    // The generated SQL names $1..$n in order, so index i binds $i.
    for (size_t r = 0; r < rows.size(); ++r) {
      const Params& row = rows[r];
      if (row.size() != columns.size()) {
        return InvalidArgumentError("row " + std::to_string(r) + " has " +
                                        std::to_string(row.size()) + " values, expected " +
                                        std::to_string(columns.size()),
                                    "第 " + std::to_string(r) + " 行有 " +
                                        std::to_string(row.size()) + " 个值，应为 " +
                                        std::to_string(columns.size()))
            .WithField("row " + std::to_string(r));
      }
      StatementUse use(stmt);
      for (size_t i = 0; i < row.size(); ++i) {
        int rc = BindValue(stmt, static_cast<int>(i + 1), row[i]);
        if (rc != SQLITE_OK) return Error(rc);
      }
      int rc = sqlite3_step(stmt);
      if (rc != SQLITE_DONE) return Error(rc).WithField("row " + std::to_string(r));
    }
    return OkStatus();
  }

  Status Begin(TransactionMode mode) override {
    if (in_transaction()) {
      return FailedPreconditionError("a transaction is already open on this connection",
                                     "此连接上已有未结束的事务");
    }
    if (mode != TransactionMode::kWrite) return Execute("BEGIN DEFERRED", {}).status();
    if (!writers_->Enter()) {
      return UnavailableError("SQLite database is busy: this server's other write transactions held it "
                              "for the whole busy timeout",
                              "SQLite 数据库繁忙：本服务的其他写事务在整个等待时限内一直占用");
    }
    holds_turn_ = true;
    Status begun = Execute("BEGIN IMMEDIATE", {}).status();
    if (!begun.ok()) LeaveWriters();
    return begun;
  }

  Status Commit() override {
    if (!in_transaction()) {
      LeaveWriters();  // ended some other way (SQLite rolls back on some errors): the turn goes too
      return FailedPreconditionError("COMMIT without an open transaction", "没有可提交的事务");
    }
    Status committed = Execute("COMMIT", {}).status();
    if (!in_transaction()) LeaveWriters();  // a failed COMMIT may leave it open: Rollback ends it
    return committed;
  }

  void Rollback() override {
    if (in_transaction()) {
      char* err = nullptr;
      if (sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, &err) != SQLITE_OK) {
        LogWarning(std::string("SQLite ROLLBACK failed: ") + (err ? err : "unknown error"));
      }
      sqlite3_free(err);
    }
    LeaveWriters();
  }

 private:
  void LeaveWriters() {
    if (!holds_turn_) return;
    holds_turn_ = false;
    writers_->Leave();
  }

  Status Error(int rc) { return SqliteError(rc, sqlite3_errmsg(db_)); }

  // The cached statement for `sql`, prepared on first use. One statement only:
  // several ';'-separated ones belong in ExecuteScript.
  StatusOr<sqlite3_stmt*> Prepare(std::string_view sql) {
    // Looked up by the view itself: no copy of the SQL text per call.
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    std::string key(sql);
    if (cache_.size() >= kMaxCachedStatements) {
      for (auto& [text, stmt] : cache_) sqlite3_finalize(stmt);
      cache_.clear();
      in_order_.clear();
    }
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return Error(rc);
    if (stmt == nullptr) {
      return InvalidArgumentError("empty SQL statement", "SQL 语句为空");
    }
    for (const char* p = tail; p && *p; ++p) {
      if (*p != ';' && *p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') {
        sqlite3_finalize(stmt);
        return InvalidArgumentError("several SQL statements given; use ExecuteScript",
                                    "给出了多条 SQL 语句；请使用 ExecuteScript");
      }
    }
    // Whether parameter i is named $i for every i — then BindParams binds
    // by position without looking names up (most statements).
    const int count = sqlite3_bind_parameter_count(stmt);
    bool in_order = true;
    for (int i = 1; i <= count && in_order; ++i) {
      const char* name = sqlite3_bind_parameter_name(stmt, i);
      in_order = name != nullptr && name == "$" + std::to_string(i);
    }
    if (in_order) in_order_.insert(stmt);
    cache_.emplace(std::move(key), stmt);
    return stmt;
  }

  // SQLite numbers parameters by first appearance ("SELECT $2, $1" makes $2
  // index 1), so each is bound by its name. Every given parameter must be
  // used: PostgreSQL rejects an unused one it cannot type, and catching that
  // here keeps SQLite-tested code portable.
  Status BindParams(sqlite3_stmt* stmt, const Params& params) {
    int count = sqlite3_bind_parameter_count(stmt);
    if (static_cast<size_t>(count) == params.size() && in_order_.count(stmt)) {
      for (int i = 1; i <= count; ++i) {
        int rc = BindValue(stmt, i, params[static_cast<size_t>(i - 1)]);
        if (rc != SQLITE_OK) return Error(rc);
      }
      return OkStatus();
    }
    std::vector<bool> used(params.size(), false);
    for (int i = 1; i <= count; ++i) {
      const char* name = sqlite3_bind_parameter_name(stmt, i);
      std::string_view n = name ? name : "?";
      size_t number = 0;
      auto [end, ec] = std::from_chars(n.data() + 1, n.data() + n.size(), number);
      if (n.size() < 2 || n[0] != '$' || ec != std::errc() || end != n.data() + n.size() ||
          number < 1) {
        return InvalidArgumentError("SQL parameter " + std::string(n) + ": write parameters as $1, $2, …",
                                    "SQL 参数 " + std::string(n) + "：参数应写作 $1、$2 …");
      }
      if (number > params.size()) {
        return InvalidArgumentError("statement uses $" + std::to_string(number) + " but only " +
                                        std::to_string(params.size()) + " parameters were given",
                                    "语句使用了 $" + std::to_string(number) + "，但只提供了 " +
                                        std::to_string(params.size()) + " 个参数");
      }
      used[number - 1] = true;
      int rc = BindValue(stmt, i, params[number - 1]);
      if (rc != SQLITE_OK) return Error(rc);
    }
    for (size_t k = 0; k < used.size(); ++k) {
      if (!used[k]) {
        return InvalidArgumentError("parameter $" + std::to_string(k + 1) +
                                        " was given but the statement does not use it",
                                    "提供了参数 $" + std::to_string(k + 1) + "，但语句没有使用它");
      }
    }
    return OkStatus();
  }

  sqlite3* const db_;
  // Shared by the pool's connections (WriterQueue); the turn is held from a
  // write transaction's BEGIN to its COMMIT or ROLLBACK.
  const std::shared_ptr<WriterQueue> writers_;
  bool holds_turn_ = false;
  // Heterogeneous lookup: find() takes a string_view.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> cache_;  // owns the statements
  std::unordered_set<sqlite3_stmt*> in_order_;  // cached statements whose parameters are $1..$n in order
};

struct SqliteTarget {
  std::string filename;  // what sqlite3_open_v2 receives
  std::string shown;     // for messages
  bool memory;
};

StatusOr<std::unique_ptr<PooledConnection>> OpenConnection(const SqliteTarget& target,
                                                           int busy_timeout_ms,
                                                           std::shared_ptr<WriterQueue> writers) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  int rc = sqlite3_open_v2(target.filename.c_str(), &raw, flags, nullptr);
  // The connection owns `raw` even when opening failed (sqlite3 wants it closed).
  auto conn = std::make_unique<SqliteConnection>(raw, std::move(writers));
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return UnavailableError("cannot open SQLite database " + target.shown + ": " + message,
                            "无法打开 SQLite 数据库 " + target.shown + "：" + message);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  // WAL lets readers proceed while one writer commits; NORMAL sync is
  // durable across application crashes, and WAL keeps it consistent on
  // power loss. memdb has no WAL (nor a disk to sync).
  // case_sensitive_like: LIKE behaves as on PostgreSQL, and a prefix LIKE on a
  // BINARY-collated index (materialised org paths: `path LIKE '/1/4/%'`) becomes
  // an index range instead of a table scan.
  std::string pragmas =
      "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA case_sensitive_like = ON;";
  if (!target.memory) pragmas = "PRAGMA journal_mode = WAL; " + pragmas;
  Status s = conn->ExecuteScript(pragmas);
  if (!s.ok()) {
    return UnavailableError("cannot set up SQLite database " + target.shown + ": " + s.message_en(),
                            "无法初始化 SQLite 数据库 " + target.shown + "：" + s.message_en());
  }
  return std::unique_ptr<PooledConnection>(std::move(conn));
}

}  // namespace

StatusOr<std::unique_ptr<Database>> OpenSqlite(std::string_view url, std::string_view target_text,
                                               const DatabaseOptions& options) {
  SqliteTarget target;
  if (target_text == ":memory:") {
    static std::atomic<uint64_t> next_memory_db{0};
    target.filename = "file:/edugov_mem_" + std::to_string(next_memory_db++) + "?vfs=memdb";
    target.shown = "sqlite::memory:";
    target.memory = true;
  } else {
    if (target_text.empty()) {
      return InvalidArgumentError("SQLite URL \"" + std::string(url) + "\" names no file",
                                  "SQLite 地址“" + std::string(url) + "”没有给出文件");
    }
    std::filesystem::path path{std::string(target_text)};
    std::filesystem::path parent = path.parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
      return InvalidArgumentError(
          "directory " + parent.string() + " for SQLite database " + path.string() +
              " does not exist",
          "SQLite 数据库 " + path.string() + " 所在目录 " + parent.string() + " 不存在");
    }
    target.filename = path.string();
    target.shown = path.string();
    target.memory = false;
    // A new database file is created mode 0600 before SQLite opens it: it
    // holds minors' data, and SQLite gives its -wal and -shm files the
    // database file's mode (the process umask would otherwise decide).
    // An existing file keeps its mode: the operator chose it.
    // (A "file:" URI is SQLite's to interpret.)
    const int fd = target.filename.rfind("file:", 0) == 0
                       ? -2
                       : ::open(target.filename.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
    } else if (fd == -1 && errno != EEXIST) {
      const std::string why = std::strerror(errno);
      return UnavailableError("cannot create SQLite database " + target.shown + ": " + why,
                              "无法创建 SQLite 数据库 " + target.shown + "：" + why);
    }
  }
  int busy_timeout_ms = options.busy_timeout_ms;
  auto writers = std::make_shared<WriterQueue>(busy_timeout_ms);
  ConnectionFactory factory = [target, busy_timeout_ms, writers] {
    return OpenConnection(target, busy_timeout_ms, writers);
  };
  ASSIGN_OR_RETURN(std::unique_ptr<PooledConnection> first, factory());
  return std::unique_ptr<Database>(std::make_unique<PooledDatabase>(
      Backend::kSqlite, std::string(url), options.pool_size, std::move(factory),
      std::move(first)));
}

}  // namespace edugov::storage::internal
