#include "common/random.h"

#include <sodium.h>

#include <cstdlib>

namespace edugov {

namespace {

class SodiumRandom final : public Random {
 public:
  SodiumRandom() {
    if (sodium_init() < 0) std::abort();  // no entropy source: nothing is safe
  }
  void Fill(uint8_t* out, size_t n) override { randombytes_buf(out, n); }
};

}  // namespace

std::string Random::Hex(size_t n_bytes) {
  std::string bytes(n_bytes, '\0');
  Fill(reinterpret_cast<uint8_t*>(bytes.data()), n_bytes);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n_bytes, '\0');
  for (size_t i = 0; i < n_bytes; ++i) {
    out[2 * i] = kDigits[static_cast<uint8_t>(bytes[i]) >> 4];
    out[2 * i + 1] = kDigits[static_cast<uint8_t>(bytes[i]) & 15];
  }
  return out;
}

Random& SecureRandom() {
  static SodiumRandom random;
  return random;
}

void SeededRandom::Fill(uint8_t* out, size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng_.Next();
    for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<uint8_t>(v >> (8 * j));
  }
}

}  // namespace edugov
