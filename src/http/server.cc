// Server internals. One coroutine per connection, running on its own strand,
// so a connection's state needs no lock; the acceptor, signal set and
// shutdown timer live on a separate "control" strand. Handlers are
// synchronous and run on the I/O threads (options.threads of them): no
// thread per request, and an idle or slow client costs only a coroutine.
// Heavy routes are the exception: their handler runs on pool_ (a
// WorkerPool) and the coroutine suspends until a worker posts the response
// back to the connection's strand, so the I/O thread serves other
// connections meanwhile. Each such request holds a work guard on ioc_ from
// submission to completion: Run() cannot return (nor ioc_ go away) under a
// worker that will still post to it.
//
// Per request: wait for the first byte (idle timeout on keep-alive, read
// timeout on a fresh connection) -> read the header (read timeout covers
// header and body) -> find the route, which decides the body limit -> read
// the body -> dispatch -> write (write timeout) -> one access-log line.
//
// Shutdown: stop accepting; close connections that are idle between
// requests; let the rest finish their current request (answered with
// "Connection: close"); after shutdown_grace close whatever is left. Run()
// returns when the io_context runs out of work.
//
// Connection caps: the acceptor counts open connections (in all and per client
// address) under mu_ as it registers them; one over a cap gets a fixed 503
// written straight into the fresh socket's empty send buffer (non-blocking,
// never waits on the client) and is closed unread. Refusals are logged at
// most once per kRefusalLogEvery, with a count, so a flood cannot flood the
// log too.

// <utility> first: Boost 1.74's asio/awaitable.hpp misses it under GCC 12.
#include <utility>

#include "http/server.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <exception>
#include <limits>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "http/internal/percent.h"
#include "http/internal/static_files.h"
#include "http/worker_pool.h"

namespace edugov::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// A complaint's tracking code is a bearer secret (whoever holds it reads the
// answer and may rate or reopen the case), so the access log never keeps it:
// "/api/v1/public/complaints/7K3M…/rating" is logged as ".../complaints/*/rating".
std::string LoggablePath(std::string_view path) {
  static constexpr std::string_view kSecretParent = "/api/v1/public/complaints/";
  if (path.substr(0, kSecretParent.size()) != kSecretParent || path.size() == kSecretParent.size()) {
    return std::string(path);
  }
  std::string_view rest = path.substr(kSecretParent.size());
  size_t slash = rest.find('/');
  std::string out(kSecretParent);
  out += '*';
  if (slash != std::string_view::npos) out += rest.substr(slash);
  return out;
}

constexpr auto kAwait = asio::use_awaitable;
// After an error response we stop reading requests but drain what the client
// is still sending, so closing does not reset the connection before the
// client has read our answer (a 413 for a body a little over the limit must
// reach the clerk as a 413, not as "connection reset"). Bounded by time
// first — a slow client holds the connection at most kMaxDrainTime — and by
// bytes, so one request cannot make us read forever.
constexpr size_t kMaxDrainBytes = size_t{64} << 20;
constexpr std::chrono::milliseconds kMaxDrainTime{2000};
constexpr std::chrono::seconds kRefusalLogEvery{10};
// Retry-After on a heavy request refused for a full pool: about one render,
// the time it takes a worker to come free.
constexpr std::chrono::seconds kHeavyRetryAfter{5};
// Heavy work yields the CPU to the I/O threads (WorkerPoolOptions::nice):
// on a machine with as many busy workers as cores, a page read would
// otherwise queue behind renders for the scheduler's time slices. Writers
// (imports) only at +10: a writer's lock is waited on by other writers, so
// it must not crawl. Heavy routes that only read (RouteOptions::reads_only)
// at +19: with three clients looping reports (each answer an analysis and
// a page, tens of ms of CPU), +10 still took a page read's p99 to 2.6× its
// idle value on 2 cores (bench/server/pdf_isolation.sh).
constexpr int kWorkerNice = 10;
constexpr int kReaderNice = 19;

