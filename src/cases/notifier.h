// What the workflow engine tells people: a case was assigned to them, is due,
// is overdue (催办), was escalated, answered or closed. The engine calls a
// Notifier inside the transaction of the change, so a notice exists exactly
// when its cause does; delivery outside the process (webhooks) happens later
// from an outbox (src/notify).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "storage/database.h"

namespace edugov::cases {

struct CaseNotice {
  // "assigned", "reminder", "escalated", "answered", "closed", "reopened", "rated"
  std::string kind;
  int64_t case_id = 0;
  std::string case_ref;
  std::string case_type;
  // Never contains a confidential field.
  std::string title;
  std::string message_zh;
  std::string message_en;
  // Recipients: every enabled user at this level bound to this org (school,
  // township) or, for "department", of this department; "leadership": the
  // bureau leaders. Resolved by the notifier.
  std::string level;
  int64_t org_id = 0;
  std::string department;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Records the notice for its recipients (inbox rows, webhook outbox rows)
  // using `tx`, which is inside the change's write transaction.
  virtual Status Notify(storage::Connection& tx, const CaseNotice& notice) = 0;
};

}  // namespace edugov::cases
