// Sweeps as jobs (sweep_jobs.h).
#include "compliance/sweep_jobs.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <spdlog/spdlog.h>

namespace edugov::compliance {
namespace {

constexpr int64_t kChinaOffsetSeconds = 8 * 3600;

// China-local (day since epoch, minute of the day) of `t`.
std::pair<int32_t, int> LocalDayMinute(TimePoint t) {
  int64_t secs = ToUnixMicros(t) / 1000000 + kChinaOffsetSeconds;
  int64_t day = secs / 86400;
  if (secs % 86400 < 0) --day;
  const int64_t in_day = secs - day * 86400;
  return {static_cast<int32_t>(day), static_cast<int>(in_day / 60)};
}

bool Finished(SweepJobs::State s) {
  return s == SweepJobs::State::kSucceeded || s == SweepJobs::State::kFailed || s == SweepJobs::State::kCancelled;
}

}  // namespace

StatusOr<std::optional<int>> ParseSweepAt(std::string_view text) {
  if (text == "off") return std::optional<int>();
  auto bad = [&] {
    return Status(StatusCode::kInvalidArgument,
                  "--sweep-at must be HH:MM (00:00–23:59) or off, not '" + std::string(text) + "'",
                  "--sweep-at 须为 HH:MM（00:00–23:59）或 off，而不是“" + std::string(text) + "”", "--sweep-at");
  };
  if (text.size() != 5 || text[2] != ':') return bad();
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return bad();
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return bad();
  return std::optional<int>(h * 60 + m);
}

std::string_view TriggerName(SweepJobs::Trigger t) {
  switch (t) {
    case SweepJobs::Trigger::kManual: return "manual";
    case SweepJobs::Trigger::kSchedule: return "schedule";
    case SweepJobs::Trigger::kImport: return "import";
    case SweepJobs::Trigger::kStartup: return "startup";
  }
  return "manual";
}

std::string_view StateName(SweepJobs::State s) {
  switch (s) {
    case SweepJobs::State::kQueued: return "queued";
    case SweepJobs::State::kRunning: return "running";
    case SweepJobs::State::kSucceeded: return "succeeded";
    case SweepJobs::State::kFailed: return "failed";
    case SweepJobs::State::kCancelled: return "cancelled";
  }
  return "queued";
}

SweepJobs::SweepJobs(ComplianceService& service, const Clock& clock, Options options)
    : service_(service), clock_(clock), options_(options) {
  // Started after today's sweep time: the first daily sweep is tomorrow's
  // (a restart at 15:00 should not sweep the county in office hours).
  const auto [day, minute] = LocalDayMinute(clock_.Now());
  if (options_.daily_at_minute && minute >= *options_.daily_at_minute) last_daily_day_ = day;
  worker_ = std::thread([this] { WorkerLoop(); });
}

SweepJobs::~SweepJobs() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (queued_ != 0) {
      Entry& e = jobs_[queued_];
      e.job.state = State::kCancelled;
      e.job.finished_at = clock_.Now();
      queued_ = 0;
    }
    if (running_ != 0) jobs_[running_].control->Cancel();
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (timer_.joinable()) timer_.join();
}

int64_t SweepJobs::NewJobLocked(Trigger trigger, std::string requested_by) {
  const int64_t id = next_id_++;
  Entry& e = jobs_[id];
  e.job.id = id;
  e.job.trigger = trigger;
  e.job.state = State::kQueued;
  e.job.requested_by = std::move(requested_by);
  e.job.requested_at = clock_.Now();
  e.job.as_of = service_.Today();
  e.control = std::make_shared<SweepControl>();
  queued_ = id;
  ForgetOldLocked();
  return id;
}

