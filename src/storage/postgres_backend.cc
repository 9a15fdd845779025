// The PostgreSQL backend over libpq: one PGconn per pooled connection,
// PQexecParams with text parameters (bytea in binary), results typed by
// column OID, BulkInsert through COPY … FROM STDIN in text format.
//
// Statements go through the unnamed prepared statement rather than a named
// per-connection cache: a named plan goes stale when a migration changes a
// table ("cached plan must not change result type"), and the round trip it
// would save is small next to the network.
#include <libpq-fe.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "storage/internal/backends.h"
#include "storage/internal/pool.h"

namespace edugov::storage::internal {
namespace {

// Type OIDs from pg_type.dat; stable across PostgreSQL versions.
constexpr Oid kBoolOid = 16, kByteaOid = 17, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23,
              kOidOid = 26, kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700;

// COPY data is sent in chunks of about this size.
constexpr size_t kCopyChunkBytes = 1 << 20;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

std::string TrimNewline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Maps a failed result (or a connection failure when `result` is null) to a
// Status carrying the server's message.
Status PostgresError(PGconn* conn, const PGresult* result) {
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message;
  if (result && PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) {
    message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
      message += std::string(" (") + detail + ")";
    }
  } else {
    message = TrimNewline(PQerrorMessage(conn));
  }
  std::string code = sqlstate ? sqlstate : "";
  if (code == "23505") {
    return AlreadyExistsError("unique constraint violated: " + message, "唯一约束冲突：" + message);
  }
  if (code == "23503") {
    return FailedPreconditionError("foreign key constraint violated: " + message,
                                   "外键约束不满足：" + message);
  }
  // Class 08 (connection), 57P0x (server shutting down), 53 (out of
  // resources), 40001/40P01 (serialization failure, deadlock: retryable), or
  // no SQLSTATE at all with a dead connection.
  if (code.rfind("08", 0) == 0 || code.rfind("57P0", 0) == 0 || code.rfind("53", 0) == 0 ||
      code == "40001" || code == "40P01" || (code.empty() && PQstatus(conn) != CONNECTION_OK)) {
    return UnavailableError("PostgreSQL unavailable: " + message, "PostgreSQL 不可用：" + message);
  }
  return InvalidArgumentError("PostgreSQL error: " + message, "PostgreSQL 错误：" + message);
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea's text output, "\x" then hex (bytea_output = hex is set per session).
Blob DecodeBytea(const char* text, size_t n) {
  Blob blob;
  if (n >= 2 && text[0] == '\\' && text[1] == 'x') {
    blob.bytes.reserve((n - 2) / 2);
    for (size_t i = 2; i + 1 < n; i += 2) {
      blob.bytes.push_back(static_cast<char>(HexDigit(text[i]) * 16 + HexDigit(text[i + 1])));
    }
  }
  return blob;
}

Value CellValue(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return std::monostate{};
  const char* text = PQgetvalue(r, row, col);
  size_t n = static_cast<size_t>(PQgetlength(r, row, col));
  switch (PQftype(r, col)) {
    case kBoolOid:
      return int64_t{text[0] == 't' ? 1 : 0};
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
      return static_cast<int64_t>(std::strtoll(text, nullptr, 10));
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return std::strtod(text, nullptr);  // accepts NaN and Infinity too
    case kByteaOid:
      return DecodeBytea(text, n);
    default:
      return std::string(text, n);
  }
}

// Appends `s` escaped for COPY's text format.
void AppendCopyText(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

void AppendCopyValue(std::string& out, const Value& v) {
  static constexpr char kHex[] = "0123456789abcdef";
  struct Appender {
    std::string& out;
    void operator()(std::monostate) const { out += "\\N"; }
    void operator()(int64_t i) const { out += std::to_string(i); }
    void operator()(double d) const { out += FormatDouble(d); }
    void operator()(const std::string& s) const { AppendCopyText(out, s); }
    void operator()(const Blob& b) const {
      out += "\\\\x";  // bytea's \x, its backslash escaped for COPY
      for (unsigned char c : b.bytes) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
  };
  std::visit(Appender{out}, v);
}

class PostgresConnection final : public PooledConnection {
 public:
  explicit PostgresConnection(Conn conn) : conn_(std::move(conn)) {}

  Backend backend() const override { return Backend::kPostgres; }
  bool broken() const override { return PQstatus(conn_.get()) != CONNECTION_OK; }
  bool in_transaction() const override {
    PGTransactionStatusType s = PQtransactionStatus(conn_.get());
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
  }

  StatusOr<int64_t> Execute(std::string_view sql, const Params& params) override {
    ASSIGN_OR_RETURN(Result r, Run(sql, params));
    const char* tuples = PQcmdTuples(r.get());
    return tuples && *tuples ? static_cast<int64_t>(std::strtoll(tuples, nullptr, 10)) : 0;
  }

  StatusOr<ResultSet> Query(std::string_view sql, const Params& params) override {
    ASSIGN_OR_RETURN(Result r, Run(sql, params));
    int ncol = PQnfields(r.get()), nrow = PQntuples(r.get());
    std::vector<std::string> columns;
    columns.reserve(static_cast<size_t>(ncol));
    for (int c = 0; c < ncol; ++c) columns.emplace_back(PQfname(r.get(), c));
    std::vector<std::vector<Value>> rows(static_cast<size_t>(nrow));
    for (int i = 0; i < nrow; ++i) {
      rows[i].reserve(static_cast<size_t>(ncol));
      for (int c = 0; c < ncol; ++c) rows[i].push_back(CellValue(r.get(), i, c));
    }
    return ResultSet(std::move(columns), std::move(rows));
  }

  Status ExecuteScript(std::string_view sql) override {
    // The simple query protocol runs ';'-separated statements in one go.
    Result r(PQexec(conn_.get(), std::string(sql).c_str()));
    return Check(r.get());
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
    // Check every row before COPY starts: a COPY cannot be abandoned cleanly
    // halfway through on our side.
    for (size_t r = 0; r < rows.size(); ++r) {
      if (rows[r].size() != columns.size()) {
        return InvalidArgumentError("row " + std::to_string(r) + " has " +
                                        std::to_string(rows[r].size()) + " values, expected " +
                                        std::to_string(columns.size()),
                                    "第 " + std::to_string(r) + " 行有 " +
                                        std::to_string(rows[r].size()) + " 个值，应为 " +
                                        std::to_string(columns.size()))
            .WithField("row " + std::to_string(r));
      }
    }
    std::string sql = "COPY " + QuoteIdentifier(table) + " (";
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += QuoteIdentifier(columns[i]);
    }
    sql += ") FROM STDIN";
    Result start(PQexec(conn_.get(), sql.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) return PostgresError(conn_.get(), start.get());

    std::string buffer;
    buffer.reserve(kCopyChunkBytes + 4096);
    bool send_failed = false;
    for (const Params& row : rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        if (i > 0) buffer += '\t';
        AppendCopyValue(buffer, row[i]);
      }
      buffer += '\n';
      if (buffer.size() >= kCopyChunkBytes) {
        if (PQputCopyData(conn_.get(), buffer.data(), static_cast<int>(buffer.size())) != 1) {
          send_failed = true;
          break;
        }
        buffer.clear();
      }
    }
    if (!send_failed && !buffer.empty() &&
        PQputCopyData(conn_.get(), buffer.data(), static_cast<int>(buffer.size())) != 1) {
      send_failed = true;
    }
    PQputCopyEnd(conn_.get(), send_failed ? "edugov: sending COPY data failed" : nullptr);
    // The COPY's outcome is the first result; drain the rest.
    Status status;
    bool first = true;
    while (PGresult* raw = PQgetResult(conn_.get())) {
      Result r(raw);
      if (first) status = Check(r.get());
      first = false;
    }
    if (first) status = PostgresError(conn_.get(), nullptr);
    return status;
  }

  Status Begin(TransactionMode mode) override {
    if (in_transaction()) {
      return FailedPreconditionError("a transaction is already open on this connection",
                                     "此连接上已有未结束的事务");
    }
    return ExecuteScript("BEGIN");
  }

  Status Commit() override {
    if (!in_transaction()) {
      return FailedPreconditionError("COMMIT without an open transaction", "没有可提交的事务");
    }
    Result r(PQexec(conn_.get(), "COMMIT"));
    RETURN_IF_ERROR(Check(r.get()));
    // COMMIT of a transaction an earlier statement aborted "succeeds" as a
    // ROLLBACK; the caller must not believe its writes landed.
    if (std::strcmp(PQcmdStatus(r.get()), "ROLLBACK") == 0) {
      return FailedPreconditionError(
          "transaction was rolled back: a statement in it had failed",
          "事务已回滚：其中有语句执行失败");
    }
    return OkStatus();
  }

  void Rollback() override {
    if (!in_transaction()) return;
    Result r(PQexec(conn_.get(), "ROLLBACK"));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      LogWarning("PostgreSQL ROLLBACK failed: " + TrimNewline(PQerrorMessage(conn_.get())));
    }
  }

 private:
  Status Check(const PGresult* r) {
    ExecStatusType s = PQresultStatus(r);
    if (r != nullptr && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY)) {
      return OkStatus();
    }
    return PostgresError(conn_.get(), r);
  }

