// /api/v1/auth/* and /api/v1/me: sign-in, sign-out, who am I.
#include "accounts/authenticator.h"
#include "accounts/users.h"
#include "http/app.h"
#include "http/json_input.h"
#include "http/user_json.h"

namespace edugov::http {

namespace {

constexpr std::string_view kSessionCookie = "edugov_session";
constexpr std::string_view kCsrfCookie = "edugov_csrf";

StatusOr<nlohmann::json> UserJsonFor(App& app, std::string_view username) {
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, app.db->Acquire());
  ASSIGN_OR_RETURN(accounts::User u, accounts::GetUserByUsername(*conn, username));
  return UserJson(u);
}

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

}  // namespace

void RegisterAuthHandlers(Router& router, App& app) {
  router.Add(Method::kPost, "/api/v1/auth/login", [&app](Request& req) -> Response {
    auto in = JsonInput::Parse(req.body, {"username", "password"});
    if (!in.ok()) return ErrorResponse(in.status(), req.lang);
    auto username = in->RequiredString("username");
    if (!username.ok()) return ErrorResponse(username.status(), req.lang);
    auto password = in->RequiredString("password");
    if (!password.ok()) return ErrorResponse(password.status(), req.lang);

    auto login = app.auth->Login(*username, *password, req.remote_address);
    if (!login.ok()) {
      Response r = ErrorResponse(login.status(), req.lang);
      r.log_note = "login-failed";
      return r;
    }
    auto user = UserJsonFor(app, *username);
    if (!user.ok()) return ErrorResponse(user.status(), req.lang);
    const int64_t max_age =
        (ToUnixMicros(login->expires_at) - ToUnixMicros(app.clock->Now())) / 1'000'000;
    Response resp = JsonResponse({{"user", *user},
                                  {"csrf_token", login->csrf_token},
                                  {"expires_at", FormatTimestamp(login->expires_at)}});
    SetSessionCookies(resp, login->session_token, login->csrf_token, max_age, app.secure_cookies);
    resp.log_note = "user=" + *username;
    return resp;
  });

  router.Add(Method::kPost, "/api/v1/auth/logout",
             Authed(app, [&app](Request& req, const accounts::Principal&) -> Response {
               Status s = app.auth->Logout(req.Cookie(kSessionCookie).value_or(""));
               if (!s.ok()) return ErrorResponse(s, req.lang);
               Response resp = NoContent();
               SetSessionCookies(resp, "", "", 0, app.secure_cookies);
               return resp;
             }));

  router.Add(Method::kGet, "/api/v1/me",
             Authed(app, [&app](Request& req, const accounts::Principal& p) -> Response {
               auto user = UserJsonFor(app, p.username);
               if (!user.ok()) return ErrorResponse(user.status(), req.lang);
               nlohmann::json body = {{"user", *user}};
               if (!p.via_api_token) {
                 auto session = app.auth->AuthenticateSession(
                     req.Cookie(kSessionCookie).value_or(""));
                 if (session.ok()) {
                   body["csrf_token"] = session->csrf_token;
                   body["expires_at"] = FormatTimestamp(session->expires_at);
                 }
               }
               return JsonResponse(body);
             }));

  router.Add(Method::kPost, "/api/v1/me/password",
             Authed(app, [&app](Request& req, const accounts::Principal& p) -> Response {
               auto in = JsonInput::Parse(req.body, {"old_password", "new_password"});
               if (!in.ok()) return ErrorResponse(in.status(), req.lang);
               auto old_pw = in->RequiredString("old_password");
               if (!old_pw.ok()) return ErrorResponse(old_pw.status(), req.lang);
               auto new_pw = in->RequiredString("new_password");
               if (!new_pw.ok()) return ErrorResponse(new_pw.status(), req.lang);
               auto conn = app.db->Acquire();
               if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
               Status s = accounts::ChangeOwnPassword(**conn, p, *app.clock, *old_pw, *new_pw);
               if (!s.ok()) return ErrorResponse(s, req.lang);
               app.auth->ForgetCachedSessionsOf(p.user_id);
               return NoContent();
             }));
}

}  // namespace edugov::http
