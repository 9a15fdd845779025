#include "cases/internal/core.h"

#include <algorithm>

#include "registry/registry.h"

namespace edugov::cases::internal {

using json = nlohmann::json;
using storage::Connection;
using storage::ResultSet;

// The one message for a case the actor may not see and one that does not
// exist, so probing ids learns nothing.
Status CaseNotFound() { return NotFoundError("no such case", "案件不存在"); }
Status CodeNotFound() {
  return NotFoundError("no complaint with this tracking code", "查询码无效或不存在");
}

Status ReferenceNotFound(const std::string& field, RefTarget target) {
  const bool staff = target == RefTarget::kStaff;
  return NotFoundError(field + ": no such " + (staff ? "staff member" : "unit") + " in your area",
                       field + "：您的管辖范围内没有该" + (staff ? "教职工" : "单位"))
      .WithField(field);
}

StatusOr<bool> MayReference(Connection& conn, const Actor& a, RefTarget target, int64_t id) {
  std::optional<registry::Org> org;
  if (target == RefTarget::kStaff) {
    // The staff member's own unit (no unit: not in the registry at all).
    ASSIGN_OR_RETURN(org, registry::LookupStaffOrgUnscoped(conn, id));
  } else {
    ASSIGN_OR_RETURN(org, registry::LookupOrgUnscoped(conn, id));
  }
  if (!org) return false;
  return a.kind != Actor::Kind::kUser || a.user->CanSee(org->path);
}

int64_t NowUs(const EngineDeps& d) { return ToUnixMicros(d.clock->Now()); }

std::string ActorName(const Actor& a) {
  switch (a.kind) {
    case Actor::Kind::kUser: return a.user->username;
    case Actor::Kind::kPublic: return "public";
    case Actor::Kind::kSystem: return "system";
  }
  return "system";
}
int64_t ActorId(const Actor& a) { return a.kind == Actor::Kind::kUser ? a.user->user_id : 0; }

std::string RoleTokenName(const RoleToken& t) {
  return t.department.empty() ? t.role : t.role + ":" + t.department;
}

bool IsConfidentialReader(const Actor& a, const CaseType& t) {
  if (a.kind != Actor::Kind::kUser || a.user->role != accounts::Role::kBureauDept) return false;
  return std::find(t.confidential_readers.begin(), t.confidential_readers.end(),
                   a.user->department) != t.confidential_readers.end();
}

// Whether a user may see a case at all. Teachers see only what they opened;
// everyone else sees the cases about orgs in their subtree (the bureau's
// subtree is the county, so all of them).
bool UserCanSee(const accounts::Principal& p, const CaseRow& c) {
  if (p.role == accounts::Role::kTeacher) return c.created_by != 0 && c.created_by == p.user_id;
  return p.CanSee(c.org_path);
}

bool ActorCanSee(const Actor& a, const CaseRow& c) {
  switch (a.kind) {
    case Actor::Kind::kSystem: return true;
    case Actor::Kind::kPublic: return false;
    case Actor::Kind::kUser: return UserCanSee(*a.user, c);
  }
  return false;
}

StatusOr<std::string> OrgPath(Connection& conn, int64_t org_id) {
  if (org_id == 0) return std::string();
  ASSIGN_OR_RETURN(std::optional<OrgInfo> o, internal::LoadOrg(conn, org_id));
  return o ? o->path : std::string();
}

// Whether `actor` holds `token` for case `c`. Users must also see the case.
StatusOr<bool> Holds(Connection& conn, const Actor& a, const RoleToken& t, const CaseRow& c) {
  if (t.role == "public") return a.kind == Actor::Kind::kPublic;
  if (t.role == "system") return a.kind == Actor::Kind::kSystem;
  if (a.kind != Actor::Kind::kUser || !UserCanSee(*a.user, c)) return false;
  const accounts::Principal& p = *a.user;
  using accounts::Role;
  if (t.role == "assignee") {
    if (c.assignee_level == "leadership") return p.role == Role::kBureauLeader;
    if (c.assignee_level == "department") {
      return p.role == Role::kBureauDept && p.department == c.assignee_department;
    }
    const Role want = c.assignee_level == "school" ? Role::kSchool : Role::kTownship;
    if (p.role != want) return false;
    if (p.org_id == c.assignee_org_id) return true;
    ASSIGN_OR_RETURN(std::string path, OrgPath(conn, c.assignee_org_id));
    return !path.empty() && p.CanSee(path);
  }
  std::optional<Role> r = accounts::ParseRole(t.role);
  if (!r || *r != p.role) return false;
  return t.department.empty() || t.department == p.department;
}

StatusOr<bool> HoldsAny(Connection& conn, const Actor& a, const std::vector<RoleToken>& roles,
                        const CaseRow& c) {
  for (const RoleToken& t : roles) {
    ASSIGN_OR_RETURN(bool ok, Holds(conn, a, t, c));
    if (ok) return true;
  }
  return false;
}

std::string RolesList(const std::vector<RoleToken>& roles) {
  std::string s;
  for (const RoleToken& t : roles) s += (s.empty() ? "" : ", ") + RoleTokenName(t);
  return s;
}

bool FromMatches(const CaseType& type, const TransitionSpec& tr, const std::string& state) {
  const StateSpec* s = type.FindState(state);
  for (const std::string& f : tr.from) {
    if (f == state || (f == "*" && s && !s->terminal)) return true;
  }
  return false;
}

}  // namespace edugov::cases::internal
