#include "accounts/authenticator.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "accounts/password.h"
#include "accounts/users.h"
#include "ledger/audit.h"
#include "registry/registry.h"

namespace edugov::accounts {

namespace {

using storage::Connection;
using storage::ResultSet;

constexpr int64_t kMicros = 1'000'000;

Status BadCredentials() {
  return UnauthenticatedError("wrong username or password", "用户名或密码错误");
}

Status SessionEnded() {
  return UnauthenticatedError("not signed in, or the session has expired: please sign in",
                              "未登录或会话已过期,请重新登录");
}

// The same query shape for sessions and API tokens: the user; the path of
// their org comes from the registry (BindOrgPath).
constexpr const char* kPrincipalColumns =
    "u.id, u.username, u.display_name, u.role, u.department, u.org_id, u.disabled";

// Without org_path: BindOrgPath fills it once the credential has passed.
Principal PrincipalFromRow(const ResultSet& rs, size_t offset) {
  Principal p;
  p.user_id = rs.GetInt(0, offset + 0);
  p.username = rs.GetText(0, offset + 1);
  p.display_name = rs.GetText(0, offset + 2);
  p.role = ParseRole(rs.GetText(0, offset + 3)).value_or(Role::kTeacher);
  p.department = rs.GetText(0, offset + 4);
  p.org_id = rs.GetInt(0, offset + 5);
  return p;
}

// The subtree the principal is bound to: one primary-key read of the
// registry, made only for a credential that is still valid. False when the
// org is gone (users.org_id references orgs, so only a damaged database).
StatusOr<bool> BindOrgPath(Connection& conn, Principal& p) {
  ASSIGN_OR_RETURN(std::optional<registry::Org> org, registry::LookupOrgUnscoped(conn, p.org_id));
  if (!org) return false;
  p.org_path = org->path;
  return true;
}

}  // namespace

Authenticator::Authenticator(storage::Database& db, const Clock& clock, Random& random,
                             AuthOptions options)
    : db_(db), clock_(clock), random_(random), options_(options) {}

std::string Authenticator::HashToken(std::string_view token) {
  if (sodium_init() < 0) std::abort();
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return std::string(hex, 64);
}

bool Authenticator::AddressOverBudget(std::string_view address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_by_address_.find(std::string(address));
  if (it == failures_by_address_.end()) return false;
  const TimePoint cutoff = clock_.Now() - options_.address_window;
  auto& times = it->second;
  while (!times.empty() && times.front() < cutoff) times.pop_front();
  if (times.empty()) {
    failures_by_address_.erase(it);
    return false;
  }
  return static_cast<int>(times.size()) >= options_.max_failures_per_address;
}

void Authenticator::RecordAddressFailure(std::string_view address) {
  std::lock_guard<std::mutex> lock(mu_);
  // Bound the table: a flood of distinct addresses must not grow it forever.
  if (failures_by_address_.size() > 100'000) failures_by_address_.clear();
  failures_by_address_[std::string(address)].push_back(clock_.Now());
}

namespace {
std::string PairKey(int64_t user_id, std::string_view address) {
  return std::to_string(user_id) + " " + std::string(address);
}
}  // namespace

int64_t Authenticator::PairLockedUntil(int64_t user_id, std::string_view address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_by_pair_.find(PairKey(user_id, address));
  return it == failures_by_pair_.end() ? 0 : it->second.locked_until_us;
}

int64_t Authenticator::RecordPairFailure(int64_t user_id, std::string_view address, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  // Bound the table like the address table.
  if (failures_by_pair_.size() > 100'000) failures_by_pair_.clear();
  PairFailures& f = failures_by_pair_[PairKey(user_id, address)];
  const int64_t n = ++f.count;
  if (n >= options_.lock_after) {
    f.locked_until_us = now + options_.lock_duration.count() * kMicros;
  } else if (n >= options_.slow_after) {
    f.locked_until_us = now + (int64_t{1} << std::min<int64_t>(n - options_.slow_after, 20)) * kMicros;
  }
  return n;
}

void Authenticator::ResetPair(int64_t user_id, std::string_view address) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_by_pair_.erase(PairKey(user_id, address));
}

StatusOr<LoginResult> Authenticator::Login(std::string_view username, std::string_view password,
                                           std::string_view remote_address) {
  if (AddressOverBudget(remote_address)) {
    return ResourceExhaustedError(
        "too many failed sign-ins from this address; try again later",
        "该地址登录失败次数过多,请稍后再试");
  }
  if (username.empty() || username.size() > 64 || password.empty() || password.size() > 1024) {
    RecordAddressFailure(remote_address);
    return BadCredentials();
  }
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, db_.Acquire());
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn->Query("SELECT id, password_hash, failed_logins, locked_until_us, disabled "
                               "FROM users WHERE username = $1",
                               {std::string(username)}));
  if (rs.empty()) {
    BurnVerificationTime(password);
    RecordAddressFailure(remote_address);
    return BadCredentials();
  }
  const int64_t user_id = rs.GetInt(0, 0);
  const std::string hash = rs.GetText(0, 1);
  const int64_t failed = rs.GetInt(0, 2);
  int64_t locked_until = rs.GetInt(0, 3);  // the account's own back-off
  const bool disabled = rs.GetInt(0, 4) != 0;
  const int64_t now = ToUnixMicros(clock_.Now());

