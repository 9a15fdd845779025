#include "cases/secret_box.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace edugov::cases {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

StatusOr<SecretBox> SecretBox::LoadOrCreateKeyFile(const std::string& path, Random& random) {
  if (sodium_init() < 0) return InternalError("libsodium failed to initialise", "libsodium 初始化失败");
  std::array<unsigned char, kKeyBytes> key{};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    // Create it: 0600 from the first byte written (umask cannot widen it).
    std::error_code ec;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    random.Fill(key.data(), key.size());
    std::string hex(kKeyBytes * 2, '0');
    static const char* kDigits = "0123456789abcdef";
    for (size_t i = 0; i < kKeyBytes; ++i) {
      hex[2 * i] = kDigits[key[i] >> 4];
      hex[2 * i + 1] = kDigits[key[i] & 15];
    }
    hex += "\n";
    // open(2) with the mode, not a umask around fopen: umask is the whole
    // process's, and other threads create files meanwhile.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE* f = fd >= 0 ? ::fdopen(fd, "w") : nullptr;
    if (!f && fd >= 0) ::close(fd);
    if (!f) {
      return FailedPreconditionError("cannot create the secret key file " + path,
                                     "无法创建密钥文件 " + path);
    }
    const bool ok = std::fwrite(hex.data(), 1, hex.size(), f) == hex.size();
    if (std::fclose(f) != 0 || !ok) {
      return FailedPreconditionError("cannot write the secret key file " + path,
                                     "无法写入密钥文件 " + path);
    }
    ::chmod(path.c_str(), 0600);
    return SecretBox(key);
  }
  if ((st.st_mode & 077) != 0) {
    return FailedPreconditionError(
        "the secret key file " + path + " is readable by group or others; run: chmod 600 " + path,
        "密钥文件 " + path + " 对同组或其他用户可读；请执行：chmod 600 " + path);
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  bool ok = text.size() == kKeyBytes * 2;
  for (size_t i = 0; ok && i < kKeyBytes; ++i) {
    const int hi = HexValue(text[2 * i]), lo = HexValue(text[2 * i + 1]);
    ok = hi >= 0 && lo >= 0;
    if (ok) key[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  if (!ok) {
    return FailedPreconditionError(
        "the secret key file " + path +
            " is malformed (expected 64 hex characters); restore it from the backup",
        "密钥文件 " + path + " 格式错误（应为 64 个十六进制字符）；请从备份恢复");
  }
  return SecretBox(key);
}

std::string SecretBox::Seal(std::string_view plaintext, Random& random) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* buf = reinterpret_cast<unsigned char*>(out.data());
  random.Fill(buf, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        buf, key_.data());
  return out;
}

StatusOr<std::string> SecretBox::Open(std::string_view sealed) const {
  constexpr size_t kOverhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (sealed.size() < kOverhead) {
    return Status(StatusCode::kInternal, "sealed value too short", "密文过短");
  }
  std::string out(sealed.size() - kOverhead, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()),
                                 in + crypto_secretbox_NONCEBYTES,
                                 sealed.size() - crypto_secretbox_NONCEBYTES, in, key_.data()) != 0) {
    return Status(StatusCode::kInternal,
                  "a sealed value does not open with this key (wrong key file or altered data)",
                  "密文无法用此密钥解开（密钥文件不对或数据被改动）");
  }
  return out;
}

}  // namespace edugov::cases
