// Test-only: the fixture audit_test.cc and sanctions_test.cc share — a fresh
// database per backend, one connection to it, a FakeClock, and Exec() for
// tampering with stored rows on purpose.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "common/clock.h"
#include "testing/test_db.h"

namespace edugov::ledger {

class LedgerDbTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    auto t = testing::TestDb::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    db_.emplace(std::move(*t));
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_.emplace(std::move(*conn));
  }

  storage::Connection& conn() { return **conn_; }

  // Runs `sql` outside the ledger's API, as a forger would.
  void Exec(const std::string& sql) {
    auto r = conn().Execute(sql);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  FakeClock clock_{FromUnixMicros(1'740'000'000'000'000)};
  std::optional<testing::TestDb> db_;
  std::optional<storage::ConnectionHandle> conn_;
};

}  // namespace edugov::ledger
