// Who is asking: the authenticated user with their role and the org subtree
// they are bound to. Every domain function that reads or writes scoped data
// takes a Principal and checks the subtree itself, so no endpoint can forget.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edugov::accounts {

enum class Role {
  kBureauLeader,  // 局领导: county-wide, reads everything, approves
  kBureauDept,    // 局股室 (department): county-wide within its department
  kTownship,      // 乡镇中心学校: its township's schools
  kSchool,        // 学校 principal / staff: one school
  kTeacher,       // 教师: self and own classes (read of own school)
  kInspector,     // 督学: assigned subtree, records visits
};

// "bureau_leader", "bureau_dept", "township", "school", "teacher", "inspector".
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

// Departments of the bureau (for kBureauDept).
// "supervision", "discipline", "hr", "party", "safety", "student_aid",
// "basic_education", "finance", "petitions" (信访办: handles complaints and
// alone reads complainants' identities).
bool IsKnownDepartment(std::string_view name);

struct Principal {
  int64_t user_id = 0;
  std::string username;
  std::string display_name;
  Role role = Role::kTeacher;
  std::string department;  // for kBureauDept; empty otherwise
  int64_t org_id = 0;      // root of the subtree the user is bound to
  std::string org_path;    // materialised path of that org: "/1/4/37/"
  bool via_api_token = false;

  // True when the org with materialised path `path` lies in this user's
  // subtree (the root itself included).
  bool CanSee(std::string_view path) const {
    return !org_path.empty() && path.substr(0, org_path.size()) == org_path;
  }
  bool IsBureau() const { return role == Role::kBureauLeader || role == Role::kBureauDept; }
  // May change registry data (schools, classes, staff) inside the subtree.
  bool CanEditRegistry() const {
    return role == Role::kBureauLeader || role == Role::kBureauDept || role == Role::kTownship ||
           role == Role::kSchool;
  }
};

}  // namespace edugov::accounts
