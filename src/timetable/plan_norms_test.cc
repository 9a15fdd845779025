#include "timetable/plan_norms.h"

#include <gtest/gtest.h>

#include "timetable/anhua_norms_test.h"
#include "timetable/solver.h"

namespace edugov::timetable {
namespace {

const std::string kPolicy = EDUGOV_POLICY_DIR;

TEST(PlanNormsTest, ClassNamesGiveGradeAndNumber) {
  StudentSet s;
  for (auto [name, grade] : std::vector<std::pair<std::string, int>>{
           {"7年级1班", 7}, {"七年级2班", 7}, {"初三1班", 9}, {"高二3班", 11}, {"12年级1班", 12}, {"Y1", 0}}) {
    s.name = name;
    EXPECT_EQ(ClassGrade(s), grade) << name;
  }
  EXPECT_EQ(ClassNumber("七年级12班"), 12);
  s.name = "11年级物理走班1-1班";
  EXPECT_FALSE(IsClass(s));
  s.name = "3年级1班";
  EXPECT_TRUE(IsClass(s));
}

// A generated junior school, solved, judged at stricter thresholds than it
// was built with: the findings follow the thresholds given, per class.
TEST(PlanNormsTest, ThresholdsFromOutsideDecideTheFindings) {
  auto cur = LoadCurriculum(kPolicy + "/curriculum/hunan-compulsory-example.yaml");
  ASSERT_TRUE(cur.ok()) << cur.status().ToString();
  GeneratorParams gp{.stage = Stage::kJunior, .classes = 3, .seed = 1, .norms = testing::AnhuaNorms()};
  auto inst = GenerateSchool(gp, *cur);
  ASSERT_TRUE(inst.ok());
  SolveParams sp;
  sp.work_limit = 200000;
  sp.time_limit_seconds = 1e9;
  sp.clock = [] { return 0.0; };
  sp.stop_at_first_complete = true;
  SolveResult r = Solve(*inst, sp);
  ASSERT_EQ(r.hard, 0);

  // At the norms it was built with the timetable is clean.
  const PlanNorms shipped = testing::AnhuaNorms();
  Instance normed = WithPlanNorms(*inst, shipped);
  EXPECT_TRUE(PlanNormFindings(normed, r.solution, Check(normed, r.solution), shipped).empty());

  // PE 9 a week and nothing before 09:00: every class breaks both.
  PlanNorms strict = shipped;
  strict.pe_junior = 9;
  strict.first_lesson_junior = 9 * 60;
  normed = WithPlanNorms(*inst, strict);
  std::vector<NormFinding> f = PlanNormFindings(normed, r.solution, Check(normed, r.solution), strict);
  int pe = 0, first = 0;
  for (const NormFinding& x : f) {
    ASSERT_GE(x.student_set, 0);
    EXPECT_TRUE(IsClass(normed.student_sets[x.student_set]));
    if (x.rule_id == "tt.pe_weekly") {
      ++pe;
      EXPECT_EQ(x.clause, "26");
      EXPECT_EQ(x.threshold, 9);
      EXPECT_EQ(x.parameter, "pe_junior");
      EXPECT_LT(x.measured, 9);
      EXPECT_EQ(x.comparison, ">=");
      EXPECT_EQ(static_cast<int>(x.slots.size()), static_cast<int>(x.measured));
    } else if (x.rule_id == "tt.first_lesson") {
      ++first;
      EXPECT_EQ(x.clause, "25");
      EXPECT_EQ(x.threshold, 540);
      EXPECT_LT(x.measured, 540);
      EXPECT_FALSE(x.slots.empty());
    }
  }
  EXPECT_EQ(pe, 3);
  EXPECT_EQ(first, 3);
}

TEST(PlanNormsTest, ShortBreaksAreOneSchoolFinding) {
  auto cur = LoadCurriculum(kPolicy + "/curriculum/hunan-compulsory-example.yaml");
  ASSERT_TRUE(cur.ok());
  auto inst = GenerateSchool({.stage = Stage::kPrimary, .classes = 1, .seed = 2, .norms = testing::AnhuaNorms()}, *cur);
  ASSERT_TRUE(inst.ok());
  PlanNorms norms = testing::AnhuaNorms();
  norms.min_break_minutes = 40;  // longer than any break of the bell schedule
  Instance normed = WithPlanNorms(*inst, norms);
  Solution none;
  none.placements.resize(normed.activities.size());
  std::vector<NormFinding> f = PlanNormFindings(normed, none, Check(normed, none), norms);
  ASSERT_FALSE(f.empty());
  bool breaks = false;
  for (const NormFinding& x : f) {
    if (x.rule_id != "tt.breaks") continue;
    breaks = true;
    EXPECT_EQ(x.student_set, -1);
    EXPECT_EQ(x.threshold, 40);
    EXPECT_LT(x.measured, 40);
    EXPECT_EQ(x.parameter, "min_break_minutes");
  }
  EXPECT_TRUE(breaks);
}

// The pack decides which checks run and under which clause: a check it does
// not declare finds nothing, a clause it renumbers is the findings' clause.
TEST(PlanNormsTest, ThePacksChecksAndClausesDecide) {
  auto cur = LoadCurriculum(kPolicy + "/curriculum/hunan-compulsory-example.yaml");
  ASSERT_TRUE(cur.ok());
  auto inst = GenerateSchool({.stage = Stage::kPrimary, .classes = 1, .seed = 2, .norms = testing::AnhuaNorms()}, *cur);
  ASSERT_TRUE(inst.ok());
  Solution none;
  none.placements.resize(inst->activities.size());
  PlanNorms norms = testing::AnhuaNorms();
  norms.min_break_minutes = 40;
  norms.clauses[static_cast<int>(NormCheck::kBreaks)] = "9";
  Instance normed = WithPlanNorms(*inst, norms);
  int breaks = 0;
  for (const NormFinding& x : PlanNormFindings(normed, none, Check(normed, none), norms)) {
    if (x.rule_id != "tt.breaks") continue;
    ++breaks;
    EXPECT_EQ(x.clause, "9");
  }
  EXPECT_EQ(breaks, 1);
  for (const Violation& v : Check(normed, none).violations) {
    if (v.type == "BreakTooShort") {
      EXPECT_EQ(v.clause, "9");
    }
  }

  norms.clauses[static_cast<int>(NormCheck::kBreaks)].clear();  // not declared: not judged
  normed = WithPlanNorms(*inst, norms);
  for (const NormFinding& x : PlanNormFindings(normed, none, Check(normed, none), norms))
    EXPECT_NE(x.rule_id, "tt.breaks");
}

}  // namespace
}  // namespace edugov::timetable
