// Hash chaining shared by edugov's ledgers (the audit log and sanctions;
// teacher points and the supplier blacklist later). Each entry's hash is
// BLAKE2b-256 over the previous entry's hash and the entry's canonical
// encoding, so editing, deleting or reordering any entry breaks every hash
// after it. The byte formats are specified in docs/ledger-format.md: version
// 2 (TypedEncoder) for every new entry; version 1 (CanonicalEncoder) only to
// verify entries written before it, which cannot tell NULL from "" or 5
// from "5".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"

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

// Encoding version 2: "v2" then each field as a type tag — N null, I
// integer, R real, T text, B blob — its decimal byte length, ':' and the
// bytes (integers as decimal text, reals as %.17g). The values are those
// the row stores, so a NULL turned into "" or an integer into text changes
// the hash even where the text looks the same.
class TypedEncoder {
 public:
  TypedEncoder() : bytes_("v2") {}
  TypedEncoder& Add(const storage::Value& field);
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// hex(BLAKE2b-256(prev_hash_hex || ":" || encoding)).
std::string ChainHash(std::string_view prev_hash_hex, std::string_view encoding);

}  // namespace edugov::ledger
