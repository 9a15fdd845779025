// `edugov user add|list|passwd|disable|token`: account administration from
// the command line, acting as SystemPrincipal() (audited as "cli").
#include <cstdio>
#include <iostream>

#include "accounts/users.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "registry/registry.h"

namespace edugov::cli {

namespace {

struct UserArgs {
  std::string db = DefaultDbUrl();
  std::string username;
  std::string display_name;
  std::string role;
  std::string department;
  std::string org;  // id or code
  std::string password;
  bool password_given = false;
  std::string token_name = "cli";
  int ttl_days = 90;
};

// The password from --password, else the first line of standard input
// (so it stays out of the shell history and `ps`).
std::string PasswordFrom(const UserArgs& a) {
  if (a.password_given) return a.password;
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

StatusOr<int64_t> ResolveOrg(storage::Connection& conn, const std::string& org) {
  ASSIGN_OR_RETURN(std::optional<int64_t> id, registry::ResolveOrgIdOrCodeUnscoped(conn, org));
  if (!id) {
    return Status(StatusCode::kNotFound, "no organisation with id or code '" + org + "'",
                  "没有 id 或代码为 '" + org + "' 的机构", "org");
  }
  return *id;
}

template <typename Fn>
void WithConnection(const std::string& url, int* exit_code, Fn fn) {
  auto db = OpenDatabase(url, /*require_current_schema=*/true);
  if (!db.ok()) { *exit_code = ReportError(db.status()); return; }
  auto conn = (*db)->Acquire();
  if (!conn.ok()) { *exit_code = ReportError(conn.status()); return; }
  Status s = fn(**conn);
  *exit_code = s.ok() ? 0 : ReportError(s);
}

}  // namespace

void RegisterUserCommands(CLI::App& app, int* exit_code) {
  auto* user = app.add_subcommand("user", "User accounts / 用户账号");
  user->require_subcommand(1);
  auto a = std::make_shared<UserArgs>();
  auto db_opt = [a](CLI::App* c) {
    c->add_option("--db", a->db, "sqlite:PATH or postgresql://…");
  };
  auto pw_opt = [a](CLI::App* c) {
    c->add_option("--password", a->password, "the password (default: read one line from stdin)")
        ->each([a](const std::string&) { a->password_given = true; });
  };

  auto* add = user->add_subcommand("add", "Create a user / 新建用户");
  db_opt(add);
  add->add_option("--username", a->username, "login name")->required();
  add->add_option("--display-name", a->display_name, "name shown in the UI")->required();
  add->add_option("--role", a->role,
                  "bureau_leader|bureau_dept|township|school|teacher|inspector")->required();
  add->add_option("--department", a->department, "for bureau_dept: supervision, discipline, …");
  add->add_option("--org", a->org, "id or code of the org the user is bound to")->required();
  pw_opt(add);
  add->callback([a, exit_code] {
    WithConnection(a->db, exit_code, [&](storage::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(int64_t org_id, ResolveOrg(conn, a->org));
      accounts::NewUser nu{a->username, a->display_name, a->role, a->department, org_id,
                           PasswordFrom(*a)};
      ASSIGN_OR_RETURN(accounts::User u,
                       accounts::CreateUser(conn, accounts::SystemPrincipal(), RealClock(), nu));
      std::printf("edugov: user %s (id %lld) created at %s\n", u.username.c_str(),
                  static_cast<long long>(u.id), u.org_name.c_str());
      return OkStatus();
    });
  });

  auto* list = user->add_subcommand("list", "List users / 用户列表");
  db_opt(list);
  list->callback([a, exit_code] {
    WithConnection(a->db, exit_code, [&](storage::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(auto users, accounts::ListUsers(conn, accounts::SystemPrincipal()));
      std::printf("%-6s %-16s %-14s %-16s %-10s %s\n", "id", "username", "role", "department",
                  "disabled", "org");
      for (const auto& u : users) {
        std::printf("%-6lld %-16s %-14s %-16s %-10s %s\n", static_cast<long long>(u.id),
                    u.username.c_str(), std::string(accounts::RoleName(u.role)).c_str(),
                    u.department.c_str(), u.disabled ? "yes" : "no", u.org_name.c_str());
      }
      return OkStatus();
    });
  });

  auto* passwd = user->add_subcommand("passwd", "Set a user's password / 重置密码");
  db_opt(passwd);
  passwd->add_option("--username", a->username, "login name")->required();
  pw_opt(passwd);
  passwd->callback([a, exit_code] {
    WithConnection(a->db, exit_code, [&](storage::Connection& conn) -> Status {
      RETURN_IF_ERROR(accounts::SetPassword(conn, accounts::SystemPrincipal(), RealClock(),
                                            a->username, PasswordFrom(*a)));
      std::printf("edugov: password of %s changed; their sessions ended\n", a->username.c_str());
      return OkStatus();
    });
  });

  auto* disable = user->add_subcommand("disable", "Disable a user / 停用用户");
  db_opt(disable);
  disable->add_option("--username", a->username, "login name")->required();
  disable->callback([a, exit_code] {
    WithConnection(a->db, exit_code, [&](storage::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(accounts::User u, accounts::GetUserByUsername(conn, a->username));
      RETURN_IF_ERROR(accounts::DisableUser(conn, accounts::SystemPrincipal(), RealClock(), u.id));
      std::printf("edugov: user %s disabled\n", a->username.c_str());
      return OkStatus();
    });
  });

  auto* token = user->add_subcommand("token", "Issue an API token for a machine client / 签发 API 令牌");
  db_opt(token);
  token->add_option("--username", a->username, "the user the client acts as")->required();
  token->add_option("--name", a->token_name, "what the token is for");
  token->add_option("--ttl-days", a->ttl_days, "days until it expires (0 = never)");
  token->callback([a, exit_code] {
    WithConnection(a->db, exit_code, [&](storage::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(std::string t,
                       accounts::CreateApiToken(conn, accounts::SystemPrincipal(), RealClock(),
                                                SecureRandom(), a->username, a->token_name,
                                                a->ttl_days));
      std::printf("%s\n", t.c_str());
      return OkStatus();
    });
  });
}

}  // namespace edugov::cli
