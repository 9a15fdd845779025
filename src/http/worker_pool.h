// A bounded pool of threads for work too slow for the server's I/O threads:
// report rendering (PDF through Chromium, XLSX), what-if, file imports,
// timetable checks and solves. An I/O thread that runs such work stops
// answering every other connection it serves for as long as the work takes;
// the pool takes the work off it and bounds how much of it may wait.
//
//   WorkerPool pool(WorkerPoolOptions{.workers = 4, .max_queued = 16});
//   Status s = pool.TrySubmit([job] { job->Run(); });
//   if (!s.ok()) { /* kUnavailable: full or stopping; answer 503 + Retry-After */ }
//   ...
//   pool.Shutdown();  // runs everything already accepted, then joins
//
// The server (server.h) owns one pool and runs the routes marked
// RouteOptions::heavy on it; nothing else in src/http needs to see this type.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "common/status.h"

namespace edugov::http {

struct WorkerPoolOptions {
  // Threads; at least 1 (0 is treated as 1).
  size_t workers = 2;
  // Tasks that may wait for a free thread, beyond the ones running. 0: a task
  // is accepted only when a thread is idle. Waiting is bounded because every
  // waiting request holds its body (imports take up to 50 MiB) and a client
  // that waits longer than a few renders is better told "retry later".
  size_t max_queued = 8;
  // Added to the nice value of each worker thread (Linux: per thread, and
  // inherited by processes a task spawns, such as the PDF printer's
  // Chromium). With a positive value the scheduler prefers the I/O threads
  // when both want the CPU, so short requests keep their latency while
  // renders run; the renders then take longer only on a busy machine.
  // 0 leaves the priority alone.
  int nice = 0;
};

// Thread-safe: every member may be called from any thread, except that
// Shutdown() and the destructor must not be called from a task (they would
// wait for themselves).
class WorkerPool {
 public:
  // Starts options.workers threads at once.
  explicit WorkerPool(WorkerPoolOptions options);
  // Shutdown(), then frees the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task` to run once on a worker thread, in submission order.
  // OK: accepted; it will run, even if Shutdown() begins meanwhile.
  // kUnavailable: not accepted, because max_queued tasks already wait or the
  // pool is shutting down; `task` is destroyed without running, on the
  // caller's thread, before this returns. Never blocks on running tasks.
  //
  // The task owns whatever it captures. It should not throw: an exception is
  // caught and logged and the thread carries on, but whoever waits for the
  // task's result learns nothing from it, so the task should catch and turn
  // errors into its own result.
  Status TrySubmit(std::function<void()> task);

  // Stops accepting, waits until every accepted task has run, and joins the
  // threads. Idempotent; returns at once when already shut down.
  void Shutdown();

  size_t workers() const;
  size_t max_queued() const;
  // Tasks accepted and not yet started; and tasks running now. Snapshots for
  // logs and tests: they may change as soon as they are read.
  size_t queued() const;
  size_t running() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Threads a server gives its pool by default: max(2, hardware threads).
// Heavy work is CPU-bound (Chromium, zip, the solver): more threads than
// cores would only share the same cores and multiply memory (each PDF render
// is a Chromium process of 100–200 MB); at least 2 so one long render never
// makes every other heavy request wait behind it. Thread-safe.
size_t DefaultWorkers();

// Waiting room a server gives its pool by default: 4 per worker. With renders
// of 2–5 s the last one waits about four renders (≈ 10–20 s), near what a
// user waits for a download before giving up and retrying; past that an
// immediate 503 with Retry-After is the more honest answer. Thread-safe.
size_t DefaultWorkerQueue(size_t workers);

}  // namespace edugov::http
