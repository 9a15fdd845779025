// Sealing of confidential case fields (a complainant's name and contact, a
// dropout's personal data) with libsodium's secretbox (XSalsa20-Poly1305).
// The key lives in a file outside the database, so a copy of the database
// alone reveals nothing; losing the key loses those fields (docs/workflows.md
// says how to back it up and rotate it).
//
//   ASSIGN_OR_RETURN(cases::SecretBox box,
//                    cases::SecretBox::LoadOrCreateKeyFile("var/secret.key", random));
//   std::string sealed = box.Seal(R"({"name":"张三","phone":"138…"})", random);
//   ASSIGN_OR_RETURN(std::string plain, box.Open(sealed));
//
// A SecretBox is immutable after construction and safe to share between threads.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/random.h"
#include "common/status.h"

namespace edugov::cases {

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;

  explicit SecretBox(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {}

  // Reads the 32-byte key (64 hex characters and a newline) from `path`.
  // If the file does not exist it is created with a fresh key from `random`,
  // mode 0600. kFailedPrecondition if the file exists but is malformed or is
  // readable by group or others (naming the path and the fix).
  static StatusOr<SecretBox> LoadOrCreateKeyFile(const std::string& path, Random& random);

  // nonce ‖ ciphertext (24 + 16 + plaintext bytes). The nonce comes from `random`.
  std::string Seal(std::string_view plaintext, Random& random) const;
  // kInternal (common/status.h has no data-loss code) if the bytes were not
  // sealed with this key or were altered: the wrong key file or tampering.
  StatusOr<std::string> Open(std::string_view sealed) const;

 private:
  std::array<unsigned char, kKeyBytes> key_;
};

}  // namespace edugov::cases
