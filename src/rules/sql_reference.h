// The three homework rules of policy/anhua-2025.yaml (item 25) written as
// plain SQL over the store layout (datasets/columnar.h): the reference the
// engine is compared with — for equality in sql_reference_test.cc, for speed
// in bench/rules/rules_bench.cc (docs/benchmarks.md §1). One text, so the test and
// the benchmark cannot drift apart.
//
// The SQL knows the rules' scope (stages, grades), periods (day; ISO week,
// judged once ended) and limits (0, 60, 90 minutes), not their "unless"
// exemptions: compare over data without exam_days / study_tours rows.
// Header-only; reads through the caller's connection (SQLite or PostgreSQL).
#pragma once

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <tuple>

#include "common/date.h"
#include "common/status.h"
#include "storage/database.h"

namespace edugov::rules::sqlref {

// (rule id, class id, period start YYYY-MM-DD, measured × 1000 rounded)
using Row = std::tuple<std::string, int64_t, std::string, long long>;

// The findings of the three rules as of `as_of`. Errors of the store pass through.
inline StatusOr<std::set<Row>> HomeworkFindings(storage::Connection& c, Date as_of) {
  std::set<Row> out;
  const std::string week = c.backend() == storage::Backend::kSqlite
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

}  // namespace edugov::rules::sqlref
