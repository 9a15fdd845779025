#include "tabular/xlsx_reader.h"

#include <gtest/gtest.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace edugov::tabular {
namespace {

using Cells = std::vector<std::string>;

std::string TempPath(const std::string& name) { return ::testing::TempDir() + "/" + name; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A zip of the given parts, built by hand for what libxlsxwriter cannot
// write (1904 dates, rich text, cells without references) and broken files.
std::string MakeZip(const std::map<std::string, std::string>& parts) {
  const std::string path = TempPath("tabular_handmade.zip");
  std::remove(path.c_str());
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  EXPECT_NE(z, nullptr);
  for (const auto& [name, data] : parts) {
    zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
    EXPECT_GE(zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8), 0);
  }
  EXPECT_EQ(zip_close(z), 0);
  std::string bytes = ReadFile(path);
  std::remove(path.c_str());
  return bytes;
}

const char* kRels =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="/xl/styles.xml"/>
</Relationships>)";

std::string Workbook(bool date1904) {
  return std::string(R"(<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)") +
         (date1904 ? R"(<workbookPr date1904="1"/>)" : "") +
         R"(<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>)";
}

// Style 1: built-in date format 14; style 2: custom "yyyy年m月d日 hh:mm".
const char* kStyles = R"(<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot; hh:mm"/></numFmts>
<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs>
</styleSheet>)";

const char* kShared = R"(<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">
<si><t>学校</t></si>
<si><r><rPr><b/></rPr><t>富</t></r><r><t xml:space="preserve">文本 </t></r><rPh><t>ふ</t></rPh></si>
<si><t>a_x000D_b</t></si>
</sst>)";

std::string Sheet(const std::string& rows, const std::string& tail = "") {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" +
         rows + "</sheetData>" + tail + "</worksheet>";
}

std::string HandmadeXlsx(const std::string& sheet, bool date1904 = false) {
  return MakeZip({{"xl/workbook.xml", Workbook(date1904)},
                  {"xl/_rels/workbook.xml.rels", kRels},
                  {"xl/styles.xml", kStyles},
                  {"xl/sharedStrings.xml", kShared},
                  {"xl/worksheets/sheet1.xml", sheet}});
}

struct Read {
  std::vector<int64_t> numbers;
  std::vector<Cells> rows;
};

