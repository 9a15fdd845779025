// Randomness behind an interface: secure bytes for tokens and keys in
// production, a seeded deterministic source in tests and demo data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

namespace edugov {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with `n` random bytes. Thread-safe.
  virtual void Fill(uint8_t* out, size_t n) = 0;
  // `n_bytes` random bytes as lowercase hex (2 * n_bytes characters).
  std::string Hex(size_t n_bytes);
};

// libsodium's randombytes. The returned reference lives forever.
Random& SecureRandom();

// SplitMix64: small, fast, and the same sequence on every platform for a
// seed, which std:: distributions do not promise. Not thread-safe.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0. Lemire's multiply-shift, bias < 2^-32 for the
  // small n used here.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  // True with probability p.
  bool Chance(double p) { return (Next() >> 11) * 0x1.0p-53 < p; }

 private:
  uint64_t state_;
};

// A Random that replays a SplitMix64 stream: deterministic tokens in tests.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : rng_(seed) {}
  void Fill(uint8_t* out, size_t n) override;

 private:
  std::mutex mu_;  // server threads may share one instance in tests
  SplitMix64 rng_;
};

}  // namespace edugov
