#include "tabular/xlsx_writer.h"

#include <gtest/gtest.h>

#include "tabular/xlsx_reader.h"

namespace edugov::tabular {
namespace {

std::vector<std::vector<std::string>> ReadBack(std::string bytes, const std::string& sheet = "") {
  XlsxOptions o;
  o.sheet = sheet;
  auto src = OpenXlsxBytes(std::move(bytes), o);
  EXPECT_TRUE(src.ok()) << src.status().ToString();
  std::vector<std::vector<std::string>> out;
  if (!src.ok()) return out;
  out.push_back((*src)->header());
  Row row;
  for (;;) {
    auto more = (*src)->Next(row);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    out.emplace_back(row.cells.begin(), row.cells.end());
  }
  return out;
}

TEST(XlsxWriterTest, ATemplateWithNotesAndDropdownsReadsBack) {
  auto book = XlsxWriter::Create();
  ASSERT_TRUE(book.ok());
  ASSERT_TRUE((*book)
                  ->AddSheet("检查记录（收费、食堂）导入模板超过三十一个字符的名称会被截断",
                             {{.header = "检查日期", .comment = "日期，必填", .number_format = "yyyy-mm-dd"},
                              {.header = "检查类别", .comment = "必填", .choices = {"收费", "食堂"}},
                              {.header = "人数"}})
                  .ok());
  ASSERT_TRUE((*book)->AddRow({std::string("2025-09-01"), std::string("食堂"), 12.0}).ok());
  ASSERT_TRUE((*book)->AddRow({std::monostate{}, std::string("收费")}).ok());
  EXPECT_EQ((*book)->rows(), 2);
  ASSERT_TRUE((*book)->AddTextSheet("填写说明", {{"列", "说明"}, {"检查日期", "YYYY-MM-DD"}}).ok());
  auto bytes = (*book)->Finish();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto rows = ReadBack(*bytes);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"检查日期", "检查类别", "人数"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2025-09-01", "食堂", "12"}));
  EXPECT_EQ(rows[2][1], "收费");
  auto notes = ReadBack(*bytes, "填写说明");
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[1][1], "YYYY-MM-DD");
  auto choices = ReadBack(*bytes, "选项");
  ASSERT_GE(choices.size(), 2u);
  EXPECT_EQ(choices[0][0], "收费");
}

TEST(XlsxWriterTest, StreamingWritesManyRowsInOrder) {
  auto book = XlsxWriter::Create({.streaming = true});
  ASSERT_TRUE(book.ok());
  ASSERT_TRUE((*book)->AddSheet("清单", {{.header = "编号"}, {.header = "名称"}}).ok());
  for (int i = 0; i < 20000; ++i) {
    ASSERT_TRUE((*book)->AddRow({static_cast<double>(i), "第" + std::to_string(i) + "行"}).ok());
  }
  auto bytes = (*book)->Finish();
  ASSERT_TRUE(bytes.ok());
  auto rows = ReadBack(*bytes);
  ASSERT_EQ(rows.size(), 20001u);
  EXPECT_EQ(rows[20000][1], "第19999行");
}

}  // namespace
}  // namespace edugov::tabular
