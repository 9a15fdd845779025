// A semester of the pack's school-life datasets for the demo registry:
// daily homework per class and school day, fee and canteen inspections,
// parent trainings, and the two exemptions the homework rules honour
// (a school's exam days, a class's approved study tour). Over a registry
// that GenerateDemoData has already written, at any scale (county, city,
// province: ~30 M homework rows, written in pages, memory bounded).
//
//   ASSIGN_OR_RETURN(demo::SemesterDemoSummary s,
//       demo::GenerateSemesterDemo(*conn, clock, {.seed = 1}, progress));
//   std::puts(demo::DescribeSemesterDemo(s).c_str());
//
// Which dates: homework, exam days and study tours cover one semester of the
// pack (`semester`, default 2025-autumn; `edugov demo-data` takes the one
// running on the day before its anchor, cut short there) on its school days — the working
// days of the working calendar (weekends and public holidays off, make-up
// Saturdays/Sundays on). Inspections and parent trainings cover every pack
// semester that ends on or before that one, since the per-semester rules
// judge each of them.
//
// Planted violations (a few per cent, and the first county always carries
// one of each, so a small county shows every clause): grade 1–2 written
// homework on some days, grade 3–6 weeks over 60 minutes a day on average,
// grade 7–9 weeks over 90, phone-based homework now and then, schools with a
// single fee inspection or no full one, canteen schools never inspected in a
// semester, schools without a parent training. Exemptions are planted where
// they matter: over-limit homework on exam days and on approved study tours
// (exempt), and on unapproved tours (not exempt).
//
// Deterministic: the same registry, pack, calendar and seed give the same
// rows (SplitMix64 only; homework's submitted_at is the evening of its day,
// other rows take `clock`).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "demo/demo_data.h"
#include "storage/database.h"

namespace edugov::demo {

struct SemesterDemoOptions {
  std::string policy_path = "policy/anhua-2025.yaml";
  std::string calendar_path = "policy/calendar/cn-2025-2026.yaml";
  // A semester of the pack (declared or provisional); empty: the last one
  // begun by `through`.
  std::string semester = "2025-autumn";
  // The last day rows are dated on: a homework semester still running then
  // is cut short there (rows up to that day, its exam days still planned;
  // its per-semester expectations left out, as the semester is not over).
  std::optional<Date> through;
  uint64_t seed = 1;
};

// (entity id, period start "YYYY-MM-DD"): a class or school and its day,
// ISO week (Monday) or semester, as rules::Finding names them.
using EntityPeriod = std::pair<int64_t, std::string>;

struct SemesterDemoSummary {
  std::string semester;
  std::string from, to;  // the homework semester's dates (`to` cut short at `through`)
  int school_days = 0;   // of that semester
  std::map<std::string, int64_t> rows;  // dataset → rows written
  int64_t total = 0;
  // What a correct evaluation of the pack as of `to` must find, rule by
  // rule, derived while generating (exemptions applied): for the homework
  // rules (weeks only when they end by `to`), the three clause-3 inspection
  // rules and the parent-training rule. Tests compare the engine with it.
  std::map<std::string, std::set<EntityPeriod>> expected;
  // Homework rows over their limit that an exam day or an approved tour
  // exempts, and those on unapproved tours (which stay).
  int64_t exempted_over_limit = 0;
  int64_t unapproved_tour_over_limit = 0;
};

// Reads the pack's `datasets:` and `semesters:` and the calendar, creates the
// ds_ tables of homework, inspections, parent_trainings, exam_days and
// study_tours (EnsureDatasetTables; `conn` must not be in a transaction) and
// writes their rows in one transaction — BulkInsert in pages of 20,000 —
// with one audit entry "demo.semester". kFailedPrecondition when a dataset
// is not declared or lacks a column filled here, one of them already has
// rows, or the calendar does not cover the semester; kNotFound /
// kInvalidArgument for a missing or malformed pack or calendar, or an
// unknown semester name. `progress` gets ("homework days", done, total).
StatusOr<SemesterDemoSummary> GenerateSemesterDemo(storage::Connection& conn, const Clock& clock,
                                                   const SemesterDemoOptions& options,
                                                   const ProgressFn& progress = {});

// One line for the command line: the semester, its school days and the rows
// per dataset.
std::string DescribeSemesterDemo(const SemesterDemoSummary& summary);

}  // namespace edugov::demo
