#include "datasets/store.h"

#include <nlohmann/json.hpp>

#include "storage/migrations.h"

namespace edugov::datasets {
namespace {

using storage::Backend;
using storage::Connection;
using storage::ResultSet;

// Names are checked by ParseDatasets ([a-z][a-z0-9_]*), but quote anyway:
// a column may be called "date" or "order".

std::string SqlType(ColumnType type, Backend backend) {
  switch (type) {
    case ColumnType::kInt:
    case ColumnType::kRef:
      return "BIGINT";
    case ColumnType::kDecimal:
      return backend == Backend::kSqlite ? "REAL" : "DOUBLE PRECISION";
    case ColumnType::kBool:
      return "INTEGER";
    case ColumnType::kText:
    case ColumnType::kEnum:
    case ColumnType::kDate:
    case ColumnType::kTime:
      return "TEXT";
  }
  return "TEXT";
}

StatusOr<bool> TableExists(Connection& conn, const std::string& table) {
  ResultSet rs;
  if (conn.backend() == Backend::kSqlite) {
    ASSIGN_OR_RETURN(rs, conn.Query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1",
                                    {table}));
  } else {
    ASSIGN_OR_RETURN(rs, conn.Query("SELECT 1 FROM information_schema.tables "
                                    "WHERE table_schema = current_schema() AND table_name = $1",
                                    {table}));
  }
  return !rs.empty();
}

StatusOr<ImportRecord> ReadImport(Connection& conn, const accounts::Principal& principal,
                                  int64_t import_id) {
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.Query("SELECT id, dataset, file_name, encoding, format, rows_total, rows_ok, "
                              "rows_rejected, rows_updated, actor, actor_user_id, actor_org_path, "
                              "header_json, started_at, finished_at, status "
                              "FROM imports WHERE id = $1",
                              {import_id}));
  Status not_found = NotFoundError("import " + std::to_string(import_id) + " not found",
                                   "导入记录 " + std::to_string(import_id) + " 不存在");
  if (rs.empty()) return not_found;
  ImportRecord r;
  r.id = rs.GetInt(0, 0);
  r.dataset = rs.GetText(0, 1);
  r.file_name = rs.GetText(0, 2);
  r.encoding = rs.GetText(0, 3);
  r.format = rs.GetText(0, 4);
  r.rows_total = rs.GetInt(0, 5);
  r.rows_ok = rs.GetInt(0, 6);
  r.rows_rejected = rs.GetInt(0, 7);
  r.rows_updated = rs.GetInt(0, 8);
  r.actor = rs.GetText(0, 9);
  r.actor_user_id = rs.GetInt(0, 10);
  r.actor_org_path = rs.GetText(0, 11);
  nlohmann::json header = nlohmann::json::parse(rs.GetText(0, 12), nullptr, false);
  if (header.is_array()) {
    for (const auto& h : header) r.header.push_back(h.is_string() ? h.get<std::string>() : "");
  }
  r.started_at_us = rs.GetInt(0, 13);
  r.finished_at_us = rs.GetInt(0, 14);
  r.status = rs.GetText(0, 15);
  if (!principal.CanSee(r.actor_org_path)) return not_found;
  return r;
}

}  // namespace

std::vector<std::string> CreateTableStatements(const DatasetSchema& schema, Backend backend) {
  const std::string table = schema.TableName();
  std::string sql = "CREATE TABLE IF NOT EXISTS " + storage::QuoteIdentifier(table) + " (\n";
  // SQLite: INTEGER PRIMARY KEY makes row_id the rowid itself — one B-tree
  // for table and key instead of two (BIGINT PRIMARY KEY would get its own
  // index, which a bulk load cannot drop). Still 64-bit, same values.
  sql += backend == Backend::kSqlite ? "  row_id INTEGER PRIMARY KEY" : "  row_id BIGINT PRIMARY KEY";
  sql += ",\n  org_path TEXT NOT NULL,\n  submitted_at BIGINT NOT NULL";
  for (const ColumnSchema& c : schema.columns) {
    sql += ",\n  " + storage::QuoteIdentifier(c.name) + " " + SqlType(c.type, backend);
    if (c.required) sql += " NOT NULL";
  }
  sql += "\n)";
  std::vector<std::string> out{sql};
  // The key is a unique index rather than an inline UNIQUE so that a bulk
  // load into an empty table can drop and rebuild it (import.cc).
  if (!schema.key.empty()) {
    std::string key;
    for (size_t i = 0; i < schema.key.size(); ++i) key += (i ? ", " : "") + storage::QuoteIdentifier(schema.key[i]);
    out.push_back("CREATE UNIQUE INDEX IF NOT EXISTS " + storage::QuoteIdentifier(table + "_key") + " ON " + storage::QuoteIdentifier(table) +
                  " (" + key + ")");
  }
  auto index = [&](std::string_view suffix, std::string_view column) {
    out.push_back("CREATE INDEX IF NOT EXISTS " + storage::QuoteIdentifier(table + "_" + std::string(suffix)) + " ON " +
                  storage::QuoteIdentifier(table) + " (" + storage::QuoteIdentifier(column) + ")");
  };
  index("org_path", "org_path");
  // A key that starts with the entity (or period) column already indexes it.
  const std::string key_first = schema.key.empty() ? std::string() : schema.key.front();
  if (!schema.entity_column.empty() && key_first != schema.entity_column) {
    index("entity", schema.entity_column);
  }
  if (!schema.period_column.empty() && key_first != schema.period_column) {
    index("period", schema.period_column);
  }
  return out;
}

