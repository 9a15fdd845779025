// The registry's answers for other modules (registry.h, "for other
// modules" and the unscoped lookups): ids checked against a principal,
// names by id for labels, and the single facts (an org's township, a staff
// member's org, a unit's principal) other modules once read from the
// tables themselves. The bulk reads are in bulk_reads.cc.
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

// How many columns internal::kOrgColumns lists: a column appended after
// them sits at this index.
constexpr size_t CountColumns(std::string_view list) {
  size_t n = 1;
  for (char c : list) n += c == ',' ? 1 : 0;
  return n;
}
constexpr size_t kOrgColumnCount = CountColumns(internal::kOrgColumns);

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

StatusOr<std::map<int64_t, Org>> OrgsByIdUnscoped(Connection& conn, const std::set<int64_t>& ids) {
  std::map<int64_t, Org> out;
  RETURN_IF_ERROR(ForEachChunk(conn, "SELECT " + std::string(internal::kOrgColumns) + " FROM orgs WHERE id IN ",
                               ids, [&](const ResultSet& rs, size_t r) {
                                 Org o = internal::OrgFromRow(rs, r);
                                 out.emplace(o.id, std::move(o));
                               }));
  return out;
}

StatusOr<std::optional<OrgWithTownship>> LookupOrgWithTownshipUnscoped(Connection& conn, int64_t org_id) {
  // The parent's kind by a subquery, so that kOrgColumns stays unqualified.
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT " + std::string(internal::kOrgColumns) +
                                                ", (SELECT p.kind FROM orgs p WHERE p.id = orgs.parent_id) "
                                                "FROM orgs WHERE id = $1",
                                            {org_id}));
  if (rs.empty()) return std::optional<OrgWithTownship>();
  OrgWithTownship out{internal::OrgFromRow(rs, 0), 0};
  const size_t parent_kind = kOrgColumnCount;
  if (out.org.kind == OrgKind::kTownship) {
    out.township_id = out.org.id;
  } else if (out.org.kind == OrgKind::kSchool && out.org.parent_id &&
             ParseOrgKind(rs.GetText(0, parent_kind)) == OrgKind::kTownship) {
    out.township_id = *out.org.parent_id;
  }
  return std::optional<OrgWithTownship>(std::move(out));
}

namespace {

StatusOr<std::optional<Org>> FirstOrgWhere(Connection& conn, std::string_view where) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT " + std::string(internal::kOrgColumns) + " FROM orgs WHERE " +
                                            std::string(where) + " ORDER BY id LIMIT 1"));
  if (rs.empty()) return std::optional<Org>();
  return std::optional<Org>(internal::OrgFromRow(rs, 0));
}

constexpr std::string_view kStaffRecordColumns = "s.id, s.org_id, s.code, s.name, s.active";

StaffRecord StaffRecordFromRow(const ResultSet& rs, size_t r) {
  return {rs.GetInt(r, 0), rs.GetInt(r, 1), rs.GetText(r, 2), rs.GetText(r, 3), rs.GetInt(r, 4) != 0};
}

StatusOr<std::optional<StaffRecord>> OneStaffRecord(Connection& conn, std::string_view where, storage::Value key) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT " + std::string(kStaffRecordColumns) + " FROM staff s WHERE " +
                                                std::string(where),
                                            {std::move(key)}));
  if (rs.empty()) return std::optional<StaffRecord>();
  return std::optional<StaffRecord>(StaffRecordFromRow(rs, 0));
}

StatusOr<std::optional<Class>> OneClass(Connection& conn, std::string_view where, const storage::Params& params) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT id, school_id, grade, name, students FROM classes WHERE " +
                                                std::string(where) + " ORDER BY id LIMIT 1",
                                            params));
  if (rs.empty()) return std::optional<Class>();
  return std::optional<Class>(
      Class{rs.GetInt(0, 0), rs.GetInt(0, 1), static_cast<int>(rs.GetInt(0, 2)), rs.GetText(0, 3), rs.GetInt(0, 4)});
}

}  // namespace

StatusOr<std::optional<Org>> LookupRootOrgUnscoped(Connection& conn) {
  return FirstOrgWhere(conn, "parent_id IS NULL");
}

StatusOr<std::optional<Org>> LookupCountyUnscoped(Connection& conn) {
  return FirstOrgWhere(conn, "kind = 'county'");
}

StatusOr<std::optional<StaffRecord>> LookupStaffRecordUnscoped(Connection& conn, int64_t staff_id) {
  return OneStaffRecord(conn, "s.id = $1", staff_id);
}

StatusOr<std::optional<StaffRecord>> LookupStaffRecordByCodeUnscoped(Connection& conn, std::string_view code) {
  return OneStaffRecord(conn, "s.code = $1", std::string(code));
}

StatusOr<std::optional<Org>> LookupStaffOrgUnscoped(Connection& conn, int64_t staff_id) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT org_id FROM staff WHERE id = $1", {staff_id}));
  if (rs.empty()) return std::optional<Org>();
  return internal::LoadOrg(conn, rs.GetInt(0, 0));
}

StatusOr<std::vector<StaffPost>> ListActiveStaffWithPostsUnscoped(Connection& conn, int64_t org_id,
                                                                  const std::vector<Post>& posts) {
  std::vector<StaffPost> out;
  if (posts.empty()) return out;
  std::string sql =
      "SELECT s.id, p.post FROM staff s JOIN staff_posts p ON p.staff_id = s.id "
      "WHERE s.org_id = $1 AND s.active = 1 AND p.post IN (";
  storage::Params params = {org_id};
  for (Post post : posts) {
    params.emplace_back(std::in_place_type<std::string>, PostName(post));
    sql += (params.size() > 2 ? ", $" : "$") + std::to_string(params.size());
  }
  sql += ") ORDER BY p.post, s.id";
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query(sql, params));
  for (size_t r = 0; r < rs.size(); ++r) {
    if (std::optional<Post> post = ParsePost(rs.GetText(r, 1))) out.push_back({rs.GetInt(r, 0), *post});
  }
  return out;
}

StatusOr<std::optional<Class>> LookupClassUnscoped(Connection& conn, int64_t class_id) {
  return OneClass(conn, "id = $1", {class_id});
}

StatusOr<std::optional<Class>> LookupClassByNameUnscoped(Connection& conn, int64_t school_id, std::string_view name) {
  return OneClass(conn, "school_id = $1 AND name = $2", {school_id, std::string(name)});
}

StatusOr<std::map<int64_t, int64_t>> StudentsBySchoolUnscoped(Connection& conn, std::string_view subtree) {
  std::string sql = "SELECT c.school_id, CAST(SUM(c.students) AS BIGINT) FROM classes c";
  storage::Params params;
  if (!subtree.empty()) {
    sql += " JOIN orgs o ON o.id = c.school_id WHERE o.path LIKE $1";
    params.emplace_back(std::in_place_type<std::string>, std::string(subtree) + "%");
  }
  sql += " GROUP BY c.school_id";
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query(sql, params));
  std::map<int64_t, int64_t> out;
  for (size_t r = 0; r < rs.size(); ++r) out[rs.GetInt(r, 0)] = rs.GetInt(r, 1);
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
