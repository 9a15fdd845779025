// The notice parser: golden files from the 2025 and 2026 notices (texts
// reconstructed in testdata/ from the dates of policy/calendar/cn-2025-2026.yaml,
// in the notices' own wording), the variants other years' notices use, and
// each error naming its line.
//
// EDUGOV_UPDATE_GOLDEN=1 build/src/calendar/calendar_test rewrites the
// golden .yaml files; review the diff before committing it.
#include "calendar/holiday_notice.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "calendar/working_calendar.h"

namespace edugov::calendar {
namespace {

using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Testdata(const std::string& name) { return std::string(EDUGOV_CALENDAR_TESTDATA) + "/" + name; }

std::vector<CalendarDay> ShippedEntriesOf(int year) {
  std::vector<CalendarDay> out;
  for (const CalendarDay& d : WorkingCalendar::Load(EDUGOV_CALENDAR_YAML).value().Entries())
    if (d.date.year() == year) out.push_back(d);
  return out;
}

// Full-width to ASCII, as a notice pasted from another source may come.
std::string Ascii(std::string text) {
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"（", "("}, {"）", ")"}, {"：", ":"}, {"，", ","}, {"。", "."}, {"　", " "}}) {
    for (size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, from.size(), to);
  }
  return text;
}

void Golden(int year) {
  const std::string y = std::to_string(year);
  StatusOr<HolidayNotice> n = ParseHolidayNotice(Read(Testdata("notice-" + y + ".txt")));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->year, year);
  const std::string yaml = HolidayNoticeYaml(*n, "notice-" + y + ".txt");
  const std::string golden = Testdata("cn-" + y + ".golden.yaml");
  if (std::getenv("EDUGOV_UPDATE_GOLDEN")) std::ofstream(golden, std::ios::binary) << yaml;
  EXPECT_EQ(yaml, Read(golden)) << "rerun with EDUGOV_UPDATE_GOLDEN=1 and review the diff";
  // What the import writes loads, and says exactly what the hand-made file says.
  StatusOr<WorkingCalendar> cal = WorkingCalendar::FromYaml(yaml);
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  EXPECT_EQ(cal->years(), std::vector<int>{year});
  EXPECT_EQ(cal->Entries(), ShippedEntriesOf(year));
  EXPECT_EQ(n->Days(), ShippedEntriesOf(year));
}

TEST(HolidayNotice, Golden2025) { Golden(2025); }
TEST(HolidayNotice, Golden2026) { Golden(2026); }

TEST(HolidayNotice, BlocksAsTheNoticeStatesThem) {
  StatusOr<HolidayNotice> n = ParseHolidayNotice(Read(Testdata("notice-2025.txt")));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->title, "国务院办公厅关于2025年部分节假日安排的通知");
  ASSERT_EQ(n->blocks.size(), 6u);
  const NoticeBlock& spring = n->blocks[1];
  EXPECT_EQ(spring.name, "春节");
  EXPECT_EQ(spring.first.ToString(), "2025-01-28");
  EXPECT_EQ(spring.last.ToString(), "2025-02-04");  // across the month
  EXPECT_EQ(spring.stated_days, 8);
  ASSERT_EQ(spring.workdays.size(), 2u);
  EXPECT_EQ(spring.workdays[1].ToString(), "2025-02-08");
  EXPECT_EQ(spring.line, 9);
  EXPECT_EQ(n->blocks[0].stated_days, 1);  // "放假1天"
  EXPECT_EQ(n->blocks[5].name, "国庆节、中秋节");
}

TEST(HolidayNotice, AsciiPunctuationReadsTheSame) {
  for (const char* file : {"notice-2025.txt", "notice-2026.txt"}) {
    StatusOr<HolidayNotice> wide = ParseHolidayNotice(Read(Testdata(file)));
    StatusOr<HolidayNotice> ascii = ParseHolidayNotice(Ascii(Read(Testdata(file))));
    ASSERT_TRUE(wide.ok() && ascii.ok()) << ascii.status().ToString();
    EXPECT_EQ(wide->Days(), ascii->Days()) << file;
  }
  // Full-width digits and 星期 weekdays, CRLF line ends.
  StatusOr<HolidayNotice> n = ParseHolidayNotice(
      "关于２０２５年部分节假日安排的通知\r\n一、劳动节：５月１日（星期四）至５日（星期一）放假调休，共５天。４月２７日（星期日）上班。\r\n");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->Days().size(), 6u);
}

