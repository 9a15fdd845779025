#include "common/status.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace edugov {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd", "奇数");
  return x / 2;
}

StatusOr<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x));
  return OkStatus();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesBothLanguagesAndField) {
  Status s = InvalidArgumentError("bad name", "名称无效").WithField("name");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(Lang::kZh), "名称无效");
  EXPECT_EQ(s.message(Lang::kEn), "bad name");
  EXPECT_EQ(s.ToString(Lang::kEn), "invalid_argument: bad name (name)");
  EXPECT_EQ(s.ToString(Lang::kZh), "invalid_argument: 名称无效(name)");
}

TEST(StatusTest, ChineseFallsBackToEnglish) {
  EXPECT_EQ(NotFoundError("missing").message_zh(), "missing");
}

TEST(StatusTest, ToStringIsOneLine) {
  EXPECT_EQ(InternalError("a\nb").ToString(), "internal: a b");
}

TEST(StatusOrTest, PropagatesThroughMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message_en(), "odd");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).code(), StatusCode::kInvalidArgument);
}

TEST(LangTest, AcceptLanguage) {
  EXPECT_EQ(LangFromAcceptLanguage(""), Lang::kZh);
  EXPECT_EQ(LangFromAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.8"), Lang::kZh);
  EXPECT_EQ(LangFromAcceptLanguage("en-US,en;q=0.9"), Lang::kEn);
  EXPECT_EQ(LangFromAcceptLanguage(" EN"), Lang::kEn);
}

TEST(LangTest, Environment) {
  setenv("LC_ALL", "en_US.UTF-8", 1);
  EXPECT_EQ(LangFromEnvironment(), Lang::kEn);
  setenv("LC_ALL", "zh_CN.UTF-8", 1);
  EXPECT_EQ(LangFromEnvironment(), Lang::kZh);
  setenv("LC_ALL", "C.UTF-8", 1);
  EXPECT_EQ(LangFromEnvironment(), Lang::kZh);
  unsetenv("LC_ALL");
}

}  // namespace
}  // namespace edugov
