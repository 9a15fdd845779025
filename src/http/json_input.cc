#include "http/json_input.h"

#include <charconv>

#include "http/request.h"

namespace edugov::http {

Status FieldError(std::string_view name, std::string en, std::string zh) {
  return Status(StatusCode::kInvalidArgument, std::move(en), std::move(zh), std::string(name));
}

namespace {

Status Missing(std::string_view name) {
  return FieldError(name, "missing required field '" + std::string(name) + "'",
                    "缺少必填字段 '" + std::string(name) + "'");
}

Status WrongType(std::string_view name, std::string_view want_en, std::string_view want_zh) {
  return FieldError(name, "field '" + std::string(name) + "' must be " + std::string(want_en),
                    "字段 '" + std::string(name) + "' 必须是" + std::string(want_zh));
}

}  // namespace

namespace {

template <typename Names>
StatusOr<nlohmann::json> ParseKnownFields(std::string_view body, const Names& allowed) {
  ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonObject(body));
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const auto& a : allowed) known = known || std::string_view(a) == key;
    if (!known) {
      return FieldError(key, "unknown field '" + key + "'", "未知字段 '" + key + "'");
    }
  }
  return j;
}

}  // namespace

StatusOr<JsonInput> JsonInput::Parse(std::string_view body,
                                     std::initializer_list<std::string_view> allowed) {
  ASSIGN_OR_RETURN(nlohmann::json j, ParseKnownFields(body, allowed));
  return JsonInput(std::move(j));
}

StatusOr<JsonInput> JsonInput::Parse(std::string_view body,
                                     const std::vector<std::string>& allowed) {
  ASSIGN_OR_RETURN(nlohmann::json j, ParseKnownFields(body, allowed));
  return JsonInput(std::move(j));
}

bool JsonInput::Has(std::string_view name) const {
  auto it = json_.find(name);
  return it != json_.end() && !it->is_null();
}

StatusOr<std::optional<std::string>> JsonInput::OptionalString(std::string_view name) const {
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return WrongType(name, "a string", "字符串");
  return std::optional<std::string>(it->get<std::string>());
}

StatusOr<std::string> JsonInput::RequiredString(std::string_view name) const {
  ASSIGN_OR_RETURN(std::optional<std::string> v, OptionalString(name));
  if (!v) return Missing(name);
  return *v;
}

StatusOr<std::optional<int64_t>> JsonInput::OptionalInt(std::string_view name) const {
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) return WrongType(name, "an integer", "整数");
  return std::optional<int64_t>(it->get<int64_t>());
}

StatusOr<int64_t> JsonInput::RequiredInt(std::string_view name) const {
  ASSIGN_OR_RETURN(std::optional<int64_t> v, OptionalInt(name));
  if (!v) return Missing(name);
  return *v;
}

StatusOr<std::optional<bool>> JsonInput::OptionalBool(std::string_view name) const {
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return WrongType(name, "true or false", "布尔值 true 或 false");
  return std::optional<bool>(it->get<bool>());
}

StatusOr<int64_t> ParseId(std::string_view text, std::string_view name) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v <= 0) {
    return Status(StatusCode::kNotFound, "no such resource: '" + std::string(text) + "'",
                  "资源不存在:'" + std::string(text) + "'", std::string(name));
  }
  return v;
}

}  // namespace edugov::http
