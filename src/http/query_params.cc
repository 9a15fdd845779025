#include "http/query_params.h"

namespace edugov::http {

Status ParamError(std::string_view name, const std::string& en, const std::string& zh) {
  return Status(StatusCode::kInvalidArgument, en, zh, std::string(name));
}

StatusOr<int64_t> QueryNumber(const Request& req, std::string_view name, int64_t fallback,
                              int64_t min, int64_t max) {
  auto text = req.Query(name);
  if (!text) return fallback;
  const std::string n(name);
  const std::string range = std::to_string(min) + "…" + std::to_string(max);
  bool ok = !text->empty() && text->size() <= 12;
  int64_t v = 0;
  for (char c : *text) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    v = v * 10 + (c - '0');
  }
  if (!ok || v < min || v > max) {
    return ParamError(name, n + " must be an integer in " + range + ", not \"" + *text + "\"",
                      n + " 须为 " + range + " 之间的整数，而不是“" + *text + "”");
  }
  return v;
}

}  // namespace edugov::http
