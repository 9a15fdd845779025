// The HTTP request and response types handlers see. Deliberately plain
// structs, not Beast types: handlers parse input, call one domain function
// and map its result; the domain never sees HTTP.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace edugov::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view MethodName(Method m);

struct Request {
  Method method = Method::kGet;
  std::string path;                               // decoded, without query
  std::map<std::string, std::string> query;       // decoded query parameters
  std::map<std::string, std::string> path_params; // from {name} in the route
  // Header names lower-cased; repeated headers joined with ", ".
  std::map<std::string, std::string> headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1"
  Lang lang = Lang::kZh;       // from Accept-Language (zh unless it prefers en)

  // Header value or empty.
  std::string Header(std::string_view lower_name) const;
  // Cookie value from the Cookie header, if present.
  std::optional<std::string> Cookie(std::string_view name) const;
  // Query parameter or nullopt.
  std::optional<std::string> Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  // Filled by handlers for the access log ("user=alice"); never sent.
  std::string log_note;

  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// 200 (or `status`) with a JSON body.
Response JsonResponse(const nlohmann::json& body, int status = 200);
// 204 No Content.
Response NoContent();
// The error as JSON {"error":{"code","message","field"}} with the HTTP status
// mapped from it (the single place errors become statuses: error_mapping.cc).
// The message is in `lang`.
Response ErrorResponse(const Status& status, Lang lang);
// The HTTP status an error maps to: its code's status, except that
// kResourceExhausted naming a field (an input over a size or count limit,
// e.g. "attachments[0]") is 413, while without one (a rate or quota limit)
// it is 429.
int HttpStatusFor(const Status& status);
// The HTTP status a StatusCode maps to when no field is involved.
int HttpStatusFor(StatusCode code);

// Parses a JSON object body, rejecting malformed JSON and non-objects with a
// kInvalidArgument (field "body") naming the problem, its line, column and
// byte offset, in Chinese and English — never nlohmann's own message.
StatusOr<nlohmann::json> ParseJsonObject(std::string_view body);

}  // namespace edugov::http