// The whole answer to a connection over a cap, in the API's error shape:
// short enough to fit any socket's send buffer in one non-blocking write.
const std::string& BusyResponse() {
  static const std::string response = [] {
    std::string body =
        R"({"error":{"code":"unavailable","message":"服务器连接数已满,请稍后再试 / too many connections, retry later"}})";
    return "HTTP/1.1 503 Service Unavailable\r\n"
           "Server: edugov\r\n"
           "Content-Type: application/json; charset=utf-8\r\n"
           "Retry-After: 1\r\n"
           "Connection: close\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return response;
}

Method ToMethod(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get: return Method::kGet;
    case bhttp::verb::head: return Method::kHead;
    case bhttp::verb::post: return Method::kPost;
    case bhttp::verb::put: return Method::kPut;
    case bhttp::verb::patch: return Method::kPatch;
    case bhttp::verb::delete_: return Method::kDelete;
    case bhttp::verb::options: return Method::kOptions;
    default: return Method::kOther;
  }
}

bool IEquals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

// The client's address: the socket's peer, or — when that peer is a trusted
// proxy — the last entry of X-Forwarded-For, which that proxy appended
// (nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for).
// Entries before it were written by the client and are never believed. A
// last entry that is no address literal leaves the peer's address.
std::string ClientAddress(const std::string& peer, std::string_view forwarded,
                          const std::vector<std::string>& trusted) {
  if (forwarded.empty() || std::find(trusted.begin(), trusted.end(), peer) == trusted.end()) return peer;
  const size_t comma = forwarded.rfind(',');
  std::string_view last = comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(std::string(last), ec);
  return ec ? peer : address.to_string();
}

// "a=1&b=x%20y" -> {a: 1, b: "x y"}. The first of repeated keys wins.
void ParseQuery(std::string_view q, std::map<std::string, std::string>& out) {
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = internal::PercentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : internal::PercentDecode(pair.substr(eq + 1), true);
    out.emplace(std::move(key), std::move(value));
  }
}

Response ServerError(int http_status, const Status& status, Lang lang) {
  Response res = ErrorResponse(status, lang);
  res.status = http_status;
  return res;
}

// Runs a route's handler; an exception becomes a 500 here, on whichever
// thread ran it, so none escapes into Asio or the worker pool.
Response CallHandler(const Handler& handler, Request& req) {
  try {
    return handler(req);
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", MethodName(req.method), req.path, e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-standard exception", MethodName(req.method),
                  req.path);
  }
  return ErrorResponse(InternalError("internal server error", "服务器内部错误"), req.lang);
}

// Submits `fn` to `pool` and completes with its response, on the awaiting
// coroutine's executor; with the pool's refusal (kUnavailable) if it did not
// accept the work. While the work is out, a guard keeps `ioc` from running
// out of work, so the completion always has an io_context to run on.
template <typename CompletionToken>
auto AsyncRunOnPool(WorkerPool& pool, asio::io_context& ioc, std::function<Response()> fn,
                    CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, void(StatusOr<Response>)>(
      [&pool, &ioc](auto handler, std::function<Response()> work_fn) {
        using HandlerType = decltype(handler);
        struct Op {
          HandlerType handler;
          asio::executor_work_guard<asio::io_context::executor_type> work;
        };
        auto op = std::make_shared<Op>(Op{std::move(handler), asio::make_work_guard(ioc)});
        // Never invoked inline: always posted to the handler's executor
        // (the connection's strand), from the worker or from here.
        auto complete = [op](StatusOr<Response> result) {
          auto ex = asio::get_associated_executor(op->handler);
          asio::post(ex, [op, result = std::move(result)]() mutable {
            HandlerType h = std::move(op->handler);
            op->work.reset();
            std::move(h)(std::move(result));
          });
        };
        Status submitted =
            pool.TrySubmit([work_fn = std::move(work_fn), complete]() { complete(work_fn()); });
        if (!submitted.ok()) complete(std::move(submitted));
      },
      token, std::move(fn));
}

