// Unit tests of the stages: parser (shape, marks), binder (typing,
// parameters), compiler (periods, thresholds), and Holds().
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "rules/binder.h"
#include "rules/compiler.h"
#include "rules/evaluator.h"
#include "rules/policy_parser.h"

namespace edugov::rules {
namespace {

constexpr const char* kPack = R"(pack: t
semesters:
  - {name: s1, from: 2025-02-17, to: 2025-07-05}
datasets:
  - name: hw
    entity: class_id
    period: date
    key: [class_id, date]
    columns:
      - {name: class_id, type: ref, ref: class, required: true}
      - {name: date, type: date, required: true}
      - {name: m, type: int}
rules:
  - id: r1
    clause: "25"
    source_zh: 句子
    scope: {stages: [primary], grades: [3, "5-6"]}
    parameters:
      - name: p
        values:
          - {value: 60, valid_from: 2025-01-01, valid_to: 2025-08-31}
          - {value: 50, valid_from: 2025-09-01}
    check:
      source: hw
      group: {entity: class, period: week}
      aggregate: avg
      column: m
      compare: {op: "<=", parameter: p}
)";

TEST(PolicyParserTest, KeepsMarks) {
  auto p = ParsePolicy(kPack, "t.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->rules.size(), 1u);
  EXPECT_EQ(p->rules[0].id.text, "r1");
  EXPECT_EQ(p->rules[0].id.mark.line, 14);
  EXPECT_EQ(p->rules[0].id.mark.column, 9);
  EXPECT_EQ(p->rules[0].check.aggregate.text, "avg");
  EXPECT_EQ(p->semesters.size(), 1u);
  EXPECT_EQ(p->datasets.size(), 1u);
}

// Issue 15: a pack's text cannot make the parser expand without bound.
TEST(PolicyParserTest, BillionLaughsAndDeepNestingAreRefusedNamingTheBound) {
  std::string laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string p = "*a" + std::to_string(i - 1);
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + p + ", " + p + ", " + p +
              ", " + p + ", " + p + ", " + p + ", " + p + ", " + p + ", " + p + "]\n";
  }
  auto p = ParsePolicy(laughs, "bomb.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message_en().find("expands (aliases included) to too many nodes "
                                         "(limit max_yaml_nodes = 1000000)"),
            std::string::npos)
      << p.status().message_en();
  EXPECT_NE(p.status().message_zh().find("上限 max_yaml_nodes"), std::string::npos);
  EXPECT_EQ(p.status().field().rfind("bomb.yaml:", 0), 0u);

  std::string deep = "rules: ";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  auto d = ParsePolicy(deep, "deep.yaml");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message_en().find("is nested too deeply (limit max_yaml_depth = 64)"),
            std::string::npos)
      << d.status().message_en();
}

TEST(PolicyParserTest, MissingFileIsNotFound) {
  EXPECT_EQ(ParsePolicyFile("/nonexistent/p.yaml").status().code(), StatusCode::kNotFound);
}

TEST(BinderTest, TypesScopeAndParameters) {
  auto p = ParsePolicy(kPack, "t.yaml");
  ASSERT_TRUE(p.ok());
  auto b = Bind(*p);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  const bound::Rule& r = b->rules[0];
  EXPECT_EQ(r.scope.grade_mask, (1u << 5) | (1u << 7) | (1u << 8));
  EXPECT_EQ(r.check.aggregate, bound::Aggregate::kAvg);
  EXPECT_EQ(r.check.period, bound::Period::kWeek);
  ASSERT_EQ(r.parameters[0].values.size(), 2u);
  EXPECT_EQ(r.parameters[0].At(Date::FromYmd(2025, 8, 31).DaysSinceEpoch())->value, 60);
  EXPECT_EQ(r.parameters[0].At(Date::FromYmd(2025, 9, 1).DaysSinceEpoch())->value, 50);
  EXPECT_EQ(r.parameters[0].At(Date::FromYmd(2024, 12, 31).DaysSinceEpoch()), nullptr);
}

TEST(HoldsTest, ComparesWithTolerance) {
  EXPECT_TRUE(bound::Holds(bound::CmpOp::kLe, 60.0000000001, 60));
  EXPECT_FALSE(bound::Holds(bound::CmpOp::kLe, 60.01, 60));
  EXPECT_TRUE(bound::Holds(bound::CmpOp::kGe, 0.75, 0.75));
  EXPECT_FALSE(bound::Holds(bound::CmpOp::kLt, 1, 1));
  EXPECT_TRUE(bound::Holds(bound::CmpOp::kNe, 1, 2));
}