std::vector<std::string> IndexNames(const DatasetSchema& schema) {
  const std::string t = schema.TableName();
  return {t + "_key", t + "_org_path", t + "_entity", t + "_period"};
}

Status EnsureDatasetTables(Connection& conn, const std::vector<DatasetSchema>& schemas) {
  return storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    for (const DatasetSchema& schema : schemas) {
      const std::string table = schema.TableName();
      ASSIGN_OR_RETURN(bool exists, TableExists(tx, table));
      if (!exists) {
        for (const std::string& sql : CreateTableStatements(schema, tx.backend())) {
          RETURN_IF_ERROR(tx.Execute(sql));
        }
        continue;
      }
      ASSIGN_OR_RETURN(ResultSet rs, tx.Query("SELECT * FROM " + storage::QuoteIdentifier(table) + " WHERE 1 = 0"));
      std::string missing;
      for (const ColumnSchema& c : schema.columns) {
        if (!rs.ColumnIndex(c.name).ok()) missing += (missing.empty() ? "" : ", ") + c.name;
      }
      if (!missing.empty()) {
        return FailedPreconditionError(
            "table " + table + " exists without the declared column(s) " + missing +
                "; the dataset's declaration changed — migrate the table by hand",
            "数据表 " + table + " 已存在但缺少声明的列 " + missing + "；数据集声明已变更，请手工迁移该表");
      }
    }
    return OkStatus();
  });
}

StatusOr<ImportRecord> GetImport(Connection& conn, const accounts::Principal& principal,
                                 int64_t import_id) {
  return ReadImport(conn, principal, import_id);
}

StatusOr<std::vector<QuarantineEntry>> ListQuarantine(Connection& conn,
                                                      const accounts::Principal& principal,
                                                      int64_t import_id) {
  ASSIGN_OR_RETURN(ImportRecord rec, ReadImport(conn, principal, import_id));
  (void)rec;
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.Query("SELECT row_number, column_name, value, reason_zh, reason_en, raw_row "
                              "FROM quarantine WHERE import_id = $1 ORDER BY row_number",
                              {import_id}));
  std::vector<QuarantineEntry> out;
  out.reserve(rs.size());
  for (size_t r = 0; r < rs.size(); ++r) {
    QuarantineEntry& e = out.emplace_back();
    e.row_number = rs.GetInt(r, 0);
    e.column = rs.GetText(r, 1);
    e.value = rs.GetText(r, 2);
    e.reason_zh = rs.GetText(r, 3);
    e.reason_en = rs.GetText(r, 4);
    nlohmann::json raw = nlohmann::json::parse(rs.GetText(r, 5), nullptr, false);
    if (raw.is_array()) {
      for (const auto& cell : raw) e.raw_row.push_back(cell.is_string() ? cell.get<std::string>() : "");
    }
  }
  return out;
}

StatusOr<std::vector<StoredRow>> ReadRowsInScope(Connection& conn, const accounts::Principal& principal,
                                                 const DatasetSchema& schema, const std::vector<int64_t>& row_ids) {
  std::vector<StoredRow> out;
  if (principal.org_path.empty() || row_ids.empty()) return out;
  std::string sql = "SELECT row_id";
  for (const auto& c : schema.columns) sql += ", " + storage::QuoteIdentifier(c.name);
  sql += " FROM " + storage::QuoteIdentifier(schema.TableName()) + " WHERE org_path LIKE $1 AND row_id IN (";
  storage::Params params;
  params.emplace_back(std::in_place_type<std::string>, principal.org_path + "%");
  for (int64_t id : row_ids) {
    params.emplace_back(std::in_place_type<int64_t>, id);
    sql += (params.size() > 2 ? ", $" : "$") + std::to_string(params.size());
  }
  sql += ") ORDER BY row_id";
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query(sql, params));
  out.reserve(rs.size());
  for (size_t r = 0; r < rs.size(); ++r) {
    StoredRow row{.row_id = rs.GetInt(r, 0)};
    row.cells.reserve(schema.columns.size());
    for (size_t c = 0; c < schema.columns.size(); ++c) row.cells.push_back(rs.at(r, c + 1));
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace edugov::datasets
