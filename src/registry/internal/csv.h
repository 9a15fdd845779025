// RFC 4180 CSV reading: quoted fields with embedded commas, quotes ("") and
// line breaks; CRLF or LF record ends; a UTF-8 byte-order mark is dropped.
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

// Splits `text` into records. A record that is one empty field (a blank
// line) is skipped. Errors (kInvalidArgument, field "row N"): text that is
// not UTF-8, a quote inside an unquoted field, text after a closing quote, an
// unterminated quoted field.
StatusOr<std::vector<CsvRecord>> ParseCsv(std::string_view text);

}  // namespace edugov::registry::internal
