// Reading CSV files (RFC 4180) as a RowSource: quoted fields with embedded
// delimiters, line breaks and doubled quotes; CRLF, LF or CR record ends,
// mixed in one file; a trailing line break or not. The delimiter (',' ';'
// or tab, as Excel writes in different locales) and the encoding (UTF-8
// with or without BOM, UTF-16 with BOM, GBK/GB18030) are detected.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<CsvSource> csv, OpenCsvFile("学生.csv"));
//   // csv->header(), csv->encoding(), then csv->Next(row) until false
//
// The whole file is read and converted to UTF-8 up front; rows are then
// cut from that buffer in one pass, cells are views into it, and quoted
// fields are unescaped in place — no allocation per row or cell.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "tabular/encoding.h"
#include "tabular/table.h"

namespace edugov::tabular {

struct CsvOptions {
  // ',' ';' or '\t'; '\0' detects it from the first row: the candidate that
  // occurs most often outside quotes, ',' on a tie or when none occurs.
  char delimiter = '\0';
  // nullopt detects it (encoding.h).
  std::optional<Encoding> encoding;
  // When false, header() is empty and the first row is data.
  bool has_header = true;
  // Larger files are refused with kResourceExhausted before being read.
  size_t max_file_bytes = size_t{1} << 30;
  // Bounds on the records (an upload is untrusted: one 1 GB cell, a
  // million columns). Over any: kResourceExhausted naming the bound, field
  // "row R, column C"; nothing is read further. Defaults in
  // docs/tabular-formats.md, "Limits".
  size_t max_cell_bytes = 32767 * 4;  // as XLSX: Excel's 32,767 characters
  int64_t max_rows = 5'000'000;       // records, the header and blank ones too
  size_t max_columns = 1024;
};

// A CSV file being read. Owns the file's bytes; every view a Row holds
// points into them (see Row for how long they stay valid).
class CsvSource : public RowSource {
 public:
  // The encoding the file was read in.
  virtual Encoding encoding() const = 0;
  // The delimiter in use (given or detected).
  virtual char delimiter() const = 0;
};

// Opens and reads `path` and its header row. Errors: kNotFound (no file),
// kResourceExhausted (over max_file_bytes), kInvalidArgument for an empty
// file (no non-blank row), a bad encoding (encoding.h) or a malformed header
// row (as Next()). Row errors, kInvalidArgument with field
// "row R, column C": a quoted field not closed before the end of the file
// (the message names the line where it opened), a quote inside an unquoted
// field, text between a closing quote and the next delimiter;
// kResourceExhausted over max_cell_bytes, max_rows or max_columns.
StatusOr<std::unique_ptr<CsvSource>> OpenCsvFile(const std::string& path,
                                                 const CsvOptions& options = {});

// The same for bytes already in memory (an upload); takes them over.
StatusOr<std::unique_ptr<CsvSource>> OpenCsvBytes(std::string&& bytes,
                                                  const CsvOptions& options = {});

}  // namespace edugov::tabular
