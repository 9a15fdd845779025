// Importing rows into a dataset: from a CSV or XLSX file (any tabular
// RowSource) or from one web-form row, validated against the dataset's
// schema and the registry, in one transaction with one audit entry.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<tabular::CsvSource> csv, tabular::OpenCsvFile(path));
//   ASSIGN_OR_RETURN(ImportReport report,
//       Import(*conn, principal, clock, homework_schema, *csv,
//              {.file_name = "作业.csv", .format = "csv", .encoding = "UTF-8"}, nullptr));
//   if (report.rows_rejected > 0) {
//     ASSIGN_OR_RETURN(std::string fix_me, WriteAnnotatedCsv(*conn, principal, report.import_id));
//   }
//
// The rules (docs/datasets.md):
//   - Header: each declared column is found by its name or its zh label
//     (ASCII case ignored); a required column missing from the header fails
//     the whole file (kInvalidArgument, nothing written). Extra columns are
//     ignored and listed in the report, except 学校代码/school_code, which
//     names the school a class column's class names belong to.
//   - Cells: types (int, decimal, date, time, bool, enum by value or label),
//     required, min/max, references resolved against the registry loaded
//     once (school/org and staff by code, class by id, "学校代码/班级名" or a
//     class name with the row's school), and scope: every referenced
//     school, class or staff member must lie in the principal's subtree
//     (outside it reads the same as unknown, so nothing leaks).
//   - Keys: a second row with the key of an earlier row of the same file is
//     rejected; a row whose key is already stored REPLACES the stored row
//     (the clerk's correction wins; row_id is kept so findings that cite it
//     stay valid) — counted in rows_updated.
//   - Good rows land, each bad row goes to `quarantine` with its row
//     number, column, value and reason in zh and en (one entry per bad cell).
//   - All of it — imports row, rows, quarantine, audit entry — is ONE write
//     transaction: a failure at any point (including a crash) leaves the
//     store as it was.
//
// Cost: a file loads the user's part of the registry once (three queries)
// and reads and validates on a second thread. A MemoryRowSource of at most
// 64 rows (a web form) is validated on the calling thread and looks up only
// the registry entries its rows name (an indexed query each, inside the
// import's transaction) — well under a millisecond of our own work per row,
// whatever the size of the registry or of the dataset's table.
//
// Thread-safety: no state; `conn` is used by the calling thread only and
// must not be inside a transaction. For a file, Import reads and validates
// the source on a second thread that it starts and joins before returning
// (the source is read by that thread alone; callbacks run on the calling
// thread).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/status.h"
#include "datasets/columnar.h"
#include "datasets/schema.h"
#include "storage/database.h"
#include "tabular/table.h"

