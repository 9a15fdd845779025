#include "timetable/generator.h"

#include <gtest/gtest.h>

#include "timetable/anhua_norms_test.h"
#include "timetable/checker.h"
#include "timetable/solver.h"
#include "timetable/yaml_io.h"

namespace edugov::timetable {
namespace {

const std::string kCurriculum = std::string(EDUGOV_POLICY_DIR) + "/curriculum/hunan-compulsory-example.yaml";

SolveParams Params(int64_t work) {
  SolveParams p;
  p.seed = 1;
  p.work_limit = work;
  p.time_limit_seconds = 1e9;
  p.stop_at_first_complete = true;
  p.clock = [] { return 0.0; };
  return p;
}

Instance Generate(Stage stage, int classes, PlanNorms norms = testing::AnhuaNorms()) {
  auto cur = LoadCurriculum(kCurriculum);
  EXPECT_TRUE(cur.ok()) << cur.status().ToString();
  GeneratorParams gp;
  gp.stage = stage;
  gp.classes = classes;
  gp.norms = norms;
  auto in = GenerateSchool(gp, *cur);
  EXPECT_TRUE(in.ok()) << in.status().ToString();
  return *in;
}

int Count(const CheckReport& r, const std::string& type) {
  int n = 0;
  for (const Violation& v : r.violations) n += v.type == type;
  return n;
}

TEST(GeneratorTest, PrimarySchoolMeetsEveryNormAndSolves) {
  Instance in = Generate(Stage::kPrimary, 24);
  EXPECT_EQ(in.student_sets.size(), 24u);
  EXPECT_EQ(in.bell.fixed_periods.size(), 3u);  // 大课间 + two eye exercises
  // The instance itself honours clauses 25-27: only "unplaced" is wrong
  // with an empty timetable.
  Solution empty;
  CheckReport before = Check(in, empty);
  EXPECT_EQ(Count(before, "Unplaced"), before.hard_violations);
  SolveResult r = Solve(in, Params(2'000'000));
  CheckReport rep = Check(in, r.solution);
  EXPECT_EQ(rep.hard_violations, 0);
  EXPECT_EQ(r.hard, 0);
}

TEST(GeneratorTest, JuniorSchoolSolves) {
  Instance in = Generate(Stage::kJunior, 18);
  SolveResult r = Solve(in, Params(2'000'000));
  EXPECT_EQ(Check(in, r.solution).hard_violations, 0);
}

TEST(GeneratorTest, StricterPeNormIsReportedWithThePacksClause) {
  PlanNorms norms = testing::AnhuaNorms();
  norms.pe_grades_1_2 = 5;  // the example curriculum gives grades 1-2 four
  Instance in = Generate(Stage::kPrimary, 12, norms);
  CheckReport r = Check(in, Solution{});
  int pe = 0;
  for (const Violation& v : r.violations)
    if (v.type == "WeeklyPeriods") {
      EXPECT_EQ(v.clause, "26");
      ++pe;
    }
  EXPECT_EQ(pe, 4);  // 12 classes over 6 grades: two in grade 1, two in grade 2
}

TEST(GeneratorTest, LaterFirstLessonMakesItInfeasibleAndSaysWhy) {
  Instance in = Generate(Stage::kPrimary, 6);
  in.bell.first_lesson_not_before = 8 * 60 + 30;  // bans period 1: 25 slots for 30 lessons
  SolveResult r = Solve(in, Params(20000));
  EXPECT_GT(r.hard, 0);
  bool explained = false;
  for (const std::string& c : r.conflicts)
    explained |= c.find("needs 30 periods but only 25") != std::string::npos &&
                 c.find("first lesson not before 8:30 (clause 25)") != std::string::npos;
  EXPECT_TRUE(explained) << (r.conflicts.empty() ? "" : r.conflicts[0]);
}

// A pack whose first lesson is later than the template's first bell moves
// the generated day later: the school meets the norm it was built with.
TEST(GeneratorTest, ALaterFirstLessonNormMovesTheBellSchedule) {
  PlanNorms norms = testing::AnhuaNorms();
  norms.first_lesson_primary = 8 * 60 + 30;
  Instance in = Generate(Stage::kPrimary, 6, norms);
  EXPECT_EQ(in.periods[0].start_minute, 8 * 60 + 30);
  EXPECT_EQ(in.bell.first_lesson_not_before, 8 * 60 + 30);
  EXPECT_EQ(in.bell.first_lesson_clause, "25");
  SolveResult r = Solve(in, Params(2'000'000));
  EXPECT_EQ(Count(Check(in, r.solution), "FirstLessonTooEarly"), 0);
}

// Norms not filled from a pack judge nothing: refused, not a school
// without norms; a judged check without its threshold names the member.
TEST(GeneratorTest, NormsNotFromThePackAreRefused) {
  auto cur = LoadCurriculum(kCurriculum);
  ASSERT_TRUE(cur.ok());
  GeneratorParams gp{.stage = Stage::kPrimary, .classes = 6};
  auto none = GenerateSchool(gp, *cur);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  gp.norms = testing::AnhuaNorms();
  gp.norms.pe_junior = PlanNorms::kUnset;
  auto missing = GenerateSchool(gp, *cur);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().field(), "pe_junior");
}

TEST(GeneratorTest, SeniorNeedsElectivesInTheCurriculum) {
  auto cur = LoadCurriculum(kCurriculum);  // compulsory table: no electives
  ASSERT_TRUE(cur.ok());
  GeneratorParams gp;
  gp.stage = Stage::kSenior;
  gp.norms = testing::AnhuaNorms();
  EXPECT_EQ(GenerateSchool(gp, *cur).status().code(), StatusCode::kInvalidArgument);
}

TEST(GeneratorTest, SeniorMovingClassesAreSectionedAndSolve) {
  auto cur = LoadCurriculum(std::string(EDUGOV_POLICY_DIR) + "/curriculum/hunan-senior-example.yaml");
  ASSERT_TRUE(cur.ok()) << cur.status().ToString();
  GeneratorParams gp;
  gp.stage = Stage::kSenior;
  gp.classes = 9;
  gp.students = 450;
  gp.norms = testing::AnhuaNorms();
  auto in = GenerateSchool(gp, *cur);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  // Every selection-grade student is in exactly one group per elective
  // block: each atom of grade 11/12 belongs to exactly 3 moving groups.
  std::vector<int> groups_of_atom(in->num_subgroups, 0);
  int total_students = 0;
  for (const StudentSet& s : in->student_sets) {
    if (s.name.find("走班") == std::string::npos) {
      total_students += s.size;
      continue;
    }
    EXPECT_LE(s.size, 50) << s.name;
    for (int g : s.subgroups) ++groups_of_atom[g];
  }
  EXPECT_EQ(total_students, 450);
  for (const StudentSet& s : in->student_sets) {
    if (s.grade < 11 || s.name.find("走班") != std::string::npos) continue;
    for (int g : s.subgroups) EXPECT_EQ(groups_of_atom[g], 3) << in->subgroup_names[g];
  }
  SolveResult r = Solve(*in, Params(2'000'000));
  CheckReport rep = Check(*in, r.solution);
  EXPECT_EQ(rep.hard_violations, 0);
  // PE 2/week for seniors (clause 26) holds by construction.
  EXPECT_EQ(Count(rep, "WeeklyPeriods"), 0);
}

TEST(YamlTest, RoundTripKeepsTheModel) {
  Instance in = Generate(Stage::kJunior, 6);
  SolveResult r = Solve(in, Params(500000));
  auto back = InstanceFromYaml(InstanceToYaml(in));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->activities.size(), in.activities.size());
  EXPECT_EQ(back->constraints.size(), in.constraints.size());
  EXPECT_EQ(back->periods[0].start_minute, in.periods[0].start_minute);
  EXPECT_EQ(back->bell.fixed_periods, in.bell.fixed_periods);
  CheckReport a = Check(in, r.solution), b = Check(*back, r.solution);
  EXPECT_EQ(a.hard_violations, b.hard_violations);
  EXPECT_NEAR(a.soft_cost, b.soft_cost, 1e-9);
  EXPECT_EQ(a.violations.size(), b.violations.size());
}

TEST(YamlTest, BadReferenceNamesTheField) {
  auto r = InstanceFromYaml(
      "days: [Mon]\nperiods: [{name: '1'}]\nteachers: [T]\nsubjects: []\nrooms: []\nsubgroups: []\n"
      "student_sets: []\nactivities: [{id: 1, duration: 1, teachers: [3]}]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "activities[0].teachers");
}

TEST(CurriculumTest, BadRoomKindIsAnError) {
  auto c = ParseCurriculum("subjects:\n  - {name: X, room: pool, per_grade: {1: 2}}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message_en().find("pool"), std::string::npos);
}

}  // namespace
}  // namespace edugov::timetable
