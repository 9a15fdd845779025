#include "accounts/password.h"

#include <gtest/gtest.h>

namespace edugov::accounts {
namespace {

TEST(PasswordTest, HashIsArgon2idAndVerifies) {
  auto h = HashPassword("Edugov@2025");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(*h, "Edugov@2025"));
  EXPECT_FALSE(VerifyPassword(*h, "Edugov@2026"));
  EXPECT_FALSE(VerifyPassword("not a hash", "Edugov@2025"));
}

TEST(PasswordTest, SaltedSoEqualPasswordsHashDifferently) {
  EXPECT_NE(*HashPassword("Edugov@2025"), *HashPassword("Edugov@2025"));
}

TEST(PasswordTest, PolicyNamesTheField) {
  for (const char* bad : {"short1", "onlyletters", "12345678901", "juzhang"}) {
    Status s = CheckPasswordPolicy("juzhang", bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.field(), "password");
  }
  EXPECT_TRUE(CheckPasswordPolicy("juzhang", "Edugov@2025").ok());
  // Containing the username, in any ASCII case, is refused by name.
  for (const char* bad : {"juzhang2025", "2025@JuZhang", "x-juzhang-x"}) {
    Status s = CheckPasswordPolicy("juzhang", bad);
    EXPECT_EQ(s.message_en(), "password must not contain the username") << bad;
    EXPECT_EQ(s.message_zh(), "密码不能包含用户名");
  }
  EXPECT_TRUE(CheckPasswordPolicy("li", "li@2025abc").ok());  // too short a name to forbid
  EXPECT_TRUE(CheckPasswordPolicy("juzhang", "安化教育2025").ok());
}

}  // namespace
}  // namespace edugov::accounts
