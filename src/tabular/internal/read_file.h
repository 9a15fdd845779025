// Reading a whole imported file into memory. The readers parse one buffer
// in a single pass; a dataset file is at most a few hundred MB, and the
// size limit keeps a mistaken upload from exhausting memory.
#pragma once

#include <cstddef>
#include <string>

#include "common/status.h"

namespace edugov::tabular::internal {

// The bytes of `path`. Errors: kNotFound (no such file), kResourceExhausted
// (larger than `max_bytes`, nothing read), kUnavailable (an I/O error).
StatusOr<std::string> ReadWholeFile(const std::string& path, size_t max_bytes);

// The kResourceExhausted error for a file or archive member over a limit.
Status TooLargeError(std::string_view what_en, std::string_view what_zh, size_t size,
                     size_t max_bytes);

// kResourceExhausted for input over one of the readers' bounds: the message
// says what was over and names the bound ("limit max_columns = 1024") so an
// operator can find it in docs/tabular-formats.md; `field` locates it.
Status OverLimitError(std::string field, std::string_view what_en, std::string_view what_zh,
                      std::string_view bound, std::string_view value);

}  // namespace edugov::tabular::internal
