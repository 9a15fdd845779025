#include "rules/findings_store.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

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

// The scoped reads: a county (1) → township (2) → schools 3 and 4, a class
// in each, a staff member at 3; findings about each written by SaveFindings.
class FindingsReadTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = testing::TestDb::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::make_unique<testing::TestDb>(std::move(db).value());
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    conn_ = std::make_unique<storage::ConnectionHandle>(std::move(conn).value());
    ASSERT_TRUE(c().Execute(
        "INSERT INTO orgs (id, parent_id, kind, code, name, path, stage, created_at, updated_at) VALUES "
        "(1, NULL, 'county', 'C1', '测试县教育局', '/1/', NULL, 0, 0), "
        "(2, 1, 'township', 'T2', '东坪镇中心学校', '/1/2/', 'nine_year', 0, 0), "
        "(3, 2, 'school', 'S3', '江英学校', '/1/2/3/', 'primary', 0, 0), "
        "(4, 2, 'school', 'S4', '梅城学校', '/1/2/4/', 'primary', 0, 0)").ok());
    ASSERT_TRUE(c().Execute("INSERT INTO classes (id, school_id, grade, name, created_at, updated_at) VALUES "
                            "(30, 3, 1, '一年级1班', 0, 0), (40, 4, 1, '一年级2班', 0, 0)").ok());
    ASSERT_TRUE(c().Execute("INSERT INTO staff (id, org_id, code, name, gender, hire_kind, created_at, updated_at) "
                            "VALUES (50, 3, 'T50', '李老师', 'female', 'other', 0, 0)").ok());
    Finding cls3 = Make("hw", 30, "2025-03-03", 70);
    cls3.org_path = "/1/2/3/";
    Finding cls4 = Make("hw", 40, "2025-03-10", 70);
    cls4.org_path = "/1/2/4/";
    Finding school3 = Make("pe", 3, "2025-03-03", 1);
    school3.period_start = "";
    school3.entity_type = "school";
    school3.org_path = "/1/2/3/";
    school3.clause = "26";
    school3.period_kind = "none";
    school3.period_end = "";
    Finding teacher = Make("load", 50, "2025-03-03", 30);
    teacher.entity_type = "staff";
    teacher.org_path = "/1/2/3/";
    Finding county = Make("target", 1, "2025-03-03", 3);
    county.entity_type = "county";
    county.org_path = "/1/";
    county.township_id = 0;
    bound::Pack pack;
    for (const char* id : {"hw", "pe", "load", "target"}) pack.rules.emplace_back().id = id;
    FakeClock clock(TimePoint{});
    auto saved = SaveFindings(c(), pack, {cls3, cls4, school3, teacher, county}, Date::FromYmd(2025, 3, 5), clock);
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  }

  storage::Connection& c() { return **conn_; }
  static accounts::Principal At(int64_t org, const std::string& path) {
    accounts::Principal p;
    p.user_id = 9;
    p.org_id = org;
    p.org_path = path;
    return p;
  }

  std::unique_ptr<testing::TestDb> db_;
  std::unique_ptr<storage::ConnectionHandle> conn_;
};

TEST_P(FindingsReadTest, ListIsScopedToTheSubtreeAndNamesEachEntity) {
  auto county = ListFindings(c(), At(1, "/1/"), {}, 0, 50);
  ASSERT_TRUE(county.ok()) << county.status().ToString();
  EXPECT_EQ(county->total, 5);
  auto school = ListFindings(c(), At(3, "/1/2/3/"), {}, 0, 50);
  ASSERT_TRUE(school.ok()) << school.status().ToString();
  ASSERT_EQ(school->total, 3);
  std::map<std::string, std::optional<std::string>> names;
  for (const FindingView& f : school->items) names[f.entity_type] = f.entity_name;
  EXPECT_EQ(names["class"], "一年级1班");
  EXPECT_EQ(names["school"], "江英学校");
  EXPECT_EQ(names["staff"], "李老师");
  auto page = ListFindings(c(), At(1, "/1/"), {}, 1, 2);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 5);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_LT(county->items[0].id, page->items[0].id);
}