// The connection's state. Touched only on the connection's strand, except
// `stream.close()` posted to that strand at shutdown.
struct Connection {
  Connection(tcp::socket socket, std::string remote_address)
      : stream(std::move(socket)), remote(std::move(remote_address)) {}
  beast::tcp_stream stream;
  const std::string remote;  // the peer's address, "-" if unknown
  // Waiting for the first byte of a request: safe to close at shutdown.
  bool idle = false;
};

}  // namespace

size_t DefaultMaxConnections() {
  struct rlimit rl {};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 10000;
  size_t limit = static_cast<size_t>(rl.rlim_cur);
  size_t reserve = std::min<size_t>(256, limit / 2);
  return std::clamp<size_t>(limit - reserve, 16, 10000);
}

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router)
      : options_(std::move(options)),
        router_(router),
        max_connections_(options_.max_connections != 0 ? options_.max_connections
                                                       : DefaultMaxConnections()),
        ioc_(std::max(1, options_.threads)),
        pool_(options_.workers == 0
                  ? nullptr
                  : std::make_unique<WorkerPool>(WorkerPoolOptions{
                        .workers = options_.workers,
                        .max_queued = options_.worker_queue.value_or(DefaultWorkerQueue(options_.workers)),
                        .nice = kWorkerNice})),
        readers_(options_.workers == 0
                     ? nullptr
                     : std::make_unique<WorkerPool>(WorkerPoolOptions{
                           .workers = options_.workers,
                           .max_queued = options_.worker_queue.value_or(DefaultWorkerQueue(options_.workers)),
                           .nice = kReaderNice})),
        control_(asio::make_strand(ioc_)),
        acceptor_(control_),
        grace_timer_(control_) {
    if (::pipe2(wake_fds_, O_CLOEXEC | O_NONBLOCK) != 0) wake_fds_[0] = wake_fds_[1] = -1;
  }

  ~Impl() {
    if (wake_fds_[1] >= 0) ::close(wake_fds_[1]);
    if (!wake_reader_ && wake_fds_[0] >= 0) ::close(wake_fds_[0]);
    // Connections must not outlive the io_context their sockets belong to;
    // coroutine frames still holding some are destroyed with ioc_.
    std::lock_guard lock(mu_);
    connections_.clear();
  }

  Status Start();
  int port() const { return port_; }
  void Run();
  // One write(2) on the wake pipe: async-signal-safe, and works before Run().
  void Stop() {
    if (wake_fds_[1] >= 0) {
      char byte = 1;
      ssize_t n = ::write(wake_fds_[1], &byte, 1);
      (void)n;  // a full pipe already holds a wake-up
      return;
    }
    asio::post(control_, [this] { BeginShutdown(); });
  }
  size_t refused() const { return refused_.load(); }

 private:
  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(std::shared_ptr<Connection> conn);
  // The per-request facts an answer and its access-log line need.
  struct Exchange {
    const std::string& remote;
    Clock::time_point start;
    Method method = Method::kGet;
    std::string_view method_name = "-";  // "-" when the request was unreadable
    std::string_view path = "-";         // raw path, never the query string
    unsigned version = 11;
  };
  // Writes `res` (consuming its body) and logs the access line; false if the
  // write failed.
  asio::awaitable<bool> Send(Connection& conn, Response& res, const Exchange& x, bool keep_alive);
  // Stops reading requests: half-closes, drains what the client still sends
  // for a bounded time, then closes.
  asio::awaitable<void> DrainAndClose(Connection& conn, beast::flat_buffer& buffer);
  // `raw_path` is the path as sent (the router decodes it segment by segment).
  Response Dispatch(Request& req, std::string_view raw_path, bool is_api, Router::Match& match);
  // A heavy route's handler on pool_, or readers_ when it only reads
  // (consumes req); 503 + Retry-After when the pool refuses it.
  asio::awaitable<Response> DispatchHeavy(Request& req, Router::Match& match);
  void BeginShutdown();  // on control_
  enum class Admission { kAdmitted, kStopping, kOverTotal, kOverAddress };
  Admission Register(const std::shared_ptr<Connection>& conn);
  void Unregister(const std::shared_ptr<Connection>& conn);
  // On control_: answers 503 without reading, closes, and logs (throttled).
  void Refuse(Connection& conn, Admission why);

  const ServerOptions options_;
  const Router& router_;
  std::filesystem::path static_root_;  // canonical; empty serves nothing
  int port_ = 0;
  const size_t max_connections_;  // resolved: never 0

  std::mutex mu_;
  std::unordered_set<std::shared_ptr<Connection>> connections_;  // GUARDED_BY(mu_)
  std::unordered_map<std::string, size_t> per_address_;         // GUARDED_BY(mu_); no zeros
  std::atomic<size_t> refused_{0};
  size_t refused_unlogged_ = 0;                                   // on control_
  Clock::time_point last_refusal_log_{};                          // on control_
  bool stopping_ = false;                                        // GUARDED_BY(mu_)
  // Mirrors stopping_ for the per-request keep-alive check without the lock.
  std::atomic<bool> stopping_flag_{false};

  // Declared after the state above: destroyed first, and destroying the
  // io_context destroys suspended coroutines, which unregister themselves.
  asio::io_context ioc_;
  // After ioc_, so destroyed (joined) before it: no worker outlives the
  // io_context it posts to. Null when options.workers is 0 (heavy routes
  // then run inline).
  std::unique_ptr<WorkerPool> pool_;
  // Heavy routes that only read (RouteOptions::reads_only), at a lower
  // priority than pool_; null exactly when pool_ is.
  std::unique_ptr<WorkerPool> readers_;
  asio::strand<asio::io_context::executor_type> control_;
  tcp::acceptor acceptor_;                  // on control_
  std::optional<asio::signal_set> signals_;  // on control_
  asio::steady_timer grace_timer_;          // on control_
  bool shutdown_started_ = false;           // on control_
  // Stop() writes a byte to wake_fds_[1]; wake_reader_ (owning
  // wake_fds_[0] once Start() made it) reads it on control_.
  int wake_fds_[2] = {-1, -1};
  std::optional<asio::posix::stream_descriptor> wake_reader_;  // on control_
  char wake_byte_ = 0;
};

