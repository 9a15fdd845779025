// Generates a realistic Chinese school as a timetabling Instance, with every
// timetable norm the policy pack declares built in as data: a bell schedule
// with clock times, the daily long break (大课间) and two eye-exercise slots
// as reserved periods, the first-lesson / break / noon-rest norms, the PE
// minimum per week and the curriculum at full weekly count as checkable
// constraints, each with the clause the pack gives it.
//
//   ASSIGN_OR_RETURN(Curriculum cur, LoadCurriculum("policy/curriculum/hunan-compulsory-example.yaml"));
//   ASSIGN_OR_RETURN(http::TimetableNorms n, http::NormsFromPack(pack.timetable_norms, today));
//   GeneratorParams gp{.stage = Stage::kPrimary, .classes = 24, .seed = 1, .norms = n.norms};
//   ASSIGN_OR_RETURN(Instance inst, GenerateSchool(gp, cur));
//
// Deterministic for a seed. Thread-safe.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "timetable/model.h"

namespace edugov::timetable {

// Subject x grade -> lessons per week (policy/curriculum/*.yaml).
struct CurriculumSubject {
  std::string name;
  bool main = false;
  RoomKind room = RoomKind::kOrdinary;
  std::map<int, int> per_grade;  // grade -> lessons per week
  // Hunan 3+1+2 (senior): "first" = the 1 of 物理/历史, "second" = the 2 of
  // 化学/生物/政治/地理; empty = taken by everyone.
  std::string elective;
};
struct Curriculum {
  std::string name;
  std::vector<CurriculumSubject> subjects;
  // Grades in which elective subjects are chosen (senior 11, 12); in other
  // grades every subject is common.
  std::vector<int> selection_grades;
};
// kNotFound if the file is missing; kInvalidArgument naming the file, line,
// column and field (zh and en) if it is not a curriculum table. `file` names
// the text in ParseCurriculum's errors.
StatusOr<Curriculum> LoadCurriculum(const std::string& path);
StatusOr<Curriculum> ParseCurriculum(const std::string& yaml, const std::string& file = "curriculum.yaml");

// The work plan's timetable norms: the thresholds and, per check, the
// clause it enforces. Nothing here has a value of its own — the policy pack
// (policy/*.yaml, timetable_norms) is the one place the plan's numbers live,
// and the caller fills this from it (http::NormsFromPack). A check the pack
// does not declare (empty clause) is not judged.
struct PlanNorms {
  static constexpr int kUnset = -1;
  int first_lesson_primary = kUnset;  // minutes after midnight
  int first_lesson_junior = kUnset;   // minutes after midnight
  int min_break_minutes = kUnset;
  int min_noon_minutes = kUnset;      // lunch + rest
  // PE lessons per week by grade band.
  int pe_grades_1_2 = kUnset;
  int pe_grades_3_6 = kUnset;
  int pe_junior = kUnset;  // grades 7–9
  int pe_senior = kUnset;
  // Reserved daily slots a timed bell schedule must have (periods named
  // 眼保健操 / 大课间 among bell.fixed_periods).
  int eye_exercises_per_day = kUnset;
  int long_breaks_per_day = kUnset;
  // The curriculum's name for PE (体育 and PE are recognised too).
  std::string pe_subject = "体育与健康";
  // By NormCheck: the clause the check enforces; empty: not judged.
  std::array<std::string, kNumNormChecks> clauses;

  bool Judges(NormCheck check) const { return !clauses[static_cast<int>(check)].empty(); }
  const std::string& Clause(NormCheck check) const { return clauses[static_cast<int>(check)]; }
};

// OkStatus when every threshold a judged check needs is set; else
// kInvalidArgument whose field() is the first unset PlanNorms member
// ("pe_junior").
Status CheckPlanNorms(const PlanNorms& norms);

struct GeneratorParams {
  Stage stage = Stage::kPrimary;
  int classes = 24;      // spread evenly over the stage's grades
  int students = 0;      // total students; 0: 45 per class
  uint64_t seed = 1;
  PlanNorms norms;
};

// Senior (grades 10-12, Hunan 3+1+2): in selection grades every student
// picks 1 first and 2 second electives (seeded draw); students of one class
// with one combination form an atomic subgroup. Electives are sectioned into
// three time blocks (first elective; earlier second; later second) and, per
// block and subject, into teaching groups of at most 50 (moving classes,
// 选课走班). A block's groups meet at the same time (same-starting-time
// constraints), each student in exactly one of them; a teacher never gets
// two groups of one block.
//
// The bell schedule is a fixed template (lessons of 40/45 minutes, breaks of
// 15, a noon rest of at least 90) moved later when the first-lesson norm is
// later than its first bell, so a generated school meets the norms it was
// built with whenever they are no stricter than the template's gaps.
//
// kInvalidArgument for classes < 1, a senior curriculum without
// first/second electives, norms that judge nothing (not filled from a pack)
// or miss a threshold a judged check needs (CheckPlanNorms).
StatusOr<Instance> GenerateSchool(const GeneratorParams& params, const Curriculum& curriculum);

}  // namespace edugov::timetable
