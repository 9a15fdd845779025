// /api/v1/users: account administration for bureau leadership.
#include "accounts/authenticator.h"
#include "accounts/users.h"
#include "http/app.h"
#include "http/json_input.h"
#include "http/list_export.h"
#include "http/route.h"
#include "http/user_json.h"

namespace edugov::http {

namespace {

StatusOr<accounts::NewUser> ParseNewUser(const JsonInput& in) {
  accounts::NewUser u;
  ASSIGN_OR_RETURN(u.username, in.RequiredString("username"));
  ASSIGN_OR_RETURN(u.display_name, in.RequiredString("display_name"));
  ASSIGN_OR_RETURN(u.role, in.RequiredString("role"));
  ASSIGN_OR_RETURN(std::optional<std::string> dept, in.OptionalString("department"));
  u.department = dept.value_or("");
  ASSIGN_OR_RETURN(u.org_id, in.RequiredInt("org_id"));
  ASSIGN_OR_RETURN(u.password, in.RequiredString("password"));
  return u;
}

StatusOr<nlohmann::json> ListUsers(RouteContext& c) {
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(auto users, accounts::ListUsers(*conn, c.principal()));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& u : users) items.push_back(UserJson(u));
  return nlohmann::json{{"items", std::move(items)}};
}

// 导出: the same scoped list as GET /users, as .xlsx.
StatusOr<Response> ExportUsers(RouteContext& c) {
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(auto users, accounts::ListUsers(*conn, c.principal()));
  auto named = [](std::string pointer, std::vector<std::pair<std::string, std::string>> zh) {
    return [pointer = std::move(pointer), zh = std::move(zh)](const nlohmann::json& item, Lang lang) -> tabular::XlsxCell {
      const std::string v = item.value(pointer, "");
      if (lang == Lang::kZh) {
        for (const auto& [key, label] : zh) {
          if (key == v) return label;
        }
      }
      return v;
    };
  };
  std::vector<ExportColumn> columns = {
      JsonColumn("用户名", "Username", "/username", 16),
      JsonColumn("姓名", "Display name", "/display_name", 16),
      {"角色", "Role", named("role", {{"bureau_leader", "局领导"}, {"bureau_dept", "局机关科室"},
                                      {"township", "乡镇中心学校"}, {"school", "学校"},
                                      {"teacher", "教师"}, {"inspector", "督学"}}), 14},
      {"科室", "Department", named("department", {{"supervision", "督导室"}, {"petitions", "信访办"},
                                                  {"discipline", "纪工委"}, {"hr", "组织人事"},
                                                  {"party", "党工委"}, {"safety", "安全"},
                                                  {"student_aid", "学生资助"}, {"basic_education", "基础教育"},
                                                  {"finance", "计划财务"}}), 12},
      JsonColumn("所属单位", "Org", "/org_name", 24),
      JsonColumn("已停用", "Disabled", "/disabled", 8)};
  return ExportXlsx(c, {"用户清单", "users"}, columns, [&](int64_t offset, int64_t limit) -> StatusOr<nlohmann::json> {
    nlohmann::json items = nlohmann::json::array();
    for (int64_t i = offset; i < offset + limit && i < static_cast<int64_t>(users.size()); ++i) {
      items.push_back(UserJson(users[static_cast<size_t>(i)]));
    }
    return items;
  });
}

StatusOr<nlohmann::json> CreateUser(RouteContext& c) {
  ASSIGN_OR_RETURN(accounts::NewUser nu, ParseNewUser(c.body()));
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(accounts::User user, accounts::CreateUser(*conn, c.principal(), *c.app().clock, nu));
  return UserJson(user);
}

StatusOr<nlohmann::json> DisableUser(RouteContext& c) {
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  RETURN_IF_ERROR(accounts::DisableUser(*conn, c.principal(), *c.app().clock, c.Id()));
  c.app().auth->ForgetCachedSessionsOf(c.Id());
  return nlohmann::json();
}

StatusOr<nlohmann::json> CreateToken(RouteContext& c) {
  ASSIGN_OR_RETURN(std::string name, c.body().RequiredString("name"));
  ASSIGN_OR_RETURN(std::optional<int64_t> ttl, c.body().OptionalInt("ttl_days"));
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  // The user, if the caller may manage them (ListUsers is scoped).
  ASSIGN_OR_RETURN(auto users, accounts::ListUsers(*conn, c.principal()));
  std::string username;
  for (const auto& u : users) {
    if (u.id == c.Id()) username = u.username;
  }
  if (username.empty()) return NotFoundError("user not found", "未找到该用户");
  ASSIGN_OR_RETURN(std::string token,
                   accounts::CreateApiToken(*conn, c.principal(), *c.app().clock, *c.app().random,
                                            username, name, static_cast<int>(ttl.value_or(90))));
  return nlohmann::json{{"token", token}};
}

}  // namespace

void RegisterUserHandlers(Router& router, App& app) {
  RouteBuilder routes(router, app);
  routes.Get("/api/v1/users").Json(ListUsers);
  routes.Get("/api/v1/users/export.xlsx").Options({.heavy = true, .reads_only = true}).Raw(ExportUsers);
  routes.Post("/api/v1/users")
      .JsonBody({"username", "display_name", "role", "department", "org_id", "password"})
      .Returns(201)
      .Json(CreateUser);
  routes.Post("/api/v1/users/{id}/disable").Ids({"id"}).Returns(204).Json(DisableUser);
  routes.Post("/api/v1/users/{id}/api-tokens").Ids({"id"}).JsonBody({"name", "ttl_days"})
      .Returns(201).Json(CreateToken);
}

}  // namespace edugov::http
