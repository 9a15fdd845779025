#include "calendar/working_calendar.h"

#include "calendar/statutory_holidays.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace edugov::calendar {
namespace {

using ::testing::HasSubstr;

Date D(const char* text) { return Date::Parse(text).value(); }
TimePoint T(const char* text) { return ParseTimestamp(text).value(); }

// The real data file, loaded once: the deadline tests below are about the
// published 2025/2026 calendar, not a hand-made one.
const WorkingCalendar& Cn() {
  static const StatusOr<WorkingCalendar> cal = WorkingCalendar::Load(EDUGOV_CALENDAR_YAML);
  if (!cal.ok()) {  // nothing below means anything without the data
    std::fprintf(stderr, "%s\n", cal.status().ToString().c_str());
    std::abort();
  }
  return *cal;
}

std::string Due(const char* start, int n) {
  StatusOr<Date> d = Cn().AddWorkingDays(D(start), n);
  return d.ok() ? d->ToString() : d.status().ToString();
}

// ---------------------------------------------------------------------------
// The data file is what the State Council published.

struct Block {
  const char* name;
  const char* first;  // the holiday block, inclusive
  const char* last;
  int days;  // the notice's "共N天"
  std::vector<const char*> workdays;  // 调休上班
};

// Transcribed from 国办发明电〔2024〕12号 (2024-11-12).
const std::vector<Block> k2025 = {
    {"元旦", "2025-01-01", "2025-01-01", 1, {}},
    {"春节", "2025-01-28", "2025-02-04", 8, {"2025-01-26", "2025-02-08"}},
    {"清明节", "2025-04-04", "2025-04-06", 3, {}},
    {"劳动节", "2025-05-01", "2025-05-05", 5, {"2025-04-27"}},
    {"端午节", "2025-05-31", "2025-06-02", 3, {}},
    {"国庆节、中秋节", "2025-10-01", "2025-10-08", 8, {"2025-09-28", "2025-10-11"}},
};

// Transcribed from the State Council notice of 2025-11-04 on 2026.
const std::vector<Block> k2026 = {
    {"元旦", "2026-01-01", "2026-01-03", 3, {"2026-01-04"}},
    {"春节", "2026-02-15", "2026-02-23", 9, {"2026-02-14", "2026-02-28"}},
    {"清明节", "2026-04-04", "2026-04-06", 3, {}},
    {"劳动节", "2026-05-01", "2026-05-05", 5, {"2026-05-09"}},
    {"端午节", "2026-06-19", "2026-06-21", 3, {}},
    {"中秋节", "2026-09-25", "2026-09-27", 3, {}},
    {"国庆节", "2026-10-01", "2026-10-07", 7, {"2026-09-20", "2026-10-10"}},
};

std::vector<CalendarDay> Expand(const std::vector<Block>& blocks) {
  std::vector<CalendarDay> out;
  for (const Block& b : blocks) {
    int n = 0;
    for (Date d = D(b.first); d <= D(b.last); d = d.AddDays(1), ++n)
      out.push_back({.date = d, .kind = DayKind::kHoliday, .name = b.name});
    EXPECT_EQ(n, b.days) << b.name << " " << b.first;
    for (const char* w : b.workdays)
      out.push_back({.date = D(w), .kind = DayKind::kWorkday, .name = b.name});
  }
  std::sort(out.begin(), out.end(),
            [](const CalendarDay& a, const CalendarDay& b) { return a.date < b.date; });
  return out;
}

std::vector<CalendarDay> EntriesOfYear(int year) {
  std::vector<CalendarDay> out;
  for (const CalendarDay& d : Cn().Entries())
    if (d.date.year() == year) out.push_back(d);
  return out;
}

TEST(CnData, CoversExactly2025And2026) {
  EXPECT_EQ(Cn().years(), (std::vector<int>{2025, 2026}));
}

TEST(CnData, Every2025EntryIsWhatTheStateCouncilPublished) {
  const std::vector<CalendarDay> want = Expand(k2025), got = EntriesOfYear(2025);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].date, want[i].date) << i;
    EXPECT_EQ(got[i].kind, want[i].kind) << want[i].date.ToString();
    EXPECT_EQ(got[i].name, want[i].name) << want[i].date.ToString();
  }
}

