// The three homework rules of policy/anhua-2025.yaml (item 25) written as
// plain SQL over the store layout (datasets/columnar.h): the reference the
// engine is compared with — for equality in sql_reference_test.cc, for speed
// in bench/rules/rules_bench.cc (docs/benchmarks.md §1). One text, so the test and
// the benchmark cannot drift apart.
//
// The SQL knows the rules' scope (stages, grades), periods (day; ISO week,
// judged once ended) and limits (0, 60, 90 minutes), not their "unless"
// exemptions: compare over data without exam_days / study_tours rows.
// The two weekly averages count school days (days: school,
// docs/policy-format.md "Day basis"): the SQL joins a table of the calendar's
// working days inside a semester (ref_school_days, filled by
// PrepareSchoolDays from the working calendar itself, not from the engine's
// bitmap), leaves out a school's ds_school_closures days, and judges the
// week a semester ends in once the semester is over (ref_semesters).
// Header-only; reads through the caller's connection (SQLite or PostgreSQL).
#pragma once

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <tuple>

#include <vector>

#include "calendar/working_calendar.h"
#include "common/date.h"
#include "common/status.h"
#include "rules/bound.h"
#include "storage/database.h"

namespace edugov::rules::sqlref {

// (rule id, class id, period start YYYY-MM-DD, measured × 1000 rounded)
using Row = std::tuple<std::string, int64_t, std::string, long long>;

// Fills the connection's temporary tables ref_school_days (day) and
// ref_semesters (from_day, to_day) from the working calendar and the pack's
// semesters; call once per connection before HomeworkFindings (outside any
// timing: it is the calendar, not the query). kFailedPrecondition for a
// semester day the calendar does not answer.
inline Status PrepareSchoolDays(storage::Connection& c, const calendar::WorkingCalendar& cal,
                                const std::vector<bound::Semester>& semesters) {
  const char* temp = c.backend() == storage::Backend::kSqlite ? "CREATE TEMP TABLE IF NOT EXISTS "
                                                               : "CREATE TEMPORARY TABLE IF NOT EXISTS ";
  RETURN_IF_ERROR(c.Execute(std::string(temp) + "ref_school_days (day TEXT PRIMARY KEY)"));
  RETURN_IF_ERROR(c.Execute(std::string(temp) + "ref_semesters (from_day TEXT NOT NULL, to_day TEXT NOT NULL)"));
  RETURN_IF_ERROR(c.Execute("DELETE FROM ref_school_days"));
  RETURN_IF_ERROR(c.Execute("DELETE FROM ref_semesters"));
  for (const auto& s : semesters) {
    const Date from = Date::FromDaysSinceEpoch(s.from), to = Date::FromDaysSinceEpoch(s.to);
    RETURN_IF_ERROR(c.Execute("INSERT INTO ref_semesters (from_day, to_day) VALUES ($1, $2)",
                              {from.ToString(), to.ToString()}));
    for (Date d = from; d.DaysSinceEpoch() <= s.to; d = d.AddDays(1)) {
      ASSIGN_OR_RETURN(bool working, cal.IsWorkingDay(d));
      if (working) RETURN_IF_ERROR(c.Execute("INSERT INTO ref_school_days (day) VALUES ($1)", {d.ToString()}));
    }
  }
  return OkStatus();
}

// The findings of the three rules as of `as_of` (after PrepareSchoolDays on
// this connection). `closures`: the store has ds_school_closures (school_id,
// date, until) to leave out. Errors of the store pass through.
inline StatusOr<std::set<Row>> HomeworkFindings(storage::Connection& c, Date as_of, bool closures = false) {
  std::set<Row> out;
  const bool lite = c.backend() == storage::Backend::kSqlite;
  const std::string week = lite
      ? "date(h.date, '-' || ((CAST(strftime('%w', h.date) AS INTEGER) + 6) % 7) || ' days')"
      : "to_char(date_trunc('week', h.date::date), 'YYYY-MM-DD')";
  const std::string week_end = lite
      ? "date(h.date, '+' || (6 - (CAST(strftime('%w', h.date) AS INTEGER) + 6) % 7) || ' days')"
      : "to_char(date_trunc('week', h.date::date) + interval '6 days', 'YYYY-MM-DD')";
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
    // School days only: a working day inside a semester, not a closure of
    // the class's school. A week is judged once it has ended, or once the
    // semester ending inside it has (no semester starting later that week).
    const std::string closed =
        closures ? " AND NOT EXISTS (SELECT 1 FROM ds_school_closures sc WHERE sc.school_id = c.school_id "
                   "AND h.date >= sc.date AND h.date <= COALESCE(sc.until, sc.date))"
                 : "";
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     c.Query("SELECT x.class_id, x.wk, AVG(x.m) FROM (SELECT h.class_id AS class_id, " + week +
                             " AS wk, " + week_end + " AS wk_end, h.written_minutes AS m" + join +
                             "JOIN ref_school_days sd ON sd.day = h.date "
                             "WHERE o.stage IN (" + a.stages + ") AND c.grade BETWEEN " + std::to_string(a.lo) +
                             " AND " + std::to_string(a.hi) + closed + ") x "
                             "WHERE x.wk_end <= $1 OR EXISTS (SELECT 1 FROM ref_semesters s WHERE s.to_day >= x.wk "
                             "AND s.to_day < x.wk_end AND s.to_day <= $1 AND NOT EXISTS (SELECT 1 FROM ref_semesters "
                             "n WHERE n.from_day > s.to_day AND n.from_day <= x.wk_end)) "
                             "GROUP BY x.class_id, x.wk HAVING AVG(x.m) > " + std::to_string(a.limit),
                             {as_of.ToString()}));
    for (size_t i = 0; i < rs.size(); ++i) {
      out.insert({a.rule, rs.GetInt(i, 0), rs.GetText(i, 1), std::llround(rs.GetDouble(i, 2) * 1000)});
    }
  }
  return out;
}

}  // namespace edugov::rules::sqlref
