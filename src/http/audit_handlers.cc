// /api/v1/audit: reading the audit ledger (leadership, supervision, discipline).
#include <charconv>

#include "http/app.h"
#include "ledger/audit.h"

namespace edugov::http {

namespace {

bool MayReadAudit(const accounts::Principal& p) {
  using accounts::Role;
  return p.role == Role::kBureauLeader ||
         (p.role == Role::kBureauDept &&
          (p.department == "supervision" || p.department == "discipline"));
}

// Before/after are stored as JSON text; serve them as JSON values.
nlohmann::json JsonOrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

StatusOr<int64_t> QueryInt(const Request& req, std::string_view name, int64_t fallback) {
  std::optional<std::string> v = req.Query(name);
  if (!v || v->empty()) return fallback;
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size() || out < 0) {
    return Status(StatusCode::kInvalidArgument,
                  "query parameter '" + std::string(name) + "' must be a non-negative integer",
                  "查询参数 '" + std::string(name) + "' 必须是非负整数", std::string(name));
  }
  return out;
}

}  // namespace

void RegisterAuditHandlers(Router& router, App& app) {
  router.Add(Method::kGet, "/api/v1/audit",
             Authed(app, [&app](Request& req, const accounts::Principal& p) -> Response {
               if (!MayReadAudit(p)) {
                 return ErrorResponse(
                     PermissionDeniedError(
                         "the audit log is open to leadership, supervision and discipline only",
                         "审计日志仅对局领导、督导和纪检开放"),
                     req.lang);
               }
               auto before = QueryInt(req, "before", 0);
               if (!before.ok()) return ErrorResponse(before.status(), req.lang);
               auto limit = QueryInt(req, "limit", 50);
               if (!limit.ok()) return ErrorResponse(limit.status(), req.lang);
               auto conn = app.db->Acquire();
               if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
               auto records = ledger::ReadAudit(**conn, *before, static_cast<int>(*limit));
               if (!records.ok()) return ErrorResponse(records.status(), req.lang);
               nlohmann::json items = nlohmann::json::array();
               for (const auto& r : *records) {
                 items.push_back({{"seq", r.seq},
                                  {"at", FormatTimestamp(FromUnixMicros(r.at_us))},
                                  {"actor", r.entry.actor},
                                  {"action", r.entry.action},
                                  {"entity", r.entry.entity},
                                  {"entity_id", r.entry.entity_id},
                                  {"before", JsonOrNull(r.entry.before)},
                                  {"after", JsonOrNull(r.entry.after)},
                                  {"hash", r.hash}});
               }
               return JsonResponse({{"items", std::move(items)}});
             }));
}

}  // namespace edugov::http