Read ReadAll(RowSource& src) {
  Read out;
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

// ---- workbooks written by libxlsxwriter, as Excel would ---------------------

std::string WriteSchoolWorkbook() {
  const std::string path = TempPath("tabular_school.xlsx");
  lxw_workbook* wb = workbook_new(path.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "学生");
  workbook_add_worksheet(wb, "其他");
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd");
  lxw_format* datetime = workbook_add_format(wb);
  format_set_num_format(datetime, "yyyy/m/d h:mm:ss");
  lxw_format* builtin = workbook_add_format(wb);
  format_set_num_format_index(builtin, 14);
  lxw_format* money = workbook_add_format(wb);
  format_set_num_format(money, "#,##0.00 \"元\"");

  const char* header[] = {"姓名", "学校", "出生日期", "入学时间", "学费", "合计", "在读"};
  for (int c = 0; c < 7; ++c) worksheet_write_string(ws, 0, c, header[c], nullptr);
  // Row 2: every kind of cell.
  worksheet_write_string(ws, 1, 0, "张三", nullptr);
  worksheet_write_string(ws, 1, 1, "第一中学", nullptr);
  lxw_datetime born = {2012, 9, 1, 0, 0, 0};
  worksheet_write_datetime(ws, 1, 2, &born, date);
  lxw_datetime enrolled = {2024, 9, 1, 7, 30, 15};
  worksheet_write_datetime(ws, 1, 3, &enrolled, datetime);
  worksheet_write_number(ws, 1, 4, 1200.5, money);
  worksheet_write_formula_num(ws, 1, 5, "=E2*2", nullptr, 2401);
  worksheet_write_boolean(ws, 1, 6, 1, nullptr);
  // Row 3: empty cells in the middle (B, D) and at the end.
  worksheet_write_string(ws, 2, 0, "李四", nullptr);
  worksheet_write_number(ws, 2, 2, 59, builtin);  // 1900-02-28
  worksheet_write_number(ws, 2, 4, 0, nullptr);
  // Row 4 left blank; row 5: the Lotus leap-year boundary.
  worksheet_write_string(ws, 4, 0, "王五", nullptr);
  worksheet_write_number(ws, 4, 2, 61, builtin);  // 1900-03-01
  // Rows 6–7: a merged school name over B6:B7 and A8:C8.
  worksheet_write_string(ws, 5, 0, "赵六", nullptr);
  worksheet_merge_range(ws, 5, 1, 6, 1, "第二中学", nullptr);
  worksheet_write_string(ws, 6, 0, "钱七", nullptr);
  worksheet_merge_range(ws, 7, 0, 7, 2, "备注：转学", nullptr);
  EXPECT_EQ(workbook_close(wb), LXW_NO_ERROR);
  return path;
}

TEST(XlsxReader, ReadsAnExcelWorkbook) {
  const std::string path = WriteSchoolWorkbook();
  auto src = OpenXlsxFile(path);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  XlsxSource& x = **src;
  EXPECT_EQ(x.sheet_name(), "学生");
  EXPECT_EQ(x.sheet_names(), (Cells{"学生", "其他"}));
  EXPECT_FALSE(x.date1904());
  EXPECT_EQ(x.header(), (Cells{"姓名", "学校", "出生日期", "入学时间", "学费", "合计", "在读"}));
  EXPECT_EQ(x.header_row_number(), 1);

  Row row;
  ASSERT_TRUE(*x.Next(row));
  EXPECT_EQ(row.number, 2);
  EXPECT_EQ(Cells(row.cells.begin(), row.cells.end()),
            (Cells{"张三", "第一中学", "2012-09-01", "2024-09-01 07:30:15", "1200.5", "2401",
                   "TRUE"}));
  EXPECT_EQ(x.cell_type(0), CellType::kString);
  EXPECT_EQ(x.cell_type(2), CellType::kDate);
  EXPECT_EQ(x.cell_type(4), CellType::kNumber);  // a currency format is no date
  EXPECT_EQ(x.cell_type(6), CellType::kBool);
  EXPECT_TRUE(x.cell_is_formula(5));
  EXPECT_FALSE(x.cell_is_formula(4));
  EXPECT_EQ(x.cell_type(99), CellType::kEmpty);

  ASSERT_TRUE(*x.Next(row));
  EXPECT_EQ(row.number, 3);
  EXPECT_EQ(Cells(row.cells.begin(), row.cells.end()),
            (Cells{"李四", "", "1900-02-28", "", "0"}));
  EXPECT_EQ(x.cell_type(1), CellType::kEmpty);

  ASSERT_TRUE(*x.Next(row));
  EXPECT_EQ(row.number, 5);  // row 4 is blank
  EXPECT_EQ(row.cell(2), "1900-03-01");

  ASSERT_TRUE(*x.Next(row));
  EXPECT_EQ(row.number, 6);
  EXPECT_EQ(row.cell(1), "第二中学");
  ASSERT_TRUE(*x.Next(row));
  EXPECT_EQ(row.number, 7);
  EXPECT_EQ(row.cell(1), "");  // kTopLeftOnly: as Excel stores it
  ASSERT_TRUE(*x.Next(row));
  EXPECT_EQ(row.number, 8);
  EXPECT_FALSE(*x.Next(row));
  EXPECT_FALSE(*x.Next(row));
  EXPECT_EQ(x.merged_ranges(),
            (std::vector<CellRange>{{.first_row = 6, .last_row = 7, .first_column = 1, .last_column = 1},
                                    {.first_row = 8, .last_row = 8, .first_column = 0, .last_column = 2}}));
  EXPECT_EQ(x.merged_ranges()[1].ToString(), "A8:C8");
  std::remove(path.c_str());
}

TEST(XlsxReader, MergedCellsFilled) {
  const std::string path = WriteSchoolWorkbook();
  XlsxOptions options;
  options.merged = MergedCellPolicy::kFill;
  auto src = OpenXlsxFile(path, options);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  const Read r = ReadAll(**src);
  ASSERT_EQ(r.rows.size(), 6u);
  EXPECT_EQ(r.rows[3][1], "第二中学");
  EXPECT_EQ(r.rows[4][1], "第二中学");
  EXPECT_EQ(r.rows[5], (Cells{"备注：转学", "备注：转学", "备注：转学"}));
  std::remove(path.c_str());
}

TEST(XlsxReader, MergedCellsRejected) {
  const std::string path = WriteSchoolWorkbook();
  XlsxOptions options;
  options.merged = MergedCellPolicy::kReject;
  auto src = OpenXlsxFile(path, options);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(src.status().field(), "B6:B7");
  EXPECT_EQ(src.status().message_en(),
            "the sheet \"学生\" has merged cells (B6:B7 and 1 more); unmerge them in Excel and "
            "fill in every cell");
  std::remove(path.c_str());
}

// Vertical merges whose lower rows hold nothing else are absent from the
// XML; kFill must still produce them.
TEST(XlsxReader, MergedFillProducesRowsMissingFromTheXml) {
  auto src = OpenXlsxBytes(
      HandmadeXlsx(Sheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>
<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>5</v></c></row>)",
                         R"(<mergeCells count="1"><mergeCell ref="A2:A4"/></mergeCells>)")),
      {.merged = MergedCellPolicy::kFill});
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  const Read r = ReadAll(**src);
  EXPECT_EQ(r.numbers, (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"学校", "5"}, {"学校"}, {"学校"}}));
}