Status Server::Impl::Start() {
  const std::string& listen = options_.listen;
  auto malformed = [&] {
    return InvalidArgumentError("malformed listen address \"" + listen + "\" (want host:port)",
                                "监听地址格式错误:\"" + listen + "\"(应为 主机:端口)")
        .WithField("listen");
  };
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return malformed();
  std::string host = listen.substr(0, colon);
  std::string port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return malformed();
  }
  int port = std::stoi(port_text);
  if (port > 65535) return malformed();
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  if (host.empty()) host = "0.0.0.0";
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) return malformed();

  tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    if (ec == asio::error::address_in_use) {
      return UnavailableError("cannot listen on " + listen + ": address already in use",
                              "无法监听 " + listen + ":端口已被占用");
    }
    return UnavailableError("cannot listen on " + listen + ": " + ec.message(),
                            "无法监听 " + listen + ":" + ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();

  if (!options_.static_dir.empty()) {
    std::error_code fec;
    static_root_ = std::filesystem::canonical(options_.static_dir, fec);
    if (fec || !std::filesystem::is_directory(static_root_, fec)) {
      // Not fatal: the API works without the UI (development, tests).
      spdlog::warn("static dir {} not found; serving the API only", options_.static_dir);
      static_root_.clear();
    }
  }

  asio::co_spawn(control_, Accept(), asio::detached);
  if (wake_fds_[0] >= 0) {
    wake_reader_.emplace(control_, wake_fds_[0]);
    wake_reader_->async_read_some(asio::buffer(&wake_byte_, 1),
                                  [this](const boost::system::error_code& ec, size_t) {
                                    if (!ec) BeginShutdown();
                                  });
  }
  if (options_.handle_signals) {
    signals_.emplace(control_, SIGINT, SIGTERM);
    signals_->async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      spdlog::info("signal {} received", signo);
      BeginShutdown();
    });
  }
  spdlog::info("listening on {}:{}", address.to_string(), port_);
  return OkStatus();
}

