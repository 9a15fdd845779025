// Maps (method, path pattern) to a handler. Patterns are literal segments
// and {name} captures: "/api/v1/orgs/{id}/children". Thread-safe once all
// routes are added (routes are added before the server starts).
//
//   router.Add(Method::kGet, "/api/v1/health", [](const Request&) {
//     return JsonResponse({{"status", "ok"}});
//   });
#pragma once

#include <functional>
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
};

class Router {
 public:
  Router();
  ~Router();

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