TEST(XlsxReader, NamedSheetAndMissingSheet) {
  const std::string path = WriteSchoolWorkbook();
  XlsxOptions options;
  options.sheet = "其他";
  auto other = OpenXlsxFile(path, options);
  ASSERT_FALSE(other.ok());  // the sheet exists but is empty
  EXPECT_NE(other.status().message_en().find("\"其他\" is empty"), std::string::npos);
  options.sheet = "教师";
  auto missing = OpenXlsxFile(path, options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message_en(),
            "the workbook has no sheet named \"教师\"; its sheets are \"学生\", \"其他\"");
  std::remove(path.c_str());
}

// ---- hand-made parts --------------------------------------------------------

TEST(XlsxReader, RichTextInlineStringsErrorsAndCellsWithoutReferences) {
  auto src = OpenXlsxBytes(HandmadeXlsx(Sheet(
      R"(<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>
<row r="3"><c r="C3" t="inlineStr"><is><r><t>内</t></r><r><t>联</t></r></is></c><c t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="F3" t="str"><f>A1</f><v>学校</v></c><c r="G3" t="b"><v>0</v></c></row>)")));
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->header(), (Cells{"学校", "富文本 ", "a\rb"}));
  Row row;
  ASSERT_TRUE(*(*src)->Next(row));
  EXPECT_EQ(row.number, 3);
  EXPECT_EQ(Cells(row.cells.begin(), row.cells.end()),
            (Cells{"", "", "内联", "#DIV/0!", "", "学校", "FALSE"}));
  EXPECT_EQ((*src)->cell_type(3), CellType::kError);
  EXPECT_TRUE((*src)->cell_is_formula(3));
  EXPECT_TRUE((*src)->cell_is_formula(5));
  EXPECT_EQ((*src)->cell_type(5), CellType::kString);
}

TEST(XlsxReader, Dates1904AndCustomChineseFormats) {
  auto src = OpenXlsxBytes(HandmadeXlsx(
      Sheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>
<row r="2"><c r="A2" s="1"><v>0</v></c><c r="B2" s="1"><v>43101</v></c><c r="C2" s="2"><v>43101.5</v></c></row>)"),
      /*date1904=*/true));
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_TRUE((*src)->date1904());
  const Read r = ReadAll(**src);
  ASSERT_EQ(r.rows.size(), 1u);
  // 1904 system: serial 0 is 1904-01-01; 43101 is 2022-01-02 (1462 days on).
  EXPECT_EQ(r.rows[0], (Cells{"1904-01-01", "2022-01-02", "2022-01-02 12:00:00"}));
}

