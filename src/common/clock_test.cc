#include "common/clock.h"

#include <gtest/gtest.h>

#include "common/random.h"

namespace edugov {
namespace {

TEST(ClockTest, FormatsInChinaStandardTime) {
  TimePoint t = FromUnixMicros(0);
  EXPECT_EQ(FormatTimestamp(t), "1970-01-01T08:00:00+08:00");
  EXPECT_EQ(FormatTimestamp(FromUnixMicros(1'500'000)), "1970-01-01T08:00:01.500000+08:00");
}

TEST(ClockTest, ParseRoundTrips) {
  for (const char* text : {"2025-03-03T08:00:00+08:00", "2024-02-29T23:59:59+08:00",
                           "2025-12-31T00:00:00.250000+08:00"}) {
    StatusOr<TimePoint> t = ParseTimestamp(text);
    ASSERT_TRUE(t.ok()) << text;
    EXPECT_EQ(FormatTimestamp(*t), text);
  }
  EXPECT_EQ(*ParseTimestamp("2025-03-03T00:00:00Z"), *ParseTimestamp("2025-03-03T08:00:00+08:00"));
}

TEST(ClockTest, ParseRejectsGarbage) {
  for (const char* text : {"", "2025-03-03", "2025-02-30T00:00:00Z", "2025-03-03T25:00:00Z",
                           "2025-03-03T08:00:00", "2025-03-03T08:00:00+0800"}) {
    EXPECT_EQ(ParseTimestamp(text).status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(*ParseTimestamp("2025-03-03T08:00:00+08:00"));
  TimePoint a = clock.Now();
  EXPECT_EQ(clock.Now(), a);
  clock.Advance(std::chrono::minutes(30));
  EXPECT_EQ(FormatTimestamp(clock.Now()), "2025-03-03T08:30:00+08:00");
}

TEST(RandomTest, SeededIsDeterministic) {
  SeededRandom a(42), b(42), c(43);
  std::string x = a.Hex(16), y = b.Hex(16), z = c.Hex(16);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  EXPECT_EQ(x.size(), 32u);
}

TEST(RandomTest, SplitMixBounds) {
  SplitMix64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    int64_t v = rng.Between(3, 5);
    EXPECT_GE(v, 3);
    EXPECT_LE(v, 5);
  }
}

}  // namespace
}  // namespace edugov
