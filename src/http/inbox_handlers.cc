// /api/v1/inbox and /api/v1/webhooks (inbox_handlers.h lists the routes):
// thin wrappers over src/notify, which filters every inbox read and write on
// the caller's own user id.
#include "http/inbox_handlers.h"

#include <nlohmann/json.hpp>

#include "http/json_input.h"
#include "notify/inbox.h"
#include "notify/webhooks.h"

namespace edugov::http {
namespace {

using accounts::Principal;

nlohmann::json TimeOrNull(std::optional<int64_t> us) {
  if (!us) return nullptr;
  return FormatTimestamp(FromUnixMicros(*us));
}

nlohmann::json WebhookJson(const notify::Webhook& w) {
  return {{"id", w.id},
          {"name", w.name},
          {"url", w.url_redacted},
          {"flavor", w.flavor},
          {"kinds", w.kinds},
          {"enabled", w.enabled},
          {"created_at", FormatTimestamp(FromUnixMicros(w.created_at_us))},
          {"pending", w.pending},
          {"sent", w.sent},
          {"failed", w.failed},
          {"last_error", w.last_error}};
}

Status LeadersOnly(const Principal& p) {
  if (p.role == accounts::Role::kBureauLeader) return OkStatus();
  return PermissionDeniedError("webhooks are managed by the bureau's leaders only",
                               "机器人(Webhook)仅由局领导管理");
}

StatusOr<int> LimitParam(const Request& req) {
  auto text = req.Query("limit");
  if (!text) return 50;
  int v = 0;
  bool ok = !text->empty() && text->size() <= 4;
  for (char c : *text) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) v = v * 10 + (c - '0');
  }
  if (!ok || v < 1 || v > 500) {
    return Status(StatusCode::kInvalidArgument, "limit must be an integer in 1…500",
                  "limit 须为 1…500 之间的整数", "limit");
  }
  return v;
}

StatusOr<bool> UnreadParam(const Request& req) {
  auto text = req.Query("unread");
  if (!text || *text == "0" || *text == "false") return false;
  if (*text == "1" || *text == "true") return true;
  return Status(StatusCode::kInvalidArgument, "unread must be 1 or 0", "unread 须为 1 或 0",
                "unread");
}

Response Inbox(App& app, Request& req, const Principal& p) {
  auto unread = UnreadParam(req);
  if (!unread.ok()) return ErrorResponse(unread.status(), req.lang);
  auto limit = LimitParam(req);
  if (!limit.ok()) return ErrorResponse(limit.status(), req.lang);
  auto conn = app.db->Acquire();
  if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
  auto page = notify::ReadInbox(**conn, p.user_id, *unread, *limit);
  if (!page.ok()) return ErrorResponse(page.status(), req.lang);
  nlohmann::json items = nlohmann::json::array();
  for (const notify::InboxItem& it : page->items) {
    items.push_back({{"id", it.id},
                     {"kind", it.kind},
                     {"title", it.title},
                     {"body", it.body},
                     {"case_id", it.case_id > 0 ? nlohmann::json(it.case_id) : nlohmann::json(nullptr)},
                     {"created_at", FormatTimestamp(FromUnixMicros(it.created_at_us))},
                     {"read_at", TimeOrNull(it.read_at_us)}});
  }
  return JsonResponse({{"items", std::move(items)}, {"unread", page->unread}});
}

Response MarkRead(App& app, Request& req, const Principal& p) {
  auto id = ParseId(req.path_params["id"]);
  if (!id.ok()) return ErrorResponse(id.status(), req.lang);
  auto conn = app.db->Acquire();
  if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
  Status s = notify::MarkRead(**conn, p.user_id, p.username, *id, *app.clock);
  if (!s.ok()) return ErrorResponse(s, req.lang);
  auto page = notify::ReadInbox(**conn, p.user_id, /*unread_only=*/true, 1);
  if (!page.ok()) return ErrorResponse(page.status(), req.lang);
  return JsonResponse({{"id", *id}, {"unread", page->unread}});
}

