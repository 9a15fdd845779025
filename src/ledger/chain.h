// Hash chaining shared by edugov's ledgers (the audit log now; sanctions,
// teacher points and the supplier blacklist later). Each entry's hash is
// BLAKE2b-256 over the previous entry's hash and the entry's canonical
// encoding, so editing, deleting or reordering any entry breaks every hash
// after it. The byte format is specified in docs/ledger-format.md; changing
// it invalidates every stored chain.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edugov::ledger {

// The hash before the first entry: 64 hex zeros.
const std::string& GenesisHash();

// Builds the canonical encoding of an entry: each field as its decimal byte
// length, ':' and the bytes, fields in a fixed order. Length prefixes make
// the encoding unambiguous ("ab","c" ≠ "a","bc").
class CanonicalEncoder {
 public:
  CanonicalEncoder& Add(std::string_view field);
  CanonicalEncoder& Add(int64_t field);
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// hex(BLAKE2b-256(prev_hash_hex || ":" || encoding)).
std::string ChainHash(std::string_view prev_hash_hex, std::string_view encoding);

}  // namespace edugov::ledger
