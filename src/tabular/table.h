// The streaming interface every tabular file reader (CSV, XLSX) implements,
// so dataset import validates rows without caring where they came from.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<CsvSource> src, OpenCsvFile(path, {}));
//   const std::vector<std::string>& header = src->header();
//   Row row;
//   for (;;) {
//     ASSIGN_OR_RETURN(bool more, src->Next(row));
//     if (!more) break;
//     Check(row.number, row.cells);  // row.cells[i] belongs under header[i]
//   }
//
// Formats, encodings and every error message: docs/tabular-formats.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace edugov::tabular {

// One data row. The reader fills it; the caller reuses the same Row for
// every call so the cell vector's capacity is kept and reading allocates
// nothing per cell.
struct Row {
  // 1-based row number in the source as the clerk sees it: Excel's row
  // number for XLSX, the record number for CSV (the header is row 1).
  int64_t number = 0;
  // Cells in column order; cells[0] is column A. The views point into
  // memory owned by the RowSource and stay valid until the next call to
  // Next() on that source or its destruction, whichever comes first: copy
  // what must outlive that. A missing cell is an empty view. A row may have
  // fewer or more cells than the header — the reader does not judge shape.
  std::vector<std::string_view> cells;

  // The cell at `column` (0-based), or "" past the end of the row.
  std::string_view cell(size_t column) const {
    return column < cells.size() ? cells[column] : std::string_view();
  }
};

// A forward-only stream of rows from one table. Not thread-safe: one
// thread reads a source at a time. Sources are created by the readers'
// Open functions (csv_reader.h, xlsx_reader.h) and owned by the caller.
class RowSource {
 public:
  virtual ~RowSource() = default;

  // The first non-blank row of the table, as UTF-8 text, read when the
  // source was opened. Owned by the source; valid while it lives. Empty
  // only for a source opened without a header row.
  virtual const std::vector<std::string>& header() const = 0;
  // The source row number of the header (usually 1), 0 if none.
  virtual int64_t header_row_number() const = 0;

  // Reads the next non-blank row into `row` and returns true, or returns
  // false at the end of the table (and keeps returning false). A non-OK
  // status (kInvalidArgument, its field naming the row and column) means the
  // file is malformed from there on; the source must not be read further.
  virtual StatusOr<bool> Next(Row& row) = 0;
};

}  // namespace edugov::tabular
