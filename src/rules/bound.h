// Stage 2's output: a policy pack with every name resolved and every value
// typed — dataset and column indices, registry attributes, enum codes, dates
// as days, dated parameters sorted and checked for overlap. Independent of
// any data: the same bound pack compiles against any ColumnarImage built
// from its datasets.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "datasets/schema.h"
#include "rules/ast.h"

namespace edugov::rules::bound {

using datasets::SourceMark;

// Where rows come from: a declared dataset, or registry tables.
enum class SourceKind { kDataset, kStaff, kSchools, kClasses };
// What a group is keyed by. kAll: one group over the whole scope.
enum class GroupEntity { kClass, kSchool, kTownship, kCounty, kAll };
enum class Period { kNone, kDay, kWeek, kMonth, kSemester, kYear };
enum class Aggregate { kCount, kSum, kAvg, kMin, kMax, kShare };
enum class CmpOp { kLt, kLe, kGt, kGe, kEq, kNe };
enum class CondOp { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn, kIsNull, kNotNull, kHasAny, kHasAll };
// Registry attributes a registry-sourced condition may test.
enum class RegistryAttr { kNone, kPosts, kRuralYears, kFlags, kStage, kGrade };
// Which days a dated rule counts (docs/policy-format.md, "Day basis"):
// kCalendar every day (the default: the behaviour before day bases existed),
// kSchool school days only (SchoolDays below, minus the school's closures),
// kRecords only the days that hold records (empty groups are never judged).
enum class DayBasis { kCalendar, kSchool, kRecords };

std::string_view GroupEntityName(GroupEntity e);
std::string_view PeriodName(Period p);
std::string_view AggregateName(Aggregate a);
std::string_view CmpOpText(CmpOp op);
std::string_view DayBasisName(DayBasis d);
// measured OP threshold holds (the norm is met).
bool Holds(CmpOp op, double measured, double threshold);

struct Condition {
  int column = -1;  // dataset column index (dataset sources)
  RegistryAttr attr = RegistryAttr::kNone;  // registry sources
  datasets::ColumnType type = datasets::ColumnType::kInt;
  CondOp op = CondOp::kEq;
  // Typed constants: numbers; dates as days; times as minutes; bools 0/1;
  // enum codes; ref ids; post/flag bitmasks (one entry); stage codes.
  std::vector<double> values;
  // Text columns only: resolved to dictionary codes at compile time.
  std::vector<std::string> texts;
  SourceMark mark;
};

inline constexpr int32_t kOpenFrom = std::numeric_limits<int32_t>::min();
inline constexpr int32_t kOpenTo = std::numeric_limits<int32_t>::max();

struct DatedValue {
  double value = 0;
  int32_t valid_from = kOpenFrom;  // days, inclusive
  int32_t valid_to = kOpenTo;      // days, inclusive
};

struct Parameter {
  std::string name;
  std::string label_zh;
  std::vector<DatedValue> values;  // sorted by valid_from, non-overlapping
  // The value valid on `day`, or nullptr.
  const DatedValue* At(int32_t day) const;
};

struct Scope {
  uint32_t stage_mask = 0;  // bit registry::Stage; 0 = any
  uint32_t grade_mask = 0;  // bit (grade + 2); 0 = any
  uint8_t flag_mask = 0;    // datasets::OrgFlagBits that must all be set
  std::vector<std::string> org_codes;  // subtrees; empty = everything
  SourceMark mark;
};

struct Unless {
  int dataset = -1;  // index into Pack::datasets
  std::vector<Condition> where;
  int until_column = -1;  // a date column, or -1: the period date only
};

struct Check {
  SourceKind source = SourceKind::kDataset;
  int dataset = -1;  // for kDataset
  std::vector<Condition> where;
  GroupEntity group = GroupEntity::kSchool;
  Period period = Period::kNone;
  Aggregate aggregate = Aggregate::kCount;
  int column = -1;  // dataset column for sum/avg/min/max
  RegistryAttr column_attr = RegistryAttr::kNone;  // registry column (rural_years, grade)
  std::vector<Condition> share_where;
  CmpOp op = CmpOp::kLe;
  int parameter = -1;  // index into Rule::parameters, or -1 …
  double value = 0;    // … then this literal (with against: a factor, default 1)

