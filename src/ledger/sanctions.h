// The sanctions ledger: each misconduct decision (师德失范) on the sanction
// ladder, with the one-vote veto (一票否决) it carries, appended to a
// hash-chained, append-only log (format: docs/ledger-format.md, chain.h).
// Other modules ask IsVetoed before an award or a title promotion.
//
//   RETURN_IF_ERROR(ledger::AppendSanction(tx, {.staff_id = 88, .org_id = 37,
//       .org_path = "/1/4/37/", .case_id = 12, .measure = "warning",
//       .veto_year = 2025, .reason = "…", .decided_by = "juzhang"}, clock));
//   ASSIGN_OR_RETURN(bool vetoed, ledger::IsVetoed(conn, 88, 2025));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "ledger/audit.h"  // VerifyReport
#include "storage/database.h"

namespace edugov::ledger {

// The ladder, mildest first: "notice_of_criticism" 通报批评, "warning" 警告,
// "demerit" 记过, "post_demotion" 降低岗位等级, "transfer_out_of_town" 调离城区,
// "removal" 清除出教师队伍.
const std::vector<std::string>& SanctionLadder();
bool IsKnownMeasure(std::string_view measure);
// The Chinese name of a measure ("警告"); the key itself if unknown.
std::string_view MeasureNameZh(std::string_view measure);

struct Accountable {
  int64_t staff_id = 0;
  std::string role;  // "principal" or "party_secretary"
};

struct SanctionEntry {
  int64_t staff_id = 0;
  int64_t org_id = 0;
  std::string org_path;
  int64_t case_id = 0;
  std::string measure;
  int veto_year = 0;
  std::string reason;
  std::vector<Accountable> accountable;
  std::string decided_by;
};

// Appends inside the caller's write transaction (with the case transition
// that decided it). kInvalidArgument for an unknown measure or a missing field.
Status AppendSanction(storage::Connection& tx, const SanctionEntry& entry, const Clock& clock);

struct SanctionRecord {
  int64_t seq = 0;
  int64_t at_us = 0;
  SanctionEntry entry;
  std::string prev_hash;
  std::string hash;
};

// Records of one staff member (staff_id != 0) or of a subtree (path prefix),
// newest first.
StatusOr<std::vector<SanctionRecord>> ReadSanctions(storage::Connection& conn, int64_t staff_id,
                                                    std::string_view org_path_prefix);

// True when a sanction with that veto year stands against the staff member:
// ineligible for that year's awards, title promotion and excellence evaluation.
StatusOr<bool> IsVetoed(storage::Connection& conn, int64_t staff_id, int year);

// Re-derives the chain and names the first edited, deleted, inserted or
// reordered entry (as VerifyAudit does for the audit log).
StatusOr<VerifyReport> VerifySanctions(storage::Connection& conn,
                                       const std::vector<Anchor>& anchors = {});

}  // namespace edugov::ledger
