#include "draws/draw_policy.h"

#include <gtest/gtest.h>

#include "testing/raw_errors.h"

namespace edugov::draws {
namespace {

void ExpectNoRawText(const Status& s) {
  EXPECT_EQ(testing::RawLibraryFragment(s.message_en()), "") << s.message_en();
  EXPECT_EQ(testing::RawLibraryFragment(s.message_zh()), "") << s.message_zh();
}

// Regression: a YAML syntax error answered "抽查参数文件不是有效的 YAML:yaml-cpp:
// error at line 2, column 14: end of map flow not found".
TEST(DrawPolicyErrors, MalformedYamlNamesFileLineColumnInBothLanguages) {
  auto p = ParseDrawPolicy("clause: '12'\nrisk_grades: {high: 3\n");
  ASSERT_FALSE(p.ok());
  const Status& s = p.status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message_en().rfind("policy/draws.yaml:3:1: policy: ", 0), 0u) << s.message_en();
  EXPECT_NE(s.message_zh().find("policy/draws.yaml 第 3 行第 1 列：policy："), std::string::npos)
      << s.message_zh();
  ExpectNoRawText(s);
}

TEST(DrawPolicyErrors, AWrongTypeNamesTheFieldAndItsPosition) {
  auto p = ParseDrawPolicy("clause: '12'\nquote_zh: 抽查\nmin_rate_percent: lots\n");
  ASSERT_FALSE(p.ok());
  const Status& s = p.status();
  EXPECT_EQ(s.field(), "min_rate_percent");
  EXPECT_EQ(s.message_en(), "policy/draws.yaml:3:19: min_rate_percent must be an integer");
  EXPECT_EQ(s.message_zh(), "抽查参数文件 policy/draws.yaml 第 3 行第 19 列：min_rate_percent 须为整数");
  ExpectNoRawText(s);
}

}  // namespace
}  // namespace edugov::draws
