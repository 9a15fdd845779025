#include "notify/inbox_notifier.h"

#include <array>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "accounts/recipients.h"

namespace edugov::notify {

namespace {

struct KindName {
  std::string_view kind;
  std::string_view zh;
};

constexpr std::array<KindName, 7> kKinds = {{
    {"assigned", "待办"},
    {"reminder", "催办"},
    {"escalated", "升级督办"},
    {"answered", "已答复"},
    {"closed", "已办结"},
    {"reopened", "重新办理"},
    {"rated", "已评价"},
}};

// Cuts `s` to at most `max` bytes without splitting a UTF-8 character.
std::string TruncateUtf8(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  // Back up over continuation bytes (10xxxxxx) to a character boundary.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s;
}

// The users a notice reaches, by id (accounts/recipients.h).
StatusOr<std::vector<int64_t>> Recipients(storage::Connection& tx, const cases::CaseNotice& n) {
  if (n.level == "school") return accounts::EnabledUsersAt(tx, accounts::Role::kSchool, n.org_id);
  if (n.level == "township") return accounts::EnabledUsersAt(tx, accounts::Role::kTownship, n.org_id);
  if (n.level == "department") return accounts::EnabledUsersOfDepartment(tx, n.department);
  if (n.level == "leadership") return accounts::EnabledUsersWithRole(tx, accounts::Role::kBureauLeader);
  return Status(StatusCode::kInvalidArgument,
                "notice level '" + n.level +
                    "' is not one of school, township, department, leadership",
                "通知对象层级“" + n.level + "”无效,应为 school、township、department 或 leadership",
                "level");
}

}  // namespace

std::string_view NoticeKindZh(std::string_view kind) {
  for (const KindName& k : kKinds) {
    if (k.kind == kind) return k.zh;
  }
  return kind;
}

std::string InboxTitle(const cases::CaseNotice& n) {
  std::string t = "【" + std::string(NoticeKindZh(n.kind)) + "】" + n.case_ref;
  if (!n.title.empty()) t += (n.case_ref.empty() ? "" : " ") + n.title;
  return t;
}

std::string InboxBody(const cases::CaseNotice& n) {
  return n.message_zh.empty() ? n.message_en : n.message_zh;
}

std::string WebhookText(const cases::CaseNotice& n) {
  std::string text = InboxTitle(n);
  const std::string body = InboxBody(n);
  if (!body.empty()) text += "\n" + body;
  return TruncateUtf8(std::move(text), kMaxWebhookTextBytes);
}

StatusOr<std::string> WebhookPayload(std::string_view flavor, const cases::CaseNotice& n) {
  if (flavor != "dingtalk" && flavor != "wecom") {
    return Status(StatusCode::kInvalidArgument,
                  "webhook flavor '" + std::string(flavor) + "' is not dingtalk or wecom",
                  "机器人类型“" + std::string(flavor) + "”无效,应为 dingtalk(钉钉)或 wecom(企业微信)",
                  "flavor");
  }
  // Both robots take the same text message shape.
  nlohmann::ordered_json j;
  j["msgtype"] = "text";
  j["text"]["content"] = WebhookText(n);
  // Invalid UTF-8 from a title must not abort the transition: replace it.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool KindsMatch(std::string_view kinds, std::string_view kind) {
  if (kinds.empty()) return true;
  size_t start = 0;
  while (start <= kinds.size()) {
    size_t end = kinds.find(',', start);
    if (end == std::string_view::npos) end = kinds.size();
    std::string_view item = kinds.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == kind) return true;
    start = end + 1;
  }
  return false;
}

Status InboxNotifier::Notify(storage::Connection& tx, const cases::CaseNotice& n) {
  if (!tx.in_transaction()) {
    return InternalError("notices must be recorded inside the change's transaction",
                         "通知必须在引起它的变更的同一事务中记录");
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> users, Recipients(tx, n));
  const int64_t now = ToUnixMicros(clock_.Now());
  const storage::Value case_id = n.case_id > 0 ? storage::Value(n.case_id) : storage::Null();
  const std::string title = InboxTitle(n);
  const std::string body = InboxBody(n);
  for (int64_t user_id : users) {
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO notifications (user_id, case_id, kind, title, body, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {user_id, case_id, n.kind, title, body, now}));
  }

  ASSIGN_OR_RETURN(storage::ResultSet hooks,
                   tx.Query("SELECT id, flavor, kinds FROM webhooks WHERE enabled = 1 ORDER BY id"));
  for (size_t r = 0; r < hooks.size(); ++r) {
    if (!KindsMatch(hooks.GetText(r, 2), n.kind)) continue;
    auto payload = WebhookPayload(hooks.GetText(r, 1), n);
    // A robot stored with an unknown flavor cannot be sent to; it must not
    // block the case change either.
    if (!payload.ok()) continue;
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO webhook_deliveries (webhook_id, case_id, payload, status, attempts, "
        "next_attempt_at, created_at) VALUES ($1, $2, $3, 'pending', 0, $4, $4)",
        {hooks.GetInt(r, 0), case_id, *payload, now}));
  }
  return OkStatus();
}

}  // namespace edugov::notify
