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
#include <utility>
#include <vector>

#include "accounts/principal.h"
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

// The findings' change counter, for copies of findings reads (the read
// cache of src/http/findings_handlers.cc). It lives in the database
// (src/storage/generations.h), so writes of any process move it — a sweep
// of `edugov check` beside a running server, a second server node. Every
// findings write function of this module bumps it as the last statement of
// the caller's transaction, so nobody has to remember to: a reader that
// notes it before it queries and finds it unchanged later knows its copy is
// current.
StatusOr<uint64_t> FindingsGeneration(storage::Connection& conn);
// The bump, inside the write transaction `tx`: for this module's findings
// writers (this file's and recheck.cc's), as their last statement.
Status NoteFindingsChanged(storage::Connection& tx);

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

// The latest day any stored finding was judged (its last_seen_on): when the
// county was last checked, for a server that has forgotten its sweep jobs
// since a restart. "" when nothing was ever judged.
StatusOr<std::string> LatestJudgedOn(storage::Connection& conn);

// Every stored finding, by id (tests and the CLI).
StatusOr<std::vector<StoredFinding>> ListStoredFindings(storage::Connection& conn);

// ---------------------------------------------------------------- scoped reads
// What the findings pages show. Each read is scoped by the principal's org
// subtree: a finding is visible when its org_path starts with the
// principal's (a school sees its own findings and its classes' and staff's,
// a township its schools', the bureau all). A principal bound to no org is
// kPermissionDenied. Names of the entities (orgs, classes, staff) come from
// the registry (registry::OrgNames …) after the findings are read — this
// module does not read the registry's tables.

// One stored finding as the pages show it.
struct FindingView {
  int64_t id = 0;
  std::string rule_id;
  std::string clause;
  std::string severity;
  std::string entity_type;  // class | school | township | county | org | staff | all
  int64_t entity_id = 0;
  // The entity's registry name; nullopt for "all" and for an entity that no
  // longer exists.
  std::optional<std::string> entity_name;
  // A class's school, by name (GetFinding only; nullopt otherwise).
  std::optional<std::string> entity_school;
  std::string org_path;
  std::string period_kind;
  std::string period_start;  // "" when the rule has no period
  std::string period_end;
  std::optional<double> measured;   // NULL in the row: nullopt
  std::optional<double> threshold;
  std::string comparison;
  std::string parameters_json;  // as stored: a JSON array (see SaveFindings)
  std::string evidence_json;    // as stored: {dataset, row_ids, …}
  int64_t evidence_count = 0;
  std::string status;  // open | resolved
  std::string first_seen_on;
  std::string last_seen_on;
  std::optional<std::string> resolved_on;
  int64_t times_reopened = 0;
  std::optional<int64_t> township_id;
  // The township's name (GetFinding only; nullopt otherwise).
  std::optional<std::string> township_name;
};

// The filters of ListFindings; unset members do not filter.
struct FindingsFilter {
  std::optional<std::string> status;   // "open" | "resolved" (the caller checks the word)
  std::optional<std::string> rule_id;
  std::optional<std::string> clause;
  // Org ids: findings at or below that township / school. Each must be an
  // org of that kind in the principal's subtree: kNotFound (field
  // "township" / "school") for one that does not exist or lies outside it
  // — the same answer, so nothing leaks — kInvalidArgument for one of the
  // wrong kind. (A township's own central school is an org of kind
  // township: reach its findings with township_id.)
  std::optional<int64_t> township_id;
  std::optional<int64_t> school_id;
};

struct FindingsPage {
  std::vector<FindingView> items;  // by id
  int64_t total = 0;               // matching, ignoring offset and limit
};

// Findings matching `filter` in the principal's subtree, by id, `limit`
// from `offset` (the caller bounds both).
StatusOr<FindingsPage> ListFindings(storage::Connection& conn, const accounts::Principal& principal,
                                    const FindingsFilter& filter, int64_t offset, int64_t limit);

// Counts by clause × township.
struct FindingsSummaryRow {
  std::string clause;
  std::optional<int64_t> township_id;  // nullopt: county-level entities
  std::optional<std::string> township_name;
  int64_t open = 0;
  int64_t resolved = 0;
  int64_t total = 0;
};
// By clause, then township id (the backend's NULL order: SQLite puts the
// county-level row first, PostgreSQL last). `status` as in FindingsFilter.
StatusOr<std::vector<FindingsSummaryRow>> SummarizeFindings(storage::Connection& conn,
                                                           const accounts::Principal& principal,
                                                           const std::optional<std::string>& status);

// One ISO week of the trend.
struct FindingsWeek {
  std::string label;  // "2025-W46"
  Date start;         // its Monday
  Date end;           // its Sunday
  int64_t open = 0;
  int64_t resolved = 0;
};
// Findings by the ISO week of their period's start (of the day first seen
// when the rule has no period), `weeks` weeks ending with the latest week
// that has any (the week of `today` when none has), oldest first; weeks
// without findings count 0. `clause` narrows to one clause.
StatusOr<std::vector<FindingsWeek>> FindingsTrend(storage::Connection& conn, const accounts::Principal& principal,
                                                  const std::optional<std::string>& clause, int64_t weeks,
                                                  Date today);
// The ISO week of `d`: its Monday and its label ("2025-W46"). Pure.
std::pair<Date, std::string> IsoWeekOf(Date d);

// The finding `id` with its entity's name, a class's school and the
// township's name, if the principal may see it; nullopt otherwise (the
// same for "absent" and "not yours").
StatusOr<std::optional<FindingView>> GetFinding(storage::Connection& conn, const accounts::Principal& principal,
                                                int64_t id);

// ---------------------------------------------------------------- timetable findings
// Uploaded timetables (src/http/timetable_findings.h) keep more evidence
// than SaveFindings writes: the upload, the classes, the slots.

// The stored key of a finding without a period (period_start '').
struct UnperiodisedKey {
  std::string rule_id;
  std::string entity_type;
  int64_t entity_id = 0;
};
// Replaces the stored evidence and parameters JSON of that finding, in the
// caller's write transaction `tx` right after SaveFindingsInTransaction
// stored it (the caller notes the change after its commit). A key with no
// row changes nothing.
Status ReplaceFindingJsonInTransaction(storage::Connection& tx, const UnperiodisedKey& key,
                                       const std::string& evidence_json, const std::string& parameters_json);

// How many findings are open whose rule id starts with `rule_prefix` and
// whose org_path is exactly `org_path` (one org's own findings).
StatusOr<int64_t> CountOpenFindingsAt(storage::Connection& conn, std::string_view rule_prefix,
                                      std::string_view org_path);

}  // namespace edugov::rules
