// The live image (live_image.h) against the full sweep: after N random form
// submissions (homework days, corrections of a day already entered, study
// tours, exam days), each applied to the live image and re-checked over it,
// the stored open findings of the rules those datasets feed equal the
// findings of a full sweep (`edugov check`: the whole store loaded afresh,
// every rule evaluated) — and the live image equals a fresh load. On SQLite,
// and PostgreSQL when EDUGOV_TEST_PG_URL is set.
#include "rules/live_image.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "datasets/import.h"
#include "datasets/store.h"
#include "registry/registry.h"
#include "rules/evaluator.h"
#include "rules/findings_store.h"
#include "rules/recheck_test_support.h"
#include "testing/test_db.h"

namespace edugov::rules {
namespace {

using storage::Backend;

// County 1 › townships 2, 3 › schools 10 (primary), 11 (junior), 12
// (nine-year) under 2 and 13 (primary) under 3, classes of several grades.
Status SeedTestRegistry(storage::Connection& c) {
  RETURN_IF_ERROR(c.Execute(
      "INSERT INTO orgs (id, parent_id, kind, code, name, path, stage, created_at, updated_at) VALUES "
      "(1, NULL, 'county', 'C1', '安化县', '/1/', NULL, 0, 0), "
      "(2, 1, 'township', 'T2', '东坪镇', '/1/2/', NULL, 0, 0), "
      "(3, 1, 'township', 'T3', '梅城镇', '/1/3/', NULL, 0, 0), "
      "(10, 2, 'school', 'S10', '江英学校', '/1/2/10/', 'primary', 0, 0), "
      "(11, 2, 'school', 'S11', '东坪中学', '/1/2/11/', 'junior', 0, 0), "
      "(12, 2, 'school', 'S12', '九年一贯制学校', '/1/2/12/', 'nine_year', 0, 0), "
      "(13, 3, 'school', 'S13', '梅城小学', '/1/3/13/', 'primary', 0, 0)")
                      .status());
  return c.Execute("INSERT INTO classes (id, school_id, grade, name, created_at, updated_at) VALUES "
                   "(100, 10, 1, '一年级1班', 0, 0), (101, 10, 4, '四年级1班', 0, 0), "
                   "(110, 11, 7, '七年级1班', 0, 0), (111, 11, 8, '八年级1班', 0, 0), "
                   "(120, 12, 2, '二年级1班', 0, 0), (121, 12, 5, '五年级1班', 0, 0), "
                   "(122, 12, 9, '九年级1班', 0, 0), (130, 13, 3, '三年级1班', 0, 0)")
      .status();
}

using testing_support::Bureau;

// (rule, entity type, entity id, period start) → measured, evidence.
using Key = std::tuple<std::string, std::string, int64_t, std::string>;
using Seen = std::map<Key, std::pair<double, std::string>>;

class LiveImageTest : public testing_support::RecheckFixture {
 protected:
  Status SeedRegistry(storage::Connection& c) override { return SeedTestRegistry(c); }

  // One form row as the /datasets/{name}/rows route handles it: import, then
  // apply + re-check over the live image.
  void Submit(const std::string& dataset, std::vector<std::string> header, std::vector<std::string> cells) {
    datasets::MemoryRowSource source(std::move(header), {std::move(cells)});
    datasets::ImportOptions options{.file_name = "web form", .format = "form", .collect_landed = true};
    auto report = datasets::Import(conn(), Bureau(), clock_, Schema(dataset), source, options, nullptr);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->rows_ok, 1) << (report->problems.empty() ? "" : report->problems[0].reason_en);
    auto s = rechecker_->Recheck(conn(), clock_, dataset, report->landed);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  }

  // The stored open findings of `rules`.
  Seen StoredOpen(const std::set<std::string>& rules) {
    Seen out;
    auto rs = conn().Query("SELECT rule_id, entity_type, entity_id, period_start, measured, evidence_json "
                           "FROM findings WHERE status = 'open'");
    EXPECT_TRUE(rs.ok());
    if (!rs.ok()) return out;
    for (size_t i = 0; i < rs->size(); ++i) {
      if (!rules.count(rs->GetText(i, 0))) continue;
      out[{rs->GetText(i, 0), rs->GetText(i, 1), rs->GetInt(i, 2), rs->GetText(i, 3)}] = {rs->GetDouble(i, 4),
                                                                                         rs->GetText(i, 5)};
    }
    return out;
  }

