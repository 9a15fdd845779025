#include "cases/case_type.h"

#include <gtest/gtest.h>

namespace edugov::cases {
namespace {

constexpr const char* kMinimal = R"(id: t
prefix: TT
label: {zh: 测试, en: Test}
fields:
  - {name: text, label: 内容, type: longtext, required: true}
states:
  - {id: open, label: 待办, assignee: school, time_limit: {working_days: 3}}
  - {id: done, label: 完成, terminal: true}
transitions:
  - {id: finish, label: 完成, from: [open], to: done, roles: [assignee]}
)";

TEST(CaseTypeTest, ShippedTypesLoad) {
  auto r = CaseTypeRegistry::LoadDir(std::string(EDUGOV_SOURCE_DIR) + "/policy/cases");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const char* id : {"complaint", "rectification", "misconduct", "approval", "hazard", "dropout"}) {
    EXPECT_NE(r->Find(id), nullptr) << id;
  }
  const CaseType* c = r->Find("complaint");
  EXPECT_EQ(c->prefix, "TS");
  EXPECT_EQ(c->states[0].id, "received");
  EXPECT_EQ(c->confidential_readers, std::vector<std::string>{"petitions"});
  EXPECT_TRUE(c->FindField("name")->confidential);
  EXPECT_TRUE(c->FindField("phone")->confidential);
  EXPECT_EQ(c->reopen_within_days, 15);
}

TEST(CaseTypeTest, MinimalLoads) {
  auto r = CaseTypeRegistry::FromYaml(kMinimal, "t.yaml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Find("t")->states[0].time_limit->working_days, 3);
}

// Each mutation of the minimal type and the location its error must name.
struct Bad {
  std::string from, to, where, says;
};

// The analysis report's thresholds: read when present, every key required
// and positive, errors at the line and column.
TEST(CaseTypeTest, ReportThresholds) {
  auto none = CaseTypeRegistry::FromYaml(kMinimal, "t.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->Find("t")->report);
  const std::string with = std::string(kMinimal) +
                           "report:\n  rectification_working_days: 7\n  campaign_working_days: 14\n"
                           "  accountability_working_days: 4\n  rising: {min_count: 2, min_ratio: 2, min_increase: 1}\n";
  auto r = CaseTypeRegistry::FromYaml(with, "t.yaml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& th = *r->Find("t")->report;
  EXPECT_EQ(th.rectification_working_days, 7);
  EXPECT_EQ(th.campaign_working_days, 14);
  EXPECT_EQ(th.accountability_working_days, 4);
  EXPECT_EQ(th.rising_min_count, 2);
  EXPECT_EQ(th.rising_min_ratio, 2.0);
  EXPECT_EQ(th.rising_min_increase, 1);

  auto missing = CaseTypeRegistry::FromYaml(std::string(kMinimal) + "report:\n  rectification_working_days: 7\n",
                                            "t.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message(Lang::kEn).find("campaign_working_days"), std::string::npos)
      << missing.status().ToString();
  auto zero = CaseTypeRegistry::FromYaml(
      std::string(kMinimal) + "report:\n  rectification_working_days: 0\n  campaign_working_days: 14\n"
                              "  accountability_working_days: 4\n  rising: {min_count: 2, min_ratio: 2, min_increase: 1}\n",
      "t.yaml");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().field(), "t.yaml:12:31");
}

TEST(CaseTypeTest, ErrorsNameFileLineAndColumn) {
  const std::vector<Bad> bad = {
      {"prefix: TT", "prefix: TT\ncolour: red", "t.yaml:3:1", "unknown key 'colour'"},
      {"to: done", "to: gone", "t.yaml:10:51", "unknown state 'gone'"},
      {"roles: [assignee]", "roles: [janitor]", "t.yaml:10:64", "unknown role 'janitor'"},
      {"working_days: 3", "working_days: -1", "t.yaml:7:61", "cannot be negative"},
      {"prefix: TT", "prefix: tt", "t.yaml:2:9", "2–4 capital"},
      {"roles: [assignee]}", "roles: [assignee], required_fields: [colour]}", "t.yaml:10:",
       "required field 'colour' is not declared"},
      {"  - {id: done, label: 完成, terminal: true}", "  - {id: done, label: 完成, terminal: true}\n  - {id: limbo, label: 悬空}",
       "t.yaml:9:5", "cannot be reached"},
      {"type: longtext", "type: essay", "t.yaml:5:", "unknown field type"},
      {"label: {zh: 测试, en: Test}", "label: {zh: 测试, en: [Test}", "t.yaml:3:30", "without its opening bracket"},
  };
  for (const Bad& b : bad) {
    std::string text = kMinimal;
    const size_t pos = text.find(b.from);
    ASSERT_NE(pos, std::string::npos) << b.from;
    text.replace(pos, b.from.size(), b.to);
    auto r = CaseTypeRegistry::FromYaml(text, "t.yaml");
    ASSERT_FALSE(r.ok()) << b.to;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message_en().find(b.where), std::string::npos) << r.status().message_en();
    EXPECT_NE(r.status().message_en().find(b.says), std::string::npos) << r.status().message_en();
    EXPECT_FALSE(r.status().message_zh().empty());
  }
}

}  // namespace
}  // namespace edugov::cases
