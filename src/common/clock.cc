#include "common/clock.h"

#include <cstdio>

#include "common/date.h"

namespace edugov {

namespace {

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
  }
};

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
constexpr int64_t kChinaOffsetSeconds = 8 * 3600;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

Clock& RealClock() {
  static SystemClock clock;
  return clock;
}

std::string FormatTimestamp(TimePoint t) {
  int64_t us = ToUnixMicros(t) + kChinaOffsetSeconds * kMicrosPerSecond;
  int64_t secs = FloorDiv(us, kMicrosPerSecond);
  int64_t frac = us - secs * kMicrosPerSecond;
  int64_t days = FloorDiv(secs, kSecondsPerDay);
  int64_t sod = secs - days * kSecondsPerDay;
  Date d = Date::FromDaysSinceEpoch(static_cast<int32_t>(days));
  char buf[64];
  if (frac == 0) {
    std::snprintf(buf, sizeof buf, "%s T%02d:%02d:%02d+08:00", d.ToString().c_str(),
                  static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                  static_cast<int>(sod % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%s T%02d:%02d:%02d.%06d+08:00", d.ToString().c_str(),
                  static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                  static_cast<int>(sod % 60), static_cast<int>(frac));
  }
  std::string out(buf);
  out.erase(10, 1);  // the space above keeps -Wformat-truncation quiet
  return out;
}

StatusOr<TimePoint> ParseTimestamp(std::string_view text) {
  auto bad = [&] {
    return InvalidArgumentError("invalid timestamp '" + std::string(text) +
                                    "', expected RFC 3339 such as 2025-03-03T08:00:00+08:00",
                                "时间格式无效 '" + std::string(text) +
                                    "',应为 RFC 3339 格式,如 2025-03-03T08:00:00+08:00");
  };
  if (text.size() < 20 || (text[10] != 'T' && text[10] != ' ')) return bad();
  StatusOr<Date> date = Date::Parse(text.substr(0, 10));
  if (!date.ok()) return bad();
  auto digits = [&](size_t pos, size_t n, int& out) {
    if (pos + n > text.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int hh, mm, ss;
  if (!digits(11, 2, hh) || text[13] != ':' || !digits(14, 2, mm) || text[16] != ':' ||
      !digits(17, 2, ss) || hh > 23 || mm > 59 || ss > 60) {
    return bad();
  }
  size_t pos = 19;
  int64_t frac_us = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int64_t scale = 100000;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      frac_us += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  int64_t offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
    offset = 0;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') &&
             text[pos + 3] == ':') {
    int oh, om;
    if (!digits(pos + 1, 2, oh) || !digits(pos + 4, 2, om) || oh > 23 || om > 59) return bad();
    offset = (oh * 3600 + om * 60) * (text[pos] == '-' ? -1 : 1);
  } else {
    return bad();
  }
  int64_t secs = static_cast<int64_t>(date->DaysSinceEpoch()) * kSecondsPerDay + hh * 3600 +
                 mm * 60 + ss - offset;
  return FromUnixMicros(secs * kMicrosPerSecond + frac_us);
}

}  // namespace edugov