TEST(CnData, Every2026EntryIsWhatTheStateCouncilPublished) {
  const std::vector<CalendarDay> want = Expand(k2026), got = EntriesOfYear(2026);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << want[i].date.ToString();
}

TEST(CnData, MakeUpDaysAreWorkingAndHolidaysAreNot) {
  EXPECT_TRUE(Cn().IsWorkingDay(D("2025-01-26")).value());   // Sunday, 春节调休
  EXPECT_TRUE(Cn().IsWorkingDay(D("2025-10-11")).value());   // Saturday, 国庆调休
  EXPECT_FALSE(Cn().IsWorkingDay(D("2025-01-28")).value());  // 除夕, Tuesday
  EXPECT_FALSE(Cn().IsWorkingDay(D("2025-10-08")).value());  // Wednesday
  EXPECT_TRUE(Cn().IsWorkingDay(D("2025-03-03")).value());   // an ordinary Monday
  EXPECT_FALSE(Cn().IsWorkingDay(D("2025-03-08")).value());  // an ordinary Saturday
}

// A whole year as a checksum on the data: 2025 has 365 - 104 weekend days
// - 18 holidays on weekdays + 5 make-up days = 248 working days.
TEST(CnData, TwentyTwentyFiveHas248WorkingDays) {
  EXPECT_EQ(Cn().WorkingDaysBetween(D("2024-12-31"), D("2025-12-31")).status().code(),
            StatusCode::kFailedPrecondition);  // 2024 itself is not covered
  StatusOr<int> n = Cn().WorkingDaysBetween(D("2025-01-01"), D("2025-12-31"));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 248);  // 1 Jan is a holiday, so (1 Jan, 31 Dec] loses nothing
}

// ---------------------------------------------------------------------------
// Deadlines (hand-checked against the 2025 calendar).

TEST(Deadline, OrdinaryWeekOneThreeThirteen) {
  // Received Monday 3 Mar: day 1 is Tuesday; 13 working days end Thu 20 Mar.
  EXPECT_EQ(Due("2025-03-03", 1), "2025-03-04");
  EXPECT_EQ(Due("2025-03-03", 3), "2025-03-06");
  EXPECT_EQ(Due("2025-03-03", 13), "2025-03-20");
}

TEST(Deadline, FridayBeforeSpringFestivalCountsTheMakeUpSunday) {
  // Fri 24 Jan; Sat 25 off; Sun 26 make-up; Mon 27; 28 Jan–4 Feb off;
  // Wed 5, Thu 6, Fri 7, Sat 8 make-up, then Mon 10 …
  EXPECT_EQ(Due("2025-01-24", 1), "2025-01-26");
  EXPECT_EQ(Due("2025-01-24", 3), "2025-02-05");
  EXPECT_EQ(Due("2025-01-24", 13), "2025-02-18");
}

TEST(Deadline, ReceivedOnSpringFestivalHolidayCountsFromTheFirstDayBack) {
  // Thu 30 Jan is 初二: day 1 is Wed 5 Feb, day 4 the make-up Sat 8 Feb.
  EXPECT_EQ(Due("2025-01-30", 1), "2025-02-05");
  EXPECT_EQ(Due("2025-01-30", 3), "2025-02-07");
  EXPECT_EQ(Due("2025-01-30", 13), "2025-02-20");
  // A holiday that is also a Saturday behaves the same.
  EXPECT_EQ(Due("2025-02-01", 1), "2025-02-05");
}

