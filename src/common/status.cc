#include "common/status.h"

#include <cctype>
#include <cstdlib>

namespace edugov {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

Lang LangFromEnvironment() {
  // POSIX precedence: LC_ALL overrides LC_MESSAGES overrides LANG. "C" and
  // "POSIX" say nothing about the user's language, so they keep the default.
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v == nullptr || *v == '\0') continue;
    std::string_view value(v);
    if (value == "C" || value == "POSIX" || StartsWithNoCase(value, "c.")) return Lang::kZh;
    return StartsWithNoCase(value, "zh") ? Lang::kZh : Lang::kEn;
  }
  return Lang::kZh;
}

Lang LangFromAcceptLanguage(std::string_view header) {
  // The first listed language wins; browsers list by preference.
  size_t i = 0;
  while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) ++i;
  header.remove_prefix(i);
  if (header.empty()) return Lang::kZh;
  return StartsWithNoCase(header, "en") ? Lang::kEn : Lang::kZh;
}

Status::Status(StatusCode code, std::string en, std::string zh, std::string field)
    : code_(code), en_(std::move(en)), zh_(std::move(zh)), field_(std::move(field)) {
  assert(code_ == StatusCode::kOk || !en_.empty());
}

std::string Status::ToString(Lang lang) const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message(lang);
  if (!field_.empty()) {
    out += lang == Lang::kZh ? "(" : " (";
    out += field_;
    out += lang == Lang::kZh ? ")" : ")";
  }
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';  // one line, always
  }
  return out;
}

#define EDUGOV_DEFINE_ERROR(Name, Code)                 \
  Status Name(std::string en, std::string zh) {         \
    return Status(StatusCode::Code, std::move(en), std::move(zh)); \
  }
EDUGOV_DEFINE_ERROR(InvalidArgumentError, kInvalidArgument)
EDUGOV_DEFINE_ERROR(NotFoundError, kNotFound)
EDUGOV_DEFINE_ERROR(AlreadyExistsError, kAlreadyExists)
EDUGOV_DEFINE_ERROR(PermissionDeniedError, kPermissionDenied)
EDUGOV_DEFINE_ERROR(UnauthenticatedError, kUnauthenticated)
EDUGOV_DEFINE_ERROR(FailedPreconditionError, kFailedPrecondition)
EDUGOV_DEFINE_ERROR(ResourceExhaustedError, kResourceExhausted)
EDUGOV_DEFINE_ERROR(UnavailableError, kUnavailable)
EDUGOV_DEFINE_ERROR(InternalError, kInternal)
#undef EDUGOV_DEFINE_ERROR

}  // namespace edugov
