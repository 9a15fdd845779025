#include "timetable/xlsx_export.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tabular/xlsx_reader.h"
#include "timetable/grid.h"

namespace edugov::timetable {
namespace {

// Two days, three periods (the middle one a reserved 大课间), one class,
// two teachers, one room.
Instance TinySchool() {
  Instance in;
  in.name = "示例中学";
  in.days = {"周一", "周二"};
  in.periods = {{"第1节", 8 * 60, 8 * 60 + 45}, {"大课间", 8 * 60 + 55, 9 * 60 + 25}, {"第2节", 9 * 60 + 35, 10 * 60 + 20}};
  in.bell.fixed_periods = {1};
  in.teachers = {{"张老师"}, {"李老师"}};
  in.subjects = {{"语文", true}, {"数学", true}};
  in.rooms = {{"7-1教室", RoomKind::kOrdinary, 50}};
  StudentSet cls;
  cls.name = "7年级1班";
  cls.grade = 7;
  cls.subgroups = {0};
  in.student_sets = {cls};
  in.num_subgroups = 1;
  in.subgroup_names = {"7年级1班"};
  Activity a;
  a.id = 1;
  a.subject = 0;
  a.teachers = {0};
  a.student_sets = {0};
  Activity b = a;
  b.id = 2;
  b.subject = 1;
  b.teachers = {1};
  in.activities = {a, b};
  FinalizeInstance(in);
  return in;
}

std::vector<std::vector<std::string>> ReadSheet(const std::string& bytes, const std::string& sheet,
                                                std::vector<std::string>* sheets = nullptr,
                                                std::vector<tabular::CellRange>* merged = nullptr) {
  tabular::XlsxOptions opts;
  opts.sheet = sheet;
  opts.has_header = false;
  auto src = tabular::OpenXlsxBytes(std::string(bytes), opts);
  EXPECT_TRUE(src.ok()) << src.status().ToString();
  if (!src.ok()) return {};
  if (sheets) *sheets = (*src)->sheet_names();
  if (merged) *merged = (*src)->merged_ranges();
  std::vector<std::vector<std::string>> rows;
  tabular::Row row;
  while (true) {
    auto more = (*src)->Next(row);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    std::vector<std::string> r;
    for (auto c : row.cells) r.emplace_back(c);
    rows.push_back(std::move(r));
  }
  return rows;
}

TEST(XlsxExport, ClassSheetHasTitleDaysPeriodsAndLessons) {
  Instance in = TinySchool();
  Solution sol;
  sol.placements = {{0, 0}, {5, 0}};  // 语文 Mon 第1节; 数学 Tue 第2节 (slot 1*3+2)
  auto bytes = TimetableXlsx(in, sol);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  std::vector<std::string> sheets;
  std::vector<tabular::CellRange> merged;
  auto rows = ReadSheet(*bytes, "7年级1班", &sheets, &merged);
  EXPECT_EQ(sheets, (std::vector<std::string>{"7年级1班", "教师-张老师", "教师-李老师"}));
  ASSERT_EQ(rows.size(), 5u);  // title, header, 3 periods
  EXPECT_EQ(rows[0][0], "示例中学 7年级1班 课程表");
  EXPECT_EQ(rows[1], (std::vector<std::string>{"节次", "星期一", "星期二"}));
  EXPECT_EQ(rows[2][0], "第1节\n08:00–08:45");
  EXPECT_EQ(rows[2][1], "语文\n张老师\n7-1教室");
  EXPECT_EQ(rows[2][2], "");
  EXPECT_EQ(rows[3][1], "大课间  08:55–09:25");  // the reserved band
  EXPECT_EQ(rows[4][2], "数学\n李老师\n7-1教室");
  // The title and the reserved band are merged across the days.
  EXPECT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].ToString(), "A1:C1");
  EXPECT_EQ(merged[1].ToString(), "B4:C4");
}

TEST(XlsxExport, TeacherSheetNamesTheClass) {
  Instance in = TinySchool();
  Solution sol;
  sol.placements = {{0, 0}, {5, -1}};
  auto bytes = TimetableXlsx(in, sol, {.school = "江英学校"});
  ASSERT_TRUE(bytes.ok());
  auto rows = ReadSheet(*bytes, "教师-张老师");
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "江英学校 教师 张老师 课程表");
  EXPECT_EQ(rows[2][1], "语文\n7年级1班\n7-1教室");
  auto li = ReadSheet(*bytes, "教师-李老师");
  EXPECT_EQ(li[4][2], "数学\n7年级1班");  // no room assigned
}

TEST(XlsxExport, SheetNamesAreCutAndDeduplicated) {
  Instance in = TinySchool();
  in.student_sets[0].name = "一个名字非常非常长的班级名称超过了Excel三十一个字符的限制/甲";
  in.teachers[1].name = in.teachers[0].name;
  Solution sol;
  sol.placements = {{0, 0}, {5, 0}};
  auto bytes = TimetableXlsx(in, sol);
  ASSERT_TRUE(bytes.ok());
  std::vector<std::string> sheets;
  ReadSheet(*bytes, "", &sheets);
  ASSERT_EQ(sheets.size(), 3u);
  EXPECT_EQ(sheets[1], "教师-张老师");
  EXPECT_EQ(sheets[2], "教师-张老师(2)");
  EXPECT_EQ(sheets[0].find('/'), std::string::npos);
}

TEST(Grid, ReservedPeriodsAndRooms) {
  Instance in = TinySchool();
  Solution sol;
  sol.placements = {{0, 0}, {5, 0}};
  TimetableGrids g = BuildGrids(in, sol);
  EXPECT_EQ(g.reserved_periods, (std::vector<char>{0, 1, 0}));
  ASSERT_EQ(g.classes.size(), 1u);
  EXPECT_EQ(g.classes[0].lessons, 2);
  ASSERT_EQ(g.rooms.size(), 1u);
  EXPECT_EQ(g.rooms[0].cells[1][2][0].subject, "数学");
  EXPECT_EQ(ChineseDayName("Friday"), "星期五");
  EXPECT_EQ(ChineseDayName("Day 6"), "Day 6");
}

}  // namespace
}  // namespace edugov::timetable
