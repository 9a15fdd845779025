#include "http/internal/static_files.h"

#include <fstream>
#include <string>
#include <system_error>

namespace edugov::http::internal {

namespace fs = std::filesystem;

namespace {

Response PlainResponse(int status, std::string body) {
  Response res;
  res.status = status;
  res.content_type = "text/plain; charset=utf-8";
  res.body = std::move(body);
  return res;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Whether `p` is `root` or inside it, comparing whole path components (so
// "/srv/dist2" is not inside "/srv/dist").
bool IsWithin(const fs::path& root, const fs::path& p) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) {
      // A trailing empty component ("dist/") matches anything.
      return r->empty() && std::next(r) == root.end();
    }
  }
  return true;
}

// Reads a whole regular file; false if it cannot be read.
bool ReadFile(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::error_code ec;
  uintmax_t size = fs::file_size(path, ec);
  if (ec) return false;
  out.resize(static_cast<size_t>(size));
  if (size > 0 && !in.read(out.data(), static_cast<std::streamsize>(size))) return false;
  return true;
}

Response FileResponse(const fs::path& file, std::string_view name, bool immutable) {
  Response res;
  if (!ReadFile(file, res.body)) return PlainResponse(404, "Not Found\n");
  res.content_type = std::string(ContentTypeFor(name));
  // Vite puts content-hashed bundles under /assets/: safe to cache forever.
  // Everything else (index.html above all) must be revalidated so a deploy
  // is picked up at once.
  res.AddHeader("Cache-Control",
                immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return res;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (EndsWith(name, ext)) return type;
  }
  return "application/octet-stream";
}

Response ServeStaticFile(const fs::path& root, Method method, std::string_view path) {
  if (method != Method::kGet && method != Method::kHead) {
    Response res = PlainResponse(405, "Method Not Allowed\n");
    res.AddHeader("Allow", "GET, HEAD");
    return res;
  }
  if (root.empty()) return PlainResponse(404, "Not Found\n");

  // Refuse anything that could climb out before touching the filesystem;
  // the prefix check after canonicalisation below is the second line.
  if (path.empty() || path.front() != '/' ||
      path.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos) {
    return PlainResponse(400, "Bad Request\n");
  }
  std::string_view rest = path.substr(1);
  std::string_view last_segment;
  while (true) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg == ".." || seg == ".") return PlainResponse(400, "Bad Request\n");
    last_segment = seg;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }

  std::string rel(path.substr(1));
  if (rel.empty() || rel.back() == '/') rel += "index.html";
  std::error_code ec;
  fs::path file = fs::weakly_canonical(root / rel, ec);
  if (ec || !IsWithin(root, file)) return PlainResponse(404, "Not Found\n");

  if (fs::is_regular_file(file, ec)) {
    std::string name = file.filename().string();
    bool immutable = path.starts_with("/assets/") && name != "index.html";
    return FileResponse(file, name, immutable);
  }
  // SPA fallback: "/orgs/12" is a page of the browser router, not a file.
  if (last_segment.find('.') == std::string_view::npos) {
    return FileResponse(root / "index.html", "index.html", false);
  }
  return PlainResponse(404, "Not Found\n");
}

}  // namespace edugov::http::internal