  // What `edugov check` finds: the store loaded afresh, every rule evaluated.
  Seen Sweep(const std::set<std::string>& rules, Date as_of, datasets::ColumnarImage* loaded = nullptr) {
    Seen out;
    auto reg = datasets::LoadRegistryImage(conn(), as_of);
    EXPECT_TRUE(reg.ok());
    auto image = datasets::LoadImage(conn(), rechecker_->pack().datasets, std::move(*reg));
    EXPECT_TRUE(image.ok());
    auto result = Evaluate(rechecker_->pack(), *image, CompileOptions{as_of, {}});
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    for (const Finding& f : result->findings) {
      if (!rules.count(f.rule_id)) continue;
      nlohmann::json ev{{"dataset", f.evidence_dataset}, {"row_ids", f.evidence_row_ids}};
      out[{f.rule_id, f.entity_type, f.entity_id, f.period_start}] = {f.measured, ev.dump()};
    }
    if (loaded) *loaded = std::move(*image);
    return out;
  }

  // The homework rules' stored open findings equal a sweep's (which finds
  // some), and the live homework image equals a fresh load.
  void ExpectHomeworkAsSwept(Date as_of) {
    const std::set<std::string> rules = {"homework-grades-1-2-none", "homework-grades-3-6-average",
                                         "homework-grades-7-9-average", "homework-no-phone"};
    datasets::ColumnarImage fresh;
    const Seen sweep = Sweep(rules, as_of, &fresh);
    EXPECT_GE(sweep.size(), 3u);
    EXPECT_EQ(StoredOpen(rules), sweep);
    rechecker_->live().Read([&](const datasets::ColumnarImage& live) {
      const datasets::DatasetImage* a = live.Find("homework");
      const datasets::DatasetImage* b = fresh.Find("homework");
      ASSERT_TRUE(a && b);
      EXPECT_EQ(a->row_id, b->row_id);
      EXPECT_EQ(a->entity, b->entity);
      EXPECT_EQ(a->columns[2].i32, b->columns[2].i32);
    });
  }

};

TEST_P(LiveImageTest, RandomSubmissionsLeaveTheSweepsFindings) {
  // Monday 2025-11-24 12:00 in China: the weeks of 11-03 … 11-21 are judged.
  clock_.Set(TimePoint(std::chrono::seconds(1763956800)));
  const Date as_of = registry::ChinaDate(clock_.Now());
  ASSERT_EQ(as_of.ToString(), "2025-11-24");
  const std::vector<int64_t> classes = {100, 101, 110, 111, 120, 121, 122, 130};
  const std::vector<std::string> schools = {"S10", "S11", "S12", "S13"};
  std::mt19937_64 rng(20251124);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  auto day = [&](int offset) { return Date::FromYmd(2025, 11, 3).AddDays(offset).ToString(); };
  const int kSubmissions = 120;
  for (int i = 0; i < kSubmissions; ++i) {
    const int kind = pick(20);
    // Fifteen weekdays of three weeks; a small range, so keys repeat and
    // corrections replace rows in place.
    const int d = pick(3) * 7 + pick(5);
    if (kind < 16) {
      const int minutes = pick(4) == 0 ? 0 : pick(150);
      Submit("homework", {"class_id", "date", "written_minutes", "phone_based"},
             {std::to_string(classes[static_cast<size_t>(pick(8))]), day(d), std::to_string(minutes),
              pick(10) == 0 ? "1" : "0"});
    } else if (kind < 18) {
      Submit("study_tours", {"class_id", "date", "until", "approved"},
             {std::to_string(classes[static_cast<size_t>(pick(8))]), day(d), day(d + pick(2)),
              pick(3) == 0 ? "0" : "1"});
    } else {
      Submit("exam_days", {"school_id", "date", "until", "name"},
             {schools[static_cast<size_t>(pick(4))], day(d), day(d + pick(2)), "期中考试"});
    }
    if (HasFatalFailure()) return;
  }
  std::set<std::string> rules;
  for (const char* ds : {"homework", "study_tours", "exam_days"}) {
    for (const bound::Rule& r : rechecker_->pack().rules) {
      bool hit = r.check.source == bound::SourceKind::kDataset &&
                 rechecker_->pack().datasets[static_cast<size_t>(r.check.dataset)].name == ds;
      for (const bound::Unless& u : r.unless) hit = hit || rechecker_->pack().datasets[static_cast<size_t>(u.dataset)].name == ds;
      if (hit) rules.insert(r.id);
    }
  }
  ASSERT_GE(rules.size(), 4u);
  datasets::ColumnarImage fresh;
  const Seen sweep = Sweep(rules, as_of, &fresh);
  const Seen stored = StoredOpen(rules);
  EXPECT_GT(sweep.size(), 5u) << "the random data should break some norms";
  EXPECT_EQ(stored.size(), sweep.size());
  for (const auto& [k, v] : sweep) {
    auto it = stored.find(k);
    if (it == stored.end()) {
      ADD_FAILURE() << "the sweep finds " << std::get<0>(k) << " " << std::get<2>(k) << " " << std::get<3>(k)
                    << ", the re-checks did not";
      continue;
    }
    EXPECT_EQ(it->second.first, v.first) << std::get<0>(k) << " " << std::get<2>(k) << " " << std::get<3>(k);
    EXPECT_EQ(it->second.second, v.second) << std::get<0>(k) << " " << std::get<2>(k);
  }
  for (const auto& [k, v] : stored) {
    EXPECT_TRUE(sweep.count(k)) << "stored open, the sweep does not find: " << std::get<0>(k) << " "
                                << std::get<2>(k) << " " << std::get<3>(k);
  }

  // The live image holds what a fresh load gives, row for row.
  const LiveImage::Stats stats = rechecker_->live().GetStats();
  EXPECT_EQ(stats.loads, 1) << "one load at first use, every later row applied";
  EXPECT_EQ(stats.applied, kSubmissions - 1);
  rechecker_->live().Read([&](const datasets::ColumnarImage& live) {
    ASSERT_EQ(live.datasets.size(), fresh.datasets.size());
    for (size_t d = 0; d < fresh.datasets.size(); ++d) {
      const datasets::DatasetImage& a = live.datasets[d];
      const datasets::DatasetImage& b = fresh.datasets[d];
      SCOPED_TRACE(b.schema.name);
      EXPECT_EQ(a.row_id, b.row_id);
      EXPECT_EQ(a.entity, b.entity);
      if (b.size() > 0) {
        EXPECT_EQ(a.min_day, b.min_day);
        EXPECT_EQ(a.max_day, b.max_day);
      }
      for (size_t c = 0; c < b.columns.size(); ++c) {
        EXPECT_EQ(a.columns[c].i32, b.columns[c].i32) << b.schema.columns[c].name;
        EXPECT_EQ(a.columns[c].b8, b.columns[c].b8) << b.schema.columns[c].name;
        EXPECT_EQ(a.columns[c].i64, b.columns[c].i64) << b.schema.columns[c].name;
      }
    }
  });
}

// Four threads, each with its own connection, submit and re-check at once
// (classes of schools in the same township share a stripe; the image lock is
// shared by all): the stored findings still equal the sweep's, and the live
// image a fresh load.
TEST_P(LiveImageTest, ConcurrentSubmissionsLeaveTheSweepsFindings) {
  clock_.Set(TimePoint(std::chrono::seconds(1763956800)));
  const Date as_of = registry::ChinaDate(clock_.Now());
  const std::vector<std::vector<int64_t>> per_thread = {{100, 101}, {110, 111}, {120, 121, 122}, {130}};
  std::vector<std::string> errors(per_thread.size());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < per_thread.size(); ++t) {
    threads.emplace_back([&, t] {
      auto handle = db_->db().Acquire();
      if (!handle.ok()) {
        errors[t] = handle.status().ToString();
        return;
      }
      std::mt19937_64 rng(t + 1);
      for (int i = 0; i < 15; ++i) {
        const int64_t cls = per_thread[t][rng() % per_thread[t].size()];
        const std::string day = Date::FromYmd(2025, 11, 3).AddDays(static_cast<int>(rng() % 3) * 7 +
                                                                     static_cast<int>(rng() % 5)).ToString();
        datasets::MemoryRowSource source({"class_id", "date", "written_minutes", "phone_based"},
                                         {{std::to_string(cls), day, std::to_string(rng() % 150), "0"}});
        datasets::ImportOptions options{.file_name = "web form", .format = "form", .collect_landed = true};
        auto report = datasets::Import(**handle, Bureau(), clock_, Schema("homework"), source, options, nullptr);
        if (!report.ok() || report->rows_ok != 1) {
          errors[t] = report.ok() ? "row rejected" : report.status().ToString();
          return;
        }
        auto s = rechecker_->Recheck(**handle, clock_, "homework", report->landed);
        if (!s.ok()) {
          errors[t] = s.status().ToString();
          return;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  ExpectHomeworkAsSwept(as_of);
}

// Two forms racing commit out of row_id order: the later-committed, smaller
// row_id moves into place and the per-school row lists shift — then
// corrections of those very rows re-check against them. Findings and the
// image still equal a fresh load's, without a reload.
TEST_P(LiveImageTest, RowsAppliedOutOfRowIdOrderStayInPlace) {
  clock_.Set(TimePoint(std::chrono::seconds(1763956800)));
  const Date as_of = registry::ChinaDate(clock_.Now());
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"130", "2025-11-03", "10", "0"});
  const int64_t loads = rechecker_->live().GetStats().loads;
  // Imported in this order (row ids ascending), applied in the reverse order.
  const std::vector<std::vector<std::string>> rows = {
      {"100", "2025-11-04", "20", "0"}, {"101", "2025-11-05", "95", "0"}, {"110", "2025-11-06", "130", "0"},
      {"101", "2025-11-06", "90", "1"}, {"120", "2025-11-07", "15", "0"}, {"122", "2025-11-10", "120", "0"}};
  std::vector<std::vector<datasets::IngestedRow>> landed;
  for (const auto& cells : rows) {
    datasets::MemoryRowSource source({"class_id", "date", "written_minutes", "phone_based"}, {cells});
    datasets::ImportOptions options{.file_name = "web form", .format = "form", .collect_landed = true};
    auto report = datasets::Import(conn(), Bureau(), clock_, Schema("homework"), source, options, nullptr);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->rows_ok, 1);
    landed.push_back(report->landed);
  }
  for (auto it = landed.rbegin(); it != landed.rend(); ++it) {
    auto s = rechecker_->Recheck(conn(), clock_, "homework", *it);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  }
  // Corrections (same keys, so replaced in place) of the moved rows.
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"100", "2025-11-04", "5", "0"});
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"101", "2025-11-05", "30", "0"});
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"122", "2025-11-10", "200", "0"});
  EXPECT_EQ(rechecker_->live().GetStats().loads, loads) << "no reload: the rows were put in place";

  ExpectHomeworkAsSwept(as_of);
}

