#include "calendar/school_semesters.h"

#include <vector>

#include "calendar/lunisolar.h"
#include "calendar/statutory_holidays.h"
#include "calendar/working_calendar.h"

namespace edugov::calendar {
namespace {

// Monday = 1 … Sunday = 7 (Date::IsoWeekday).
Date MondayOf(Date d) { return d.AddDays(-(d.IsoWeekday() - 1)); }

// The first day on or after `d` with ISO weekday `weekday`.
Date NextWeekday(Date d, int weekday) { return d.AddDays((weekday - d.IsoWeekday() + 7) % 7); }

// Computed once for every year the rule may need (a pack binds often; the
// lunisolar computation is ~30 µs a year).
Date SpringFestivalWeekMonday(int year) {
  static const std::vector<Date> kMondays = [] {
    std::vector<Date> v;
    for (int y = kStatutoryRulesFrom; y <= kLastProvisionalYear + 1; ++y) v.push_back(MondayOf(ComputeLunarYear(y).new_year));
    return v;
  }();
  if (year < kStatutoryRulesFrom || year > kLastProvisionalYear + 1) return MondayOf(ComputeLunarYear(year).new_year);
  return kMondays[static_cast<size_t>(year - kStatutoryRulesFrom)];
}

}  // namespace

bool ParseProvisionalRule(const std::string& text, ProvisionalRule* out) {
  if (text == "hunan") *out = ProvisionalRule::kHunan;
  else if (text == "none") *out = ProvisionalRule::kNone;
  else return false;
  return true;
}

SchoolSemester HunanAutumn(int year) {
  const Date late_january = NextWeekday(Date::FromYmd(year + 1, 1, 20), 5);  // the Friday in 20–26 January
  const Date before_festival = SpringFestivalWeekMonday(year + 1).AddDays(-10);  // a Friday
  return {std::to_string(year) + "-autumn", Date::FromYmd(year, 9, 1),
          before_festival < late_january ? before_festival : late_january, true};
}

SchoolSemester HunanSpring(int year) {
  const Date after_festival = SpringFestivalWeekMonday(year).AddDays(21);
  const Date march = NextWeekday(Date::FromYmd(year, 3, 1), 1);  // first Monday of March
  return {std::to_string(year) + "-spring", after_festival < march ? after_festival : march,
          NextWeekday(Date::FromYmd(year, 7, 1), 6), true};
}

std::vector<SchoolSemester> WithProvisionalSemesters(std::vector<SchoolSemester> declared, ProvisionalRule rule) {
  if (rule != ProvisionalRule::kHunan || declared.empty()) return declared;
  const Date last = declared.back().to;
  for (int year = last.year() - 1; year < kLastProvisionalYear; ++year) {
    for (const SchoolSemester& s : {HunanSpring(year), HunanAutumn(year)}) {
      if (s.from > last && s.to.year() <= kLastProvisionalYear) declared.push_back(s);
    }
  }
  return declared;
}

}  // namespace edugov::calendar
