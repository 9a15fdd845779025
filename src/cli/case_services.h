// The workflow engine as the CLI runs it: case types from
// policy/cases, China's working calendar, the key that seals complainants'
// identities, and a CaseEngine over them; plus the clock sweep `edugov serve`
// runs every minute (reminders and escalations).
//
//   ASSIGN_OR_RETURN(auto services, cli::LoadCaseServices({.db = db, .clock = &clock,
//                    .random = &random, .cases_dir = "policy/cases", …}));
//   app.cases = &services->engine();
//   cli::ClockSweeper sweeper(services->engine(), std::chrono::seconds(60));
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "calendar/working_calendar.h"
#include "cases/case_type.h"
#include "cases/engine.h"
#include "cases/secret_box.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "storage/database.h"

namespace edugov::cli {

inline constexpr const char* kDefaultCasesDir = "policy/cases";
inline constexpr const char* kDefaultCalendarPath = "policy/calendar";  // every cn-*.yaml in it

// Where the secret key lives unless --secret-key-file says otherwise: beside
// a SQLite database file ("sqlite:var/demo.db" → "var/secret.key"), so a
// database and its key travel together but stay two files (a copy of the
// database alone reveals nothing); "var/secret.key" for PostgreSQL and
// in-memory databases. Every command that seals or opens confidential case
// fields must use this same rule.
std::string DefaultSecretKeyPath(const std::string& db_url);

struct CaseServicesOptions {
  storage::Database* db = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  std::string cases_dir = kDefaultCasesDir;
  std::string calendar_path = kDefaultCalendarPath;
  std::string secret_key_file;  // empty: DefaultSecretKeyPath(db_url)
  std::string db_url;
  cases::Notifier* notifier = nullptr;  // may be null
};

// Owns everything the engine points at. Immovable (the engine holds pointers
// into it); db, clock, random and notifier must outlive it.
class CaseServices {
 public:
  CaseServices(cases::CaseTypeRegistry types, calendar::WorkingCalendar calendar, cases::SecretBox box,
               const CaseServicesOptions& options);
  CaseServices(const CaseServices&) = delete;
  CaseServices& operator=(const CaseServices&) = delete;

  const cases::CaseTypeRegistry& types() const { return types_; }
  cases::CaseEngine& engine() { return engine_; }

 private:
  cases::CaseTypeRegistry types_;
  calendar::WorkingCalendar calendar_;
  cases::SecretBox box_;
  cases::CaseEngine engine_;
};

// Loads the case types, the calendar and the key (creating the key file,
// mode 0600, on first use). Errors name the file: kInvalidArgument for a
// malformed case type or calendar, kNotFound for a missing calendar,
// kFailedPrecondition for a key file that is malformed or readable by others.
StatusOr<std::unique_ptr<CaseServices>> LoadCaseServices(const CaseServicesOptions& options);

// Runs engine.SweepClocks() now and then every `every` on a thread of its
// own (the sweep writes to the database; the HTTP threads stay free), until
// destroyed. Each sweep acts at the engine's clock's now; an error is logged
// and the next sweep tries again. Counts only are logged, never case content.
class ClockSweeper {
 public:
  ClockSweeper(cases::CaseEngine& engine, std::chrono::milliseconds every);
  ~ClockSweeper();  // stops and joins; a sweep in progress finishes first
  ClockSweeper(const ClockSweeper&) = delete;
  ClockSweeper& operator=(const ClockSweeper&) = delete;

 private:
  void Loop();

  cases::CaseEngine& engine_;
  const std::chrono::milliseconds every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace edugov::cli