datasets::RegistryImage OneClass() {
  datasets::RegistryImage r;
  r.org_id = {1, 3};
  r.org_kind = {datasets::kKindCounty, datasets::kKindSchool};
  r.org_stage = {datasets::kNoStage, 1};  // primary
  r.org_flags = {0, 0};
  r.org_code = {"C", "S"};
  r.org_name = {"县", "校"};
  r.org_path = {"/1/", "/1/3/"};
  r.class_id = {11};
  r.class_school = {1};
  r.class_grade = {3};
  r.class_name = {"三1"};
  datasets::FinishRegistryImage(r);
  return r;
}

TEST(CompilerTest, WeeksEndByAsOfAndThresholdsFollowDates) {
  auto p = ParsePolicy(kPack, "t.yaml");
  auto b = Bind(*p);
  ASSERT_TRUE(b.ok());
  auto image = datasets::EmptyImage(b->datasets, OneClass());
  ASSERT_TRUE(datasets::Append(image, "hw", {{1, {int64_t{11}, std::string("2025-02-18"), int64_t{10}}},
                                              {2, {int64_t{11}, std::string("2025-08-25"), int64_t{10}}},
                                              {3, {int64_t{11}, std::string("2025-09-03"), int64_t{10}}},
                                              {4, {int64_t{11}, std::string("2025-09-09"), int64_t{10}}}})
                  .ok());
  CompileOptions opt{Date::FromYmd(2025, 9, 10), {}};
  auto pl = CompileRule(*b, b->rules[0], image, opt);
  ASSERT_TRUE(pl.ok()) << pl.status().ToString();
  // Weeks from Monday 2025-02-17 (the first row's) to the last full week
  // before 09-10 (an average judges no week without rows, so the domain is
  // the rows' days; the week of 09-09 has not ended).
  ASSERT_FALSE(pl->periods.empty());
  EXPECT_EQ(Date::FromDaysSinceEpoch(pl->periods.front().start).ToString(), "2025-02-17");
  EXPECT_EQ(Date::FromDaysSinceEpoch(pl->periods.back().end).ToString(), "2025-09-07");
  EXPECT_EQ(pl->periods.back().label, "2025-W36");
  EXPECT_EQ(pl->threshold.back(), 50);
  EXPECT_EQ(pl->threshold.front(), 60);
  EXPECT_EQ(pl->group_entities.size(), 1u);
  // what-if overrides every period
  opt.overrides["p"] = 40;
  auto wi = CompileRule(*b, b->rules[0], image, opt);
  ASSERT_TRUE(wi.ok());
  EXPECT_EQ(wi->threshold.front(), 40);
  EXPECT_TRUE(wi->param.front()->overridden);
}

// A daily or weekly rule over an empty dataset lays out no groups at all
// (at province scale a year of empty class-days would be tens of millions).
TEST(CompilerTest, NoRowsNoPeriodsForARuleThatJudgesNoEmptyGroup) {
  auto b = Bind(*ParsePolicy(kPack, "t.yaml"));
  ASSERT_TRUE(b.ok());
  auto image = datasets::EmptyImage(b->datasets, OneClass());
  auto pl = CompileRule(*b, b->rules[0], image, {Date::FromYmd(2025, 9, 10), {}});
  ASSERT_TRUE(pl.ok()) << pl.status().ToString();
  EXPECT_TRUE(pl->periods.empty());
  auto r = Evaluate(*b, image, {Date::FromYmd(2025, 9, 10), {}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->findings.empty());
}

TEST(EvaluatorTest, UnknownWhatIfIsRefused) {
  auto b = Bind(*ParsePolicy(kPack, "t.yaml"));
  auto image = datasets::EmptyImage(b->datasets, OneClass());
  auto r = Evaluate(*b, image, {Date::FromYmd(2025, 9, 10), {{"nope", 1}}});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  auto q = Evaluate(*b, image, {Date::FromYmd(2025, 9, 10), {{"r1.p", 1}}});
  EXPECT_TRUE(q.ok());
}

constexpr const char* kOpenCasesPack = R"(pack: t
targets:
  - id: dropouts
    clause: "18"
    source_zh: 句子
    indicator: {open_cases: dropout}
    target: {op: "<=", value: 0}
    deadline: 2025-12-31
)";