TEST_P(FindingsReadTest, OrgFiltersAreCheckedAgainstTheSubtreeAndKind) {
  auto by_school = ListFindings(c(), At(1, "/1/"), {.school_id = 4}, 0, 50);
  ASSERT_TRUE(by_school.ok()) << by_school.status().ToString();
  EXPECT_EQ(by_school->total, 1);
  // Another school's id reads as absent, exactly like an unknown id.
  auto other = ListFindings(c(), At(3, "/1/2/3/"), {.school_id = 4}, 0, 50);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(other.status().field(), "school");
  auto unknown = ListFindings(c(), At(3, "/1/2/3/"), {.school_id = 99}, 0, 50);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message_en(), "school 99: no such org in your scope");
  EXPECT_EQ(other.status().message_en(), "school 4: no such org in your scope");
  auto wrong_kind = ListFindings(c(), At(1, "/1/"), {.township_id = 3}, 0, 50);
  ASSERT_FALSE(wrong_kind.ok());
  EXPECT_EQ(wrong_kind.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong_kind.status().field(), "township");
  auto unbound = ListFindings(c(), At(0, ""), {}, 0, 50);
  EXPECT_EQ(unbound.status().code(), StatusCode::kPermissionDenied);
}

TEST_P(FindingsReadTest, OneFindingCarriesItsSchoolAndTownshipNames) {
  auto list = ListFindings(c(), At(1, "/1/"), {.rule_id = "hw", .school_id = 3}, 0, 50);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 1u);
  auto one = GetFinding(c(), At(3, "/1/2/3/"), list->items[0].id);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->entity_name, "一年级1班");
  EXPECT_EQ((*one)->entity_school, "江英学校");
  EXPECT_EQ((*one)->township_name, "东坪镇中心学校");
  EXPECT_EQ((*one)->evidence_count, 2);
  auto hidden = GetFinding(c(), At(4, "/1/2/4/"), list->items[0].id);
  ASSERT_TRUE(hidden.ok());
  EXPECT_FALSE(hidden->has_value());
}

TEST_P(FindingsReadTest, SummaryCountsByClauseAndTownshipWithNames) {
  auto rows = SummarizeFindings(c(), At(1, "/1/"), std::nullopt);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  int64_t total = 0;
  for (const FindingsSummaryRow& r : *rows) {
    total += r.total;
    if (r.township_id) {
      EXPECT_EQ(r.township_name, "东坪镇中心学校");
    }
  }
  EXPECT_EQ(total, 5);
  auto resolved = SummarizeFindings(c(), At(1, "/1/"), std::string("resolved"));
  ASSERT_TRUE(resolved.ok());
  EXPECT_TRUE(resolved->empty());
}

TEST_P(FindingsReadTest, TrendCountsByIsoWeekEndingWithTheLatest) {
  auto weeks = FindingsTrend(c(), At(1, "/1/"), std::nullopt, 3, Date::FromYmd(2025, 3, 5));
  ASSERT_TRUE(weeks.ok()) << weeks.status().ToString();
  ASSERT_EQ(weeks->size(), 3u);
  EXPECT_EQ(weeks->back().label, "2025-W11");  // 2025-03-10's week
  EXPECT_EQ(weeks->back().start, Date::FromYmd(2025, 3, 10));
  EXPECT_EQ(weeks->back().open, 1);
  // Week 10: two classes' and the teacher's and the county's weeks, and the
  // school finding without a period, first seen on 2025-03-05.
  EXPECT_EQ((*weeks)[1].open, 4);
  auto clause = FindingsTrend(c(), At(1, "/1/"), std::string("26"), 1, Date::FromYmd(2025, 3, 5));
  ASSERT_TRUE(clause.ok());
  ASSERT_EQ(clause->size(), 1u);
  EXPECT_EQ(clause->front().open, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, FindingsReadTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

INSTANTIATE_TEST_SUITE_P(Backends, FindingsStoreTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::rules
