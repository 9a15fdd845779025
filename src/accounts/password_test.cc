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
  EXPECT_TRUE(CheckPasswordPolicy("juzhang", "安化教育2025").ok());
}

}  // namespace
}  // namespace edugov::accounts
