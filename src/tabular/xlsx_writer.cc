#include "tabular/xlsx_writer.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace edugov::tabular {
namespace {

constexpr std::string_view kChoicesSheet = "选项";

// Excel's limit is 31 characters (not bytes); cut at a UTF-8 boundary.
std::string SheetName(std::string_view name) {
  std::string out;
  int chars = 0;
  for (size_t i = 0; i < name.size() && chars < 31;) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    std::string_view ch = name.substr(i, len);
    if (ch.find_first_of("[]:*?/\\") == std::string_view::npos) out += ch;
    i += len;
    ++chars;
  }
  return out.empty() ? "Sheet1" : out;
}

// Display width of text: CJK characters count two.
double TextWidth(std::string_view s) {
  double w = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += len >= 3 ? 2 : 1;
    i += len;
  }
  return w;
}

// Excel column letters of a 0-based column.
std::string ColumnLetters(int col) {
  std::string s;
  for (++col; col > 0; col = (col - 1) / 26) s.insert(s.begin(), static_cast<char>('A' + (col - 1) % 26));
  return s;
}

Status WriteError(lxw_error e, std::string_view what) {
  return InternalError("xlsx: " + std::string(what) + ": " + lxw_strerror(e),
                       "生成 Excel 文件出错：" + std::string(what) + "：" + lxw_strerror(e));
}

}  // namespace

struct XlsxWriter::Impl {
  XlsxWriterOptions options;
  std::string path;
  std::string tmpdir;
  lxw_workbook* wb = nullptr;
  lxw_format* header = nullptr;
  lxw_format* bold = nullptr;
  lxw_worksheet* ws = nullptr;  // the current data sheet
  lxw_row_t row = 0;
  std::vector<lxw_format*> column_formats;  // of the current sheet
  lxw_worksheet* choices = nullptr;  // the hidden 选项 sheet, made on first need
  lxw_col_t choices_used = 0;
  bool closed = false;

  ~Impl() {
    if (wb && !closed) workbook_close(wb);
    if (!path.empty()) ::unlink(path.c_str());
  }
};

XlsxWriter::XlsxWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XlsxWriter::~XlsxWriter() = default;

StatusOr<std::unique_ptr<XlsxWriter>> XlsxWriter::Create(XlsxWriterOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const char* env = std::getenv("TMPDIR");
  impl->tmpdir = env && *env ? env : "/tmp";
  std::string tmpl = impl->tmpdir + "/edugov-xlsx-XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    return InternalError("xlsx: cannot create a temporary file in " + impl->tmpdir,
                         "生成 Excel 文件出错：无法在 " + impl->tmpdir + " 创建临时文件");
  }
  ::close(fd);
  impl->path = tmpl;
  lxw_workbook_options wo = {};
  wo.constant_memory = options.streaming ? LXW_TRUE : LXW_FALSE;
  wo.tmpdir = impl->tmpdir.data();
  impl->wb = workbook_new_opt(impl->path.c_str(), &wo);
  if (!impl->wb) return InternalError("xlsx: cannot start a workbook", "生成 Excel 文件出错：无法创建工作簿");
  impl->header = workbook_add_format(impl->wb);
  format_set_bold(impl->header);
  format_set_bg_color(impl->header, 0xD9E1F2);
  format_set_border(impl->header, LXW_BORDER_THIN);
  format_set_align(impl->header, LXW_ALIGN_CENTER);
  impl->bold = workbook_add_format(impl->wb);
  format_set_bold(impl->bold);
  return std::unique_ptr<XlsxWriter>(new XlsxWriter(std::move(impl)));
}

