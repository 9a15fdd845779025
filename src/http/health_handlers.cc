// GET /api/v1/health: for load balancers and the deploy script. Cheap by
// design: with a database configured it pings it (storage/ping.h), nothing
// more. A bare router route rather than a RouteBuilder one (route.h): it is
// public, needs no filter but the mapper, and lives in the server core,
// whose tests link no accounts module.
#include <nlohmann/json.hpp>

#include "http/app.h"
#include "storage/ping.h"

namespace edugov::http {

namespace {

constexpr const char* kVersion = "0.1.0";

}  // namespace

void RegisterHealthHandlers(Router& router, App& app) {
  storage::Database* db = app.db;  // outlives the router (app.h)
  const bool demo = app.demo_data;
  router.Add(Method::kGet, "/api/v1/health", [db, demo](Request& req) {
    nlohmann::json body = {{"status", "ok"}, {"version", kVersion}};
    // The UI labels synthetic data so nobody mistakes the demo for a county.
    if (demo) body["demo"] = true;
    if (db != nullptr) {
      Status s = storage::Ping(*db);
      if (!s.ok()) {
        body["status"] = "degraded";
        body["error"] = {{"code", StatusCodeName(s.code())}, {"message", s.message(req.lang)}};
        Response res = JsonResponse(body, 503);
        res.log_note = "db=" + s.ToString();
        return res;
      }
    }
    return JsonResponse(body);
  });
}

}  // namespace edugov::http