  StatusOr<Result> Run(std::string_view sql, const Params& params) {
    // Integers and doubles are typed so "SELECT $1" and arithmetic behave as
    // on SQLite; text and NULL stay untyped ("unknown") so the server can
    // read them as whatever the column is; bytes travel in binary.
    const size_t n = params.size();
    std::vector<std::string> texts(n);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0), formats(n, 0);
    std::vector<Oid> types(n, 0);
    for (size_t i = 0; i < n; ++i) {
      const Value& v = params[i];
      if (const int64_t* x = std::get_if<int64_t>(&v)) {
        texts[i] = std::to_string(*x);
        types[i] = kInt8Oid;
      } else if (const double* d = std::get_if<double>(&v)) {
        texts[i] = FormatDouble(*d);
        types[i] = kFloat8Oid;
      } else if (const std::string* s = std::get_if<std::string>(&v)) {
        values[i] = s->c_str();
        continue;
      } else if (const Blob* b = std::get_if<Blob>(&v)) {
        values[i] = b->bytes.data();
        lengths[i] = static_cast<int>(b->bytes.size());
        formats[i] = 1;
        types[i] = kByteaOid;
        continue;
      } else {
        continue;  // NULL
      }
      values[i] = texts[i].c_str();
    }
    Result r(PQexecParams(conn_.get(), std::string(sql).c_str(), static_cast<int>(n),
                          types.data(), values.data(), lengths.data(), formats.data(),
                          /*resultFormat=*/0));
    RETURN_IF_ERROR(Check(r.get()));
    return r;
  }

