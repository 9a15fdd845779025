// One day that departs from the Monday–Friday rule: the vocabulary shared by
// the working calendar, the statutory (provisional) holidays and the notice
// parser.
#pragma once

#include <string>
#include <string_view>

#include "common/date.h"

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

}  // namespace edugov::calendar