  // Second aggregates over the same source, groups and periods (their own
  // where/aggregate/column; source, group and period copied from this one).
  // divide_by: measured = this ÷ divide_by (NaN when the divisor is 0).
  std::shared_ptr<const Check> divide_by;
  // against: threshold = factor × that aggregate of the same group. Its rows
  // may come from any org under the scope's org subtrees (the county's
  // civil-servant pay sits on the county org, not on a school).
  std::shared_ptr<const Check> against;
  // threshold = factor × this group's measured value in the previous period.
  bool against_previous = false;
  // A finding only when the norm is broken in `consecutive` periods in a row.
  int consecutive = 1;
  // The rule's day basis; operands carry their rule's.
  DayBasis days = DayBasis::kCalendar;
};

struct CaseSpec {
  std::string assignee;  // school | township | county
  int due_working_days = 0;
};

struct Rule {
  std::string id;
  std::string clause;
  std::string source_zh;
  std::string title_zh;
  std::string severity;
  Scope scope;
  std::vector<Parameter> parameters;
  Check check;
  std::vector<Unless> unless;
  std::optional<CaseSpec> case_spec;
  SourceMark mark;
};

struct Target {
  std::string id;
  std::string clause;
  std::string source_zh;
  std::string title_zh;
  Scope scope;
  Check indicator;  // op + value: the target
  // Non-empty: the indicator counts open cases of this type (evaluator.h,
  // CompileOptions::count_open_cases); only indicator.op/value apply.
  std::string open_cases;
  int32_t deadline = 0;
  std::optional<int32_t> baseline_date;
  double baseline_value = 0;
};

struct Semester {
  std::string name;
  int32_t from = 0;  // days, inclusive
  int32_t to = 0;
  // Computed by the pack's provisional rule, not declared (暂定): it may move
  // when the pack declares that school year.
  bool provisional = false;
};

// The pack's school days before any school's own closures: working days of
// the China calendar (holidays off, make-up workdays on) inside a semester.
// Computed once at bind time from the calendar, so the compiler masks a
// rule's day → period table with it instead of asking the calendar per row.
struct SchoolDays {
  int32_t lo = 0;             // day of open[0]: the first semester's first day
  std::vector<uint8_t> open;  // 1 = school day; days outside: not school days
  bool Is(int32_t day) const {
    const int64_t off = int64_t{day} - lo;
    return off >= 0 && off < static_cast<int64_t>(open.size()) && open[static_cast<size_t>(off)];
  }
  // School days d with from <= d <= to.
  int Count(int32_t from, int32_t to) const {
    int n = 0;
    for (int32_t d = from; d <= to; ++d) n += Is(d) ? 1 : 0;
    return n;
  }
};

struct Pack {
  std::string file;
  std::string name;
  std::string title_zh;
  std::vector<Semester> semesters;  // sorted, non-overlapping
  // Filled when some rule has days: school (empty `open` otherwise).
  SchoolDays school_days;
  // school_closures: the rows of this dataset are a school's own declared
  // non-school days; bound into every school-basis rule's `unless` too.
  std::optional<Unless> school_closures;
  std::vector<datasets::DatasetSchema> datasets;
  std::vector<Rule> rules;
  std::vector<Target> targets;
  // The timetable checker's norms, as the parser typed and checked them (no
  // dataset binds them): carried so that whoever holds the pack in force —
  // the compliance service — serves the timetable routes too.
  std::vector<ast::TimetableNorm> timetable_norms;
};

}  // namespace edugov::rules::bound
