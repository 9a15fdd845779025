// Password hashing with argon2id (libsodium's crypto_pwhash_str, which embeds
// the algorithm, salt and cost in the stored string, so costs can be raised
// later without invalidating existing hashes).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace edugov::accounts {

// Length 8–128 bytes, not all one character class, not containing the
// username (ASCII case ignored; a username under 3 bytes: not equal to it).
// kInvalidArgument in zh/en naming "password".
Status CheckPasswordPolicy(std::string_view username, std::string_view password);

// An argon2id hash string ("$argon2id$v=19$m=…"). kInternal only when
// memory for the hash cannot be had.
StatusOr<std::string> HashPassword(std::string_view password);

// True when `password` matches `hash`. Constant-time in the password.
bool VerifyPassword(std::string_view hash, std::string_view password);

// Runs a verification against a fixed hash, so an unknown username costs the
// same time as a wrong password and does not reveal which usernames exist.
void BurnVerificationTime(std::string_view password);

}  // namespace edugov::accounts