  const int64_t pair_locked_until = PairLockedUntil(user_id, remote_address);
  if (pair_locked_until > now || locked_until > now) {
    RecordAddressFailure(remote_address);
    locked_until = std::max(locked_until, pair_locked_until);
    std::string until = FormatTimestamp(FromUnixMicros(locked_until));
    return FailedPreconditionError(
        "too many failed sign-ins: this account can be tried again after " + until,
        "登录失败次数过多:该账号须在 " + until + " 之后才能再次尝试");
  }

  const bool password_ok = VerifyPassword(hash, password);
  if (!password_ok || disabled) {
    RecordAddressFailure(remote_address);
    if (!password_ok) {
      const int64_t pair_n = RecordPairFailure(user_id, remote_address, now);
      const int64_t n = failed + 1;
      int64_t until = 0;
      if (n >= options_.account_slow_after) {
        const int64_t backoff =
            std::min<int64_t>(int64_t{1} << std::min<int64_t>(n - options_.account_slow_after, 30),
                              options_.account_max_backoff.count());
        until = now + backoff * kMicros;
      }
      Status s = storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
        RETURN_IF_ERROR(tx.Execute(
            "UPDATE users SET failed_logins = $1, locked_until_us = $2 WHERE id = $3",
            {n, until, user_id}));
        if (pair_n == options_.lock_after) {
          nlohmann::json after = {{"failed_logins", pair_n}, {"remote", std::string(remote_address)}};
          return ledger::AppendAudit(
              tx,
              {.actor_user_id = 0, .actor = "system", .action = "user.lock", .entity = "user",
               .entity_id = std::to_string(user_id),
               .after = after.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)},
              clock_);
        }
        return OkStatus();
      });
      RETURN_IF_ERROR(s);
    }
    return BadCredentials();
  }

  LoginResult result;
  result.session_token = random_.Hex(32);
  result.csrf_token = random_.Hex(32);
  const int64_t expires = now + std::min(options_.idle_timeout, options_.absolute_timeout).count() * kMicros;
  result.expires_at = FromUnixMicros(expires);
  ResetPair(user_id, remote_address);
  Status s = storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE users SET failed_logins = 0, locked_until_us = 0 WHERE id = $1", {user_id}));
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at_us, last_seen_us, "
        "expires_at_us) VALUES ($1,$2,$3,$4,$4,$5)",
        {HashToken(result.session_token), user_id, result.csrf_token, now, expires}));
    // Expired sessions of this user go when they sign in again.
    RETURN_IF_ERROR(tx.Execute("DELETE FROM sessions WHERE user_id = $1 AND expires_at_us <= $2",
                               {user_id, now}));
    return ledger::AppendAudit(tx,
                               {.actor_user_id = user_id, .actor = std::string(username),
                                .action = "user.login", .entity = "user",
                                .entity_id = std::to_string(user_id),
                                .after = "{\"remote\":\"" + std::string(remote_address) + "\"}"},
                               clock_);
  });
  RETURN_IF_ERROR(s);
  ASSIGN_OR_RETURN(User user, GetUserByUsername(*conn, username));
  result.principal = PrincipalFor(user);
  return result;
}

