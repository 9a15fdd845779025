// The engine's rows and the SQL that reads them: one place that knows the
// column order of `cases`, and the org look-ups every operation needs (from
// the registry, which owns the orgs table).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "storage/database.h"

namespace edugov::cases::internal {

struct CaseRow {
  int64_t id = 0;
  std::string ref, case_type, state, title, category;
  int64_t org_id = 0;
  std::string org_path;
  int64_t township_id = 0;
  int64_t staff_id = 0;
  std::string assignee_level;
  int64_t assignee_org_id = 0;
  std::string assignee_department;
  int escalation_level = 0;
  int64_t opened_at = 0, state_entered_at = 0;
  std::optional<int64_t> due_at;
  bool deadline_unknown = false;
  // due_at was counted on a provisional calendar year (recomputed on import).
  bool deadline_provisional = false;
  int extended_days = 0;
  std::optional<int64_t> reminded_at, escalated_at, closed_at;
  nlohmann::json fields = nlohmann::json::object();
  std::optional<std::string> confidential;  // sealed bytes
  std::optional<std::string> frozen_json;
  std::string source_kind;
  int64_t source_id = 0;
  std::optional<int64_t> merged_into;
  std::optional<int> satisfaction;
  std::optional<int64_t> reopen_until;
  int64_t created_by = 0;
  int version = 1;
  std::string org_name;  // the registry's name of org_id ("" for none)
};

// The cases matching `where` ("WHERE c.… ORDER BY … LIMIT …", the table
// aliased c), each with its org's name: one query for the rows and one for
// the names.
StatusOr<std::vector<CaseRow>> QueryCases(storage::Connection& conn, std::string_view where,
                                          const storage::Params& params);

StatusOr<std::optional<CaseRow>> LoadCase(storage::Connection& conn, int64_t id);

struct OrgInfo {
  int64_t id = 0;
  std::string kind, name, path;
  int64_t parent_id = 0;
  int64_t township_id = 0;  // the org itself if a township, its parent township if a school
};
// nullopt if no such org.
StatusOr<std::optional<OrgInfo>> LoadOrg(storage::Connection& conn, int64_t id);
// The county's path (cases about no particular unit are filed there).
StatusOr<std::string> CountyPath(storage::Connection& conn);

}  // namespace edugov::cases::internal
