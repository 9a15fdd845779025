#include "notify/inbox.h"

#include "ledger/audit.h"

namespace edugov::notify {

StatusOr<InboxPage> ReadInbox(storage::Connection& conn, int64_t user_id, bool unread_only,
                              int limit) {
  if (limit < 1 || limit > 500) {
    return Status(StatusCode::kInvalidArgument, "limit must be between 1 and 500",
                  "limit 必须在 1 到 500 之间", "limit");
  }
  InboxPage page;
  std::string sql =
      "SELECT id, kind, title, body, case_id, created_at, read_at FROM notifications "
      "WHERE user_id = $1 ";
  if (unread_only) sql += "AND read_at IS NULL ";
  sql += "ORDER BY created_at DESC, id DESC LIMIT $2";
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(sql, {user_id, int64_t{limit}}));
  page.items.reserve(rs.size());
  for (size_t r = 0; r < rs.size(); ++r) {
    InboxItem item;
    item.id = rs.GetInt(r, 0);
    item.kind = rs.GetText(r, 1);
    item.title = rs.GetText(r, 2);
    item.body = rs.GetText(r, 3);
    item.case_id = rs.GetInt(r, 4);
    item.created_at_us = rs.GetInt(r, 5);
    if (!rs.IsNull(r, 6)) item.read_at_us = rs.GetInt(r, 6);
    page.items.push_back(std::move(item));
  }
  ASSIGN_OR_RETURN(storage::ResultSet n,
                   conn.Query("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND "
                              "read_at IS NULL",
                              {user_id}));
  page.unread = n.GetInt(0, 0);
  return page;
}

Status MarkRead(storage::Connection& conn, int64_t user_id, const std::string& username,
                int64_t id, const Clock& clock) {
  return storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     tx.Query("SELECT read_at FROM notifications WHERE id = $1 AND user_id = $2",
                              {id, user_id}));
    if (rs.empty()) {
      return Status(StatusCode::kNotFound, "notice " + std::to_string(id) + " not found",
                    "通知 " + std::to_string(id) + " 不存在", "id");
    }
    if (!rs.IsNull(0, 0)) return OkStatus();  // already read: nothing changes
    const int64_t now = ToUnixMicros(clock.Now());
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
        {now, id, user_id}));
    return ledger::AppendAudit(tx,
                               {.actor_user_id = user_id, .actor = username,
                                .action = "notification.read", .entity = "notification",
                                .entity_id = std::to_string(id), .before = R"({"read":false})",
                                .after = R"({"read":true})"},
                               clock);
  });
}

}  // namespace edugov::notify
