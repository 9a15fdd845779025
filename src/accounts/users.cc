#include "accounts/users.h"

#include <optional>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "accounts/authenticator.h"
#include "accounts/password.h"
#include "ledger/audit.h"
#include "registry/registry.h"

namespace edugov::accounts {

namespace {

using storage::Connection;
using storage::ResultSet;

// The users' own columns; the bound org's name, kind and path come from the
// registry (SetOrg), which owns the orgs table.
constexpr const char* kUserSelect =
    "SELECT u.id, u.username, u.display_name, u.role, u.department, u.org_id, u.disabled "
    "FROM users u ";

User UserFromRow(const ResultSet& rs, size_t r) {
  User u;
  u.id = rs.GetInt(r, 0);
  u.username = rs.GetText(r, 1);
  u.display_name = rs.GetText(r, 2);
  u.role = ParseRole(rs.GetText(r, 3)).value_or(Role::kTeacher);
  u.department = rs.GetText(r, 4);
  u.org_id = rs.GetInt(r, 5);
  u.disabled = rs.GetInt(r, 6) != 0;
  return u;
}

void SetOrg(User& u, const registry::Org& org) {
  u.org_name = org.name;
  u.org_kind = std::string(registry::OrgKindName(org.kind));
  u.org_path = org.path;
}

nlohmann::json AuditJson(const User& u) {
  return {{"id", u.id},       {"username", u.username}, {"display_name", u.display_name},
          {"role", RoleName(u.role)}, {"department", u.department}, {"org_id", u.org_id},
          {"disabled", u.disabled}};
}

Status RequireUserAdmin(const Principal& by) {
  if (by.role != Role::kBureauLeader) {
    return PermissionDeniedError("only bureau leadership manages user accounts",
                                 "只有局领导可以管理用户账号");
  }
  return OkStatus();
}

Status Field(std::string field, std::string en, std::string zh) {
  return Status(StatusCode::kInvalidArgument, std::move(en), std::move(zh), std::move(field));
}

Status ValidateNewUser(const NewUser& u) {
  const std::string& n = u.username;
  bool ok = n.size() >= 3 && n.size() <= 32 && n[0] >= 'a' && n[0] <= 'z';
  for (char c : n) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  }
  if (!ok) {
    return Field("username",
                 "username must be 3–32 characters of a–z, 0–9, '.', '_' or '-', starting with a letter",
                 "用户名须为 3–32 位小写字母、数字或 . _ -,且以字母开头");
  }
  if (u.display_name.empty() || u.display_name.size() > 192) {
    return Field("display_name", "display name must have 1–64 characters", "姓名须为 1–64 个字符");
  }
  std::optional<Role> role = ParseRole(u.role);
  if (!role) {
    return Field("role",
                 "unknown role '" + u.role +
                     "'; expected bureau_leader, bureau_dept, township, school, teacher or inspector",
                 "未知角色 '" + u.role +
                     "',应为 bureau_leader、bureau_dept、township、school、teacher 或 inspector");
  }
  if (*role == Role::kBureauDept) {
    if (!IsKnownDepartment(u.department)) {
      return Field("department",
                   "bureau_dept users need a department: supervision, discipline, hr, party, "
                   "safety, student_aid, basic_education, finance or petitions",
                   "股室用户须指定部门:supervision、discipline、hr、party、safety、student_aid、"
                   "basic_education、finance 或 petitions");
    }
  } else if (!u.department.empty()) {
    return Field("department", "only bureau_dept users have a department", "只有股室用户需要部门");
  }
  return CheckPasswordPolicy(u.username, u.password);
}

// The org's path and kind, if it is inside `by`'s subtree.
StatusOr<std::pair<std::string, std::string>> ScopedOrg(Connection& conn, const Principal& by,
                                                        int64_t org_id) {
  ASSIGN_OR_RETURN(std::optional<registry::Org> org, registry::LookupOrgUnscoped(conn, org_id));
  if (!org || !by.CanSee(org->path)) {
    return Status(StatusCode::kNotFound, "organisation " + std::to_string(org_id) + " not found",
                  "未找到机构 " + std::to_string(org_id), "org_id");
  }
  return std::make_pair(org->path, std::string(registry::OrgKindName(org->kind)));
}

Status RoleFitsOrg(Role role, const std::string& kind) {
  bool bureau_level = kind == "county" || kind == "city" || kind == "province";
  bool ok = true;
  switch (role) {
    case Role::kBureauLeader:
    case Role::kBureauDept: ok = bureau_level; break;
    case Role::kTownship: ok = kind == "township"; break;
    case Role::kSchool:
    case Role::kTeacher: ok = kind == "school" || kind == "township"; break;
    case Role::kInspector: ok = true; break;
  }
  if (!ok) {
    return Field("org_id",
                 std::string("role ") + std::string(RoleName(role)) + " cannot be bound to a " + kind,
                 std::string("角色 ") + std::string(RoleName(role)) + " 不能绑定到该类机构(" + kind + ")");
  }
  return OkStatus();
}

StatusOr<User> ScopedUser(Connection& conn, const Principal& by, std::string_view where,
                          const storage::Value& key) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query(std::string(kUserSelect) + std::string(where), {key}));
  if (rs.empty()) return NotFoundError("user not found", "未找到该用户");
  User u = UserFromRow(rs, 0);
  ASSIGN_OR_RETURN(std::optional<registry::Org> org, registry::LookupOrgUnscoped(conn, u.org_id));
  if (!org || !by.CanSee(org->path)) return NotFoundError("user not found", "未找到该用户");
  SetOrg(u, *org);
  return u;
}

