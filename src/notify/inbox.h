// Reading one's own inbox and marking notices read. A user only ever reaches
// their own rows: every function takes the user id and filters on it, and a
// notice of someone else answers exactly like one that does not exist.
//
//   ASSIGN_OR_RETURN(notify::InboxPage page, notify::ReadInbox(conn, me.user_id, true, 50));
//   RETURN_IF_ERROR(notify::MarkRead(conn, me.user_id, me.username, 17, clock));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "storage/database.h"

namespace edugov::notify {

struct InboxItem {
  int64_t id = 0;
  std::string kind;
  std::string title;
  std::string body;
  int64_t case_id = 0;  // 0: not about a case
  int64_t created_at_us = 0;
  std::optional<int64_t> read_at_us;
};

struct InboxPage {
  std::vector<InboxItem> items;  // newest first
  int64_t unread = 0;            // all unread notices of the user, not only this page
};

// The user's `limit` (1…500) newest notices, only the unread ones when
// `unread_only`. kInvalidArgument (field "limit") otherwise.
StatusOr<InboxPage> ReadInbox(storage::Connection& conn, int64_t user_id, bool unread_only,
                              int limit);

// Marks notice `id` read, in its own write transaction with an audit entry.
// Idempotent (a notice already read keeps its first read time). kNotFound
// when no such notice belongs to `user_id`.
Status MarkRead(storage::Connection& conn, int64_t user_id, const std::string& username,
                int64_t id, const Clock& clock);

}  // namespace edugov::notify
