#include "cli/case_services.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <utility>

namespace edugov::cli {

std::string DefaultSecretKeyPath(const std::string& db_url) {
  if (db_url.rfind("sqlite:", 0) == 0 && db_url != "sqlite::memory:") {
    std::filesystem::path parent = std::filesystem::path(db_url.substr(7)).parent_path();
    return (parent.empty() ? std::filesystem::path("secret.key") : parent / "secret.key").string();
  }
  return "var/secret.key";
}

CaseServices::CaseServices(cases::CaseTypeRegistry types, calendar::WorkingCalendar calendar,
                           cases::SecretBox box, const CaseServicesOptions& o)
    : types_(std::move(types)),
      calendar_(std::move(calendar)),
      box_(std::move(box)),
      engine_(cases::EngineDeps{.db = o.db,
                                .types = &types_,
                                .calendar = &calendar_,
                                .clock = o.clock,
                                .random = o.random,
                                .box = &box_,
                                .notifier = o.notifier}) {}

StatusOr<std::unique_ptr<CaseServices>> LoadCaseServices(const CaseServicesOptions& o) {
  ASSIGN_OR_RETURN(cases::CaseTypeRegistry types, cases::CaseTypeRegistry::LoadDir(o.cases_dir));
  ASSIGN_OR_RETURN(calendar::WorkingCalendar cal, calendar::WorkingCalendar::Load(o.calendar_path));
  const std::string key_path = o.secret_key_file.empty() ? DefaultSecretKeyPath(o.db_url) : o.secret_key_file;
  if (auto parent = std::filesystem::path(key_path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);  // a failure shows as the key file's own error
  }
  ASSIGN_OR_RETURN(cases::SecretBox box, cases::SecretBox::LoadOrCreateKeyFile(key_path, *o.random));
  return std::make_unique<CaseServices>(std::move(types), std::move(cal), std::move(box), o);
}

ClockSweeper::ClockSweeper(cases::CaseEngine& engine, std::chrono::milliseconds every)
    : engine_(engine), every_(every), thread_([this] { Loop(); }) {}

ClockSweeper::~ClockSweeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ClockSweeper::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    StatusOr<cases::SweepReport> r = engine_.SweepClocks();
    if (!r.ok()) {
      spdlog::warn("case clock sweep failed: {}", r.status().ToString());
    } else if (r->reminded > 0 || r->escalated > 0) {
      spdlog::info("case clock sweep: {} reminded, {} escalated, {} without a known deadline", r->reminded,
                   r->escalated, r->deadline_unknown);
    }
    lock.lock();
    cv_.wait_for(lock, every_, [this] { return stop_; });
  }
}

}  // namespace edugov::cli
