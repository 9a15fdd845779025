// Whether the database answers: one pooled connection and a trivial query.
// For health checks (GET /api/v1/health), so the HTTP layer runs no SQL.
// Header-only: callers need only the Database interface.
#pragma once

#include "common/status.h"
#include "storage/database.h"

namespace edugov::storage {

// OK when a connection could be acquired and "SELECT 1" returned its row;
// the acquisition's or the query's error otherwise (kUnavailable when the
// database cannot be reached). Thread-safe as Database::Acquire is.
inline Status Ping(Database& db) {
  ASSIGN_OR_RETURN(ConnectionHandle conn, db.Acquire());
  ASSIGN_OR_RETURN(ResultSet rs, conn->Query("SELECT 1"));
  if (rs.size() != 1) return InternalError("SELECT 1 returned no row", "SELECT 1 未返回结果");
  return OkStatus();
}

}  // namespace edugov::storage
