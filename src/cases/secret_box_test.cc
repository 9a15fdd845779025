#include "cases/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "cases/internal/util.h"

namespace edugov::cases {
namespace {

std::string TempPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("edugov-sb-" + SecureRandom().Hex(6));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

TEST(SecretBoxTest, CreatesA0600KeyAndReadsItBack) {
  SeededRandom random(1);
  const std::string path = TempPath("secret.key");
  // Under a umask that would leave it world-readable: the mode is the file's own.
  const mode_t old_umask = ::umask(0);
  auto a = SecretBox::LoadOrCreateKeyFile(path, random);
  ::umask(old_umask);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto b = SecretBox::LoadOrCreateKeyFile(path, random);
  ASSERT_TRUE(b.ok());
  const std::string sealed = a->Seal(R"({"name":"张三"})", random);
  EXPECT_EQ(sealed.find("张三"), std::string::npos);
  auto plain = b->Open(sealed);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, R"({"name":"张三"})");
}

TEST(SecretBoxTest, RefusesAReadableOrMalformedKeyFile) {
  SeededRandom random(2);
  const std::string path = TempPath("secret.key");
  ASSERT_TRUE(SecretBox::LoadOrCreateKeyFile(path, random).ok());
  ::chmod(path.c_str(), 0644);
  auto s = SecretBox::LoadOrCreateKeyFile(path, random);
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message_en().find("chmod 600"), std::string::npos);
  { std::ofstream(path, std::ios::trunc) << "zz\n"; }
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(SecretBox::LoadOrCreateKeyFile(path, random).status().code(), StatusCode::kFailedPrecondition);
}

TEST(SecretBoxTest, AlteredOrForeignCiphertextDoesNotOpen) {
  SeededRandom random(3);
  SecretBox a(std::array<unsigned char, 32>{1}), b(std::array<unsigned char, 32>{2});
  std::string sealed = a.Seal("13800138000", random);
  EXPECT_FALSE(b.Open(sealed).ok());
  sealed[30] ^= 1;
  EXPECT_FALSE(a.Open(sealed).ok());
  EXPECT_FALSE(a.Open("short").ok());
}

TEST(UtilTest, SniffsBySignatureNotName) {
  EXPECT_EQ(internal::SniffContentType(std::string("\x89PNG\r\n\x1a\n", 8)), "image/png");
  EXPECT_EQ(internal::SniffContentType("\xff\xd8\xff\xe0"), "image/jpeg");
  EXPECT_EQ(internal::SniffContentType("GIF89a..."), "image/gif");
  EXPECT_EQ(internal::SniffContentType(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "image/webp");
  EXPECT_EQ(internal::SniffContentType("%PDF-1.7"), "application/pdf");
  EXPECT_EQ(internal::SniffContentType("MZ\x90\0"), "");
  EXPECT_EQ(internal::SniffContentType("<html>"), "");
}

TEST(UtilTest, TrackingCodesNormaliseAndHash) {
  SeededRandom random(4);
  const std::string code = internal::NewTrackingCode(random);
  ASSERT_EQ(code.size(), 16u);
  EXPECT_EQ(internal::NormalizeTrackingCode(code), code);
  EXPECT_EQ(internal::NormalizeTrackingCode("abcd-efgh-jkmn-pqrs"), "ABCDEFGHJKMNPQRS");
  EXPECT_EQ(internal::NormalizeTrackingCode("0O1IL"), "");  // too short
  EXPECT_EQ(internal::NormalizeTrackingCode("OOOOIIIILLLL0000"), "0000111111110000");
  EXPECT_EQ(internal::NormalizeTrackingCode("UUUUUUUUUUUUUUUU"), "");  // U is not Crockford
  EXPECT_EQ(internal::TrackingHash(code).size(), 64u);
  EXPECT_NE(internal::TrackingHash(code), internal::TrackingHash("0000000000000000"));
}

TEST(UtilTest, BigramJaccard) {
  EXPECT_DOUBLE_EQ(internal::BigramJaccard("食堂饭菜有异味", "食堂饭菜有异味！"), 1.0);
  EXPECT_GE(internal::BigramJaccard("食堂饭菜有异味，孩子吃了肚子疼", "食堂的饭菜有异味，孩子吃了肚子疼"), 0.6);
  EXPECT_LT(internal::BigramJaccard("食堂饭菜有异味", "老师收取班费三百元"), 0.1);
}

}  // namespace
}  // namespace edugov::cases
