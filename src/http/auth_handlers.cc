// /api/v1/auth/* and /api/v1/me: sign-in, sign-out, who am I.
#include "accounts/authenticator.h"
#include "accounts/users.h"
#include "http/app.h"
#include "http/json_input.h"
#include "http/route.h"
#include "http/user_json.h"

namespace edugov::http {

namespace {

constexpr std::string_view kSessionCookie = "edugov_session";
constexpr std::string_view kCsrfCookie = "edugov_csrf";

// Session cookie: HttpOnly so scripts never see it; SameSite=Strict so no
// other site's page can make the browser send it. The CSRF cookie is
// readable by our own scripts, which echo it in X-CSRF-Token.
void SetSessionCookies(Response& resp, const std::string& token, const std::string& csrf,
                       int64_t max_age_s, bool secure) {
  std::string attrs = "; Path=/; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (secure) attrs += "; Secure";
  resp.AddHeader("Set-Cookie", std::string(kSessionCookie) + "=" + token + attrs + "; HttpOnly");
  resp.AddHeader("Set-Cookie", std::string(kCsrfCookie) + "=" + csrf + attrs);
}

StatusOr<nlohmann::json> UserJsonFor(RouteContext& c, std::string_view username) {
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(accounts::User u, accounts::GetUserByUsername(*conn, username));
  return UserJson(u);
}

StatusOr<Response> Login(RouteContext& c) {
  App& app = c.app();
  ASSIGN_OR_RETURN(std::string username, c.body().RequiredString("username"));
  ASSIGN_OR_RETURN(std::string password, c.body().RequiredString("password"));
  auto login = app.auth->Login(username, password, c.req().remote_address);
  if (!login.ok()) {
    c.LogNote("login-failed");
    return login.status();
  }
  ASSIGN_OR_RETURN(nlohmann::json user, UserJsonFor(c, username));
  const int64_t max_age =
      (ToUnixMicros(login->expires_at) - ToUnixMicros(app.clock->Now())) / 1'000'000;
  Response resp = JsonResponse({{"user", std::move(user)},
                                {"csrf_token", login->csrf_token},
                                {"expires_at", FormatTimestamp(login->expires_at)}});
  SetSessionCookies(resp, login->session_token, login->csrf_token, max_age, app.secure_cookies);
  c.LogNote("user=" + username);
  return resp;
}

StatusOr<Response> Logout(RouteContext& c) {
  RETURN_IF_ERROR(c.app().auth->Logout(c.req().Cookie(kSessionCookie).value_or("")));
  Response resp = NoContent();
  SetSessionCookies(resp, "", "", 0, c.app().secure_cookies);
  return resp;
}

StatusOr<nlohmann::json> Me(RouteContext& c) {
  const accounts::Principal& p = c.principal();
  ASSIGN_OR_RETURN(nlohmann::json user, UserJsonFor(c, p.username));
  nlohmann::json body = {{"user", std::move(user)}};
  if (!p.via_api_token) {
    auto session = c.app().auth->AuthenticateSession(c.req().Cookie(kSessionCookie).value_or(""));
    if (session.ok()) {
      body["csrf_token"] = session->csrf_token;
      body["expires_at"] = FormatTimestamp(session->expires_at);
    }
  }
  return body;
}

StatusOr<nlohmann::json> ChangePassword(RouteContext& c) {
  ASSIGN_OR_RETURN(std::string old_pw, c.body().RequiredString("old_password"));
  ASSIGN_OR_RETURN(std::string new_pw, c.body().RequiredString("new_password"));
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  RETURN_IF_ERROR(accounts::ChangeOwnPassword(*conn, c.principal(), *c.app().clock, old_pw, new_pw));
  c.app().auth->ForgetCachedSessionsOf(c.principal().user_id);
  return nlohmann::json();
}

}  // namespace

void RegisterAuthHandlers(Router& router, App& app) {
  RouteBuilder routes(router, app);
  routes.Post("/api/v1/auth/login").Public().JsonBody({"username", "password"}).Raw(Login);
  routes.Post("/api/v1/auth/logout").Raw(Logout);
  routes.Get("/api/v1/me").Json(Me);
  routes.Post("/api/v1/me/password").JsonBody({"old_password", "new_password"}).Returns(204)
      .Json(ChangePassword);
}

}  // namespace edugov::http
