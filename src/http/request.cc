#include "http/request.h"

#include <algorithm>

#include <string>

namespace edugov::http {

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kGet: return "GET";
    case Method::kHead: return "HEAD";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kPatch: return "PATCH";
    case Method::kDelete: return "DELETE";
    case Method::kOptions: return "OPTIONS";
    case Method::kOther: return "OTHER";
  }
  return "OTHER";
}

std::string Request::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string() : it->second;
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  auto it = headers.find("cookie");
  if (it == headers.end()) return std::nullopt;
  // "a=1; b=2" (RFC 6265 §4.2.1); several Cookie headers were joined with
  // ", ", so accept ',' as a separator too.
  std::string_view rest = it->second;
  while (!rest.empty()) {
    size_t end = rest.find_first_of(";,");
    std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = pair.substr(0, eq);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
    if (key != name) continue;
    std::string_view value = pair.substr(eq + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

std::optional<std::string> Request::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Response JsonResponse(const nlohmann::json& body, int status) {
  Response res;
  res.status = status;
  // Replace invalid UTF-8 instead of throwing: a handler echoing bad input
  // must not turn into a 500.
  res.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

Response NoContent() {
  Response res;
  res.status = 204;
  res.content_type.clear();
  return res;
}

StatusOr<nlohmann::json> ParseJsonObject(std::string_view body) {
  // nlohmann reports where a syntax error is only through its exception, so
  // parse with exceptions and convert here; its own wording ("[json.exception.
  // parse_error.101] parse error at line 1, column 7: syntax error while
  // parsing value - unexpected '}'") never reaches the user.
  try {
    nlohmann::json j = nlohmann::json::parse(body.begin(), body.end());
    if (!j.is_object()) {
      return Status(StatusCode::kInvalidArgument,
                    "request body must be a JSON object, got " + std::string(j.type_name()),
                    "请求体必须是 JSON 对象,实际为 " + std::string(j.type_name()), "body");
    }
    return j;
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based: the byte at which the parser gave up.
    const size_t at = e.byte == 0 ? 0 : std::min(e.byte - 1, body.size());
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at; ++i) {
      if (body[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(body[i]) & 0xC0) != 0x80) {
        ++column;  // a character, not a UTF-8 continuation byte
      }
    }
    const std::string l = std::to_string(line), c = std::to_string(column), b = std::to_string(e.byte);
    return Status(StatusCode::kInvalidArgument,
                  "request body: malformed JSON at line " + l + ", column " + c + " (byte " + b + ")",
                  "请求体：JSON 格式错误，位于第 " + l + " 行第 " + c + " 列（第 " + b + " 字节）", "body");
  } catch (const std::exception&) {
    return Status(StatusCode::kInvalidArgument, "request body: malformed JSON", "请求体：JSON 格式错误", "body");
  }
}

}  // namespace edugov::http
