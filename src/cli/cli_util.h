// Shared plumbing of the `edugov` subcommands: opening the database named
// by --db, and printing one-line errors in the user's language.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "storage/database.h"

namespace edugov::cli {

// The default database when --db is not given and EDUGOV_DB is unset.
inline constexpr const char* kDefaultDb = "sqlite:var/edugov.db";

// --db's default: $EDUGOV_DB or kDefaultDb.
std::string DefaultDbUrl();

// Opens `url`; for sqlite: URLs creates the file's parent directory.
// With `require_current_schema`, refuses a database that is not migrated to
// exactly this binary's schema version.
StatusOr<std::unique_ptr<storage::Database>> OpenDatabase(const std::string& url,
                                                          bool require_current_schema);

// Prints "edugov: 错误:…" or "edugov: error: …" (by LANG) on stderr; returns 1.
int ReportError(const Status& status);

}  // namespace edugov::cli
