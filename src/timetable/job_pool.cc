#include "timetable/job_pool.h"

#include <algorithm>

namespace edugov::timetable {

std::string_view JobStateName(JobState s) {
  switch (s) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kDone: return "done";
    case JobState::kFailed: return "failed";
    case JobState::kCancelled: return "cancelled";
  }
  return "unknown";
}

struct JobPool::Job {
  std::string id;
  std::string owner;
  std::string kind;
  JobFn fn;
  JobState state = JobState::kQueued;
  std::atomic<bool> cancel{false};
  JobProgress progress;  // guarded by the pool's mutex
  TimePoint submitted_at;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  std::string result;
  Status error;
};

void JobContext::Report(const Progress& p) {
  if (sink_) sink_(p);
}

namespace {

bool Finished(JobState s) { return s == JobState::kDone || s == JobState::kFailed || s == JobState::kCancelled; }

Status CancelledStatus() {
  return Status(StatusCode::kFailedPrecondition, "the job was cancelled", "任务已取消");
}

}  // namespace

JobPool::JobPool(JobPoolOptions options, const Clock& clock, Random& random)
    : options_(options), clock_(clock), random_(random) {
  const int n = std::max(1, options_.workers);
  workers_.reserve(n);
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

JobPool::~JobPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [id, job] : jobs_) job->cancel = true;
    for (auto& job : queue_) {
      job->state = JobState::kCancelled;
      job->error = CancelledStatus();
    }
    queue_.clear();
  }
  work_cv_.notify_all();
  done_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

StatusOr<std::string> JobPool::Submit(const std::string& owner, const std::string& kind, JobFn fn) {
  std::lock_guard lock(mu_);
  ForgetOldLocked();
  if (stopping_) {
    return Status(StatusCode::kUnavailable, "the server is shutting down", "服务正在停止");
  }
  int mine = 0;
  for (const auto& [id, job] : jobs_) {
    if (job->owner == owner && !Finished(job->state)) ++mine;
  }
  if (mine >= options_.max_per_owner) {
    return Status(StatusCode::kResourceExhausted,
                  "you already have " + std::to_string(mine) +
                      " timetable jobs queued or running; wait for one to finish or cancel one",
                  "您已有 " + std::to_string(mine) + " 个排课任务在排队或运行，请等其中一个完成或取消后再提交");
  }
  if (static_cast<int>(queue_.size()) >= options_.max_queued) {
    return Status(StatusCode::kUnavailable,
                  "the timetable queue is full (" + std::to_string(queue_.size()) +
                      " jobs waiting); try again in a minute",
                  "排课队列已满（" + std::to_string(queue_.size()) + " 个任务在等待），请稍后一分钟再试");
  }
  auto job = std::make_shared<Job>();
  do {
    job->id = random_.Hex(12);
  } while (jobs_.count(job->id));
  job->owner = owner;
  job->kind = kind;
  job->fn = std::move(fn);
  job->submitted_at = clock_.Now();
  jobs_[job->id] = job;
  queue_.push_back(job);
  work_cv_.notify_one();
  return job->id;
}

void JobPool::WorkerLoop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      job = queue_.front();
      queue_.pop_front();
      job->state = JobState::kRunning;
      job->started_at = clock_.Now();
      ++running_;
    }
    JobContext ctx(&job->cancel, [this, raw = job.get()](const Progress& p) {
      std::lock_guard lock(mu_);
      raw->progress = JobProgress{true, p.seconds, p.work, p.hard, p.soft};
    });
    StatusOr<std::string> out = Status(StatusCode::kInternal, "the job threw", "任务异常终止");
    try {
      out = job->fn(ctx);
    } catch (const std::exception& e) {
      out = Status(StatusCode::kInternal, std::string("the job failed: ") + e.what(), "任务异常终止");
    }
    {
      std::lock_guard lock(mu_);
      --running_;
      job->finished_at = clock_.Now();
      job->fn = nullptr;  // frees whatever the closure captured (the instance)
      if (job->cancel) {
        job->state = JobState::kCancelled;
        job->error = CancelledStatus();
      } else if (out.ok()) {
        job->state = JobState::kDone;
        job->result = std::move(*out);
      } else {
        job->state = JobState::kFailed;
        job->error = out.status();
      }
      finished_.push_back(job);
      ForgetOldLocked();
    }
    done_cv_.notify_all();
  }
}

void JobPool::ForgetOldLocked() {
  const TimePoint now = clock_.Now();
  while (!finished_.empty()) {
    const Job& oldest = *finished_.front();
    const bool too_many = static_cast<int>(finished_.size()) > options_.max_finished;
    const bool too_old = oldest.finished_at && now - *oldest.finished_at >= options_.keep_finished;
    if (!too_many && !too_old) break;
    jobs_.erase(oldest.id);
    finished_.pop_front();
  }
}

JobSnapshot JobPool::SnapshotLocked(const Job& job) const {
  JobSnapshot s;
  s.id = job.id;
  s.kind = job.kind;
  s.state = job.state;
  if (job.state == JobState::kQueued) {
    for (size_t i = 0; i < queue_.size(); ++i) {
      if (queue_[i].get() == &job) s.queue_position = static_cast<int>(i) + 1;
    }
  }
  s.progress = job.progress;
  s.submitted_at = job.submitted_at;
  s.started_at = job.started_at;
  s.finished_at = job.finished_at;
  s.result = job.result;
  s.error = job.error;
  return s;
}

std::shared_ptr<JobPool::Job> JobPool::FindLocked(const std::string& id, const std::string& owner) const {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->owner != owner) return nullptr;
  return it->second;
}

std::optional<JobSnapshot> JobPool::Get(const std::string& id, const std::string& owner) {
  std::lock_guard lock(mu_);
  ForgetOldLocked();
  auto job = FindLocked(id, owner);
  if (!job) return std::nullopt;
  return SnapshotLocked(*job);
}

std::optional<JobSnapshot> JobPool::Cancel(const std::string& id, const std::string& owner) {
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(mu_);
    job = FindLocked(id, owner);
    if (!job) return std::nullopt;
    if (job->state == JobState::kQueued) {
      queue_.erase(std::find(queue_.begin(), queue_.end(), job));
      job->cancel = true;
      job->state = JobState::kCancelled;
      job->error = CancelledStatus();
      job->finished_at = clock_.Now();
      job->fn = nullptr;
      finished_.push_back(job);
    } else if (job->state == JobState::kRunning) {
      job->cancel = true;
    }
  }
  done_cv_.notify_all();
  std::lock_guard lock(mu_);
  return SnapshotLocked(*job);
}

std::optional<JobSnapshot> JobPool::Wait(const std::string& id, const std::string& owner) {
  std::unique_lock lock(mu_);
  auto job = FindLocked(id, owner);
  if (!job) return std::nullopt;
  done_cv_.wait(lock, [&] { return Finished(job->state); });
  return SnapshotLocked(*job);
}

int JobPool::queued() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(queue_.size());
}

int JobPool::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

}  // namespace edugov::timetable
