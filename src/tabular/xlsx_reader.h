// Reading one worksheet of an Excel .xlsx workbook as a RowSource, with
// libzip and pugixml: workbook.xml → its relationships → the sheet's XML,
// shared strings (rich-text runs joined), inline strings, numbers,
// booleans, error values, dates and merged cells.
//
//   XlsxOptions opts;
//   opts.sheet = "学生名单";                     // default: the first sheet
//   opts.merged = MergedCellPolicy::kReject;
//   ASSIGN_OR_RETURN(std::unique_ptr<XlsxSource> xlsx, OpenXlsxFile(path, opts));
//   Row row;
//   while (*xlsx->Next(row)) {
//     if (xlsx->cell_is_formula(3)) { /* the caller may refuse computed cells */ }
//   }
//
// What becomes of each cell (docs/tabular-formats.md): text as UTF-8;
// numbers as Excel stored them ("3.5", "1E-3"); booleans "TRUE"/"FALSE";
// errors as shown ("#DIV/0!"); numbers in a date/time format as
// "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or "HH:MM:SS"; formulas as their
// cached result. Cells are placed by their reference (B7 → column 1), so
// missing and empty cells come out as empty views in the right column.
//
// The sheet's XML is unzipped and parsed into memory when the source is
// opened; rows are then produced from that tree. Memory is roughly three
// times the uncompressed sheet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "tabular/table.h"

namespace edugov::tabular {

enum class CellType {
  kEmpty,   // no cell, or a cell with no value
  kString,  // shared or inline string, or a formula's text result
  kNumber,  // as stored, e.g. "42", "3.14", "1.5E-7"
  kBool,    // "TRUE" / "FALSE"
  kDate,    // a number in a date or time format, converted to text
  kError,   // an Excel error value: "#N/A", "#DIV/0!", …
};

// What to do with merged cells (<mergeCells>). Excel keeps a merged range's
// value in its top-left cell only; the rest are empty.
enum class MergedCellPolicy {
  kTopLeftOnly,  // as Excel stores it: the other cells stay empty
  kFill,         // copy the top-left value into every cell of the range
  kReject,       // opening fails, naming the first range
};

// A rectangle of cells, 1-based rows and 0-based columns, inclusive.
struct CellRange {
  int64_t first_row = 0;
  int64_t last_row = 0;
  int first_column = 0;
  int last_column = 0;
  // "A1:C2".
  std::string ToString() const;
  friend bool operator==(const CellRange&, const CellRange&) = default;
};

struct XlsxOptions {
  // The worksheet's tab name; empty reads the first sheet in tab order.
  std::string sheet;
  MergedCellPolicy merged = MergedCellPolicy::kTopLeftOnly;
  // When false, header() is empty and the first non-blank row is data.
  bool has_header = true;
  // Bounds on what one file can make the reader do. An upload is untrusted:
  // a 30 KB zip can hold a sheet of gigabytes, a million references to one
  // long shared string, or a hundred thousand members. Over any bound:
  // kResourceExhausted whose message names the bound and its value (zh+en)
  // and whose field is "file" or the row and column — nothing read further.
  // The defaults fit every real workbook a school or bureau produces
  // (docs/tabular-formats.md, "Limits"); callers may tighten them.
  size_t max_file_bytes = size_t{1} << 30;      // the .xlsx itself
  size_t max_part_bytes = size_t{256} << 20;    // any one member once unzipped
  size_t max_unzipped_bytes = size_t{512} << 20;  // all members read, together
  // Unzipped ÷ zipped size of a member larger than 1 MiB unzipped: real
  // sheets deflate 5–30×, a bomb's repeated cell thousands of times.
  double max_ratio = 100;
  size_t max_entries = 10000;                   // members in the zip
  // One cell's text in UTF-8 bytes: Excel's 32,767 characters at ≤ 4 bytes.
  size_t max_cell_bytes = 32767 * 4;
  int64_t max_rows = 1048576;                   // Excel's row numbers
  int max_columns = 1024;                       // a dataset has tens of columns
  size_t max_shared_strings = 2'000'000;
  size_t max_merged_ranges = 10000;
};

// A worksheet being read. Owns the unzipped XML and the shared strings that
// Row's views point into.
class XlsxSource : public RowSource {
 public:
  // The tab name of the sheet being read.
  virtual const std::string& sheet_name() const = 0;
  // Tab names of all worksheets, in tab order.
  virtual const std::vector<std::string>& sheet_names() const = 0;
  // True if the workbook uses the 1904 date system (old Mac Excel).
  virtual bool date1904() const = 0;
  // Every merged range of the sheet, in file order, whatever the policy.
  virtual const std::vector<CellRange>& merged_ranges() const = 0;

  // About the row last returned by Next() (or the header, before the first
  // call); `column` is 0-based. kEmpty / false past the row's end.
  virtual CellType cell_type(size_t column) const = 0;
  // True if the cell holds a formula; its value is the result Excel cached
  // when the file was saved (empty if it never computed one).
  virtual bool cell_is_formula(size_t column) const = 0;
};

// Opens `path`, picks the sheet and reads its header row. All errors are
// kInvalidArgument (field "file", or "row R, column C" / the cell reference
// for a broken cell) unless said otherwise:
//   the file is not a zip archive; an encrypted workbook or legacy .xls
//   (both OLE compound files); a damaged or truncated zip; no
//   xl/workbook.xml; malformed XML in a part; a workbook without sheets;
//   kNotFound: no file, or no sheet of the given name (the message lists
//   the sheets); the sheet's part missing; merged cells under kReject;
//   a workbook without any non-blank row on the sheet (empty);
//   kResourceExhausted: over any bound of XlsxOptions (file, member,
//   total unzipped, ratio, members, shared strings, merged ranges, a shared
//   string's length).
// Next() fails on a cell reference that is not A1-style or out of Excel's
// grid, and on a shared-string index past the end of the table;
// kResourceExhausted on a row past max_rows, a column past max_columns or a
// cell longer than max_cell_bytes.
StatusOr<std::unique_ptr<XlsxSource>> OpenXlsxFile(const std::string& path,
                                                   const XlsxOptions& options = {});

// The same for bytes already in memory (an upload); takes them over.
StatusOr<std::unique_ptr<XlsxSource>> OpenXlsxBytes(std::string&& bytes,
                                                    const XlsxOptions& options = {});

// How a date/time number format shows its value.
enum class DateStyle { kDate, kDateTime, kTime };

// Converts an Excel serial day number to text: "YYYY-MM-DD" (kDate, or
// "YYYY-MM-DD HH:MM:SS" if it has a time part), "YYYY-MM-DD HH:MM:SS"
// (kDateTime), "HH:MM:SS" (kTime, below one day). Seconds are rounded.
// The 1900 system counts 1900-01-01 as 1 and keeps Lotus 1-2-3's phantom
// 1900-02-29 (serial 60, returned as the text "1900-02-29" so that date
// validation rejects it); the 1904 system counts 1904-01-01 as 0.
// nullopt for a value Excel cannot show as a date: negative, 0 in the 1900
// system (Excel's "1900-01-00"), past 9999-12-31, or not finite.
std::optional<std::string> ExcelSerialToText(double serial, bool date1904,
                                             DateStyle style = DateStyle::kDate);

// The DateStyle of a number format code ("yyyy-mm-dd", "h:mm", "0.00"), or
// nullopt if it does not show a date or time. Quoted text, escaped
// characters and [colour]/[$-804] sections are ignored.
std::optional<DateStyle> DateStyleOfFormat(std::string_view format_code);

}  // namespace edugov::tabular
