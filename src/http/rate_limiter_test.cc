#include "http/rate_limiter.h"

#include <gtest/gtest.h>

namespace edugov::http {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

FakeClock MakeClock() { return FakeClock(ParseTimestamp("2025-03-03T08:00:00+08:00").value()); }

TEST(RateLimiterTest, BurstThenRefusedWithRetryAfter) {
  FakeClock clock = MakeClock();
  RateLimiter limiter(clock, {.capacity = 10, .refill_every = minutes(6)});
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.Take("10.0.0.1").allowed) << i;
  RateLimiter::Decision d = limiter.Take("10.0.0.1");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 360);
  clock.Advance(minutes(5));
  d = limiter.Take("10.0.0.1");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 60);
  clock.Advance(minutes(1));
  EXPECT_TRUE(limiter.Take("10.0.0.1").allowed);
  EXPECT_FALSE(limiter.Take("10.0.0.1").allowed);
}

TEST(RateLimiterTest, AddressesAreIndependent) {
  FakeClock clock = MakeClock();
  RateLimiter limiter(clock, {.capacity = 2, .refill_every = seconds(1)});
  EXPECT_TRUE(limiter.Take("a").allowed);
  EXPECT_TRUE(limiter.Take("a").allowed);
  EXPECT_FALSE(limiter.Take("a").allowed);
  EXPECT_TRUE(limiter.Take("b").allowed);
}

TEST(RateLimiterTest, RefillNeverExceedsCapacity) {
  FakeClock clock = MakeClock();
  RateLimiter limiter(clock, {.capacity = 3, .refill_every = seconds(1)});
  clock.Advance(std::chrono::hours(24));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Take("a").allowed);
  EXPECT_FALSE(limiter.Take("a").allowed);
}

TEST(RateLimiterTest, ClockSteppingBackMintsNoTokens) {
  FakeClock clock = MakeClock();
  RateLimiter limiter(clock, {.capacity = 1, .refill_every = minutes(1)});
  EXPECT_TRUE(limiter.Take("a").allowed);
  clock.Advance(-std::chrono::microseconds(minutes(10)));
  EXPECT_FALSE(limiter.Take("a").allowed);
  clock.Advance(minutes(1));
  EXPECT_TRUE(limiter.Take("a").allowed);
}

TEST(RateLimiterTest, MemoryIsBoundedAndBusyBucketsSurvive) {
  FakeClock clock = MakeClock();
  RateLimiter limiter(clock, {.capacity = 2, .refill_every = minutes(1), .max_keys = 3});
  // "busy" has spent its burst; the rotating addresses each spend one token.
  EXPECT_TRUE(limiter.Take("busy").allowed);
  EXPECT_TRUE(limiter.Take("busy").allowed);
  for (int i = 0; i < 50; ++i) limiter.Take("rot" + std::to_string(i));
  EXPECT_LE(limiter.size(), 3u);
  EXPECT_FALSE(limiter.Take("busy").allowed) << "a flood of new addresses must not reset a busy bucket";
  // Buckets that have refilled completely are dropped when room is needed.
  clock.Advance(minutes(5));
  limiter.Take("new");
  EXPECT_LE(limiter.size(), 3u);
}

}  // namespace
}  // namespace edugov::http
