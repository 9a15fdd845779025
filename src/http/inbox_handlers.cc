// /api/v1/inbox and /api/v1/webhooks (inbox_handlers.h lists the routes):
// thin wrappers over src/notify, which filters every inbox read and write on
// the caller's own user id.
#include "http/inbox_handlers.h"

#include <nlohmann/json.hpp>

#include "http/json_input.h"
#include "http/query_params.h"
#include "http/route.h"
#include "notify/inbox.h"
#include "notify/webhook_targets.h"
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

StatusOr<bool> UnreadParam(const Request& req) {
  auto text = req.Query("unread");
  if (!text || *text == "0" || *text == "false") return false;
  if (*text == "1" || *text == "true") return true;
  return FieldError("unread", "unread must be 1 or 0", "unread 须为 1 或 0");
}

StatusOr<nlohmann::json> Inbox(RouteContext& c) {
  ASSIGN_OR_RETURN(bool unread, UnreadParam(c.req()));
  ASSIGN_OR_RETURN(int64_t limit, QueryNumber(c.req(), "limit", 50, 1, 500));
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(notify::InboxPage page,
                   notify::ReadInbox(*conn, c.principal().user_id, unread, static_cast<int>(limit)));
  nlohmann::json items = nlohmann::json::array();
  for (const notify::InboxItem& it : page.items) {
    items.push_back({{"id", it.id},
                     {"kind", it.kind},
                     {"title", it.title},
                     {"body", it.body},
                     {"case_id", it.case_id > 0 ? nlohmann::json(it.case_id) : nlohmann::json(nullptr)},
                     {"created_at", FormatTimestamp(FromUnixMicros(it.created_at_us))},
                     {"read_at", TimeOrNull(it.read_at_us)}});
  }
  return nlohmann::json{{"items", std::move(items)}, {"unread", page.unread}};
}

StatusOr<nlohmann::json> MarkRead(RouteContext& c) {
  const Principal& p = c.principal();
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  RETURN_IF_ERROR(notify::MarkRead(*conn, p.user_id, p.username, c.Id(), *c.app().clock));
  ASSIGN_OR_RETURN(notify::InboxPage page, notify::ReadInbox(*conn, p.user_id, /*unread_only=*/true, 1));
  return nlohmann::json{{"id", c.Id()}, {"unread", page.unread}};
}

StatusOr<nlohmann::json> ListHooks(RouteContext& c) {
  RETURN_IF_ERROR(LeadersOnly(c.principal()));
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(auto hooks, notify::ListWebhooks(*conn));
  nlohmann::json items = nlohmann::json::array();
  for (const notify::Webhook& w : hooks) items.push_back(WebhookJson(w));
  return nlohmann::json{{"items", std::move(items)}};
}

StatusOr<notify::WebhookInput> ParseWebhook(const JsonInput& in) {
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

StatusOr<nlohmann::json> CreateHook(RouteContext& c) {
  const Principal& p = c.principal();
  RETURN_IF_ERROR(LeadersOnly(p));
  ASSIGN_OR_RETURN(notify::WebhookInput input, ParseWebhook(c.body()));
  // An address literal is checked now; a host name is checked as it
  // resolves, at each delivery (webhook_targets.h).
  static const notify::TargetAllowList kNone;
  if (Status s = notify::CheckWebhookUrlHost(input.url, c.app().webhook_allow ? *c.app().webhook_allow : kNone);
      !s.ok()) {
    return Status(StatusCode::kInvalidArgument, s.message_en(), s.message_zh(), "url");
  }
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(notify::Webhook w,
                   notify::CreateWebhook(*conn, input, p.user_id, p.username, *c.app().clock));
  return WebhookJson(w);
}

StatusOr<nlohmann::json> UpdateHook(RouteContext& c) {
  const Principal& p = c.principal();
  RETURN_IF_ERROR(LeadersOnly(p));
  ASSIGN_OR_RETURN(std::optional<bool> enabled, c.body().OptionalBool("enabled"));
  if (!enabled) return FieldError("enabled", "enabled is required", "缺少 enabled");
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(notify::Webhook w, notify::SetWebhookEnabled(*conn, c.Id(), *enabled, p.user_id,
                                                                p.username, *c.app().clock));
  return WebhookJson(w);
}

}  // namespace

void RegisterInboxHandlers(Router& router, App& app) {
  RouteBuilder routes(router, app);
  routes.Get("/api/v1/inbox").Json(Inbox);
  routes.Post("/api/v1/inbox/{id}/read").Ids({"id"}).Json(MarkRead);
  routes.Get("/api/v1/webhooks").Json(ListHooks);
  routes.Post("/api/v1/webhooks").JsonBody({"name", "url", "flavor", "kinds", "enabled"}).Returns(201)
      .Json(CreateHook);
  routes.Post("/api/v1/webhooks/{id}").Ids({"id"}).JsonBody({"enabled"}).Json(UpdateHook);
}

}  // namespace edugov::http
