#include "cases/internal/store.h"

#include <set>

#include "registry/registry.h"

namespace edugov::cases::internal {
namespace {

// Every column of `cases` in RowFrom's order; append WHERE ….
const char* const kSelectCase =
    "SELECT c.id, c.ref, c.case_type, c.state, c.title, c.category, c.org_id, c.org_path, "
    "c.township_id, c.staff_id, c.assignee_level, c.assignee_org_id, c.assignee_department, "
    "c.escalation_level, c.opened_at, c.state_entered_at, c.due_at, c.deadline_unknown, "
    "c.extended_days, c.reminded_at, c.escalated_at, c.closed_at, c.fields_json, c.confidential, "
    "c.frozen_json, c.source_kind, c.source_id, c.merged_into, c.satisfaction, c.reopen_until, "
    "c.created_by, c.version, c.deadline_provisional FROM cases c ";

CaseRow RowFrom(const storage::ResultSet& rs, size_t r) {
  CaseRow c;
  c.id = rs.GetInt(r, 0);
  c.ref = rs.GetText(r, 1);
  c.case_type = rs.GetText(r, 2);
  c.state = rs.GetText(r, 3);
  c.title = rs.GetText(r, 4);
  c.category = rs.GetText(r, 5);
  c.org_id = rs.GetInt(r, 6);
  c.org_path = rs.GetText(r, 7);
  c.township_id = rs.GetInt(r, 8);
  c.staff_id = rs.GetInt(r, 9);
  c.assignee_level = rs.GetText(r, 10);
  c.assignee_org_id = rs.GetInt(r, 11);
  c.assignee_department = rs.GetText(r, 12);
  c.escalation_level = static_cast<int>(rs.GetInt(r, 13));
  c.opened_at = rs.GetInt(r, 14);
  c.state_entered_at = rs.GetInt(r, 15);
  c.due_at = rs.GetOptionalInt(r, 16);
  c.deadline_unknown = rs.GetInt(r, 17) != 0;
  c.extended_days = static_cast<int>(rs.GetInt(r, 18));
  c.reminded_at = rs.GetOptionalInt(r, 19);
  c.escalated_at = rs.GetOptionalInt(r, 20);
  c.closed_at = rs.GetOptionalInt(r, 21);
  c.fields = nlohmann::json::parse(rs.GetText(r, 22, "{}"), nullptr, false);
  if (!c.fields.is_object()) c.fields = nlohmann::json::object();
  if (!rs.IsNull(r, 23)) c.confidential = rs.GetBlob(r, 23);
  c.frozen_json = rs.GetOptionalText(r, 24);
  c.source_kind = rs.GetText(r, 25);
  c.source_id = rs.GetInt(r, 26);
  c.merged_into = rs.GetOptionalInt(r, 27);
  if (auto s = rs.GetOptionalInt(r, 28)) c.satisfaction = static_cast<int>(*s);
  c.reopen_until = rs.GetOptionalInt(r, 29);
  c.created_by = rs.GetInt(r, 30);
  c.version = static_cast<int>(rs.GetInt(r, 31));
  c.deadline_provisional = rs.GetInt(r, 32) != 0;
  return c;
}

}  // namespace

StatusOr<std::vector<CaseRow>> QueryCases(storage::Connection& conn, std::string_view where,
                                          const storage::Params& params) {
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(std::string(kSelectCase) + std::string(where), params));
  std::vector<CaseRow> rows;
  rows.reserve(rs.size());
  std::set<int64_t> org_ids;
  for (size_t r = 0; r < rs.size(); ++r) {
    rows.push_back(RowFrom(rs, r));
    if (rows.back().org_id != 0) org_ids.insert(rows.back().org_id);
  }
  // The names from the registry, one query for the whole page.
  ASSIGN_OR_RETURN(auto names, registry::OrgNames(conn, org_ids));
  for (CaseRow& c : rows) {
    if (auto it = names.find(c.org_id); it != names.end()) c.org_name = it->second;
  }
  return rows;
}

StatusOr<std::optional<CaseRow>> LoadCase(storage::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(std::vector<CaseRow> rows, QueryCases(conn, "WHERE c.id = $1", {id}));
  if (rows.empty()) return std::optional<CaseRow>();
  return std::optional<CaseRow>(std::move(rows.front()));
}

StatusOr<std::optional<OrgInfo>> LoadOrg(storage::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<registry::OrgWithTownship> found,
                   registry::LookupOrgWithTownshipUnscoped(conn, id));
  if (!found) return std::optional<OrgInfo>();
  OrgInfo o;
  o.id = found->org.id;
  o.kind = std::string(registry::OrgKindName(found->org.kind));
  o.name = found->org.name;
  o.path = found->org.path;
  o.parent_id = found->org.parent_id.value_or(0);
  o.township_id = found->township_id;
  return std::optional<OrgInfo>(std::move(o));
}

StatusOr<std::string> CountyPath(storage::Connection& conn) {
  ASSIGN_OR_RETURN(std::optional<registry::Org> county, registry::LookupCountyUnscoped(conn));
  return county ? county->path : std::string("/");
}

}  // namespace edugov::cases::internal
