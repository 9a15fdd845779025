// China's working-day calendar for a government office in Asia/Shanghai, and
// deadline arithmetic in working days (case time limits: acknowledge a
// complaint within 1 working day, answer an enquiry in 3, a complaint in 13).
//
//   ASSIGN_OR_RETURN(calendar::WorkingCalendar cal,
//                    calendar::WorkingCalendar::Load("policy/calendar/"));
//   ASSIGN_OR_RETURN(calendar::Deadline due, cal.DeadlineOf(received, 13));
//   if (calendar::IsOverdue(due.at, clock.Now())) { ... }
//   if (due.provisional) { ... }  // it may move when the next notice is imported
//
// Which days are working days is data, not code: Monday–Friday work, Saturday
// and Sunday rest, except the holidays (放假) and make-up working days (调休上班)
// that the State Council publishes each November for the next year
// (`edugov calendar import` turns the notice into a policy/calendar/ file).
// The data files and how to add a year are described in docs/calendar.md.
//
// Deadline rule (the one every function here follows). A time limit of N
// working days on something received on local date D ends at 23:59:59
// Asia/Shanghai of the due day, which is:
//   N >= 1: the Nth working day strictly after D. The day of receipt never
//           counts (it is usually part-gone), and a receipt on a non-working
//           day counts from the next working day, which is day 1 — so a
//           complaint received Friday 21:00 and one received Saturday 09:00
//           are due on the same day.
//   N == 0: D itself if it is a working day, otherwise the next working day
//           ("today": the end of the day the receipt counts as arriving on).
//
// Years without a notice: provisional, not refused and not "weekdays only".
// A 13-working-day limit started in mid-December needs the next year before
// its notice may exist. For a year the data does not cover, from 2025 (when
// the amended holiday law took effect) to kLastProvisionalYear, the calendar
// answers on a PROVISIONAL year: weekends plus the statutory holidays of
// 《全国年节及纪念日放假办法》, with 春节, 端午, 中秋 and 清明 computed
// (statutory_holidays.h). Nothing is moved and no make-up day is guessed, so
// the notice, when it comes, usually adds days off (a bridge day, the
// 春节 week) and make-up Saturdays: a provisional deadline can move either way
// by a few days, and IsProvisional / Deadline::provisional say so, so callers
// can mark it and recompute once the year's notice is imported. "Weekdays
// only" would be worse — 元旦 and 春节 silently working days. Any other date
// (before 2025 without data, or past kLastProvisionalYear) fails with
// kFailedPrecondition naming the date; WithoutProvisional() restores that
// strict behaviour everywhere outside the data.
//
// A WorkingCalendar is an immutable value: copyable, and safe to use from many
// threads at once.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/calendar_day.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"

namespace edugov::calendar {

// The last year answered provisionally; the lunisolar computation is verified
// against published dates 2020–2035 (lunisolar_test.cc) and sound for decades
// beyond, but a deadline in 2100 has no business being computed at all.
inline constexpr int kLastProvisionalYear = 2099;

// A computed deadline: the due day, its last second in Asia/Shanghai, and
// whether any day of the count lies in a provisional year.
struct Deadline {
  Date day;
  TimePoint at;
  bool provisional = false;
};

class WorkingCalendar {
 public:
  // Reads and validates the YAML file at `path`, or, if `path` is a
  // directory, every *.yaml file in it (policy/calendar/: cn-2025-2026.yaml,
  // cn-2027.yaml, …) as one calendar. kNotFound if it cannot be read (or the
  // directory has no *.yaml); otherwise the errors of FromYaml with the file's
  // path in the message, and kInvalidArgument for a year covered by two files
  // or a date listed differently in two files (both files named).
  static StatusOr<WorkingCalendar> Load(const std::string& path);

  // Parses the data file's text. kInvalidArgument for anything a clerk could
  // get wrong, naming the line (and the field() "line N"): YAML syntax,
  // a missing or malformed `years` / `days`, an entry without date, kind or
  // name or with an unknown key, a bad date, an unknown kind, a date listed
  // twice (both lines named), a date outside `years` (except in the December
  // before a covered year, which that year's 元旦 block may start in — as
  // 2018-12-30 did for 2019), a make-up workday on a
  // Monday–Friday (a typo: it would change nothing), and a covered year with
  // no entries (its data was forgotten).
  static StatusOr<WorkingCalendar> FromYaml(std::string_view text);

  // The years the data (published notices) is complete for, ascending.
  const std::vector<int>& years() const { return years_; }
  // Whether `date`'s year is in years(): answered from a notice.
  bool Covers(Date date) const;
  // Whether `year` is answered provisionally (no notice; the law's holidays
  // and weekends only — see the top of this file).
  bool IsProvisional(int year) const;
  // Whether questions about `date` can be answered at all: Covers(date) or
  // IsProvisional(date.year()).
  bool Answers(Date date) const;
  // Every listed holiday and make-up workday, by date (the data only).
  std::vector<CalendarDay> Entries() const;
  // This calendar with no provisional years: everything outside years() is
  // refused, as before provisional years existed.
  WorkingCalendar WithoutProvisional() const;

  // Whether `date` is a working day. kFailedPrecondition unless Answers(date).
  StatusOr<bool> IsWorkingDay(Date date) const;

  // The first working day strictly after `date`. kFailedPrecondition if the
  // search reaches a day the calendar does not answer.
  StatusOr<Date> NextWorkingDay(Date date) const;

  // The due day of a limit of `n` working days on something received on
  // `start` (the rule at the top of this file). kInvalidArgument if n < 0;
  // kFailedPrecondition if the count reaches a day the calendar does not answer.
  StatusOr<Date> AddWorkingDays(Date start, int n) const;

  // The number of working days d with a < d <= b, negated if b < a; so
  // WorkingDaysBetween(D, AddWorkingDays(D, n)) == n for n >= 1, and for a
  // deadline day and today it says how many working days are left (or, negated,
  // how late). kFailedPrecondition if any day in between is not answered.
  StatusOr<int> WorkingDaysBetween(Date a, Date b) const;

  // 23:59:59 Asia/Shanghai (UTC+8, no daylight saving since 1991) of the due
  // day of a limit of `working_days` on something received at `received`;
  // the receipt's date is taken in Asia/Shanghai. Errors as AddWorkingDays.
  StatusOr<TimePoint> DeadlineAt(TimePoint received, int working_days) const;
  // The same deadline with its day and whether it rests on a provisional year
  // (any day from the receipt's to the due day's year).
  StatusOr<Deadline> DeadlineOf(TimePoint received, int working_days) const;

 private:
  WorkingCalendar() = default;
  // kFailedPrecondition naming `date` unless Answers(date).
  Status CheckCovered(Date date) const;
  // Requires Answers(date).
  bool IsWorkingCovered(Date date) const;

  std::vector<int> years_;
  // Keyed by Date::DaysSinceEpoch(); only the listed exceptions.
  std::map<int32_t, CalendarDay> days_;
  bool provisional_ = true;
};

// The local (Asia/Shanghai) calendar date of an instant.
Date ShanghaiDate(TimePoint t);

// Whether an action at `now` misses `deadline` (from DeadlineAt). Compared at
// whole seconds, so anything stamped within the deadline's second (23:59:59.x)
// is still on time, as a clerk reading "23:59:59" would expect.
bool IsOverdue(TimePoint deadline, TimePoint now);

}  // namespace edugov::calendar
