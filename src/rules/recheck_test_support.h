// Test support for the re-check tests (recheck_test.cc, live_image_test.cc):
// a database on each backend seeded with a test's registry, the county's real
// pack loaded into a SubmissionRechecker, its dataset tables created. Tests
// only.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "accounts/principal.h"
#include "common/clock.h"
#include "datasets/store.h"
#include "rules/recheck.h"
#include "testing/test_db.h"

namespace edugov::rules::testing_support {

// The bureau leader at county 1 (path /1/): may import for every school.
inline accounts::Principal Bureau() {
  return {.user_id = 1, .username = "bureau", .role = accounts::Role::kBureauLeader, .org_id = 1,
          .org_path = "/1/"};
}

// Subclasses seed their registry in SeedRegistry (orgs and classes).
class RecheckFixture : public ::testing::TestWithParam<storage::Backend> {
 protected:
  virtual Status SeedRegistry(storage::Connection& c) = 0;

  void SetUp() override {
    auto db = testing::TestDb::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_.emplace(std::move(*db));
    auto handle = db_->db().Acquire();
    ASSERT_TRUE(handle.ok());
    conn_.emplace(std::move(*handle));
    ASSERT_TRUE(SeedRegistry(conn()).ok());
    // EDUGOV_TEST_POLICY: another pack file (e.g. while the county's is being edited).
    const char* pack = std::getenv("EDUGOV_TEST_POLICY");
    auto rechecker = SubmissionRechecker::Load(pack && *pack ? std::string(pack)
                                                             : std::string(EDUGOV_SOURCE_DIR) + "/policy/anhua-2025.yaml");
    ASSERT_TRUE(rechecker.ok()) << rechecker.status().ToString();
    rechecker_ = std::move(*rechecker);
    ASSERT_TRUE(datasets::EnsureDatasetTables(conn(), rechecker_->pack().datasets).ok());
  }

  storage::Connection& conn() { return **conn_; }

  const datasets::DatasetSchema& Schema(const std::string& name) {
    for (const auto& s : rechecker_->pack().datasets) {
      if (s.name == name) return s;
    }
    ADD_FAILURE() << "no dataset " << name;
    return rechecker_->pack().datasets.front();
  }

  FakeClock clock_{TimePoint{}};
  std::optional<testing::TestDb> db_;
  std::optional<storage::ConnectionHandle> conn_;
  std::unique_ptr<SubmissionRechecker> rechecker_;
};

}  // namespace edugov::rules::testing_support