void Server::Impl::Run() {
  auto run = [this] {
    // Our coroutines catch everything; this is the last line of defence.
    while (true) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http: uncaught exception on I/O thread: {}", e.what());
      } catch (...) {
        spdlog::error("http: uncaught non-standard exception on I/O thread");
      }
    }
  };
  std::vector<std::thread> extra;
  for (int i = 1; i < options_.threads; ++i) extra.emplace_back(run);
  run();
  for (auto& t : extra) t.join();
  spdlog::info("http server stopped");
}

asio::awaitable<void> Server::Impl::Accept() {
  asio::steady_timer backoff(control_);
  while (true) {
    tcp::socket socket(asio::make_strand(ioc_));
    boost::system::error_code ec;
    co_await acceptor_.async_accept(socket, asio::redirect_error(kAwait, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      // Out of descriptors and the like: back off instead of spinning.
      spdlog::warn("http: accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::redirect_error(kAwait, ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    std::string remote = socket.remote_endpoint(ec).address().to_string();
    if (ec) remote = "-";
    auto conn = std::make_shared<Connection>(std::move(socket), std::move(remote));
    Admission admission = Register(conn);
    if (admission != Admission::kAdmitted) {
      if (admission == Admission::kStopping) {
        conn->stream.close();
      } else {
        Refuse(*conn, admission);
      }
      continue;
    }
    auto executor = conn->stream.get_executor();
    asio::co_spawn(executor, Serve(std::move(conn)), asio::detached);
  }
}

Server::Impl::Admission Server::Impl::Register(const std::shared_ptr<Connection>& conn) {
  std::lock_guard lock(mu_);
  if (stopping_) return Admission::kStopping;
  if (connections_.size() >= max_connections_) return Admission::kOverTotal;
  size_t& from_address = per_address_[conn->remote];
  if (options_.max_connections_per_address != 0 &&
      from_address >= options_.max_connections_per_address) {
    if (from_address == 0) per_address_.erase(conn->remote);
    return Admission::kOverAddress;
  }
  ++from_address;
  connections_.insert(conn);
  return Admission::kAdmitted;
}

void Server::Impl::Unregister(const std::shared_ptr<Connection>& conn) {
  bool last = false;
  {
    std::lock_guard lock(mu_);
    if (connections_.erase(conn) == 0) return;
    auto it = per_address_.find(conn->remote);
    if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
    last = stopping_ && connections_.empty();
  }
  if (last) {
    // The grace timer is the only work left; cancelling it lets Run() return.
    asio::post(control_, [this] { grace_timer_.cancel(); });
  }
}

void Server::Impl::Refuse(Connection& conn, Admission why) {
  // Counted before the client can see the close, so a client that read the
  // 503 to EOF also sees it in refused_connections().
  ++refused_;
  boost::system::error_code ec;
  tcp::socket& socket = conn.stream.socket();
  socket.non_blocking(true, ec);
  // Best effort: a fresh socket's send buffer is empty, so this either
  // writes the whole answer or fails; either way we never wait.
  if (!ec) socket.write_some(asio::buffer(BusyResponse()), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  conn.stream.close();
  ++refused_unlogged_;
  Clock::time_point now = Clock::now();
  if (now - last_refusal_log_ >= kRefusalLogEvery) {
    spdlog::warn("http: refused {} connection(s) over the cap, the latest from {} ({}; caps {} in all, {} per address)",
                 refused_unlogged_, conn.remote,
                 why == Admission::kOverTotal ? "server full" : "too many from this address",
                 max_connections_, options_.max_connections_per_address);
    refused_unlogged_ = 0;
    last_refusal_log_ = now;
  }
}

void Server::Impl::BeginShutdown() {
  if (shutdown_started_) return;
  shutdown_started_ = true;
  spdlog::info("http: shutting down (grace {} ms)", options_.shutdown_grace.count());
  boost::system::error_code ec;
  acceptor_.close(ec);
  if (signals_) signals_->cancel(ec);
  if (wake_reader_) wake_reader_->cancel(ec);

  std::vector<std::shared_ptr<Connection>> conns;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    stopping_flag_ = true;
    conns.assign(connections_.begin(), connections_.end());
  }
  if (conns.empty()) return;
  for (auto& c : conns) {
    // On the connection's strand, so `idle` is read race-free. A connection
    // busy with a request sees stopping_flag_ when it answers and closes.
    asio::post(c->stream.get_executor(), [c] {
      if (c->idle) c->stream.close();
    });
  }
  grace_timer_.expires_after(options_.shutdown_grace);
  grace_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: every connection finished in time
    std::vector<std::shared_ptr<Connection>> left;
    {
      std::lock_guard lock(mu_);
      left.assign(connections_.begin(), connections_.end());
    }
    spdlog::warn("http: grace period over, closing {} connection(s)", left.size());
    for (auto& c : left) {
      asio::post(c->stream.get_executor(), [c] { c->stream.close(); });
    }
  });
}

asio::awaitable<bool> Server::Impl::Send(Connection& conn, Response& res, const Exchange& x,
                                         bool keep_alive) {
  bhttp::response<bhttp::string_body> out;
  out.version(x.version == 10 ? 10 : 11);
  int status = res.status >= 100 && res.status <= 999 ? res.status : 500;
  out.result(static_cast<unsigned>(status));
  out.set(bhttp::field::server, "edugov");
  out.set("X-Content-Type-Options", "nosniff");
  out.set(bhttp::field::x_frame_options, "DENY");
  out.set("Referrer-Policy", "same-origin");
  out.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
          "script-src 'self'");
  if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
  for (const auto& [name, value] : res.headers) out.insert(name, value);
  out.keep_alive(keep_alive);
  size_t body_bytes = res.body.size();
  if (status / 100 == 1 || status == 204 || status == 304) {
    body_bytes = 0;  // no body by definition (RFC 9110 §15.3.5)
  } else {
    out.content_length(body_bytes);
    // HEAD: the length GET would have had, and no body.
    if (x.method != Method::kHead) out.body() = std::move(res.body);
  }
  conn.stream.expires_after(options_.write_timeout);
  boost::system::error_code ec;
  co_await bhttp::async_write(conn.stream, out, asio::redirect_error(kAwait, ec));

  double ms = std::chrono::duration<double, std::milli>(Clock::now() - x.start).count();
  spdlog::info("{} {} {} {} {}B {:.1f}ms {}", x.remote, x.method_name, LoggablePath(x.path), status,
               body_bytes, ms, res.log_note);
  co_return !ec;
}

