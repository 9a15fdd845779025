// A small bounded worker pool for slow timetable work (solves, checks of
// big uploads), so that it never runs on the HTTP server's few I/O threads:
// a request submits a job and gets its id at once; the job runs on one of
// `workers` threads; its state, progress and result are read by id.
//
//   JobPool pool({.workers = 2, .max_queued = 4}, RealClock(), SecureRandom());
//   StatusOr<std::string> id = pool.Submit(owner, "solve", [](JobContext& ctx) -> StatusOr<std::string> {
//     params.cancel = ctx.cancel_flag();
//     params.on_improvement = [&](const Progress& p) { ctx.Report(p); };
//     ...
//     return result_json_text;
//   });
//   std::optional<JobSnapshot> s = pool.Get(*id, owner);   // poll
//   pool.Cancel(*id, owner);
//
// Bounds: at most `workers` jobs run, at most `max_queued` wait; Submit
// beyond that fails with kUnavailable (503, "busy, retry"), and an owner
// with `max_per_owner` unfinished jobs gets kResourceExhausted (429).
// Finished jobs (done, failed, cancelled) are kept `keep_finished` after
// they end and at most `max_finished` of them (oldest dropped first), then
// forgotten (Get answers nullopt, as for an unknown id).
//
// Jobs belong to the owner string given at Submit: Get / Cancel / Wait with
// another owner behave as for an unknown id, so ids leak nothing.
// Thread-safe. The destructor cancels every job (a running one sees its
// cancel flag) and joins the workers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "timetable/solver.h"

namespace edugov::timetable {

enum class JobState { kQueued, kRunning, kDone, kFailed, kCancelled };
std::string_view JobStateName(JobState s);

// What a running job tells its pollers: the solver's latest improvement.
struct JobProgress {
  bool reported = false;  // false until the first Report()
  double seconds = 0;
  int64_t work = 0;
  int hard = 0;
  double soft = 0;
};

struct JobSnapshot {
  std::string id;
  std::string kind;  // as given to Submit ("solve", "generate", "check")
  JobState state = JobState::kQueued;
  int queue_position = 0;  // 1-based while queued, else 0
  JobProgress progress;
  TimePoint submitted_at;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  std::string result;  // kDone: what the job returned
  Status error;        // kFailed: what the job returned; kCancelled: why
};

// Given to a running job: its cancel flag and a progress sink.
class JobContext {
 public:
  // Set when the job is cancelled or the pool is shutting down; the solver
  // polls it (SolveParams::cancel). Valid for the job's run.
  const std::atomic<bool>* cancel_flag() const { return cancel_; }
  bool cancelled() const { return cancel_->load(std::memory_order_relaxed); }
  // Publishes progress (thread-safe; cheap: one lock, no allocation).
  void Report(const Progress& p);

 private:
  friend class JobPool;
  JobContext(const std::atomic<bool>* cancel, std::function<void(const Progress&)> sink)
      : cancel_(cancel), sink_(std::move(sink)) {}
  const std::atomic<bool>* cancel_;
  std::function<void(const Progress&)> sink_;
};

// The job's body: its result (a JSON text, say) or an error.
using JobFn = std::function<StatusOr<std::string>(JobContext&)>;

struct JobPoolOptions {
  int workers = 1;
  int max_queued = 4;
  int max_per_owner = 3;  // queued + running per owner
  std::chrono::seconds keep_finished{600};
  int max_finished = 32;
};

class JobPool {
 public:
  // `clock` and `random` must outlive the pool (ids are 12 random bytes in hex).
  JobPool(JobPoolOptions options, const Clock& clock, Random& random);
  ~JobPool();
  JobPool(const JobPool&) = delete;
  JobPool& operator=(const JobPool&) = delete;

  // Queues `fn`; returns the job id. kUnavailable when the queue is full,
  // kResourceExhausted when the owner has max_per_owner unfinished jobs
  // (both with zh + en messages), kUnavailable after shutdown began.
  StatusOr<std::string> Submit(const std::string& owner, const std::string& kind, JobFn fn);

  // nullopt: no such job for this owner (never existed, forgotten, or another owner's).
  std::optional<JobSnapshot> Get(const std::string& id, const std::string& owner);

  // Cancels a queued job at once, or flags a running one (it ends as
  // kCancelled when its function returns). Returns the snapshot after the
  // call; nullopt as for Get. Cancelling a finished job changes nothing.
  std::optional<JobSnapshot> Cancel(const std::string& id, const std::string& owner);

  // Blocks until the job has finished; nullopt as for Get.
  std::optional<JobSnapshot> Wait(const std::string& id, const std::string& owner);

  // Jobs waiting and running now (for tests and /health-like figures).
  int queued() const;
  int running() const;

 private:
  struct Job;
  void WorkerLoop();
  void ForgetOldLocked();
  JobSnapshot SnapshotLocked(const Job& job) const;
  std::shared_ptr<Job> FindLocked(const std::string& id, const std::string& owner) const;

  const JobPoolOptions options_;
  const Clock& clock_;
  Random& random_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // workers wait for a queued job
  std::condition_variable done_cv_;  // Wait() waits for a job to finish
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::deque<std::shared_ptr<Job>> finished_;  // in finishing order
  int running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace edugov::timetable