namespace edugov::datasets {

struct ImportOptions {
  std::string file_name;  // recorded in `imports`, shown in the audit entry
  std::string format = "csv";  // "csv", "xlsx" or "form"
  std::string encoding;        // as read ("UTF-8", "GB18030"); "" for XLSX
  // How many problems the report carries (all of them are in quarantine).
  size_t max_report_problems = 100;
  // Bounds on what rejected rows may write (an upload is untrusted: every
  // bad cell of a row keeps the whole raw row, so a small file of wide,
  // long, all-bad rows would write gigabytes). Over either the import fails
  // with kResourceExhausted naming the bound, nothing written. The errors
  // file (WriteAnnotatedCsv) is built from quarantine, so it is bounded too.
  size_t max_quarantine_row_bytes = size_t{1} << 20;   // one raw row as JSON
  size_t max_quarantine_bytes = size_t{64} << 20;      // all entries of the import
  // Fill ImportReport::landed with the landed rows as stored, so the caller
  // can Append() them to a columnar image.
  bool collect_landed = false;
  // Called after each batch of rows is written, inside the transaction, with
  // the number of source rows read so far. A non-OK status aborts the import
  // and rolls everything back (used by tests to inject a failure).
  std::function<Status(int64_t rows_read)> after_batch;
  // The pack's semesters (days since the epoch, inclusive; sorted, not
  // overlapping). When given — or, when empty, the schema's own
  // DatasetSchema::school_semesters, which the rules binder fills for a
  // dataset a `days: school` rule reads, so every import path passes them — a
  // row whose period date lies outside all of them is kept and reported in
  // ImportReport::warnings (不在任何学期内): school-day rules never count it,
  // so the clerk should know (a typo'd year, a holiday record).
  std::vector<std::pair<int32_t, int32_t>> semesters;
};

// Progress for a progress bar: called every few thousand rows (and once at
// the end) with the rows read so far, from the importing thread. May be null.
using ImportProgress = std::function<void(int64_t rows_read)>;

// One problem with one source row.
struct ImportProblem {
  int64_t row_number = 0;  // as the clerk sees it; 0 for the whole file
  std::string column;      // the header cell as written; "" for the whole row
  std::string value;
  std::string reason_zh;
  std::string reason_en;
};

struct ImportReport {
  int64_t import_id = 0;
  std::string dataset;
  int64_t rows_total = 0;     // data rows read (blank rows are skipped)
  int64_t rows_ok = 0;        // landed (inserted + updated)
  int64_t rows_inserted = 0;
  int64_t rows_updated = 0;   // replaced a stored row with the same key
  int64_t rows_rejected = 0;  // kept in quarantine
  std::string status;         // "done", "partial", "rejected"
  // The first max_report_problems problems, by row.
  std::vector<ImportProblem> problems;
  // Header cells that match no declared column and were ignored.
  std::vector<std::string> ignored_columns;
  // Only with ImportOptions::collect_landed.
  std::vector<IngestedRow> landed;
  // Rows that landed but deserve a look (ImportOptions::semesters): the
  // first max_report_problems of them, by row; rows_warned counts them all.
  std::vector<ImportProblem> warnings;
  int64_t rows_warned = 0;
};

// Imports every row of `source` into the dataset of `schema` (whose table
// must exist: EnsureDatasetTables). Returns the report — also when rows
// were rejected (the good ones landed). Errors, with nothing written:
//   kInvalidArgument  the header lacks a required column or names one twice;
//                     the file is malformed (the reader's error, naming the row)
//   kFailedPrecondition  `conn` is in a transaction
//   kPermissionDenied    the principal is bound to no org
//   anything from the store (also when the table does not exist) or from
//   options.after_batch.
StatusOr<ImportReport> Import(storage::Connection& conn, const accounts::Principal& principal,
                              const Clock& clock, const DatasetSchema& schema,
                              tabular::RowSource& source, const ImportOptions& options,
                              const ImportProgress& progress);

// A RowSource over rows held in memory (a web form's row, tests): `header`
// and `rows` are copied; row numbers start at 2 (the header is row 1).
class MemoryRowSource final : public tabular::RowSource {
 public:
  MemoryRowSource(std::vector<std::string> header, std::vector<std::vector<std::string>> rows);
  const std::vector<std::string>& header() const override { return header_; }
  int64_t header_row_number() const override { return 1; }
  StatusOr<bool> Next(tabular::Row& row) override;
  // Data rows held (read or not).
  size_t size() const { return rows_.size(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  size_t next_ = 0;
};

// The rejected rows of import `import_id` as a CSV file a clerk can fix and
// upload again: UTF-8 with a BOM (so Excel opens it as UTF-8), the original
// header plus two columns 错误列 and 错误原因, one line per rejected row in
// row order with its original cells; a row with several problems lists
// them all, joined by "；". Scoped as GetImport (kNotFound outside).
StatusOr<std::string> WriteAnnotatedCsv(storage::Connection& conn,
                                        const accounts::Principal& principal, int64_t import_id);

}  // namespace edugov::datasets
