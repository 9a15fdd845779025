#include "registry/internal/csv.h"

#include <gtest/gtest.h>

namespace edugov::registry::internal {
namespace {

std::vector<std::vector<std::string>> Fields(std::string_view text) {
  auto recs = ParseCsv(text);
  EXPECT_TRUE(recs.ok()) << recs.status().ToString();
  std::vector<std::vector<std::string>> out;
  if (recs.ok()) for (auto& r : *recs) out.push_back(r.fields);
  return out;
}

TEST(CsvTest, QuotedFieldsWithCommasQuotesAndNewlines) {
  auto f = Fields("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[1], (std::vector<std::string>{"x, y", "say \"hi\"", "two\nlines"}));
}

TEST(CsvTest, BomIsStrippedAndBlankLinesSkipped) {
  auto f = Fields("\xEF\xBB\xBF学校代码,人数\n\n430923001,42");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0][0], "学校代码");
  EXPECT_EQ(f[1], (std::vector<std::string>{"430923001", "42"}));
}

TEST(CsvTest, RowNumbersCountRecordsNotLines) {
  auto recs = ParseCsv("h\n\"a\nb\"\nc\n");
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 3u);
  EXPECT_EQ((*recs)[2].row, 3);
}

TEST(CsvTest, TrailingEmptyFieldIsKept) {
  auto f = Fields("a,b,\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].size(), 3u);
}

TEST(CsvTest, MalformedQuotingIsAnError) {
  EXPECT_EQ(ParseCsv("a\n\"open").status().field().rfind("row 2", 0), 0u);
  EXPECT_FALSE(ParseCsv("a\"b\n").ok());
  EXPECT_FALSE(ParseCsv("\"a\"b\n").ok());
}

TEST(CsvTest, GbkIsDecoded) {
  // "学校代码,人数" in GBK, as Chinese Excel saves "CSV (逗号分隔)".
  auto f = Fields("\xD1\xA7\xD0\xA3\xB4\xFA\xC2\xEB,\xC8\xCB\xCA\xFD\n1,2\n");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0], (std::vector<std::string>{"学校代码", "人数"}));
}

}  // namespace
}  // namespace edugov::registry::internal
