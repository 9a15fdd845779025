// Importing the registry from CSV files, as clerks keep it in Excel.
// Format, column names (English or Chinese) and examples: docs/registry-csv.md.
//
//   ASSIGN_OR_RETURN(ImportReport report,
//                    ImportRegistryCsv(*conn, principal, clock, ImportKind::kClasses, text));
//   if (!report.ok()) { /* show report.errors; nothing was written */ }
//
// All or nothing: the whole file runs in one write transaction, row by row
// through the same checks as the API (scope, role, validation); if any row
// is bad the transaction is rolled back and the report lists every bad row.
// A clerk fixes the sheet and imports it again — never half a registry.
// Rows are upserted: orgs and staff by code, classes by (school, grade,
// name). An existing row changes only in the columns present and non-empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace edugov::registry {

enum class ImportKind { kOrgs, kClasses, kStaff };
// "orgs", "classes", "staff".
std::optional<ImportKind> ParseImportKind(std::string_view text);

struct ImportError {
  int row = 0;         // CSV record number, header = 1 (Excel's row); 0 for the whole file
  std::string column;  // the column as written in the header; empty for the whole row/file
  std::string value;   // the offending cell, if any
  std::string message_zh;
  std::string message_en;
};

struct ImportReport {
  int64_t inserted = 0;  // 0 unless errors is empty
  int64_t updated = 0;
  std::vector<ImportError> errors;  // by row
  bool ok() const { return errors.empty(); }
};

// Imports `csv_text` (UTF-8, BOM allowed). Returns a report — with errors
// and nothing written, or without and everything written. A non-OK status
// is reserved for what is not the file's fault: a role that may not edit the
// registry (kPermissionDenied) or a database failure.
StatusOr<ImportReport> ImportRegistryCsv(storage::Connection& conn,
                                         const accounts::Principal& principal,
                                         const Clock& clock, ImportKind kind,
                                         std::string_view csv_text);

}  // namespace edugov::registry