Response ListHooks(App& app, Request& req, const Principal& p) {
  if (Status s = LeadersOnly(p); !s.ok()) return ErrorResponse(s, req.lang);
  auto conn = app.db->Acquire();
  if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
  auto hooks = notify::ListWebhooks(**conn);
  if (!hooks.ok()) return ErrorResponse(hooks.status(), req.lang);
  nlohmann::json items = nlohmann::json::array();
  for (const notify::Webhook& w : *hooks) items.push_back(WebhookJson(w));
  return JsonResponse({{"items", std::move(items)}});
}

StatusOr<notify::WebhookInput> ParseWebhook(const std::string& body) {
  ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(body, {"name", "url", "flavor", "kinds", "enabled"}));
  notify::WebhookInput w;
  ASSIGN_OR_RETURN(w.name, in.RequiredString("name"));
  ASSIGN_OR_RETURN(w.url, in.RequiredString("url"));
  ASSIGN_OR_RETURN(std::optional<std::string> flavor, in.OptionalString("flavor"));
  if (flavor) w.flavor = *flavor;
  ASSIGN_OR_RETURN(std::optional<std::string> kinds, in.OptionalString("kinds"));
  if (kinds) w.kinds = *kinds;
  ASSIGN_OR_RETURN(std::optional<bool> enabled, in.OptionalBool("enabled"));
  if (enabled) w.enabled = *enabled;
  return w;
}

Response CreateHook(App& app, Request& req, const Principal& p) {
  if (Status s = LeadersOnly(p); !s.ok()) return ErrorResponse(s, req.lang);
  auto input = ParseWebhook(req.body);
  if (!input.ok()) return ErrorResponse(input.status(), req.lang);
  auto conn = app.db->Acquire();
  if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
  auto w = notify::CreateWebhook(**conn, *input, p.user_id, p.username, *app.clock);
  if (!w.ok()) return ErrorResponse(w.status(), req.lang);
  return JsonResponse(WebhookJson(*w), 201);
}

Response UpdateHook(App& app, Request& req, const Principal& p) {
  if (Status s = LeadersOnly(p); !s.ok()) return ErrorResponse(s, req.lang);
  auto id = ParseId(req.path_params["id"]);
  if (!id.ok()) return ErrorResponse(id.status(), req.lang);
  auto in = JsonInput::Parse(req.body, {"enabled"});
  if (!in.ok()) return ErrorResponse(in.status(), req.lang);
  auto enabled = in->OptionalBool("enabled");
  if (!enabled.ok()) return ErrorResponse(enabled.status(), req.lang);
  if (!*enabled) {
    return ErrorResponse(Status(StatusCode::kInvalidArgument, "enabled is required",
                                "缺少 enabled", "enabled"),
                         req.lang);
  }
  auto conn = app.db->Acquire();
  if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
  auto w = notify::SetWebhookEnabled(**conn, *id, **enabled, p.user_id, p.username, *app.clock);
  if (!w.ok()) return ErrorResponse(w.status(), req.lang);
  return JsonResponse(WebhookJson(*w));
}

}  // namespace

void RegisterInboxHandlers(Router& router, App& app) {
  router.Add(Method::kGet, "/api/v1/inbox",
             Authed(app, [&app](Request& req, const Principal& p) { return Inbox(app, req, p); }));
  router.Add(Method::kPost, "/api/v1/inbox/{id}/read",
             Authed(app, [&app](Request& req, const Principal& p) { return MarkRead(app, req, p); }));
  router.Add(Method::kGet, "/api/v1/webhooks",
             Authed(app, [&app](Request& req, const Principal& p) { return ListHooks(app, req, p); }));
  router.Add(Method::kPost, "/api/v1/webhooks",
             Authed(app, [&app](Request& req, const Principal& p) { return CreateHook(app, req, p); }));
  router.Add(Method::kPost, "/api/v1/webhooks/{id}",
             Authed(app, [&app](Request& req, const Principal& p) { return UpdateHook(app, req, p); }));
}

}  // namespace edugov::http
