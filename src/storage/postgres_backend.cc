#include "storage/internal/backends.h"

namespace edugov::storage::internal {

StatusOr<std::unique_ptr<Database>> OpenPostgres(std::string_view url,
                                                 const DatabaseOptions& options) {
  return UnavailableError("PostgreSQL backend not built yet", "PostgreSQL 后端尚未实现");
}

}  // namespace edugov::storage::internal
