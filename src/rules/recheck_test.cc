// The re-check after a submission (recheck.h) with the county's real pack
// (policy/anhua-2025.yaml) and the real importer: a form row lands, the
// re-check opens the finding at once; a correction resolves it; running it
// again changes nothing; another school's findings are never touched. On
// SQLite, and PostgreSQL when EDUGOV_TEST_PG_URL is set.
#include "rules/recheck.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "datasets/import.h"
#include "datasets/store.h"
#include "rules/findings_store.h"
#include "rules/recheck_test_support.h"
#include "testing/test_db.h"

namespace edugov::rules {
namespace {

using storage::Backend;

// County 1 › township 2 › primary school 10 (classes 100 grade 1, 101 grade 4)
// and junior school 11 (class 110 grade 8).
Status SeedTestRegistry(storage::Connection& c) {
  RETURN_IF_ERROR(c.Execute(
      "INSERT INTO orgs (id, parent_id, kind, code, name, path, stage, created_at, updated_at) VALUES "
      "(1, NULL, 'county', 'C1', '安化县', '/1/', NULL, 0, 0), "
      "(2, 1, 'township', 'T2', '东坪镇', '/1/2/', NULL, 0, 0), "
      "(10, 2, 'school', 'S10', '江英学校', '/1/2/10/', 'primary', 0, 0), "
      "(11, 2, 'school', 'S11', '梅城镇中学', '/1/2/11/', 'junior', 0, 0)")
                      .status());
  return c.Execute("INSERT INTO classes (id, school_id, grade, name, created_at, updated_at) VALUES "
                   "(100, 10, 1, '一年级1班', 0, 0), (101, 10, 4, '四年级1班', 0, 0), "
                   "(110, 11, 8, '八年级1班', 0, 0)")
      .status();
}

using testing_support::Bureau;

class RecheckTest : public testing_support::RecheckFixture {
 protected:
  Status SeedRegistry(storage::Connection& c) override { return SeedTestRegistry(c); }

  // One form row, as the /datasets/{name}/rows route imports it.
  std::vector<datasets::IngestedRow> Submit(const std::string& dataset, std::vector<std::string> header,
                                            std::vector<std::string> cells) {
    datasets::MemoryRowSource source(std::move(header), {std::move(cells)});
    datasets::ImportOptions options{.file_name = "web form", .format = "form", .collect_landed = true};
    auto report = datasets::Import(conn(), Bureau(), clock_, Schema(dataset), source, options, nullptr);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    if (!report.ok()) return {};
    EXPECT_EQ(report->rows_ok, 1) << (report->problems.empty() ? "" : report->problems[0].reason_en);
    return report->landed;
  }

  std::vector<datasets::IngestedRow> Homework(int64_t class_id, const std::string& date, int minutes) {
    return Submit("homework", {"class_id", "date", "written_minutes", "phone_based"},
                  {std::to_string(class_id), date, std::to_string(minutes), "0"});
  }

  RecheckSummary Recheck(const std::string& dataset, const std::vector<datasets::IngestedRow>& rows,
                         Date as_of) {
    auto s = RecheckSubmission(conn(), rechecker_->pack(), dataset, rows, as_of, clock_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : RecheckSummary{};
  }

  std::vector<StoredFinding> Stored() {
    auto all = ListStoredFindings(conn());
    EXPECT_TRUE(all.ok());
    return all.ok() ? *all : std::vector<StoredFinding>{};
  }

};

const Date kAsOf = Date::FromYmd(2025, 11, 20);

TEST_P(RecheckTest, WrittenHomeworkForGradeOneOpensTheClause25FindingAtOnce) {
  auto rows = Homework(100, "2025-11-12", 30);
  ASSERT_EQ(rows.size(), 1u);
  RecheckSummary s = Recheck("homework", rows, kAsOf);
  EXPECT_EQ(s.opened, 1);
  ASSERT_EQ(s.open_finding_ids.size(), 1u);
  auto rs = conn().Query("SELECT rule_id, clause, entity_type, entity_id, period_start, measured, evidence_json, "
                         "org_path, status FROM findings WHERE id = $1",
                         {s.open_finding_ids[0]});
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->size(), 1u);
  EXPECT_EQ(rs->GetText(0, 0), "homework-grades-1-2-none");
  EXPECT_EQ(rs->GetText(0, 1), "25");
  EXPECT_EQ(rs->GetText(0, 2), "class");
  EXPECT_EQ(rs->GetInt(0, 3), 100);
  EXPECT_EQ(rs->GetText(0, 4), "2025-11-12");
  EXPECT_EQ(rs->GetDouble(0, 5), 30);
  EXPECT_EQ(rs->GetText(0, 6), "{\"dataset\":\"homework\",\"row_ids\":[" + std::to_string(rows[0].row_id) + "]}");
  EXPECT_EQ(rs->GetText(0, 7), "/1/2/10/");
  EXPECT_EQ(rs->GetText(0, 8), "open");
}

TEST_P(RecheckTest, RunningItAgainChangesNothingAndACorrectionResolves) {
  auto rows = Homework(100, "2025-11-12", 30);
  EXPECT_EQ(Recheck("homework", rows, kAsOf).opened, 1);
  RecheckSummary again = Recheck("homework", rows, kAsOf);
  EXPECT_EQ(again.opened, 0);
  EXPECT_EQ(again.standing, 1);
  EXPECT_EQ(Stored().size(), 1u);

  // The teacher corrects the day to 0 minutes: the same row (same key) is
  // replaced and the finding resolved with the as-of date.
  auto fixed = Homework(100, "2025-11-12", 0);
  ASSERT_EQ(fixed.size(), 1u);
  EXPECT_EQ(fixed[0].row_id, rows[0].row_id);
  RecheckSummary s = Recheck("homework", fixed, kAsOf);
  EXPECT_EQ(s.resolved, 1);
  EXPECT_TRUE(s.open_finding_ids.empty());
  auto stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].status, "resolved");
  EXPECT_EQ(stored[0].resolved_on, "2025-11-20");

