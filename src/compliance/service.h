// The compliance loop in one place: data → finding → rectification → the
// school fixes it → verified → closed. One ComplianceService owns the loaded
// policy pack, the live image the form re-check evaluates over, the sweep
// that judges everything, and the rectifications the findings open and close.
// `edugov serve` keeps one for its lifetime (sweeps on a schedule, after
// imports and on demand: sweep_jobs.h); each `edugov check` makes one.
//
//   ASSIGN_OR_RETURN(auto svc, ComplianceService::Load({.db = db, .clock = &clock,
//                    .policy_path = "policy/anhua-2025.yaml", .cases = &engine}));
//   ASSIGN_OR_RETURN(SweepReport r, svc->Sweep(svc->Today()));
//
// Thread-safety: every method may be called from any thread. Sweeps are
// serialised (a second waits for the first); a sweep writes its findings in
// one transaction, so readers see the previous results until it commits.
// The pack is swapped whole when the file changes: a caller holding
// pack() keeps a consistent pack for as long as it holds the pointer.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/principal.h"
#include "cases/engine.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "datasets/columnar.h"
#include "rules/bound.h"
#include "rules/evaluator.h"
#include "rules/findings_store.h"
#include "rules/recheck.h"
#include "storage/database.h"

namespace edugov::compliance {

struct ServiceOptions {
  storage::Database* db = nullptr;  // must outlive the service
  const Clock* clock = nullptr;     // must outlive the service
  std::string policy_path;
  // The workflow engine; null: no rectifications (and open_cases targets
  // count nothing). Must outlive the service.
  cases::CaseEngine* cases = nullptr;
  // Whether a sweep keeps rectifications in step (`edugov check` without
  // --open-cases only counts cases for targets).
  bool sync_rectifications = true;
};

// Progress and cancellation of one sweep, shared between the thread that
// runs it and those that watch it. Thread-safe.
class SweepControl {
 public:
  enum class Stage { kLoad, kEvaluate, kSave, kCases, kDone };
  struct Snapshot {
    Stage stage = Stage::kLoad;
    int done = 0;
    int total = 0;
  };
  void Set(Stage stage, int done, int total);
  Snapshot Get() const;
  void Cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }

 private:
  mutable std::mutex mu_;
  Snapshot now_;  // GUARDED_BY(mu_)
  std::atomic<bool> cancelled_{false};
};
std::string_view StageName(SweepControl::Stage stage);

struct SweepReport {
  Date as_of;
  int64_t rows = 0;   // dataset rows judged
  int64_t rules = 0;  // rules evaluated
  rules::SaveSummary findings;
  int64_t withdrawn = 0;  // open findings of rules no longer in the pack
  cases::CaseEngine::SyncReport cases;
  int64_t load_ms = 0, evaluate_ms = 0, save_ms = 0, cases_ms = 0;
  std::vector<rules::TargetProgress> targets;
  std::vector<rules::Finding> findings_judged;  // in pack order
};

// A group of a weekly/monthly/semester rule that is still running today.
struct InProgressGroup {
  const rules::bound::Rule* rule = nullptr;  // points into the pack the caller holds
  rules::Finding group;  // measured so far; threshold and comparison: the norm
  double projected = 0;  // the value at the period's end at this rate
  int days_elapsed = 0;  // calendar days of the period up to today
  int days_total = 0;
  bool at_risk = false;  // the projection breaks the norm
};

struct SubmitResult {
  rules::RecheckSummary recheck;
  std::vector<InProgressGroup> in_progress;
  cases::CaseEngine::SyncReport cases;
  // The pack the result's rule pointers point into.
  std::shared_ptr<const rules::SubmissionRechecker> pack;
};

struct WhatIfResult {
  Date as_of;
  std::vector<rules::Finding> now;      // the pack as declared
  std::vector<rules::Finding> what_if;  // with the parameters replaced
};

// Target progress and, per line, the org path of its entity ("" when none),
// so callers can keep what a viewer may see.
struct TargetsResult {
  Date as_of;
  std::vector<rules::TargetProgress> items;
  std::vector<std::string> org_paths;
  std::shared_ptr<const rules::SubmissionRechecker> pack;
};