void SweepJobs::ForgetOldLocked() {
  size_t finished = 0;
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {
    if (Finished(it->second.job.state)) ++finished;
  }
  for (auto it = jobs_.begin(); it != jobs_.end() && finished > options_.keep_finished;) {
    if (Finished(it->second.job.state) && it->first != last_finished_) {
      it = jobs_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
}

SweepJobs::Job SweepJobs::Snapshot(const Entry& e) const {
  Job j = e.job;
  if (j.state == State::kRunning) j.progress = e.control->Get();
  return j;
}

std::pair<SweepJobs::Job, bool> SweepJobs::Start(Trigger trigger, std::string requested_by) {
  std::unique_lock lock(mu_);
  if (running_ != 0) return {Snapshot(jobs_.at(running_)), true};
  if (queued_ != 0) return {Snapshot(jobs_.at(queued_)), true};
  const int64_t id = NewJobLocked(trigger, std::move(requested_by));
  Job j = Snapshot(jobs_.at(id));
  lock.unlock();
  cv_.notify_all();
  return {j, false};
}

std::pair<SweepJobs::Job, bool> SweepJobs::StartAfterWrite(Trigger trigger, std::string requested_by) {
  std::unique_lock lock(mu_);
  if (queued_ != 0) return {Snapshot(jobs_.at(queued_)), true};
  const int64_t id = NewJobLocked(trigger, std::move(requested_by));
  Job j = Snapshot(jobs_.at(id));
  lock.unlock();
  cv_.notify_all();
  return {j, false};
}

std::optional<SweepJobs::Job> SweepJobs::Get(int64_t id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return Snapshot(it->second);
}

std::optional<SweepJobs::Job> SweepJobs::Current() const {
  std::lock_guard lock(mu_);
  const int64_t id = running_ != 0 ? running_ : queued_;
  if (id == 0) return std::nullopt;
  return Snapshot(jobs_.at(id));
}

std::optional<SweepJobs::Job> SweepJobs::LastFinished() const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(last_finished_);
  if (it == jobs_.end()) return std::nullopt;
  return Snapshot(it->second);
}

StatusOr<SweepJobs::Job> SweepJobs::Cancel(int64_t id) {
  std::unique_lock lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    return Status(StatusCode::kNotFound, "no such sweep job", "没有该检查任务");
  }
  Entry& e = it->second;
  if (Finished(e.job.state)) {
    return Status(StatusCode::kFailedPrecondition, "the sweep has already finished", "该检查任务已结束", "state");
  }
  if (e.job.state == State::kQueued) {
    e.job.state = State::kCancelled;
    e.job.finished_at = clock_.Now();
    queued_ = 0;
    last_finished_ = id;
    lock.unlock();
    cv_.notify_all();
    return Get(id).value();
  }
  e.control->Cancel();
  return Snapshot(e);
}

bool SweepJobs::Tick() {
  if (!options_.daily_at_minute) return false;
  const auto [day, minute] = LocalDayMinute(clock_.Now());
  {
    std::lock_guard lock(mu_);
    if (minute < *options_.daily_at_minute || day <= last_daily_day_) return false;
    last_daily_day_ = day;
  }
  StartAfterWrite(Trigger::kSchedule, "");
  return true;
}

void SweepJobs::StartTimer(std::chrono::milliseconds every) {
  if (timer_.joinable()) return;
  timer_ = std::thread([this, every] { TimerLoop(every); });
}

void SweepJobs::TimerLoop(std::chrono::milliseconds every) {
  std::unique_lock lock(mu_);
  while (!stop_) {
    // A wake-up, not a wait for luck: the clock decides whether it is due.
    cv_.wait_for(lock, every, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    Tick();
    lock.lock();
  }
}

std::optional<SweepJobs::Job> SweepJobs::Wait(int64_t id) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] {
    auto it = jobs_.find(id);
    return it == jobs_.end() || Finished(it->second.job.state);
  });
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return Snapshot(it->second);
}

void SweepJobs::WorkerLoop() {
  // A sweep is seconds of CPU that nobody waits for at the screen; pages are
  // waited for. On a machine with few cores the sweep thread yields to the
  // I/O threads (Linux: nice is per thread).
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
  if (errno == 0) {
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), std::min(current + 10, 19));
  }
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || queued_ != 0; });
    if (stop_) return;
    const int64_t id = queued_;
    queued_ = 0;
    running_ = id;
    Entry& e = jobs_.at(id);
    e.job.state = State::kRunning;
    e.job.started_at = clock_.Now();
    e.job.as_of = service_.Today();
    const Date as_of = e.job.as_of;
    std::shared_ptr<SweepControl> control = e.control;
    lock.unlock();

    StatusOr<SweepReport> r = service_.Sweep(as_of, control.get());

    lock.lock();
    Entry& done = jobs_.at(id);
    done.job.finished_at = clock_.Now();
    done.job.progress = control->Get();
    if (r.ok()) {
      done.job.state = State::kSucceeded;
      done.job.result = std::move(*r);
    } else if (control->cancelled() && r.status().field() == "cancelled") {
      done.job.state = State::kCancelled;
    } else {
      done.job.state = State::kFailed;
      done.job.error = r.status();
      spdlog::error("sweep job {} ({}) failed: {}", id, TriggerName(done.job.trigger), r.status().ToString());
    }
    running_ = 0;
    last_finished_ = id;
    ForgetOldLocked();
    cv_.notify_all();
  }
}

}  // namespace edugov::compliance