  // Wrong again: the same finding reopens.
  EXPECT_EQ(Recheck("homework", Homework(100, "2025-11-12", 15), kAsOf).reopened, 1);
  EXPECT_EQ(Stored().size(), 1u);
}

TEST_P(RecheckTest, JuniorWeeklyAverageIsJudgedOnceTheWeekHasEnded) {
  auto rows = Homework(110, "2025-11-12", 150);
  // As of the Wednesday the week is still running: nothing is judged yet.
  RecheckSummary early = Recheck("homework", rows, Date::FromYmd(2025, 11, 12));
  EXPECT_EQ(early.opened, 0);
  RecheckSummary s = Recheck("homework", rows, kAsOf);
  EXPECT_EQ(s.opened, 1);
  auto stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].rule_id, "homework-grades-7-9-average");
  EXPECT_EQ(stored[0].period_start, "2025-11-10");
  EXPECT_EQ(stored[0].measured, 150);
}

// Issue 11: a record dated outside every semester of the pack lands (the
// store keeps what the school reported) and the import says so, row by row
// (不在任何学期内); one inside a semester draws no warning. The caller passes
// nothing: the bound pack's homework schema carries the semesters (declared
// and provisional), so every import path flags.
TEST_P(RecheckTest, ARecordOutsideEverySemesterIsKeptAndFlagged) {
  datasets::ImportOptions options{.file_name = "作业.csv", .format = "csv"};
  ASSERT_GE(Schema("homework").school_semesters.size(), 4u);  // 2025-spring, 2025-autumn, 2026-spring (暂定) …
  datasets::MemoryRowSource source({"class_id", "date", "written_minutes", "phone_based"},
                                   {{"110", "2025-08-10", "30", "0"},    // summer holidays
                                    {"110", "2025-11-12", "30", "0"},    // autumn semester
                                    {"110", "2026-02-01", "30", "0"}});  // winter holidays
  auto report = datasets::Import(conn(), Bureau(), clock_, Schema("homework"), source, options, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_ok, 3);
  EXPECT_EQ(report->rows_rejected, 0);
  EXPECT_EQ(report->rows_warned, 2);
  ASSERT_EQ(report->warnings.size(), 2u);
  EXPECT_EQ(report->warnings[0].row_number, 2);
  EXPECT_EQ(report->warnings[0].value, "2025-08-10");
  EXPECT_NE(report->warnings[0].reason_zh.find("不在任何学期内"), std::string::npos);
  EXPECT_NE(report->warnings[0].reason_en.find("outside every semester"), std::string::npos);
  EXPECT_EQ(report->warnings[1].row_number, 4);
  // A dataset no school-day rule reads carries no semesters: no warnings.
  datasets::DatasetSchema unjudged = Schema("homework");
  unjudged.school_semesters.clear();
  datasets::MemoryRowSource again({"class_id", "date", "written_minutes", "phone_based"},
                                  {{"110", "2025-08-11", "30", "0"}});
  auto plain = datasets::Import(conn(), Bureau(), clock_, unjudged, again,
                                datasets::ImportOptions{.file_name = "x.csv"}, nullptr);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->rows_warned, 0);
}

