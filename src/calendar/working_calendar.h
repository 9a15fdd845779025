// China's working-day calendar for a government office in Asia/Shanghai, and
// deadline arithmetic in working days (case time limits: acknowledge a
// complaint within 1 working day, answer an enquiry in 3, a complaint in 13).
//
//   ASSIGN_OR_RETURN(calendar::WorkingCalendar cal,
//                    calendar::WorkingCalendar::Load("policy/calendar/cn-2025-2026.yaml"));
//   ASSIGN_OR_RETURN(TimePoint due, cal.DeadlineAt(received, 13));
//   if (calendar::IsOverdue(due, clock.Now())) { ... }
//
// Which days are working days is data, not code: Monday–Friday work, Saturday
// and Sunday rest, except the holidays (放假) and make-up working days (调休上班)
// that the State Council publishes each November for the next year. The data
// file and how to add a year are described in docs/calendar.md.
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
// Years outside the data. The file lists the years it is complete for; any
// question whose answer depends on a date outside them fails with
// kFailedPrecondition naming the date. There is deliberately no fallback to
// "weekdays only": an unpublished year's 元旦 and 春节 would silently become
// working days and every deadline across them would come out days early, which
// is worse than a refused deadline. The fix is to add the year's data as soon
// as the notice is published (see docs/calendar.md); note that a 13-working-day
// limit started in mid-December already needs the next year.
//
// A WorkingCalendar is an immutable value: copyable, and safe to use from many
// threads at once.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"

namespace edugov::calendar {

enum class DayKind {
  kHoliday,  // a day off (放假), whatever its weekday
  kWorkday,  // a make-up working day (调休上班) on a Saturday or Sunday
};

// "holiday" / "workday", as in the data file.
std::string_view DayKindName(DayKind kind);

// One listed exception to the Monday–Friday rule.
struct CalendarDay {
  Date date;
  DayKind kind = DayKind::kHoliday;
  std::string name;  // the festival, in Chinese ("春节")

  friend bool operator==(const CalendarDay&, const CalendarDay&) = default;
};

class WorkingCalendar {
 public:
  // Reads and validates the YAML file at `path`. kNotFound if it cannot be
  // read; otherwise the errors of FromYaml, with the path in the message.
  static StatusOr<WorkingCalendar> Load(const std::string& path);

  // Parses the data file's text. kInvalidArgument for anything a clerk could
  // get wrong, naming the line (and the field() "line N"): YAML syntax,
  // a missing or malformed `years` / `days`, an entry without date, kind or
  // name or with an unknown key, a bad date, an unknown kind, a date listed
  // twice (both lines named), a date outside `years`, a make-up workday on a
  // Monday–Friday (a typo: it would change nothing), and a covered year with
  // no entries (its data was forgotten).
  static StatusOr<WorkingCalendar> FromYaml(std::string_view text);

  // The years the data is complete for, ascending.
  const std::vector<int>& years() const { return years_; }
  // Whether questions about `date` can be answered.
  bool Covers(Date date) const;
  // Every listed holiday and make-up workday, by date.
  std::vector<CalendarDay> Entries() const;

  // Whether `date` is a working day. kFailedPrecondition outside years().
  StatusOr<bool> IsWorkingDay(Date date) const;

  // The first working day strictly after `date`. kFailedPrecondition if the
  // search leaves years().
  StatusOr<Date> NextWorkingDay(Date date) const;

  // The due day of a limit of `n` working days on something received on
  // `start` (the rule at the top of this file). kInvalidArgument if n < 0;
  // kFailedPrecondition if the count leaves years().
  StatusOr<Date> AddWorkingDays(Date start, int n) const;

  // The number of working days d with a < d <= b, negated if b < a; so
  // WorkingDaysBetween(D, AddWorkingDays(D, n)) == n for n >= 1, and for a
  // deadline day and today it says how many working days are left (or, negated,
  // how late). kFailedPrecondition if any day in between is outside years().
  StatusOr<int> WorkingDaysBetween(Date a, Date b) const;

  // 23:59:59 Asia/Shanghai (UTC+8, no daylight saving since 1991) of the due
  // day of a limit of `working_days` on something received at `received`;
  // the receipt's date is taken in Asia/Shanghai. Errors as AddWorkingDays.
  StatusOr<TimePoint> DeadlineAt(TimePoint received, int working_days) const;

 private:
  WorkingCalendar() = default;
  // kFailedPrecondition naming `date` unless Covers(date).
  Status CheckCovered(Date date) const;
  // Requires Covers(date).
  bool IsWorkingCovered(Date date) const;

  std::vector<int> years_;
  // Keyed by Date::DaysSinceEpoch(); only the listed exceptions.
  std::map<int32_t, CalendarDay> days_;
};

// The local (Asia/Shanghai) calendar date of an instant.
Date ShanghaiDate(TimePoint t);

// Whether an action at `now` misses `deadline` (from DeadlineAt). Compared at
// whole seconds, so anything stamped within the deadline's second (23:59:59.x)
// is still on time, as a clerk reading "23:59:59" would expect.
bool IsOverdue(TimePoint deadline, TimePoint now);

}  // namespace edugov::calendar
