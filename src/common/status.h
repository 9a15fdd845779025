// Errors as values, after absl::Status: a small set of codes, a message in
// Chinese and English, and optionally the field, row or parameter at fault.
//
//   StatusOr<Org> org = registry.GetOrg(id);
//   if (!org.ok()) return org.status();
//   RETURN_IF_ERROR(db.Execute(...));
//   ASSIGN_OR_RETURN(auto rows, db.Query(...));
//
// Codes map to HTTP statuses in exactly one place: src/http/error_mapping.cc.
// Exceptions never cross a module boundary; code that calls a throwing library
// converts at the call site.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace edugov {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed: 400
  kNotFound,            // no such thing, or not visible to the caller: 404
  kAlreadyExists,       // a unique key is taken: 409
  kPermissionDenied,    // authenticated but not allowed: 403
  kUnauthenticated,     // no or expired credentials: 401
  kFailedPrecondition,  // state forbids it (schema too old, account locked): 409
  kResourceExhausted,   // a size or rate limit: 413/429
  kUnavailable,         // a dependency (database) cannot be reached: 503
  kInternal,            // a bug or an invariant broken: 500
};

// Stable snake_case name of a code, used in JSON errors and logs.
std::string_view StatusCodeName(StatusCode code);

enum class Lang { kZh, kEn };

// zh unless LANG / LC_ALL / LC_MESSAGES asks for something that is not Chinese.
Lang LangFromEnvironment();
// zh unless the header prefers English ("en", "en-US;q=0.9, zh;q=0.8" -> en).
Lang LangFromAcceptLanguage(std::string_view header);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  // `en` must be non-empty for a non-OK code; `zh` falls back to `en`.
  Status(StatusCode code, std::string en, std::string zh = {},
         std::string field = {});

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message_en() const { return en_; }
  const std::string& message_zh() const { return zh_.empty() ? en_ : zh_; }
  const std::string& message(Lang lang) const {
    return lang == Lang::kZh ? message_zh() : message_en();
  }
  // The field, row or parameter the error is about ("username", "row 17").
  const std::string& field() const { return field_; }
  Status WithField(std::string field) && {
    field_ = std::move(field);
    return std::move(*this);
  }

  // "invalid_argument: <message> [field]" in the given language, one line.
  std::string ToString(Lang lang = Lang::kEn) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.en_ == b.en_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string en_;
  std::string zh_;
  std::string field_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string en, std::string zh = {});
Status NotFoundError(std::string en, std::string zh = {});
Status AlreadyExistsError(std::string en, std::string zh = {});
Status PermissionDeniedError(std::string en, std::string zh = {});
Status UnauthenticatedError(std::string en, std::string zh = {});
Status FailedPreconditionError(std::string en, std::string zh = {});
Status ResourceExhaustedError(std::string en, std::string zh = {});
Status UnavailableError(std::string en, std::string zh = {});
Status InternalError(std::string en, std::string zh = {});

// Either a value or a non-OK Status. Accessing the value of an error is a bug
// (asserted in debug builds).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : rep_(std::move(status)) {  // NOLINT: implicit
    assert(!std::get<Status>(rep_).ok() && "StatusOr built from OK status");
  }
  StatusOr(T value) : rep_(std::move(value)) {}  // NOLINT: implicit

  bool ok() const { return std::holds_alternative<T>(rep_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(rep_);
  }
  T& value() & { assert(ok()); return std::get<T>(rep_); }
  const T& value() const& { assert(ok()); return std::get<T>(rep_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(rep_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> rep_;
};

namespace internal {
// By value: the argument is often a temporary that dies with the statement.
inline Status AsStatus(Status s) { return s; }
template <typename T>
Status AsStatus(const StatusOr<T>& s) { return s.status(); }
}  // namespace internal

}  // namespace edugov

#define EDUGOV_CONCAT_INNER(a, b) a##b
#define EDUGOV_CONCAT(a, b) EDUGOV_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define RETURN_IF_ERROR(expr)                                          \
  do {                                                                 \
    ::edugov::Status edugov_status_ = ::edugov::internal::AsStatus(expr); \
    if (!edugov_status_.ok()) return edugov_status_;                   \
  } while (0)

// ASSIGN_OR_RETURN(auto x, Foo()); declares x from Foo()'s value, or returns
// its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  EDUGOV_ASSIGN_OR_RETURN_IMPL(EDUGOV_CONCAT(edugov_or_, __LINE__), lhs, expr)
#define EDUGOV_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