TEST(XlsxReader, BadSharedStringIndexNamesTheCell) {
  auto src = OpenXlsxBytes(HandmadeXlsx(Sheet(
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="B2" t="s"><v>7</v></c></row>)")));
  ASSERT_TRUE(src.ok());
  Row row;
  auto more = (*src)->Next(row);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().field(), "row 2, column 2");
  EXPECT_EQ(more.status().message_en(),
            "cell B2: refers to shared string 7, but the file has 3");
}

TEST(XlsxReader, BadCellReference) {
  auto src = OpenXlsxBytes(HandmadeXlsx(Sheet(
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="B9" t="s"><v>0</v></c></row>)")));
  ASSERT_TRUE(src.ok());
  Row row;
  auto more = (*src)->Next(row);
  ASSERT_FALSE(more.ok());
  EXPECT_NE(more.status().message_en().find("\"B9\" is not valid"), std::string::npos);
}

TEST(XlsxReader, NotAZip) {
  auto src = OpenXlsxBytes("姓名,学校\n张三,一中\n");
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(src.status().message_en().find("not a zip archive"), std::string::npos);
  EXPECT_NE(src.status().message_zh().find("不是 zip"), std::string::npos);
}

TEST(XlsxReader, TruncatedZip) {
  std::string bytes = HandmadeXlsx(Sheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)"));
  bytes.resize(bytes.size() / 2);
  auto src = OpenXlsxBytes(std::move(bytes));
  ASSERT_FALSE(src.ok());
  EXPECT_NE(src.status().message_en().find("damaged or truncated"), std::string::npos)
      << src.status().message_en();
}

TEST(XlsxReader, ZipWithoutWorkbook) {
  auto src = OpenXlsxBytes(MakeZip({{"hello.txt", "hi"}}));
  ASSERT_FALSE(src.ok());
  EXPECT_NE(src.status().message_en().find("no xl/workbook.xml"), std::string::npos);
}

TEST(XlsxReader, MissingSheetPart) {
  auto src = OpenXlsxBytes(MakeZip(
      {{"xl/workbook.xml", Workbook(false)}, {"xl/_rels/workbook.xml.rels", kRels}}));
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), StatusCode::kNotFound);
  EXPECT_NE(src.status().message_en().find("xl/worksheets/sheet1.xml"), std::string::npos);
}

TEST(XlsxReader, MalformedXml) {
  auto src = OpenXlsxBytes(HandmadeXlsx("<worksheet><sheetData><row>"));
  ASSERT_FALSE(src.ok());
  EXPECT_NE(src.status().message_en().find("malformed XML"), std::string::npos);
}

TEST(XlsxReader, EncryptedOrLegacyXls) {
  auto src = OpenXlsxBytes(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0", 12));
  ASSERT_FALSE(src.ok());
  EXPECT_NE(src.status().message_en().find("password-protected"), std::string::npos);
}

TEST(XlsxReader, PartLimit) {
  XlsxOptions options;
  options.max_part_bytes = 100;
  auto src = OpenXlsxBytes(HandmadeXlsx(Sheet(std::string(200, ' '))), options);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), StatusCode::kResourceExhausted);
}

// ---- resource bombs: every bound fails cleanly, naming itself ---------------

// Reads every row of a workbook, returning the first error.
Status ReadToEnd(StatusOr<std::unique_ptr<XlsxSource>> src) {
  if (!src.ok()) return src.status();
  Row row;
  for (;;) {
    StatusOr<bool> more = (*src)->Next(row);
    if (!more.ok()) return more.status();
    if (!*more) return OkStatus();
  }
}

void ExpectBound(const Status& s, const std::string& bound) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message_en().find("limit " + bound), std::string::npos) << s.message_en();
  EXPECT_NE(s.message_zh().find("上限 " + bound), std::string::npos) << s.message_zh();
}

TEST(XlsxBombs, HighlyCompressibleSheetIsRefusedBeforeItIsInflated) {
  // 64 MiB of one repeated row deflates to tens of KB.
  std::string rows;
  const std::string one = R"(<row><c t="inlineStr"><is><t>x</t></is></c></row>)";
  rows.reserve((64u << 20) + one.size());
  while (rows.size() < (64u << 20)) rows += one;
  const std::string bytes = HandmadeXlsx(Sheet(rows));
  EXPECT_LT(bytes.size(), 512u * 1024);
  ExpectBound(OpenXlsxBytes(std::string(bytes)).status(), "max_ratio");
}

TEST(XlsxBombs, ManyZipMembers) {
  std::map<std::string, std::string> parts = {{"xl/workbook.xml", Workbook(false)},
                                              {"xl/_rels/workbook.xml.rels", kRels},
                                              {"xl/worksheets/sheet1.xml", Sheet("")}};
  for (int i = 0; i < 10001; ++i) parts["junk/" + std::to_string(i)] = "";
  ExpectBound(OpenXlsxBytes(MakeZip(parts)).status(), "max_entries");
}

