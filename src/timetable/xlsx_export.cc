#include "timetable/xlsx_export.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "timetable/grid.h"

namespace edugov::timetable {
namespace {

constexpr int kMaxSheetChars = 31;  // Excel's limit, in characters

// Number of UTF-8 characters (not bytes) in `s`.
size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The first `chars` characters of `s`, never splitting a UTF-8 sequence.
std::string Utf8Prefix(const std::string& s, size_t chars) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == chars) return s.substr(0, i);
      ++seen;
    }
  }
  return s;
}

// A valid, unused worksheet name derived from `want`.
std::string SheetName(std::string want, std::set<std::string>& used) {
  for (char& c : want) {
    if (c == '[' || c == ']' || c == ':' || c == '*' || c == '?' || c == '/' || c == '\\') c = '_';
  }
  if (!want.empty() && want.front() == '\'') want.front() = '_';
  if (!want.empty() && want.back() == '\'') want.back() = '_';
  if (want.empty()) want = "Sheet";
  std::string name = Utf8Prefix(want, kMaxSheetChars);
  for (int k = 2; used.count(name); ++k) {
    const std::string suffix = "(" + std::to_string(k) + ")";
    name = Utf8Prefix(want, kMaxSheetChars - Utf8Length(suffix)) + suffix;
  }
  used.insert(name);
  return name;
}

struct Formats {
  lxw_format* title;
  lxw_format* header;
  lxw_format* period;
  lxw_format* cell;
  lxw_format* reserved;
};

Formats MakeFormats(lxw_workbook* wb) {
  auto bordered = [wb] {
    lxw_format* f = workbook_add_format(wb);
    format_set_border(f, LXW_BORDER_THIN);
    format_set_align(f, LXW_ALIGN_CENTER);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(f);
    format_set_font_name(f, "宋体");
    format_set_font_size(f, 11);
    return f;
  };
  Formats f{};
  f.title = workbook_add_format(wb);
  format_set_bold(f.title);
  format_set_font_name(f.title, "黑体");
  format_set_font_size(f.title, 18);
  format_set_align(f.title, LXW_ALIGN_CENTER);
  format_set_align(f.title, LXW_ALIGN_VERTICAL_CENTER);
  f.header = bordered();
  format_set_bold(f.header);
  format_set_bg_color(f.header, 0xD9E1F2);
  f.period = bordered();
  format_set_bold(f.period);
  format_set_bg_color(f.period, 0xF2F2F2);
  f.cell = bordered();
  f.reserved = bordered();
  format_set_italic(f.reserved);
  format_set_bg_color(f.reserved, 0xEDEDED);
  format_set_font_color(f.reserved, 0x595959);
  return f;
}

std::string CellText(const Grid& g, const std::vector<GridLesson>& lessons) {
  std::string out;
  const bool single = lessons.size() == 1;
  for (const GridLesson& l : lessons) {
    // The other party: the teacher on a class's sheet, the class on a
    // teacher's; both on a room's.
    std::string who = g.kind == GridKind::kClass     ? l.teachers
                      : g.kind == GridKind::kTeacher ? l.classes
                                                     : l.classes + (l.teachers.empty() ? "" : " " + l.teachers);
    if (!out.empty()) out += "\n";
    if (single) {
      out += l.subject;
      if (!who.empty()) out += "\n" + who;
      if (!l.room.empty() && g.kind != GridKind::kRoom) out += "\n" + l.room;
    } else {
      // Moving-class blocks: one line per group.
      out += l.subject + (who.empty() ? "" : " " + who) + (l.room.empty() ? "" : " " + l.room);
    }
  }
  return out;
}

