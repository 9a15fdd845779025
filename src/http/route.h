// One way to write a route. A route is declared where it is registered —
// method, pattern, who may call it, which path captures are ids, whether it
// pages, which JSON fields its body may carry, what it answers on success —
// and its handler receives a RouteContext holding all of that already
// parsed and checked. The handler returns a value or an error; everything
// else is a filter the builder wraps around every handler, in this order:
//
//   1. authentication: session cookie or "Authorization: Bearer <api token>"
//      (401 without either); for cookie sessions, methods other than
//      GET/HEAD/OPTIONS must carry the session's CSRF token in X-CSRF-Token
//      (403). Public() routes skip this and have no principal.
//   2. path ids declared with Ids(): decimal, > 0, at most int64; anything
//      else is 404 naming the capture (a malformed id names no resource,
//      exactly like an id outside the caller's subtree — nothing leaks).
//   3. paging declared with Paged(): ?offset and ?limit within the declared
//      bounds, else 400 naming the parameter and the range.
//   4. the JSON body declared with JsonBody(): an object with known fields
//      only, else 400 naming the field (json_input.h).
//   5. the handler.
//   6. error mapping: a non-OK Status becomes {"error":{code,message,field}}
//      with the HTTP status from error_mapping.cc (the only mapper) and the
//      message in the request's language (Accept-Language: zh unless the
//      client prefers English).
//   7. "Cache-Control: no-store" on every answer that did not set its own
//      (API answers carry data for one signed-in reader).
//   8. the access-log note: "user=<name>" for signed-in routes, followed by
//      whatever the handler added with LogNote(). Never sent to the client.
//
// Example:
//
//   RouteBuilder routes(router, app);
//   routes.Get("/api/v1/orgs/{id}/staff").Ids({"id"}).Paged({.max_limit = 1000})
//       .Json([](RouteContext& c) -> StatusOr<nlohmann::json> {
//         ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
//         ASSIGN_OR_RETURN(auto page, registry::ListStaff(*conn, c.principal(), c.Id("id"),
//                                                         {.offset = c.paging().offset,
//                                                          .limit = c.paging().limit}));
//         return StaffPageJson(page);
//       });
//   routes.Post("/api/v1/orgs").JsonBody({"name", "kind"}).Returns(201).Json(CreateOrg);
//   routes.Get("/api/v1/reports/complaints").Options({.heavy = true})
//       .Raw([](RouteContext& c) -> StatusOr<Response> { ... a PDF ... });
//
// Lifetimes: `app` (and everything it points to) and the handlers' captures
// must outlive the router. A Route registers itself when Json() or Raw() is
// called; a Route dropped without either registers nothing.
// Thread safety: registering is not thread-safe (do it before the server
// starts); the built handlers are, provided the handlers' captures are.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "accounts/principal.h"
#include "common/status.h"
#include "http/app.h"
#include "http/json_input.h"
#include "http/request.h"
#include "http/router.h"
#include "storage/database.h"

namespace edugov::http {

// Bounds of ?offset and ?limit for a Paged() route.
struct PagingSpec {
  int64_t default_limit = 50;
  int64_t min_limit = 1;
  int64_t max_limit = 500;
  int64_t max_offset = 1'000'000'000;
};

struct Paging {
  int64_t offset = 0;
  int64_t limit = 50;
};

// What a handler sees. Owned by the built handler; valid only during the
// call; not thread-safe (one request, one thread).
class RouteContext {
 public:
  RouteContext(Request& req, App& app) : req_(req), app_(app) {}
  RouteContext(const RouteContext&) = delete;
  RouteContext& operator=(const RouteContext&) = delete;

  Request& req() { return req_; }
  const Request& req() const { return req_; }
  App& app() { return app_; }
  Lang lang() const { return req_.lang; }

  // The signed-in caller. Only on routes that are not Public() (asserted).
  const accounts::Principal& principal() const;
  // Whether a caller signed in (always true on routes that are not Public()).
  bool signed_in() const { return principal_.has_value(); }

