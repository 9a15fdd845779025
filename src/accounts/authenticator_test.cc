#include "accounts/authenticator.h"

#include <gtest/gtest.h>

#include "accounts/users.h"
#include "ledger/audit.h"
#include "testing/test_db.h"

namespace edugov::accounts {
namespace {

using storage::Backend;
using storage::Connection;

constexpr const char* kPassword = "Edugov@2025";

class AuthenticatorTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto t = testing::TestDb::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    db_.emplace(std::move(*t));
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    // A county with two townships, one school in each.
    Status s = storage::RunInTransaction(**conn, [](Connection& tx) -> Status {
      const char* rows[][5] = {{"1", "", "county", "430923", "/1/"},
                               {"2", "1", "township", "T01", "/1/2/"},
                               {"3", "2", "school", "S01", "/1/2/3/"},
                               {"4", "1", "township", "T02", "/1/4/"},
                               {"5", "4", "school", "S02", "/1/4/5/"}};
      for (auto& r : rows) {
        storage::Value parent = std::string(r[1]).empty() ? storage::Null()
                                                          : storage::Value(int64_t{std::stoll(r[1])});
        RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO orgs (id, parent_id, kind, code, name, path, created_at, updated_at) "
            "VALUES ($1,$2,$3,$4,$5,$6,0,0)",
            {int64_t{std::stoll(r[0])}, parent, std::string(r[2]), std::string(r[3]),
             std::string("org ") + r[3], std::string(r[4])}));
      }
      return OkStatus();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    Add("juzhang", "bureau_leader", 1);
    Add("dongping", "township", 2);
    Add("school1", "school", 3);
    auth_.emplace(db_->db(), clock_, random_);
  }

  void Add(const std::string& username, const std::string& role, int64_t org) {
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    auto u = CreateUser(**conn, SystemPrincipal(), clock_,
                        {username, username, role, "", org, kPassword});
    ASSERT_TRUE(u.ok()) << u.status().ToString();
  }