TEST(Deadline, ReceivedOnMakeUpWorkdayCountsFromTheNextWorkingDay) {
  // Sun 26 Jan is a working day, so like any working day it does not count.
  EXPECT_EQ(Due("2025-01-26", 1), "2025-01-27");
  EXPECT_EQ(Due("2025-01-26", 3), "2025-02-06");
  EXPECT_EQ(Due("2025-01-26", 13), "2025-02-19");
  // Sat 8 Feb likewise; day 1 is Mon 10 Feb.
  EXPECT_EQ(Due("2025-02-08", 1), "2025-02-10");
  EXPECT_EQ(Due("2025-02-08", 3), "2025-02-12");
}

TEST(Deadline, NationalDayWithMakeUpSundayAndSaturday) {
  // Fri 26 Sep; Sat 27 off; Sun 28 make-up; Mon 29, Tue 30; 1–8 Oct off;
  // Thu 9, Fri 10, Sat 11 make-up, Mon 13 …
  EXPECT_EQ(Due("2025-09-26", 1), "2025-09-28");
  EXPECT_EQ(Due("2025-09-26", 3), "2025-09-30");
  EXPECT_EQ(Due("2025-09-26", 13), "2025-10-21");
  // The Saturday after gives the same due days as the Friday.
  EXPECT_EQ(Due("2025-09-27", 1), "2025-09-28");
  EXPECT_EQ(Due("2025-09-27", 13), "2025-10-21");
  // The last day before the holiday: everything lands after it.
  EXPECT_EQ(Due("2025-09-30", 1), "2025-10-09");
  EXPECT_EQ(Due("2025-09-30", 3), "2025-10-11");
  EXPECT_EQ(Due("2025-09-30", 13), "2025-10-24");
  EXPECT_EQ(Due("2025-10-03", 1), "2025-10-09");
}

TEST(Deadline, LabourDay) {
  EXPECT_EQ(Due("2025-04-25", 1), "2025-04-27");  // Fri → make-up Sun
  EXPECT_EQ(Due("2025-04-30", 1), "2025-05-06");
  EXPECT_EQ(Due("2025-04-30", 3), "2025-05-08");
}

TEST(Deadline, AcrossTheYearEndIntoTheMakeUpSundayOf2026) {
  // Wed 31 Dec 2025; 1–3 Jan 2026 off; Sun 4 Jan make-up.
  EXPECT_EQ(Due("2025-12-31", 1), "2026-01-04");
  EXPECT_EQ(Due("2025-12-31", 3), "2026-01-06");
  EXPECT_EQ(Due("2025-12-31", 13), "2026-01-20");
}

TEST(Deadline, ZeroIsTheDayItselfOrTheNextWorkingDay) {
  EXPECT_EQ(Due("2025-03-03", 0), "2025-03-03");
  EXPECT_EQ(Due("2025-01-26", 0), "2025-01-26");  // make-up Sunday
  EXPECT_EQ(Due("2025-10-01", 0), "2025-10-09");
}