  // A pooled connection, acquired on the first call and held until the
  // handler returns; kUnavailable when the database cannot be reached. The
  // pointer is owned by the context: do not keep it past the handler.
  StatusOr<storage::Connection*> Conn();
  // Gives the connection back early, before slow work that needs none (a
  // PDF print); a later Conn() acquires another.
  void ReleaseConn() { conn_.reset(); }

  // A path capture declared with Ids(); asserted to be declared.
  int64_t Id(std::string_view name = "id") const;
  // A path capture as text (e.g. a tracking code); empty when absent.
  const std::string& PathText(std::string_view name) const;
  // ?offset and ?limit of a Paged() route (asserted to be declared).
  const Paging& paging() const;
  // The body of a JsonBody() route (asserted to be declared).
  const JsonInput& body() const;

  // Appends to the access-log note ("import=12"); never sent to the client.
  void LogNote(std::string_view note);

 private:
  friend class Route;
  Request& req_;
  App& app_;
  std::optional<accounts::Principal> principal_;
  std::optional<storage::ConnectionHandle> conn_;
  std::vector<std::pair<std::string, int64_t>> ids_;
  std::optional<Paging> paging_;
  std::optional<JsonInput> body_;
  std::string log_note_;
};

// 200 (or the route's Returns() status) with the JSON; 204 routes send no body.
using JsonRouteHandler = std::function<StatusOr<nlohmann::json>(RouteContext&)>;
// The whole response (files, CSV, PDF, cookies, a status chosen at run time).
using RawRouteHandler = std::function<StatusOr<Response>(RouteContext&)>;

// One route being declared. Chain the declarations, then end with Json() or
// Raw(), which registers it.
class Route {
 public:
  Route(Router& router, App& app, Method method, std::string_view pattern);
  Route(Route&&) = default;

  // No sign-in; the handler has no principal. CSRF does not apply.
  Route& Public();
  // These {captures} are ids: parsed and checked before the handler runs.
  Route& Ids(std::initializer_list<std::string_view> names);
  // ?offset and ?limit, checked against `spec`.
  Route& Paged(PagingSpec spec = {});
  // The body is a JSON object with only these fields.
  Route& JsonBody(std::initializer_list<std::string_view> allowed_fields);
  // The status of a successful Json() answer (201 for creations; 204 sends
  // no body and ignores the returned JSON). Default 200.
  Route& Returns(int http_status);
  // Body limit and whether the handler runs on the worker pool (router.h).
  Route& Options(RouteOptions options);

  void Json(JsonRouteHandler handler);
  void Raw(RawRouteHandler handler);

 private:
  struct Spec {
    bool is_public = false;
    std::vector<std::string> ids;
    std::optional<PagingSpec> paging;
    std::optional<std::vector<std::string>> json_fields;
    int success_status = 200;
  };
  void Register(RawRouteHandler handler);

  Router* router_;
  App* app_;
  Method method_;
  std::string pattern_;
  Spec spec_;
  RouteOptions options_;
};

// Declares routes on one router for one App. Cheap to copy; both must
// outlive the routes (see above).
class RouteBuilder {
 public:
  RouteBuilder(Router& router, App& app) : router_(router), app_(app) {}
  Route Get(std::string_view pattern) { return Route(router_, app_, Method::kGet, pattern); }
  Route Post(std::string_view pattern) { return Route(router_, app_, Method::kPost, pattern); }
  Route Put(std::string_view pattern) { return Route(router_, app_, Method::kPut, pattern); }
  Route Patch(std::string_view pattern) { return Route(router_, app_, Method::kPatch, pattern); }
  Route Delete(std::string_view pattern) { return Route(router_, app_, Method::kDelete, pattern); }

 private:
  Router& router_;
  App& app_;
};

// The authentication filter on its own (session or bearer token, CSRF for
// unsafe methods on cookie sessions): the caller's principal, or
// kUnauthenticated / kPermissionDenied. Thread-safe.
StatusOr<accounts::Principal> AuthenticateRequest(App& app, const Request& req);

}  // namespace edugov::http