// The image is reloaded on a new China date (rural years are computed as of
// a date) and after a row names a class created since the load.
TEST_P(LiveImageTest, ReloadsWhenTheDateChanges) {
  clock_.Set(TimePoint(std::chrono::seconds(1763956800)));
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"100", "2025-11-12", "30", "0"});
  EXPECT_EQ(rechecker_->live().GetStats().loads, 1);
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"101", "2025-11-12", "30", "0"});
  EXPECT_EQ(rechecker_->live().GetStats().loads, 1);
  clock_.Advance(std::chrono::hours(24));
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"110", "2025-11-12", "30", "0"});
  EXPECT_EQ(rechecker_->live().GetStats().loads, 2);
  // A class created after the load: its row reloads the image on next use.
  ASSERT_TRUE(conn().Execute("INSERT INTO classes (id, school_id, grade, name, created_at, updated_at) VALUES "
                             "(102, 10, 2, '二年级1班', 0, 0)")
                  .ok());
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"102", "2025-11-12", "30", "0"});
  const auto open = StoredOpen({"homework-grades-1-2-none"});
  EXPECT_TRUE(open.count({"homework-grades-1-2-none", "class", 102, "2025-11-12"}))
      << "the new class's finding is opened after the reload";
  EXPECT_EQ(rechecker_->live().GetStats().loads, 3);
}