Status XlsxWriter::AddSheet(std::string_view name, const std::vector<XlsxColumnSpec>& columns) {
  Impl& m = *impl_;
  const std::string sheet = SheetName(name);
  m.ws = workbook_add_worksheet(m.wb, sheet.c_str());
  if (!m.ws) return WriteError(LXW_ERROR_SHEETNAME_ALREADY_USED, "sheet " + sheet);
  m.row = 0;
  rows_ = 0;
  m.column_formats.assign(columns.size(), nullptr);
  for (size_t c = 0; c < columns.size(); ++c) {
    const XlsxColumnSpec& col = columns[c];
    const lxw_col_t x = static_cast<lxw_col_t>(c);
    if (!col.number_format.empty()) {
      m.column_formats[c] = workbook_add_format(m.wb);
      format_set_num_format(m.column_formats[c], col.number_format.c_str());
    }
    const double width = col.width > 0 ? col.width : std::max(10.0, TextWidth(col.header) + 4);
    worksheet_set_column(m.ws, x, x, width, m.column_formats[c]);
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    const XlsxColumnSpec& col = columns[c];
    const lxw_col_t x = static_cast<lxw_col_t>(c);
    if (lxw_error e = worksheet_write_string(m.ws, 0, x, col.header.c_str(), m.header); e != LXW_NO_ERROR) {
      return WriteError(e, "header");
    }
    if (m.options.streaming) continue;
    if (!col.comment.empty()) {
      lxw_comment_options co = {};
      co.width = 300;
      co.height = 160;
      worksheet_write_comment_opt(m.ws, 0, x, col.comment.c_str(), &co);
    }
    if (!col.choices.empty() && m.options.validated_rows > 0) {
      if (!m.choices) {
        m.choices = workbook_add_worksheet(m.wb, std::string(kChoicesSheet).c_str());
        if (!m.choices) return WriteError(LXW_ERROR_SHEETNAME_ALREADY_USED, "sheet 选项");
        worksheet_hide(m.choices);
      }
      const lxw_col_t k = m.choices_used++;
      for (size_t i = 0; i < col.choices.size(); ++i) {
        worksheet_write_string(m.choices, static_cast<lxw_row_t>(i), k, col.choices[i].c_str(), nullptr);
      }
      std::string formula = "='" + std::string(kChoicesSheet) + "'!$" + ColumnLetters(k) + "$1:$" +
                            ColumnLetters(k) + "$" + std::to_string(col.choices.size());
      std::string title = col.header;
      std::string message = "请从下拉列表中选择";
      lxw_data_validation dv = {};
      dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
      dv.value_formula = formula.data();
      dv.error_title = title.data();
      dv.error_message = message.data();
      if (lxw_error e = worksheet_data_validation_range(
              m.ws, 1, x, static_cast<lxw_row_t>(m.options.validated_rows), x, &dv);
          e != LXW_NO_ERROR) {
        return WriteError(e, "data validation of " + col.header);
      }
    }
  }
  worksheet_freeze_panes(m.ws, 1, 0);
  m.row = 1;
  return OkStatus();
}

Status XlsxWriter::AddRow(const std::vector<XlsxCell>& cells) {
  Impl& m = *impl_;
  if (!m.ws) return FailedPreconditionError("xlsx: AddRow before AddSheet", "生成 Excel 文件出错：尚未建立工作表");
  for (size_t c = 0; c < cells.size(); ++c) {
    const lxw_col_t x = static_cast<lxw_col_t>(c);
    lxw_format* f = c < m.column_formats.size() ? m.column_formats[c] : nullptr;
    lxw_error e = LXW_NO_ERROR;
    if (const std::string* s = std::get_if<std::string>(&cells[c])) {
      if (!s->empty()) e = worksheet_write_string(m.ws, m.row, x, s->c_str(), f);
    } else if (const double* d = std::get_if<double>(&cells[c])) {
      e = worksheet_write_number(m.ws, m.row, x, *d, f);
    }
    if (e != LXW_NO_ERROR) return WriteError(e, "row " + std::to_string(m.row + 1));
  }
  ++m.row;
  ++rows_;
  return OkStatus();
}

Status XlsxWriter::AddTextSheet(std::string_view name, const std::vector<std::vector<std::string>>& lines) {
  Impl& m = *impl_;
  const std::string sheet = SheetName(name);
  lxw_worksheet* ws = workbook_add_worksheet(m.wb, sheet.c_str());
  if (!ws) return WriteError(LXW_ERROR_SHEETNAME_ALREADY_USED, "sheet " + sheet);
  std::vector<double> widths;
  for (size_t r = 0; r < lines.size(); ++r) {
    for (size_t c = 0; c < lines[r].size(); ++c) {
      if (widths.size() <= c) widths.resize(c + 1, 8);
      widths[c] = std::min(80.0, std::max(widths[c], TextWidth(lines[r][c]) + 2));
      worksheet_write_string(ws, static_cast<lxw_row_t>(r), static_cast<lxw_col_t>(c), lines[r][c].c_str(),
                             r == 0 ? m.bold : nullptr);
    }
  }
  for (size_t c = 0; c < widths.size(); ++c) {
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c], nullptr);
  }
  return OkStatus();
}

StatusOr<std::string> XlsxWriter::Finish() {
  Impl& m = *impl_;
  if (m.closed) return FailedPreconditionError("xlsx: Finish twice", "生成 Excel 文件出错：重复结束");
  m.closed = true;
  if (lxw_error e = workbook_close(m.wb); e != LXW_NO_ERROR) return WriteError(e, "close");
  std::ifstream in(m.path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return InternalError("xlsx: cannot read the workbook back", "生成 Excel 文件出错：无法读回工作簿");
  ::unlink(m.path.c_str());
  m.path.clear();
  return std::move(bytes).str();
}

}  // namespace edugov::tabular
