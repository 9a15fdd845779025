// Static file serving for the web UI build (Vite output). Internal to
// src/http; separate from the server so it can be tested without sockets.
#pragma once

#include <filesystem>
#include <string_view>

#include "http/request.h"

namespace edugov::http::internal {

// Serves `decoded_path` from `root` (already canonical; empty serves
// nothing). GET/HEAD only (405 otherwise). Refuses ".." segments (400) and
// anything resolving outside `root` (404). A path without a file extension
// that names no file gets index.html, so the browser-side router works; a
// missing file with an extension is 404. Never throws.
Response ServeStaticFile(const std::filesystem::path& root, Method method,
                         std::string_view decoded_path);

// Content-Type for a file name by its extension; "application/octet-stream"
// for unknown ones.
std::string_view ContentTypeFor(std::string_view file_name);

}  // namespace edugov::http::internal
