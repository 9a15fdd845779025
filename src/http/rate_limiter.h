// A token bucket per key (a client address) for the public, no-login routes:
// a burst of `capacity` requests, then one more every `refill_every`. Used by
// the complaint intake (src/http/public_complaint_handlers.h) so a flood from
// one address is answered 429 cheaply — no database work — while everyone
// else, and the rest of the server, is unaffected.
//
//   RateLimiter intakes(clock, {.capacity = 10, .refill_every = std::chrono::minutes(6)});
//   if (auto d = intakes.Take(req.remote_address); !d.allowed) { … 429, Retry-After: d.retry_after … }
//
// Time comes from the injected Clock, so tests drive it with a FakeClock.
// Memory is bounded: at most `max_keys` buckets are kept; when full, the
// buckets that have refilled completely (they carry no information) are
// dropped first, and if none has, the stalest one is.
//
// Thread-safe (one mutex; Take is O(1) amortised). `clock` must outlive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"

namespace edugov::http {

struct RateLimit {
  int capacity = 10;                                  // burst size, ≥ 1
  std::chrono::microseconds refill_every = std::chrono::minutes(6);  // one token per this, > 0
  size_t max_keys = 100'000;
};

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, RateLimit limit);

  struct Decision {
    bool allowed = true;
    // When refused: whole seconds (≥ 1) until the next token.
    int64_t retry_after_seconds = 0;
  };
  // Takes one token from `key`'s bucket if it has one.
  Decision Take(std::string_view key);

  const RateLimit& limit() const { return limit_; }
  // Number of buckets held (tests).
  size_t size() const;

 private:
  struct Bucket {
    // Tokens scaled by refill_every, in microseconds: a full token is
    // refill_every.count() units, so refills need no floating point.
    int64_t units = 0;
    int64_t updated_us = 0;
  };
  void Refill(Bucket& b, int64_t now_us) const;
  void MakeRoom(int64_t now_us);  // REQUIRES(mu_)

  const Clock& clock_;
  const RateLimit limit_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mu_)
};

}  // namespace edugov::http
