#include "common/yaml_error.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "testing/raw_errors.h"

namespace edugov {
namespace {

Status Load(const std::string& text, std::string_view field = {}) {
  try {
    YAML::Node root = YAML::Load(text);
    (void)root["limit"].as<int>();
    (void)root["missing"]["deeper"].as<int>();
  } catch (const YAML::Exception& e) {
    return YamlError("policy/x.yaml", e, field);
  }
  return OkStatus();
}

TEST(YamlError, SyntaxErrorNamesFileLineAndColumnInBothLanguages) {
  Status s = Load("a: 1\nb: [1, 2\n");
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message_en().rfind("policy/x.yaml:3:1: ", 0), 0u) << s.message_en();
  EXPECT_NE(s.message_zh().find("policy/x.yaml 第 3 行第 1 列"), std::string::npos) << s.message_zh();
  EXPECT_NE(s.message_zh().find("“[” 缺少对应的 “]”"), std::string::npos) << s.message_zh();
  EXPECT_EQ(s.field(), "policy/x.yaml:3:1");
  EXPECT_EQ(testing::RawLibraryFragment(s.message_en()), "") << s.message_en();
  EXPECT_EQ(testing::RawLibraryFragment(s.message_zh()), "") << s.message_zh();
}

TEST(YamlError, BadConversionNamesTheValuesPositionAndTheField) {
  Status s = Load("name: x\nlimit: many\n", "limit");
  EXPECT_EQ(s.message_en(),
            "policy/x.yaml:2:8: limit: the value has the wrong type (a number, true/false, text or "
            "list was expected)");
  EXPECT_EQ(s.message_zh(), "policy/x.yaml 第 2 行第 8 列：limit：值的类型不对（应为数字、true/false、文本或列表）");
  EXPECT_EQ(s.field(), "limit");
}

TEST(YamlError, InvalidNodeHasNoPositionSoNoZeroZeroAndNamesTheKey) {
  Status s = Load("limit: 3\nmissing: 4\n", "missing.deeper");
  EXPECT_EQ(s.message_en().find(":0:0"), std::string::npos) << s.message_en();
  EXPECT_NE(s.message_en().find("missing.deeper"), std::string::npos) << s.message_en();
  EXPECT_NE(s.message_zh().find("missing.deeper"), std::string::npos) << s.message_zh();
  EXPECT_EQ(testing::RawLibraryFragment(s.message_en()), "") << s.message_en();
  EXPECT_EQ(testing::RawLibraryFragment(s.message_zh()), "") << s.message_zh();
}

TEST(YamlError, EverySyntaxErrorIsTranslatedOrGeneric) {
  for (const char* text : {"a: b: c\n", "a:\n\t- 1\n", "a: *nowhere\n", "a: {b: 1\n", "a: [1, 2]]\n",
                           "a: \"\\q\"\n"}) {
    Status s = OkStatus();
    try {
      YAML::Load(text);
    } catch (const YAML::Exception& e) {
      s = YamlError("policy/x.yaml", e);
    }
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_EQ(testing::RawLibraryFragment(s.message_en()), "") << s.message_en();
    EXPECT_NE(s.message_en().find("policy/x.yaml:"), std::string::npos) << s.message_en();
    EXPECT_NE(s.message_zh().find(" 行第 "), std::string::npos) << s.message_zh();
  }
}

}  // namespace
}  // namespace edugov
