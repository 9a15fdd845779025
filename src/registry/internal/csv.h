// The registry's view of a CSV file: every record in memory, header first.
// Reading itself (RFC 4180, encodings, delimiters) is src/tabular's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace edugov::registry::internal {

struct CsvRecord {
  int row = 0;  // 1-based record number: the header is row 1, as Excel shows it
  std::vector<std::string> fields;
};

// Splits `text` (UTF-8, UTF-16 with BOM, or GBK/GB18030) into records.
// Blank rows are skipped but still counted. Errors are tabular's
// (kInvalidArgument, field "row R, column C"): an empty file, an undecodable
// encoding, a quote inside an unquoted field, text after a closing quote, an
// unterminated quoted field.
StatusOr<std::vector<CsvRecord>> ParseCsv(std::string_view text);

}  // namespace edugov::registry::internal
