// Percent-decoding shared by the router (path segments) and the server
// (whole paths, query strings). Internal to src/http.
#pragma once

#include <string>
#include <string_view>

namespace edugov::http::internal {

// Decodes %XX escapes; a '%' not followed by two hex digits is kept as is
// (lenient, like browsers). With `plus_is_space` ('application/x-www-form-
// urlencoded' query strings) '+' becomes ' '.
std::string PercentDecode(std::string_view in, bool plus_is_space = false);

// Appends the decoded form of `in` to `out`.
void PercentDecodeAppend(std::string_view in, bool plus_is_space, std::string& out);

}  // namespace edugov::http::internal
