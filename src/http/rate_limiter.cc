#include "http/rate_limiter.h"

#include <algorithm>

namespace edugov::http {

namespace {

// Out-of-range settings become the nearest sane ones rather than a divide by
// zero or a limiter that refuses everything.
RateLimit Sane(RateLimit l) {
  l.capacity = std::max(l.capacity, 1);
  if (l.refill_every.count() <= 0) l.refill_every = std::chrono::seconds(1);
  l.max_keys = std::max<size_t>(l.max_keys, 1);
  return l;
}

}  // namespace

RateLimiter::RateLimiter(const Clock& clock, RateLimit limit) : clock_(clock), limit_(Sane(limit)) {}

void RateLimiter::Refill(Bucket& b, int64_t now_us) const {
  const int64_t full = limit_.capacity * limit_.refill_every.count();
  // A clock that steps backwards (NTP) must not mint tokens nor freeze the bucket.
  const int64_t elapsed = std::max<int64_t>(0, now_us - b.updated_us);
  b.units = elapsed >= full ? full : std::min(full, b.units + elapsed);
  b.updated_us = now_us;
}

void RateLimiter::MakeRoom(int64_t now_us) {
  const int64_t full = limit_.capacity * limit_.refill_every.count();
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(it->second, now_us);
    it = it->second.units >= full ? buckets_.erase(it) : std::next(it);
  }
  if (buckets_.size() < limit_.max_keys) return;
  // Every bucket is in use: drop the one closest to full (the least recent
  // offender), so an attacker rotating addresses cannot reset a busy one.
  auto fullest = std::max_element(buckets_.begin(), buckets_.end(), [](const auto& a, const auto& b) {
    return a.second.units < b.second.units;
  });
  if (fullest != buckets_.end()) buckets_.erase(fullest);
}

RateLimiter::Decision RateLimiter::Take(std::string_view key) {
  const int64_t now_us = ToUnixMicros(clock_.Now());
  const int64_t token = limit_.refill_every.count();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= limit_.max_keys) MakeRoom(now_us);
    it = buckets_.emplace(std::string(key), Bucket{limit_.capacity * token, now_us}).first;
  } else {
    Refill(it->second, now_us);
  }
  Bucket& b = it->second;
  if (b.units >= token) {
    b.units -= token;
    return {};
  }
  const int64_t wait_us = token - b.units;
  return {.allowed = false, .retry_after_seconds = std::max<int64_t>(1, (wait_us + 999'999) / 1'000'000)};
}

size_t RateLimiter::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

}  // namespace edugov::http
