// The authentication filter: AuthenticateRequest() decides who is calling;
// route.h applies it to every route that is not Public().
#include <sodium.h>

#include "accounts/authenticator.h"
#include "http/app.h"
#include "http/route.h"

namespace edugov::http {

namespace {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IsSafeMethod(Method m) {
  return m == Method::kGet || m == Method::kHead || m == Method::kOptions;
}

}  // namespace

StatusOr<accounts::Principal> AuthenticateRequest(App& app, const Request& req) {
  std::string authorization = req.Header("authorization");
  if (authorization.rfind("Bearer ", 0) == 0) {
    // Machine clients: the token itself is the proof, there is no ambient
    // cookie a forged cross-site request could ride on, so no CSRF check.
    return app.auth->AuthenticateApiToken(authorization.substr(7));
  }
  std::optional<std::string> cookie = req.Cookie("edugov_session");
  if (!cookie) return UnauthenticatedError("please sign in", "请先登录");
  ASSIGN_OR_RETURN(accounts::SessionInfo session, app.auth->AuthenticateSession(*cookie));
  if (!IsSafeMethod(req.method) &&
      !ConstantTimeEquals(req.Header("x-csrf-token"), session.csrf_token)) {
    return PermissionDeniedError("missing or wrong CSRF token (X-CSRF-Token header)",
                                 "缺少或错误的 CSRF 令牌(X-CSRF-Token 请求头)");
  }
  return std::move(session.principal);
}

}  // namespace edugov::http
