#include "rules/findings_store.h"

#include <gtest/gtest.h>

#include "testing/test_db.h"

namespace edugov::rules {
namespace {

using storage::Backend;

Finding Make(const std::string& rule, int64_t entity, const std::string& start, double measured) {
  Finding f;
  f.rule_id = rule;
  f.clause = "25";
  f.severity = "major";
  f.entity_type = "class";
  f.entity_id = entity;
  f.org_path = "/1/3/";
  f.township_id = 2;
  f.period_kind = "week";
  f.period_start = start;
  f.period_end = Date::Parse(start)->AddDays(6).ToString();
  f.measured = measured;
  f.threshold = 60;
  f.comparison = "<=";
  f.parameters.push_back({"p", 60, Date::FromYmd(2025, 1, 1).DaysSinceEpoch(), bound::kOpenTo, false});
  f.evidence_dataset = "homework";
  f.evidence_row_ids = {1, 2};
  f.evidence_count = 2;
  return f;
}

class FindingsStoreTest : public ::testing::TestWithParam<Backend> {};

TEST_P(FindingsStoreTest, RerunsAreIdempotentAndResolveAndReopen) {
  auto db = testing::TestDb::Create(GetParam());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto conn = db->db().Acquire();
  ASSERT_TRUE(conn.ok());
  bound::Pack pack;
  pack.rules.resize(1);
  pack.rules[0].id = "hw";
  FakeClock clock(TimePoint{});
  const Date d1 = Date::FromYmd(2025, 3, 20);
  std::vector<Finding> run = {Make("hw", 11, "2025-03-03", 70), Make("hw", 12, "2025-03-03", 65)};

  auto s1 = SaveFindings(**conn, pack, run, d1, clock);
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  EXPECT_EQ(s1->opened, 2);
  auto s2 = SaveFindings(**conn, pack, run, d1, clock);
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(s2->opened, 0);
  EXPECT_EQ(s2->standing, 2);
  auto stored = ListStoredFindings(**conn);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 2u);

  // Class 12 fixed its week (the data were corrected): resolved on the as-of date.
  auto s3 = SaveFindings(**conn, pack, {run[0]}, Date::FromYmd(2025, 3, 27), clock);
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(s3->resolved, 1);
  stored = ListStoredFindings(**conn);
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[1].status, "resolved");
  EXPECT_EQ((*stored)[1].resolved_on, "2025-03-27");

  // Violated again: the same row reopens.
  auto s4 = SaveFindings(**conn, pack, run, Date::FromYmd(2025, 4, 3), clock);
  ASSERT_TRUE(s4.ok());
  EXPECT_EQ(s4->reopened, 1);
  EXPECT_EQ(s4->standing, 1);
  stored = ListStoredFindings(**conn);
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[1].status, "open");
  EXPECT_EQ((*stored)[1].resolved_on, "");

  // A finding of a rule not in the pack is left alone.
  bound::Pack other;
  other.rules.resize(1);
  other.rules[0].id = "other";
  auto s5 = SaveFindings(**conn, other, {}, Date::FromYmd(2025, 4, 3), clock);
  ASSERT_TRUE(s5.ok());
  EXPECT_EQ(s5->resolved, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, FindingsStoreTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::rules
