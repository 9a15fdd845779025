// Shared fixture for the registry's tests: a fresh migrated database, a fake
// clock, a county root inserted directly (roots are not created through the
// scoped API) and principals bound to any org.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "accounts/principal.h"
#include "common/clock.h"
#include "registry/registry.h"
#include "storage/database.h"
#include "testing/test_db.h"

namespace edugov::registry::testing {

#define REG_ASSERT_OK(expr)                                                   \
  do {                                                                        \
    ::edugov::Status reg_s_ = ::edugov::internal::AsStatus(expr);             \
    ASSERT_TRUE(reg_s_.ok()) << reg_s_.ToString();                            \
  } while (0)

// Parameterised by backend: SQLite always, PostgreSQL when EDUGOV_TEST_PG_URL
// is set (instantiate with REGISTRY_INSTANTIATE).
class RegistryTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    auto db = edugov::testing::TestDb::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::make_unique<edugov::testing::TestDb>(std::move(db).value());
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::make_unique<storage::ConnectionHandle>(std::move(conn).value());
    auto rs = (*conn_)->Query(
        "INSERT INTO orgs (parent_id, kind, code, name, path, created_at, updated_at) "
        "VALUES (NULL, 'county', '430923', '测试县教育局', 'pending', 0, 0) RETURNING id");
    ASSERT_TRUE(rs.ok()) << rs.status().ToString();
    root_id_ = rs->GetInt(0, 0);
    root_path_ = "/" + std::to_string(root_id_) + "/";
    ASSERT_TRUE((*conn_)->Execute("UPDATE orgs SET path = $1 WHERE id = $2",
                                  {root_path_, root_id_}).ok());
    bureau_ = MakePrincipal(accounts::Role::kBureauLeader, root_id_, root_path_);
  }

  static accounts::Principal MakePrincipal(accounts::Role role, int64_t org_id,
                                           std::string path) {
    accounts::Principal p;
    p.user_id = 7;
    p.username = "tester";
    p.role = role;
    p.org_id = org_id;
    p.org_path = std::move(path);
    return p;
  }
  static accounts::Principal At(accounts::Role role, const Org& org) {
    return MakePrincipal(role, org.id, org.path);
  }

  storage::Connection& conn() { return **conn_; }

  Org MustCreate(const accounts::Principal& who, int64_t parent, OrgKind kind, std::string code,
                 std::string name, std::optional<Stage> stage, OrgFlags flags = {}) {
    auto org = CreateOrg(conn(), who, clock_,
                         {parent, kind, std::move(code), std::move(name), stage, flags});
    EXPECT_TRUE(org.ok()) << org.status().ToString();
    return org.ok() ? *org : Org{};
  }

  FakeClock clock_{ParseTimestamp("2025-03-03T08:00:00+08:00").value()};
  std::unique_ptr<edugov::testing::TestDb> db_;
  std::unique_ptr<storage::ConnectionHandle> conn_;
  int64_t root_id_ = 0;
  std::string root_path_;
  accounts::Principal bureau_;
};

#define REGISTRY_INSTANTIATE(Suite)                                                  \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                          \
                           ::testing::ValuesIn(::edugov::testing::TestBackends()),   \
                           [](const auto& info) {                                    \
                             return ::edugov::testing::BackendName(info.param);      \
                           })

}  // namespace edugov::registry::testing