ledger::AuditEntry Audit(const Principal& by, std::string action, const User& u) {
  return {.actor_user_id = by.user_id, .actor = by.username, .action = std::move(action),
          .entity = "user", .entity_id = std::to_string(u.id)};
}

}  // namespace

Principal SystemPrincipal() {
  Principal p;
  p.user_id = 0;
  p.username = "cli";
  p.display_name = "command line";
  p.role = Role::kBureauLeader;
  p.org_path = "/";
  return p;
}

Principal PrincipalFor(const User& u) {
  Principal p;
  p.user_id = u.id;
  p.username = u.username;
  p.display_name = u.display_name;
  p.role = u.role;
  p.department = u.department;
  p.org_id = u.org_id;
  p.org_path = u.org_path;
  return p;
}

StatusOr<User> CreateUser(Connection& conn, const Principal& by, const Clock& clock,
                          const NewUser& nu) {
  RETURN_IF_ERROR(RequireUserAdmin(by));
  RETURN_IF_ERROR(ValidateNewUser(nu));
  // Hash before the transaction: argon2id takes ~0.1 s and must not hold the
  // write lock.
  ASSIGN_OR_RETURN(std::string hash, HashPassword(nu.password));
  User created;
  Status s = storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(auto org, ScopedOrg(tx, by, nu.org_id));
    Role role = *ParseRole(nu.role);
    RETURN_IF_ERROR(RoleFitsOrg(role, org.second));
    const int64_t now = ToUnixMicros(clock.Now());
    auto inserted = tx.Query(
        "INSERT INTO users (username, display_name, role, department, org_id, password_hash, "
        "created_at_us, updated_at_us) VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING id",
        {nu.username, nu.display_name, nu.role, nu.department, nu.org_id, hash, now});
    if (!inserted.ok()) {
      if (inserted.status().code() == StatusCode::kAlreadyExists) {
        return Status(StatusCode::kAlreadyExists, "username '" + nu.username + "' is taken",
                      "用户名 '" + nu.username + "' 已被使用", "username");
      }
      return inserted.status();
    }
    ASSIGN_OR_RETURN(created, ScopedUser(tx, SystemPrincipal(), "WHERE u.id = $1",
                                         inserted->GetInt(0, 0)));
    ledger::AuditEntry e = Audit(by, "user.create", created);
    e.after = AuditJson(created).dump();
    return ledger::AppendAudit(tx, e, clock);
  });
  RETURN_IF_ERROR(s);
  return created;
}

StatusOr<std::vector<User>> ListUsers(Connection& conn, const Principal& by) {
  RETURN_IF_ERROR(RequireUserAdmin(by));
  // Every user, then their orgs in one bulk read of the registry, kept when
  // inside the subtree: user lists are short next to the org tree.
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query(std::string(kUserSelect) + "ORDER BY u.username"));
  std::set<int64_t> org_ids;
  for (size_t r = 0; r < rs.size(); ++r) org_ids.insert(rs.GetInt(r, 5));
  ASSIGN_OR_RETURN(auto orgs, registry::OrgsByIdUnscoped(conn, org_ids));
  std::vector<User> out;
  for (size_t r = 0; r < rs.size(); ++r) {
    User u = UserFromRow(rs, r);
    auto org = orgs.find(u.org_id);
    if (org == orgs.end() || !by.CanSee(org->second.path)) continue;
    SetOrg(u, org->second);
    out.push_back(std::move(u));
  }
  return out;
}

StatusOr<User> GetUserByUsername(Connection& conn, std::string_view username) {
  return ScopedUser(conn, SystemPrincipal(), "WHERE u.username = $1", std::string(username));
}

