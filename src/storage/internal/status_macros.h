// A lifetime-safe RETURN_IF_ERROR for this module's .cc files.
//
// common/status.h's RETURN_IF_ERROR binds `const auto&` to AsStatus(expr);
// when expr is a temporary (RETURN_IF_ERROR(conn.Execute(...))) the
// temporary dies at the end of that declaration and the reference dangles
// (GCC 12 reports -Wdangling-pointer). This version first binds the whole
// result with `auto&&`, which extends the temporary's life to the block.
// Remove this header once common/status.h carries the same fix.
#pragma once

#include "common/status.h"

#undef RETURN_IF_ERROR
#define RETURN_IF_ERROR(expr)                                                  \
  do {                                                                         \
    auto&& edugov_result_ = (expr);                                            \
    const auto& edugov_status_ = ::edugov::internal::AsStatus(edugov_result_); \
    if (!edugov_status_.ok()) return edugov_status_;                           \
  } while (0)
