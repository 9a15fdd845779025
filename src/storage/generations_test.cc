// The stores' change counters (migration 009), on both backends, with the
// real migrations: a bump is seen by another connection — as it would be by
// another process — and an unknown store is an error, not a silent zero.
#include "storage/generations.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "storage/migrations.h"
#include "storage/test_util.h"

namespace edugov::storage {
namespace {

using testing::BackendTest;

class GenerationsTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    FakeClock clock(FromUnixMicros(1740960000000000));
    ASSERT_TRUE(Migrate(conn(), clock).ok());
  }
};

TEST_P(GenerationsTest, StartsAtZeroAndABumpIsSeenByAnotherConnection) {
  ASSERT_OK_AND_ASSIGN(uint64_t findings, ReadGeneration(conn(), "findings"));
  ASSERT_OK_AND_ASSIGN(uint64_t registry, ReadGeneration(conn(), "registry"));
  EXPECT_EQ(findings, 0u);
  EXPECT_EQ(registry, 0u);

  ASSERT_OK_AND_ASSIGN(ConnectionHandle other, db().Acquire());
  ASSERT_OK(BumpGeneration(*other, "findings"));
  ASSERT_OK(BumpGeneration(*other, "findings"));
  ASSERT_OK_AND_ASSIGN(findings, ReadGeneration(conn(), "findings"));
  ASSERT_OK_AND_ASSIGN(registry, ReadGeneration(conn(), "registry"));
  EXPECT_EQ(findings, 2u);
  EXPECT_EQ(registry, 0u);  // each store counts its own writes
}

TEST_P(GenerationsTest, ABumpRolledBackWithItsTransactionIsNotSeen) {
  ASSERT_OK(conn().Begin(TransactionMode::kWrite));
  ASSERT_OK(BumpGeneration(conn(), "registry"));
  conn().Rollback();
  ASSERT_OK_AND_ASSIGN(uint64_t registry, ReadGeneration(conn(), "registry"));
  EXPECT_EQ(registry, 0u);
}

TEST_P(GenerationsTest, AnUnknownStoreIsNotFound) {
  EXPECT_EQ(ReadGeneration(conn(), "nonsense").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(BumpGeneration(conn(), "nonsense").code(), StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, GenerationsTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::ParamName);

}  // namespace
}  // namespace edugov::storage
