#include "ledger/chain.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace edugov::ledger {

const std::string& GenesisHash() {
  static const std::string kGenesis(64, '0');
  return kGenesis;
}

CanonicalEncoder& CanonicalEncoder::Add(std::string_view field) {
  bytes_ += std::to_string(field.size());
  bytes_ += ':';
  bytes_.append(field);
  return *this;
}

CanonicalEncoder& CanonicalEncoder::Add(int64_t field) { return Add(std::to_string(field)); }

TypedEncoder& TypedEncoder::Add(const storage::Value& field) {
  char tag = 'N';
  std::string text;
  if (const auto* i = std::get_if<int64_t>(&field)) {
    tag = 'I';
    text = std::to_string(*i);
  } else if (const auto* d = std::get_if<double>(&field)) {
    tag = 'R';
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    text = buf;
  } else if (const auto* t = std::get_if<std::string>(&field)) {
    tag = 'T';
    text = *t;
  } else if (const auto* b = std::get_if<storage::Blob>(&field)) {
    tag = 'B';
    text = b->bytes;
  }
  bytes_ += tag;
  bytes_ += std::to_string(text.size());
  bytes_ += ':';
  bytes_ += text;
  return *this;
}

std::string ChainHash(std::string_view prev_hash_hex, std::string_view encoding) {
  if (sodium_init() < 0) std::abort();
  unsigned char out[32];
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, sizeof out);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(prev_hash_hex.data()),
                            prev_hash_hex.size());
  static const unsigned char kSep = ':';
  crypto_generichash_update(&state, &kSep, 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(encoding.data()),
                            encoding.size());
  crypto_generichash_final(&state, out, sizeof out);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return std::string(hex, 64);
}

}  // namespace edugov::ledger
