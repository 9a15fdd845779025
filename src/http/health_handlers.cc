// GET /api/v1/health: for load balancers and the deploy script. Cheap by
// design: with a database configured it borrows one connection and runs
// SELECT 1, nothing more.
#include <nlohmann/json.hpp>

#include "http/app.h"

namespace edugov::http {

namespace {

constexpr const char* kVersion = "0.1.0";

Status PingDatabase(storage::Database& db) {
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, db.Acquire());
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn->Query("SELECT 1"));
  if (rs.size() != 1) return InternalError("SELECT 1 returned no row", "SELECT 1 未返回结果");
  return OkStatus();
}

}  // namespace

void RegisterHealthHandlers(Router& router, App& app) {
  storage::Database* db = app.db;  // outlives the router (app.h)
  const bool demo = app.demo_data;
  router.Add(Method::kGet, "/api/v1/health", [db, demo](Request& req) {
    nlohmann::json body = {{"status", "ok"}, {"version", kVersion}};
    // The UI labels synthetic data so nobody mistakes the demo for a county.
    if (demo) body["demo"] = true;
    if (db != nullptr) {
      Status s = PingDatabase(*db);
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
