#include "demo/dataset_demo.h"

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

// SQLite always; PostgreSQL too when EDUGOV_TEST_PG_URL is set.
class DatasetDemoTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    auto db = edugov::testing::TestDb::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::make_unique<edugov::testing::TestDb>(std::move(db).value());
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    conn_ = std::make_unique<storage::ConnectionHandle>(std::move(conn).value());
    auto reg = GenerateDemoData(**conn_, clock_, EDUGOV_DEMO_YAML, Scale::kCounty, 1);
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  }
  void TearDown() override {
    conn_.reset();  // back to its pool before the pool goes
    db_.reset();
  }

  FakeClock clock_{ParseTimestamp("2025-09-01T08:00:00+08:00").value()};
  std::unique_ptr<edugov::testing::TestDb> db_;
  std::unique_ptr<storage::ConnectionHandle> conn_;
};

TEST_P(DatasetDemoTest, EveryNewClauseHasFindingsAndTheRowsRepeat) {
  const std::string pack_file = std::string(EDUGOV_SOURCE_DIR) + "/policy/anhua-2025.yaml";
  auto s = GenerateDatasetDemo(**conn_, clock_, pack_file, 1);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows.size(), 10u);
  for (const auto& [name, n] : s->rows) {
    auto rs = (*conn_)->Query("SELECT COUNT(*) FROM ds_" + name);
    ASSERT_TRUE(rs.ok()) << rs.status().ToString();
    EXPECT_EQ(rs->GetInt(0, 0), n) << name;
    EXPECT_GT(n, 0) << name;
  }
  // Twice is refused: the tables already have rows.
  EXPECT_EQ(GenerateDatasetDemo(**conn_, clock_, pack_file, 1).status().code(), StatusCode::kFailedPrecondition);

  // The same registry and seed give the same rows (a second database).
  auto db2 = edugov::testing::TestDb::Create(GetParam());
  ASSERT_TRUE(db2.ok());
  {
    auto c2 = db2->db().Acquire();
    ASSERT_TRUE(c2.ok());
    ASSERT_TRUE(GenerateDemoData(**c2, clock_, EDUGOV_DEMO_YAML, Scale::kCounty, 1).ok());
    auto s2 = GenerateDatasetDemo(**c2, clock_, pack_file, 1);
    ASSERT_TRUE(s2.ok());
    EXPECT_EQ(s2->rows, s->rows);
    const std::string q = "SELECT SUM(equipment_spend), SUM(public_funds) FROM ds_school_funds";
    auto a = (*conn_)->Query(q);
    auto b = (*c2)->Query(q);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_DOUBLE_EQ(a->GetDouble(0, 0), b->GetDouble(0, 0));
    EXPECT_DOUBLE_EQ(a->GetDouble(0, 1), b->GetDouble(0, 1));
  }

  // The pack finds the planted violations: a few, not thousands.
  auto ast = rules::ParsePolicyFile(pack_file);
  ASSERT_TRUE(ast.ok());
  auto pack = rules::Bind(*ast);
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  const Date as_of = Date::FromYmd(2025, 12, 31);
  auto reg = datasets::LoadRegistryImage(**conn_, as_of);
  ASSERT_TRUE(reg.ok());
  auto image = datasets::LoadImage(**conn_, pack->datasets, std::move(*reg));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  auto result = rules::Evaluate(*pack, *image, {as_of, {}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::map<std::string, int> by_rule;
  for (const auto& f : result->findings) ++by_rule[f.rule_id];
  for (const char* rule : {"teacher-pay-vs-civil-servants", "per-student-spending-only-rises",
                           "equipment-spend-share", "no-new-substitute-teachers", "evaluation-failed-two-years",
                           "eye-exercises-twice-daily", "in-school-activity-one-hour", "sports-meet-per-year",
                           "routine-test-pass-share", "routine-test-excellent-share",
                           "routine-test-all-registered-sit"}) {
    EXPECT_GE(by_rule[rule], 1) << rule;
    EXPECT_LE(by_rule[rule], 200) << rule;
  }
  std::set<std::string> statuses;
  for (const auto& t : result->targets) statuses.insert(std::string(rules::TargetStatusName(t.status)));
  EXPECT_TRUE(statuses.count("met") && statuses.count("at_risk")) << "targets show progress both ways";
}

INSTANTIATE_TEST_SUITE_P(Backends, DatasetDemoTest, ::testing::ValuesIn(edugov::testing::TestBackends()),
                         [](const auto& info) { return edugov::testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::demo
