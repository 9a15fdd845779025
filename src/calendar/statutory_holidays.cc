#include "calendar/statutory_holidays.h"

#include <algorithm>
#include <cassert>

#include "calendar/lunisolar.h"

namespace edugov::calendar {

std::vector<CalendarDay> StatutoryHolidays(int year) {
  assert(year >= kStatutoryRulesFrom);
  const LunarYear lunar = ComputeLunarYear(year);
  std::vector<CalendarDay> out;
  auto add = [&out](Date d, const char* name) {
    for (CalendarDay& have : out) {
      if (have.date == d) {  // two festivals on one day: one day off, both names
        have.name = (have.name == "国庆节" ? "国庆节、" + std::string(name)
                                           : std::string(name) + "、" + have.name);
        return;
      }
    }
    out.push_back({.date = d, .kind = DayKind::kHoliday, .name = name});
  };
  add(Date::FromYmd(year, 1, 1), "元旦");
  for (int i = -1; i <= 2; ++i) add(lunar.new_year.AddDays(i), "春节");  // 除夕, 初一–初三
  add(SolarTermDate(year, 15), "清明节");
  add(Date::FromYmd(year, 5, 1), "劳动节");
  add(Date::FromYmd(year, 5, 2), "劳动节");
  add(lunar.dragon_boat, "端午节");
  add(lunar.mid_autumn, "中秋节");
  for (int d = 1; d <= 3; ++d) add(Date::FromYmd(year, 10, d), "国庆节");
  std::sort(out.begin(), out.end(),
            [](const CalendarDay& a, const CalendarDay& b) { return a.date < b.date; });
  return out;
}

}  // namespace edugov::calendar
