// Generates a realistic Chinese school as a timetabling Instance, with every
// timetable norm of the work plan built in as data: a bell schedule with
// clock times, the daily long break (大课间) and two eye-exercise slots as
// reserved periods, first lesson / break / noon-rest norms (clause 25), the
// PE minimum per week (clause 26) and the curriculum at full weekly count
// (clause 27) as checkable constraints.
//
//   ASSIGN_OR_RETURN(Curriculum cur, LoadCurriculum("policy/curriculum/hunan-compulsory-example.yaml"));
//   GeneratorParams gp{.stage = Stage::kPrimary, .classes = 24, .seed = 1};
//   ASSIGN_OR_RETURN(Instance inst, GenerateSchool(gp, cur));
//
// Deterministic for a seed. Thread-safe.
#pragma once

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
// kNotFound if the file is missing; kInvalidArgument (with the field) if it
// is not a curriculum table.
StatusOr<Curriculum> LoadCurriculum(const std::string& path);
StatusOr<Curriculum> ParseCurriculum(const std::string& yaml);

// The work plan's timetable norms, as parameters (defaults: Anhua 2025).
struct PlanNorms {
  int first_lesson_primary = 8 * 60 + 20;  // clause 25: not before 08:20
  int first_lesson_junior = 8 * 60;        // clause 25: not before 08:00
  int min_break_minutes = 15;              // clause 25
  int min_noon_minutes = 90;               // clause 25: lunch + rest
  // Clause 26: PE lessons per week by grade band.
  int pe_grades_1_2 = 4;
  int pe_grades_3_6 = 3;
  int pe_junior = 3;  // grades 7–9
  int pe_senior = 2;
  // Clause 26: reserved daily slots a timed bell schedule must have (periods
  // named 眼保健操 / 大课间 among bell.fixed_periods).
  int eye_exercises_per_day = 2;
  int long_breaks_per_day = 1;
  std::string pe_subject = "体育与健康";
};

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
// kInvalidArgument for classes < 1 or a senior curriculum without
// first/second electives.
StatusOr<Instance> GenerateSchool(const GeneratorParams& params, const Curriculum& curriculum);

}  // namespace edugov::timetable
