// The server-resident image the re-check after a submission evaluates over:
// an in-memory columnar image of the datasets, loaded from the store and kept
// current as data is ingested, so a submission re-checks only what it touches.
//
//   LiveImage live(pack);                       // nothing loaded yet
//   ...  // a form row committed: report.landed holds it as stored
//   RETURN_IF_ERROR(live.Apply(conn, as_of, "homework", report.landed));
//   ASSIGN_OR_RETURN(RecheckSummary s, live.Recheck(conn, "homework", report.landed, as_of, clock));
//
// What it holds: the registry image and every dataset of the pack as one
// ColumnarImage (datasets/columnar.h), loaded from the store on first use,
// plus per dataset the row indices of each org (a class's rows under its
// school), so the rows of a school's subtree are found without a scan.
//
// Kept current: Apply() puts committed rows into the image — a row whose
// row_id is already there replaces it in place (the importer keeps row_id
// when a key is re-entered), a new one is appended (in row_id order, the
// order a fresh load gives). The image is reloaded from the store, on the
// next Apply or Recheck, when the China date differs from the image's
// (registry rural years are computed as of a date), when an applied row names
// an entity the registry image does not know (a class created since the
// load), after a registry write of any process (registry::RegistryGeneration(),
// kept in the database, moved: a class, school or staff member added,
// changed or re-flagged through the API or a registry import), or after
// Invalidate(). Dataset rows written by another process (`edugov import`,
// `edugov demo-data`) are not seen until such a reload.
//
// Recheck() is recheck.h's steps 1–5 without reading the store: the
// affected rules are evaluated over a small image copied out of the live
// one — the registry restricted to the subtrees the rules' group levels need
// (the touched school, or its township) plus the orgs above them and the
// orgs the rules' scopes name, and only those orgs' rows; rules grouped by
// county or over everything are evaluated over the live image itself. Then
// the same scoped, idempotent save as RecheckSubmission (the only store
// access: one transaction).
//
// Thread-safety (the locks, outermost first):
//   - stripe locks (64 mutexes, by the touched school's township): held by a
//     Recheck from reading the image until its save commits, so two re-checks
//     of one township never save out of order (the later save always saw the
//     later rows). Taken in ascending stripe order.
//   - `mu_` (shared_mutex) over the image: Apply, loads and reloads take it
//     exclusively (microseconds per row); Recheck takes it shared while it
//     copies the small image and evaluates, and releases it before the save.
// Any number of threads may call Apply and Recheck at once, each with its
// own Connection (not inside a transaction).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "datasets/columnar.h"
#include "rules/bound.h"
#include "rules/evaluator.h"
#include "rules/recheck.h"
#include "storage/database.h"

namespace edugov::rules {

class LiveImage {
 public:
  // `pack` must outlive the LiveImage.
  explicit LiveImage(const bound::Pack& pack) : pack_(pack) {}
  LiveImage(const LiveImage&) = delete;
  LiveImage& operator=(const LiveImage&) = delete;

  // Puts committed `rows` of `dataset` (as stored: ImportReport::landed)
  // into the image, loading it first if needed (then the rows are already in
  // it). An unknown dataset or no rows is a no-op. Errors: the store's (a
  // load), or a row that does not fit its schema (kInvalidArgument; the
  // image is then reloaded on next use).
  Status Apply(storage::Connection& conn, Date as_of, std::string_view dataset,
               const std::vector<datasets::IngestedRow>& rows);

  // Re-checks the rules `rows` of `dataset` touch, as RecheckSubmission does
  // (same findings, same save), over the image. The rows must have been
  // applied. Errors: a load's, the compiler's, the save's (nothing written).
  StatusOr<RecheckSummary> Recheck(storage::Connection& conn, std::string_view dataset,
                                   const std::vector<datasets::IngestedRow>& rows, Date as_of,
                                   const Clock& clock);

  // The groups still running on `today` (a week, month or semester that has
  // not ended) of the class rules `rows` of `dataset` touch, for the
  // submitted classes: each group's value so far, whatever it is (a finding
  // is judged only once its period ends, so without this a class at 600
  // minutes on Tuesday would read as fine). Rules with divide_by, against,
  // a previous-period comparison or consecutive periods, and = / ≠ norms,
  // are left out: their partial value means nothing. Each Progress carries
  // the rule's norm valid on the period's first day. Writes nothing.
  struct Progress {
    const bound::Rule* rule = nullptr;  // points into the pack
    Finding group;                      // measured so far; threshold = the norm
  };
  StatusOr<std::vector<Progress>> InProgress(storage::Connection& conn, std::string_view dataset,
                                             const std::vector<datasets::IngestedRow>& rows, Date today);

  // Forget the image; the next call reloads it from the store.
  void Invalidate();

  // Calls `f` with the image under the shared lock (tests, reports); does
  // not load it.
  void Read(const std::function<void(const datasets::ColumnarImage&)>& f) const;

  struct Stats {
    bool loaded = false;
    int64_t loads = 0;     // full loads so far
    int64_t rows = 0;      // dataset rows held
    int64_t applied = 0;   // rows applied since start
  };
  Stats GetStats() const;

 private:
  // Requires mu_ held exclusively.
  // `registry_generation`: registry::RegistryGeneration() read before the load.
  Status LoadLocked(storage::Connection& conn, Date as_of, uint64_t registry_generation);
  // Loaded, not invalidated, of `as_of`, and loaded at or after the
  // caller's reading `registry_generation` of the registry's counter.
  bool FreshLocked(Date as_of, uint64_t registry_generation) const;
  void IndexDatasetLocked(size_t d);
  Status ApplyRowLocked(size_t d, const datasets::IngestedRow& row);
  int32_t RowOrg(size_t d, int32_t entity) const;
  // The small image over `orgs` (full-image org indices, ascending) with the
  // rows of datasets `needed` on those orgs; with `only_classes` (full-image
  // class indices), of those orgs' classes only these, and only their rows.
  datasets::ColumnarImage SubImage(const std::vector<int32_t>& orgs, const std::set<int>& needed,
                                   int64_t& rows_copied, const std::set<int32_t>* only_classes = nullptr) const;

  const bound::Pack& pack_;
  mutable std::shared_mutex mu_;
  bool loaded_ = false;
  bool stale_ = false;
  uint64_t registry_generation_ = 0;  // registry::RegistryGeneration() read before the load
  int64_t loads_ = 0;
  int64_t applied_ = 0;
  datasets::ColumnarImage image_;  // datasets in pack_.datasets order
  // [dataset][org index] → row indices, ascending.
  std::vector<std::vector<std::vector<uint32_t>>> rows_by_org_;
  std::vector<std::vector<int32_t>> classes_by_org_;
  std::vector<std::vector<int32_t>> staff_by_org_;
  std::unordered_map<std::string, int32_t> org_by_code_;
  std::array<std::mutex, 64> stripes_;
};

}  // namespace edugov::rules