void WriteSheet(lxw_workbook* wb, const Formats& f, const Instance& in, const TimetableGrids& grids, const Grid& g,
                const std::string& sheet, const std::string& title) {
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.c_str());
  const int days = static_cast<int>(in.days.size());
  const int ppd = in.periods_per_day();
  const lxw_col_t last_col = static_cast<lxw_col_t>(days);

  worksheet_set_column(ws, 0, 0, 14, nullptr);
  if (days > 0) worksheet_set_column(ws, 1, last_col, 18, nullptr);
  worksheet_set_row(ws, 0, 36, nullptr);
  if (days > 0) {
    worksheet_merge_range(ws, 0, 0, 0, last_col, title.c_str(), f.title);
  } else {
    worksheet_write_string(ws, 0, 0, title.c_str(), f.title);
  }
  worksheet_set_row(ws, 1, 22, nullptr);
  worksheet_write_string(ws, 1, 0, "节次", f.header);
  for (int d = 0; d < days; ++d) {
    worksheet_write_string(ws, 1, static_cast<lxw_col_t>(d + 1), ChineseDayName(in.days[d]).c_str(), f.header);
  }
  for (int p = 0; p < ppd; ++p) {
    const lxw_row_t row = static_cast<lxw_row_t>(p + 2);
    const Period& per = in.periods[p];
    std::string label = per.name;
    if (per.start_minute >= 0) label += "\n" + ClockLabel(per.start_minute) + "–" + ClockLabel(per.end_minute);
    const bool reserved = p < static_cast<int>(grids.reserved_periods.size()) && grids.reserved_periods[p];
    bool empty = true;
    for (int d = 0; d < days; ++d) empty = empty && g.cells[d][p].empty();
    if (reserved && empty) {
      worksheet_set_row(ws, row, 30, nullptr);
      worksheet_write_string(ws, row, 0, label.c_str(), f.reserved);
      // The band says what happens then (大课间 / 眼保健操), as printed
      // timetables in Chinese schools do.
      std::string band = per.name;
      if (per.start_minute >= 0) band += "  " + ClockLabel(per.start_minute) + "–" + ClockLabel(per.end_minute);
      if (days > 1) {
        worksheet_merge_range(ws, row, 1, row, last_col, band.c_str(), f.reserved);
      } else if (days == 1) {
        worksheet_write_string(ws, row, 1, band.c_str(), f.reserved);
      }
      continue;
    }
    size_t lines = 1;
    for (int d = 0; d < days; ++d) {
      const std::string text = CellText(g, g.cells[d][p]);
      size_t n = 1;
      for (char c : text) n += c == '\n';
      lines = std::max(lines, n);
      worksheet_write_string(ws, row, static_cast<lxw_col_t>(d + 1), text.c_str(), f.cell);
    }
    worksheet_set_row(ws, row, std::max<double>(45, 15.0 * static_cast<double>(lines)), nullptr);
    worksheet_write_string(ws, row, 0, label.c_str(), f.period);
  }
  worksheet_set_landscape(ws);
  worksheet_set_paper(ws, 9);  // A4
  worksheet_fit_to_pages(ws, 1, 1);
  worksheet_center_horizontally(ws);
  worksheet_set_margins(ws, 0.4, 0.4, 0.5, 0.5);
  worksheet_print_area(ws, 0, 0, static_cast<lxw_row_t>(ppd + 1), last_col);
}

}  // namespace

Status WriteTimetableXlsx(const Instance& in, const Solution& sol, const std::string& path,
                          const XlsxExportOptions& options) {
  const TimetableGrids grids = BuildGrids(in, sol);
  const std::string school = options.school.empty() ? in.name : options.school;
  auto title_of = [&](const std::string& who) {
    return (school.empty() ? "" : school + " ") + who + " 课程表";
  };

  lxw_workbook_options wopts{};
  const std::string tmp = std::filesystem::temp_directory_path().string();
  wopts.tmpdir = const_cast<char*>(tmp.c_str());
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &wopts);
  if (!wb) {
    return Status(StatusCode::kUnavailable, "cannot create " + path, "无法创建文件 " + path, path);
  }
  const Formats f = MakeFormats(wb);
  std::set<std::string> used;
  if (options.classes) {
    for (const Grid& g : grids.classes) WriteSheet(wb, f, in, grids, g, SheetName(g.name, used), title_of(g.name));
  }
  if (options.teachers) {
    for (const Grid& g : grids.teachers) {
      WriteSheet(wb, f, in, grids, g, SheetName("教师-" + g.name, used), title_of("教师 " + g.name));
    }
  }
  if (used.empty()) {
    // A workbook needs one sheet; say why it is empty.
    lxw_worksheet* ws = workbook_add_worksheet(wb, "课表");
    worksheet_write_string(ws, 0, 0, "没有可打印的课表 (no timetable to print)", nullptr);
  }
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    return Status(StatusCode::kUnavailable, "cannot write " + path + ": " + lxw_strerror(err),
                  "无法写入文件 " + path + "：" + lxw_strerror(err), path);
  }
  return OkStatus();
}

StatusOr<std::string> TimetableXlsx(const Instance& in, const Solution& sol, const XlsxExportOptions& options) {
  std::string pattern = (std::filesystem::temp_directory_path() / "edugov-timetable-XXXXXX").string();
  const int fd = mkstemp(pattern.data());
  if (fd < 0) {
    return Status(StatusCode::kUnavailable, "cannot create a temporary file", "无法创建临时文件", "xlsx");
  }
  close(fd);
  struct Remove {
    std::string path;
    ~Remove() { std::remove(path.c_str()); }
  } cleanup{pattern};
  RETURN_IF_ERROR(WriteTimetableXlsx(in, sol, pattern, options));
  std::ifstream file(pattern, std::ios::binary);
  std::stringstream ss;
  ss << file.rdbuf();
  if (!file) return Status(StatusCode::kUnavailable, "cannot read back the workbook", "无法读取生成的工作簿", "xlsx");
  return ss.str();
}

}  // namespace edugov::timetable
