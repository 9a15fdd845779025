// The teacher points ledger (教师积分, plan item 23; tables points_entries
// and points_objections — migration 013; this module alone reads and writes
// them). Each entry — a rule of the points policy applied to one teacher
// for one school year, with its clause, evidence and recorder — is appended
// to a hash-chained, append-only log (ledger/chain.h, the 'points' row of
// ledger_heads) and audited in the same transaction. A correction is a new
// entry naming the one it corrects, which then no longer counts; an entry
// is corrected at most once (correct the correction instead).
//
//   ASSIGN_OR_RETURN(Entry e, Record(conn, who, clock, policy, {.staff_id = 88,
//       .school_year = 2025, .rule_id = "training_hours", .quantity = 3,
//       .evidence = "县教师发展中心培训证明 2025-41"}));
//   ASSIGN_OR_RETURN(Standings s, SchoolStandings(conn, who, policy, 37, 2025));
//
// Scoping: a teacher reads only their own ledger — their account's username
// is their staff code (工号); school, township and bureau users read the
// teachers of their subtree; recording takes a role the rule names. Outside
// the caller's subtree a teacher is "not found", so nothing leaks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/status.h"
#include "ledger/anchor.h"
#include "ledger/audit.h"  // VerifyReport
#include "points/policy.h"
#include "storage/database.h"

namespace edugov::points {

struct EntryInput {
  int64_t staff_id = 0;
  int school_year = 0;  // 2025: the school year 2025–2026
  std::string rule_id;
  int64_t quantity = 1;  // units of the rule (1..max_units)
  std::string evidence;  // what the rule's `evidence` asks for: a document number, a file
  std::string note;
};

struct Entry {
  int64_t seq = 0;
  int64_t at_us = 0;
  int64_t staff_id = 0;
  int64_t org_id = 0;
  std::string org_path;
  int school_year = 0;
  std::string rule_id;
  std::string clause;
  int64_t quantity = 0;
  int64_t points = 0;
  std::string evidence;
  std::string note;
  int64_t corrects_seq = 0;    // 0, or the entry this one corrects
  std::string recorded_by;
  std::string hash;
  // Derived when read: the entry correcting this one (0 if none) — it no
  // longer counts — and the case of the teacher's objection (0 if none).
  int64_t corrected_by_seq = 0;
  int64_t objection_case_id = 0;
};

StatusOr<Entry> Record(storage::Connection& conn, const accounts::Principal& who, const Clock& clock,
                       const PointsPolicy& policy, const EntryInput& input);

// A new entry replacing entry `corrects_seq` (same teacher and school year;
// the input's staff_id and school_year are taken from it). kNotFound for an
// unknown or invisible entry; kFailedPrecondition (field "corrects") when it
// was corrected already.
StatusOr<Entry> Correct(storage::Connection& conn, const accounts::Principal& who, const Clock& clock,
                        const PointsPolicy& policy, int64_t corrects_seq, const EntryInput& input);

struct TeacherLedger {
  int64_t staff_id = 0;
  std::string name;
  int64_t org_id = 0;
  int school_year = 0;
  int64_t base_points = 0;
  int64_t total = 0;  // base + every entry not corrected
  std::vector<Entry> entries;  // oldest first, corrected ones included
};

// One teacher's ledger for a school year. A teacher may read only their own.
StatusOr<TeacherLedger> ReadTeacher(storage::Connection& conn, const accounts::Principal& who,
                                    const PointsPolicy& policy, int64_t staff_id, int school_year);

// The staff id of a teacher's own account (username = staff code, the staff
// member inside the account's subtree); kNotFound otherwise.
StatusOr<int64_t> OwnStaffId(storage::Connection& conn, const accounts::Principal& who);

struct Veto {
  bool vetoed = false;
  std::string reason_zh;  // "2025 年度师德失范一票否决:警告(案件 12)"
  std::string reason_en;
};

struct Standing {
  int64_t staff_id = 0;
  std::string name;
  int64_t org_id = 0;
  int64_t total = 0;
  int rank = 0;  // within the school: 1 + the number of teachers with more points
  Veto veto;
  // Per policy eligibility list, in the policy's order.
  struct Eligibility {
    std::string list_id;
    bool eligible = false;
    std::string reason_zh;  // why not: below the threshold, or the veto
    std::string reason_en;
  };
  std::vector<Eligibility> eligibility;
};

struct Standings {
  int64_t org_id = 0;
  int school_year = 0;
  std::vector<Standing> teachers;  // school by school (org id), highest total first, then staff id
};

// Every active teacher (post 教师) whose current org lies in `org_id`'s
// subtree, with totals, rank within their school, the veto of that year
// (the sanctions ledger) and each eligibility list. Not for teachers.
StatusOr<Standings> SchoolStandings(storage::Connection& conn, const accounts::Principal& who,
                                    const PointsPolicy& policy, int64_t org_id, int school_year);

// A teacher's objection to their own entry, within the policy's window:
// CheckObjection says whether it may be filed (kFailedPrecondition naming
// "entry" past the window or with an objection already filed); the caller
// opens the case, then RecordObjection links it (audited).
StatusOr<Entry> CheckObjection(storage::Connection& conn, const accounts::Principal& who,
                               const Clock& clock, const PointsPolicy& policy, int64_t seq);
Status RecordObjection(storage::Connection& conn, const accounts::Principal& who, const Clock& clock,
                       int64_t seq, int64_t case_id);

// Re-derives the points chain; names the first edited, deleted, inserted or
// reordered entry, a replaced head, and with anchors a re-chained tail.
StatusOr<ledger::VerifyReport> VerifyPointsLedger(storage::Connection& conn,
                                                  const std::vector<ledger::Anchor>& anchors = {});

}  // namespace edugov::points
