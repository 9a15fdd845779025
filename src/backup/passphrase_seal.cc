#include "backup/passphrase_seal.h"

#include <sodium.h>

#include <nlohmann/json.hpp>
#include <vector>

namespace edugov::backup {
namespace {

constexpr const char* kFormat = "edugov-sealed/1";
constexpr const char* kKdf = "argon2id13";
// A sealed file could otherwise make `edugov restore` allocate whatever it names.
constexpr uint64_t kMaxMemlimit = uint64_t{1} << 30;
constexpr uint64_t kMaxOpslimit = 64;

std::string ToHex(const unsigned char* bytes, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

bool FromHex(const std::string& hex, std::vector<unsigned char>* out) {
  out->assign(hex.size() / 2, 0);
  size_t len = 0;
  if (hex.size() % 2 != 0 ||
      sodium_hex2bin(out->data(), out->size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
      len != out->size()) {
    return false;
  }
  return true;
}

Status DeriveKey(std::string_view passphrase, const unsigned char* salt, uint64_t opslimit,
                 size_t memlimit, unsigned char key[crypto_secretbox_KEYBYTES]) {
  if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase.data(), passphrase.size(), salt,
                    opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return InternalError("Argon2id could not run (out of memory?)",
                         "Argon2id 密钥派生失败（内存不足？）");
  }
  return OkStatus();
}

Status NotSealed(const std::string& why_en, const std::string& why_zh) {
  return InvalidArgumentError("not an edugov sealed key file: " + why_en,
                              "不是 edugov 加密的密钥文件：" + why_zh);
}

}  // namespace

KdfCost ModerateKdfCost() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}
KdfCost InteractiveKdfCost() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

StatusOr<std::string> SealWithPassphrase(std::string_view plaintext, std::string_view passphrase,
                                         const KdfCost& cost, Random& random) {
  if (passphrase.size() < kMinPassphraseBytes) {
    return InvalidArgumentError(
        "the backup passphrase must be at least " + std::to_string(kMinPassphraseBytes) + " bytes",
        "备份口令至少 " + std::to_string(kMinPassphraseBytes) + " 个字节");
  }
  unsigned char salt[crypto_pwhash_SALTBYTES];
  unsigned char nonce[crypto_secretbox_NONCEBYTES];
  random.Fill(salt, sizeof salt);
  random.Fill(nonce, sizeof nonce);
  unsigned char key[crypto_secretbox_KEYBYTES];
  if (Status s = DeriveKey(passphrase, salt, cost.opslimit, cost.memlimit, key); !s.ok()) return s;
  std::vector<unsigned char> cipher(plaintext.size() + crypto_secretbox_MACBYTES);
  crypto_secretbox_easy(cipher.data(), reinterpret_cast<const unsigned char*>(plaintext.data()),
                        plaintext.size(), nonce, key);
  sodium_memzero(key, sizeof key);
  nlohmann::ordered_json doc = {
      {"format", kFormat},
      {"kdf", kKdf},
      {"opslimit", cost.opslimit},
      {"memlimit", cost.memlimit},
      {"salt", ToHex(salt, sizeof salt)},
      {"nonce", ToHex(nonce, sizeof nonce)},
      {"ciphertext", ToHex(cipher.data(), cipher.size())},
  };
  return doc.dump(2) + "\n";
}

StatusOr<std::string> OpenWithPassphrase(std::string_view sealed, std::string_view passphrase) {
  nlohmann::json doc = nlohmann::json::parse(sealed, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || doc.value("format", "") != kFormat) {
    return NotSealed("no \"format\": \"edugov-sealed/1\"", "缺少 \"format\": \"edugov-sealed/1\"");
  }
  if (doc.value("kdf", "") != kKdf) return NotSealed("unknown \"kdf\"", "未知的 \"kdf\"");
  if (!doc["opslimit"].is_number_unsigned() || !doc["memlimit"].is_number_unsigned()) {
    return NotSealed("\"opslimit\"/\"memlimit\" are not numbers", "\"opslimit\"/\"memlimit\" 不是数字");
  }
  const uint64_t opslimit = doc["opslimit"].get<uint64_t>();
  const uint64_t memlimit = doc["memlimit"].get<uint64_t>();
  if (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > kMaxOpslimit ||
      memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > kMaxMemlimit) {
    return NotSealed("\"opslimit\"/\"memlimit\" out of range", "\"opslimit\"/\"memlimit\" 超出范围");
  }
  std::vector<unsigned char> salt, nonce, cipher;
  if (!doc["salt"].is_string() || !FromHex(doc["salt"].get<std::string>(), &salt) ||
      salt.size() != crypto_pwhash_SALTBYTES) {
    return NotSealed("bad \"salt\"", "\"salt\" 格式错误");
  }
  if (!doc["nonce"].is_string() || !FromHex(doc["nonce"].get<std::string>(), &nonce) ||
      nonce.size() != crypto_secretbox_NONCEBYTES) {
    return NotSealed("bad \"nonce\"", "\"nonce\" 格式错误");
  }
  if (!doc["ciphertext"].is_string() || !FromHex(doc["ciphertext"].get<std::string>(), &cipher) ||
      cipher.size() < crypto_secretbox_MACBYTES) {
    return NotSealed("bad \"ciphertext\"", "\"ciphertext\" 格式错误");
  }
  unsigned char key[crypto_secretbox_KEYBYTES];
  if (Status s = DeriveKey(passphrase, salt.data(), opslimit, static_cast<size_t>(memlimit), key);
      !s.ok()) {
    return s;
  }
  std::string plain(cipher.size() - crypto_secretbox_MACBYTES, '\0');
  const int rc = crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                            cipher.data(), cipher.size(), nonce.data(), key);
  sodium_memzero(key, sizeof key);
  if (rc != 0) {
    return FailedPreconditionError(
        "the passphrase is wrong, or the sealed key file was altered",
        "口令错误，或加密的密钥文件已被改动");
  }
  return plain;
}

}  // namespace edugov::backup