TEST(Deadline, NegativeIsInvalid) {
  EXPECT_EQ(Cn().AddWorkingDays(D("2025-03-03"), -1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(Deadline, EscalationChainOnAComplaint) {
  // 12345 practice: complaint due in 13 working days, a reminder the working
  // day after, written criticism 5 working days after the deadline.
  EXPECT_EQ(Due("2025-09-26", 13), "2025-10-21");
  EXPECT_EQ(Cn().NextWorkingDay(D("2025-10-21"))->ToString(), "2025-10-22");
  EXPECT_EQ(Due("2025-10-21", 5), "2025-10-28");
}

TEST(NextWorkingDay, IsStrictlyAfter) {
  EXPECT_EQ(Cn().NextWorkingDay(D("2025-01-27"))->ToString(), "2025-02-05");
  EXPECT_EQ(Cn().NextWorkingDay(D("2025-01-24"))->ToString(), "2025-01-26");
  EXPECT_EQ(Cn().NextWorkingDay(D("2025-03-07"))->ToString(), "2025-03-10");
}

TEST(WorkingDaysBetween, InvertsAddWorkingDays) {
  for (const char* start : {"2025-01-24", "2025-01-30", "2025-09-27", "2025-12-31"}) {
    for (int n : {1, 3, 13}) {
      StatusOr<Date> due = Cn().AddWorkingDays(D(start), n);
      ASSERT_TRUE(due.ok());
      EXPECT_EQ(Cn().WorkingDaysBetween(D(start), *due).value(), n) << start << " + " << n;
      EXPECT_EQ(Cn().WorkingDaysBetween(*due, D(start)).value(), -n) << start << " + " << n;
    }
  }
  EXPECT_EQ(Cn().WorkingDaysBetween(D("2025-10-01"), D("2025-10-08")).value(), 0);
}

// ---------------------------------------------------------------------------
// Outside the data: provisional from 2025 (the amended law) to 2099, refused
// otherwise — and refused everywhere outside the data when strict.

const WorkingCalendar& Strict() {
  static const WorkingCalendar strict = Cn().WithoutProvisional();
  return strict;
}

TEST(Coverage, QueriesOutsideTheYearsFailWithFailedPrecondition) {
  StatusOr<bool> w = Strict().IsWorkingDay(D("2027-01-04"));
  ASSERT_EQ(w.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(w.status().message_en(), HasSubstr("2027-01-04"));
  EXPECT_THAT(w.status().message_en(), HasSubstr("2025, 2026"));
  EXPECT_THAT(w.status().message_zh(), HasSubstr("edugov calendar import"));
  // Before the law of 2025 nothing is guessed, provisional or not.
  EXPECT_EQ(Cn().IsWorkingDay(D("2024-12-31")).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Cn().AddWorkingDays(D("2024-12-31"), 1).status().code(),
            StatusCode::kFailedPrecondition);
  // Nor past the provisional range.
  EXPECT_EQ(Cn().IsWorkingDay(D("2100-01-04")).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(Cn().IsWorkingDay(D("2100-01-04")).status().message_en(), HasSubstr("provisional 2025–2099"));
}

TEST(Coverage, ACountThatRunsOffTheEndFailsWhenStrict) {
  EXPECT_EQ(Strict().AddWorkingDays(D("2026-12-30"), 1).value().ToString(), "2026-12-31");
  StatusOr<Date> d = Strict().AddWorkingDays(D("2026-12-30"), 5);
  ASSERT_EQ(d.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(d.status().message_en(), HasSubstr("2027-01-01"));
  EXPECT_EQ(Strict().NextWorkingDay(D("2026-12-31")).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Strict().DeadlineAt(T("2026-12-30T10:00:00+08:00"), 13).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(Provisional, WhichYears) {
  EXPECT_FALSE(Cn().IsProvisional(2025));
  EXPECT_FALSE(Cn().IsProvisional(2026));
  EXPECT_TRUE(Cn().IsProvisional(2027));
  EXPECT_TRUE(Cn().IsProvisional(2099));
  EXPECT_FALSE(Cn().IsProvisional(2100));
  EXPECT_FALSE(Cn().IsProvisional(2024));  // the old law: not guessed
  EXPECT_FALSE(Strict().IsProvisional(2027));
  EXPECT_TRUE(Cn().Answers(D("2027-06-01")));
  EXPECT_FALSE(Cn().Covers(D("2027-06-01")));
  EXPECT_FALSE(Strict().Answers(D("2027-06-01")));
}

// 2027 on the law alone: 元旦 Fri 1 Jan; 除夕 Fri 5 Feb to 初三 Mon 8 Feb;
// 清明 Mon 5 Apr; 劳动节 Sat–Sun 1–2 May (not moved); 端午 Wed 9 Jun;
// 中秋 Wed 15 Sep; 国庆 Fri–Sun 1–3 Oct; no make-up working days.
TEST(Provisional, TwentyTwentySeven) {
  for (const char* off : {"2027-01-01", "2027-02-05", "2027-02-08", "2027-04-05", "2027-06-09",
                          "2027-09-15", "2027-10-01", "2027-05-01", "2027-05-02", "2027-10-03"}) {
    EXPECT_FALSE(Cn().IsWorkingDay(D(off)).value()) << off;
  }
  // Weekdays next to the holidays stay working days: no bridge is guessed.
  for (const char* on : {"2027-02-09", "2027-05-03", "2027-10-04", "2027-06-10", "2027-09-16"}) {
    EXPECT_TRUE(Cn().IsWorkingDay(D(on)).value()) << on;
  }
  // 365 days - 104 weekend days (2027 starts on a Friday) - 7 statutory days
  // on weekdays (1 Jan, 5 Feb, 8 Feb, 5 Apr, 9 Jun, 15 Sep, 1 Oct; 6–7 Feb,
  // 1–2 May, 2–3 Oct fall on weekends) = 254 working days.
  StatusOr<int> n = Cn().WorkingDaysBetween(D("2026-12-31"), D("2027-12-31"));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 365 - 104 - 7);
}

// A complaint filed on Sunday 20 December 2026 (issue 14): 13 working days
// are 21–25 and 28–31 December (9), then — 1 January 2027 off — 4–7 January.
TEST(Provisional, AComplaintFiledOn20December2026) {
  StatusOr<Deadline> due = Cn().DeadlineOf(T("2026-12-20T09:00:00+08:00"), 13);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  EXPECT_EQ(due->day.ToString(), "2027-01-07");
  EXPECT_EQ(FormatTimestamp(due->at), "2027-01-07T23:59:59+08:00");
  EXPECT_TRUE(due->provisional);
  // Acknowledgement in 1 working day stays inside 2026: not provisional.
  StatusOr<Deadline> ack = Cn().DeadlineOf(T("2026-12-20T09:00:00+08:00"), 1);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->day.ToString(), "2026-12-21");
  EXPECT_FALSE(ack->provisional);
  EXPECT_EQ(FormatTimestamp(Cn().DeadlineAt(T("2026-12-20T09:00:00+08:00"), 13).value()),
            "2027-01-07T23:59:59+08:00");
}

// The law's days against what the State Council actually gave in 2025 and
// 2026: every statutory day is inside the notice's holiday block of the same
// festival. This checks the lunisolar computation on real notices.
TEST(Provisional, StatutoryDaysAreHolidaysInThe2025And2026Notices) {
  for (int year : {2025, 2026}) {
    const std::vector<CalendarDay> law = StatutoryHolidays(year);
    EXPECT_EQ(law.size(), 13u) << year;  // 1 + 4 + 1 + 2 + 1 + 1 + 3, no overlap
    for (const CalendarDay& day : law) {
      bool found = false;
      for (const CalendarDay& listed : Cn().Entries()) {
        if (listed.date != day.date) continue;
        found = true;
        EXPECT_EQ(listed.kind, DayKind::kHoliday) << day.date.ToString();
        // The notice may merge festivals (国庆节、中秋节); ours must be in its name.
        EXPECT_THAT(listed.name, HasSubstr(day.name.substr(0, day.name.find("、"))))
            << day.date.ToString();
      }
      EXPECT_TRUE(found) << day.name << " " << day.date.ToString() << " is not a holiday in the notice";
    }
  }
}

TEST(Provisional, TwoFestivalsOnOneDayAreOneDayOff) {
  // 2020-10-01 was both 国庆 and 中秋 (the 2020 rules differed, but the dates
  // are the law's test case); 2031-10-01 is 中秋 again.
  const std::vector<CalendarDay> law = StatutoryHolidays(2031);
  int octobers = 0;
  for (const CalendarDay& d : law) {
    if (d.date == D("2031-10-01")) {
      EXPECT_EQ(d.name, "国庆节、中秋节");
    }
    if (d.date.month() == 10) ++octobers;
  }
  EXPECT_EQ(octobers, 3);
  EXPECT_EQ(law.size(), 12u);
}

// ---------------------------------------------------------------------------
// DeadlineAt and IsOverdue: Asia/Shanghai, 23:59:59 of the due day.

TEST(DeadlineAt, EndsAtOneSecondBeforeMidnightShanghai) {
  StatusOr<TimePoint> due = Cn().DeadlineAt(T("2025-09-26T20:00:00+08:00"), 13);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(FormatTimestamp(*due), "2025-10-21T23:59:59+08:00");
  EXPECT_EQ(FormatTimestamp(Cn().DeadlineAt(T("2025-09-26T20:00:00+08:00"), 1).value()),
            "2025-09-28T23:59:59+08:00");
}

TEST(DeadlineAt, TheReceiptDateIsTakenInShanghaiNotUtc) {
  // 15:30Z on Sat 25 Jan is 23:30 Saturday in Shanghai (off): day 1 is the make-up Sunday.
  EXPECT_EQ(FormatTimestamp(Cn().DeadlineAt(T("2025-01-25T15:30:00Z"), 1).value()),
            "2025-01-26T23:59:59+08:00");
  // 16:30Z is 00:30 on Sun 26 Jan, a working day, so day 1 is Monday.
  EXPECT_EQ(FormatTimestamp(Cn().DeadlineAt(T("2025-01-25T16:30:00Z"), 1).value()),
            "2025-01-27T23:59:59+08:00");
}

TEST(DeadlineAt, PropagatesCoverageErrors) {
  EXPECT_EQ(Cn().DeadlineAt(T("2024-12-30T10:00:00+08:00"), 13).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(ShanghaiDate, UsesUtcPlusEight) {
  EXPECT_EQ(ShanghaiDate(T("2025-01-25T15:59:59Z")).ToString(), "2025-01-25");
  EXPECT_EQ(ShanghaiDate(T("2025-01-25T16:00:00Z")).ToString(), "2025-01-26");
  EXPECT_EQ(ShanghaiDate(T("1969-12-31T15:00:00Z")).ToString(), "1969-12-31");
}

TEST(IsOverdue, OnTimeThroughTheLastSecond) {
  const TimePoint due = Cn().DeadlineAt(T("2025-09-26T20:00:00+08:00"), 13).value();
  EXPECT_FALSE(IsOverdue(due, T("2025-10-21T09:00:00+08:00")));
  EXPECT_FALSE(IsOverdue(due, T("2025-10-21T23:59:59+08:00")));
  EXPECT_FALSE(IsOverdue(due, T("2025-10-21T23:59:59.999999+08:00")));
  EXPECT_TRUE(IsOverdue(due, T("2025-10-22T00:00:00+08:00")));
}

// ---------------------------------------------------------------------------
// Malformed data files: each error names the line and the entry.

Status Parse(const std::string& text) { return WorkingCalendar::FromYaml(text).status(); }

const char* kHeader = "years: [2025]\ndays:\n";

TEST(FromYaml, AcceptsAMinimalFile) {
  StatusOr<WorkingCalendar> c =
      WorkingCalendar::FromYaml(std::string(kHeader) + "  - {date: 2025-01-01, kind: holiday, name: 元旦}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->IsWorkingDay(D("2025-01-01")).value());
  EXPECT_TRUE(c->IsWorkingDay(D("2025-01-02")).value());
  // A minimal file knows nothing of 春节: the data, not the code, decides.
  EXPECT_TRUE(c->IsWorkingDay(D("2025-01-28")).value());
}

TEST(FromYaml, SyntaxErrorNamesTheLine) {
  Status s = Parse(std::string(kHeader) + "  - {date: 2025-01-01, kind: holiday\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message_en(), HasSubstr(", column "));
  EXPECT_THAT(s.message_en(), ::testing::Not(HasSubstr("end of map")));
  EXPECT_THAT(s.field(), HasSubstr("line "));
}

TEST(FromYaml, DuplicateDateNamesBothLines) {
  Status s = Parse(std::string(kHeader) +
                   "  - {date: 2025-01-01, kind: holiday, name: 元旦}\n"
                   "  - {date: 2025-02-03, kind: holiday, name: 春节}\n"
                   "  - {date: 2025-01-01, kind: holiday, name: 元旦}\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "line 5");
  EXPECT_THAT(s.message_en(), HasSubstr("days[2] (2025-01-01)"));
  EXPECT_THAT(s.message_en(), HasSubstr("already listed at line 3"));
}

TEST(FromYaml, BadDate) {
  Status s = Parse(std::string(kHeader) + "  - {date: 2025-02-30, kind: holiday, name: 春节}\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "line 3");
  EXPECT_THAT(s.message_en(), HasSubstr("days[0]"));
  EXPECT_THAT(s.message_en(), HasSubstr("2025-02-30"));
}

TEST(FromYaml, UnknownKind) {
  Status s = Parse(std::string(kHeader) + "  - {date: 2025-01-01, kind: holidy, name: 元旦}\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message_en(), HasSubstr("unknown kind 'holidy'"));
  EXPECT_THAT(s.message_zh(), HasSubstr("第 3 行"));
}

TEST(FromYaml, DateOutsideTheCoveredYears) {
  Status s = Parse(std::string(kHeader) +
                   "  - {date: 2025-01-01, kind: holiday, name: 元旦}\n"
                   "  - {date: 2026-01-01, kind: holiday, name: 元旦}\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "line 4");
  EXPECT_THAT(s.message_en(), HasSubstr("(2026-01-01) is outside the covered years (2025)"));
}

TEST(FromYaml, MakeUpWorkdayOnAWeekdayIsATypo) {
  // Mon 27 Jan instead of Sun 26 Jan.
  Status s = Parse(std::string(kHeader) + "  - {date: 2025-01-27, kind: workday, name: 春节}\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message_en(), HasSubstr("Saturday or Sunday"));
}

TEST(FromYaml, MissingFieldsAndUnknownKeys) {
  EXPECT_THAT(Parse(std::string(kHeader) + "  - {date: 2025-01-01, kind: holiday}\n").message_en(),
              HasSubstr("non-empty name"));
  EXPECT_THAT(
      Parse(std::string(kHeader) + "  - {date: 2025-01-01, knd: holiday, name: 元旦}\n").message_en(),
      HasSubstr("unknown key 'knd'"));
  EXPECT_THAT(Parse(std::string(kHeader) + "  - 2025-01-01\n").message_en(),
              HasSubstr("must be a map"));
  EXPECT_THAT(Parse("days: []\n").message_en(), HasSubstr("'years'"));
  EXPECT_THAT(Parse("years: [2025]\n").message_en(), HasSubstr("'days'"));
  EXPECT_THAT(Parse("years: [twenty]\ndays: []\n").message_en(), HasSubstr("not a year"));
  EXPECT_THAT(Parse("years: [2025]\nday: []\n").message_en(), HasSubstr("unknown key 'day'"));
  EXPECT_THAT(Parse("- just a list\n").message_en(), HasSubstr("must be a map"));
}

TEST(FromYaml, ACoveredYearWithoutEntriesIsForgottenData) {
  Status s = Parse("years: [2025, 2026]\ndays:\n  - {date: 2025-01-01, kind: holiday, name: 元旦}\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message_en(), HasSubstr("year 2026 is in 'years' but has no entries"));
}

TEST(FromYaml, TheDecemberBeforeACoveredYearMayHoldItsNewYearBlock) {
  // The 2019 notice: 2018-12-30 to 2019-01-01 off, Saturday 2018-12-29 worked.
  StatusOr<WorkingCalendar> c = WorkingCalendar::FromYaml(
      "years: [2019]\ndays:\n"
      "  - {date: 2018-12-29, kind: workday, name: 元旦}\n"
      "  - {date: 2018-12-30, kind: holiday, name: 元旦}\n"
      "  - {date: 2019-01-01, kind: holiday, name: 元旦}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->Entries().size(), 3u);
  EXPECT_THAT(Parse("years: [2019]\ndays:\n  - {date: 2018-11-30, kind: holiday, name: 元旦}\n")
                  .message_en(),
              HasSubstr("outside the covered years"));
}

// A scratch policy/calendar/ directory.
class CalendarDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("edugov-calendar-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::string dir() const { return dir_.string(); }
  std::filesystem::path dir_;
};

TEST_F(CalendarDir, TheShippedDirectoryLoads) {
  const std::string shipped =
      std::filesystem::path(EDUGOV_CALENDAR_YAML).parent_path().string();
  StatusOr<WorkingCalendar> c = WorkingCalendar::Load(shipped);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->Entries(), Cn().Entries());
}

TEST_F(CalendarDir, AnImportedYearIsPickedUpAndNoLongerProvisional) {
  std::filesystem::copy_file(EDUGOV_CALENDAR_YAML, dir_ / "cn-2025-2026.yaml");
  Write("cn-2027.yaml",
        "years: [2027]\ndays:\n"
        "  - {date: 2027-01-01, kind: holiday, name: 元旦}\n"
        "  - {date: 2027-01-04, kind: holiday, name: 元旦}\n");  // a stand-in notice
  Write("README.txt", "not a calendar");
  StatusOr<WorkingCalendar> c = WorkingCalendar::Load(dir());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->years(), (std::vector<int>{2025, 2026, 2027}));
  EXPECT_FALSE(c->IsProvisional(2027));
  EXPECT_TRUE(c->IsProvisional(2028));
  // The file, not the law, now decides 2027: 4 January off, 5 February on.
  EXPECT_FALSE(c->IsWorkingDay(D("2027-01-04")).value());
  EXPECT_TRUE(c->IsWorkingDay(D("2027-02-05")).value());
  StatusOr<Deadline> due = c->DeadlineOf(T("2026-12-20T09:00:00+08:00"), 13);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->day.ToString(), "2027-01-08");
  EXPECT_FALSE(due->provisional);
}

TEST_F(CalendarDir, AYearInTwoFilesNamesBoth) {
  Write("a.yaml", "years: [2027]\ndays:\n  - {date: 2027-01-01, kind: holiday, name: 元旦}\n");
  Write("b.yaml", "years: [2027]\ndays:\n  - {date: 2027-01-01, kind: holiday, name: 元旦}\n");
  Status s = WorkingCalendar::Load(dir()).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message_en(), HasSubstr("a.yaml"));
  EXPECT_THAT(s.message_en(), HasSubstr("b.yaml"));
  EXPECT_THAT(s.message_zh(), HasSubstr("2027 年同时出现在"));
}

TEST_F(CalendarDir, AFileErrorNamesTheFile) {
  Write("cn-2027.yaml", "years: [2027]\ndays:\n  - {date: 2027-02-30, kind: holiday, name: 春节}\n");
  Status s = WorkingCalendar::Load(dir()).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message_en(), HasSubstr("cn-2027.yaml: line 3"));
}

TEST_F(CalendarDir, AnEmptyDirectoryIsNotFound) {
  EXPECT_EQ(WorkingCalendar::Load(dir()).status().code(), StatusCode::kNotFound);
}

TEST(Load, MissingFileIsNotFound) {
  StatusOr<WorkingCalendar> c = WorkingCalendar::Load("/nonexistent/cn.yaml");
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(c.status().message_en(), HasSubstr("/nonexistent/cn.yaml"));
}

}  // namespace
}  // namespace edugov::calendar
