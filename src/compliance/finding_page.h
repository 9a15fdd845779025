// One finding as its page shows it (GET /api/v1/findings/{id}, 问题详情):
// the stored finding in the caller's scope, the pack's rule it cites, the
// dataset rows it points at (read in the caller's scope, reference columns
// named), and its rectification with whether the caller may open one
// (发起整改). The handler only turns this into JSON.
//
//   ASSIGN_OR_RETURN(std::optional<FindingPage> page,
//                    ReadFindingPage(conn, service, engine, principal, id));
//   if (!page) … 404, the same for "absent" and "not yours" …
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accounts/principal.h"
#include "cases/engine.h"
#include "common/status.h"
#include "datasets/schema.h"
#include "rules/bound.h"
#include "rules/findings_store.h"
#include "rules/recheck.h"
#include "storage/database.h"

namespace edugov::compliance {

class ComplianceService;

// The dataset rows a finding's evidence names (its stored row_ids), as the
// caller may see them: rows outside the caller's subtree are left out.
struct EvidenceRows {
  // The dataset's schema in the pack in force; null when the evidence names
  // no dataset of the pack (a timetable finding, a renamed dataset) — then
  // `rows` is empty and the stored evidence is all there is.
  const datasets::DatasetSchema* schema = nullptr;
  struct Row {
    int64_t row_id = 0;
    std::vector<storage::Value> cells;     // in schema->columns order
    std::map<std::string, std::string> labels;  // column → the referenced row's name
  };
  std::vector<Row> rows;
};

struct FindingPage {
  // Holds the pack `rule` and `evidence.schema` point into; null when the
  // server runs without a pack (then both are null).
  std::shared_ptr<const rules::SubmissionRechecker> pack;
  rules::FindingView finding;
  const rules::bound::Rule* rule = nullptr;  // null: the rule left the pack, or a tt.* check
  EvidenceRows evidence;
  std::optional<cases::CaseEngine::LinkedCase> rectification;
  // Whether the caller may start one by hand: a bureau, township or
  // inspector account, an open finding, and no rectification but a
  // cancelled one (a closed case was signed off by a verifier: a past
  // week's finding that can never resolve is not offered again).
  bool can_open_case = false;
};

// The finding `id` if the principal's subtree holds it; nullopt otherwise
// (absent and out of scope alike). `service` and `engine` may be null (no
// pack, no case types): the page then has no rule, rows or rectification.
// Evidence rows that cannot be read (the dataset's table is gone) are left
// out with a warning in the log: the finding still shows.
StatusOr<std::optional<FindingPage>> ReadFindingPage(storage::Connection& conn, const ComplianceService* service,
                                                     cases::CaseEngine* engine, const accounts::Principal& principal,
                                                     int64_t id);

}  // namespace edugov::compliance
