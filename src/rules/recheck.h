// Re-checking the rules a submission touches, right after it commits, so a
// teacher who records 150 minutes of homework sees the finding at once
// instead of after the next `edugov check` sweep.
//
//   ASSIGN_OR_RETURN(auto rechecker, SubmissionRechecker::Load("policy/anhua-2025.yaml"));
//   ...  // a form row landed: report.landed holds it as stored
//   ASSIGN_OR_RETURN(RecheckSummary s,
//                    rechecker->Recheck(*conn, clock, "homework", report.landed));
//
// What it does (docs/policy-format.md, "Re-checking a submission"):
//   1. the affected rules: those whose check reads the dataset, or that an
//      "unless" row of it can exempt from;
//   2. the touched orgs: each landed row's entity (a class → its school);
//      the touched days: from the row's period date to its latest date
//      column (a study tour's `until`);
//   3. an image of only the rows that can change those findings: each
//      affected rule's group level decides how far up to read (class and
//      school rules: the touched school; township rules: its township;
//      county/all: everything), plus rows of the orgs above (their
//      "unless" rows exempt the school's classes); the whole registry;
//   4. the affected rules evaluated over it as of `as_of`, exactly as the
//      full sweep would (same compiler and evaluator);
//   5. a scoped save: the findings about the touched orgs (their classes,
//      themselves, the township/county above them) whose period overlaps
//      the touched days — or any later period, for rules that compare with
//      the previous period or need consecutive periods — are upserted;
//      stored open ones of the affected rules
//      in that same scope that are no longer violated — and whose period has
//      ended by `as_of` — are resolved. Nothing outside that scope changes,
//      so a re-check never resolves another school's finding. Idempotent:
//      running it twice changes nothing the second time (but last_seen_on).
//
// Two paths, same findings, same save:
//   - RecheckSubmission (below) reads steps 2–3 from the store on every call
//     (the registry, the touched school's rows): ~50 ms on the county demo;
//   - SubmissionRechecker::Recheck evaluates over a server-resident image
//     kept current by applying each committed row (rules/live_image.h):
//     no store reads, only the save.
//
// Thread-safety: RecheckSubmission may run on several threads at once, each
// with its own Connection (not inside a transaction). Two re-checks of the
// same finding at once are safe on both backends (the insert is ON CONFLICT
// DO NOTHING, then an update). A SubmissionRechecker's pack is immutable
// after Load; its live image is internally locked (live_image.h documents
// the locks), so Recheck and Ingested may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "datasets/columnar.h"
#include "rules/bound.h"
#include "storage/database.h"

namespace edugov::rules {

class LiveImage;

struct RecheckSummary {
  int64_t rules = 0;      // affected rules evaluated
  int64_t rows_read = 0;  // dataset rows loaded into the partial image
  int64_t opened = 0;
  int64_t standing = 0;
  int64_t reopened = 0;
  int64_t resolved = 0;
  // Wall time of the evaluation (image built or copied, rules compiled and
  // run) and of the scoped save (its transaction), for benchmarks and logs.
  int64_t evaluate_us = 0;
  int64_t save_us = 0;
  // Ids of the open findings in scope after the re-check, ascending (what
  // the UI links to: "your entry produced finding #12"). The scope reaches
  // above the submitter (the township, other schools a township rule
  // groups): before an answer leaves the server, KeepVisibleTo() drops the
  // ones the submitter cannot open.
  std::vector<int64_t> open_finding_ids;
  // The org path of each finding in open_finding_ids (same order).
  std::vector<std::string> open_finding_org_paths;
};

// Keeps in `summary.open_finding_ids` (and the paths beside them) only the
// findings `viewer` may open (accounts::Principal::CanSee of the finding's
// org path — the test GET /api/v1/findings/{id} applies). Counts are kept.
void KeepVisibleTo(RecheckSummary& summary, const accounts::Principal& viewer);

// Re-checks `pack`'s rules affected by `rows` of `dataset` (as stored:
// datasets::IngestedRow, e.g. ImportReport::landed). Rows whose entity is not
// in the registry are ignored; an unknown dataset or no affected rule is an
// empty summary. Errors: the store's, or the compiler's (an unknown scope org
// code); on error nothing is written (one transaction).
StatusOr<RecheckSummary> RecheckSubmission(storage::Connection& conn, const bound::Pack& pack,
                                           std::string_view dataset,
                                           const std::vector<datasets::IngestedRow>& rows, Date as_of,
                                           const Clock& clock);

// A bound pack and its live image (rules/live_image.h, loaded from the
// store on first use), held for the server's lifetime.
class SubmissionRechecker {
 public:
  // Parses and binds the pack file (kInvalidArgument with FILE:LINE:COLUMN
  // as `edugov policy validate`).
  static StatusOr<std::unique_ptr<SubmissionRechecker>> Load(const std::string& policy_path);
  explicit SubmissionRechecker(bound::Pack pack);
  ~SubmissionRechecker();
  SubmissionRechecker(const SubmissionRechecker&) = delete;
  SubmissionRechecker& operator=(const SubmissionRechecker&) = delete;

  // A form row committed: applies `rows` to the live image, then re-checks
  // over it, as of the clock's date in China. Same findings and save as
  // RecheckSubmission.
  StatusOr<RecheckSummary> Recheck(storage::Connection& conn, const Clock& clock, std::string_view dataset,
                                   const std::vector<datasets::IngestedRow>& rows) const;
  // The same, for an answer to `submitter`: the open finding ids are those
  // the submitter may open (KeepVisibleTo). What the server returns.
  StatusOr<RecheckSummary> Recheck(storage::Connection& conn, const Clock& clock, std::string_view dataset,
                                   const std::vector<datasets::IngestedRow>& rows,
                                   const accounts::Principal& submitter) const;

  // An import committed: applies its rows to the live image (no re-check;
  // the sweep judges imports).
  Status Ingested(storage::Connection& conn, const Clock& clock, std::string_view dataset,
                  const std::vector<datasets::IngestedRow>& rows) const;

  // The registry changed: the live image is reloaded on next use.
  void Invalidate() const;

  const bound::Pack& pack() const { return pack_; }
  LiveImage& live() const { return *live_; }

 private:
  const bound::Pack pack_;
  const std::unique_ptr<LiveImage> live_;  // refers to pack_; internally locked
};

}  // namespace edugov::rules
