// Entry points of the two backends, called by Database::Open once it has
// recognised the URL's scheme. Internal to edugov_storage.
#pragma once

#include <memory>
#include <string_view>

#include "storage/database.h"

namespace edugov::storage::internal {

// `target` is the URL without "sqlite:": a path, or ":memory:".
StatusOr<std::unique_ptr<Database>> OpenSqlite(std::string_view url, std::string_view target,
                                               const DatabaseOptions& options);

// `url` is a postgresql:// or postgres:// URI.
StatusOr<std::unique_ptr<Database>> OpenPostgres(std::string_view url,
                                                 const DatabaseOptions& options);

}  // namespace edugov::storage::internal
