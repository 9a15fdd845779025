// Reading query-string parameters for handlers. Every error is
// kInvalidArgument naming the parameter, in zh and en, so the client learns
// exactly what to fix.
//
//   ASSIGN_OR_RETURN(int64_t limit, QueryNumber(req, "limit", 50, 1, 500));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/request.h"

namespace edugov::http {

// kInvalidArgument with the given messages and the parameter as its field.
Status ParamError(std::string_view name, const std::string& en, const std::string& zh);

// A non-negative decimal integer parameter within [min, max]; `fallback`
// when the parameter is absent. Signs, spaces, more than 12 digits or a
// value out of range → error naming the parameter and the range.
StatusOr<int64_t> QueryNumber(const Request& req, std::string_view name, int64_t fallback,
                              int64_t min, int64_t max);

}  // namespace edugov::http
