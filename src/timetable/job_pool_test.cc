#include "timetable/job_pool.h"

#include <future>

#include <gtest/gtest.h>

#include "timetable/fet_import.h"

namespace edugov::timetable {
namespace {

const std::string kTestdata = EDUGOV_TIMETABLE_TESTDATA;

FakeClock MakeClock() { return FakeClock(ParseTimestamp("2026-03-02T08:00:00+08:00").value()); }

// A job that runs until the test opens its gate: the states the test sees
// are decided by the test, not by timing.
struct Gate {
  std::promise<void> started;
  std::promise<void> open;
  std::shared_future<void> opened{open.get_future().share()};
  JobFn Fn(std::string result) {
    return [this, result, opened = opened](JobContext&) -> StatusOr<std::string> {
      started.set_value();
      opened.wait();
      return result;
    };
  }
};

TEST(JobPoolTest, RunsQueuesBoundsAndCancels) {
  FakeClock clock = MakeClock();
  SeededRandom random(1);
  JobPool pool({.workers = 1, .max_queued = 2, .max_per_owner = 3}, clock, random);

  Gate gate;
  auto a = pool.Submit("alice", "solve", gate.Fn("A"));
  ASSERT_TRUE(a.ok());
  gate.started.get_future().wait();  // the worker took it
  EXPECT_EQ(pool.Get(*a, "alice")->state, JobState::kRunning);
  EXPECT_EQ(pool.running(), 1);

  auto b = pool.Submit("alice", "solve", [](JobContext&) -> StatusOr<std::string> { return std::string("B"); });
  auto c = pool.Submit("bob", "check", [](JobContext&) -> StatusOr<std::string> { return std::string("C"); });
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(pool.Get(*b, "alice")->queue_position, 1);
  EXPECT_EQ(pool.Get(*c, "bob")->queue_position, 2);

  // The queue holds two: a third waits nowhere — 503 with a zh + en message.
  auto full = pool.Submit("carol", "solve", [](JobContext&) -> StatusOr<std::string> { return std::string(); });
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(full.status().message(Lang::kZh).find("排课队列已满"), std::string::npos);
  EXPECT_NE(full.status().message(Lang::kEn).find("queue is full"), std::string::npos);

  // Another owner sees nothing of alice's job.
  EXPECT_FALSE(pool.Get(*a, "bob").has_value());
  EXPECT_FALSE(pool.Cancel(*a, "bob").has_value());
  EXPECT_FALSE(pool.Get("nonexistent", "alice").has_value());

  // Cancelling a queued job frees its place at once.
  auto cb = pool.Cancel(*b, "alice");
  ASSERT_TRUE(cb.has_value());
  EXPECT_EQ(cb->state, JobState::kCancelled);
  EXPECT_EQ(pool.Get(*c, "bob")->queue_position, 1);
  EXPECT_EQ(pool.queued(), 1);

  gate.open.set_value();
  auto da = pool.Wait(*a, "alice");
  ASSERT_TRUE(da.has_value());
  EXPECT_EQ(da->state, JobState::kDone);
  EXPECT_EQ(da->result, "A");
  auto dc = pool.Wait(*c, "bob");
  EXPECT_EQ(dc->state, JobState::kDone);
  EXPECT_EQ(dc->result, "C");
}

TEST(JobPoolTest, PerOwnerCapIs429AndFailuresAreKept) {
  FakeClock clock = MakeClock();
  SeededRandom random(2);
  JobPool pool({.workers = 1, .max_queued = 10, .max_per_owner = 2}, clock, random);
  Gate gate;
  auto a = pool.Submit("alice", "solve", gate.Fn("A"));
  auto b = pool.Submit("alice", "solve", [](JobContext&) -> StatusOr<std::string> {
    return Status(StatusCode::kInvalidArgument, "bad input", "输入有误", "body");
  });
  ASSERT_TRUE(a.ok() && b.ok());
  auto third = pool.Submit("alice", "solve", [](JobContext&) -> StatusOr<std::string> { return std::string(); });
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(pool.Submit("bob", "solve", [](JobContext&) -> StatusOr<std::string> { return std::string(); }).ok());
  gate.open.set_value();
  auto fb = pool.Wait(*b, "alice");
  EXPECT_EQ(fb->state, JobState::kFailed);
  EXPECT_EQ(fb->error.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fb->error.field(), "body");
}

TEST(JobPoolTest, FinishedJobsAreForgottenAfterTheirTime) {
  FakeClock clock = MakeClock();
  SeededRandom random(3);
  JobPool pool({.workers = 1, .keep_finished = std::chrono::seconds(600)}, clock, random);
  auto a = pool.Submit("alice", "check", [](JobContext&) -> StatusOr<std::string> { return std::string("x"); });
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(pool.Wait(*a, "alice")->state, JobState::kDone);
  clock.Advance(std::chrono::seconds(599));
  EXPECT_TRUE(pool.Get(*a, "alice").has_value());
  clock.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(pool.Get(*a, "alice").has_value());
}

// A solve that can never finish (the class has 4 periods in a 2-day week
// with at most 1 a day) stops when its job is cancelled, reporting progress
// on the way.
TEST(JobPoolTest, CancellingARunningSolveStopsTheSolver) {
  auto imp = ImportFetFile(kTestdata + "/tiny.fet");
  ASSERT_TRUE(imp.ok());
  Instance in = imp->instance;
  Constraint k;
  k.type = ConstraintType::kStudentsMaxHoursDaily;
  k.student_sets = {0};
  k.value = 1;
  k.source = "test: Y1 at most 1 a day";
  in.constraints.push_back(k);

  FakeClock clock = MakeClock();
  SeededRandom random(4);
  JobPool pool({.workers = 1}, clock, random);
  std::promise<void> reported;
  auto id = pool.Submit("alice", "solve", [&](JobContext& ctx) -> StatusOr<std::string> {
    SolveParams p;
    p.time_limit_seconds = 1e9;
    p.clock = [] { return 0.0; };  // only the cancel flag can stop it
    p.cancel = ctx.cancel_flag();
    bool first = true;
    p.on_improvement = [&](const Progress& pr) {
      ctx.Report(pr);
      if (first) reported.set_value();
      first = false;
    };
    SolveResult r = Solve(in, p);
    return "hard=" + std::to_string(r.hard);
  });
  ASSERT_TRUE(id.ok());
  reported.get_future().wait();
  auto running = pool.Get(*id, "alice");
  EXPECT_EQ(running->state, JobState::kRunning);
  EXPECT_TRUE(running->progress.reported);
  EXPECT_GT(running->progress.hard, 0);
  pool.Cancel(*id, "alice");
  auto done = pool.Wait(*id, "alice");
  EXPECT_EQ(done->state, JobState::kCancelled);
}

}  // namespace
}  // namespace edugov::timetable
