// Printable timetables as an Excel workbook, in the layout Chinese schools
// print and pin up: one sheet per class (then one per teacher), a merged
// title row "示例中学 7年级1班 课程表", 星期一…星期五 across, the periods
// with their clock times down, subject + teacher (or class) + room in each
// cell, the reserved periods (大课间, 眼保健操) as one shaded band, thin
// borders, and print setup A4 landscape fitted to one page.
//
//   ASSIGN_OR_RETURN(std::string bytes, TimetableXlsx(inst, sol));
//   RETURN_IF_ERROR(WriteTimetableXlsx(inst, sol, "out/timetables.xlsx"));
//
// Sheet names are the class names and "教师-<name>", cut to Excel's 31
// characters, with []:*?/\ replaced by "_" and "(2)", "(3)" … appended to
// duplicates. Unplaced activities appear nowhere. Uses libxlsxwriter, which
// only writes files: TimetableXlsx goes through a temporary file in
// std::filesystem::temp_directory_path() and removes it. Thread-safe.
#pragma once

#include <string>

#include "common/status.h"
#include "timetable/model.h"

namespace edugov::timetable {

struct XlsxExportOptions {
  // Printed before the class / teacher name in each title; empty: the
  // instance's name.
  std::string school;
  bool classes = true;
  bool teachers = true;
};

// Writes the workbook to `path` (replacing it). kUnavailable naming the
// path when it cannot be written.
Status WriteTimetableXlsx(const Instance& inst, const Solution& sol, const std::string& path,
                          const XlsxExportOptions& options = {});

// The workbook's bytes. kUnavailable when the temporary file fails.
StatusOr<std::string> TimetableXlsx(const Instance& inst, const Solution& sol,
                                    const XlsxExportOptions& options = {});

}  // namespace edugov::timetable
