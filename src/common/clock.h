// The one way edugov code learns the time, after Envoy's TimeSource: the real
// clock in production, a FakeClock in tests (which never read the real clock).
//
//   FakeClock clock(ParseTimestamp("2025-03-03T08:00:00+08:00").value());
//   clock.Advance(std::chrono::minutes(31));
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace edugov {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  // Thread-safe.
  virtual TimePoint Now() const = 0;
};

// The system clock. The returned reference lives forever.
Clock& RealClock();

// A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_us_(start.time_since_epoch().count()) {}
  TimePoint Now() const override {
    return TimePoint(std::chrono::microseconds(now_us_.load()));
  }
  void Set(TimePoint t) { now_us_ = t.time_since_epoch().count(); }
  void Advance(std::chrono::microseconds d) { now_us_ += d.count(); }

 private:
  std::atomic<int64_t> now_us_;
};

// Microseconds since the Unix epoch, the unit timestamps are stored in.
inline int64_t ToUnixMicros(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMicros(int64_t us) { return TimePoint(std::chrono::microseconds(us)); }

// RFC 3339 in China Standard Time, which has had no daylight saving since
// 1991: "2025-03-03T08:00:00+08:00" (microseconds shown only when non-zero).
std::string FormatTimestamp(TimePoint t);
// Accepts RFC 3339 with "Z" or a numeric offset; fractional seconds allowed.
StatusOr<TimePoint> ParseTimestamp(std::string_view text);

}  // namespace edugov
