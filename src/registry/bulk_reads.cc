// The registry read table by table for in-memory images (registry.h, "bulk
// reads"): the rules engine's columnar image loads the whole registry of a
// province this way, so each call is one query and rows go straight to the
// caller's function — no per-row query, no second copy of the table.
#include <string>
#include <vector>

#include "registry/internal/common.h"
#include "registry/registry.h"

namespace edugov::registry {
namespace {

using storage::Connection;
using storage::ResultSet;

// " <keyword> <column> LIKE $1" and its parameter when a subtree is asked
// for; nothing otherwise (a LIKE '%' would still test every row).
void AddSubtree(std::string_view subtree, std::string_view keyword, std::string_view path_column,
                std::string& sql, storage::Params& params) {
  if (subtree.empty()) return;
  sql += " " + std::string(keyword) + " " + std::string(path_column) + " LIKE $1";
  params.emplace_back(std::in_place_type<std::string>, std::string(subtree) + "%");
}

}  // namespace

Status ForEachOrg(Connection& conn, std::string_view subtree, const std::function<void(const Org&)>& fn) {
  std::string sql = "SELECT " + std::string(internal::kOrgColumns) + " FROM orgs";
  storage::Params params;
  AddSubtree(subtree, "WHERE", "path", sql, params);
  sql += " ORDER BY id";
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query(sql, params));
  for (size_t r = 0; r < rs.size(); ++r) fn(internal::OrgFromRow(rs, r));
  return OkStatus();
}

Status ForEachClass(Connection& conn, std::string_view subtree, const std::function<void(const Class&)>& fn) {
  std::string sql = "SELECT c.id, c.school_id, c.grade, c.name, c.students FROM classes c";
  storage::Params params;
  if (!subtree.empty()) sql += " JOIN orgs o ON o.id = c.school_id";
  AddSubtree(subtree, "WHERE", "o.path", sql, params);
  sql += " ORDER BY c.id";
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query(sql, params));
  for (size_t r = 0; r < rs.size(); ++r) {
    fn(Class{rs.GetInt(r, 0), rs.GetInt(r, 1), static_cast<int>(rs.GetInt(r, 2)), rs.GetText(r, 3),
             rs.GetInt(r, 4)});
  }
  return OkStatus();
}

Status ForEachStaff(Connection& conn, std::string_view subtree, const std::function<void(const StaffRecord&)>& fn) {
  std::string sql = "SELECT s.id, s.org_id, s.code, s.name, s.active FROM staff s";
  storage::Params params;
  if (!subtree.empty()) sql += " JOIN orgs o ON o.id = s.org_id";
  AddSubtree(subtree, "WHERE", "o.path", sql, params);
  sql += " ORDER BY s.id";
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query(sql, params));
  for (size_t r = 0; r < rs.size(); ++r) {
    fn(StaffRecord{rs.GetInt(r, 0), rs.GetInt(r, 1), rs.GetText(r, 2), rs.GetText(r, 3), rs.GetInt(r, 4) != 0});
  }
  return OkStatus();
}

Status ForEachStaffPost(Connection& conn, const std::function<void(const StaffPost&)>& fn) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT staff_id, post FROM staff_posts ORDER BY staff_id, post"));
  for (size_t r = 0; r < rs.size(); ++r) {
    if (std::optional<Post> post = ParsePost(rs.GetText(r, 1))) fn(StaffPost{rs.GetInt(r, 0), *post});
  }
  return OkStatus();
}

Status ForEachRuralTeachingYears(Connection& conn, Date as_of,
                                 const std::function<void(int64_t staff_id, double years)>& fn) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT staff_id, start_date, end_date FROM staff_postings "
                                            "WHERE rural = 1 ORDER BY staff_id"));
  // Rows arrive grouped by staff member: each group is one call.
  std::vector<Posting> postings;
  for (size_t r = 0; r < rs.size();) {
    const int64_t staff_id = rs.GetInt(r, 0);
    postings.clear();
    for (; r < rs.size() && rs.GetInt(r, 0) == staff_id; ++r) {
      std::optional<Date> start = internal::OptionalDateFrom(rs, r, 1);
      if (!start) continue;  // a malformed date cannot count towards the years
      Posting p;
      p.start_date = *start;
      p.end_date = internal::OptionalDateFrom(rs, r, 2);
      p.rural = true;
      postings.push_back(std::move(p));
    }
    if (!postings.empty()) fn(staff_id, RuralTeachingYears(postings, as_of));
  }
  return OkStatus();
}

}  // namespace edugov::registry