asio::awaitable<void> Server::Impl::DrainAndClose(Connection& conn, beast::flat_buffer& buffer) {
  boost::system::error_code ec;
  conn.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  conn.stream.expires_after(std::min<std::chrono::milliseconds>(options_.read_timeout, kMaxDrainTime));
  size_t drained = 0;
  while (!ec && drained < kMaxDrainBytes) {
    buffer.clear();
    size_t n = co_await conn.stream.async_read_some(buffer.prepare(16 * 1024),
                                                    asio::redirect_error(kAwait, ec));
    drained += n;
  }
  conn.stream.close();
}

Response Server::Impl::Dispatch(Request& req, std::string_view raw_path, bool is_api,
                                 Router::Match& match) {
  if (!is_api) return internal::ServeStaticFile(static_root_, req.method, req.path);
  if (match.handler != nullptr) {
    req.path_params = std::move(match.path_params);
    return CallHandler(*match.handler, req);
  }
  if (match.path_known) {
    std::string method(MethodName(req.method));
    Response res = ServerError(
        405,
        InvalidArgumentError("method " + method + " is not allowed for " + req.path,
                             "路径 " + req.path + " 不支持 " + method + " 方法"),
        req.lang);
    std::string allow;
    for (Method m : {Method::kGet, Method::kHead, Method::kPost, Method::kPut, Method::kPatch,
                     Method::kDelete, Method::kOptions}) {
      if (router_.Find(m, raw_path).handler != nullptr) {
        if (!allow.empty()) allow += ", ";
        allow += MethodName(m);
      }
    }
    if (!allow.empty()) res.AddHeader("Allow", std::move(allow));
    return res;
  }
  return ErrorResponse(NotFoundError("no such API endpoint: " + req.path, "接口不存在:" + req.path),
                       req.lang);
}