Status Authenticator::Logout(std::string_view session_token) {
  if (session_token.empty()) return OkStatus();
  {
    std::lock_guard<std::mutex> lock(mu_);
    session_cache_.erase(HashToken(session_token));
  }
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, db_.Acquire());
  return storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(ResultSet rs, tx.Query("DELETE FROM sessions WHERE token_hash = $1 "
                                            "RETURNING user_id",
                                            {HashToken(session_token)}));
    if (rs.empty()) return OkStatus();
    return ledger::AppendAudit(tx,
                               {.actor_user_id = rs.GetInt(0, 0), .actor = "user",
                                .action = "user.logout", .entity = "user",
                                .entity_id = std::to_string(rs.GetInt(0, 0))},
                               clock_);
  });
}

void Authenticator::ForgetCachedSessionsOf(int64_t user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(session_cache_,
                [user_id](const auto& entry) { return entry.second.info.principal.user_id == user_id; });
}

StatusOr<SessionInfo> Authenticator::AuthenticateSession(std::string_view session_token) {
  if (session_token.size() != 64) return SessionEnded();
  const std::string token_hash = HashToken(session_token);
  if (options_.session_cache_ttl.count() > 0) {
    const TimePoint now = clock_.Now();
    std::lock_guard<std::mutex> lock(mu_);
    auto it = session_cache_.find(token_hash);
    if (it != session_cache_.end()) {
      if (now - it->second.validated_at < options_.session_cache_ttl &&
          now < it->second.info.expires_at) {
        return it->second.info;
      }
      session_cache_.erase(it);
    }
  }
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, db_.Acquire());
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn->Query(std::string("SELECT s.csrf_token, s.created_at_us, s.last_seen_us, "
                                           "s.expires_at_us, ") +
                                   kPrincipalColumns +
                                   " FROM sessions s JOIN users u ON u.id = s.user_id "
                                   "WHERE s.token_hash = $1",
                               {token_hash}));
  if (rs.empty()) return SessionEnded();
  const int64_t now = ToUnixMicros(clock_.Now());
  const int64_t created = rs.GetInt(0, 1);
  const int64_t last_seen = rs.GetInt(0, 2);
  int64_t expires = rs.GetInt(0, 3);
  const bool disabled = rs.GetInt(0, 10) != 0;
  if (expires <= now || disabled) return SessionEnded();
  Principal principal = PrincipalFromRow(rs, 4);
  ASSIGN_OR_RETURN(bool bound, BindOrgPath(*conn, principal));
  if (!bound) return SessionEnded();

  // Slide the idle deadline, but write at most once a minute per session:
  // a write per request would cap read throughput at the write lock.
  if (now - last_seen > 60 * kMicros) {
    expires = std::min(now + options_.idle_timeout.count() * kMicros,
                       created + options_.absolute_timeout.count() * kMicros);
    RETURN_IF_ERROR(conn->Execute(
        "UPDATE sessions SET last_seen_us = $1, expires_at_us = $2 WHERE token_hash = $3",
        {now, expires, token_hash}));
  }
  SessionInfo info;
  info.csrf_token = rs.GetText(0, 0);
  info.expires_at = FromUnixMicros(expires);
  info.principal = std::move(principal);
  if (options_.session_cache_ttl.count() > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    // Bound the cache: a flood of distinct valid sessions must not grow it forever.
    if (session_cache_.size() > 100'000) session_cache_.clear();
    session_cache_[token_hash] = {info, FromUnixMicros(now)};
  }
  return info;
}

StatusOr<Principal> Authenticator::AuthenticateApiToken(std::string_view token) {
  auto bad = [] {
    return UnauthenticatedError("invalid, expired or revoked API token",
                                "API 令牌无效、已过期或已吊销");
  };
  if (token.size() != 68 || token.substr(0, 4) != "egt_") return bad();
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, db_.Acquire());
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn->Query(std::string("SELECT t.expires_at_us, t.revoked, ") +
                                   kPrincipalColumns +
                                   " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                   "WHERE t.token_hash = $1",
                               {HashToken(token)}));
  if (rs.empty()) return bad();
  const int64_t expires = rs.GetInt(0, 0);
  const bool revoked = rs.GetInt(0, 1) != 0;
  const bool disabled = rs.GetInt(0, 8) != 0;
  if (revoked || disabled || (expires != 0 && expires <= ToUnixMicros(clock_.Now()))) return bad();
  Principal p = PrincipalFromRow(rs, 2);
  ASSIGN_OR_RETURN(bool bound, BindOrgPath(*conn, p));
  if (!bound) return bad();
  p.via_api_token = true;
  return p;
}

}  // namespace edugov::accounts
