// The points policy file: the shipped pack loads; bad files are refused
// naming the field and its line:column.
#include "points/policy.h"

#include <gtest/gtest.h>

namespace edugov::points {
namespace {

constexpr const char* kMinimal = R"(clause: "23"
quote_zh: "建立教师积分管理制度"
base_points: 60
objection_window_days: 15
rules:
  - id: training_hours
    label: {zh: 培训学时, en: Training hours}
    clause: "建立教师积分管理制度"
    points: 1
    max_units: 10
    evidence: {zh: 培训证明, en: training record}
    recorders: [school]
eligibility:
  - {id: awards, label: {zh: 评先评优, en: Awards}, min_points: 75, veto_blocks: true}
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

TEST(PointsPolicyTest, ShippedPackLoads) {
  auto p = LoadPointsPolicy(std::string(EDUGOV_SOURCE_DIR) + "/policy/teacher-points.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->clause, "23");
  EXPECT_EQ(p->base_points, 60);
  ASSERT_NE(p->FindRule("misconduct"), nullptr);
  EXPECT_LT(p->FindRule("misconduct")->points, 0);
  for (const char* id : {"registration", "awards", "title_promotion", "performance_pay", "contract_renewal"}) {
    EXPECT_NE(p->FindList(id), nullptr) << id;
  }
  EXPECT_TRUE(p->FindList("awards")->veto_blocks);
  EXPECT_FALSE(p->FindList("performance_pay")->veto_blocks);
}

TEST(PointsPolicyTest, MinimalParses) {
  auto p = ParsePointsPolicy(kMinimal);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->rules.size(), 1u);
  EXPECT_EQ(p->rules[0].recorders, std::vector<std::string>{"school"});
}

TEST(PointsPolicyTest, ErrorsNameFieldAndLineColumn) {
  struct Case {
    std::string from, to, field, where;
  };
  const std::vector<Case> cases = {
      {"points: 1", "points: many", "rules[0].points", ":9:13"},
      {"points: 1", "points: 0", "rules[0].points", ":9:13"},
      {"recorders: [school]", "recorders: [headmaster]", "rules[0].recorders[0]", ":12:17"},
      {"    clause: \"建立教师积分管理制度\"\n", "", "rules[0].clause", ":6:5"},
      {"id: awards", "id: holidays", "eligibility[0].id", ":14:10"},
      {"veto_blocks: true", "veto_blocks: perhaps", "eligibility[0].veto_blocks", ""},
      {"objection_window_days: 15", "objection_window_days: 0", "objection_window_days", ":4:24"},
  };
  for (const Case& c : cases) {
    auto p = ParsePointsPolicy(Replace(kMinimal, c.from, c.to), "teacher-points.yaml");
    ASSERT_FALSE(p.ok()) << c.to;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(p.status().field(), c.field) << p.status().ToString();
    EXPECT_NE(p.status().message(Lang::kEn).find("teacher-points.yaml" + c.where), std::string::npos)
        << p.status().ToString();
    EXPECT_NE(p.status().message(Lang::kZh).find("积分政策文件"), std::string::npos);
  }
}

TEST(PointsPolicyTest, DuplicateRuleRefused) {
  std::string text = kMinimal;
  const std::string rule = text.substr(text.find("  - id: training_hours"),
                                       text.find("eligibility:") - text.find("  - id: training_hours"));
  text = Replace(text, "eligibility:", rule + "eligibility:");
  auto p = ParsePointsPolicy(text);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().field(), "rules[1].id");
}

TEST(PointsPolicyTest, MayRecordByRoleAndDepartment) {
  Rule r;
  r.recorders = {"school", "bureau_dept:hr"};
  accounts::Principal p;
  p.role = accounts::Role::kSchool;
  EXPECT_TRUE(MayRecord(r, p));
  p.role = accounts::Role::kTeacher;
  EXPECT_FALSE(MayRecord(r, p));
  p.role = accounts::Role::kBureauDept;
  p.department = "hr";
  EXPECT_TRUE(MayRecord(r, p));
  p.department = "finance";
  EXPECT_FALSE(MayRecord(r, p));
}

}  // namespace
}  // namespace edugov::points
