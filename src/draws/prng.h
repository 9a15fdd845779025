// The draw's pseudo-random stream: SHA-256 in counter mode, specified in
// docs/ledgers.md so that anyone can re-implement it. Deterministic and the
// same on every platform — unlike std:: distributions, which the standard
// leaves to each library.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edugov::draws {

class Sha256Stream {
 public:
  // key = SHA-256(N(seed) ‖ N(public_input) ‖ N(pools)), where N(x) is x's
  // byte length in decimal, ':' and the bytes.
  Sha256Stream(std::string_view seed, std::string_view public_input, std::string_view pools);

  // The next 64-bit word: block i = SHA-256(key ‖ i as 8 bytes big-endian),
  // i = 0, 1, …; each block gives four words, big-endian, in order.
  uint64_t Next();
  // Uniform in [0, n), n ≥ 1: words below 2^64 mod n are rejected (so every
  // residue is equally likely), then word mod n.
  uint64_t Below(uint64_t n);
  // Fisher–Yates: for i = size-1 down to 1, swap item i with item Below(i+1).
  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) {
      const size_t j = static_cast<size_t>(Below(i));
      std::swap(items[i - 1], items[j]);
    }
  }

  const std::array<uint8_t, 32>& key() const { return key_; }

 private:
  std::array<uint8_t, 32> key_{};
  std::array<uint8_t, 32> block_{};
  uint64_t counter_ = 0;
  int word_ = 4;  // words of block_ used; 4: compute the next block
};

}  // namespace edugov::draws
