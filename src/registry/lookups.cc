// The registry's answers for other modules (registry.h, "for other
// modules" and the unscoped lookups): ids checked against a principal, and
// names by id for labels.
#include <string>
#include <vector>

#include "registry/internal/common.h"
#include "registry/registry.h"

namespace edugov::registry {
namespace {

using storage::Connection;
using storage::ResultSet;

// Ids per IN (…) list: below every backend's limit on parameters.
constexpr size_t kChunk = 500;

// Runs `sql_prefix` + "($1, …)" over `ids` in chunks; `row` maps each row.
template <typename Row>
Status ForEachChunk(Connection& conn, const std::string& sql_prefix, const std::set<int64_t>& ids, Row&& row) {
  auto it = ids.begin();
  while (it != ids.end()) {
    std::string sql = sql_prefix + "(";
    storage::Params params;
    for (; it != ids.end() && params.size() < kChunk; ++it) {
      params.emplace_back(std::in_place_type<int64_t>, *it);
      sql += (params.size() > 1 ? ", $" : "$") + std::to_string(params.size());
    }
    sql += ")";
    ASSIGN_OR_RETURN(ResultSet rs, conn.Query(sql, params));
    for (size_t r = 0; r < rs.size(); ++r) row(rs, r);
  }
  return OkStatus();
}

}  // namespace

StatusOr<Org> FindOrg(Connection& conn, const accounts::Principal& principal, int64_t org_id) {
  return internal::LoadVisibleOrg(conn, principal, org_id);
}

StatusOr<std::map<int64_t, std::string>> OrgNames(Connection& conn, const std::set<int64_t>& ids) {
  std::map<int64_t, std::string> out;
  RETURN_IF_ERROR(ForEachChunk(conn, "SELECT id, name FROM orgs WHERE id IN ", ids,
                               [&](const ResultSet& rs, size_t r) { out[rs.GetInt(r, 0)] = rs.GetText(r, 1); }));
  return out;
}

StatusOr<std::map<int64_t, ClassName>> ClassNames(Connection& conn, const std::set<int64_t>& ids) {
  std::map<int64_t, ClassName> out;
  RETURN_IF_ERROR(ForEachChunk(
      conn, "SELECT c.id, c.name, c.school_id, o.name FROM classes c JOIN orgs o ON o.id = c.school_id WHERE c.id IN ",
      ids, [&](const ResultSet& rs, size_t r) {
        out[rs.GetInt(r, 0)] = ClassName{rs.GetText(r, 1), rs.GetInt(r, 2), rs.GetText(r, 3)};
      }));
  return out;
}

StatusOr<std::map<int64_t, std::string>> StaffNames(Connection& conn, const std::set<int64_t>& ids) {
  std::map<int64_t, std::string> out;
  RETURN_IF_ERROR(ForEachChunk(conn, "SELECT id, name FROM staff WHERE id IN ", ids,
                               [&](const ResultSet& rs, size_t r) { out[rs.GetInt(r, 0)] = rs.GetText(r, 1); }));
  return out;
}

StatusOr<std::optional<Org>> LookupOrgUnscoped(Connection& conn, int64_t org_id) {
  return internal::LoadOrg(conn, org_id);
}

StatusOr<std::optional<int64_t>> ResolveOrgIdOrCodeUnscoped(Connection& conn, std::string_view id_or_code) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT id FROM orgs WHERE code = $1 OR CAST(id AS TEXT) = $1 "
                                            "ORDER BY id LIMIT 1",
                                            {std::string(id_or_code)}));
  if (rs.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rs.GetInt(0, 0));
}

StatusOr<std::vector<Class>> ListClassesUnscoped(Connection& conn, int64_t school_id) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT id, school_id, grade, name, students FROM classes "
                                            "WHERE school_id = $1 ORDER BY grade, name",
                                            {school_id}));
  std::vector<Class> out;
  out.reserve(rs.size());
  for (size_t r = 0; r < rs.size(); ++r) {
    out.push_back({rs.GetInt(r, 0), rs.GetInt(r, 1), static_cast<int>(rs.GetInt(r, 2)), rs.GetText(r, 3),
                   rs.GetInt(r, 4)});
  }
  return out;
}

StatusOr<bool> HasSyntheticData(Connection& conn) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT 1 FROM orgs WHERE synthetic = 1 LIMIT 1"));
  return !rs.empty();
}

}  // namespace edugov::registry