Status SetPassword(Connection& conn, const Principal& by, const Clock& clock,
                   std::string_view username, std::string_view password) {
  // Anyone may change their own password; leadership those in its subtree.
  if (by.username != username) RETURN_IF_ERROR(RequireUserAdmin(by));
  RETURN_IF_ERROR(CheckPasswordPolicy(username, password));
  ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  return storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(User u, ScopedUser(tx, by, "WHERE u.username = $1", std::string(username)));
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until_us = 0, "
        "updated_at_us = $2 WHERE id = $3",
        {hash, ToUnixMicros(clock.Now()), u.id}));
    // A new password ends every old session and revokes every API token:
    // whoever knew the old one — and minted a token with it — is out. The
    // audit entry counts the tokens, so the owner learns why a client stopped.
    RETURN_IF_ERROR(tx.Execute("DELETE FROM sessions WHERE user_id = $1", {u.id}));
    ASSIGN_OR_RETURN(int64_t revoked,
                     tx.Execute("UPDATE api_tokens SET revoked = 1 WHERE user_id = $1 AND revoked = 0",
                                {u.id}));
    ledger::AuditEntry e = Audit(by, "user.passwd", u);
    e.after = nlohmann::json{{"api_tokens_revoked", revoked}}.dump();
    return ledger::AppendAudit(tx, e, clock);
  });
}

Status ChangeOwnPassword(Connection& conn, const Principal& self, const Clock& clock,
                         std::string_view old_password, std::string_view new_password) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT password_hash FROM users WHERE id = $1",
                                            {self.user_id}));
  if (rs.empty() || !VerifyPassword(rs.GetText(0, 0), old_password)) {
    return Status(StatusCode::kUnauthenticated, "the current password is wrong", "当前密码错误",
                  "old_password");
  }
  return SetPassword(conn, self, clock, self.username, new_password);
}

Status DisableUser(Connection& conn, const Principal& by, const Clock& clock, int64_t user_id) {
  RETURN_IF_ERROR(RequireUserAdmin(by));
  return storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(User u, ScopedUser(tx, by, "WHERE u.id = $1", user_id));
    if (u.id == by.user_id) {
      return FailedPreconditionError("you cannot disable your own account", "不能停用自己的账号");
    }
    nlohmann::json before = AuditJson(u);
    RETURN_IF_ERROR(tx.Execute("UPDATE users SET disabled = 1, updated_at_us = $1 WHERE id = $2",
                               {ToUnixMicros(clock.Now()), u.id}));
    RETURN_IF_ERROR(tx.Execute("DELETE FROM sessions WHERE user_id = $1", {u.id}));
    RETURN_IF_ERROR(tx.Execute("UPDATE api_tokens SET revoked = 1 WHERE user_id = $1", {u.id}));
    u.disabled = true;
    ledger::AuditEntry e = Audit(by, "user.disable", u);
    e.before = before.dump();
    e.after = AuditJson(u).dump();
    return ledger::AppendAudit(tx, e, clock);
  });
}

StatusOr<std::string> CreateApiToken(Connection& conn, const Principal& by, const Clock& clock,
                                     Random& random, std::string_view username,
                                     std::string_view name, int ttl_days) {
  RETURN_IF_ERROR(RequireUserAdmin(by));
  if (name.empty() || name.size() > 64) {
    return Status(StatusCode::kInvalidArgument, "token name must have 1–64 characters",
                  "令牌名称须为 1–64 个字符", "name");
  }
  if (ttl_days < 0 || ttl_days > 3650) {
    return Status(StatusCode::kInvalidArgument, "ttl_days must be between 0 and 3650",
                  "有效天数须在 0 到 3650 之间", "ttl_days");
  }
  // "egt_" marks edugov tokens so leaked ones are easy to grep for.
  std::string token = "egt_" + random.Hex(32);
  Status s = storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(User u, ScopedUser(tx, by, "WHERE u.username = $1", std::string(username)));
    const int64_t now = ToUnixMicros(clock.Now());
    const int64_t expires =
        ttl_days == 0 ? 0 : now + int64_t{ttl_days} * 86'400LL * 1'000'000LL;
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at_us, expires_at_us) "
        "VALUES ($1,$2,$3,$4,$5)",
        {Authenticator::HashToken(token), u.id, std::string(name), now, expires}));
    ledger::AuditEntry e = Audit(by, "user.api_token.create", u);
    e.after = nlohmann::json({{"name", name}, {"expires_at_us", expires}}).dump();
    return ledger::AppendAudit(tx, e, clock);
  });
  RETURN_IF_ERROR(s);
  return token;
}

}  // namespace edugov::accounts
