// A civil calendar date without time zone, as the plan speaks of them
// ("by 31 Dec 2025"), and the day arithmetic edugov needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace edugov {

class Date {
 public:
  constexpr Date() = default;  // 1970-01-01
  // Requires a valid date; use Parse() for untrusted input.
  static Date FromYmd(int year, int month, int day);
  static Date FromDaysSinceEpoch(int32_t days) { Date d; d.days_ = days; return d; }
  // "YYYY-MM-DD" only; names the text in the error.
  static StatusOr<Date> Parse(std::string_view text);

  int32_t DaysSinceEpoch() const { return days_; }
  int year() const;
  int month() const;
  int day() const;
  // 1 = Monday … 7 = Sunday (ISO 8601).
  int IsoWeekday() const;
  Date AddDays(int32_t n) const { return FromDaysSinceEpoch(days_ + n); }
  std::string ToString() const;

  friend constexpr auto operator<=>(const Date&, const Date&) = default;

 private:
  int32_t days_ = 0;
};

bool IsValidYmd(int year, int month, int day);

}  // namespace edugov
