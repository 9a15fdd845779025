#include "demo/semester_demo.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "datasets/columnar.h"
#include "demo/demo_data.h"
#include "rules/binder.h"
#include "rules/evaluator.h"
#include "rules/policy_parser.h"
#include "testing/test_db.h"

namespace edugov::demo {
namespace {

const std::string kPack = std::string(EDUGOV_SOURCE_DIR) + "/policy/anhua-2025.yaml";
const std::string kCalendar = std::string(EDUGOV_SOURCE_DIR) + "/policy/calendar/cn-2025-2026.yaml";

SemesterDemoOptions Options(uint64_t seed) {
  return {.policy_path = kPack, .calendar_path = kCalendar, .semester = "2025-autumn", .seed = seed};
}

// SQLite always; PostgreSQL too when EDUGOV_TEST_PG_URL is set.
class SemesterDemoTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  // A migrated database with the county registry (seed 1).
  static std::unique_ptr<edugov::testing::TestDb> County(storage::Backend backend, const Clock& clock) {
    auto db = edugov::testing::TestDb::Create(backend);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return nullptr;
    auto out = std::make_unique<edugov::testing::TestDb>(std::move(db).value());
    auto conn = out->db().Acquire();
    EXPECT_TRUE(conn.ok());
    auto reg = GenerateDemoData(**conn, clock, EDUGOV_DEMO_YAML, Scale::kCounty, 1);
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    return out;
  }
  // A fingerprint of the written rows: any changed value changes it.
  static std::vector<std::string> Fingerprint(storage::Connection& conn) {
    std::vector<std::string> out;
    // Each aggregate as text, so both backends' numeric types compare.
    const char* kQueries[][2] = {
        {"ds_homework", "COUNT(*)|SUM(class_id * written_minutes)|SUM(phone_based * class_id)|SUM(written_minutes)"},
        {"ds_inspections", "COUNT(*)|SUM(school_id * LENGTH(inspector))|MIN(date)|MAX(date)"},
        {"ds_parent_trainings", "COUNT(*)|SUM(school_id * attendees)|MIN(date)|MAX(date)"},
        {"ds_study_tours", "COUNT(*)|SUM(class_id * approved)|MIN(date)|MAX(until)"},
        {"ds_exam_days", "COUNT(*)|SUM(school_id)|MIN(date)|MAX(until)"},
    };
    for (const auto& [table, exprs] : kQueries) {
      std::string q = "SELECT ";
      std::string e = exprs;
      for (size_t at = 0, n = 0; at <= e.size(); ++n) {
        const size_t bar = std::min(e.find('|', at), e.size());
        q += (n ? ", CAST(" : "CAST(") + e.substr(at, bar - at) + " AS TEXT)";
        at = bar + 1;
      }
      q += std::string(" FROM ") + table;
      auto rs = conn.Query(q);
      EXPECT_TRUE(rs.ok()) << rs.status().ToString();
      if (!rs.ok()) continue;
      std::string row;
      for (size_t c = 0; c < 4; ++c) row += (rs->IsNull(0, c) ? "NULL" : rs->GetText(0, c)) + "|";
      out.push_back(row);
    }
    return out;
  }