TEST(XlsxBombs, TotalUnzippedAndPartSize) {
  XlsxOptions options;
  options.max_unzipped_bytes = 2000;
  ExpectBound(OpenXlsxBytes(HandmadeXlsx(Sheet(std::string(1500, ' '))), options).status(),
              "max_unzipped_bytes");
  options = {};
  options.max_part_bytes = 100;
  ExpectBound(OpenXlsxBytes(HandmadeXlsx(Sheet(std::string(200, ' '))), options).status(),
              "max_part_bytes");
}

TEST(XlsxBombs, LongCellsInlineAndShared) {
  const std::string long_text(32767 * 4 + 1, 'a');
  ExpectBound(ReadToEnd(OpenXlsxBytes(HandmadeXlsx(Sheet(
                  R"(<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row>)"
                  R"(<row r="2"><c r="A2" t="inlineStr"><is><t>)" + long_text +
                  "</t></is></c></row>")))),
              "max_cell_bytes");
  const std::string shared =
      R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>)" + long_text +
      "</t></si></sst>";
  ExpectBound(OpenXlsxBytes(MakeZip({{"xl/workbook.xml", Workbook(false)},
                                     {"xl/_rels/workbook.xml.rels", kRels},
                                     {"xl/sharedStrings.xml", shared},
                                     {"xl/worksheets/sheet1.xml", Sheet("")}}))
                  .status(),
              "max_cell_bytes");
}

TEST(XlsxBombs, RowsColumnsSharedStringsMergedRanges) {
  ExpectBound(ReadToEnd(OpenXlsxBytes(HandmadeXlsx(Sheet(
                  R"(<row r="1"><c r="A1"><v>1</v></c><c r="AMK1"><v>1</v></c></row>)")))),
              "max_columns");  // AMK = column 1025
  XlsxOptions options;
  options.max_rows = 3;
  ExpectBound(ReadToEnd(OpenXlsxBytes(
                  HandmadeXlsx(Sheet(R"(<row r="1"><c r="A1"><v>1</v></c></row>)"
                                     R"(<row r="4"><c r="A4"><v>1</v></c></row>)")),
                  options)),
              "max_rows");
  options = {};
  options.max_shared_strings = 2;  // kShared has 3
  ExpectBound(OpenXlsxBytes(HandmadeXlsx(Sheet(R"(<row r="1"><c r="A1"><v>1</v></c></row>)")),
                            options)
                  .status(),
              "max_shared_strings");
  options = {};
  options.max_merged_ranges = 1;
  ExpectBound(OpenXlsxBytes(HandmadeXlsx(Sheet(R"(<row r="1"><c r="A1"><v>1</v></c></row>)",
                                               R"(<mergeCells><mergeCell ref="A1:B1"/>)"
                                               R"(<mergeCell ref="A2:B2"/></mergeCells>)")),
                            options)
                  .status(),
              "max_merged_ranges");
  // A filled merge over the whole grid would make cells the file never had.
  options = {};
  options.merged = MergedCellPolicy::kFill;
  ExpectBound(OpenXlsxBytes(HandmadeXlsx(Sheet(R"(<row r="1"><c r="A1"><v>1</v></c></row>)",
                                               R"(<mergeCells><mergeCell ref="A1:XFD1048576"/></mergeCells>)")),
                            options)
                  .status(),
              "max_rows × max_columns");
}

// ---- dates ------------------------------------------------------------------

TEST(ExcelSerialToText, LotusLeapYearBugBoundary) {
  EXPECT_EQ(ExcelSerialToText(1, false), "1900-01-01");
  EXPECT_EQ(ExcelSerialToText(59, false), "1900-02-28");
  EXPECT_EQ(ExcelSerialToText(60, false), "1900-02-29");  // Excel's phantom day
  EXPECT_EQ(ExcelSerialToText(61, false), "1900-03-01");
  EXPECT_EQ(ExcelSerialToText(45658, false), "2025-01-01");
  EXPECT_EQ(ExcelSerialToText(0, false), std::nullopt);
  EXPECT_EQ(ExcelSerialToText(-1, false), std::nullopt);
  EXPECT_EQ(ExcelSerialToText(2958465, false), "9999-12-31");
  EXPECT_EQ(ExcelSerialToText(2958466, false), std::nullopt);
}

