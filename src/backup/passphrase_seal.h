// Encryption of a small secret (the case key file) under a passphrase, for
// backups: the key travels beside the database copy, so it must not be
// readable without something the operator keeps elsewhere.
//
// Argon2id (libsodium's crypto_pwhash) stretches the passphrase with a fresh
// salt into a 32-byte key; XSalsa20-Poly1305 (crypto_secretbox) seals the
// bytes. The result is a small JSON document that names its own parameters,
// so a later edugov with other defaults still opens it:
//
//   {"format":"edugov-sealed/1","kdf":"argon2id13","opslimit":3,
//    "memlimit":268435456,"salt":"…hex…","nonce":"…hex…","ciphertext":"…hex…"}
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/random.h"
#include "common/status.h"

namespace edugov::backup {

// How hard Argon2id works. The default is libsodium's "moderate" (256 MiB,
// about a second): a backup is written rarely and guessed at offline.
struct KdfCost {
  uint64_t opslimit;
  size_t memlimit;
};
KdfCost ModerateKdfCost();
// libsodium's "interactive" (64 MiB): for unit tests only.
KdfCost InteractiveKdfCost();

// Passphrases shorter than this are refused: a backup is attacked offline.
inline constexpr size_t kMinPassphraseBytes = 12;

StatusOr<std::string> SealWithPassphrase(std::string_view plaintext, std::string_view passphrase,
                                         const KdfCost& cost, Random& random);

// kFailedPrecondition for a wrong passphrase or altered bytes (they cannot
// be told apart), kInvalidArgument for a document that is not one of ours
// or asks for more than 1 GiB of memory.
StatusOr<std::string> OpenWithPassphrase(std::string_view sealed, std::string_view passphrase);

}  // namespace edugov::backup
