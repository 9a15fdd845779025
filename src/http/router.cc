// Routes are matched by splitting the raw path into segments and decoding
// each one separately, so an escaped "/" (%2F) stays inside a {capture}
// instead of creating a new segment. Matching is a linear scan: route tables
// here are a few dozen entries, and a scan with no allocation beats a trie
// that allocates on every lookup.
#include "http/router.h"

#include <array>

#include "http/internal/percent.h"

namespace edugov::http {

namespace internal {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void PercentDecodeAppend(std::string_view in, bool plus_is_space, std::string& out) {
  out.reserve(out.size() + in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
}

std::string PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  PercentDecodeAppend(in, plus_is_space, out);
  return out;
}

}  // namespace internal

namespace {

// Paths deeper than this match no route (API paths are a handful deep).
constexpr size_t kMaxSegments = 32;

// The segments of one path, decoded. Views point into the path itself when a
// segment has no escape, and into `decoded` otherwise, so the common case
// allocates nothing.
struct Segments {
  std::array<std::string_view, kMaxSegments> view;
  std::array<std::string, kMaxSegments> decoded;
  size_t count = 0;
  bool too_deep = false;
};

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}. The leading '/' is skipped.
void SplitPath(std::string_view path, Segments& out) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    if (out.count == kMaxSegments) {
      out.too_deep = true;
      return;
    }
    size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (seg.find('%') != std::string_view::npos) {
      std::string& d = out.decoded[out.count];
      internal::PercentDecodeAppend(seg, false, d);
      out.view[out.count] = d;
    } else {
      out.view[out.count] = seg;
    }
    ++out.count;
    if (slash == std::string_view::npos) return;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

struct Router::Route {
  struct Segment {
    std::string text;  // literal text, or the capture's name
    bool capture = false;
  };
  Method method;
  std::vector<Segment> segments;
  Handler handler;
  RouteOptions options;
};

Router::Router() = default;
Router::~Router() = default;

void Router::Add(Method method, std::string_view pattern, Handler handler, RouteOptions options) {
  auto route = std::make_unique<Route>();
  route->method = method;
  route->handler = std::move(handler);
  route->options = options;
  if (!pattern.empty() && pattern.front() == '/') pattern.remove_prefix(1);
  while (true) {
    size_t slash = pattern.find('/');
    std::string_view seg = pattern.substr(0, slash);
    Route::Segment s;
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      s.text = std::string(seg.substr(1, seg.size() - 2));
      s.capture = true;
    } else {
      s.text = std::string(seg);
    }
    route->segments.push_back(std::move(s));
    if (slash == std::string_view::npos) break;
    pattern.remove_prefix(slash + 1);
  }
  routes_.push_back(std::move(route));
}

namespace {

// Whether `route` matches; `literals` gets a bit per segment (most
// significant first) set for literal segments, so that of two matching
// routes the one whose first differing segment is literal wins:
// "/orgs/tree" beats "/orgs/{id}".
template <typename Route>
bool Matches(const Route& route, const Segments& segs, uint64_t& literals) {
  if (route.segments.size() != segs.count) return false;
  literals = 0;
  for (size_t i = 0; i < segs.count; ++i) {
    const auto& s = route.segments[i];
    literals <<= 1;
    if (s.capture) {
      // A capture matches one non-empty segment.
      if (segs.view[i].empty()) return false;
    } else {
      if (s.text != segs.view[i]) return false;
      literals |= 1;
    }
  }
  return true;
}

}  // namespace

Router::Match Router::Find(Method method, std::string_view path) const {
  Match match;
  Segments segs;
  SplitPath(path, segs);
  if (segs.too_deep) return match;

  const Route* best = nullptr;
  uint64_t best_literals = 0;
  const Route* best_get = nullptr;  // HEAD falls back to GET
  uint64_t best_get_literals = 0;
  for (const auto& route : routes_) {
    uint64_t literals = 0;
    if (!Matches(*route, segs, literals)) continue;
    if (route->method == method) {
      if (best == nullptr || literals > best_literals) {
        best = route.get();
        best_literals = literals;
      }
    } else if (method == Method::kHead && route->method == Method::kGet) {
      if (best_get == nullptr || literals > best_get_literals) {
        best_get = route.get();
        best_get_literals = literals;
      }
    } else {
      match.path_known = true;
    }
  }
  if (best == nullptr) best = best_get;
  if (best == nullptr) return match;

  match.path_known = true;
  match.handler = &best->handler;
  match.options = best->options;
  for (size_t i = 0; i < segs.count; ++i) {
    if (best->segments[i].capture) {
      match.path_params.emplace(best->segments[i].text, std::string(segs.view[i]));
    }
  }
  return match;
}

}  // namespace edugov::http