TEST(HolidayNotice, NewYearAcrossTheYearEnd) {
  // As the 2023 notice wrote it, years spelled out…
  StatusOr<HolidayNotice> a = ParseHolidayNotice(
      "国务院办公厅关于2023年部分节假日安排的通知\n"
      "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->blocks[0].first.ToString(), "2022-12-31");
  EXPECT_EQ(a->blocks[0].last.ToString(), "2023-01-02");
  // …or bare: a range running backwards starts the year before.
  StatusOr<HolidayNotice> b = ParseHolidayNotice(
      "国务院办公厅关于2023年部分节假日安排的通知\n"
      "一、元旦：12月31日（周六）至1月2日（周一）放假调休，共3天。\n");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->Days(), b->Days());
  // 2019: the block and a make-up Saturday in the old year; the file loads.
  StatusOr<HolidayNotice> c = ParseHolidayNotice(
      "国务院办公厅关于2019年部分节假日安排的通知\n"
      "一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。\n"
      "二、春节：2月4日至10日放假调休，共7天。2月2日（星期六）、2月3日（星期日）上班。\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->blocks[0].workdays[0].ToString(), "2018-12-29");
  StatusOr<WorkingCalendar> cal = WorkingCalendar::FromYaml(HolidayNoticeYaml(*c, "test"));
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  EXPECT_EQ(cal->Entries().size(), 3u + 1 + 7 + 2);
}

TEST(HolidayNotice, OtherWordings) {
  // 2024: "1月1日放假，与周末连休"; advice sentences change nothing.
  StatusOr<HolidayNotice> n = ParseHolidayNotice(
      "国务院办公厅关于2024年部分节假日安排的通知\n"
      "一、元旦：1月1日放假，与周末连休。\n"
      "二、春节：2月10日至17日放假调休，共8天。2月4日（周日）、2月18日（周日）上班。鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。\n");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->blocks[0].first, n->blocks[0].last);
  EXPECT_EQ(n->blocks[0].stated_days, 0);
  EXPECT_EQ(n->blocks[1].workdays.size(), 2u);
  EXPECT_EQ(n->Days().size(), 1u + 8 + 2);
}

Status Parse(const std::string& items) {
  return ParseHolidayNotice("国务院办公厅关于2026年部分节假日安排的通知\n" + items).status();
}

TEST(HolidayNotice, AWrongWeekdayNamesTheLine) {
  Status s = Parse("\n一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周六）上班。\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "line 3");
  EXPECT_THAT(s.message_en(), HasSubstr("2026-01-04 is a Sunday, but the notice says 周六"));
  EXPECT_THAT(s.message_zh(), HasSubstr("第 3 行"));
  EXPECT_THAT(s.message_zh(), HasSubstr("一、元旦"));  // the line as written
}

TEST(HolidayNotice, AStatedCountThatDoesNotMatch) {
  Status s = Parse("一、元旦：1月1日（周四）至3日（周六）放假调休，共4天。\n");
  EXPECT_THAT(s.message_en(), HasSubstr("says 4 days but 2026-01-01 to 2026-01-03 is 3"));
  EXPECT_EQ(s.field(), "line 2");
}

TEST(HolidayNotice, UnreadableItems) {
  EXPECT_THAT(Parse("一、元旦：一月一日放假。\n").message_en(), HasSubstr("cannot read the first day off"));
  EXPECT_THAT(Parse("一、元旦1月1日放假。\n").message_en(), HasSubstr("':'"));
  EXPECT_THAT(Parse("一、元旦：1月1日（周四）休息。\n").message_en(), HasSubstr("no holiday dates"));
  EXPECT_THAT(Parse("一、元旦：1月1日（周四）至3日（周六）放假。1月4日（周日）照常上班。\n").message_en(),
              HasSubstr("expected 、 or 上班"));
  EXPECT_THAT(Parse("一、元旦：1月1日（周四）至3日（周六）放假。1月5日（周一）上班。\n").message_en(),
              HasSubstr("must be a Saturday or Sunday"));
  EXPECT_THAT(Parse("一、元旦：2月30日放假。\n").message_en(), HasSubstr("not a valid date"));
  EXPECT_THAT(Parse("一、元旦：1月1日至3月1日放假。\n").message_en(), HasSubstr("not a holiday block"));
  EXPECT_THAT(Parse("一、元旦：2024年5月1日放假。\n").message_en(), HasSubstr("not in the notice's year 2026"));
  Status dup = Parse("一、元旦：1月1日放假。\n二、春节：1月1日放假。\n");
  EXPECT_THAT(dup.message_en(), HasSubstr("2026-01-01 is already given at line 2"));
  EXPECT_EQ(dup.field(), "line 3");
}

TEST(HolidayNotice, NotANotice) {
  EXPECT_THAT(ParseHolidayNotice("一、元旦：1月1日放假。\n").status().message_en(),
              HasSubstr("cannot find the notice's year"));
  EXPECT_THAT(ParseHolidayNotice("关于2027年部分节假日安排的通知\n正文\n").status().message_en(),
              HasSubstr("no holiday items"));
  EXPECT_THAT(ParseHolidayNotice("\xB9\xFA\xCE\xF1\xD4\xBA 2027").status().message_zh(),  // GBK
              HasSubstr("UTF-8"));
}

}  // namespace
}  // namespace edugov::calendar
