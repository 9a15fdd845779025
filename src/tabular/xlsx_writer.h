// Writing an Excel .xlsx workbook in memory with libxlsxwriter: sheets of
// rows under a bold, frozen header row, with optional notes on the header
// cells, dropdown lists (data validation) and column number formats — what
// import templates and list exports need.
//
//   ASSIGN_OR_RETURN(auto book, XlsxWriter::Create({.streaming = true}));
//   RETURN_IF_ERROR(book->AddSheet("问题清单", {{.header = "编号"}, {.header = "学校", .width = 24}}));
//   RETURN_IF_ERROR(book->AddRow({int64_t{1} * 1.0, std::string("江英学校")}));
//   ASSIGN_OR_RETURN(std::string bytes, book->Finish());
//
// Streaming (libxlsxwriter's constant_memory): each row goes to a temporary
// file as it is added, so a list of a million rows costs the memory of one
// row; rows must then be added in order, and header notes and dropdowns are
// not written (they are for templates, which are small).
//
// libxlsxwriter writes files only: the workbook is built in a private
// temporary file (mkstemp under $TMPDIR or /tmp) that Finish() reads back
// and that is removed on every path.
//
// Thread-safety: one writer, one thread; writers are independent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace edugov::tabular {

struct XlsxColumnSpec {
  std::string header;
  double width = 0;  // characters; 0: from the header's length (at least 10)
  // A note on the header cell (what to write, required or not, allowed
  // values). Not in streaming mode.
  std::string comment;
  // A dropdown on the data rows offering exactly these values (kept on a
  // hidden sheet 选项, so long lists are fine). Not in streaming mode.
  std::vector<std::string> choices;
  // An Excel number format for the data rows ("yyyy-mm-dd", "@" for text).
  std::string number_format;
};

// A cell: blank, text or a number.
using XlsxCell = std::variant<std::monostate, std::string, double>;

struct XlsxWriterOptions {
  bool streaming = false;
  // Rows under the header that carry the dropdowns (templates).
  int validated_rows = 1000;
};

class XlsxWriter {
 public:
  static StatusOr<std::unique_ptr<XlsxWriter>> Create(XlsxWriterOptions options = {});
  ~XlsxWriter();
  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;

  // Starts a sheet and writes its header row (bold, frozen). Sheet names
  // are cut to Excel's 31 characters.
  Status AddSheet(std::string_view name, const std::vector<XlsxColumnSpec>& columns);
  // Appends a data row to the current sheet.
  Status AddRow(const std::vector<XlsxCell>& cells);
  // A sheet of plain text lines (a notes page); the first line bold.
  Status AddTextSheet(std::string_view name, const std::vector<std::vector<std::string>>& lines);
  // Data rows written to the current sheet.
  int64_t rows() const { return rows_; }
  // Closes the workbook and returns its bytes. The writer is spent after.
  StatusOr<std::string> Finish();

 private:
  struct Impl;
  explicit XlsxWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int64_t rows_ = 0;
};

}  // namespace edugov::tabular
