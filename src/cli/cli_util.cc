#include "cli/cli_util.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "storage/migrations.h"

namespace edugov::cli {

std::string DefaultDbUrl() {
  const char* env = std::getenv("EDUGOV_DB");
  return (env != nullptr && *env != '\0') ? env : kDefaultDb;
}

StatusOr<std::unique_ptr<storage::Database>> OpenDatabase(const std::string& url,
                                                          bool require_current_schema) {
  if (url.rfind("sqlite:", 0) == 0 && url != "sqlite::memory:") {
    std::filesystem::path parent = std::filesystem::path(url.substr(7)).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db, storage::Database::Open(url));
  if (require_current_schema) {
    ASSIGN_OR_RETURN(storage::ConnectionHandle conn, db->Acquire());
    RETURN_IF_ERROR(storage::CheckSchemaCurrent(*conn));
  }
  return db;
}

int ReportError(const Status& status) {
  Lang lang = LangFromEnvironment();
  std::string msg = status.message(lang);
  // Some messages already lead with their location ("pack.yaml:12:3: …").
  if (!status.field().empty() && msg.find(status.field()) == std::string::npos) {
    msg += lang == Lang::kZh ? "(" + status.field() + ")" : " (" + status.field() + ")";
  }
  for (char& c : msg) {
    if (c == '\n') c = ' ';
  }
  std::fprintf(stderr, "edugov: %s%s\n", lang == Lang::kZh ? "错误:" : "error: ", msg.c_str());
  return 1;
}

}  // namespace edugov::cli
