// Differential test: the engine's findings for the three homework rules of
// policy/anhua-2025.yaml equal those of the same rules written as plain SQL,
// on generated data, on SQLite (and PostgreSQL when EDUGOV_TEST_PG_URL is set);
// likewise the rules built on two aggregates: a ratio of sums (item 16), a
// ratio against another ratio (item 8), a run of two failing years (item 21),
// a fall from the previous year (item 14) and a daily ratio per class (item 29).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <tuple>

#include "datasets/columnar.h"
#include "rules/binder.h"
#include "rules/evaluator.h"
#include "rules/policy_parser.h"
#include "rules/sql_reference.h"
#include "testing/test_db.h"

namespace edugov::rules {
namespace {

using storage::Backend;
using Row = sqlref::Row;  // rule, class, period, measured*1000

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
    // Sixty days from the spring semester's start (Qingming 04-04..04-06 off)
    // and its last two weeks (it ends Saturday 07-05) with the Sunday after.
    std::vector<Date> days;
    for (int day = 0; day < 60; ++day) days.push_back(start.AddDays(day));
    for (int day = 0; day < 14; ++day) days.push_back(Date::FromYmd(2025, 6, 23).AddDays(day));
    for (int64_t cid = 100; cid < class_id; ++cid) {
      for (Date d : days) {
        if (rng() % 10 == 0) continue;  // missing days
        // Weekends and holidays: now and then a record, mostly of 0 minutes
        // (a school-day average must not be diluted by it), sometimes long.
        const bool off = d.IsoWeekday() > 5 || d == Date::FromYmd(2025, 4, 4);
        if (off && rng() % 4 != 0) continue;
        int64_t minutes = static_cast<int64_t>(off ? (rng() % 3 == 0 ? 200 : 0)
                                               : rng() % 10 == 0 ? rng() % 150 : (rng() % 3 == 0 ? 0 : rng() % 95));
        rows.push_back({row_id++, std::string("/"), int64_t{0}, cid, d.ToString(), minutes,
                        int64_t{static_cast<int64_t>(rng() % 50 == 0)}});
      }
    }
    RETURN_IF_ERROR(tx.BulkInsert("ds_homework",
                                  {"row_id", "org_path", "submitted_at", "class_id", "date", "written_minutes",
                                   "phone_based"},
                                  rows));
    // School 12 (nine-year) declared itself closed Tue 03-04..Wed 03-05 and
    // school 11 (junior) on Monday 03-10.
    RETURN_IF_ERROR(tx.ExecuteScript(
        "CREATE TABLE ds_school_closures (row_id BIGINT PRIMARY KEY, org_path TEXT NOT NULL, "
        "submitted_at BIGINT NOT NULL, school_id BIGINT NOT NULL, date TEXT NOT NULL, until TEXT, "
        "reason TEXT NOT NULL)"));
    return tx.BulkInsert("ds_school_closures",
                         {"row_id", "org_path", "submitted_at", "school_id", "date", "until", "reason"},
                         {{int64_t{1}, std::string("/"), int64_t{0}, int64_t{12}, std::string("2025-03-04"),
                           std::string("2025-03-05"), std::string("flood")},
                          {int64_t{2}, std::string("/"), int64_t{0}, int64_t{11}, std::string("2025-03-10"),
                           storage::Null(), std::string("exam site")}});
  });
}