class ComplianceService {
 public:
  // Loads and binds the pack (kInvalidArgument with FILE:LINE:COLUMN, as
  // `edugov policy validate`).
  static StatusOr<std::unique_ptr<ComplianceService>> Load(ServiceOptions options);
  ~ComplianceService();
  ComplianceService(const ComplianceService&) = delete;
  ComplianceService& operator=(const ComplianceService&) = delete;

  // The pack in force (never null), with the live image of the re-check.
  std::shared_ptr<const rules::SubmissionRechecker> pack() const;
  const std::string& policy_path() const { return options_.policy_path; }
  // Today in China by the service's clock.
  Date Today() const;
  // Whether the pack reads (or is exempted by) dataset `name`: an import of
  // it calls for a sweep.
  bool ReadsDataset(std::string_view name) const;

  // Re-reads the pack file when it changed since it was loaded. On an error
  // the pack in force stays and the error is returned.
  Status ReloadIfChanged();

  // Judges every rule and target as of `as_of` over everything stored,
  // saves the findings (one transaction: on any error, or a cancel before
  // the save, nothing is written), withdraws the findings of rules that left
  // the pack, then keeps the rectifications in step
  // (CaseEngine::SyncRectifications). The pack file is re-read first when
  // it changed; a pack that no longer loads fails the sweep and keeps the
  // previous pack and findings. `control` (may be null) gets progress and
  // may cancel: kCancelled.
  StatusOr<SweepReport> Sweep(Date as_of, SweepControl* control = nullptr);

  // A form row committed: the re-check of what it touches
  // (rules/recheck.h), the running groups of the submitted classes, and —
  // when findings opened or resolved — the rectifications kept in step. The
  // open finding ids are those `submitter` may open.
  StatusOr<SubmitResult> Submit(storage::Connection& conn, const accounts::Principal& submitter,
                                std::string_view dataset, const std::vector<datasets::IngestedRow>& rows);
  // An import committed: its rows go into the live image (the sweep that
  // follows judges them).
  Status Ingested(storage::Connection& conn, std::string_view dataset,
                  const std::vector<datasets::IngestedRow>& rows);
  // The registry changed: the live image reloads on next use.
  void RegistryChanged();

  // The pack's rules judged twice over everything stored, as declared and
  // with `overrides` (parameter name → value); writes nothing.
  // kInvalidArgument naming an unknown parameter.
  StatusOr<WhatIfResult> WhatIf(const std::map<std::string, double>& overrides, Date as_of);

  // Every target measured as of `as_of`.
  StatusOr<TargetsResult> Targets(Date as_of);

  // Keeps rectifications in step with the stored findings (what a sweep
  // does last; `edugov check --open-cases` alone). kFailedPrecondition
  // without a case engine.
  StatusOr<cases::CaseEngine::SyncReport> SyncRectifications();

  // The latest day a finding was judged ("" when never): what 上次检查 shows
  // when the server has no sweep job in memory (after a restart).
  StatusOr<std::string> LastJudgedOn();

  // 发起整改: opens the rectification of finding `finding_id` as `actor`.
  // kNotFound outside the actor's subtree; kAlreadyExists (field
  // "case:<id>") when it has one; kFailedPrecondition when the finding's
  // rule has no `case:` spec or there is no case engine.
  StatusOr<cases::CaseView> OpenRectification(const accounts::Principal& actor, int64_t finding_id);

 private:
  explicit ComplianceService(ServiceOptions options);
  StatusOr<std::map<std::string, cases::CaseEngine::FindingCaseSpec>> CaseSpecs(const rules::bound::Pack& pack) const;
  // The loop's view of every stored finding of the pack's case rules (and
  // of rules that left the pack, as withdrawn).
  StatusOr<std::vector<cases::CaseEngine::FindingState>> FindingStates(storage::Connection& conn,
                                                                        const rules::bound::Pack& pack);
  StatusOr<cases::CaseEngine::SyncReport> SyncWith(storage::Connection& conn, const rules::bound::Pack& pack);
  rules::CompileOptions OptionsFor(Date as_of) const;

  const ServiceOptions options_;
  mutable std::mutex mu_;
  std::shared_ptr<const rules::SubmissionRechecker> current_;  // GUARDED_BY(mu_)
  std::string loaded_stamp_;                                    // GUARDED_BY(mu_): the file's size and mtime
  std::mutex sweep_mu_;  // one sweep (or rectification sync) at a time
};

}  // namespace edugov::compliance