asio::awaitable<Response> Server::Impl::DispatchHeavy(Request& req, Router::Match& match) {
  const Lang lang = req.lang;
  // The request moves to the heap: the worker reads it while this frame is
  // suspended, and the frame may be destroyed (io_context teardown) first.
  auto job = std::make_shared<Request>(std::move(req));
  job->path_params = std::move(match.path_params);
  const Handler* handler = match.handler;  // owned by the router, which outlives us
  // Built in statements of their own, not inside the co_await expression:
  // GCC 12 destroys some temporaries of a co_await full-expression twice (a
  // lambda's captured shared_ptr released twice, caught by ASan).
  std::function<Response()> work = [job, handler] { return CallHandler(*handler, *job); };
  WorkerPool& pool = match.options.reads_only ? *readers_ : *pool_;
  asio::awaitable<StatusOr<Response>> done = AsyncRunOnPool(pool, ioc_, std::move(work), kAwait);
  StatusOr<Response> result = co_await std::move(done);
  if (result.ok()) co_return std::move(*result);
  Response res = ErrorResponse(result.status(), lang);
  res.AddHeader("Retry-After", std::to_string(kHeavyRetryAfter.count()));
  res.log_note = "refused: worker pool full or stopping";
  co_return res;
}

asio::awaitable<void> Server::Impl::Serve(std::shared_ptr<Connection> conn) {
  // Unregisters however the coroutine ends, including destruction of its
  // frame when the io_context goes away.
  struct Guard {
    Impl* impl;
    std::shared_ptr<Connection> conn;
    ~Guard() { impl->Unregister(conn); }
  } guard{this, conn};

  boost::system::error_code ec;
  const std::string& remote = conn->remote;
  beast::flat_buffer buffer;
  bool first = true;

  try {
    while (true) {
      // 1. Wait for the request's first byte. A fresh connection gets the
      // read timeout (it connected to send something); between keep-alive
      // requests, the idle timeout.
      if (buffer.size() == 0) {
        if (stopping_flag_) break;
        // A big upload grew the buffer; idle connections should not keep it.
        if (buffer.capacity() > 64 * 1024) buffer.shrink_to_fit();
        conn->idle = true;
        conn->stream.expires_after(first ? options_.read_timeout : options_.idle_timeout);
        size_t n = co_await conn->stream.async_read_some(buffer.prepare(4096),
                                                         asio::redirect_error(kAwait, ec));
        conn->idle = false;
        if (ec) break;
        buffer.commit(n);
      }
      first = false;
      Exchange x{.remote = remote, .start = Clock::now()};

      // 2. The header. The body limit is decided per route once the target
      // is known, so it is lifted here (Beast checks Content-Length against
      // it while parsing the header). Not boost::none: Beast 1.74 compares
      // `len > body_limit_` with the optional, and anything > none.
      conn->stream.expires_after(options_.read_timeout);
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(
          std::min<size_t>(options_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      co_await bhttp::async_read_header(conn->stream, buffer, parser, asio::redirect_error(kAwait, ec));
      if (ec) {
        std::optional<Response> res;
        if (ec == bhttp::error::header_limit) {
          std::string limit = std::to_string(options_.max_header_bytes);
          res = ServerError(431,
                            ResourceExhaustedError("request header too large (limit " + limit + " bytes)",
                                                   "请求头过大(上限 " + limit + " 字节)"),
                            Lang::kZh);
        } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
                   ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
          res = ServerError(400, InvalidArgumentError("malformed HTTP request", "HTTP 请求格式错误"),
                            Lang::kZh);
        }
        // Otherwise the peer went away or timed out: nobody to answer.
        if (res) {
          co_await Send(*conn, *res, x, false);
          co_await DrainAndClose(*conn, buffer);
        }
        break;
      }

      bhttp::request<bhttp::string_body>& hreq = parser.get();
      Request req;
      req.method = ToMethod(hreq.method());
      req.remote_address = ClientAddress(remote, View(hreq["X-Forwarded-For"]), options_.trusted_proxies);
      req.lang = LangFromAcceptLanguage(View(hreq[bhttp::field::accept_language]));
      x.method = req.method;
      x.method_name = View(hreq.method_string());
      x.version = hreq.version();
      std::string_view target = View(hreq.target());
      size_t qmark = target.find('?');
      std::string_view raw_path = target.substr(0, qmark);
      std::string_view raw_query =
          qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
      // Origin-form only ("/path"); absolute-form and "*" are for proxies.
      if (raw_path.empty() || raw_path.front() != '/') {
        Response res = ServerError(
            400, InvalidArgumentError("malformed request target", "请求目标格式错误"), req.lang);
        co_await Send(*conn, res, x, false);
        co_await DrainAndClose(*conn, buffer);
        break;
      }
      x.path = raw_path;
      bool is_api = raw_path.starts_with("/api/") || raw_path == "/api";
      Router::Match match;
      if (is_api) match = router_.Find(req.method, raw_path);
      size_t body_limit = match.handler != nullptr && match.options.max_body_bytes != 0
                              ? match.options.max_body_bytes
                              : options_.max_body_bytes;

      // 3. The body, within the route's limit. A declared length over the
      // limit is refused before any of the body is read (and before a
      // 100 Continue invites it).
      bool too_large = parser.content_length() && *parser.content_length() > body_limit;
      if (!too_large) {
        beast::string_view expect = hreq[bhttp::field::expect];
        if (!expect.empty()) {
          if (!IEquals(View(expect), "100-continue")) {
            Response res = ServerError(
                417, InvalidArgumentError("unsupported Expect header", "不支持的 Expect 请求头"), req.lang);
            co_await Send(*conn, res, x, false);
            co_await DrainAndClose(*conn, buffer);
            break;
          }
          if (!parser.is_done()) {
            bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, hreq.version()};
            conn->stream.expires_after(options_.write_timeout);
            co_await bhttp::async_write(conn->stream, cont, asio::redirect_error(kAwait, ec));
            if (ec) break;
            conn->stream.expires_after(options_.read_timeout);
          }
        }
        parser.body_limit(body_limit);
        if (!parser.is_done()) {
          co_await bhttp::async_read(conn->stream, buffer, parser, asio::redirect_error(kAwait, ec));
          if (ec == bhttp::error::body_limit) {
            too_large = true;
          } else if (ec) {
            break;  // timeout, reset, or a broken chunked encoding: close
          }
        }
      }
      if (too_large) {
        std::string limit = std::to_string(body_limit);
        Response res = ServerError(
            413,
            ResourceExhaustedError("request body too large (limit " + limit + " bytes)",
                                   "请求体过大(上限 " + limit + " 字节)"),
            req.lang);
        co_await Send(*conn, res, x, false);
        co_await DrainAndClose(*conn, buffer);
        break;
      }

      // 4. Dispatch.
      req.path = internal::PercentDecode(raw_path);
      ParseQuery(raw_query, req.query);
      for (const auto& field : hreq) {
        std::string name(View(field.name_string()));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto [it, inserted] = req.headers.try_emplace(std::move(name), View(field.value()));
        if (!inserted) {
          it->second += ", ";
          it->second += View(field.value());
        }
      }
      req.body = std::move(hreq.body());
      Response res;
      if (is_api && match.handler != nullptr && match.options.heavy && pool_ != nullptr) {
        res = co_await DispatchHeavy(req, match);
      } else {
        res = Dispatch(req, raw_path, is_api, match);
      }

      // 5. Answer. Once shutdown has begun, this is the connection's last.
      bool keep_alive = hreq.keep_alive() && !stopping_flag_;
      if (!co_await Send(*conn, res, x, keep_alive)) break;
      if (!keep_alive) {
        conn->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        break;
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("http: connection from {} failed: {}", remote, e.what());
  }
  conn->stream.close();
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
Server::~Server() = default;
Status Server::Start() { return impl_->Start(); }
int Server::port() const { return impl_->port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }
size_t Server::refused_connections() const { return impl_->refused(); }

}  // namespace edugov::http