TEST(ExcelSerialToText, System1904) {
  EXPECT_EQ(ExcelSerialToText(0, true), "1904-01-01");
  EXPECT_EQ(ExcelSerialToText(44196, true), "2025-01-01");
}

TEST(ExcelSerialToText, TimesRoundToTheSecond) {
  EXPECT_EQ(ExcelSerialToText(45658.75, false), "2025-01-01 18:00:00");
  EXPECT_EQ(ExcelSerialToText(45658, false, DateStyle::kDateTime), "2025-01-01 00:00:00");
  EXPECT_EQ(ExcelSerialToText(0.5 + 0.4 / 86400, false, DateStyle::kTime), "12:00:00");
  // Rounding up to a whole day leaves the time-of-day range: shown with its date.
  EXPECT_EQ(ExcelSerialToText(0.99999999, false, DateStyle::kTime), "1900-01-01 00:00:00");
}

TEST(DateStyleOfFormat, Classifies) {
  EXPECT_EQ(DateStyleOfFormat("yyyy-mm-dd"), DateStyle::kDate);
  EXPECT_EQ(DateStyleOfFormat("yyyy\"年\"m\"月\"d\"日\""), DateStyle::kDate);
  EXPECT_EQ(DateStyleOfFormat("[$-804]mmm-yy;@"), DateStyle::kDate);
  EXPECT_EQ(DateStyleOfFormat("yyyy/m/d h:mm"), DateStyle::kDateTime);
  EXPECT_EQ(DateStyleOfFormat("h:mm:ss"), DateStyle::kTime);
  EXPECT_EQ(DateStyleOfFormat("[h]:mm"), DateStyle::kTime);
  EXPECT_EQ(DateStyleOfFormat("mm:ss"), DateStyle::kTime);
  EXPECT_EQ(DateStyleOfFormat("General"), std::nullopt);
  EXPECT_EQ(DateStyleOfFormat("#,##0.00 \"元\""), std::nullopt);
  EXPECT_EQ(DateStyleOfFormat("[Red]0.00;[Blue]-0.00"), std::nullopt);
  EXPECT_EQ(DateStyleOfFormat("0.00E+00"), std::nullopt);
  EXPECT_EQ(DateStyleOfFormat("\\d0"), std::nullopt);
}

// Not asserted: prints rows/s. libxlsxwriter's constant-memory mode writes
// inline strings, so the shared-string path is covered by the tests above.
TEST(XlsxReader, HundredThousandRowsTiming) {
  const std::string path = TempPath("tabular_100k.xlsx");
  lxw_workbook_options wopts = {.constant_memory = LXW_TRUE, .tmpdir = nullptr};
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &wopts);
  lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd");
  const char* header[] = {"学号", "姓名", "学校", "年级", "出生日期", "分数"};
  for (int c = 0; c < 6; ++c) worksheet_write_string(ws, 0, c, header[c], nullptr);
  char buf[32];
  for (int r = 1; r <= 100000; ++r) {
    std::snprintf(buf, sizeof buf, "%08d", r);
    worksheet_write_string(ws, r, 0, buf, nullptr);
    std::snprintf(buf, sizeof buf, "学生%d", r);
    worksheet_write_string(ws, r, 1, buf, nullptr);
    worksheet_write_string(ws, r, 2, r % 2 ? "第一中学" : "第二中学", nullptr);
    worksheet_write_number(ws, r, 3, r % 6 + 1, nullptr);
    worksheet_write_number(ws, r, 4, 41000 + r % 2000, date);
    worksheet_write_number(ws, r, 5, (r % 1000) / 10.0, nullptr);
  }
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);

  const auto start = std::chrono::steady_clock::now();
  auto src = OpenXlsxFile(path);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  Row row;
  int64_t rows = 0;
  std::string last_date;
  while (*(*src)->Next(row)) {
    ++rows;
    last_date = row.cell(4);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(rows, 100000);
  EXPECT_EQ(last_date, *ExcelSerialToText(41000 + 100000 % 2000, false));
  std::printf("[ timing ] XLSX: %lld rows in %.3f s = %.0f rows/s\n",
              static_cast<long long>(rows), s, rows / s);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace edugov::tabular
