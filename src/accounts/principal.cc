#include "accounts/principal.h"

#include <array>
#include <utility>

namespace edugov::accounts {

namespace {

constexpr std::array<std::pair<Role, std::string_view>, 6> kRoles = {{
    {Role::kBureauLeader, "bureau_leader"},
    {Role::kBureauDept, "bureau_dept"},
    {Role::kTownship, "township"},
    {Role::kSchool, "school"},
    {Role::kTeacher, "teacher"},
    {Role::kInspector, "inspector"},
}};

constexpr std::array<std::string_view, 9> kDepartments = {
    "supervision", "discipline", "hr",      "party",   "safety",
    "student_aid", "basic_education", "finance", "petitions"};

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoles) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoles) {
    if (n == name) return r;
  }
  return std::nullopt;
}

bool IsKnownDepartment(std::string_view name) {
  for (std::string_view d : kDepartments) {
    if (d == name) return true;
  }
  return false;
}

}  // namespace edugov::accounts