  FakeClock clock_{ParseTimestamp("2025-09-01T08:00:00+08:00").value()};
};

TEST_P(SemesterDemoTest, CountsRepeatBySeedAndTheRulesFindExactlyWhatWasPlanted) {
  auto db = County(GetParam(), clock_);
  ASSERT_TRUE(db);
  auto conn = db->db().Acquire();
  ASSERT_TRUE(conn.ok());
  auto s = GenerateSemesterDemo(**conn, clock_, Options(1));
  ASSERT_TRUE(s.ok()) << s.status().ToString();

  // 2025-09-01 .. 2026-01-23 on the working calendar: 100 school days
  // (National Day week off, Sept 28 and Oct 11 worked; 元旦 Jan 1–3 off,
  // Sunday Jan 4 worked).
  EXPECT_EQ(s->school_days, 100);
  EXPECT_EQ(s->rows.size(), 5u);
  for (const auto& [name, n] : s->rows) {
    auto rs = (*conn)->Query("SELECT COUNT(*) FROM ds_" + name);
    ASSERT_TRUE(rs.ok()) << rs.status().ToString();
    EXPECT_EQ(rs->GetInt(0, 0), n) << name;
    EXPECT_GT(n, 0) << name;
  }
  // One homework row per class of grades 1–9 of a primary, nine-year,
  // junior or complete secondary school and school day.
  auto classes = (*conn)->Query(
      "SELECT COUNT(*) FROM classes c JOIN orgs o ON o.id = c.school_id WHERE c.grade BETWEEN 1 AND 9 "
      "AND o.stage IN ('primary', 'nine_year', 'junior', 'complete_secondary')");
  ASSERT_TRUE(classes.ok()) << classes.status().ToString();
  EXPECT_GT(classes->GetInt(0, 0), 1000);
  EXPECT_EQ(s->rows.at("homework"), classes->GetInt(0, 0) * 100);
  auto weekend = (*conn)->Query("SELECT COUNT(*) FROM ds_homework WHERE date IN ('2025-10-01', '2025-10-04', "
                                "'2026-01-01', '2025-09-27')");
  ASSERT_TRUE(weekend.ok());
  EXPECT_EQ(weekend->GetInt(0, 0), 0) << "no homework rows on holidays or weekends";
  auto makeup = (*conn)->Query("SELECT COUNT(*) FROM ds_homework WHERE date = '2025-10-11'");
  ASSERT_TRUE(makeup.ok());
  EXPECT_EQ(makeup->GetInt(0, 0), classes->GetInt(0, 0)) << "the make-up Saturday is a school day";
  // Two semesters of inspections: both 2025 semesters are judged.
  auto spring = (*conn)->Query("SELECT COUNT(*) FROM ds_inspections WHERE date < '2025-07-06'");
  ASSERT_TRUE(spring.ok());
  EXPECT_GT(spring->GetInt(0, 0), 0);
  EXPECT_GT(s->exempted_over_limit, 0);
  EXPECT_GT(s->unapproved_tour_over_limit, 0);

  // Twice is refused: the tables already have rows.
  EXPECT_EQ(GenerateSemesterDemo(**conn, clock_, Options(1)).status().code(), StatusCode::kFailedPrecondition);

  // The engine over these rows finds exactly the planted violations, no
  // exempted row among them, for every homework, inspection and training rule.
  auto ast = rules::ParsePolicyFile(kPack);
  ASSERT_TRUE(ast.ok());
  auto pack = rules::Bind(*ast);
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  const Date as_of = Date::FromYmd(2026, 1, 23);
  auto reg = datasets::LoadRegistryImage(**conn, as_of);
  ASSERT_TRUE(reg.ok());
  auto image = datasets::LoadImage(**conn, pack->datasets, std::move(*reg));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  auto result = rules::Evaluate(*pack, *image, {as_of, {}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::map<std::string, std::set<EntityPeriod>> found;
  std::set<int64_t> clause3_schools, planted3;
  for (const auto& f : result->findings) {
    found[f.rule_id].insert({f.entity_id, f.period_start});
    if (f.clause == "3") clause3_schools.insert(f.entity_id);
  }
  ASSERT_EQ(s->expected.size(), 8u);
  for (const auto& [rule, expected] : s->expected) {
    EXPECT_GE(expected.size(), 1u) << rule;
    EXPECT_EQ(found[rule], expected) << rule;
    if (rule.find("inspections") != std::string::npos || rule.find("inspection-") != std::string::npos) {
      for (const auto& [school, period] : expected) planted3.insert(school);
    }
  }
  EXPECT_EQ(clause3_schools, planted3) << "clause-3 findings only for the planted schools";
  auto schools = (*conn)->Query("SELECT COUNT(*) FROM orgs WHERE stage IS NOT NULL");
  ASSERT_TRUE(schools.ok());
  EXPECT_LT(static_cast<int64_t>(planted3.size()), schools->GetInt(0, 0) / 4) << "a few schools, not all";

  // The same registry and seed give the same rows (a second database); another
  // seed gives others.
  const std::vector<std::string> fp1 = Fingerprint(**conn);
  for (uint64_t seed : {uint64_t{1}, uint64_t{2}}) {
    auto db2 = County(GetParam(), clock_);
    ASSERT_TRUE(db2);
    auto c2 = db2->db().Acquire();
    ASSERT_TRUE(c2.ok());
    auto s2 = GenerateSemesterDemo(**c2, clock_, Options(seed));
    ASSERT_TRUE(s2.ok()) << s2.status().ToString();
    if (seed == 1) {
      EXPECT_EQ(s2->rows, s->rows);
      EXPECT_EQ(s2->expected, s->expected);
      EXPECT_EQ(Fingerprint(**c2), fp1);
    } else {
      EXPECT_NE(Fingerprint(**c2), fp1);
    }
  }
}

TEST_P(SemesterDemoTest, AnUnknownSemesterIsRefusedByName) {
  auto db = County(GetParam(), clock_);
  ASSERT_TRUE(db);
  auto conn = db->db().Acquire();
  ASSERT_TRUE(conn.ok());
  SemesterDemoOptions o = Options(1);
  o.semester = "2031-summer";  // 2031-spring would be a provisional semester of the pack
  auto s = GenerateSemesterDemo(**conn, clock_, o);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().ToString().find("2031-summer"), std::string::npos) << s.status().ToString();
}

// Anchored on 2026-12-07 (`edugov demo-data --today`): the semester running
// the day before is the pack's provisional 2026-autumn, cut short there —
// homework up to 2026-12-06, exam days still planned for January, and
// inspections of every semester up to it.
TEST_P(SemesterDemoTest, ARunningProvisionalSemesterIsCutShortAtThrough) {
  auto db = County(GetParam(), clock_);
  ASSERT_TRUE(db);
  auto conn = db->db().Acquire();
  ASSERT_TRUE(conn.ok());
  SemesterDemoOptions o = Options(1);
  o.semester = "";
  o.through = Date::FromYmd(2026, 12, 6);
  auto s = GenerateSemesterDemo(**conn, clock_, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->semester, "2026-autumn");
  EXPECT_EQ(s->from, "2026-09-01");
  EXPECT_EQ(s->to, "2026-12-06");
  auto hw = (*conn)->Query("SELECT CAST(MIN(date) AS TEXT), CAST(MAX(date) AS TEXT), COUNT(DISTINCT date) FROM ds_homework");
  ASSERT_TRUE(hw.ok());
  EXPECT_EQ(hw->GetText(0, 0), "2026-09-01");
  // 2026-12-06 is a Sunday: the last school day is Friday the 4th.
  EXPECT_EQ(hw->GetText(0, 1), "2026-12-04");
  EXPECT_EQ(hw->GetInt(0, 2), s->school_days);
  auto exams = (*conn)->Query("SELECT CAST(MAX(until) AS TEXT) FROM ds_exam_days");
  ASSERT_TRUE(exams.ok());
  EXPECT_GT(exams->GetText(0, 0), "2027-01-01");
  auto insp = (*conn)->Query("SELECT CAST(MIN(date) AS TEXT), CAST(MAX(date) AS TEXT) FROM ds_inspections");
  ASSERT_TRUE(insp.ok());
  EXPECT_LT(insp->GetText(0, 0), "2025-07-06");  // 2025-spring
  EXPECT_LE(insp->GetText(0, 1), "2026-12-06");
  EXPECT_GE(insp->GetText(0, 1), "2026-09-01");
  // The running semester's per-semester rules are not judged yet: nothing expected of it.
  for (const auto& [rule, found] : s->expected) {
    for (const auto& [entity, period] : found) EXPECT_NE(period, "2026-09-01") << rule;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SemesterDemoTest, ::testing::ValuesIn(edugov::testing::TestBackends()),
                         [](const auto& info) { return edugov::testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::demo
