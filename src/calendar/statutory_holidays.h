// The days off that the law itself fixes, before any State Council notice
// arranges them: 《全国年节及纪念日放假办法》 as amended in November 2024
// (in force from 2025), article 2 — the holidays for all citizens:
//   元旦 1 day (1 January); 春节 4 days (除夕 and 正月初一 to 初三);
//   清明节 1 day (the 清明 solar term); 劳动节 2 days (1–2 May);
//   端午节 1 day (五月初五); 中秋节 1 day (八月十五); 国庆节 3 days (1–3 October).
// The lunar dates and 清明 are computed (lunisolar.h). Nothing is moved:
// a statutory day on a weekend stays there, and there are no make-up working
// days — those are the notice's decision (调休), which this does not guess.
// The working calendar uses this for "provisional" years (working_calendar.h).
#pragma once

#include <vector>

#include "calendar/calendar_day.h"

namespace edugov::calendar {

// The law above took effect on 1 January 2025; earlier years had other rules.
inline constexpr int kStatutoryRulesFrom = 2025;

// The statutory holidays of `year` (>= kStatutoryRulesFrom, <= 2200), each a
// kHoliday, sorted by date. When two festivals share a day (中秋 on 1 October,
// as in 2020) it is listed once, named "国庆节、中秋节".
std::vector<CalendarDay> StatutoryHolidays(int year);

}  // namespace edugov::calendar
