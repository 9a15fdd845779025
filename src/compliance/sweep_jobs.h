// Sweeps as jobs the server runs off its request threads: on demand (立即检查),
// after a committed import of a dataset the pack reads, and daily at a local
// time (default 02:00 in China).
//
//   SweepJobs jobs(service, clock, {.daily_at_minute = 2 * 60});
//   auto [job, joined] = jobs.Start(SweepJobs::Trigger::kManual, "juzhang");
//   ...  // GET /compliance/sweeps/{id} reads jobs.Get(job.id)
//   jobs.StartTimer(std::chrono::seconds(30));  // the daily sweep, checked twice a minute
//
// One sweep runs at a time, on the object's own worker thread. A request
// while one runs joins it (same job). A write (an import) asks for a sweep
// that *starts after* the write: while one runs, a second is queued and any
// later write joins that queued one — so every committed row is judged by a
// sweep that began after it. The daily sweep is due once a day when the
// China-local time passes `daily_at_minute` (a server started after that
// time waits for tomorrow's); Tick() checks and starts it, from the timer
// thread or — in tests, with a FakeClock — directly, so no test sleeps.
//
// Thread-safety: every method may be called from any thread. The
// ComplianceService and the Clock must outlive the SweepJobs; the destructor
// cancels a queued job, lets the running one finish (or stop at its next
// cancel point) and joins the threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "common/clock.h"
#include "common/status.h"
#include "compliance/service.h"

namespace edugov::compliance {

// "02:00" → 120; "off" → nullopt; anything else → kInvalidArgument naming --sweep-at.
StatusOr<std::optional<int>> ParseSweepAt(std::string_view text);

class SweepJobs {
 public:
  enum class Trigger { kManual, kSchedule, kImport, kStartup };
  enum class State { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
  struct Job {
    int64_t id = 0;
    Trigger trigger = Trigger::kManual;
    State state = State::kQueued;
    std::string requested_by;  // display name; "" for the schedule
    TimePoint requested_at;
    std::optional<TimePoint> started_at, finished_at;
    Date as_of;
    SweepControl::Snapshot progress;
    std::optional<SweepReport> result;  // when succeeded
    Status error;                       // when failed
  };
  struct Options {
    std::optional<int> daily_at_minute = 2 * 60;  // China-local minute of the day; nullopt: no daily sweep
    size_t keep_finished = 50;                    // finished jobs remembered for Get()
  };

  SweepJobs(ComplianceService& service, const Clock& clock, Options options);
  ~SweepJobs();
  SweepJobs(const SweepJobs&) = delete;
  SweepJobs& operator=(const SweepJobs&) = delete;

  // A sweep now, or the one running or queued (then `joined` is true).
  std::pair<Job, bool> Start(Trigger trigger, std::string requested_by);
  // A sweep that starts after this call: the queued one if there is one
  // (joined), else a new one queued behind any running sweep.
  std::pair<Job, bool> StartAfterWrite(Trigger trigger, std::string requested_by);

  std::optional<Job> Get(int64_t id) const;
  // The running (or else queued) job, and the most recent finished one.
  std::optional<Job> Current() const;
  std::optional<Job> LastFinished() const;

  // Cancels a queued job at once, or asks a running one to stop at its next
  // cancel point (it then ends cancelled with nothing written, or — past its
  // save — succeeds). kNotFound for an unknown id; kFailedPrecondition for a
  // finished job.
  StatusOr<Job> Cancel(int64_t id);

  // Starts the daily sweep if it is due at the clock's now. True if it did.
  bool Tick();
  // Calls Tick() every `every` on a thread of its own until destroyed.
  void StartTimer(std::chrono::milliseconds every);

  // Blocks until job `id` has finished (or is unknown); returns it.
  std::optional<Job> Wait(int64_t id);

 private:
  struct Entry {
    Job job;
    std::shared_ptr<SweepControl> control;
  };
  void WorkerLoop();
  void TimerLoop(std::chrono::milliseconds every);
  Job Snapshot(const Entry& e) const;  // requires mu_
  int64_t NewJobLocked(Trigger trigger, std::string requested_by);
  void ForgetOldLocked();

  ComplianceService& service_;
  const Clock& clock_;
  const Options options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // queued job, finished job, stop
  std::map<int64_t, Entry> jobs_;       // GUARDED_BY(mu_)
  int64_t next_id_ = 1;                 // GUARDED_BY(mu_)
  int64_t running_ = 0;                 // GUARDED_BY(mu_)
  int64_t queued_ = 0;                  // GUARDED_BY(mu_)
  int64_t last_finished_ = 0;           // GUARDED_BY(mu_)
  int32_t last_daily_day_ = 0;          // GUARDED_BY(mu_): days since epoch of the last daily sweep
  bool stop_ = false;                   // GUARDED_BY(mu_)
  std::thread worker_;
  std::thread timer_;
};

std::string_view TriggerName(SweepJobs::Trigger t);
std::string_view StateName(SweepJobs::State s);

}  // namespace edugov::compliance
