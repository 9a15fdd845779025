// Backend-independent parts of database.h: URL dispatch and redaction,
// ResultSet accessors, RunInTransaction.
#include "storage/database.h"

#include <exception>
#include <string>

#include "storage/internal/backends.h"

namespace edugov::storage {

namespace {

// Numeric values convert between int64 and double; any other type mismatch
// is a caller bug and reads as the fallback.
template <typename T>
T NumberOr(const Value& v, T fallback) {
  if (const int64_t* i = std::get_if<int64_t>(&v)) return static_cast<T>(*i);
  if (const double* d = std::get_if<double>(&v)) return static_cast<T>(*d);
  return fallback;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

bool ResultSet::IsNull(size_t r, size_t c) const {
  return std::holds_alternative<std::monostate>(at(r, c));
}

int64_t ResultSet::GetInt(size_t r, size_t c, int64_t if_null) const {
  return NumberOr<int64_t>(at(r, c), if_null);
}

double ResultSet::GetDouble(size_t r, size_t c, double if_null) const {
  return NumberOr<double>(at(r, c), if_null);
}

std::string ResultSet::GetText(size_t r, size_t c, std::string_view if_null) const {
  if (const std::string* s = std::get_if<std::string>(&at(r, c))) return *s;
  return std::string(if_null);
}

std::optional<std::string> ResultSet::GetOptionalText(size_t r, size_t c) const {
  if (const std::string* s = std::get_if<std::string>(&at(r, c))) return *s;
  return std::nullopt;
}

std::optional<int64_t> ResultSet::GetOptionalInt(size_t r, size_t c) const {
  if (IsNull(r, c)) return std::nullopt;
  return GetInt(r, c);
}

std::string ResultSet::GetBlob(size_t r, size_t c) const {
  if (const Blob* b = std::get_if<Blob>(&at(r, c))) return b->bytes;
  return {};
}

StatusOr<size_t> ResultSet::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == name) return i;
  }
  return InvalidArgumentError("result has no column named \"" + std::string(name) + "\"",
                              "查询结果中没有名为“" + std::string(name) + "”的列");
}

Status RunInTransaction(Connection& conn, TransactionMode mode,
                        const std::function<Status(Connection&)>& body) {
  RETURN_IF_ERROR(conn.Begin(mode));
  Status result;
  try {
    result = body(conn);
  } catch (const std::exception& e) {
    // Exceptions stop here (house rule); the transaction must not survive.
    result = InternalError(std::string("transaction body threw: ") + e.what(),
                           std::string("事务执行时抛出异常：") + e.what());
  } catch (...) {
    result = InternalError("transaction body threw a non-standard exception",
                           "事务执行时抛出未知异常");
  }
  if (!result.ok()) {
    conn.Rollback();
    return result;
  }
  Status committed = conn.Commit();
  if (!committed.ok() && conn.in_transaction()) conn.Rollback();
  return committed;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') {
      out += "\"\"";
    } else if (c == '.') {
      out += "\".\"";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string RedactUrl(std::string_view url) {
  std::string out(url);
  size_t scheme_end = out.find("://");
  if (scheme_end == std::string::npos) return out;  // sqlite: URLs carry no secrets
  size_t auth_begin = scheme_end + 3;
  size_t auth_end = out.find_first_of("/?#", auth_begin);
  if (auth_end == std::string::npos) auth_end = out.size();
  size_t at = out.rfind('@', auth_end);
  if (at != std::string::npos && at >= auth_begin) {
    size_t colon = out.find(':', auth_begin);
    if (colon != std::string::npos && colon < at) {
      out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // libpq also takes the password as a query parameter.
  size_t query = out.find('?');
  while (query != std::string::npos) {
    size_t key = query + 1;
    size_t amp = out.find('&', key);
    size_t end = amp == std::string::npos ? out.size() : amp;
    if (StartsWith(std::string_view(out).substr(key), "password=")) {
      size_t value = key + 9;
      out.replace(value, end - value, "***");
      amp = out.find('&', key);
    }
    query = amp;
  }
  return out;
}

StatusOr<std::unique_ptr<Database>> Database::Open(std::string_view url,
                                                   const DatabaseOptions& options) {
  if (options.pool_size < 1) {
    return InvalidArgumentError("pool_size must be at least 1, got " +
                                    std::to_string(options.pool_size),
                                "连接池大小至少为 1，实际为 " + std::to_string(options.pool_size));
  }
  if (StartsWith(url, "sqlite:")) {
    return internal::OpenSqlite(url, url.substr(7), options);
  }
  if (StartsWith(url, "postgresql://") || StartsWith(url, "postgres://")) {
    return internal::OpenPostgres(url, options);
  }
  std::string shown = RedactUrl(url);
  return InvalidArgumentError(
      "unsupported database URL \"" + shown +
          "\": expected sqlite:PATH, sqlite::memory: or postgresql://user@host:port/dbname",
      "不支持的数据库地址“" + shown +
          "”：应为 sqlite:路径、sqlite::memory: 或 postgresql://用户@主机:端口/数据库");
}

}  // namespace edugov::storage
