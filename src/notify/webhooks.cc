#include "notify/webhooks.h"

#include <array>

#include <nlohmann/json.hpp>

#include "ledger/audit.h"

namespace edugov::notify {

namespace {

constexpr std::array<std::string_view, 7> kKnownKinds = {
    "assigned", "reminder", "escalated", "answered", "closed", "reopened", "rated"};

Status Bad(const char* field, std::string en, std::string zh) {
  return Status(StatusCode::kInvalidArgument, std::move(en), std::move(zh), field);
}

std::string AuditJson(const Webhook& w) {
  nlohmann::ordered_json j;
  j["name"] = w.name;
  j["url"] = w.url_redacted;
  j["flavor"] = w.flavor;
  j["kinds"] = w.kinds;
  j["enabled"] = w.enabled;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

StatusOr<Webhook> LoadOne(storage::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(std::vector<Webhook> all, ListWebhooks(conn));
  for (Webhook& w : all) {
    if (w.id == id) return std::move(w);
  }
  return Status(StatusCode::kNotFound, "webhook " + std::to_string(id) + " not found",
                "机器人 " + std::to_string(id) + " 不存在", "id");
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  size_t cut = url.find_first_of("?#");
  std::string out(url.substr(0, cut));
  if (cut != std::string_view::npos) out += "?…";
  // A user:password@ in the authority is a credential too.
  const size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const size_t host_start = scheme_end + 3;
    const size_t path_start = out.find('/', host_start);
    const size_t at = out.find('@', host_start);
    if (at != std::string::npos && (path_start == std::string::npos || at < path_start)) {
      out = out.substr(0, host_start) + "…@" + out.substr(at + 1);
    }
  }
  return out;
}

Status ValidateWebhook(const WebhookInput& in) {
  if (in.name.empty() || in.name.size() > 200) {
    return Bad("name", "name is required (at most 200 bytes)", "名称必填(不超过 200 字节)");
  }
  const bool http = in.url.rfind("http://", 0) == 0;
  const bool https = in.url.rfind("https://", 0) == 0;
  if (!http && !https) {
    return Bad("url", "url must start with http:// or https://",
               "地址(url)必须以 http:// 或 https:// 开头");
  }
  const std::string_view rest = std::string_view(in.url).substr(http ? 7 : 8);
  if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == ':' ||
      in.url.size() > 2000 || in.url.find_first_of(" \t\r\n") != std::string::npos) {
    return Bad("url", "url must name a host and contain no spaces (at most 2000 bytes)",
               "地址(url)必须包含主机名且不含空格(不超过 2000 字节)");
  }
  if (in.flavor != "dingtalk" && in.flavor != "wecom") {
    return Bad("flavor", "flavor must be dingtalk or wecom",
               "类型(flavor)必须是 dingtalk(钉钉)或 wecom(企业微信)");
  }
  size_t start = 0;
  while (!in.kinds.empty() && start <= in.kinds.size()) {
    size_t end = in.kinds.find(',', start);
    if (end == std::string::npos) end = in.kinds.size();
    std::string item = in.kinds.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    bool known = false;
    for (std::string_view k : kKnownKinds) known = known || k == item;
    if (!known) {
      return Bad("kinds",
                 "kinds: '" + item +
                     "' is not a notice kind (assigned, reminder, escalated, answered, closed, "
                     "reopened, rated)",
                 "通知种类(kinds)中的“" + item +
                     "”无效,可选 assigned、reminder、escalated、answered、closed、reopened、rated");
    }
    start = end + 1;
  }
  return OkStatus();
}

StatusOr<std::vector<Webhook>> ListWebhooks(storage::Connection& conn) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT w.id, w.name, w.url, w.flavor, w.kinds, w.enabled, "
                              "w.created_at, "
                              "(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = "
                              "w.id AND d.status = 'pending'), "
                              "(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = "
                              "w.id AND d.status = 'sent'), "
                              "(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = "
                              "w.id AND d.status = 'failed'), "
                              "(SELECT d.last_error FROM webhook_deliveries d WHERE d.webhook_id "
                              "= w.id AND d.last_error <> '' ORDER BY d.id DESC LIMIT 1) "
                              "FROM webhooks w ORDER BY w.id"));
  std::vector<Webhook> out;
  out.reserve(rs.size());
  for (size_t r = 0; r < rs.size(); ++r) {
    Webhook w;
    w.id = rs.GetInt(r, 0);
    w.name = rs.GetText(r, 1);
    w.url_redacted = RedactUrl(rs.GetText(r, 2));
    w.flavor = rs.GetText(r, 3);
    w.kinds = rs.GetText(r, 4);
    w.enabled = rs.GetInt(r, 5) != 0;
    w.created_at_us = rs.GetInt(r, 6);
    w.pending = rs.GetInt(r, 7);
    w.sent = rs.GetInt(r, 8);
    w.failed = rs.GetInt(r, 9);
    w.last_error = rs.GetText(r, 10);
    out.push_back(std::move(w));
  }
  return out;
}

StatusOr<Webhook> CreateWebhook(storage::Connection& conn, const WebhookInput& in,
                                int64_t actor_user_id, const std::string& actor,
                                const Clock& clock) {
  RETURN_IF_ERROR(ValidateWebhook(in));
  int64_t id = 0;
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    const int64_t now = ToUnixMicros(clock.Now());
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     tx.Query("INSERT INTO webhooks (name, url, flavor, kinds, enabled, "
                              "created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                              {in.name, in.url, in.flavor, in.kinds, int64_t{in.enabled ? 1 : 0},
                               now}));
    id = rs.GetInt(0, 0);
    Webhook w{.id = id, .name = in.name, .url_redacted = RedactUrl(in.url), .flavor = in.flavor,
              .kinds = in.kinds, .enabled = in.enabled};
    return ledger::AppendAudit(tx,
                               {.actor_user_id = actor_user_id, .actor = actor,
                                .action = "webhook.create", .entity = "webhook",
                                .entity_id = std::to_string(id), .after = AuditJson(w)},
                               clock);
  }));
  return LoadOne(conn, id);
}

StatusOr<Webhook> SetWebhookEnabled(storage::Connection& conn, int64_t id, bool enabled,
                                    int64_t actor_user_id, const std::string& actor,
                                    const Clock& clock) {
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Webhook before, LoadOne(tx, id));
    RETURN_IF_ERROR(tx.Execute("UPDATE webhooks SET enabled = $1 WHERE id = $2",
                               {int64_t{enabled ? 1 : 0}, id}));
    Webhook after = before;
    after.enabled = enabled;
    return ledger::AppendAudit(tx,
                               {.actor_user_id = actor_user_id, .actor = actor,
                                .action = enabled ? "webhook.enable" : "webhook.disable",
                                .entity = "webhook", .entity_id = std::to_string(id),
                                .before = AuditJson(before), .after = AuditJson(after)},
                               clock);
  }));
  return LoadOne(conn, id);
}

}  // namespace edugov::notify