// An open-cases target takes its count from the caller's supplier, per county.
TEST(OpenCasesTargetTest, CountsThroughTheSupplier) {
  auto p = ParsePolicy(kOpenCasesPack, "t.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_TRUE(p->targets[0].open_cases.has_value());
  EXPECT_EQ(p->targets[0].open_cases->text, "dropout");
  auto b = Bind(*p);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->targets[0].open_cases, "dropout");
  auto image = datasets::EmptyImage(b->datasets, OneClass());
  std::vector<std::string> asked;
  CompileOptions opt{Date::FromYmd(2025, 9, 10), {}};
  opt.count_open_cases = [&](std::string_view type, std::string_view path) -> StatusOr<int64_t> {
    asked.push_back(std::string(type) + "@" + std::string(path));
    return int64_t{3};
  };
  auto r = Evaluate(*b, image, opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->targets.size(), 1u);
  EXPECT_EQ(asked, std::vector<std::string>{"dropout@/1/"});
  EXPECT_TRUE(r->targets[0].has_value);
  EXPECT_EQ(r->targets[0].measured, 3);
  EXPECT_EQ(r->targets[0].entity_type, "county");
  EXPECT_EQ(r->targets[0].comparison, "<=");
  EXPECT_EQ(r->targets[0].status, TargetStatus::kAtRisk);
  // After the deadline with open cases left: missed; none open: met.
  opt.as_of = Date::FromYmd(2026, 1, 5);
  EXPECT_EQ(Evaluate(*b, image, opt)->targets[0].status, TargetStatus::kMissed);
  opt.count_open_cases = [](std::string_view, std::string_view) -> StatusOr<int64_t> { return int64_t{0}; };
  EXPECT_EQ(Evaluate(*b, image, opt)->targets[0].status, TargetStatus::kMet);
  // A supplier's error (an unknown case type) fails the evaluation.
  opt.count_open_cases = [](std::string_view, std::string_view) -> StatusOr<int64_t> {
    return InvalidArgumentError("unknown case type", "未知的案件类型");
  };
  EXPECT_EQ(Evaluate(*b, image, opt).status().code(), StatusCode::kInvalidArgument);
}

// No supplier: no value, never a made-up count.
TEST(OpenCasesTargetTest, NoSupplierNoValue) {
  auto b = Bind(*ParsePolicy(kOpenCasesPack, "t.yaml"));
  ASSERT_TRUE(b.ok());
  auto image = datasets::EmptyImage(b->datasets, OneClass());
  auto r = Evaluate(*b, image, {Date::FromYmd(2025, 9, 10), {}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->targets.size(), 1u);
  EXPECT_FALSE(r->targets[0].has_value);
  EXPECT_EQ(r->targets[0].status, TargetStatus::kAtRisk);
}

TEST(OpenCasesTargetTest, UnknownKeyAndBadComparisonNameTheLine) {
  std::string pack = kOpenCasesPack;
  std::string bad = pack;
  bad.replace(bad.find("{open_cases: dropout}"), 21, "{open_cases: dropout, where: []}");
  auto p = ParsePolicy(bad, "t.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().ToString().find("t.yaml:6:"), std::string::npos) << p.status().ToString();
  EXPECT_NE(p.status().ToString().find("where"), std::string::npos) << p.status().ToString();
  std::string op = pack;
  op.replace(op.find("\"<=\""), 4, "\"=<\"");
  auto q = ParsePolicy(op, "t.yaml");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  auto b = Bind(*q);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().ToString().find("t.yaml:7:"), std::string::npos) << b.status().ToString();
  std::string eq = pack;
  eq.replace(eq.find("\"<=\""), 4, "\"==\"");
  auto e = Bind(*ParsePolicy(eq, "t.yaml"));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->targets[0].indicator.op, bound::CmpOp::kEq);
}

// Every quoted source sentence of the real pack appears in the plan's text.
TEST(AnhuaPackTest, ValidatesAndQuotesThePlan) {
  auto p = ParsePolicyFile(std::string(EDUGOV_SOURCE_DIR) + "/policy/anhua-2025.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto b = Bind(*p);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  std::ifstream in(std::string(EDUGOV_SOURCE_DIR) + "/../shared/seed/work-plan-2025.zh.txt");
  if (!in) GTEST_SKIP() << "plan text not available";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string plan = ss.str();
  for (const auto& r : b->rules) {
    EXPECT_NE(plan.find(r.source_zh), std::string::npos) << r.id << ": " << r.source_zh;
    EXPECT_NE(plan.find(std::string("\n  ") + r.clause + "."), std::string::npos) << r.id;
  }
  for (const auto& t : b->targets) EXPECT_NE(plan.find(t.source_zh), std::string::npos) << t.id;
}

}  // namespace
}  // namespace edugov::rules
