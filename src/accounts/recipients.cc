#include "accounts/recipients.h"

#include <string>

namespace edugov::accounts {
namespace {

StatusOr<std::vector<int64_t>> Ids(storage::Connection& conn, std::string_view where, const storage::Params& params) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT id FROM users WHERE disabled = 0 AND " + std::string(where) + " ORDER BY id",
                              params));
  std::vector<int64_t> out;
  out.reserve(rs.size());
  for (size_t r = 0; r < rs.size(); ++r) out.push_back(rs.GetInt(r, 0));
  return out;
}

}  // namespace

StatusOr<std::vector<int64_t>> EnabledUsersAt(storage::Connection& conn, Role role, int64_t org_id) {
  return Ids(conn, "role = $1 AND org_id = $2", {std::string(RoleName(role)), org_id});
}

StatusOr<std::vector<int64_t>> EnabledUsersOfDepartment(storage::Connection& conn, std::string_view department) {
  return Ids(conn, "role = $1 AND department = $2",
             {std::string(RoleName(Role::kBureauDept)), std::string(department)});
}

StatusOr<std::vector<int64_t>> EnabledUsersWithRole(storage::Connection& conn, Role role) {
  return Ids(conn, "role = $1", {std::string(RoleName(role))});
}

}  // namespace edugov::accounts