  FakeClock clock_{FromUnixMicros(1'740'000'000'000'000)};
  SeededRandom random_{1};
  std::optional<testing::TestDb> db_;
  std::optional<Authenticator> auth_;
};

TEST_P(AuthenticatorTest, LoginCreatesSessionBoundToSubtree) {
  auto r = auth_->Login("dongping", kPassword, "127.0.0.1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->principal.role, Role::kTownship);
  EXPECT_EQ(r->principal.org_path, "/1/2/");
  EXPECT_TRUE(r->principal.CanSee("/1/2/3/"));
  EXPECT_FALSE(r->principal.CanSee("/1/4/5/"));
  EXPECT_FALSE(r->principal.CanSee("/1/"));

  auto s = auth_->AuthenticateSession(r->session_token);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->principal.username, "dongping");
  EXPECT_EQ(s->csrf_token, r->csrf_token);
}

TEST_P(AuthenticatorTest, WrongPasswordAndUnknownUserLookTheSame) {
  Status wrong = auth_->Login("dongping", "Wrong@2025", "10.0.0.1").status();
  Status unknown = auth_->Login("nobody", "Wrong@2025", "10.0.0.1").status();
  EXPECT_EQ(wrong.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong, unknown);
}

TEST_P(AuthenticatorTest, SessionExpiresAfterIdleTimeout) {
  auto r = auth_->Login("school1", kPassword, "127.0.0.1");
  ASSERT_TRUE(r.ok());
  clock_.Advance(std::chrono::hours(1));
  EXPECT_TRUE(auth_->AuthenticateSession(r->session_token).ok());  // slides the deadline
  clock_.Advance(std::chrono::minutes(119));
  EXPECT_TRUE(auth_->AuthenticateSession(r->session_token).ok());
  clock_.Advance(std::chrono::hours(2) + std::chrono::seconds(1));
  EXPECT_EQ(auth_->AuthenticateSession(r->session_token).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_P(AuthenticatorTest, SessionEndsAtAbsoluteTimeoutEvenWhenUsed) {
  auto r = auth_->Login("school1", kPassword, "127.0.0.1");
  ASSERT_TRUE(r.ok());
  for (int i = 0; i < 11; ++i) {
    clock_.Advance(std::chrono::hours(1));
    ASSERT_TRUE(auth_->AuthenticateSession(r->session_token).ok()) << i;
  }
  clock_.Advance(std::chrono::hours(1));
  EXPECT_FALSE(auth_->AuthenticateSession(r->session_token).ok());
}

TEST_P(AuthenticatorTest, CachedSessionIsRevalidatedAfterTtl) {
  auto r = auth_->Login("school1", kPassword, "127.0.0.1");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(auth_->AuthenticateSession(r->session_token).ok());  // now cached
  auto conn = db_->db().Acquire();
  ASSERT_TRUE(conn.ok());
  // Ended behind this Authenticator's back (another process, say).
  ASSERT_TRUE((*conn)->Execute("DELETE FROM sessions").ok());
  clock_.Advance(std::chrono::milliseconds(4999));
  EXPECT_TRUE(auth_->AuthenticateSession(r->session_token).ok());
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(auth_->AuthenticateSession(r->session_token).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_P(AuthenticatorTest, ForgettingAUserEndsTheirCachedSessions) {
  auto r = auth_->Login("school1", kPassword, "127.0.0.1");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(auth_->AuthenticateSession(r->session_token).ok());
  auto conn = db_->db().Acquire();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(DisableUser(**conn, SystemPrincipal(), clock_, r->principal.user_id).ok());
  auth_->ForgetCachedSessionsOf(r->principal.user_id);
  EXPECT_FALSE(auth_->AuthenticateSession(r->session_token).ok());
}

TEST_P(AuthenticatorTest, LogoutEndsCachedSessionAtOnce) {
  auto r = auth_->Login("school1", kPassword, "127.0.0.1");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(auth_->AuthenticateSession(r->session_token).ok());
  ASSERT_TRUE(auth_->Logout(r->session_token).ok());
  EXPECT_FALSE(auth_->AuthenticateSession(r->session_token).ok());
}

TEST_P(AuthenticatorTest, LogoutEndsSession) {
  auto r = auth_->Login("school1", kPassword, "127.0.0.1");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(auth_->Logout(r->session_token).ok());
  EXPECT_FALSE(auth_->AuthenticateSession(r->session_token).ok());
}

TEST_P(AuthenticatorTest, RepeatedFailuresSlowThenLock) {
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(auth_->Login("school1", "Wrong@2025", "127.0.0.1").status().code(),
              StatusCode::kUnauthenticated);
  }
  // The third failure slows the account: the right password is refused for 1 s.
  EXPECT_EQ(auth_->Login("school1", "Wrong@2025", "127.0.0.1").status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Login("school1", kPassword, "127.0.0.1").status().code(),
            StatusCode::kFailedPrecondition);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(auth_->Login("school1", kPassword, "127.0.0.1").ok());  // success resets

  for (int i = 0; i < 10; ++i) {
    (void)auth_->Login("school1", "Wrong@2025", "127.0.0.1");
    clock_.Advance(std::chrono::minutes(10));  // wait out each slow-down
  }
  Status locked = auth_->Login("school1", kPassword, "127.0.0.1").status();
  EXPECT_EQ(locked.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(locked.message_zh().find("之后"), std::string::npos);
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_TRUE(auth_->Login("school1", kPassword, "127.0.0.1").ok());
}

TEST_P(AuthenticatorTest, LockoutIsPerAccountAndAddress) {
  // A pupil at school (one NAT address) locks the head teacher's account —
  // from the school's address only.
  for (int i = 0; i < 10; ++i) {
    (void)auth_->Login("school1", "Wrong@2025", "10.1.1.1");
    clock_.Advance(std::chrono::minutes(10));
  }
  EXPECT_EQ(auth_->Login("school1", kPassword, "10.1.1.1").status().code(),
            StatusCode::kFailedPrecondition);
  // Colleagues behind the same address sign in; the head teacher does from home.
  EXPECT_TRUE(auth_->Login("juzhang", kPassword, "10.1.1.1").ok());
  EXPECT_TRUE(auth_->Login("school1", kPassword, "192.0.2.7").ok());
  // A success elsewhere does not unlock the guessing address.
  EXPECT_EQ(auth_->Login("school1", kPassword, "10.1.1.1").status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_P(AuthenticatorTest, GuessingFromManyAddressesBacksOffTheAccountButNeverLocksIt) {
  Authenticator auth(db_->db(), clock_, random_, {.account_slow_after = 4});
  for (int i = 0; i < 4; ++i) {
    (void)auth.Login("school1", "Wrong@2025", "198.51.100." + std::to_string(i));
  }
  // Four addresses, one failure each: the account backs off 1 s for everyone.
  EXPECT_EQ(auth.Login("school1", kPassword, "192.0.2.7").status().code(),
            StatusCode::kFailedPrecondition);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(auth.Login("school1", kPassword, "192.0.2.7").ok());
}

TEST_P(AuthenticatorTest, NewPasswordRevokesApiTokens) {
  auto conn = db_->db().Acquire();
  ASSERT_TRUE(conn.ok());
  auto token = CreateApiToken(**conn, SystemPrincipal(), clock_, random_, "school1", "sis", 0);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ASSERT_TRUE(auth_->AuthenticateApiToken(*token).ok());
  ASSERT_TRUE(SetPassword(**conn, SystemPrincipal(), clock_, "school1", "Another@2026").ok());
  Status s = auth_->AuthenticateApiToken(*token).status();
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
  auto audit = ledger::ReadAudit(**conn, 0, 1);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ((*audit)[0].entry.action, "user.passwd");
  EXPECT_EQ((*audit)[0].entry.after, R"({"api_tokens_revoked":1})");
}

TEST_P(AuthenticatorTest, AddressOverFailureBudgetGets429) {
  Authenticator strict(db_->db(), clock_, random_, {.max_failures_per_address = 3});
  for (int i = 0; i < 3; ++i) (void)strict.Login("user" + std::to_string(i), "x", "10.9.9.9");
  EXPECT_EQ(strict.Login("juzhang", kPassword, "10.9.9.9").status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_TRUE(strict.Login("juzhang", kPassword, "10.9.9.8").ok());
  clock_.Advance(std::chrono::minutes(11));
  EXPECT_TRUE(strict.Login("juzhang", kPassword, "10.9.9.9").ok());
}

TEST_P(AuthenticatorTest, DisabledUserCannotSignInAndLosesSessions) {
  auto r = auth_->Login("school1", kPassword, "127.0.0.1");
  ASSERT_TRUE(r.ok());
  auto conn = db_->db().Acquire();
  ASSERT_TRUE(conn.ok());
  auto u = GetUserByUsername(**conn, "school1");
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(DisableUser(**conn, SystemPrincipal(), clock_, u->id).ok());
  EXPECT_FALSE(auth_->AuthenticateSession(r->session_token).ok());
  EXPECT_EQ(auth_->Login("school1", kPassword, "127.0.0.1").status().code(),
            StatusCode::kUnauthenticated);
}

TEST_P(AuthenticatorTest, ApiTokenAuthenticatesUntilRevoked) {
  auto conn = db_->db().Acquire();
  ASSERT_TRUE(conn.ok());
  auto token = CreateApiToken(**conn, SystemPrincipal(), clock_, random_, "school1", "sis", 1);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  auto p = auth_->AuthenticateApiToken(*token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->via_api_token);
  EXPECT_EQ(p->org_path, "/1/2/3/");
  EXPECT_FALSE(auth_->AuthenticateApiToken(*token + "0").ok());
  clock_.Advance(std::chrono::hours(25));
  EXPECT_FALSE(auth_->AuthenticateApiToken(*token).ok());
}

TEST_P(AuthenticatorTest, UserAdministrationIsScopedAndAudited) {
  auto conn = db_->db().Acquire();
  ASSERT_TRUE(conn.ok());
  auto leader = GetUserByUsername(**conn, "juzhang");
  auto township = GetUserByUsername(**conn, "dongping");
  ASSERT_TRUE(leader.ok() && township.ok());
  // A township user cannot create users at all.
  EXPECT_EQ(CreateUser(**conn, PrincipalFor(*township), clock_,
                       {"newbie", "n", "school", "", 3, kPassword})
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  // Role must fit the org; fields are named.
  Status s = CreateUser(**conn, PrincipalFor(*leader), clock_,
                        {"newbie", "n", "township", "", 3, kPassword}).status();
  EXPECT_EQ(s.field(), "org_id");
  EXPECT_EQ(CreateUser(**conn, PrincipalFor(*leader), clock_,
                       {"Bad Name", "n", "school", "", 3, kPassword}).status().field(),
            "username");
  EXPECT_EQ(CreateUser(**conn, PrincipalFor(*leader), clock_,
                       {"juzhang", "n", "school", "", 3, kPassword}).status().code(),
            StatusCode::kAlreadyExists);
  auto before = ledger::VerifyAudit(**conn);
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(CreateUser(**conn, PrincipalFor(*leader), clock_,
                         {"newbie", "新人", "school", "", 5, kPassword}).ok());
  auto after = ledger::VerifyAudit(**conn);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->ok);
  EXPECT_EQ(after->entries, before->entries + 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthenticatorTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::accounts
