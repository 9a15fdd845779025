// Strict reading of JSON request bodies for handlers: the body must be an
// object, every field must be one the endpoint knows, and each field has the
// type it should. Every error is kInvalidArgument naming the field, in zh and
// en, so the client learns exactly what to fix.
//
//   ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(req.body, {"username", "password"}));
//   ASSIGN_OR_RETURN(std::string user, in.RequiredString("username"));
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace edugov::http {

class JsonInput {
 public:
  // Malformed JSON, a non-object, or a field not in `allowed` → error.
  static StatusOr<JsonInput> Parse(std::string_view body,
                                   std::initializer_list<std::string_view> allowed);
  static StatusOr<JsonInput> Parse(std::string_view body, const std::vector<std::string>& allowed);

  bool Has(std::string_view name) const;
  StatusOr<std::string> RequiredString(std::string_view name) const;
  StatusOr<std::optional<std::string>> OptionalString(std::string_view name) const;
  StatusOr<int64_t> RequiredInt(std::string_view name) const;
  StatusOr<std::optional<int64_t>> OptionalInt(std::string_view name) const;
  StatusOr<std::optional<bool>> OptionalBool(std::string_view name) const;
  const nlohmann::json& json() const { return json_; }

 private:
  explicit JsonInput(nlohmann::json json) : json_(std::move(json)) {}
  nlohmann::json json_;
};

// kInvalidArgument about one input field (or query parameter), in en and
// zh, with `field` named so the client can point at it. The one definition;
// handler files use it rather than their own.
Status FieldError(std::string_view field, std::string en, std::string zh);

// Parses a positive decimal int64 id from a path parameter; kNotFound
// otherwise (a malformed id names no resource), naming `name` as the field
// when given. Routes declared with RouteBuilder get this through Ids().
StatusOr<int64_t> ParseId(std::string_view text, std::string_view name = {});

}  // namespace edugov::http