// A registry edit made through the registry's API reaches the live
// image — the re-check after it judges the class by its new grade.
TEST_P(LiveImageTest, ARegistryEditReachesTheNextRecheck) {
  clock_.Set(TimePoint(std::chrono::seconds(1763956800)));
  // Class 101 is in grade 4: 30 written minutes break no norm.
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"101", "2025-11-11", "30", "0"});
  EXPECT_FALSE(StoredOpen({"homework-grades-1-2-none"}).count({"homework-grades-1-2-none", "class", 101, "2025-11-11"}));
  const int64_t loads = rechecker_->live().GetStats().loads;
  // The school corrects the class's grade to 2 (no written homework allowed).
  auto edited = registry::UpdateClass(conn(), Bureau(), clock_, 101, {.grade = 2});
  ASSERT_TRUE(edited.ok()) << edited.status().ToString();
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"101", "2025-11-12", "30", "0"});
  EXPECT_TRUE(StoredOpen({"homework-grades-1-2-none"}).count({"homework-grades-1-2-none", "class", 101, "2025-11-12"}))
      << "the re-check judged class 101 by its old grade";
  EXPECT_EQ(rechecker_->live().GetStats().loads, loads + 1) << "the edit reloads the image once";
  // No edit since: the next re-check needs no reload.
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"101", "2025-11-13", "30", "0"});
  EXPECT_EQ(rechecker_->live().GetStats().loads, loads + 1);
}

