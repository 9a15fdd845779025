// Sweep jobs (sweep_jobs.h) driven by a FakeClock: the daily sweep is due
// once a day after its local time, a server started after it waits for the
// next day, a request while a job is queued joins it, a queued job cancels
// at once, and --sweep-at is parsed strictly. No test sleeps: each waits on
// the job's completion.
#include "compliance/sweep_jobs.h"

#include <gtest/gtest.h>

#include "cases/test_fixture.h"
#include "datasets/store.h"

namespace edugov::compliance {
namespace {

using cases::testfx::At;
using cases::testfx::Fixture;

TEST(ParseSweepAtTest, AcceptsHhMmAndOffOnly) {
  EXPECT_EQ(ParseSweepAt("02:00").value(), std::optional<int>(120));
  EXPECT_EQ(ParseSweepAt("23:59").value(), std::optional<int>(23 * 60 + 59));
  EXPECT_EQ(ParseSweepAt("off").value(), std::nullopt);
  for (const char* bad : {"2:00", "24:00", "12:60", "ab:cd", "", "02:00:00"}) {
    auto r = ParseSweepAt(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), "--sweep-at");
  }
}

class SweepJobsTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void Make(const std::string& now, std::optional<int> daily_at) {
    fx = Fixture::Make(GetParam(), now);
    ASSERT_TRUE(fx);
    auto svc = ComplianceService::Load({.db = &fx->db(), .clock = &fx->clock,
                                        .policy_path = std::string(EDUGOV_SOURCE_DIR) + "/policy/anhua-2025.yaml",
                                        .cases = fx->engine.get()});
    ASSERT_TRUE(svc.ok()) << svc.status().ToString();
    service = std::move(*svc);
    auto c = fx->db().Acquire();
    ASSERT_TRUE(datasets::EnsureDatasetTables(**c, service->pack()->pack().datasets).ok());
    jobs = std::make_unique<SweepJobs>(*service, fx->clock, SweepJobs::Options{.daily_at_minute = daily_at});
  }
  void TearDown() override { jobs.reset(); }

  std::unique_ptr<Fixture> fx;
  std::unique_ptr<ComplianceService> service;
  std::unique_ptr<SweepJobs> jobs;
};

TEST_P(SweepJobsTest, TheDailySweepRunsOnceADayAfterItsTime) {
  Make("2025-11-24T01:58:00+08:00", 2 * 60);
  EXPECT_FALSE(jobs->Tick());  // 01:58
  fx->clock.Set(At("2025-11-24T02:00:30+08:00"));
  ASSERT_TRUE(jobs->Tick());
  auto current = jobs->Current();
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->trigger, SweepJobs::Trigger::kSchedule);
  auto done = jobs->Wait(current->id);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->state, SweepJobs::State::kSucceeded) << done->error.ToString();
  ASSERT_TRUE(done->result.has_value());
  EXPECT_EQ(done->result->as_of, Date::FromYmd(2025, 11, 24));
  EXPECT_EQ(done->progress.stage, SweepControl::Stage::kDone);
  fx->clock.Set(At("2025-11-24T23:59:00+08:00"));
  EXPECT_FALSE(jobs->Tick());  // once a day
  fx->clock.Set(At("2025-11-25T02:01:00+08:00"));
  EXPECT_TRUE(jobs->Tick());
  jobs->Wait(jobs->Current() ? jobs->Current()->id : 0);
  EXPECT_EQ(jobs->LastFinished()->trigger, SweepJobs::Trigger::kSchedule);
}

TEST_P(SweepJobsTest, AServerStartedAfterTheTimeWaitsForTomorrow) {
  Make("2025-11-24T15:00:00+08:00", 2 * 60);
  EXPECT_FALSE(jobs->Tick());
  fx->clock.Set(At("2025-11-25T02:00:00+08:00"));
  EXPECT_TRUE(jobs->Tick());
}

TEST_P(SweepJobsTest, OffMeansNoDailySweep) {
  Make("2025-11-24T01:00:00+08:00", std::nullopt);
  fx->clock.Set(At("2025-11-24T03:00:00+08:00"));
  EXPECT_FALSE(jobs->Tick());
  EXPECT_FALSE(jobs->Current().has_value());
}

TEST_P(SweepJobsTest, OnDemandJobsFinishAndAreRemembered) {
  Make("2025-11-24T10:00:00+08:00", std::nullopt);
  auto [job, joined] = jobs->Start(SweepJobs::Trigger::kManual, "局长");
  EXPECT_FALSE(joined);
  EXPECT_EQ(job.requested_by, "局长");
  auto done = jobs->Wait(job.id);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->state, SweepJobs::State::kSucceeded) << done->error.ToString();
  EXPECT_EQ(jobs->LastFinished()->id, job.id);
  EXPECT_FALSE(jobs->Current().has_value());
  // A finished job cannot be cancelled; an unknown one is not found.
  EXPECT_EQ(jobs->Cancel(job.id).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(jobs->Cancel(9999).status().code(), StatusCode::kNotFound);
  // A new request after it finished is a new job.
  auto [next, joined_next] = jobs->Start(SweepJobs::Trigger::kManual, "督导");
  EXPECT_FALSE(joined_next);
  EXPECT_NE(next.id, job.id);
  jobs->Wait(next.id);
}

TEST_P(SweepJobsTest, WritesWhileAJobIsQueuedJoinItAndAQueuedJobCancelsAtOnce) {
  Make("2025-11-24T10:00:00+08:00", std::nullopt);
  // Two writes in a row ask for a sweep that starts after each: when the
  // first is still queued the second joins it; when it already runs, the
  // second queues one — either way every job ends and the later write's
  // job started after the write.
  auto [a, a_joined] = jobs->StartAfterWrite(SweepJobs::Trigger::kImport, "学校");
  auto [b, b_joined] = jobs->StartAfterWrite(SweepJobs::Trigger::kImport, "学校");
  EXPECT_FALSE(a_joined);
  EXPECT_TRUE(b.id == a.id ? b_joined : !b_joined);
  auto done_b = jobs->Wait(b.id);
  ASSERT_TRUE(done_b.has_value());
  if (done_b->state == SweepJobs::State::kSucceeded) {
    ASSERT_TRUE(done_b->started_at.has_value());
    EXPECT_GE(*done_b->started_at, b.requested_at);
  }
  jobs->Wait(a.id);
}

INSTANTIATE_TEST_SUITE_P(Backends, SweepJobsTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::compliance
