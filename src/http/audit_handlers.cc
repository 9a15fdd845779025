// /api/v1/audit: reading the audit ledger (leadership, supervision, discipline).
#include "http/app.h"
#include "http/query_params.h"
#include "http/route.h"
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

StatusOr<nlohmann::json> ReadAudit(RouteContext& c) {
  if (!MayReadAudit(c.principal())) {
    return PermissionDeniedError(
        "the audit log is open to leadership, supervision and discipline only",
        "审计日志仅对局领导、督导和纪检开放");
  }
  // Keyset paging on the ledger's sequence: ?before=<seq>&limit=N.
  ASSIGN_OR_RETURN(int64_t before, QueryNumber(c.req(), "before", 0, 0, 999'999'999'999));
  ASSIGN_OR_RETURN(int64_t limit, QueryNumber(c.req(), "limit", 50, 0, 1000));
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(auto records, ledger::ReadAudit(*conn, before, static_cast<int>(limit)));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : records) {
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
  return nlohmann::json{{"items", std::move(items)}};
}

}  // namespace

void RegisterAuditHandlers(Router& router, App& app) {
  RouteBuilder(router, app).Get("/api/v1/audit").Json(ReadAudit);
}

}  // namespace edugov::http
