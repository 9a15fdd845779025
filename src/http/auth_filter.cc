// Authed(): the gate every scoped endpoint passes through (see app.h).
#include <sodium.h>

#include "accounts/authenticator.h"
#include "http/app.h"

namespace edugov::http {

namespace {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IsSafeMethod(Method m) {
  return m == Method::kGet || m == Method::kHead || m == Method::kOptions;
}

}  // namespace

Handler Authed(App& app, AuthedHandler handler) {
  return [&app, handler = std::move(handler)](Request& req) -> Response {
    std::string authorization = req.Header("authorization");
    accounts::Principal principal;
    if (authorization.rfind("Bearer ", 0) == 0) {
      // Machine clients: the token itself is the proof, there is no ambient
      // cookie a forged cross-site request could ride on, so no CSRF check.
      auto p = app.auth->AuthenticateApiToken(authorization.substr(7));
      if (!p.ok()) return ErrorResponse(p.status(), req.lang);
      principal = std::move(*p);
    } else {
      std::optional<std::string> cookie = req.Cookie("edugov_session");
      if (!cookie) {
        return ErrorResponse(UnauthenticatedError("please sign in", "请先登录"), req.lang);
      }
      auto session = app.auth->AuthenticateSession(*cookie);
      if (!session.ok()) return ErrorResponse(session.status(), req.lang);
      if (!IsSafeMethod(req.method) &&
          !ConstantTimeEquals(req.Header("x-csrf-token"), session->csrf_token)) {
        return ErrorResponse(
            PermissionDeniedError("missing or wrong CSRF token (X-CSRF-Token header)",
                                  "缺少或错误的 CSRF 令牌(X-CSRF-Token 请求头)"),
            req.lang);
      }
      principal = std::move(session->principal);
    }
    Response resp = handler(req, principal);
    resp.log_note = "user=" + principal.username;
    return resp;
  };
}

}  // namespace edugov::http
