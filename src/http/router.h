// Maps (method, path pattern) to a handler. Patterns are literal segments
// and {name} captures: "/api/v1/orgs/{id}/children". Thread-safe once all
// routes are added (routes are added before the server starts).
//
//   router.Add(Method::kGet, "/api/v1/health", [](const Request&) {
//     return JsonResponse({{"status", "ok"}});
//   });
//   router.Add(Method::kGet, "/api/v1/reports/complaints", RenderReport,
//              RouteOptions{.heavy = true});  // on the worker pool (server.h)
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"

namespace edugov::http {

using Handler = std::function<Response(Request&)>;

struct RouteOptions {
  // Largest body accepted for this route; bigger bodies get 413 before the
  // handler runs. 0 means the server's default.
  size_t max_body_bytes = 0;
  // The handler may take long (seconds of CPU, a child process, a large
  // file): the server runs it on its bounded worker pool instead of the I/O
  // thread, so the I/O thread keeps serving every other connection. When the
  // pool's waiting room is full the route answers 503 with Retry-After and
  // the handler does not run. Mark report rendering, imports, what-if and
  // solves; leave ordinary reads and writes unmarked (the hop to a worker and
  // back costs a few microseconds and a chance of 503 they need not risk).
  // A heavy handler runs on a worker thread, so what it captures must be
  // safe to use from any thread, as for every handler (the I/O threads are
  // several too).
  bool heavy = false;
  // With heavy: the handler only reads or computes — it holds no write lock
  // while it runs (report rendering, exports, timetable checks and solves).
  // Such handlers run on a second pool whose threads yield the CPU to
  // everything else (nice +19 instead of the writers' +10), so three users
  // looping reports cost the page reads of everyone else next to nothing.
  // Never for a handler that writes: a writer that crawls at +19 under load
  // would hold its lock, and every other writer waiting on it, that long.
  bool reads_only = false;
};

class Router {
 public:
  Router();
  ~Router();

  // Registers a route. Not thread-safe: add every route before the server
  // starts. `options` (body limit, heavy) are declared here, with the route,
  // so whoever writes the route decides where its handler runs.
  void Add(Method method, std::string_view pattern, Handler handler, RouteOptions options = {});

  struct Match {
    const Handler* handler = nullptr;  // owned by the router
    RouteOptions options;
    std::map<std::string, std::string> path_params;
    bool path_known = false;  // some route has this path with another method (405)
  };
  // Finds the route for method and decoded path. HEAD falls back to GET.
  Match Find(Method method, std::string_view path) const;

 private:
  struct Route;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace edugov::http
