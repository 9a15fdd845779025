// The plan's timetable norms as policy-pack data: the pack parser types and
// checks the timetable_norms section (FILE:LINE:COLUMN errors, overlapping
// dates refused, unknown checks refused), NormsFromPack takes the value
// valid on the day and the clause the pack gives each check, a missing
// value is an error naming the parameter, and a changed value in the pack
// changes the checker's verdict.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "http/timetable_findings.h"
#include "rules/policy_parser.h"
#include "timetable/anhua_norms_test.h"
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

// The values and clauses the pack gives; AnhuaNorms (the unit tests'
// mirror of the pack) must equal them.
TEST(PackNormsTest, TheShippedPackCarriesThePlanValuesWithTheirSentences) {
  auto pack = rules::ParsePolicyFile(kPolicy + "/anhua-2025.yaml");
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  ASSERT_FALSE(pack->timetable_norms.empty());
  for (const auto& n : pack->timetable_norms) {
    EXPECT_FALSE(n.source_zh.empty()) << n.id.text;
    EXPECT_FALSE(n.rules.empty()) << n.id.text;
  }
  auto used = http::NormsFromPack(pack->timetable_norms, Date::FromYmd(2025, 10, 1));
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_EQ(used->used.size(), 10u);  // every threshold is in the pack
  for (const auto& u : used->used) EXPECT_EQ(u.valid_from, Date::FromYmd(2025, 1, 1).DaysSinceEpoch()) << u.name;
  EXPECT_EQ(used->rules.size(), static_cast<size_t>(timetable::kNumNormChecks));  // every check is judged
  const PlanNorms mirror = testing::AnhuaNorms();
  const PlanNorms& got = used->norms;
  EXPECT_EQ(got.pe_grades_1_2, mirror.pe_grades_1_2);
  EXPECT_EQ(got.pe_grades_3_6, mirror.pe_grades_3_6);
  EXPECT_EQ(got.pe_junior, mirror.pe_junior);
  EXPECT_EQ(got.pe_senior, mirror.pe_senior);
  EXPECT_EQ(got.first_lesson_primary, mirror.first_lesson_primary);
  EXPECT_EQ(got.first_lesson_junior, mirror.first_lesson_junior);
  EXPECT_EQ(got.min_break_minutes, mirror.min_break_minutes);
  EXPECT_EQ(got.min_noon_minutes, mirror.min_noon_minutes);
  EXPECT_EQ(got.eye_exercises_per_day, mirror.eye_exercises_per_day);
  EXPECT_EQ(got.long_breaks_per_day, mirror.long_breaks_per_day);
  EXPECT_EQ(got.clauses, mirror.clauses);
}

// No value valid on the day, a judged check without its parameter, or no
// section at all: an error naming what is missing — never a value of the
// code's own.
TEST(PackNormsTest, AMissingValueIsAnErrorNamingTheParameter) {
  auto pack = rules::ParsePolicyFile(kPolicy + "/anhua-2025.yaml");
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  auto before = http::NormsFromPack(pack->timetable_norms, Date::FromYmd(2024, 6, 1));
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(before.status().message(Lang::kEn).find("2024-06-01"), std::string::npos) << before.status().ToString();
  EXPECT_FALSE(before.status().field().empty());

  const std::string text = std::string(kHeader) +
                           "  - id: pe\n"
                           "    clause: \"26\"\n"
                           "    source_zh: 开足上好体育与健康课\n"
                           "    rules: [tt.pe_weekly]\n"
                           "    parameters:\n"
                           "      - {name: min_pe_lessons_junior, value: 3}\n";
  auto partial = rules::ParsePolicy(text, "t.yaml");
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  auto missing = http::NormsFromPack(partial->timetable_norms, Date::FromYmd(2025, 10, 1));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().field(), "min_pe_lessons_grades_1_2");

  auto empty = http::NormsFromPack({}, Date::FromYmd(2025, 10, 1));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().field(), "timetable_norms");
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
  EXPECT_EQ(http::NormsFromPack(pack->timetable_norms, Date::FromYmd(2025, 6, 1))->norms.pe_junior, 3);
  EXPECT_EQ(http::NormsFromPack(pack->timetable_norms, Date::FromYmd(2025, 9, 1))->norms.pe_junior, 4);
  // A parameter the pack does not have stays unset (no check here needs it).
  EXPECT_EQ(http::NormsFromPack(pack->timetable_norms, Date::FromYmd(2025, 9, 1))->norms.pe_senior,
            PlanNorms::kUnset);
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
      {"  - id: pe\n    clause: \"26\"\n    source_zh: 开足上好体育与健康课\n    rules: [tt.pe_weakly]\n",
       "t.yaml:6:13", "unknown timetable check"},
      {"  - id: pe\n    clause: \"26\"\n    source_zh: 开足上好体育与健康课\n    rules: [tt.pe_weekly]\n"
       "  - id: pe2\n    clause: \"26\"\n    source_zh: 开足上好体育与健康课\n    rules: [tt.pe_weekly]\n",
       "t.yaml:10:13", "two norms"},
      {"  - id: pe\n    clause: \"26\"\n    source_zh: 开足上好体育与健康课\n", "t.yaml:3:5", "no rules"},
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
  auto inst = GenerateSchool({.stage = Stage::kJunior, .classes = 3, .seed = 1, .norms = testing::AnhuaNorms()}, *cur);
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
  auto norms = *http::NormsFromPack(pack->timetable_norms, day);
  Instance normed = WithPlanNorms(*inst, norms.norms);
  EXPECT_TRUE(PlanNormFindings(normed, r.solution, Check(normed, r.solution), norms.norms).empty());

  const std::string raised = ReplaceAfter(shipped, "name: min_pe_lessons_junior", "value: 3", "value: 5");
  auto pack5 = rules::ParsePolicy(raised, "raised.yaml");
  ASSERT_TRUE(pack5.ok()) << pack5.status().ToString();
  norms = *http::NormsFromPack(pack5->timetable_norms, day);
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
  auto inst = GenerateSchool({.stage = Stage::kPrimary, .classes = 1, .seed = 2, .norms = testing::AnhuaNorms()}, *cur);
  ASSERT_TRUE(inst.ok());
  Solution none;
  none.placements.resize(inst->activities.size());
  PlanNorms norms = testing::AnhuaNorms();
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

