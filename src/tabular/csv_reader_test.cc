#include "tabular/csv_reader.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

namespace edugov::tabular {
namespace {

struct ReadResult {
  std::vector<int64_t> numbers;
  std::vector<std::vector<std::string>> rows;
};

ReadResult ReadAll(RowSource& src) {
  ReadResult out;
  Row row;
  for (;;) {
    auto more = src.Next(row);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    out.numbers.push_back(row.number);
    out.rows.emplace_back(row.cells.begin(), row.cells.end());
  }
  return out;
}

std::unique_ptr<CsvSource> Open(std::string text, CsvOptions options = {}) {
  auto src = OpenCsvBytes(std::move(text), options);
  EXPECT_TRUE(src.ok()) << src.status().ToString();
  return src.ok() ? std::move(*src) : nullptr;
}

using Cells = std::vector<std::string>;

TEST(CsvReader, QuotedFieldsWithCommasNewlinesAndQuotes) {
  auto src = Open("名称,备注\n\"一中, 本部\",\"他说\"\"好\"\"\n第二行\"\nplain,\"\"\n");
  ASSERT_TRUE(src);
  EXPECT_EQ(src->header(), (Cells{"名称", "备注"}));
  EXPECT_EQ(src->header_row_number(), 1);
  const ReadResult r = ReadAll(*src);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0], (Cells{"一中, 本部", "他说\"好\"\n第二行"}));
  EXPECT_EQ(r.rows[1], (Cells{"plain", ""}));
  EXPECT_EQ(r.numbers, (std::vector<int64_t>{2, 3}));
}

TEST(CsvReader, MixedLineEndingsAndNoTrailingNewline) {
  const ReadResult r = ReadAll(*Open("a,b\r\n1,2\n3,4\r5,6\r\n7,8"));
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1", "2"}, {"3", "4"}, {"5", "6"}, {"7", "8"}}));
  EXPECT_EQ(r.numbers, (std::vector<int64_t>{2, 3, 4, 5}));
}

TEST(CsvReader, BlankLinesAndEmptyExcelRowsAreSkippedButCounted) {
  const ReadResult r = ReadAll(*Open("a,b\n\n1,2\n,\n\r\n3,4\n\n"));
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(r.numbers, (std::vector<int64_t>{3, 6}));
}

TEST(CsvReader, TrailingDelimiterIsAnEmptyLastCell) {
  const ReadResult r = ReadAll(*Open("a,b\n1,"));
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1", ""}}));
}

TEST(CsvReader, RaggedRowsAreKeptAsTheyAre) {
  const ReadResult r = ReadAll(*Open("a,b,c\n1\n1,2,3,4\n"));
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1"}, {"1", "2", "3", "4"}}));
}

TEST(CsvReader, DetectsSemicolonAndTab) {
  auto semi = Open("a;b;\"c,d\"\n1;2;3\n");
  EXPECT_EQ(semi->delimiter(), ';');
  EXPECT_EQ(semi->header(), (Cells{"a", "b", "c,d"}));
  auto tab = Open("a\tb,c\td\n1\t2\n");
  EXPECT_EQ(tab->delimiter(), '\t');
  EXPECT_EQ(tab->header(), (Cells{"a", "b,c", "d"}));
  EXPECT_EQ(Open("only\n1\n")->delimiter(), ',');
}

TEST(CsvReader, ForcedDelimiter) {
  CsvOptions options;
  options.delimiter = ';';
  auto src = Open("a,b;c\n", options);
  EXPECT_EQ(src->header(), (Cells{"a,b", "c"}));
  options.delimiter = '|';
  EXPECT_EQ(OpenCsvBytes("a|b", options).status().field(), "delimiter");
}

TEST(CsvReader, UnterminatedQuoteNamesRowColumnAndLine) {
  auto src = Open("学校,备注\n一中,ok\n二中,\"没有结束\n下一行\n");
  Row row;
  ASSERT_TRUE(*src->Next(row));
  auto more = src->Next(row);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(more.status().field(), "row 3, column 2");
  EXPECT_EQ(more.status().message_en(),
            "CSV row 3, column 2 (备注): a quoted field is not closed (it opens on line 3)");
  EXPECT_NE(more.status().message_zh().find("CSV 第 3 行第 2 列"), std::string::npos);
  EXPECT_FALSE(*src->Next(row));  // the source stops after an error
}

TEST(CsvReader, StrayQuoteInUnquotedField) {
  auto src = Open("a,b\n1,2\"3\n");
  Row row;
  auto more = src->Next(row);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().field(), "row 2, column 2");
  EXPECT_NE(more.status().message_en().find("a quote inside an unquoted field"),
            std::string::npos);
}

TEST(CsvReader, TextAfterClosingQuote) {
  auto src = Open("a,b\n\"1\"x,2\n");
  Row row;
  auto more = src->Next(row);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().field(), "row 2, column 1");
}

TEST(CsvReader, ErrorInTheHeaderFailsOpen) {
  auto src = OpenCsvBytes("\"a,b\n");
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().field(), "row 1, column 1");
}

TEST(CsvReader, GbkFile) {
  // "学校,人数\n一中,1200\n" in GBK.
  auto src = Open("\xD1\xA7\xD0\xA3,\xC8\xCB\xCA\xFD\n\xD2\xBB\xD6\xD0,1200\n");
  ASSERT_TRUE(src);
  EXPECT_EQ(src->encoding(), Encoding::kGb18030);
  EXPECT_EQ(src->header(), (Cells{"学校", "人数"}));
  EXPECT_EQ(ReadAll(*src).rows, (std::vector<Cells>{{"一中", "1200"}}));
}