  Conn conn_;
};

// Notices (e.g. "relation already exists, skipping") are noise for an
// application; client_min_messages=warning keeps all but warnings away.
void ForwardNotice(void*, const char* message) {
  LogWarning("PostgreSQL: " + TrimNewline(message));
}

StatusOr<std::unique_ptr<PooledConnection>> Connect(const std::string& url,
                                                     const std::string& redacted) {
  // Earlier keywords are defaults the URL may override (libpq processes the
  // arrays in order, the expanded dbname last).
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "edugov", url.c_str(), nullptr};
  Conn conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (!conn) return InternalError("libpq could not allocate a connection", "libpq 无法分配连接");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::string message = TrimNewline(PQerrorMessage(conn.get()));
    return UnavailableError("cannot connect to PostgreSQL at " + redacted + ": " + message,
                            "无法连接 PostgreSQL（" + redacted + "）：" + message);
  }
  PQsetNoticeProcessor(conn.get(), ForwardNotice, nullptr);
  Result r(PQexec(conn.get(),
                  "SET client_min_messages = warning; SET TimeZone = 'UTC'; "
                  "SET bytea_output = 'hex'; SET client_encoding = 'UTF8'"));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    Status s = PostgresError(conn.get(), r.get());
    return UnavailableError("cannot set up PostgreSQL session at " + redacted + ": " +
                                s.message_en(),
                            "无法初始化 PostgreSQL 会话（" + redacted + "）：" + s.message_en());
  }
  return std::unique_ptr<PooledConnection>(std::make_unique<PostgresConnection>(std::move(conn)));
}

}  // namespace

StatusOr<std::unique_ptr<Database>> OpenPostgres(std::string_view url_view,
                                                 const DatabaseOptions& options) {
  std::string url(url_view);
  std::string redacted = RedactUrl(url);
  // libpq's own parser catches bad syntax and unknown options before any
  // network traffic; its message does not repeat the password.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string message = parse_error ? TrimNewline(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return InvalidArgumentError("malformed PostgreSQL URL " + redacted + ": " + message,
                                "PostgreSQL 地址格式错误 " + redacted + "：" + message);
  }
  for (PQconninfoOption* o = parsed; o->keyword; ++o) {
    // libpq accepts a non-numeric port here and fails only when connecting.
    if (std::strcmp(o->keyword, "port") == 0 && o->val) {
      for (const char* p = o->val; *p; ++p) {
        if ((*p < '0' || *p > '9') && *p != ',') {
          std::string port = o->val;
          PQconninfoFree(parsed);
          return InvalidArgumentError("malformed PostgreSQL URL " + redacted + ": port \"" +
                                          port + "\" is not a number",
                                      "PostgreSQL 地址格式错误 " + redacted + "：端口“" + port +
                                          "”不是数字");
        }
      }
    }
  }
  PQconninfoFree(parsed);

  ConnectionFactory factory = [url, redacted] { return Connect(url, redacted); };
  ASSIGN_OR_RETURN(std::unique_ptr<PooledConnection> first, factory());
  return std::unique_ptr<Database>(std::make_unique<PooledDatabase>(
      Backend::kPostgres, redacted, options.pool_size, std::move(factory), std::move(first)));
}

}  // namespace edugov::storage::internal
