#include "reports/complaint_analysis.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "reports/internal/test_fixture.h"
#include "reports/report_formats.h"
#include "testing/test_db.h"

namespace edugov::reports {
namespace {

using storage::Backend;
using namespace testfix;

class ComplaintAnalysisTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = edugov::testing::TestDb::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_.emplace(std::move(*db));
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    conn_.emplace(std::move(*conn));
    Status s = BuildRegistry(**conn_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    s = BuildCases(**conn_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  ComplaintReport Run(ReportKind kind, int64_t scope = 0, std::string topic = "",
                      ComplaintThresholds thresholds = testfix::PolicyThresholds()) {
    ComplaintReportRequest req;
    req.thresholds = thresholds;
    req.kind = kind;
    req.from = Date::FromYmd(2025, 3, 1);
    req.to = Date::FromYmd(2025, 3, 31);
    req.scope_org_id = scope;
    req.categories = testfix::PolicyCategories();
    req.topic = std::move(topic);
    auto r = AnalyzeComplaints(**conn_, req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : ComplaintReport{};
  }

  std::optional<edugov::testing::TestDb> db_;
  std::optional<storage::ConnectionHandle> conn_;
};

TEST_P(ComplaintAnalysisTest, RoutineCountsPeriodOverPeriodByCategoryAndMonth) {
  ComplaintReport r = Run(ReportKind::kRoutine);
  EXPECT_EQ(r.scope_name, "安化县教育局");
  EXPECT_TRUE(r.county_wide);
  EXPECT_EQ(r.title.zh, "安化县教育局信访投诉举报常规分析报告");
  EXPECT_EQ(r.previous_from, Date::FromYmd(2025, 1, 29));
  EXPECT_EQ(r.previous_to, Date::FromYmd(2025, 2, 28));
  EXPECT_EQ(r.current.received, 8);
  EXPECT_EQ(r.previous_received, 3);
  EXPECT_EQ(r.current.repeats, 1);
  EXPECT_EQ(r.current.closed, 5);
  EXPECT_EQ(r.current.open, 2);
  EXPECT_EQ(r.current.overdue, 1);
  EXPECT_EQ(r.current.rated, 2);
  EXPECT_EQ(r.current.satisfied, 1);
  EXPECT_DOUBLE_EQ(r.current.satisfaction_avg, 3.5);
  EXPECT_EQ(r.students, 2000);
  ASSERT_TRUE(r.rate_per_1000);
  EXPECT_DOUBLE_EQ(*r.rate_per_1000, 4.0);
  ASSERT_EQ(r.months, std::vector<std::string>{"2025-03"});
  ASSERT_EQ(r.categories.size(), 3u);
  EXPECT_EQ(r.categories[0].key, "meals");
  EXPECT_EQ(r.categories[0].label.zh, "校园餐");
  EXPECT_EQ(r.categories[0].current, 5);
  EXPECT_EQ(r.categories[0].previous, 1);
  EXPECT_EQ(r.categories[0].by_month, std::vector<int64_t>{5});
  EXPECT_EQ(r.categories[1].key, "illegal_fees");
  EXPECT_EQ(r.categories[1].current, 2);
  EXPECT_EQ(r.categories[1].previous, 2);
  EXPECT_EQ(r.categories[2].key, "other");
  ASSERT_EQ(r.send_to.size(), 1u);
  EXPECT_EQ(r.send_to[0].zh, "局领导");
  ASSERT_EQ(r.copy_to.size(), 4u);
  EXPECT_EQ(r.copy_to[0].zh, "组织人事股");
  EXPECT_EQ(r.copy_to[3].zh, "督导室");
}

TEST_P(ComplaintAnalysisTest, RegionalRatesPerThousandStudentsByTownshipAndSchool) {
  ComplaintReport r = Run(ReportKind::kRegional);
  ASSERT_EQ(r.townships.size(), 2u);
  EXPECT_EQ(r.townships[0].org_id, kDongping);  // highest rate first
  EXPECT_EQ(r.townships[0].students, 800);
  EXPECT_EQ(r.townships[0].current.received, 5);
  EXPECT_EQ(r.townships[0].previous_received, 1);
  EXPECT_DOUBLE_EQ(*r.townships[0].rate_per_1000, 6.25);
  EXPECT_EQ(r.townships[1].org_id, kMeicheng);
  EXPECT_EQ(r.townships[1].students, 1200);
  EXPECT_DOUBLE_EQ(*r.townships[1].rate_per_1000, 1.667);
  EXPECT_EQ(r.townships[1].current.overdue, 1);

  ASSERT_EQ(r.schools.size(), 4u);
  EXPECT_EQ(r.schools[0].org_id, kDongpingPrimary);
  EXPECT_DOUBLE_EQ(*r.schools[0].rate_per_1000, 8.0);
  EXPECT_EQ(r.schools[0].township_name, "东坪镇中心学校");
  EXPECT_EQ(r.schools[1].org_id, kDongping);
  EXPECT_EQ(r.schools[2].org_id, kMeichengMiddle);
  EXPECT_DOUBLE_EQ(*r.schools[2].rate_per_1000, 2.0);
  EXPECT_EQ(r.schools[3].org_id, 0);  // county-level: no students, no rate
  EXPECT_FALSE(r.schools[3].rate_per_1000);
}

TEST_P(ComplaintAnalysisTest, WeakLinksAndRecommendations) {
  ComplaintReport r = Run(ReportKind::kRoutine);
  ASSERT_EQ(r.weak_links.size(), 5u);
  EXPECT_EQ(r.weak_links[0].kind, WeakLink::Kind::kSchoolRising);
  EXPECT_EQ(r.weak_links[0].org_id, kDongpingPrimary);
  EXPECT_EQ(r.weak_links[0].current, 4);
  EXPECT_EQ(r.weak_links[0].previous, 1);
  EXPECT_EQ(r.weak_links[0].category, "meals");
  EXPECT_EQ(r.weak_links[1].kind, WeakLink::Kind::kCategoryRising);
  EXPECT_EQ(r.weak_links[1].category, "meals");
  EXPECT_EQ(r.weak_links[2].kind, WeakLink::Kind::kRepeats);
  EXPECT_EQ(r.weak_links[2].refs, std::vector<std::string>{"TS2025-000002"});
  EXPECT_EQ(r.weak_links[3].kind, WeakLink::Kind::kOverdue);
  EXPECT_EQ(r.weak_links[3].org_id, kDongpingPrimary);  // the old milk case, still open
  EXPECT_EQ(r.weak_links[3].refs, std::vector<std::string>{"TS2025-000020"});
  EXPECT_EQ(r.weak_links[4].org_id, kMeichengMiddle);
  EXPECT_EQ(r.weak_links[4].refs, std::vector<std::string>{"TS2025-000007"});

  ASSERT_EQ(r.recommendations.size(), 5u);
  EXPECT_EQ(r.recommendations[0].kind, Recommendation::Kind::kRectification);
  EXPECT_EQ(r.recommendations[0].org_id, kDongpingPrimary);
  EXPECT_NE(r.recommendations[0].text.zh.find("东坪镇中心学校核验"), std::string::npos) << r.recommendations[0].text.zh;
  EXPECT_EQ(r.recommendations[1].org_id, 0);  // the county-wide campaign on meals
  EXPECT_NE(r.recommendations[1].text.zh.find("校园餐"), std::string::npos);
  EXPECT_EQ(r.recommendations[3].kind, Recommendation::Kind::kAccountability);
  EXPECT_EQ(r.recommendations[4].kind, Recommendation::Kind::kAccountability);
  EXPECT_EQ(r.recommendations[4].org_id, kMeichengMiddle);
  EXPECT_FALSE(r.recommendations[4].text.en.empty());

  // Point-to-point: the township gets its schools' parts, each school only its own.
  ASSERT_GE(r.feedback.size(), 4u);
  EXPECT_EQ(r.feedback[0].unit.org_id, kDongping);
  EXPECT_EQ(r.feedback[0].weak_links.size(), 3u);  // school 3: rising, repeats, overdue
  EXPECT_EQ(r.feedback[1].unit.org_id, kMeicheng);
  ASSERT_EQ(r.feedback[1].weak_links.size(), 1u);
  EXPECT_EQ(r.feedback[1].weak_links[0].org_id, kMeichengMiddle);
  for (const Feedback& f : r.feedback) {
    if (f.unit.org_id != kMeichengMiddle) continue;
    ASSERT_EQ(f.recommendations.size(), 1u);
    EXPECT_EQ(f.recommendations[0].kind, Recommendation::Kind::kAccountability);
  }
}

// What counts as rising and the deadlines set are the case type's: the
// shipped values order a 10-day rectification and a 20-day campaign; a
// stricter "rising" (5 at least) drops both rising links, and other
// deadlines show in the recommendations.
TEST_P(ComplaintAnalysisTest, ThresholdsComeFromTheCaseType) {
  const ComplaintThresholds shipped = PolicyThresholds();
  ComplaintReport r = Run(ReportKind::kRoutine);
  ASSERT_EQ(r.recommendations.size(), 5u);
  EXPECT_EQ(r.recommendations[0].due_working_days, shipped.rectification_working_days);
  EXPECT_EQ(r.recommendations[1].due_working_days, shipped.campaign_working_days);
  EXPECT_EQ(r.recommendations[3].due_working_days, shipped.accountability_working_days);

  ComplaintThresholds changed = shipped;
  changed.rectification_working_days = 7;
  changed.accountability_working_days = 3;
  changed.rising_min_count = 6;  // the school has 4, meals 5: neither is rising now
  r = Run(ReportKind::kRoutine, 0, "", changed);
  for (const WeakLink& w : r.weak_links) {
    EXPECT_NE(w.kind, WeakLink::Kind::kSchoolRising);
    EXPECT_NE(w.kind, WeakLink::Kind::kCategoryRising);
  }
  ASSERT_EQ(r.recommendations.size(), 3u);  // repeats, two overdue
  EXPECT_EQ(r.recommendations[0].due_working_days, 7);
  EXPECT_NE(r.recommendations[0].text.zh.find("7 个工作日"), std::string::npos) << r.recommendations[0].text.zh;
  EXPECT_EQ(r.recommendations[1].due_working_days, 3);
  EXPECT_NE(r.recommendations[1].text.zh.find("3 个工作日"), std::string::npos) << r.recommendations[1].text.zh;
  EXPECT_EQ(r.thresholds.rising_min_count, 6);
}

// No thresholds (no case type read): refused, naming the first one.
TEST_P(ComplaintAnalysisTest, UnsetThresholdsAreAnErrorNamingThem) {
  ComplaintReportRequest req;
  req.from = Date::FromYmd(2025, 3, 1);
  req.to = Date::FromYmd(2025, 3, 31);
  auto r = AnalyzeComplaints(**conn_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().field(), "thresholds.rectification_working_days");
  req.thresholds = PolicyThresholds();
  req.thresholds.rising_min_ratio = 0;
  r = AnalyzeComplaints(**conn_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "thresholds.rising_min_ratio");
}

TEST_P(ComplaintAnalysisTest, ScopeToATownshipShowsOnlyItsPart) {
  ComplaintReport r = Run(ReportKind::kRegional, kMeicheng);
  EXPECT_FALSE(r.county_wide);
  EXPECT_TRUE(r.send_to.empty());
  EXPECT_EQ(r.scope_name, "梅城镇中心学校");
  EXPECT_EQ(r.current.received, 2);
  EXPECT_EQ(r.previous_received, 2);
  EXPECT_EQ(r.students, 1200);
  ASSERT_EQ(r.townships.size(), 1u);
  EXPECT_EQ(r.townships[0].org_id, kMeicheng);
  ASSERT_EQ(r.schools.size(), 1u);
  EXPECT_EQ(r.schools[0].org_id, kMeichengMiddle);
  for (const WeakLink& w : r.weak_links) EXPECT_EQ(w.org_id, kMeichengMiddle);
  const std::string html = ReportHtml(r);
  EXPECT_NE(html.find("梅城镇中学"), std::string::npos);
  EXPECT_EQ(html.find("东坪"), std::string::npos);
  EXPECT_EQ(ReportJson(r).dump().find("东坪"), std::string::npos);
}

TEST_P(ComplaintAnalysisTest, ScopeToASchoolShowsOnlyThatSchool) {
  ComplaintReport r = Run(ReportKind::kRoutine, kDongpingPrimary);
  EXPECT_EQ(r.scope_name, "东坪镇一小");
  EXPECT_EQ(r.current.received, 4);
  EXPECT_EQ(r.previous_received, 1);
  ASSERT_EQ(r.schools.size(), 1u);
  EXPECT_EQ(r.schools[0].org_id, kDongpingPrimary);
  EXPECT_EQ(r.schools[0].township_name, "东坪镇中心学校");  // named from the path
  const std::string json = ReportJson(r).dump();
  EXPECT_EQ(json.find("梅城"), std::string::npos);
  EXPECT_EQ(json.find("TS2025-000007"), std::string::npos);
}

TEST_P(ComplaintAnalysisTest, TopicalReportGoesIntoOneCategory) {
  ComplaintReport r = Run(ReportKind::kTopical, 0, "meals");
  ASSERT_TRUE(r.topic);
  const TopicSection& t = *r.topic;
  EXPECT_EQ(r.title.zh, "安化县教育局信访投诉举报专题分析报告(校园餐)");
  EXPECT_EQ(t.current.received, 5);
  EXPECT_EQ(t.previous, 1);
  EXPECT_EQ(t.by_month, std::vector<int64_t>{5});
  ASSERT_EQ(t.by_school.size(), 2u);
  EXPECT_EQ(t.by_school[0].org_id, kDongpingPrimary);
  EXPECT_EQ(t.by_school[0].current.received, 4);
  ASSERT_EQ(t.repeat_targets.size(), 1u);
  EXPECT_EQ(t.repeat_targets[0].ref, "TS2025-000002");
  EXPECT_TRUE(t.overdue.empty());  // the overdue ones are fees and milk
  EXPECT_EQ(t.satisfaction_histogram, (std::vector<int64_t>{0, 0, 0, 0, 1}));
  // The weak links are the topic's: no overdue milk or fees case.
  for (const WeakLink& w : r.weak_links) EXPECT_NE(w.kind, WeakLink::Kind::kOverdue);
}

// Labels are the case type's, not a copy kept in the report: relabel a
// category in a fixture complaint type and the report shows the new label.
TEST_P(ComplaintAnalysisTest, CategoryLabelsComeFromTheLoadedCaseType) {
  // A fixture copy of policy/cases (the complaint type refers to the others).
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / ("relabelled-cases-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(fs::path(EDUGOV_SOURCE_DIR) / "policy/cases")) {
    fs::copy_file(entry.path(), dir / entry.path().filename());
  }
  std::string text;
  {
    std::ifstream in(dir / "complaint.yaml");
    std::stringstream yaml;
    yaml << in.rdbuf();
    text = yaml.str();
  }
  const std::string old_label = "{zh: 校园餐, en: School meals}";
  const size_t at = text.find(old_label);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, old_label.size(), "{zh: 学校食堂, en: Canteen food}");
  std::ofstream(dir / "complaint.yaml", std::ios::trunc) << text;
  auto types = cases::CaseTypeRegistry::LoadDir(dir.string());
  fs::remove_all(dir);
  ASSERT_TRUE(types.ok()) << types.status().ToString();

  ComplaintReportRequest req;
  req.from = Date::FromYmd(2025, 3, 1);
  req.to = Date::FromYmd(2025, 3, 31);
  req.categories = ComplaintCategoryLabels(*types);
  req.thresholds = PolicyThresholds();
  auto r = AnalyzeComplaints(**conn_, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->categories.empty());
  EXPECT_EQ(r->categories[0].key, "meals");
  EXPECT_EQ(r->categories[0].label.zh, "学校食堂");
  EXPECT_EQ(r->categories[0].label.en, "Canteen food");

  // No case type loaded: the key itself, never a guessed label.
  req.categories.clear();
  r = AnalyzeComplaints(**conn_, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->categories[0].label.zh, "meals");
}

TEST_P(ComplaintAnalysisTest, BadRequestsNameTheField) {
  ComplaintReportRequest req;
  req.categories = PolicyCategories();
  req.thresholds = PolicyThresholds();
  req.from = Date::FromYmd(2025, 3, 31);
  req.to = Date::FromYmd(2025, 3, 1);
  auto r = AnalyzeComplaints(**conn_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "to");
  req.to = Date::FromYmd(2025, 4, 30);
  req.kind = ReportKind::kTopical;
  r = AnalyzeComplaints(**conn_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "topic");
  req.topic = "ufo";
  r = AnalyzeComplaints(**conn_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message(Lang::kZh).find("ufo"), std::string::npos);
  req.kind = ReportKind::kRoutine;
  req.scope_org_id = 999;
  r = AnalyzeComplaints(**conn_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST_P(ComplaintAnalysisTest, DeterministicAndNeverShowsTheComplainant) {
  ComplaintReport a = Run(ReportKind::kRoutine);
  ComplaintReport b = Run(ReportKind::kRoutine);
  EXPECT_EQ(ReportHtml(a), ReportHtml(b));
  EXPECT_EQ(ReportJson(a), ReportJson(b));
  for (ReportKind k : {ReportKind::kRoutine, ReportKind::kRegional, ReportKind::kTopical}) {
    ComplaintReport r = Run(k, 0, "meals");
    const std::string all = ReportHtml(r) + ReportJson(r).dump();
    EXPECT_EQ(all.find("张三"), std::string::npos);
    EXPECT_EQ(all.find("13800000000"), std::string::npos);
    EXPECT_EQ(all.find("变质"), std::string::npos);  // titles are not read either
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ComplaintAnalysisTest, ::testing::ValuesIn(edugov::testing::TestBackends()),
                         [](const auto& info) { return edugov::testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::reports