TEST(CsvReader, Utf8BomFile) {
  auto src = Open("\xEF\xBB\xBF学校,人数\r\n一中,1200\r\n");
  EXPECT_EQ(src->encoding(), Encoding::kUtf8Bom);
  EXPECT_EQ(src->header(), (Cells{"学校", "人数"}));
}

TEST(CsvReader, Utf16LeTabSeparatedAsExcelUnicodeText) {
  std::string bytes = "\xFF\xFE";
  for (char16_t c : std::u16string(u"学校\t人数\r\n一中\t1200\r\n")) {
    bytes.push_back(static_cast<char>(c & 0xFF));
    bytes.push_back(static_cast<char>(c >> 8));
  }
  auto src = Open(std::move(bytes));
  ASSERT_TRUE(src);
  EXPECT_EQ(src->encoding(), Encoding::kUtf16Le);
  EXPECT_EQ(src->delimiter(), '\t');
  EXPECT_EQ(src->header(), (Cells{"学校", "人数"}));
  EXPECT_EQ(ReadAll(*src).rows, (std::vector<Cells>{{"一中", "1200"}}));
}

TEST(CsvReader, EmptyFilesAreErrors) {
  for (std::string text : {"", "\n\n", ",,\r\n", "\xEF\xBB\xBF"}) {
    auto src = OpenCsvBytes(std::move(text));
    ASSERT_FALSE(src.ok());
    EXPECT_EQ(src.status().field(), "file");
    EXPECT_NE(src.status().message_en().find("empty"), std::string::npos);
  }
}

TEST(CsvReader, HeaderOnlyFileHasNoRows) {
  auto src = Open("a,b\n");
  EXPECT_EQ(ReadAll(*src).rows.size(), 0u);
}

TEST(CsvReader, WithoutHeaderTheFirstRowIsData) {
  CsvOptions options;
  options.has_header = false;
  auto src = Open("\"x\"\"y\",1\n2,3\n", options);
  EXPECT_TRUE(src->header().empty());
  EXPECT_EQ(src->header_row_number(), 0);
  const ReadResult r = ReadAll(*src);
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"x\"y", "1"}, {"2", "3"}}));
  EXPECT_EQ(r.numbers, (std::vector<int64_t>{1, 2}));
}

TEST(CsvReader, FileLimitsAndMissingFiles) {
  CsvOptions options;
  options.max_file_bytes = 4;
  EXPECT_EQ(OpenCsvBytes("a,b,c\n", options).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(OpenCsvFile("/nonexistent/学生.csv").status().code(), StatusCode::kNotFound);
}

// Reads every record, returning the first error.
Status ReadToEnd(std::string text, const CsvOptions& options = {}) {
  ASSIGN_OR_RETURN(std::unique_ptr<CsvSource> src, OpenCsvBytes(std::move(text), options));
  Row row;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, src->Next(row));
    if (!more) return OkStatus();
  }
}

void ExpectBound(const Status& s, const std::string& bound, const std::string& field) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message_en().find("limit " + bound), std::string::npos) << s.message_en();
  EXPECT_NE(s.message_zh().find("上限 " + bound), std::string::npos) << s.message_zh();
  EXPECT_EQ(s.field(), field);
}

TEST(CsvBombs, LongCellManyColumnsManyRows) {
  ExpectBound(ReadToEnd("a,b\n1," + std::string(32767 * 4 + 1, 'x') + "\n"), "max_cell_bytes",
              "row 2, column 2");
  ExpectBound(ReadToEnd("a,b\n1,\"" + std::string(32767 * 4 + 1, 'x') + "\"\n"), "max_cell_bytes",
              "row 2, column 2");
  ExpectBound(ReadToEnd("a\n" + std::string(1024, ',') + "\n"), "max_columns", "row 2, column 1025");
  CsvOptions options;
  options.max_rows = 3;
  ExpectBound(ReadToEnd("a\n1\n2\n3\n", options), "max_rows", "row 4, column 1");
  EXPECT_TRUE(ReadToEnd("a\n1\n2\n", options).ok());
}

TEST(CsvReader, OpensFiles) {
  const std::string path = ::testing::TempDir() + "/tabular_csv_open.csv";
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("a,b\n1,2\n", f);
  std::fclose(f);
  auto src = OpenCsvFile(path);
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(ReadAll(**src).rows, (std::vector<Cells>{{"1", "2"}}));
  std::remove(path.c_str());
}

// Not a performance assertion (CI machines vary): prints rows/s so a
// regression is visible in the log. The benchmark is bench/import.
TEST(CsvReader, MillionRowsTiming) {
  std::string text = "学号,姓名,学校,年级,班级,出生日期,分数\n";
  text.reserve(64 << 20);
  char line[128];
  for (int i = 0; i < 1000000; ++i) {
    const int n = std::snprintf(line, sizeof line,
                                "%08d,学生%d,\"第%d中学\",%d,%d,2012-%02d-%02d,%d.5\n", i, i,
                                i % 40, i % 6 + 1, i % 12 + 1, i % 12 + 1, i % 28 + 1, i % 100);
    text.append(line, static_cast<size_t>(n));
  }
  const auto start = std::chrono::steady_clock::now();
  auto src = OpenCsvBytes(std::move(text));
  ASSERT_TRUE(src.ok());
  Row row;
  int64_t rows = 0;
  size_t bytes = 0;
  while (*(*src)->Next(row)) {
    ++rows;
    bytes += row.cells[2].size();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(rows, 1000000);
  EXPECT_GT(bytes, 0u);
  std::printf("[ timing ] CSV UTF-8: %lld rows in %.3f s = %.0f rows/s\n",
              static_cast<long long>(rows), s, rows / s);
}

}  // namespace
}  // namespace edugov::tabular