// Issue 11: a school's declared closure, entered like any row, is no school
// day for its classes: the 0-minute day in a closed week does not dilute.
TEST_P(RecheckTest, AClosureEnteredOnTheFormTakesItsDaysOutOfTheAverage) {
  for (const char* d : {"2025-11-10", "2025-11-11", "2025-11-13", "2025-11-14"}) Homework(110, d, 100);
  auto zero = Homework(110, "2025-11-12", 0);
  // Five school days: (4 × 100 + 0) / 5 = 80 <= 90.
  EXPECT_EQ(Recheck("homework", zero, kAsOf).opened, 0);
  auto closed = Submit("school_closures", {"school_id", "date", "reason"}, {"S11", "2025-11-12", "停电"});
  ASSERT_EQ(closed.size(), 1u);
  // Wednesday closed: 400 / 4 = 100 > 90.
  RecheckSummary s = Recheck("school_closures", closed, kAsOf);
  EXPECT_EQ(s.opened, 1);
  auto stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].rule_id, "homework-grades-7-9-average");
  EXPECT_EQ(stored[0].measured, 100);
}

TEST_P(RecheckTest, AnotherSchoolsFindingsAreNeverTouched) {
  // School 11's finding stands (opened by its own submission).
  ASSERT_EQ(Recheck("homework", Homework(110, "2025-11-12", 150), kAsOf).opened, 1);
  // A sweep-style finding of school 11 in a week nobody at school 10 touches.
  ASSERT_TRUE(conn().Execute("INSERT INTO findings (rule_id, clause, severity, entity_type, entity_id, org_path, "
                             "township_id, period_kind, period_start, period_end, measured, threshold, comparison, "
                             "parameters_json, evidence_json, status, first_seen_on, last_seen_on, created_at, "
                             "updated_at) VALUES ('homework-grades-1-2-none', '25', 'major', 'class', 110, "
                             "'/1/2/11/', 2, 'day', '2025-11-12', '2025-11-12', 5, 0, '<=', '[]', '{}', 'open', "
                             "'2025-11-13', '2025-11-13', 0, 0)")
                  .ok());
  // School 10 records and corrects a day: only its own findings move.
  Recheck("homework", Homework(100, "2025-11-12", 30), kAsOf);
  RecheckSummary s = Recheck("homework", Homework(100, "2025-11-12", 0), kAsOf);
  EXPECT_EQ(s.resolved, 1);
  int open_elsewhere = 0;
  for (const StoredFinding& f : Stored()) {
    if (f.entity_id == 110) {
      EXPECT_EQ(f.status, "open") << f.rule_id;
      ++open_elsewhere;
    }
  }
  EXPECT_EQ(open_elsewhere, 2);
}

TEST_P(RecheckTest, AnApprovedStudyTourExemptsTheClassAndResolves) {
  ASSERT_EQ(Recheck("homework", Homework(101, "2025-11-12", 200), kAsOf).opened, 1);  // grade 4: avg 200 > 60
  // A study tour 11-12 … 11-13, approved: the homework day is exempted.
  auto tour = Submit("study_tours", {"class_id", "date", "until", "approved"},
                     {"101", "2025-11-12", "2025-11-13", "1"});
  ASSERT_EQ(tour.size(), 1u);
  RecheckSummary s = Recheck("study_tours", tour, kAsOf);
  EXPECT_GE(s.rules, 1);
  EXPECT_EQ(s.resolved, 1);
  EXPECT_TRUE(s.open_finding_ids.empty());
}

// A rule over runs of periods: the failed 2024 evaluation, entered after the
// failed 2025 one, completes the run whose finding is dated 2025 — a period
// after the touched days, which the save must still reach.
TEST_P(RecheckTest, AnEarlierYearCompletesARunOfConsecutiveFailures) {
  const Date as_of = Date::FromYmd(2026, 3, 1);
  auto y2025 = Submit("school_evaluations", {"school_id", "date", "result"}, {"S10", "2025-12-20", "fail"});
  ASSERT_EQ(y2025.size(), 1u);
  EXPECT_EQ(Recheck("school_evaluations", y2025, as_of).opened, 0);  // one year is no run
  auto y2024 = Submit("school_evaluations", {"school_id", "date", "result"}, {"S10", "2024-12-20", "fail"});
  ASSERT_EQ(y2024.size(), 1u);
  RecheckSummary s = Recheck("school_evaluations", y2024, as_of);
  EXPECT_EQ(s.opened, 1);
  auto stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].rule_id, "evaluation-failed-two-years");
  EXPECT_EQ(stored[0].entity_id, 10);
  EXPECT_EQ(stored[0].period_start, "2025-01-01");
}

TEST_P(RecheckTest, ADatasetNoRuleReadsIsANoOp) {
  RecheckSummary s = Recheck("no_such_dataset", Homework(100, "2025-11-12", 30), kAsOf);
  EXPECT_EQ(s.rules, 0);
  EXPECT_TRUE(Stored().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, RecheckTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::rules
