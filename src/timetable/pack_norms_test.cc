// The plan's timetable norms as policy-pack parameters: the pack parser
// types and checks the timetable_norms section (FILE:LINE:COLUMN errors,
// overlapping dates refused), NormsFromPack takes the value valid on the
// day, and a changed value in the pack changes the checker's verdict.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "http/timetable_findings.h"
#include "rules/policy_parser.h"
#include "timetable/plan_norms.h"
#include "timetable/solver.h"

namespace edugov::timetable {
namespace {

const std::string kPolicy = EDUGOV_POLICY_DIR;

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// `text` with the first `from` after `anchor` replaced by `to`.
std::string ReplaceAfter(std::string text, const std::string& anchor, const std::string& from, const std::string& to) {
  const size_t a = text.find(anchor);
  EXPECT_NE(a, std::string::npos) << anchor;
  const size_t at = text.find(from, a);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

constexpr const char* kHeader = "pack: t\ntimetable_norms:\n";

TEST(PackNormsTest, TheShippedPackCarriesThePlanValuesWithTheirSentences) {
  auto pack = rules::ParsePolicyFile(kPolicy + "/anhua-2025.yaml");
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  ASSERT_FALSE(pack->timetable_norms.empty());
  for (const auto& n : pack->timetable_norms) {
    EXPECT_FALSE(n.source_zh.empty()) << n.id.text;
    EXPECT_TRUE(n.clause.text == "25" || n.clause.text == "26") << n.id.text;
  }
  const auto used = http::NormsFromPack(pack->timetable_norms, Date::FromYmd(2025, 10, 1));
  for (const auto& u : used.used) {
    EXPECT_TRUE(u.from_pack) << u.name;  // every threshold is in the pack
    EXPECT_EQ(u.valid_from, Date::FromYmd(2025, 1, 1).DaysSinceEpoch()) << u.name;
  }
  EXPECT_EQ(used.norms.pe_grades_1_2, 4);
  EXPECT_EQ(used.norms.pe_grades_3_6, 3);
  EXPECT_EQ(used.norms.pe_junior, 3);
  EXPECT_EQ(used.norms.pe_senior, 2);
  EXPECT_EQ(used.norms.first_lesson_primary, 8 * 60 + 20);
  EXPECT_EQ(used.norms.first_lesson_junior, 8 * 60);
  EXPECT_EQ(used.norms.min_break_minutes, 15);
  EXPECT_EQ(used.norms.min_noon_minutes, 90);
  EXPECT_EQ(used.norms.eye_exercises_per_day, 2);
  EXPECT_EQ(used.norms.long_breaks_per_day, 1);
  // Before the values' validity the work plan's defaults stand, and say so.
  const auto before = http::NormsFromPack(pack->timetable_norms, Date::FromYmd(2024, 6, 1));
  for (const auto& u : before.used) EXPECT_FALSE(u.from_pack) << u.name;
}

TEST(PackNormsTest, DatedValuesPickTheOneValidOnTheDay) {
  const std::string text = std::string(kHeader) +
                           "  - id: pe\n"
                           "    clause: \"26\"\n"
                           "    source_zh: 开足上好体育与健康课\n"
                           "    parameters:\n"
                           "      - name: min_pe_lessons_junior\n"
                           "        values:\n"
                           "          - {value: 4, valid_from: 2025-09-01}\n"
                           "          - {value: 3, valid_from: 2025-01-01, valid_to: 2025-08-31}\n";
  auto pack = rules::ParsePolicy(text, "t.yaml");
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  const auto& values = pack->timetable_norms[0].parameters[0].values;
  ASSERT_EQ(values.size(), 2u);
  EXPECT_LT(values[0].valid_from, values[1].valid_from);  // sorted
  EXPECT_EQ(http::NormsFromPack(pack->timetable_norms, Date::FromYmd(2025, 6, 1)).norms.pe_junior, 3);
  EXPECT_EQ(http::NormsFromPack(pack->timetable_norms, Date::FromYmd(2025, 9, 1)).norms.pe_junior, 4);
  // The others keep the plan's values.
  EXPECT_EQ(http::NormsFromPack(pack->timetable_norms, Date::FromYmd(2025, 9, 1)).norms.pe_senior, 2);
}

struct Bad {
  std::string body;
  std::string where;  // "t.yaml:LINE:COL"
  std::string says;   // in the English message
};

TEST(PackNormsTest, MalformedNormsAreRefusedWithLineAndColumn) {
  const std::string norm = "  - id: pe\n    clause: \"26\"\n    source_zh: 开足上好体育与健康课\n    parameters:\n";
  const std::vector<Bad> cases = {
      {norm + "      - {name: min_pe_lessons_junior, value: three}\n", "t.yaml:7:46", "whole number"},
      {norm + "      - {name: min_pe_lessons_junior, value: -1}\n", "t.yaml:7:46", "whole number"},
      {norm + "      - {name: first_lesson_not_before_primary, value: \"8h20\"}\n", "t.yaml:7:56", "HH:MM"},
      {norm + "      - {name: min_pe_lesons_junior, value: 3}\n", "t.yaml:7:16", "unknown timetable norm parameter"},
      {norm + "      - name: min_pe_lessons_junior\n        values:\n"
              "          - {value: 3, valid_from: 2025-01-01}\n"
              "          - {value: 4, valid_from: 2025-09-01}\n",
       "t.yaml:10:13", "overlap"},
      {norm + "      - name: min_pe_lessons_junior\n        values: [{value: 3, valid_from: 2025-13-01}]\n",
       "t.yaml:8:41", "date"},
      {norm + "      - {name: min_pe_lessons_junior, value: 3}\n      - {name: min_pe_lessons_junior, value: 4}\n",
       "t.yaml:8:16", "twice"},
      {norm + "      - {name: min_pe_lessons_junior, value: 3, color: red}\n", "t.yaml:7:49", "unknown key"},
      {"  - id: pe\n    clause: \"26\"\n    parameters:\n      - {name: min_pe_lessons_junior, value: 3}\n",
       "t.yaml:3:5", "source_zh"},
  };
  for (const Bad& b : cases) {
    auto pack = rules::ParsePolicy(kHeader + b.body, "t.yaml");
    ASSERT_FALSE(pack.ok()) << b.body;
    EXPECT_EQ(pack.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(pack.status().field(), b.where) << pack.status().ToString();
    EXPECT_NE(pack.status().message(Lang::kEn).find(b.says), std::string::npos) << pack.status().ToString();
    EXPECT_NE(pack.status().message(Lang::kZh).find(b.where), std::string::npos) << pack.status().ToString();
  }
}

// A junior school solved at the plan's values: clean. The same timetable
// judged with the pack's PE value for junior grades raised to 5: every
// class falls short, and the finding names the pack's parameter.
TEST(PackNormsTest, AChangedPeValueInThePackChangesTheVerdict) {
  auto cur = LoadCurriculum(kPolicy + "/curriculum/hunan-compulsory-example.yaml");
  ASSERT_TRUE(cur.ok());
  auto inst = GenerateSchool({.stage = Stage::kJunior, .classes = 3, .seed = 1}, *cur);
  ASSERT_TRUE(inst.ok());
  SolveParams sp;
  sp.work_limit = 200000;
  sp.time_limit_seconds = 1e9;
  sp.clock = [] { return 0.0; };
  sp.stop_at_first_complete = true;
  SolveResult r = Solve(*inst, sp);
  ASSERT_EQ(r.hard, 0);
  const Date day = Date::FromYmd(2025, 10, 1);

  const std::string shipped = ReadAll(kPolicy + "/anhua-2025.yaml");
  auto pack = rules::ParsePolicy(shipped, "anhua-2025.yaml");
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  auto norms = http::NormsFromPack(pack->timetable_norms, day);
  Instance normed = WithPlanNorms(*inst, norms.norms);
  EXPECT_TRUE(PlanNormFindings(normed, r.solution, Check(normed, r.solution), norms.norms).empty());

  const std::string raised = ReplaceAfter(shipped, "name: min_pe_lessons_junior", "value: 3", "value: 5");
  auto pack5 = rules::ParsePolicy(raised, "raised.yaml");
  ASSERT_TRUE(pack5.ok()) << pack5.status().ToString();
  norms = http::NormsFromPack(pack5->timetable_norms, day);
  EXPECT_EQ(norms.norms.pe_junior, 5);
  normed = WithPlanNorms(*inst, norms.norms);
  const CheckReport rep = Check(normed, r.solution);
  EXPECT_GT(rep.hard_violations, 0);
  int pe = 0;
  for (const NormFinding& f : PlanNormFindings(normed, r.solution, rep, norms.norms)) {
    ASSERT_EQ(f.rule_id, "tt.pe_weekly");
    EXPECT_EQ(f.threshold, 5);
    EXPECT_EQ(f.parameter, "pe_junior");
    ++pe;
  }
  EXPECT_EQ(pe, 3);
}

// The reserved daily slots are judged on a timed bell schedule: a generated
// primary school has both; asking for three eye exercises a day finds one
// school finding.
TEST(PackNormsTest, ReservedSlotsFollowThePack) {
  auto cur = LoadCurriculum(kPolicy + "/curriculum/hunan-compulsory-example.yaml");
  ASSERT_TRUE(cur.ok());
  auto inst = GenerateSchool({.stage = Stage::kPrimary, .classes = 1, .seed = 2}, *cur);
  ASSERT_TRUE(inst.ok());
  Solution none;
  none.placements.resize(inst->activities.size());
  PlanNorms norms;
  Instance normed = WithPlanNorms(*inst, norms);
  for (const NormFinding& f : PlanNormFindings(normed, none, Check(normed, none), norms)) {
    EXPECT_NE(f.rule_id, "tt.eye_exercises");
    EXPECT_NE(f.rule_id, "tt.long_break");
  }
  norms.eye_exercises_per_day = 3;
  normed = WithPlanNorms(*inst, norms);
  int eye = 0;
  for (const NormFinding& f : PlanNormFindings(normed, none, Check(normed, none), norms)) {
    if (f.rule_id != "tt.eye_exercises") continue;
    ++eye;
    EXPECT_EQ(f.student_set, -1);
    EXPECT_EQ(f.measured, 2);
    EXPECT_EQ(f.threshold, 3);
    EXPECT_EQ(f.parameter, "eye_exercises_per_day");
  }
  EXPECT_EQ(eye, 1);
}

}  // namespace
}  // namespace edugov::timetable
