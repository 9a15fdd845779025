#include "datasets/internal/values.h"

#include <gtest/gtest.h>

#include "common/date.h"

namespace edugov::datasets::internal {
namespace {

TEST(ValuesTest, TrimRemovesAsciiAndIdeographicSpace) {
  EXPECT_EQ(Trim("  42\t"), "42");
  EXPECT_EQ(Trim("\xE3\x80\x80是\xE3\x80\x80"), "是");
  EXPECT_EQ(Trim("   "), "");
}

TEST(ValuesTest, Integers) {
  EXPECT_EQ(ParseInteger("42"), 42);
  EXPECT_EQ(ParseInteger("-7"), -7);
  EXPECT_EQ(ParseInteger("+3"), 3);
  EXPECT_EQ(ParseInteger("42.0"), 42);  // Excel's whole numbers
  EXPECT_EQ(ParseInteger("4.2E1"), 42);
  EXPECT_EQ(ParseInteger("4.5"), std::nullopt);
  EXPECT_EQ(ParseInteger("四十"), std::nullopt);
  EXPECT_EQ(ParseInteger("12a"), std::nullopt);
  EXPECT_EQ(ParseInteger(""), std::nullopt);
}

TEST(ValuesTest, Decimals) {
  EXPECT_EQ(ParseDecimal("3.5"), 3.5);
  EXPECT_EQ(ParseDecimal("1E-3"), 0.001);
  EXPECT_EQ(ParseDecimal("nan"), std::nullopt);
  EXPECT_EQ(ParseDecimal("inf"), std::nullopt);
  EXPECT_EQ(ParseDecimal("3,5"), std::nullopt);
}

TEST(ValuesTest, DatesInTheFormsClerksWrite) {
  const int32_t d = Date::FromYmd(2025, 9, 1).DaysSinceEpoch();
  EXPECT_EQ(ParseDateDays("2025-09-01"), d);
  EXPECT_EQ(ParseDateDays("2025/9/1"), d);
  EXPECT_EQ(ParseDateDays("2025.9.1"), d);
  EXPECT_EQ(ParseDateDays("2025-09-01 00:00:00"), d);  // the XLSX reader's date-time
  EXPECT_EQ(ParseDateDays("2025-02-29"), std::nullopt);
  EXPECT_EQ(ParseDateDays("1900-02-29"), std::nullopt);  // Lotus' phantom day
  EXPECT_EQ(ParseDateDays("2025-9/1"), std::nullopt);
  EXPECT_EQ(ParseDateDays("2025-09-01 08:00:00"), std::nullopt);
  EXPECT_EQ(ParseDateDays("45678"), std::nullopt);
  EXPECT_EQ(FormatDate(d), "2025-09-01");
  EXPECT_EQ(FormatDate(Date::FromYmd(1999, 12, 31).DaysSinceEpoch()), "1999-12-31");
  EXPECT_EQ(FormatDate(Date::FromYmd(2, 1, 9).DaysSinceEpoch()), "0002-01-09");
}

TEST(ValuesTest, Times) {
  EXPECT_EQ(ParseTimeMinutes("07:50"), 470);
  EXPECT_EQ(ParseTimeMinutes("7:50"), 470);
  EXPECT_EQ(ParseTimeMinutes("07:50:00"), 470);
  EXPECT_EQ(ParseTimeMinutes("07\xEF\xBC\x9A" "50"), 470);  // full-width colon
  EXPECT_EQ(ParseTimeMinutes("24:00"), std::nullopt);
  EXPECT_EQ(ParseTimeMinutes("07:5"), std::nullopt);
  EXPECT_EQ(ParseTimeMinutes("07:50:30"), std::nullopt);
  EXPECT_EQ(FormatTime(470), "07:50");
  EXPECT_EQ(FormatTime(23 * 60 + 59), "23:59");
  EXPECT_EQ(FormatTime(0), "00:00");
}

TEST(ValuesTest, Booleans) {
  EXPECT_EQ(ParseBoolean("是"), true);
  EXPECT_EQ(ParseBoolean("否"), false);
  EXPECT_EQ(ParseBoolean("TRUE"), true);
  EXPECT_EQ(ParseBoolean("false"), false);
  EXPECT_EQ(ParseBoolean("1"), true);
  EXPECT_EQ(ParseBoolean("0"), false);
  EXPECT_EQ(ParseBoolean("maybe"), std::nullopt);
}

}  // namespace
}  // namespace edugov::datasets::internal
