// The HTTP server: Boost.Beast + Asio with C++20 coroutines. Serves the
// router's API under /api/ and the web UI's static files for everything else
// (unknown non-API paths get index.html, so the browser router works).
//
//   Router router;  RegisterHealthHandlers(router, ...);
//   Server server(ServerOptions{.listen = "127.0.0.1:0", .static_dir = "web/dist"}, router);
//   RETURN_IF_ERROR(server.Start());        // binds; server.port() is known now
//   server.Run();                           // blocks until Stop() or SIGTERM/SIGINT
//
// Every connection has read and write timeouts, a header size limit and a body
// size limit (per route); one access-log line is written per request.
//
// Abuse limits: at most max_connections open connections in all and
// max_connections_per_address from one client address. A connection over
// either cap is answered at once with a fixed 503 (Retry-After: 1) and closed,
// without reading anything from it, so thousands of idle or trickling sockets
// cannot exhaust the process's file descriptors or crowd out other clients. A
// client trickling its header is cut read_timeout after its first byte, however
// steadily it trickles.
//
// Heavy routes (RouteOptions::heavy: report rendering, imports, what-if,
// solves) run on a bounded worker pool (worker_pool.h), never on the I/O
// threads: the connection's coroutine waits for the worker without holding
// its thread, so a PDF render never delays another user's page. When the
// pool's waiting room is full the request is answered 503 with Retry-After
// (zh/en by Accept-Language) and its handler does not run. Ordinary routes
// run on the I/O threads, as before.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/router.h"
#include "http/worker_pool.h"

namespace edugov::http {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  std::string static_dir;                 // web UI build; empty serves none
  int threads = 2;
  size_t max_header_bytes = 16 * 1024;            // larger: 431
  size_t max_body_bytes = 1024 * 1024;            // default per route: 413
  std::chrono::milliseconds read_timeout{15000};  // whole request, header and body
  std::chrono::milliseconds write_timeout{15000};
  std::chrono::milliseconds idle_timeout{60000};  // keep-alive between requests
  std::chrono::milliseconds shutdown_grace{10000};
  // Open connections in all; 0 = derive from the descriptor limit (see
  // DefaultMaxConnections()).
  size_t max_connections = 0;
  // Open connections from one client address; 0 = no per-address cap (use
  // that behind a reverse proxy, where every connection is the proxy's).
  size_t max_connections_per_address = 128;
  // Peers (IP addresses, as the socket reports them) whose X-Forwarded-For
  // is believed: a reverse proxy such as nginx. From such a peer a request's
  // remote_address is the last address in X-Forwarded-For — the one the
  // proxy itself appended — so the login lockout and the rate limits see the
  // client, not the proxy. From any other peer the header is ignored: a
  // client could write anything there.
  std::vector<std::string> trusted_proxies;
  bool handle_signals = true;  // SIGTERM/SIGINT stop the server gracefully
  // Threads for heavy routes (see DefaultWorkers() in worker_pool.h for why
  // max(2, hardware threads)). 0 runs heavy routes inline on the I/O threads
  // with no queue and no 503 — the behaviour before the pool, kept for
  // side-by-side benchmarks, not for production.
  size_t workers = DefaultWorkers();
  // Heavy requests that may wait for a free worker beyond those running;
  // unset = DefaultWorkerQueue(workers) (4 per worker). 0: none wait, a heavy
  // request finding every worker busy gets 503 at once.
  std::optional<size_t> worker_queue;
};

// The overall cap used when ServerOptions::max_connections is 0: the soft
// RLIMIT_NOFILE less a reserve for the database, logs, static files and
// outgoing webhooks (256, or half the limit when that is smaller), at most
// 10000 and at least 16. Thread-safe.
size_t DefaultMaxConnections();

class Server {
 public:
  // `router` must outlive the server.
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. kInvalidArgument for a malformed address,
  // kUnavailable when the port is taken.
  Status Start();
  // The bound port (after Start()).
  int port() const;
  // Serves on options.threads threads until Stop() or a signal; returns after
  // in-flight requests finish (or the grace period ends). Heavy requests
  // already accepted by the worker pool run to completion first, even past
  // the grace period (a handler cannot be interrupted); their connections
  // may be closed by then, and their answers are dropped.
  void Run();
  // Thread-safe; callable from any thread or a signal handler context.
  void Stop();
  // Connections refused so far for being over a cap (either one). Thread-safe.
  size_t refused_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edugov::http