// The shipped pack with the primary first lesson moved to 08:30: a primary
// school whose first bell rings at 08:20 is flagged, each class once,
// under the pack's clause — and at the shipped 08:20 it is not.
TEST(PackNormsTest, AFirstLessonOf0830InThePackFlagsAn0820Start) {
  auto cur = LoadCurriculum(kPolicy + "/curriculum/hunan-compulsory-example.yaml");
  ASSERT_TRUE(cur.ok());
  auto inst = GenerateSchool({.stage = Stage::kPrimary, .classes = 6, .seed = 1, .norms = testing::AnhuaNorms()}, *cur);
  ASSERT_TRUE(inst.ok());
  ASSERT_EQ(inst->periods[0].start_minute, 8 * 60 + 20);
  SolveParams sp;
  sp.work_limit = 2'000'000;
  sp.time_limit_seconds = 1e9;
  sp.clock = [] { return 0.0; };
  sp.stop_at_first_complete = true;
  SolveResult r = Solve(*inst, sp);
  ASSERT_EQ(r.hard, 0);
  const Date day = Date::FromYmd(2025, 10, 1);
  const std::string shipped = ReadAll(kPolicy + "/anhua-2025.yaml");

  auto pack = rules::ParsePolicy(shipped, "anhua-2025.yaml");
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  auto norms = *http::NormsFromPack(pack->timetable_norms, day);
  Instance normed = WithPlanNorms(*inst, norms.norms);
  for (const NormFinding& f : PlanNormFindings(normed, r.solution, Check(normed, r.solution), norms.norms))
    EXPECT_NE(f.rule_id, "tt.first_lesson");

  const std::string later =
      ReplaceAfter(shipped, "name: first_lesson_not_before_primary", "value: \"08:20\"", "value: \"08:30\"");
  auto pack830 = rules::ParsePolicy(later, "later.yaml");
  ASSERT_TRUE(pack830.ok()) << pack830.status().ToString();
  norms = *http::NormsFromPack(pack830->timetable_norms, day);
  EXPECT_EQ(norms.norms.first_lesson_primary, 8 * 60 + 30);
  normed = WithPlanNorms(*inst, norms.norms);
  int first = 0;
  for (const NormFinding& f : PlanNormFindings(normed, r.solution, Check(normed, r.solution), norms.norms)) {
    if (f.rule_id != "tt.first_lesson") continue;
    ++first;
    EXPECT_EQ(f.clause, "25");
    EXPECT_EQ(f.threshold, 8 * 60 + 30);
    EXPECT_EQ(f.measured, 8 * 60 + 20);
    EXPECT_EQ(f.parameter, "first_lesson_primary");
  }
  EXPECT_EQ(first, 6);
}

// The clause is the pack's: renumbered there, the PE finding carries it.
TEST(PackNormsTest, TheClauseComesFromThePack) {
  auto cur = LoadCurriculum(kPolicy + "/curriculum/hunan-compulsory-example.yaml");
  ASSERT_TRUE(cur.ok());
  auto inst = GenerateSchool({.stage = Stage::kJunior, .classes = 1, .seed = 1, .norms = testing::AnhuaNorms()}, *cur);
  ASSERT_TRUE(inst.ok());
  Solution none;
  none.placements.resize(inst->activities.size());
  const std::string shipped = ReadAll(kPolicy + "/anhua-2025.yaml");
  const std::string renumbered = ReplaceAfter(shipped, "id: tt-pe-weekly", "clause: \"26\"", "clause: \"26a\"");
  auto pack = rules::ParsePolicy(renumbered, "renumbered.yaml");
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  auto norms = *http::NormsFromPack(pack->timetable_norms, Date::FromYmd(2025, 10, 1));
  norms.norms.pe_junior = 5;  // above the curriculum's 3: a finding
  Instance normed = WithPlanNorms(*inst, norms.norms);
  int pe = 0;
  for (const NormFinding& f : PlanNormFindings(normed, none, Check(normed, none), norms.norms)) {
    if (f.rule_id != "tt.pe_weekly") continue;
    ++pe;
    EXPECT_EQ(f.clause, "26a");
  }
  EXPECT_EQ(pe, 1);
}

}  // namespace
}  // namespace edugov::timetable
