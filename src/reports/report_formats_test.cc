#include "reports/report_formats.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "reports/internal/test_fixture.h"
#include "testing/test_db.h"
#ifdef EDUGOV_REPORTS_HAVE_TABULAR
#include "tabular/xlsx_reader.h"
#endif

namespace edugov::reports {
namespace {

ComplaintReport BuildReport(ReportKind kind, int64_t scope = 0) {
  auto db = edugov::testing::TestDb::Create(storage::Backend::kSqlite);
  EXPECT_TRUE(db.ok());
  auto conn = db->db().Acquire();
  EXPECT_TRUE(testfix::BuildRegistry(**conn).ok());
  EXPECT_TRUE(testfix::BuildCases(**conn).ok());
  ComplaintReportRequest req;
  req.kind = kind;
  req.from = Date::FromYmd(2025, 3, 1);
  req.to = Date::FromYmd(2025, 3, 31);
  req.topic = "meals";
  req.scope_org_id = scope;
  req.categories = testfix::PolicyCategories();
  req.thresholds = testfix::PolicyThresholds();
  auto r = AnalyzeComplaints(**conn, req);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

TEST(ReportHtmlTest, PrintableChinesePageWithDistributionAndFeedback) {
  const std::string html = ReportHtml(BuildReport(ReportKind::kRegional));
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("size: A4"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("报送:</b>局领导"), std::string::npos);
  EXPECT_NE(html.find("组织人事股、党工委、纪工委、督导室"), std::string::npos);
  EXPECT_NE(html.find("二、分乡镇分析"), std::string::npos);
  EXPECT_NE(html.find("三、分学校分析"), std::string::npos);
  EXPECT_NE(html.find("四、发现的薄弱环节"), std::string::npos);
  EXPECT_NE(html.find("五、整改与问责建议"), std::string::npos);
  EXPECT_NE(html.find("六、点对点反馈"), std::string::npos);
  EXPECT_NE(html.find("见第六部分"), std::string::npos);
  EXPECT_NE(html.find("<h3>梅城镇中学</h3>"), std::string::npos);
}

TEST(ReportHtmlTest, RoutineAndTopicalSections) {
  const std::string routine = ReportHtml(BuildReport(ReportKind::kRoutine));
  EXPECT_NE(routine.find("二、分类别环比分析"), std::string::npos);
  EXPECT_NE(routine.find("三、按月分布"), std::string::npos);
  EXPECT_NE(routine.find("见第六部分"), std::string::npos);
  const std::string topical = ReportHtml(BuildReport(ReportKind::kTopical));
  EXPECT_NE(topical.find("二、专题:校园餐"), std::string::npos);
  EXPECT_NE(topical.find("TS2025-000002"), std::string::npos);  // the repeated matter
  EXPECT_NE(topical.find("见第五部分"), std::string::npos);
}

TEST(ReportHtmlTest, ASchoolsPartHasNoDistributionList) {
  const std::string html = ReportHtml(BuildReport(ReportKind::kRoutine, testfix::kMeichengMiddle));
  EXPECT_EQ(html.find("抄送:</b>"), std::string::npos);
  EXPECT_EQ(html.find("报送:"), std::string::npos);
  EXPECT_NE(html.find("点对点反馈:</b>梅城镇中学"), std::string::npos);
}

#ifdef EDUGOV_REPORTS_HAVE_TABULAR
TEST(ReportXlsxTest, OneSheetPerSection) {
  auto bytes = ReportXlsx(BuildReport(ReportKind::kTopical));
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  tabular::XlsxOptions opts;
  opts.sheet = "分乡镇";
  opts.has_header = false;
  auto src = tabular::OpenXlsxBytes(std::string(*bytes), opts);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->sheet_names(),
            (std::vector<std::string>{"概况", "分类别", "按月", "分乡镇", "分学校", "专题", "专题-分学校", "薄弱环节",
                                      "整改问责建议", "点对点反馈"}));
  tabular::Row row;
  std::vector<std::string> names;
  while (true) {
    auto more = (*src)->Next(row);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    names.emplace_back(row.cell(0));
    if (row.cell(0) == "东坪镇中心学校") {
      EXPECT_EQ(row.cell(2), "800");
      EXPECT_EQ(row.cell(3), "5");
      EXPECT_EQ(row.cell(12), "6.25");
    }
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "东坪镇中心学校"), names.end());
}
#endif

TEST(ReportPdfTest, MissingChromiumIsAClearError) {
  PdfOptions opts;
  opts.chromium = "/nonexistent/chromium";
  auto pdf = HtmlToPdf("<p>x</p>", opts);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(pdf.status().message(Lang::kZh).find("Chromium"), std::string::npos);
  EXPECT_NE(pdf.status().message(Lang::kEn).find("fonts-wqy-microhei"), std::string::npos);
}

// A real print: the Chinese title and a township's name must survive into
// the PDF's text layer.
TEST(ReportPdfTest, ChineseSurvivesPdftotext) {
  if (FindChromium().empty()) GTEST_SKIP() << "chromium is not installed (/usr/bin/chromium): apt-get install chromium";
  auto pdf = HtmlToPdf(ReportHtml(BuildReport(ReportKind::kRegional)));
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  ASSERT_GT(pdf->size(), 1000u);
  EXPECT_EQ(pdf->substr(0, 5), "%PDF-");
  const auto dir = std::filesystem::temp_directory_path();
  const std::string in = (dir / ("edugov-report-test-" + std::to_string(::getpid()) + ".pdf")).string();
  {
    std::ofstream f(in, std::ios::binary);
    f << *pdf;
  }
  const std::string cmd = "pdftotext -enc UTF-8 '" + in + "' - 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int rc = pclose(p);
  std::remove(in.c_str());
  ASSERT_EQ(rc, 0) << "pdftotext (poppler-utils) failed: " << text;
  EXPECT_NE(text.find("信访投诉举报区域分析报告"), std::string::npos) << text.substr(0, 2000);
  EXPECT_NE(text.find("东坪镇中心学校"), std::string::npos);
  EXPECT_NE(text.find("梅城镇中学"), std::string::npos);
}

// Fonts are embedded once, as TrueType subsets: no Type 3 glyph programs
// (Chromium draws synthetic bold and CFF faces such as Noto CJK that way,
// page after page: a 47-page report weighed 2.3 MB), and no tagged-PDF
// structure tree (an object per table cell).
TEST(ReportPdfTest, FontsAreEmbeddedSubsetsNotType3) {
  if (FindChromium().empty()) GTEST_SKIP() << "chromium is not installed (/usr/bin/chromium): apt-get install chromium";
  auto pdf = HtmlToPdf(ReportHtml(BuildReport(ReportKind::kRegional)));
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  const auto dir = std::filesystem::temp_directory_path();
  const std::string in = (dir / ("edugov-report-fonts-" + std::to_string(::getpid()) + ".pdf")).string();
  {
    std::ofstream f(in, std::ios::binary);
    f << *pdf;
  }
  FILE* p = popen(("pdffonts '" + in + "' 2>&1").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string fonts;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) fonts.append(buf, n);
  const int rc = pclose(p);
  std::remove(in.c_str());
  ASSERT_EQ(rc, 0) << "pdffonts (poppler-utils) failed: " << fonts;
  EXPECT_EQ(fonts.find("Type 3"), std::string::npos) << fonts;
  EXPECT_NE(fonts.find("CID TrueType"), std::string::npos) << fonts;
  EXPECT_EQ(pdf->find("/StructTreeRoot"), std::string::npos);
}

}  // namespace
}  // namespace edugov::reports
