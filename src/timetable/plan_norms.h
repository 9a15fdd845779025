// The work plan's timetable norms applied to any instance with thresholds
// and clauses from outside — the policy pack's timetable_norms — and the
// checker's verdicts grouped per class and per school, ready to be stored
// as findings. A generated school carries the norms it was built with; an
// uploaded .fet carries none: WithPlanNorms gives both the same, current
// thresholds, and the independent checker then judges.
//
//   Instance normed = WithPlanNorms(upload.instance, norms);
//   CheckReport rep = Check(normed, upload.locked);
//   std::vector<NormFinding> f = PlanNormFindings(normed, upload.locked, rep);
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "timetable/checker.h"
#include "timetable/generator.h"
#include "timetable/model.h"

namespace edugov::timetable {

// A class's grade from its set (StudentSet::grade) or, failing that, its
// name: "7年级1班", "七年级1班", "初一2班", "高二3班" → 7, 7, 7, 11. 0 unknown.
int ClassGrade(const StudentSet& set);
// A class's number within its grade ("七年级3班" → 3), 0 when none.
int ClassNumber(const std::string& name);
// True for the sets that are administrative classes (班): a known grade and
// a name ending in 班, moving-class teaching groups (走班) excluded.
bool IsClass(const StudentSet& set);

// The instance with the plan's norms at `norms`' thresholds, each check
// only when `norms` judges it (a clause from the pack):
//  - PE (kPeWeekly): every class with a known grade gets one kWeeklyPeriods
//    constraint over its PE lessons (subject `norms.pe_subject`, 体育 or PE)
//    at the minimum for its grade band (1–2, 3–6, 7–9, senior); existing PE
//    constraints (Constraint::norm) are replaced, so a generated school is
//    re-judged at today's values;
//  - bell norms, when every period has clock times: the first lesson not
//    before the earliest start any of its classes' stages allows (primary or
//    junior; none for senior-only), breaks and the noon rest at least the
//    minimum; the noon break is the one after `bell.morning_periods`, else
//    the longest gap between periods;
//  - the curriculum in full (kCurriculum) is the instance's own constraints.
// `norms` must pass CheckPlanNorms.
// `stage` (kUnknown: none) is the school's stage when its classes' names do
// not tell their grades (a .fet's "Y1"): it then sets the first-lesson norm.
Instance WithPlanNorms(const Instance& in, const PlanNorms& norms, Stage stage = Stage::kUnknown);

// One breach of a norm by one class (or the school's bell schedule).
struct NormFinding {
  // tt.first_lesson | tt.breaks | tt.noon_rest | tt.reserved_periods |
  // tt.eye_exercises | tt.long_break | tt.pe_weekly | tt.curriculum
  std::string rule_id;
  std::string clause;   // the clause the pack gives the check
  int student_set = -1;  // the class; -1: the whole school
  double measured = 0;
  double threshold = 0;
  std::string comparison;  // the norm: measured OP threshold (">=", "<=")
  // The PlanNorms parameter the threshold came from ("pe_grades_3_6"),
  // empty when the instance itself set it (the curriculum counts).
  std::string parameter;
  std::vector<std::string> details;  // the checker's violations behind it
  std::vector<int> slots;            // where (slot indices), ascending
};

// The checker's violations of `rep` (a Check of `normed`) that breach a
// check `norms` judges, grouped by rule and class, deterministic order
// (rule, then class); and, when the bell schedule is timed (WithPlanNorms
// enabled the bell norms), a school finding tt.eye_exercises /
// tt.long_break when fewer reserved periods named 眼保健操 / 大课间 than
// `norms` asks for. Rule ids are NormCheckId's; clauses are `norms`'.
std::vector<NormFinding> PlanNormFindings(const Instance& normed, const Solution& sol, const CheckReport& rep,
                                          const PlanNorms& norms);

}  // namespace edugov::timetable