// The homework rules as SQL: the text shared with bench/rules (sql_reference.h).
StatusOr<std::set<Row>> SqlReference(storage::Connection& c, Date as_of) {
  return sqlref::HomeworkFindings(c, as_of, /*closures=*/true);
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
  ASSERT_TRUE(ast->calendar);
  Status prepared = sqlref::PrepareSchoolDays(**conn, *ast->calendar, pack->semesters);
  ASSERT_TRUE(prepared.ok()) << prepared.ToString();
  // 04-13: the Qingming week (four school days) judged; 07-05: the spring
  // semester's last, partial week judged on its last day.
  for (Date as_of : {Date::FromYmd(2025, 3, 30), Date::FromYmd(2025, 4, 2), Date::FromYmd(2025, 4, 13),
                     Date::FromYmd(2025, 7, 5)}) {
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

// Rows for items 8, 16 and 21 over the registry Generate wrote: salaries
// (teachers on schools, civil servants on the county org), school funds and
// annual evaluations, 2023–2026, with shortfalls at random.
Status GenerateTwoAggregateRows(storage::Connection& c, uint32_t seed) {
  std::mt19937 rng(seed);
  return storage::RunInTransaction(c, [&](storage::Connection& tx) -> Status {
    const std::string real = tx.backend() == Backend::kSqlite ? "REAL" : "DOUBLE PRECISION";
    RETURN_IF_ERROR(tx.ExecuteScript(
        "CREATE TABLE ds_salaries (row_id BIGINT PRIMARY KEY, org_path TEXT NOT NULL, submitted_at BIGINT NOT NULL, "
        "org_id BIGINT NOT NULL, date TEXT NOT NULL, category TEXT NOT NULL, headcount BIGINT NOT NULL, "
        "total_pay " + real + " NOT NULL);"
        "CREATE TABLE ds_school_funds (row_id BIGINT PRIMARY KEY, org_path TEXT NOT NULL, "
        "submitted_at BIGINT NOT NULL, school_id BIGINT NOT NULL, date TEXT NOT NULL, public_funds " + real +
        " NOT NULL, equipment_spend " + real + " NOT NULL);"
        "CREATE TABLE ds_school_evaluations (row_id BIGINT PRIMARY KEY, org_path TEXT NOT NULL, "
        "submitted_at BIGINT NOT NULL, school_id BIGINT NOT NULL, date TEXT NOT NULL, result TEXT NOT NULL, "
        "score " + real + ");"
        "CREATE TABLE ds_education_funding (row_id BIGINT PRIMARY KEY, org_path TEXT NOT NULL, "
        "submitted_at BIGINT NOT NULL, org_id BIGINT NOT NULL, date TEXT NOT NULL, public_spending " + real +
        " NOT NULL, per_student_spending " + real + " NOT NULL);"
        "CREATE TABLE ds_routine_tests (row_id BIGINT PRIMARY KEY, org_path TEXT NOT NULL, "
        "submitted_at BIGINT NOT NULL, class_id BIGINT NOT NULL, date TEXT NOT NULL, subject TEXT NOT NULL, "
        "registered BIGINT NOT NULL, sat BIGINT NOT NULL, passed BIGINT NOT NULL, excellent BIGINT NOT NULL)"));
    std::vector<storage::Params> spending, tests;
    for (int y = 2023; y <= 2026; ++y) {
      for (const char* md : {"-06-30", "-12-31"}) {
        spending.push_back({static_cast<int64_t>(spending.size() + 1), std::string("/1/"), int64_t{0}, int64_t{1},
                            std::to_string(y) + md, 50000.0 + static_cast<double>(rng() % 8000), 12000.0});
      }
    }
    ASSIGN_OR_RETURN(storage::ResultSet classes, tx.Query("SELECT id FROM classes ORDER BY id"));
    for (size_t i = 0; i < classes.size(); ++i) {
      for (const char* date : {"2024-11-12", "2025-04-16", "2025-04-16", "2025-11-12", "2026-01-09"}) {
        const int64_t registered = 30 + rng() % 20;
        const int64_t sat = rng() % 20 == 0 ? 0 : registered - rng() % 3;
        const int64_t passed = sat == 0 ? 0 : static_cast<int64_t>(rng() % static_cast<uint32_t>(sat + 1));
        tests.push_back({static_cast<int64_t>(tests.size() + 1), std::string("/"), int64_t{0}, classes.GetInt(i, 0),
                         std::string(date), "s" + std::to_string(tests.size() % 3), registered, sat,
                         std::max<int64_t>(passed, sat * 7 / 10), int64_t{0}});
      }
    }
    RETURN_IF_ERROR(tx.BulkInsert("ds_education_funding", {"row_id", "org_path", "submitted_at", "org_id", "date",
                                                           "public_spending", "per_student_spending"}, spending));
    RETURN_IF_ERROR(tx.BulkInsert("ds_routine_tests", {"row_id", "org_path", "submitted_at", "class_id", "date",
                                                       "subject", "registered", "sat", "passed", "excellent"}, tests));
    std::vector<storage::Params> pay, funds, evals;
    const char* results[] = {"excellent", "good", "pass", "fail", "fail"};
    for (int y = 2023; y <= 2026; ++y) {
      for (int m = 1; m <= 12; m += 3) {
        const std::string date = std::to_string(y) + (m < 10 ? "-0" : "-") + std::to_string(m) + "-01";
        pay.push_back({static_cast<int64_t>(pay.size() + 1), std::string("/1/"), int64_t{0}, int64_t{1}, date,
                       std::string("civil_servant"), int64_t{1000}, 1000.0 * (7900 + rng() % 200)});
        for (int64_t sid = 10; sid < 16; ++sid) {
          const int64_t n = 10 + rng() % 40;
          pay.push_back({static_cast<int64_t>(pay.size() + 1), std::string("/"), int64_t{0}, sid, date,
                         std::string("compulsory_teacher"), n, static_cast<double>(n) * (7850 + rng() % 250)});
        }
      }
      for (int64_t sid = 10; sid < 16; ++sid) {
        const std::string date = std::to_string(y) + "-0" + std::to_string(1 + rng() % 9) + "-15";
        const double pub = rng() % 7 == 0 ? 0.0 : 1000.0 * (100 + rng() % 900);
        funds.push_back({static_cast<int64_t>(funds.size() + 1), std::string("/"), int64_t{0}, sid, date, pub,
                         pub * (0.12 + 0.01 * static_cast<double>(rng() % 15))});
        evals.push_back({static_cast<int64_t>(evals.size() + 1), std::string("/"), int64_t{0}, sid,
                         std::to_string(y) + "-12-20", std::string(results[rng() % 5]), 60.0});
      }
    }
    RETURN_IF_ERROR(tx.BulkInsert("ds_salaries", {"row_id", "org_path", "submitted_at", "org_id", "date", "category",
                                                  "headcount", "total_pay"}, pay));
    RETURN_IF_ERROR(tx.BulkInsert("ds_school_funds", {"row_id", "org_path", "submitted_at", "school_id", "date",
                                                      "public_funds", "equipment_spend"}, funds));
    return tx.BulkInsert("ds_school_evaluations", {"row_id", "org_path", "submitted_at", "school_id", "date", "result",
                                                   "score"}, evals);
  });
}

// The same three rules in plain SQL. Years are judged once ended (y-12-31 <=
// as_of) and, for the parameters valid from 2025-01-01, from 2025 on.
StatusOr<std::set<Row>> SqlReferenceTwoAggregates(storage::Connection& c, Date as_of) {
  std::set<Row> out;
  const std::string year = "CAST(substr(date, 1, 4) AS INTEGER)";
  const std::string ended = " AND " + year + " <= " + std::to_string(as_of.year() - (as_of.month() == 12 && as_of.day() == 31 ? 0 : 1));
  const std::string compulsory = "('primary', 'nine_year', 'junior', 'special')";
  ASSIGN_OR_RETURN(storage::ResultSet pay,
                   c.Query("SELECT t.y, t.avg_pay FROM "
                           "(SELECT " + year + " AS y, SUM(total_pay) / SUM(headcount) AS avg_pay FROM ds_salaries s "
                           "JOIN orgs o ON o.id = s.org_id WHERE category = 'compulsory_teacher' AND o.stage IN " +
                           compulsory + " AND date <= $1" + ended + " GROUP BY " + year + ") t JOIN "
                           "(SELECT " + year + " AS y, SUM(total_pay) / SUM(headcount) AS avg_pay FROM ds_salaries "
                           "WHERE category = 'civil_servant' AND date <= $1 GROUP BY " + year + ") cs ON cs.y = t.y "
                           "WHERE t.y >= 2025 AND t.avg_pay < cs.avg_pay - 1e-9",
                           {as_of.ToString()}));
  for (size_t i = 0; i < pay.size(); ++i) {
    out.insert({"teacher-pay-vs-civil-servants", 1, std::to_string(pay.GetInt(i, 0)) + "-01-01",
                std::llround(pay.GetDouble(i, 1) * 1000)});
  }
  ASSIGN_OR_RETURN(storage::ResultSet funds,
                   c.Query("SELECT school_id, " + year + ", SUM(equipment_spend) / SUM(public_funds) "
                           "FROM ds_school_funds f JOIN orgs o ON o.id = f.school_id WHERE o.stage IS NOT NULL "
                           "AND date <= $1" + ended + " AND " + year + " >= 2025 GROUP BY school_id, " + year +
                           " HAVING SUM(public_funds) > 0 AND SUM(equipment_spend) / SUM(public_funds) < 0.2 - 1e-9",
                           {as_of.ToString()}));
  for (size_t i = 0; i < funds.size(); ++i) {
    out.insert({"equipment-spend-share", funds.GetInt(i, 0), std::to_string(funds.GetInt(i, 1)) + "-01-01",
                std::llround(funds.GetDouble(i, 2) * 1000)});
  }
  const std::string fails = "(SELECT school_id, " + year + " AS y, COUNT(*) AS n FROM ds_school_evaluations "
                            "WHERE result = 'fail' AND date <= $1 GROUP BY school_id, " + year + ")";
  ASSIGN_OR_RETURN(storage::ResultSet runs,
                   c.Query("SELECT a.school_id, a.y, a.n FROM " + fails + " a JOIN " + fails +
                           " b ON b.school_id = a.school_id AND b.y = a.y - 1 JOIN orgs o ON o.id = a.school_id "
                           "WHERE o.stage IS NOT NULL AND a.y <= " +
                           std::to_string(as_of.year() - (as_of.month() == 12 && as_of.day() == 31 ? 0 : 1)),
                           {as_of.ToString()}));
  for (size_t i = 0; i < runs.size(); ++i) {
    out.insert({"evaluation-failed-two-years", runs.GetInt(i, 0), std::to_string(runs.GetInt(i, 1)) + "-01-01",
                std::llround(static_cast<double>(runs.GetInt(i, 2)) * 1000)});
  }
  const std::string spend = "(SELECT " + year + " AS y, SUM(public_spending) AS total FROM ds_education_funding "
                            "WHERE date <= $1 GROUP BY " + year + ")";
  ASSIGN_OR_RETURN(storage::ResultSet falls,
                   c.Query("SELECT a.y, a.total FROM " + spend + " a JOIN " + spend + " b ON b.y = a.y - 1 "
                           "WHERE a.total < b.total - 1e-9 AND a.y <= " +
                           std::to_string(as_of.year() - (as_of.month() == 12 && as_of.day() == 31 ? 0 : 1)),
                           {as_of.ToString()}));
  for (size_t i = 0; i < falls.size(); ++i) {
    out.insert({"education-spending-only-rises", 1, std::to_string(falls.GetInt(i, 0)) + "-01-01",
                std::llround(falls.GetDouble(i, 1) * 1000)});
  }
  ASSIGN_OR_RETURN(storage::ResultSet tests,
                   c.Query("SELECT t.class_id, t.date, CAST(SUM(t.passed) AS DOUBLE PRECISION) / SUM(t.sat) "
                           "FROM ds_routine_tests t JOIN classes k ON k.id = t.class_id JOIN orgs o ON o.id = k.school_id "
                           "WHERE o.stage IS NOT NULL AND t.date <= $1 AND t.date >= '2025-01-01' "
                           "GROUP BY t.class_id, t.date HAVING SUM(t.sat) > 0 AND "
                           "CAST(SUM(t.passed) AS DOUBLE PRECISION) / SUM(t.sat) < 0.8 - 1e-9",
                           {as_of.ToString()}));
  for (size_t i = 0; i < tests.size(); ++i) {
    out.insert({"routine-test-pass-share", tests.GetInt(i, 0), tests.GetText(i, 1),
                std::llround(tests.GetDouble(i, 2) * 1000)});
  }
  return out;
}

TEST_P(SqlReferenceTest, TwoAggregateRulesMatchPlainSql) {
  auto db = testing::TestDb::Create(GetParam());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto conn = db->db().Acquire();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Generate(**conn, 11).ok());
  Status gen = GenerateTwoAggregateRows(**conn, 11);
  ASSERT_TRUE(gen.ok()) << gen.ToString();
  auto ast = ParsePolicyFile(std::string(EDUGOV_SOURCE_DIR) + "/policy/anhua-2025.yaml");
  ASSERT_TRUE(ast.ok()) << ast.status().ToString();
  auto pack = Bind(*ast);
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  std::erase_if(pack->rules, [](const bound::Rule& r) {
    return r.id != "teacher-pay-vs-civil-servants" && r.id != "equipment-spend-share" &&
           r.id != "evaluation-failed-two-years" && r.id != "education-spending-only-rises" &&
           r.id != "routine-test-pass-share";
  });
  pack->targets.clear();
  ASSERT_EQ(pack->rules.size(), 5u);
  for (Date as_of : {Date::FromYmd(2025, 12, 30), Date::FromYmd(2025, 12, 31), Date::FromYmd(2026, 12, 31)}) {
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
    auto sql = SqlReferenceTwoAggregates(**conn, as_of);
    ASSERT_TRUE(sql.ok()) << sql.status().ToString();
    if (as_of.year() == 2026) {  // each rule has something to agree on
      for (const char* id : {"teacher-pay-vs-civil-servants", "equipment-spend-share", "evaluation-failed-two-years",
                             "education-spending-only-rises", "routine-test-pass-share"}) {
        EXPECT_TRUE(std::any_of(engine.begin(), engine.end(), [&](const Row& r) { return std::get<0>(r) == id; }))
            << id;
      }
    }
    EXPECT_EQ(engine, *sql) << "as of " << as_of.ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlReferenceTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::rules
