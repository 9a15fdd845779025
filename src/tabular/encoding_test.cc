#include "tabular/encoding.h"

#include <gtest/gtest.h>

namespace edugov::tabular {
namespace {

// "学校名称\n" then "一中\n" in GBK, as Chinese Excel saves "CSV".
const std::string kGbk = "\xD1\xA7\xD0\xA3\xC3\xFB\xB3\xC6\n\xD2\xBB\xD6\xD0\n";

TEST(DecodeToUtf8, PlainUtf8IsNotCopiedOrChanged) {
  auto text = DecodeToUtf8("学校,a\n");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->encoding(), Encoding::kUtf8);
  EXPECT_EQ(text->text(), "学校,a\n");
}

TEST(DecodeToUtf8, Utf8BomIsDetectedAndDropped) {
  auto text = DecodeToUtf8("\xEF\xBB\xBF学校\n");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->encoding(), Encoding::kUtf8Bom);
  EXPECT_EQ(text->text(), "学校\n");
}

TEST(DecodeToUtf8, GbkIsReadAsGb18030) {
  auto text = DecodeToUtf8(std::string(kGbk));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->encoding(), Encoding::kGb18030);
  EXPECT_EQ(text->text(), "学校名称\n一中\n");
}

// D1 A7 D0 A3 ("学校" in GBK) is also well-formed UTF-8 ("ѧУ"): by the
// documented rule valid UTF-8 wins, and the caller can force GBK.
TEST(DecodeToUtf8, ShortGbkThatIsValidUtf8NeedsForcing) {
  EXPECT_EQ(DecodeToUtf8("\xD1\xA7\xD0\xA3")->encoding(), Encoding::kUtf8);
  auto forced = DecodeToUtf8("\xD1\xA7\xD0\xA3", Encoding::kGb18030);
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced->text(), "学校");
}

TEST(DecodeToUtf8, Gb18030FourByteSequence) {
  // U+20000 𠀀 is 95 32 82 36 in GB18030 (not in GBK).
  auto text = DecodeToUtf8("\x95\x32\x82\x36", Encoding::kGb18030);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->text(), "\xF0\xA0\x80\x80");
}

TEST(DecodeToUtf8, Utf16LeWithBom) {
  // FF FE, then "学,a\r\n" in UTF-16LE (学 = U+5B66), as Excel's "Unicode text".
  const std::string bytes("\xFF\xFE\x66\x5B,\0a\0\r\0\n\0", 12);
  auto text = DecodeToUtf8(std::string(bytes));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->encoding(), Encoding::kUtf16Le);
  EXPECT_EQ(text->text(), "学,a\r\n");
}

TEST(DecodeToUtf8, Utf16BeWithBomAndSurrogatePair) {
  const std::string bytes("\xFE\xFF\xD8\x40\xDC\x00\0x", 8);  // U+20000, "x"
  auto text = DecodeToUtf8(std::string(bytes));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->encoding(), Encoding::kUtf16Be);
  EXPECT_EQ(text->text(), "\xF0\xA0\x80\x80x");
}

TEST(DecodeToUtf8, Utf16UnpairedSurrogateNamesOffsetAndRow) {
  const std::string bytes("\xFF\xFEx\0\n\0\x00\xD8y\0", 10);
  auto text = DecodeToUtf8(std::string(bytes));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().field(), "row 2");
  EXPECT_NE(text.status().message_en().find("byte offset 6"), std::string::npos)
      << text.status().message_en();
}

TEST(DecodeToUtf8, NeitherUtf8NorGb18030NamesOffsetAndRow) {
  auto text = DecodeToUtf8("ab\ncd\n\xFF\xFF");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(text.status().field(), "row 3");
  EXPECT_NE(text.status().message_en().find("byte offset 6"), std::string::npos)
      << text.status().message_en();
  EXPECT_NE(text.status().message_zh().find("第 3 行"), std::string::npos);
}

// A UTF-8 file with one broken byte must not be read as GB18030 mojibake.
TEST(DecodeToUtf8, DamagedUtf8IsReportedNotMisread) {
  std::string bytes;
  for (int i = 0; i < 10; ++i) bytes += "学校名称,一中\n";
  const size_t offset = bytes.size();
  bytes += "\xE5\xAD";  // truncated in the middle of 学
  auto text = DecodeToUtf8(std::move(bytes));
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message_en().find("UTF-8"), std::string::npos);
  EXPECT_NE(text.status().message_en().find("byte offset " + std::to_string(offset)),
            std::string::npos)
      << text.status().message_en();
  EXPECT_EQ(text.status().field(), "row 11");
}

TEST(DecodeToUtf8, ForcedUtf8RejectsGbk) {
  auto text = DecodeToUtf8(std::string(kGbk), Encoding::kUtf8);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().field(), "row 1");
}

TEST(DecodeToUtf8, BomContradictingForcedEncodingIsAnError) {
  auto text = DecodeToUtf8("\xFF\xFEx\0", Encoding::kGb18030);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().field(), "encoding");
}

TEST(DecodeToUtf8, BinaryFilesAreRefused) {
  auto xlsx = DecodeToUtf8(std::string("PK\x03\x04\x14\0\0\0", 8));
  ASSERT_FALSE(xlsx.ok());
  EXPECT_NE(xlsx.status().message_en().find("Excel workbook"), std::string::npos);
  auto utf16 = DecodeToUtf8(std::string("a\0b\0", 4));
  ASSERT_FALSE(utf16.ok());
  EXPECT_NE(utf16.status().message_en().find("NUL"), std::string::npos);
}

TEST(DetectEncoding, ReportsWithoutConverting) {
  EXPECT_EQ(*DetectEncoding("abc"), Encoding::kUtf8);
  EXPECT_EQ(*DetectEncoding(kGbk), Encoding::kGb18030);
  EXPECT_EQ(*DetectEncoding(std::string("\xFE\xFF\0a", 4)), Encoding::kUtf16Be);
}

TEST(ParseEncodingName, AcceptsAliases) {
  EXPECT_EQ(ParseEncodingName("GBK"), Encoding::kGb18030);
  EXPECT_EQ(ParseEncodingName("utf-8"), Encoding::kUtf8);
  EXPECT_EQ(ParseEncodingName("UTF-16LE"), Encoding::kUtf16Le);
  EXPECT_EQ(ParseEncodingName("latin1"), std::nullopt);
}

TEST(IsValidUtf8, RejectsOverlongsAndSurrogates) {
  EXPECT_TRUE(IsValidUtf8("学校 abc"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));
}

}  // namespace
}  // namespace edugov::tabular
