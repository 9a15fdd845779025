#include "common/date.h"

#include <cstdio>

namespace edugov {

namespace {

// Howard Hinnant's days_from_civil / civil_from_days: exact for the
// proleptic Gregorian calendar.
int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void CivilFromDays(int32_t z, int& y, int& m, int& d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe) + era * 400 + (m <= 2);
}

}  // namespace

bool IsValidYmd(int year, int month, int day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max;
}

Date Date::FromYmd(int year, int month, int day) {
  return FromDaysSinceEpoch(DaysFromCivil(year, static_cast<unsigned>(month),
                                          static_cast<unsigned>(day)));
}

StatusOr<Date> Date::Parse(std::string_view text) {
  auto bad = [&] {
    return InvalidArgumentError("invalid date '" + std::string(text) + "', expected YYYY-MM-DD",
                                "日期格式无效 '" + std::string(text) + "',应为 YYYY-MM-DD");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int parts[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (size_t i = starts[p]; i < starts[p] + lens[p]; ++i) {
      if (text[i] < '0' || text[i] > '9') return bad();
      parts[p] = parts[p] * 10 + (text[i] - '0');
    }
  }
  if (!IsValidYmd(parts[0], parts[1], parts[2])) return bad();
  return FromYmd(parts[0], parts[1], parts[2]);
}

int Date::year() const { int y, m, d; CivilFromDays(days_, y, m, d); return y; }
int Date::month() const { int y, m, d; CivilFromDays(days_, y, m, d); return m; }
int Date::day() const { int y, m, d; CivilFromDays(days_, y, m, d); return d; }

int Date::IsoWeekday() const {
  // 1970-01-01 was a Thursday (4).
  int w = (days_ % 7 + 7 + 3) % 7;  // 0 = Monday
  return w + 1;
}

std::string Date::ToString() const {
  int y, m, d;
  CivilFromDays(days_, y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
  return buf;
}

}  // namespace edugov
