// The pool is a mutex, a condition variable and a deque: tasks here take
// milliseconds to seconds, so a lock per task costs nothing worth a lock-free
// queue. Invariant: queue.size() <= max_queued whenever mu is released, and
// every task that TrySubmit accepted is run exactly once (Shutdown drains the
// queue before the threads exit).
#include "http/worker_pool.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace edugov::http {

struct WorkerPool::State {
  size_t workers = 1;
  size_t max_queued = 0;
  int nice = 0;

  mutable std::mutex mu;
  std::condition_variable wake;  // a task was queued, or stopping was set
  std::deque<std::function<void()>> queue;  // GUARDED_BY(mu)
  size_t running = 0;                       // GUARDED_BY(mu)
  bool stopping = false;                    // GUARDED_BY(mu)

  std::mutex join_mu;                // serialises Shutdown() callers
  std::vector<std::thread> threads;  // GUARDED_BY(join_mu) after construction

  void Loop() {
    if (nice != 0) {
      // Per thread on Linux: PRIO_PROCESS with a thread id. Failure (a
      // sandbox forbidding it) only loses the preference, so it is ignored.
      errno = 0;
      int current = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
      if (errno == 0) {
        (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)),
                            std::clamp(current + nice, -20, 19));
      }
    }
    std::unique_lock lock(mu);
    while (true) {
      wake.wait(lock, [this] { return stopping || !queue.empty(); });
      // Stopping with work queued: run it first, the promise TrySubmit made.
      if (queue.empty()) return;
      std::function<void()> task = std::move(queue.front());
      queue.pop_front();
      ++running;
      lock.unlock();
      try {
        task();
      } catch (const std::exception& e) {
        spdlog::error("http: worker task threw: {}", e.what());
      } catch (...) {
        spdlog::error("http: worker task threw a non-standard exception");
      }
      // Destroyed outside the lock: its captures may be large, or may post
      // elsewhere when they go.
      task = nullptr;
      lock.lock();
      --running;
    }
  }
};

WorkerPool::WorkerPool(WorkerPoolOptions options) : state_(std::make_unique<State>()) {
  state_->workers = std::max<size_t>(1, options.workers);
  state_->max_queued = options.max_queued;
  state_->nice = options.nice;
  state_->threads.reserve(state_->workers);
  for (size_t i = 0; i < state_->workers; ++i) {
    state_->threads.emplace_back([s = state_.get()] { s->Loop(); });
  }
}

WorkerPool::~WorkerPool() { Shutdown(); }

Status WorkerPool::TrySubmit(std::function<void()> task) {
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping) {
      return UnavailableError("the server is shutting down", "服务器正在停止");
    }
    // A task waits only while every thread is busy; count the idle threads
    // as room, so max_queued = 0 still accepts work for an idle thread.
    size_t idle = state_->workers - std::min(state_->workers, state_->running);
    if (state_->queue.size() >= state_->max_queued + idle) {
      return UnavailableError("the server is busy with other reports and imports; retry shortly",
                              "服务器正忙于处理其他报表和导入,请稍后重试");
    }
    state_->queue.push_back(std::move(task));
  }
  state_->wake.notify_one();
  return OkStatus();
}

void WorkerPool::Shutdown() {
  std::lock_guard join_lock(state_->join_mu);
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  for (std::thread& t : state_->threads) {
    if (t.joinable()) t.join();
  }
  state_->threads.clear();
}

size_t WorkerPool::workers() const { return state_->workers; }
size_t WorkerPool::max_queued() const { return state_->max_queued; }

size_t WorkerPool::queued() const {
  std::lock_guard lock(state_->mu);
  return state_->queue.size();
}

size_t WorkerPool::running() const {
  std::lock_guard lock(state_->mu);
  return state_->running;
}

size_t DefaultWorkers() {
  return std::max<size_t>(2, std::thread::hardware_concurrency());
}

size_t DefaultWorkerQueue(size_t workers) { return 4 * std::max<size_t>(1, workers); }

}  // namespace edugov::http