// A registry edit made by another process (`edugov registry import` beside
// the server, a second server node) reaches the live image too: the
// registry's change counter lives in the database, so this process sees it
// move. Here the other process is what its write leaves in the database:
// the class row changed and the counter's row bumped, with nothing of this
// process involved.
TEST_P(LiveImageTest, ARegistryEditOfAnotherProcessReachesTheNextRecheck) {
  clock_.Set(TimePoint(std::chrono::seconds(1763956800)));
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"101", "2025-11-11", "30", "0"});
  const int64_t loads = rechecker_->live().GetStats().loads;
  ASSERT_TRUE(conn().Execute("UPDATE classes SET grade = 2 WHERE id = 101").ok());
  ASSERT_TRUE(conn().Execute("UPDATE store_generations SET generation = generation + 1 WHERE store = 'registry'").ok());
  Submit("homework", {"class_id", "date", "written_minutes", "phone_based"}, {"101", "2025-11-12", "30", "0"});
  EXPECT_TRUE(StoredOpen({"homework-grades-1-2-none"}).count({"homework-grades-1-2-none", "class", 101, "2025-11-12"}))
      << "the re-check judged class 101 by its old grade";
  EXPECT_EQ(rechecker_->live().GetStats().loads, loads + 1);
}

// A school-level rule's re-check reaches the orgs above the school
// (a 中心学校 is a school too), so a teacher's answer must not list their ids.
// (Class-level rules are re-checked for the submitted classes alone.)
TEST_P(LiveImageTest, TheSubmitterIsAnsweredOnlyWithFindingsTheyMayOpen) {
  clock_.Set(TimePoint(std::chrono::seconds(1772323200)));  // 2026-03-01: the autumn semester is judged
  ASSERT_TRUE(conn().Execute("UPDATE orgs SET stage = 'nine_year' WHERE id = 2").ok());

  const accounts::Principal teacher{.user_id = 7, .username = "laoshi", .role = accounts::Role::kTeacher,
                                    .org_id = 10, .org_path = "/1/2/10/"};
  // One fee spot check where the plan asks two a semester, one of them full:
  // findings for the teacher's school, and for the township's own school.
  datasets::MemoryRowSource source({"school_id", "date", "kind", "mode"}, {{"S10", "2025-10-15", "收费", "重点抽查"}});
  datasets::ImportOptions options{.file_name = "web form", .format = "form", .collect_landed = true};
  auto report = datasets::Import(conn(), teacher, clock_, Schema("inspections"), source, options, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->rows_ok, 1) << (report->problems.empty() ? "" : report->problems[0].reason_en);
  auto all = rechecker_->Recheck(conn(), clock_, "inspections", report->landed);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  auto answered = rechecker_->Recheck(conn(), clock_, "inspections", report->landed, teacher);
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();

  // The unfiltered summary holds the township class's finding (the leak this guards against) …
  auto path_of = [&](int64_t id) {
    auto rs = conn().Query("SELECT org_path FROM findings WHERE id = $1", {storage::Value(id)});
    EXPECT_TRUE(rs.ok() && rs->size() == 1);
    return rs.ok() && rs->size() == 1 ? rs->GetText(0, 0) : std::string();
  };
  int hidden = 0;
  for (int64_t id : all->open_finding_ids) hidden += teacher.CanSee(path_of(id)) ? 0 : 1;
  EXPECT_GE(hidden, 1) << "the scope should reach the township's own school finding";
  // … the answer to the teacher only what the teacher may open, and all of it.
  ASSERT_EQ(answered->open_finding_ids.size(), answered->open_finding_org_paths.size());
  EXPECT_EQ(answered->open_finding_ids.size() + static_cast<size_t>(hidden), all->open_finding_ids.size());
  EXPECT_FALSE(answered->open_finding_ids.empty());
  for (size_t i = 0; i < answered->open_finding_ids.size(); ++i) {
    EXPECT_EQ(path_of(answered->open_finding_ids[i]), answered->open_finding_org_paths[i]);
    EXPECT_TRUE(teacher.CanSee(answered->open_finding_org_paths[i]))
        << "finding " << answered->open_finding_ids[i] << " at " << answered->open_finding_org_paths[i];
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LiveImageTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::rules
