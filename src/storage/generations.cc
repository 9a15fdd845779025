#include "storage/generations.h"

#include <string>

namespace edugov::storage {
namespace {

Status UnknownStore(std::string_view store) {
  return NotFoundError("no change counter for store '" + std::string(store) + "'",
                       "存储 '" + std::string(store) + "' 没有变更计数");
}

}  // namespace

StatusOr<uint64_t> ReadGeneration(Connection& conn, std::string_view store) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT generation FROM store_generations WHERE store = $1",
                                            {std::string(store)}));
  if (rs.empty()) return UnknownStore(store);
  return static_cast<uint64_t>(rs.GetInt(0, 0));
}

Status BumpGeneration(Connection& conn, std::string_view store) {
  ASSIGN_OR_RETURN(int64_t changed,
                   conn.Execute("UPDATE store_generations SET generation = generation + 1 WHERE store = $1",
                                {std::string(store)}));
  if (changed == 0) return UnknownStore(store);
  return OkStatus();
}

}  // namespace edugov::storage
