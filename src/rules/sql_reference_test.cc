// Differential test: the engine's findings for the three homework rules of
// policy/anhua-2025.yaml equal those of the same rules written as plain SQL,
// on generated data, on SQLite (and PostgreSQL when EDUGOV_TEST_PG_URL is set).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <tuple>

#include "datasets/columnar.h"
#include "rules/binder.h"
#include "rules/evaluator.h"
#include "rules/policy_parser.h"
#include "testing/test_db.h"

namespace edugov::rules {
namespace {

using storage::Backend;
using Row = std::tuple<std::string, int64_t, std::string, long long>;  // rule, class, period, measured*1000

Status Generate(storage::Connection& c, uint32_t seed) {
  std::mt19937 rng(seed);
  return storage::RunInTransaction(c, [&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO orgs (id, parent_id, kind, code, name, path, created_at, updated_at) "
                               "VALUES (1, NULL, 'county', 'C1', '县', '/1/', 0, 0)"));
    const char* stages[] = {"primary", "junior", "nine_year", "primary", "senior", "primary"};
    int64_t class_id = 100;
    for (int t = 0; t < 2; ++t) {
      int64_t tid = 2 + t;
      RETURN_IF_ERROR(tx.Execute("INSERT INTO orgs (id, parent_id, kind, code, name, path, created_at, updated_at) "
                                 "VALUES ($1, 1, 'township', $2, $2, $3, 0, 0)",
                                 {tid, "T" + std::to_string(tid), "/1/" + std::to_string(tid) + "/"}));
      for (int s = 0; s < 3; ++s) {
        int64_t sid = 10 + t * 3 + s;
        std::string stage = stages[t * 3 + s];
        RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO orgs (id, parent_id, kind, code, name, path, stage, created_at, updated_at) "
            "VALUES ($1, $2, 'school', $3, $3, $4, $5, 0, 0)",
            {sid, tid, "S" + std::to_string(sid),
             "/1/" + std::to_string(tid) + "/" + std::to_string(sid) + "/", stage}));
        int lo = stage == "junior" ? 7 : stage == "senior" ? 10 : 1;
        int hi = stage == "primary" ? 6 : stage == "junior" ? 9 : stage == "senior" ? 12 : 9;
        for (int g = lo; g <= hi; ++g) {
          for (int k = 0; k < 2; ++k) {
            RETURN_IF_ERROR(tx.Execute(
                "INSERT INTO classes (id, school_id, grade, name, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, 0, 0)",
                {class_id++, sid, int64_t{g}, std::to_string(g) + "-" + std::to_string(k)}));
          }
        }
      }
    }
    RETURN_IF_ERROR(tx.ExecuteScript(
        "CREATE TABLE ds_homework (row_id BIGINT PRIMARY KEY, org_path TEXT NOT NULL, "
        "submitted_at BIGINT NOT NULL, class_id BIGINT NOT NULL, date TEXT NOT NULL, "
        "written_minutes BIGINT NOT NULL, phone_based INTEGER)"));
    std::vector<storage::Params> rows;
    int64_t row_id = 1;
    const Date start = Date::FromYmd(2025, 2, 17);
    for (int64_t cid = 100; cid < class_id; ++cid) {
      for (int day = 0; day < 60; ++day) {
        Date d = start.AddDays(day);
        if (d.IsoWeekday() > 5 || rng() % 10 == 0) continue;  // weekends, missing days
        int64_t minutes = static_cast<int64_t>(rng() % 10 == 0 ? rng() % 150 : (rng() % 3 == 0 ? 0 : rng() % 95));
        rows.push_back({row_id++, std::string("/"), int64_t{0}, cid, d.ToString(), minutes,
                        int64_t{static_cast<int64_t>(rng() % 50 == 0)}});
      }
    }
    return tx.BulkInsert("ds_homework",
                         {"row_id", "org_path", "submitted_at", "class_id", "date", "written_minutes", "phone_based"},
                         rows);
  });
}

