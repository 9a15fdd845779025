// Persisting findings in the `findings` table (migration 004) so that
// re-running a check is idempotent:
//   - a finding whose (rule, entity type, entity, period start) is already
//     stored updates that row (last_seen_on, measured value, threshold,
//     parameters, evidence) — a standing violation is never duplicated;
//   - one that was resolved and is violated again is reopened;
//   - a stored open finding of a rule in the pack that this run no longer
//     reports — and whose period ended by `as_of` — is marked resolved with
//     resolved_on = as_of.
// Runs in one write transaction (the connection must not be in one).
// Thread-safety: stateless; the Connection is the caller's.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string_view>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "rules/bound.h"
#include "rules/evaluator.h"
#include "storage/database.h"

namespace edugov::rules {

struct SaveSummary {
  int64_t opened = 0;     // new rows
  int64_t standing = 0;   // open before, still violated
  int64_t reopened = 0;   // resolved before, violated again
  int64_t resolved = 0;   // open before, no longer violated
};

StatusOr<SaveSummary> SaveFindings(storage::Connection& conn, const bound::Pack& pack,
                                   const std::vector<Finding>& findings, Date as_of, const Clock& clock);

// Which stored findings a save may resolve. SaveFindings considers every
// stored finding of the pack's rules; a caller that judged only part of the
// county (one school's uploaded timetable) narrows it so that everything
// else is left alone.
struct SaveScope {
  std::vector<std::string> rule_ids;  // only findings of these rules
  std::string org_path_prefix;        // only findings whose org_path starts so; empty: all
};

// SaveFindings inside the caller's write transaction `tx` (so the caller
// can audit, or write what the findings point at, in the same
// transaction), resolving only within `scope`.
StatusOr<SaveSummary> SaveFindingsInTransaction(storage::Connection& tx, const std::vector<Finding>& findings,
                                                Date as_of, const Clock& clock, const SaveScope& scope);

// A process-wide counter of findings writes, for caches of findings reads
// (src/http/findings_handlers.cc). Every path of this process that writes
// the findings table calls NoteFindingsChanged() after its transaction
// commits: SaveFindings does itself; a caller of SaveFindingsInTransaction
// (and of any other findings write) must, after its commit. A reader that
// notes FindingsGeneration() before it queries and finds it unchanged later
// knows its copy is current. Writes by another process (`edugov check`)
// do not bump it. Thread-safe.
uint64_t FindingsGeneration();
void NoteFindingsChanged();

struct StoredFinding {
  int64_t id = 0;
  std::string rule_id;
  std::string entity_type;
  int64_t entity_id = 0;
  std::string period_start;
  std::string status;  // open | resolved
  std::string resolved_on;
  double measured = 0;
};

// A stored finding as the compliance loop reads it.
struct FindingRecord {
  int64_t id = 0;
  std::string rule_id;
  std::string clause;
  std::string entity_type;  // class | school | township | county | org | staff | all
  int64_t entity_id = 0;
  std::string org_path;
  int64_t township_id = 0;  // 0: none
  std::string period_kind;
  std::string period_start;  // "" when the rule has no period
  std::string period_end;
  double measured = 0;
  double threshold = 0;
  std::string comparison;
  std::string status;      // open | resolved
  std::string resolution;  // "" (fixed, or open) | rule_withdrawn
};

// Every stored finding, by id. At county scale a few thousand rows; the
// sweep reads them once to keep rectifications in step.
StatusOr<std::vector<FindingRecord>> ListFindingRecords(storage::Connection& conn);
// One finding by id if its org path starts with `org_path_prefix` (the
// caller's subtree); nullopt otherwise — the same for "absent" and "not yours".
StatusOr<std::optional<FindingRecord>> GetFindingRecord(storage::Connection& conn, int64_t id,
                                                        std::string_view org_path_prefix);

// Resolves, with resolution 'rule_withdrawn', every open finding of a rule
// that is not in `pack_rule_ids` (the pack no longer has it, so nobody would
// ever resolve it). Timetable findings (rule ids "tt.*") are left alone:
// uploads judge them. Runs in the caller's transaction; returns how many.
StatusOr<int64_t> WithdrawFindingsOfRemovedRules(storage::Connection& tx, const std::set<std::string>& pack_rule_ids,
                                                 Date as_of, const Clock& clock);

// Every stored finding, by id (tests and the CLI).
StatusOr<std::vector<StoredFinding>> ListStoredFindings(storage::Connection& conn);

}  // namespace edugov::rules
