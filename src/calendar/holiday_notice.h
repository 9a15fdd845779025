// The State Council General Office's yearly holiday notice
// (国务院办公厅关于YYYY年部分节假日安排的通知) read as text, and written out as
// a working-calendar file (docs/calendar.md) — what `edugov calendar import`
// does.
//
//   ASSIGN_OR_RETURN(HolidayNotice n, ParseHolidayNotice(text));
//   std::string yaml = HolidayNoticeYaml(n, "notice-2027.txt");
//
// What is read: the year from the title ("关于2027年部分节假日安排") and each
// numbered item "一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。1月4日（周一）上班。"
// — a holiday block (one day, or "A至B", B possibly in another month or, with
// its year written out, across New Year), its "共N天" / "放假N天" if stated,
// and the make-up working days ("…、…上班"). Full-width and ASCII punctuation
// and digits are both accepted; the weekday in brackets ("（周四）",
// "（农历除夕、星期二）") is checked against the date. Other lines (title,
// greeting, closing paragraph) and sentences with neither 放假 nor 上班
// ("鼓励各单位…") are ignored. Everything else an item says that cannot be
// read is an error naming the line, never a guess.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "calendar/calendar_day.h"
#include "common/status.h"

namespace edugov::calendar {

// One numbered item of the notice.
struct NoticeBlock {
  int line = 0;          // 1-based, in the notice
  std::string text;      // the line as written, trimmed
  std::string name;      // "元旦", "国庆节、中秋节"
  Date first, last;      // the days off (放假), inclusive
  int stated_days = 0;   // "共N天" / "放假N天", 0 when not stated
  std::vector<Date> workdays;  // 调休上班
};

struct HolidayNotice {
  int year = 0;
  std::string title;  // the title line, if the text has one
  std::vector<NoticeBlock> blocks;

  // Every day off and make-up working day, sorted by date.
  std::vector<CalendarDay> Days() const;
};

// kInvalidArgument with "line N" as the field (and in both messages) for an
// item it cannot read, a weekday that does not match its date, a stated day
// count that does not match the block, a make-up day on a weekday, a date
// given twice; without a line for no year or no items at all, or text that is
// not UTF-8.
StatusOr<HolidayNotice> ParseHolidayNotice(std::string_view text);

// The notice as a policy/calendar/ file: `years: [YYYY]`, each item's line as
// a comment above its entries. `source` names the file it came from (for the
// header comment). Loads with WorkingCalendar::FromYaml.
std::string HolidayNoticeYaml(const HolidayNotice& notice, std::string_view source);

}  // namespace edugov::calendar
