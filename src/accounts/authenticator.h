// Sign-in, sessions and API tokens, with brute-force protection.
//
// Sessions: a random 256-bit token in an HttpOnly cookie, stored as its
// BLAKE2b hash with a CSRF token; a session ends after `idle_timeout` without
// use or `absolute_timeout` after sign-in, whichever is first.
// Failed sign-ins are counted per account AND remote address: a school
// behind one NAT address shares that address, and one pupil guessing the
// head teacher's password must lock out neither the head teacher at home
// nor every colleague at school. From the `slow_after`th failure in a row
// of one account from one address, that pair may not try again for 1, 2,
// 4 … seconds; at `lock_after` failures the pair is locked for
// `lock_duration` (audited as user.lock). A success from that address
// resets its count. Against guessing spread over many addresses, the
// account's own count (users.failed_logins) slows every address from
// `account_slow_after` failures with the same doubling back-off, capped at
// `account_max_backoff` — a back-off, never a lock, so no attacker can shut
// an account out for long. Per remote address, more than
// `max_failures_per_address` failures within `address_window` answer
// kResourceExhausted (HTTP 429), so one address cannot spray many accounts;
// the default leaves room for a whole school's typos behind one address.
// The per-pair counts live in this process's memory (bounded; a restart or
// another node starts them afresh — the account's count is in the database).
// Unknown users and wrong passwords get the same message and cost.
// A session validated against the database is trusted from memory for
// `session_cache_ttl` (a few seconds): every request would otherwise pay a
// database round trip. Logout through this Authenticator takes effect at
// once; a user disabled or re-passworded elsewhere loses their session within
// that TTL.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/random.h"
#include "storage/database.h"

namespace edugov::accounts {

struct AuthOptions {
  std::chrono::seconds idle_timeout{2 * 3600};
  std::chrono::seconds absolute_timeout{12 * 3600};
  int slow_after = 3;    // per account + address
  int lock_after = 10;   // per account + address
  std::chrono::seconds lock_duration{30 * 60};
  int account_slow_after = 50;  // per account, whatever the address
  std::chrono::seconds account_max_backoff{15 * 60};
  int max_failures_per_address = 300;
  std::chrono::seconds address_window{10 * 60};
  std::chrono::milliseconds session_cache_ttl{5000};  // 0 turns the cache off
};

struct LoginResult {
  std::string session_token;  // for the cookie; never stored in clear
  std::string csrf_token;
  TimePoint expires_at;
  Principal principal;
};

struct SessionInfo {
  Principal principal;
  std::string csrf_token;
  TimePoint expires_at;
};

// Thread-safe. `db`, `clock` and `random` must outlive it.
class Authenticator {
 public:
  Authenticator(storage::Database& db, const Clock& clock, Random& random,
                AuthOptions options = {});

  // kUnauthenticated for bad credentials or a disabled user (one message for
  // all); kFailedPrecondition while the account is slowed or locked (the
  // message says until when); kResourceExhausted for an address over its
  // failure budget. Audits sign-ins and lockouts.
  StatusOr<LoginResult> Login(std::string_view username, std::string_view password,
                              std::string_view remote_address);
  // Ends the session; unknown tokens are ignored.
  Status Logout(std::string_view session_token);

  // kUnauthenticated for an unknown, expired or disabled user's session.
  StatusOr<SessionInfo> AuthenticateSession(std::string_view session_token);
  StatusOr<Principal> AuthenticateApiToken(std::string_view token);

  // Drops the user's cached sessions, so a change made through this process
  // (disable, new password) ends them at once rather than within the TTL.
  void ForgetCachedSessionsOf(int64_t user_id);

  // BLAKE2b-256 hex of a token, as stored.
  static std::string HashToken(std::string_view token);

 private:
  bool AddressOverBudget(std::string_view address);
  void RecordAddressFailure(std::string_view address);
  // Until when (Unix µs, 0: free) the account may not be tried from `address`.
  int64_t PairLockedUntil(int64_t user_id, std::string_view address);
  // Counts a failure of the pair; returns its count and sets its lock.
  int64_t RecordPairFailure(int64_t user_id, std::string_view address, int64_t now_us);
  void ResetPair(int64_t user_id, std::string_view address);

  storage::Database& db_;
  const Clock& clock_;
  Random& random_;
  const AuthOptions options_;

  std::mutex mu_;
  // Failure times per remote address, oldest first.
  std::unordered_map<std::string, std::deque<TimePoint>> failures_by_address_;  // GUARDED_BY(mu_)
  struct PairFailures {
    int64_t count = 0;
    int64_t locked_until_us = 0;
  };
  // Keyed by "<user id> <address>".
  std::unordered_map<std::string, PairFailures> failures_by_pair_;  // GUARDED_BY(mu_)
  struct CachedSession {
    SessionInfo info;
    TimePoint validated_at;
  };
  // Keyed by token hash.
  std::unordered_map<std::string, CachedSession> session_cache_;  // GUARDED_BY(mu_)
};

}  // namespace edugov::accounts
