// Cases as figures: the columns statistics count by, and nothing that could
// identify a complainant — never the confidential column, the fields, the
// titles or the timeline. For the complaint analysis (reports/
// complaint_analysis.h), whose reports may go to the school concerned, so
// that it reads the cases table through the engine's module and not itself.
//
// Thread-safety: no state; a Connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/database.h"

namespace edugov::cases {

struct CaseFigures {
  int64_t id = 0;
  std::string ref;
  std::string category;
  int64_t org_id = 0;  // 0: about no particular unit (filed at the county)
  std::string org_path;
  int64_t opened_at_us = 0;
  std::string state;
  std::optional<int64_t> due_at_us;
  std::optional<int64_t> closed_at_us;
  std::optional<int> satisfaction;     // 1..5, once rated
  std::optional<int64_t> merged_into;  // the case it was merged into
  std::string merged_into_ref;         // that case's ref ("" when not merged)
};

struct CaseFiguresQuery {
  std::string case_type;  // "complaint"
  std::string subtree;    // cases whose org_path starts with it ("/1/4/")
  // Cases opened in [opened_from_us, opened_before_us), and older ones —
  // opened before opened_before_us too — that were overdue at
  // overdue_at_us: not merged, due before it and not closed by it.
  int64_t opened_from_us = 0;
  int64_t opened_before_us = 0;
  int64_t overdue_at_us = 0;
};

// By opened_at, then id.
StatusOr<std::vector<CaseFigures>> ListCaseFigures(storage::Connection& conn, const CaseFiguresQuery& query);

}  // namespace edugov::cases
