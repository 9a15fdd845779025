// The dataset store: one SQL table per declared dataset (ds_<name>, layout in
// columnar.h), created from the policy pack's schemas on either backend, and
// the record of every import (tables `imports` and `quarantine`, migration
// 005_datasets.sql). docs/datasets.md describes both.
//
//   ASSIGN_OR_RETURN(std::vector<DatasetSchema> schemas, ParseDatasets(pack["datasets"], file));
//   RETURN_IF_ERROR(EnsureDatasetTables(*conn, schemas));
//   ASSIGN_OR_RETURN(ImportRecord rec, GetImport(*conn, principal, import_id));
//
// Thread-safety: no state; a Connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/principal.h"
#include "common/status.h"
#include "datasets/schema.h"
#include "storage/database.h"

namespace edugov::datasets {

// The statements that create ds_<name> and its indexes for `backend`:
// first CREATE TABLE IF NOT EXISTS with the reserved columns (row_id,
// org_path, submitted_at) and one typed column per declared column (NOT
// NULL when required); then the key as a UNIQUE INDEX ds_<name>_key (a
// unique constraint that a bulk load can drop and rebuild), and indexes
// ds_<name>_org_path, _entity and _period (the last two only when the key
// does not start with that column: its unique index serves). Every
// statement after the first is CREATE … INDEX IF NOT EXISTS.
std::vector<std::string> CreateTableStatements(const DatasetSchema& schema,
                                               storage::Backend backend);

// Every secondary index name CreateTableStatements may create.
std::vector<std::string> IndexNames(const DatasetSchema& schema);

// Creates every table of `schemas` that does not exist yet, in one write
// transaction (`conn` must not be in one). An existing table is left as it
// is: if its columns differ from the declaration (a pack that changed a
// dataset) the result is kFailedPrecondition naming the table and the
// missing columns — the store is never altered behind the operator's back.
Status EnsureDatasetTables(storage::Connection& conn, const std::vector<DatasetSchema>& schemas);

// One row of `imports`.
struct ImportRecord {
  int64_t id = 0;
  std::string dataset;
  std::string file_name;
  std::string encoding;  // "UTF-8", "GB18030", … ("" for XLSX and forms)
  std::string format;    // "csv", "xlsx", "form"
  int64_t rows_total = 0;
  int64_t rows_ok = 0;        // landed: inserted + updated
  int64_t rows_rejected = 0;  // in quarantine
  int64_t rows_updated = 0;   // of rows_ok, those that replaced a stored row
  std::string actor;
  int64_t actor_user_id = 0;
  std::string actor_org_path;  // the importer's subtree when they imported
  std::vector<std::string> header;  // the file's header row as read
  int64_t started_at_us = 0;
  int64_t finished_at_us = 0;
  std::string status;  // "done", "partial", "rejected"
};

// The import `import_id` if the principal may see it: its importer's org
// (actor_org_path) lies in the principal's subtree — a school sees its own
// imports, the bureau sees all. kNotFound otherwise, same as a missing id.
StatusOr<ImportRecord> GetImport(storage::Connection& conn, const accounts::Principal& principal,
                                 int64_t import_id);

// One problem with one rejected row (a row with two bad cells has two).
struct QuarantineEntry {
  int64_t row_number = 0;   // as the clerk sees it (row.number of table.h)
  std::string column;       // the header cell as written; "" for the whole row
  std::string value;        // the offending cell
  std::string reason_zh;
  std::string reason_en;
  std::vector<std::string> raw_row;  // every cell of the source row
};

// The quarantine of one import, by row number. Scoped as
// GetImport.
StatusOr<std::vector<QuarantineEntry>> ListQuarantine(storage::Connection& conn,
                                                      const accounts::Principal& principal,
                                                      int64_t import_id);

// One stored row of a dataset: its row id and its cells in the schema's
// column order (NULL cells are storage::Null()).
struct StoredRow {
  int64_t row_id = 0;
  std::vector<storage::Value> cells;
};

// The rows of `schema`'s table with the given row ids that lie in the
// principal's subtree (org_path under the principal's), by row id. Ids that
// do not exist or lie outside the subtree are left out alike. An error
// when the table cannot be read (a pack that renamed the dataset leaves
// findings that point at a table that is gone: the caller may show the
// finding without its rows).
StatusOr<std::vector<StoredRow>> ReadRowsInScope(storage::Connection& conn, const accounts::Principal& principal,
                                                 const DatasetSchema& schema, const std::vector<int64_t>& row_ids);

}  // namespace edugov::datasets
