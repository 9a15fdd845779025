// The compliance loop end to end through the service, with the county's
// real pack and case types, on SQLite and (with EDUGOV_TEST_PG_URL)
// PostgreSQL: a week of homework over the junior limit → a finding and one
// rectification; corrected data → the finding resolves and the case awaits
// verification; the verifier closes it; sweeps are idempotent; a cancelled
// sweep or a pack that stops loading writes nothing; a rule that leaves the
// pack withdraws its findings and cancels its case.
#include "compliance/service.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "cases/test_fixture.h"
#include "datasets/import.h"
#include "datasets/store.h"
#include "rules/findings_store.h"

namespace edugov::compliance {
namespace {

using cases::testfx::Fixture;

const std::string kPack = std::string(EDUGOV_SOURCE_DIR) + "/policy/anhua-2025.yaml";
const std::string kRule = "homework-grades-7-9-average";
const Date kMonday = Date::FromYmd(2025, 11, 24);

class ServiceTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    fx = Fixture::Make(GetParam(), "2025-11-24T09:00:00+08:00");
    ASSERT_TRUE(fx);
    auto c = fx->db().Acquire();
    ASSERT_TRUE(c.ok());
    handle_.emplace(std::move(*c));
    conn_ = &**handle_;
    ASSERT_TRUE(conn_->Execute("UPDATE orgs SET stage = 'junior' WHERE id = $1", {fx->school}).ok());
    auto cls = conn_->Query("INSERT INTO classes (school_id, grade, name, created_at, updated_at) "
                           "VALUES ($1, 8, '八年级1班', 0, 0) RETURNING id",
                           {fx->school});
    ASSERT_TRUE(cls.ok()) << cls.status().ToString();
    class_id = cls->GetInt(0, 0);
    // The pack in a directory of its own, with the working calendar beside
    // it as in policy/ (its school-day rules read calendar/ next to the pack).
    pack_dir = (std::filesystem::temp_directory_path() /
                ("edugov-pack-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(this))))
                   .string();
    std::filesystem::create_directories(pack_dir);
    pack_path = pack_dir + "/anhua-2025.yaml";
    std::filesystem::copy_file(kPack, pack_path, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy(std::string(EDUGOV_SOURCE_DIR) + "/policy/calendar", pack_dir + "/calendar",
                          std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
    auto svc = ComplianceService::Load({.db = &fx->db(), .clock = &fx->clock, .policy_path = pack_path,
                                        .cases = fx->engine.get()});
    ASSERT_TRUE(svc.ok()) << svc.status().ToString();
    service = std::move(*svc);
    ASSERT_TRUE(datasets::EnsureDatasetTables(*conn_, service->pack()->pack().datasets).ok());
  }
  void TearDown() override { std::filesystem::remove_all(pack_dir); }

  const datasets::DatasetSchema& Homework() {
    for (const auto& s : service->pack()->pack().datasets) {
      if (s.name == "homework") return s;
    }
    ADD_FAILURE() << "no homework dataset";
    return service->pack()->pack().datasets.front();
  }

  // A school week of homework for the class, `minutes` a day.
  std::vector<datasets::IngestedRow> Week(Date monday, int minutes, int days = 5) {
    std::vector<std::vector<std::string>> rows;
    for (int d = 0; d < days; ++d) {
      rows.push_back({std::to_string(class_id), monday.AddDays(d).ToString(), std::to_string(minutes), "0"});
    }
    datasets::MemoryRowSource source({"class_id", "date", "written_minutes", "phone_based"}, std::move(rows));
    datasets::ImportOptions options{.file_name = "week.csv", .format = "csv", .collect_landed = true};
    auto report = datasets::Import(*conn_, fx->leader, fx->clock, Homework(), source, options, nullptr);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? report->landed : std::vector<datasets::IngestedRow>{};
  }

  SweepReport Sweep(Date as_of) {
    auto r = service->Sweep(as_of);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : SweepReport{};
  }

  std::vector<cases::CaseView> Rectifications() {
    auto page = fx->engine->List(cases::Actor::System(), {.case_type = "rectification"});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items : std::vector<cases::CaseView>{};
  }

  std::vector<rules::FindingRecord> Findings(const std::string& rule) {
    auto all = rules::ListFindingRecords(*conn_);
    EXPECT_TRUE(all.ok());
    std::vector<rules::FindingRecord> out;
    for (auto& f : all.ok() ? *all : std::vector<rules::FindingRecord>{}) {
      if (f.rule_id == rule) out.push_back(f);
    }
    return out;
  }

  // The pack file without rule `id` (what next year's plan might drop).
  void DropRuleFromPack(const std::string& id) {
    YAML::Node pack = YAML::LoadFile(pack_path);
    YAML::Node kept(YAML::NodeType::Sequence);
    for (const auto& r : pack["rules"]) {
      if (r["id"].as<std::string>() != id) kept.push_back(r);
    }
    pack["rules"] = kept;
    std::ofstream(pack_path) << pack;
    Touch();
  }
  // A different modification time even within one clock tick of the file system.
  void Touch() {
    std::filesystem::last_write_time(pack_path, std::filesystem::last_write_time(pack_path) + std::chrono::seconds(5));
  }

  std::unique_ptr<Fixture> fx;
  std::optional<storage::ConnectionHandle> handle_;
  storage::Connection* conn_ = nullptr;
  int64_t class_id = 0;
  std::string pack_dir;
  std::string pack_path;
  std::unique_ptr<ComplianceService> service;
};

TEST_P(ServiceTest, AViolatingWeekOpensOneRectificationAndCorrectedDataSendsItToVerification) {
  Week(Date::FromYmd(2025, 11, 17), 120);
  SweepReport first = Sweep(kMonday);
  ASSERT_EQ(Findings(kRule).size(), 1u);
  EXPECT_EQ(Findings(kRule)[0].status, "open");
  EXPECT_EQ(Findings(kRule)[0].measured, 120);
  EXPECT_GE(first.cases.opened, 1);
  std::vector<cases::CaseView> cases = Rectifications();
  const cases::CaseView* hw = nullptr;
  for (const auto& c : cases) {
    if (c.category == "homework") hw = &c;
  }
  ASSERT_NE(hw, nullptr);
  EXPECT_EQ(hw->org_id, fx->school);
  EXPECT_EQ(hw->state, "open");
  EXPECT_TRUE(hw->due_at_us.has_value());
  // No school account can answer it in this fixture: its township does.
  EXPECT_EQ(hw->assignee_level, "township");
  const int64_t case_id = hw->id;

  // A second sweep changes nothing.
  SweepReport again = Sweep(kMonday);
  EXPECT_EQ(again.findings.opened, 0);
  EXPECT_EQ(again.cases.opened, 0);
  EXPECT_EQ(again.cases.linked, 0);
  EXPECT_EQ(Rectifications().size(), cases.size());

  // The school corrects the week: the finding resolves, the case awaits verification.
  Week(Date::FromYmd(2025, 11, 17), 60);
  SweepReport fixed = Sweep(kMonday);
  EXPECT_EQ(fixed.findings.resolved, 1);
  EXPECT_EQ(fixed.cases.to_verify, 1);
  auto view = fx->engine->Get(cases::Actor::System(), case_id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->state, "submitted");
  ASSERT_FALSE(view->events.empty());
  EXPECT_EQ(view->events.back().transition, "data_fixed");
  EXPECT_NE(view->events.back().comment.find("已整改"), std::string::npos) << view->events.back().comment;
  // The verifier signs it off.
  auto closed = fx->engine->Transition(cases::Actor::User(fx->supervision), case_id, {.transition = "verify"});
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_EQ(closed->state, "closed");
  EXPECT_EQ(Sweep(kMonday).cases.reopened, 0);
}

TEST_P(ServiceTest, ACancelledSweepWritesNothing) {
  Week(Date::FromYmd(2025, 11, 17), 120);
  SweepControl control;
  control.Cancel();
  auto r = service->Sweep(kMonday, &control);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "cancelled");
  EXPECT_TRUE(Findings(kRule).empty());
  EXPECT_TRUE(Rectifications().empty());
}

TEST_P(ServiceTest, APackThatStopsLoadingKeepsThePreviousPackAndFindings) {
  Week(Date::FromYmd(2025, 11, 17), 120);
  Sweep(kMonday);
  const size_t rules_before = service->pack()->pack().rules.size();
  std::ofstream(pack_path) << "rules: [this is: not a pack\n";
  Touch();
  auto r = service->Sweep(kMonday);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service->pack()->pack().rules.size(), rules_before);
  ASSERT_EQ(Findings(kRule).size(), 1u);
  EXPECT_EQ(Findings(kRule)[0].status, "open");
}

TEST_P(ServiceTest, ARuleThatLeavesThePackIsWithdrawnNotLeftOpen) {
  Week(Date::FromYmd(2025, 11, 17), 120);
  Sweep(kMonday);
  DropRuleFromPack(kRule);
  SweepReport r = Sweep(kMonday);
  EXPECT_EQ(r.withdrawn, 1);
  EXPECT_EQ(r.cases.withdrawn, 1);
  ASSERT_EQ(Findings(kRule).size(), 1u);
  EXPECT_EQ(Findings(kRule)[0].status, "resolved");
  EXPECT_EQ(Findings(kRule)[0].resolution, "rule_withdrawn");
  for (const auto& c : Rectifications()) {
    if (c.category == "homework") {
      EXPECT_EQ(c.state, "cancelled");
    }
  }
}

TEST_P(ServiceTest, ARunningWeekIsInProgressWithAProjectionNotPassed) {
  // Monday and Tuesday of this week at 150 minutes: no finding yet (the
  // week has not ended), but the group is running and at risk.
  auto rows = Week(kMonday.AddDays(-7), 60);  // last week: fine
  (void)rows;
  fx->clock.Set(cases::testfx::At("2025-11-25T18:00:00+08:00"));
  auto today = Week(kMonday, 150, 2);
  ASSERT_EQ(today.size(), 2u);
  auto r = service->Submit(*conn_, fx->leader, "homework", today);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const InProgressGroup* week = nullptr;
  for (const auto& g : r->in_progress) {
    if (g.rule->id == kRule) week = &g;
  }
  ASSERT_NE(week, nullptr);
  EXPECT_EQ(week->group.period_start, "2025-11-24");
  EXPECT_EQ(week->group.measured, 150);
  EXPECT_EQ(week->group.threshold, 90);
  EXPECT_EQ(week->projected, 150);  // an average is already the rate
  // The rule counts school days (days: school): Monday and Tuesday of the
  // week's five (Monday–Friday, no holiday that week), not 2 of 7.
  EXPECT_EQ(week->days_elapsed, 2);
  EXPECT_EQ(week->days_total, 5);
  EXPECT_TRUE(week->at_risk);
  EXPECT_TRUE(Findings(kRule).empty());  // judged once the week ends
}

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::compliance
