// Stage 1 of the rules engine: the policy pack as written, before anything is
// resolved. Every node keeps its SourceMark so later stages can report
// "FILE:LINE:COLUMN". Values stay as YAML scalar text here; the binder types
// them against the dataset schemas (binder.h).
//
// Pipeline: policy_parser (YAML → ast::Pack) → binder (→ bound::Pack) →
// compiler (→ plan::Plan over a ColumnarImage) → evaluator (→ Findings).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calendar/working_calendar.h"
#include "datasets/schema.h"

namespace edugov::rules::ast {

using datasets::SourceMark;

struct Scalar {
  std::string text;
  SourceMark mark;
};

// {column: written_minutes, op: ">", value: 0}; value is a list for in/not_in
// and absent for is_null/not_null.
struct Condition {
  Scalar column;
  Scalar op;
  std::vector<Scalar> values;
  SourceMark mark;
};

struct Scope {
  std::vector<Scalar> stages;  // registry stage names, or "compulsory"
  std::vector<Scalar> grades;  // "1", "2" … (ranges "3-6" too)
  std::vector<Scalar> flags;   // rural, boarding, standardised, canteen, party_branch
  std::vector<Scalar> orgs;    // org codes: a subtree each
  SourceMark mark;
};

struct DatedValue {
  Scalar value;
  std::optional<Scalar> valid_from;  // inclusive; open when absent
  std::optional<Scalar> valid_to;    // inclusive; open when absent
  SourceMark mark;
};

struct Parameter {
  Scalar name;
  std::string label_zh;
  std::vector<DatedValue> values;
  SourceMark mark;
};

// "unless": rows of `dataset` (optionally filtered) exempt the rows of the
// checked dataset whose entity they cover (the same class, or a school or org
// above it) on their date (through `until`, a date column, when given).
struct Unless {
  Scalar dataset;
  std::vector<Condition> where;
  std::optional<Scalar> until;
  SourceMark mark;
};

// A second aggregate over the check's rows (divide_by, against): `where`
// replaces the check's own filter when given (has_where), else inherits it.
struct Operand {
  Scalar aggregate;                    // count | sum | avg | min | max | share
  std::optional<Scalar> column;
  bool has_where = false;
  std::vector<Condition> where;
  std::vector<Condition> share_where;
  SourceMark mark;
};

struct Check {
  Scalar source;  // a dataset name, or registry:staff | registry:schools | registry:classes
  std::vector<Condition> where;
  Scalar group_entity;                 // class | school | township | county
  std::optional<Scalar> group_period;  // day | week | month | semester | year
  Scalar aggregate;                    // count | sum | avg | min | max | share
  std::optional<Scalar> column;        // for sum/avg/min/max
  std::vector<Condition> share_where;  // for share: the rows that count
  Scalar compare_op;                   // < <= > >= = !=
  std::optional<Scalar> compare_parameter;
  std::optional<Scalar> compare_value;
  // measured = aggregate ÷ divide_by (a ratio of two aggregates).
  std::optional<Operand> divide_by;
  // compare.against: the threshold is another aggregate of the same group
  // (against, ÷ against_divide_by) or, with against_previous, the group's
  // own measured value in the period before; value/parameter then a factor.
  std::optional<Operand> against;
  std::optional<Operand> against_divide_by;
  bool against_previous = false;
  // group.consecutive: a finding only when the norm is broken in this many
  // periods in a row (the finding's period is the last of them).
  std::optional<Scalar> consecutive;
  SourceMark mark;
};

struct CaseSpec {
  Scalar assignee;  // school | township | county
  Scalar due_working_days;
  SourceMark mark;
};

struct Rule {
  Scalar id;
  Scalar clause;
  std::string source_zh;
  std::string title_zh;
  Scalar severity;  // minor | major | critical
  Scope scope;
  std::vector<Parameter> parameters;
  Check check;
  std::vector<Unless> unless;
  std::optional<CaseSpec> case_spec;
  std::optional<Scalar> days;  // school | calendar | records; absent = calendar
  SourceMark mark;
};

struct Target {
  Scalar id;
  Scalar clause;
  std::string source_zh;
  std::string title_zh;
  Scope scope;
  Check indicator;  // its compare_op + compare_value is the target
  // indicator: {open_cases: <case type>}: the number of cases of that type not
  // in a terminal state; then only compare_op/compare_value of `indicator` are set.
  std::optional<Scalar> open_cases;
  Scalar deadline;
  std::optional<Scalar> baseline_date;
  std::optional<Scalar> baseline_value;
  SourceMark mark;
};

struct Semester {
  Scalar name;
  Scalar from;
  Scalar to;
  SourceMark mark;
};

// timetable_norms: the work plan's timetable norms that the timetable
// checker applies (docs/policy-format.md, "Timetable norms"). No
// dataset binds them, so unlike a rule's parameters the parser itself types
// and checks them: values are numbers (a clock time "HH:MM" becomes minutes
// after midnight), dates days since the epoch, and each parameter's values
// are sorted by valid_from and never overlap.
struct TimetableNormValue {
  double value = 0;
  int32_t valid_from = std::numeric_limits<int32_t>::min();  // inclusive; min = open
  int32_t valid_to = std::numeric_limits<int32_t>::max();    // inclusive; max = open
  SourceMark mark;
};

struct TimetableNormParameter {
  Scalar name;  // one of the names docs/policy-format.md lists
  std::string label_zh;
  std::vector<TimetableNormValue> values;  // sorted, non-overlapping
  SourceMark mark;
  // The value valid on `day` (days since the epoch), or nullptr.
  const TimetableNormValue* At(int32_t day) const {
    for (const auto& v : values)
      if (day >= v.valid_from && day <= v.valid_to) return &v;
    return nullptr;
  }
};

struct TimetableNorm {
  Scalar id;
  Scalar clause;
  std::string title_zh;
  std::string source_zh;  // the plan's sentence, quoted
  // The checks this norm is judged by, as the rule ids their findings carry
  // ("tt.pe_weekly"); each appears in one norm of the pack. A check no norm
  // names is not judged.
  std::vector<Scalar> rules;
  std::vector<TimetableNormParameter> parameters;
  SourceMark mark;
};

struct Pack {
  std::string file;
  std::string name;
  std::string title_zh;
  std::vector<Semester> semesters;  // the declared ones
  // `semesters: {provisional: hunan}`: the rule that continues the declared
  // semesters with provisional ones (calendar/school_semesters.h); absent = none.
  std::optional<Scalar> provisional_semesters;
  // school_closures: {dataset, where?, until?}: a school's declared non-school days.
  std::optional<Unless> school_closures;
  // `calendar:` a directory (or file) of China working-calendar data, relative
  // to the pack's file; default "calendar" (policy/calendar/ beside the pack).
  std::optional<Scalar> calendar_path;
  // The working calendar school days are computed from: ParsePolicyFile loads
  // it when a rule declares days: school; ParsePolicy (text only) leaves it to
  // the caller. The binder refuses days: school without it.
  std::shared_ptr<const calendar::WorkingCalendar> calendar;
  std::vector<datasets::DatasetSchema> datasets;  // parsed by datasets::ParseDatasets
  std::vector<Rule> rules;
  std::vector<Target> targets;
  std::vector<TimetableNorm> timetable_norms;  // a parameter name appears once in the pack
};

}  // namespace edugov::rules::ast
