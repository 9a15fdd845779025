// The outbound robots (钉钉 / 企业微信 group robots) notices are copied to.
// Managed by the bureau's leaders only (the HTTP layer checks the role);
// every change is audited. A robot's URL carries its access token, so the
// audit log and listings show it redacted (RedactUrl) — the full URL lives
// only in the webhooks table.
//
//   ASSIGN_OR_RETURN(notify::Webhook w, notify::CreateWebhook(conn,
//       {.name = "局办公室群", .url = "https://oapi.dingtalk.com/robot/send?access_token=…",
//        .flavor = "dingtalk", .kinds = "reminder,escalated"}, me.user_id, me.username, clock));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "storage/database.h"

namespace edugov::notify {

struct WebhookInput {
  std::string name;
  std::string url;                 // http:// or https://
  std::string flavor = "dingtalk";  // "dingtalk" or "wecom"
  // Comma-separated notice kinds (assigned, reminder, escalated, answered,
  // closed, reopened, rated); empty for every kind.
  std::string kinds;
  bool enabled = true;
};

struct Webhook {
  int64_t id = 0;
  std::string name;
  std::string url_redacted;
  std::string flavor;
  std::string kinds;
  bool enabled = true;
  int64_t created_at_us = 0;
  // The outbox for this robot.
  int64_t pending = 0;
  int64_t sent = 0;
  int64_t failed = 0;
  std::string last_error;  // of the most recent delivery that failed an attempt
};

// "https://oapi.dingtalk.com/robot/send?access_token=abc" →
// "https://oapi.dingtalk.com/robot/send?…": scheme, host and path only.
std::string RedactUrl(std::string_view url);

// Checks an input: kInvalidArgument naming the field (name, url, flavor, kinds).
Status ValidateWebhook(const WebhookInput& in);

StatusOr<std::vector<Webhook>> ListWebhooks(storage::Connection& conn);

// Creates a robot in its own write transaction with an audit entry.
StatusOr<Webhook> CreateWebhook(storage::Connection& conn, const WebhookInput& in,
                                int64_t actor_user_id, const std::string& actor,
                                const Clock& clock);

// Turns a robot on or off (audited). kNotFound for an unknown id.
StatusOr<Webhook> SetWebhookEnabled(storage::Connection& conn, int64_t id, bool enabled,
                                    int64_t actor_user_id, const std::string& actor,
                                    const Clock& clock);

}  // namespace edugov::notify