StatusOr<std::set<Row>> SqlReference(storage::Connection& c, Date as_of) {
  std::set<Row> out;
  const std::string week = c.backend() == Backend::kSqlite
      ? "date(h.date, '-' || ((CAST(strftime('%w', h.date) AS INTEGER) + 6) % 7) || ' days')"
      : "to_char(date_trunc('week', h.date::date), 'YYYY-MM-DD')";
  const std::string join = " FROM ds_homework h JOIN classes c ON c.id = h.class_id "
                           "JOIN orgs o ON o.id = c.school_id ";
  ASSIGN_OR_RETURN(storage::ResultSet day,
                   c.Query("SELECT h.class_id, h.date, MAX(h.written_minutes)" + join +
                           "WHERE o.stage IN ('primary', 'nine_year') AND c.grade BETWEEN 1 AND 2 "
                           "AND h.date <= $1 GROUP BY h.class_id, h.date HAVING MAX(h.written_minutes) > 0",
                           {as_of.ToString()}));
  for (size_t i = 0; i < day.size(); ++i) {
    out.insert({"homework-grades-1-2-none", day.GetInt(i, 0), day.GetText(i, 1),
                std::llround(day.GetDouble(i, 2) * 1000)});
  }
  struct Avg { const char* rule; const char* stages; int lo, hi; int limit; };
  for (const Avg& a : {Avg{"homework-grades-3-6-average", "'primary', 'nine_year'", 3, 6, 60},
                       Avg{"homework-grades-7-9-average", "'junior', 'nine_year', 'complete_secondary'", 7, 9, 90}}) {
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     c.Query("SELECT h.class_id, " + week + " AS wk, AVG(h.written_minutes)" + join +
                             "WHERE o.stage IN (" + a.stages + ") AND c.grade BETWEEN " + std::to_string(a.lo) +
                             " AND " + std::to_string(a.hi) + " AND " + week + " <= $1 GROUP BY h.class_id, wk "
                             "HAVING AVG(h.written_minutes) > " + std::to_string(a.limit),
                             {as_of.AddDays(-6).ToString()}));
    for (size_t i = 0; i < rs.size(); ++i) {
      out.insert({a.rule, rs.GetInt(i, 0), rs.GetText(i, 1), std::llround(rs.GetDouble(i, 2) * 1000)});
    }
  }
  return out;
}

class SqlReferenceTest : public ::testing::TestWithParam<Backend> {};

TEST_P(SqlReferenceTest, HomeworkRulesMatchPlainSql) {
  auto db = testing::TestDb::Create(GetParam());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto conn = db->db().Acquire();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Generate(**conn, 7).ok());
  auto ast = ParsePolicyFile(std::string(EDUGOV_SOURCE_DIR) + "/policy/anhua-2025.yaml");
  ASSERT_TRUE(ast.ok()) << ast.status().ToString();
  auto pack = Bind(*ast);
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  std::erase_if(pack->rules, [](const bound::Rule& r) {
    return r.id != "homework-grades-1-2-none" && r.id != "homework-grades-3-6-average" &&
           r.id != "homework-grades-7-9-average";
  });
  pack->targets.clear();
  ASSERT_EQ(pack->rules.size(), 3u);
  for (Date as_of : {Date::FromYmd(2025, 3, 30), Date::FromYmd(2025, 4, 2)}) {
    auto reg = datasets::LoadRegistryImage(**conn, as_of);
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    auto image = datasets::LoadImage(**conn, pack->datasets, std::move(*reg));
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    auto result = Evaluate(*pack, *image, {as_of, {}});
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    std::set<Row> engine;
    for (const auto& f : result->findings) {
      engine.insert({f.rule_id, f.entity_id, f.period_start, std::llround(f.measured * 1000)});
    }
    auto sql = SqlReference(**conn, as_of);
    ASSERT_TRUE(sql.ok()) << sql.status().ToString();
    EXPECT_GT(engine.size(), 20u);
    EXPECT_EQ(engine, *sql) << "as of " << as_of.ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlReferenceTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::rules
