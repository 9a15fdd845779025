// The notifier the workflow engine runs with (cases/notifier.h): each notice
// becomes one inbox row per recipient user and, for every enabled webhook
// whose kinds match, one row in the webhook outbox (webhook_deliveries),
// all inside the engine's write transaction — a notice exists exactly when
// its cause committed. The outbox is sent later by WebhookDispatcher
// (webhook_dispatcher.h). Format and retry schedule: docs/notifications.md.
//
//   notify::InboxNotifier inbox(RealClock());
//   cases::CaseEngine engine({..., .notifier = &inbox});
//
// Recipients by the notice's level: "school"/"township" — enabled users of
// that role bound to notice.org_id; "department" — enabled bureau_dept users
// of notice.department; "leadership" — enabled bureau leaders.
//
// Confidentiality: only the notice's kind, case ref, title and messages are
// copied; the engine guarantees they hold no confidential field, and nothing
// else about the case is read here.
//
// Thread-safe: holds only a reference to the clock, which must outlive it.
#pragma once

#include <string>
#include <string_view>

#include "cases/notifier.h"
#include "common/clock.h"

namespace edugov::notify {

class InboxNotifier final : public cases::Notifier {
 public:
  explicit InboxNotifier(const Clock& clock) : clock_(clock) {}

  // kInvalidArgument (field "level") for a level other than the four above;
  // database errors as they come. On error some rows may already be written:
  // the caller rolls its transaction back (RunInTransaction does).
  Status Notify(storage::Connection& tx, const cases::CaseNotice& notice) override;

 private:
  const Clock& clock_;
};

// "催办" for "reminder", …; the kind itself when unknown.
std::string_view NoticeKindZh(std::string_view kind);

// The inbox title: "【催办】TS2025-000123 食堂饭菜变质".
std::string InboxTitle(const cases::CaseNotice& notice);
// The inbox body: the Chinese message (the English one when there is none).
std::string InboxBody(const cases::CaseNotice& notice);

// The robot message text, at most kMaxWebhookTextBytes of UTF-8 (WeCom's
// limit for text messages; DingTalk allows more), cut at a character.
inline constexpr size_t kMaxWebhookTextBytes = 2000;
std::string WebhookText(const cases::CaseNotice& notice);

// The JSON body POSTed to a robot of `flavor` ("dingtalk" or "wecom"; both
// take {"msgtype":"text","text":{"content":…}}). kInvalidArgument for an
// unknown flavor.
StatusOr<std::string> WebhookPayload(std::string_view flavor, const cases::CaseNotice& notice);

// True when a webhook's comma-separated `kinds` ("" = every kind) includes `kind`.
bool KindsMatch(std::string_view kinds, std::string_view kind);

}  // namespace edugov::notify
