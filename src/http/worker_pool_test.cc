// WorkerPool: bounded waiting, order, exceptions, shutdown. No sleeps: a
// task that must stay busy waits on a future the test fulfils, and a test
// learns that a task started from a promise the task fulfils.
#include "http/worker_pool.h"

#include <atomic>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace edugov::http {
namespace {

// A task that tells the test it started and then waits to be released. It
// must outlive the task: shut the pool down before it goes out of scope.
struct Blocker {
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();

  std::function<void()> Task() {
    return [this] {
      started.set_value();
      released.wait();
    };
  }
};

TEST(WorkerPoolTest, RunsSubmittedTasks) {
  WorkerPool pool(WorkerPoolOptions{.workers = 2, .max_queued = 4});
  std::promise<int> result;
  ASSERT_TRUE(pool.TrySubmit([&result] { result.set_value(42); }).ok());
  EXPECT_EQ(result.get_future().get(), 42);
}

TEST(WorkerPoolTest, ZeroWorkersMeansOne) {
  WorkerPool pool(WorkerPoolOptions{.workers = 0, .max_queued = 0});
  EXPECT_EQ(pool.workers(), 1u);
  std::promise<void> ran;
  ASSERT_TRUE(pool.TrySubmit([&ran] { ran.set_value(); }).ok());
  ran.get_future().wait();
}

TEST(WorkerPoolTest, RefusesWhenEveryWorkerIsBusyAndTheQueueIsFull) {
  WorkerPool pool(WorkerPoolOptions{.workers = 1, .max_queued = 2});
  Blocker busy;
  ASSERT_TRUE(pool.TrySubmit(busy.Task()).ok());
  busy.started.get_future().wait();  // the only worker is now taken

  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.TrySubmit([&ran] { ++ran; }).ok());
  ASSERT_TRUE(pool.TrySubmit([&ran] { ++ran; }).ok());
  EXPECT_EQ(pool.queued(), 2u);
  EXPECT_EQ(pool.running(), 1u);

  bool destroyed = false;
  struct Sentinel {
    explicit Sentinel(bool* f) : flag(f) {}
    ~Sentinel() { *flag = true; }
    bool* flag;
  };
  auto sentinel = std::make_shared<Sentinel>(&destroyed);
  Status s = pool.TrySubmit([sentinel, &ran] { ran += 100; });
  sentinel.reset();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(s.message(Lang::kZh).empty());
  EXPECT_NE(s.message(Lang::kZh), s.message(Lang::kEn));
  // Refused work is dropped before TrySubmit returns, on the caller's thread.
  EXPECT_TRUE(destroyed);

  busy.release.set_value();
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 2);  // the refused task never ran
}

TEST(WorkerPoolTest, ZeroQueueAcceptsOnlyForAnIdleWorker) {
  WorkerPool pool(WorkerPoolOptions{.workers = 2, .max_queued = 0});
  Blocker a, b;
  ASSERT_TRUE(pool.TrySubmit(a.Task()).ok());
  ASSERT_TRUE(pool.TrySubmit(b.Task()).ok());
  a.started.get_future().wait();
  b.started.get_future().wait();
  EXPECT_EQ(pool.TrySubmit([] {}).code(), StatusCode::kUnavailable);
  a.release.set_value();
  b.release.set_value();
  pool.Shutdown();  // the tasks use a and b until they return
}

TEST(WorkerPoolTest, OneWorkerRunsTasksInSubmissionOrder) {
  WorkerPool pool(WorkerPoolOptions{.workers = 1, .max_queued = 10});
  Blocker busy;
  ASSERT_TRUE(pool.TrySubmit(busy.Task()).ok());
  busy.started.get_future().wait();
  std::mutex mu;
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(pool.TrySubmit([&, i] {
      std::lock_guard lock(mu);
      order.push_back(i);
    }).ok());
  }
  busy.release.set_value();
  pool.Shutdown();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(WorkerPoolTest, ThrowingTaskDoesNotKillTheWorker) {
  WorkerPool pool(WorkerPoolOptions{.workers = 1, .max_queued = 4});
  ASSERT_TRUE(pool.TrySubmit([] { throw std::runtime_error("render failed"); }).ok());
  ASSERT_TRUE(pool.TrySubmit([] { throw 7; }).ok());
  std::promise<void> after;
  ASSERT_TRUE(pool.TrySubmit([&after] { after.set_value(); }).ok());
  after.get_future().wait();  // the same single thread ran it
}

TEST(WorkerPoolTest, ShutdownRunsAcceptedWorkThenRefusesNew) {
  WorkerPool pool(WorkerPoolOptions{.workers = 1, .max_queued = 3});
  Blocker busy;
  ASSERT_TRUE(pool.TrySubmit(busy.Task()).ok());
  busy.started.get_future().wait();
  std::atomic<int> ran{0};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.TrySubmit([&ran] { ++ran; }).ok());

  std::thread stopper([&pool] { pool.Shutdown(); });
  busy.release.set_value();
  stopper.join();
  EXPECT_EQ(ran.load(), 3);
  EXPECT_EQ(pool.queued(), 0u);
  EXPECT_EQ(pool.running(), 0u);
  EXPECT_EQ(pool.TrySubmit([&ran] { ++ran; }).code(), StatusCode::kUnavailable);
  pool.Shutdown();  // idempotent
  EXPECT_EQ(ran.load(), 3);
}

TEST(WorkerPoolTest, DestructorDrainsLikeShutdown) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(WorkerPoolOptions{.workers = 2, .max_queued = 8});
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(pool.TrySubmit([&ran] { ++ran; }).ok());
  }
  EXPECT_EQ(ran.load(), 10);
}

TEST(WorkerPoolTest, ManySubmittersNeverExceedTheBound) {
  // Every accepted task runs; the number accepted never exceeds what the
  // pool can hold while its only worker is blocked.
  WorkerPool pool(WorkerPoolOptions{.workers = 1, .max_queued = 5});
  Blocker busy;
  ASSERT_TRUE(pool.TrySubmit(busy.Task()).ok());
  busy.started.get_future().wait();
  std::atomic<int> accepted{0};
  std::atomic<int> ran{0};
  std::vector<std::thread> submitters;
  for (int t = 0; t < 4; ++t) {
    submitters.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (pool.TrySubmit([&ran] { ++ran; }).ok()) ++accepted;
      }
    });
  }
  for (auto& t : submitters) t.join();
  EXPECT_EQ(accepted.load(), 5);
  busy.release.set_value();
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 5);
}

TEST(WorkerPoolTest, DefaultsScaleWithTheMachine) {
  EXPECT_GE(DefaultWorkers(), 2u);
  EXPECT_EQ(DefaultWorkerQueue(3), 12u);
  EXPECT_EQ(DefaultWorkerQueue(0), 4u);
}

}  // namespace
}  // namespace edugov::http
