// /api/v1/users: account administration for bureau leadership.
#include "accounts/authenticator.h"
#include "accounts/users.h"
#include "http/app.h"
#include "http/json_input.h"
#include "http/user_json.h"

namespace edugov::http {

namespace {

StatusOr<accounts::NewUser> ParseNewUser(std::string_view body) {
  ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(body, {"username", "display_name", "role",
                                                         "department", "org_id", "password"}));
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

}  // namespace

void RegisterUserHandlers(Router& router, App& app) {
  router.Add(Method::kGet, "/api/v1/users",
             Authed(app, [&app](Request& req, const accounts::Principal& p) -> Response {
               auto conn = app.db->Acquire();
               if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
               auto users = accounts::ListUsers(**conn, p);
               if (!users.ok()) return ErrorResponse(users.status(), req.lang);
               nlohmann::json items = nlohmann::json::array();
               for (const auto& u : *users) items.push_back(UserJson(u));
               return JsonResponse({{"items", std::move(items)}});
             }));

  router.Add(Method::kPost, "/api/v1/users",
             Authed(app, [&app](Request& req, const accounts::Principal& p) -> Response {
               auto nu = ParseNewUser(req.body);
               if (!nu.ok()) return ErrorResponse(nu.status(), req.lang);
               auto conn = app.db->Acquire();
               if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
               auto user = accounts::CreateUser(**conn, p, *app.clock, *nu);
               if (!user.ok()) return ErrorResponse(user.status(), req.lang);
               return JsonResponse(UserJson(*user), 201);
             }));

  router.Add(Method::kPost, "/api/v1/users/{id}/disable",
             Authed(app, [&app](Request& req, const accounts::Principal& p) -> Response {
               auto id = ParseId(req.path_params["id"]);
               if (!id.ok()) return ErrorResponse(id.status(), req.lang);
               auto conn = app.db->Acquire();
               if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
               Status s = accounts::DisableUser(**conn, p, *app.clock, *id);
               if (!s.ok()) return ErrorResponse(s, req.lang);
               app.auth->ForgetCachedSessionsOf(*id);
               return NoContent();
             }));

  router.Add(Method::kPost, "/api/v1/users/{id}/api-tokens",
             Authed(app, [&app](Request& req, const accounts::Principal& p) -> Response {
               auto id = ParseId(req.path_params["id"]);
               if (!id.ok()) return ErrorResponse(id.status(), req.lang);
               auto in = JsonInput::Parse(req.body, {"name", "ttl_days"});
               if (!in.ok()) return ErrorResponse(in.status(), req.lang);
               auto name = in->RequiredString("name");
               if (!name.ok()) return ErrorResponse(name.status(), req.lang);
               auto ttl = in->OptionalInt("ttl_days");
               if (!ttl.ok()) return ErrorResponse(ttl.status(), req.lang);
               auto conn = app.db->Acquire();
               if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
               auto users = accounts::ListUsers(**conn, p);
               if (!users.ok()) return ErrorResponse(users.status(), req.lang);
               std::string username;
               for (const auto& u : *users) {
                 if (u.id == *id) username = u.username;
               }
               if (username.empty()) {
                 return ErrorResponse(NotFoundError("user not found", "未找到该用户"), req.lang);
               }
               auto token = accounts::CreateApiToken(**conn, p, *app.clock, *app.random, username,
                                                     *name, static_cast<int>(ttl->value_or(90)));
               if (!token.ok()) return ErrorResponse(token.status(), req.lang);
               return JsonResponse({{"token", *token}}, 201);
             }));
}

}  // namespace edugov::http
