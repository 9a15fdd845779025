#include "common/date.h"

#include <gtest/gtest.h>

namespace edugov {
namespace {

TEST(DateTest, ParsesAndFormats) {
  Date d = *Date::Parse("2025-12-31");
  EXPECT_EQ(d.year(), 2025);
  EXPECT_EQ(d.month(), 12);
  EXPECT_EQ(d.day(), 31);
  EXPECT_EQ(d.ToString(), "2025-12-31");
  EXPECT_EQ(d.AddDays(1).ToString(), "2026-01-01");
}

TEST(DateTest, LeapYears) {
  EXPECT_TRUE(Date::Parse("2024-02-29").ok());
  EXPECT_FALSE(Date::Parse("2025-02-29").ok());
  EXPECT_FALSE(Date::Parse("1900-02-29").ok());
  EXPECT_TRUE(Date::Parse("2000-02-29").ok());
}

TEST(DateTest, RejectsMalformed) {
  for (const char* text : {"", "2025-1-01", "2025/01/01", "2025-13-01", "2025-00-10", "abcd-ef-gh"}) {
    Status s = Date::Parse(text).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(s.message_en().find(text), std::string::npos);
  }
}

TEST(DateTest, Weekday) {
  EXPECT_EQ(Date::FromYmd(2025, 3, 3).IsoWeekday(), 1);   // Monday
  EXPECT_EQ(Date::FromYmd(2025, 10, 1).IsoWeekday(), 3);  // Wednesday
  EXPECT_EQ(Date::FromYmd(1970, 1, 1).IsoWeekday(), 4);
}

TEST(DateTest, OrdersByDay) {
  EXPECT_LT(*Date::Parse("2025-01-31"), *Date::Parse("2025-02-01"));
}

}  // namespace
}  // namespace edugov
