#include "notify/webhook_dispatcher.h"

#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

namespace edugov::notify {

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr size_t kMaxReplyBytes = 64 * 1024;

struct ParsedUrl {
  bool tls = false;
  std::string host;         // without brackets
  std::string port;
  std::string host_header;  // as written in the URL's authority
  std::string target;       // path and query, at least "/"
};

StatusOr<ParsedUrl> ParseUrl(const std::string& url) {
  ParsedUrl u;
  std::string_view rest;
  if (url.rfind("http://", 0) == 0) {
    rest = std::string_view(url).substr(7);
    u.port = "80";
  } else if (url.rfind("https://", 0) == 0) {
    rest = std::string_view(url).substr(8);
    u.tls = true;
    u.port = "443";
  } else {
    return Status(StatusCode::kInvalidArgument, "webhook url must start with http:// or https://",
                  "机器人地址必须以 http:// 或 https:// 开头", "url");
  }
  const size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!u.target.empty() && u.target.front() != '/') u.target = "/" + u.target;
  if (const size_t hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  u.host_header = std::string(authority);
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8080
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status(StatusCode::kInvalidArgument, "webhook url has a malformed IPv6 host",
                    "机器人地址的 IPv6 主机格式错误", "url");
    }
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      u.port = std::string(authority.substr(close + 2));
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    u.host = std::string(authority.substr(0, colon));
    u.port = std::string(authority.substr(colon + 1));
  } else {
    u.host = std::string(authority);
  }
  if (u.host.empty() || u.port.empty()) {
    return Status(StatusCode::kInvalidArgument, "webhook url has no host", "机器人地址缺少主机名",
                  "url");
  }
  return u;
}

// Runs one asynchronous operation to completion on `ioc`: the stream's
// expiry (tcp_stream::expires_after) bounds it.
template <class Start>
beast::error_code Await(net::io_context& ioc, Start&& start) {
  beast::error_code result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

Status NetError(const ParsedUrl& u, std::string_view step, const beast::error_code& ec) {
  // Host only: the URL's query carries the robot's access token.
  const std::string where = u.host + ":" + u.port;
  return Status(StatusCode::kUnavailable,
                std::string(step) + " " + where + " failed: " + ec.message(),
                "连接机器人 " + where + " 失败(" + std::string(step) + "):" + ec.message());
}

template <class Stream>
StatusOr<HttpReply> Exchange(net::io_context& ioc, Stream& stream, const ParsedUrl& u,
                             const std::string& body) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, u.target, 11};
  req.set(bhttp::field::host, u.host_header);
  req.set(bhttp::field::user_agent, "edugov-webhook/1");
  req.set(bhttp::field::content_type, "application/json; charset=utf-8");
  req.set(bhttp::field::connection, "close");
  req.body() = body;
  req.prepare_payload();
  if (auto ec = Await(ioc, [&](auto h) { bhttp::async_write(stream, req, std::move(h)); })) {
    return NetError(u, "write", ec);
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxReplyBytes);
  if (auto ec = Await(ioc, [&](auto h) { bhttp::async_read(stream, buffer, parser, std::move(h)); })) {
    return NetError(u, "read", ec);
  }
  return HttpReply{static_cast<int>(parser.get().result_int()), parser.get().body()};
}

// Whether the robot took the message; `why` says why not.
bool Accepted(const HttpReply& reply, std::string* why) {
  if (reply.status < 200 || reply.status >= 300) {
    *why = "HTTP " + std::to_string(reply.status);
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("errcode") && j["errcode"].is_number_integer() &&
      j["errcode"].get<int64_t>() != 0) {
    *why = "errcode " + std::to_string(j["errcode"].get<int64_t>());
    if (j.contains("errmsg") && j["errmsg"].is_string()) {
      *why += ": " + j["errmsg"].get<std::string>();
    }
    return false;
  }
  return true;
}

}  // namespace

StatusOr<HttpReply> BeastWebhookSender::Post(const std::string& url, const std::string& body) {
  ASSIGN_OR_RETURN(ParsedUrl u, ParseUrl(url));
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::error_code resolve_ec = net::error::timed_out;
  tcp::resolver::results_type endpoints;
  bool resolved = false;
  resolver.async_resolve(u.host, u.port,
                         [&](beast::error_code ec, tcp::resolver::results_type r) {
                           resolve_ec = ec;
                           endpoints = std::move(r);
                           resolved = true;
                         });
  ioc.run_for(timeout_);
  if (!resolved) {
    resolver.cancel();
    ioc.restart();
    ioc.run();
    return NetError(u, "resolve", net::error::timed_out);
  }
  if (resolve_ec) return NetError(u, "resolve", resolve_ec);
  // All of them, not the first: async_connect tries each in turn.
  for (const auto& entry : endpoints) {
    RETURN_IF_ERROR(CheckTargetAddress(entry.endpoint().address().to_string(), allow_));
  }

  if (!u.tls) {
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout_);
    if (auto ec = Await(ioc, [&](auto h) { stream.async_connect(endpoints, std::move(h)); })) {
      return NetError(u, "connect", ec);
    }
    auto reply = Exchange(ioc, stream, u, body);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return reply;
  }

  ssl::context ctx(ssl::context::tls_client);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx.set_default_verify_paths();
  if (!extra_ca_pem_.empty()) {
    beast::error_code ec;
    ctx.add_certificate_authority(net::buffer(extra_ca_pem_), ec);
    if (ec) return NetError(u, "tls ca", ec);
  }
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  // SNI names hosts, never IP literals (RFC 6066 §3).
  beast::error_code not_ip;
  net::ip::make_address(u.host, not_ip);
  if (not_ip && !SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str())) {
    return NetError(u, "tls sni", beast::error_code(static_cast<int>(::ERR_get_error()),
                                                    net::error::get_ssl_category()));
  }
  stream.set_verify_callback(ssl::host_name_verification(u.host));
  beast::get_lowest_layer(stream).expires_after(timeout_);
  if (auto ec = Await(ioc, [&](auto h) {
        beast::get_lowest_layer(stream).async_connect(endpoints, std::move(h));
      })) {
    return NetError(u, "connect", ec);
  }
  if (auto ec = Await(ioc, [&](auto h) { stream.async_handshake(ssl::stream_base::client, std::move(h)); })) {
    return NetError(u, "tls handshake", ec);
  }
  auto reply = Exchange(ioc, stream, u, body);
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  return reply;
}

std::chrono::microseconds RetryDelay(int failures, const DispatchOptions& options) {
  if (failures < 1) failures = 1;
  if (failures > 30) failures = 30;  // no overflow, whatever max_attempts says
  return options.first_retry * (int64_t{1} << (failures - 1));
}

StatusOr<DispatchReport> WebhookDispatcher::RunOnce(const std::function<bool()>& should_stop) {
  DispatchReport report;
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, db_.Acquire());
  const int64_t now = ToUnixMicros(clock_.Now());
  ASSIGN_OR_RETURN(storage::ResultSet due,
                   conn->Query("SELECT d.id, d.attempts, d.next_attempt_at, d.payload, w.url "
                               "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                               "WHERE d.status = 'pending' AND w.enabled = 1 AND "
                               "d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT $2",
                               {now, int64_t{options_.batch}}));
  for (size_t r = 0; r < due.size(); ++r) {
    if (should_stop && should_stop()) break;
    const int64_t id = due.GetInt(r, 0);
    const int64_t attempts = due.GetInt(r, 1) + 1;
    // Claim: only the dispatcher that moves next_attempt_at from the value it
    // read sends this delivery.
    ASSIGN_OR_RETURN(int64_t claimed,
                     conn->Execute("UPDATE webhook_deliveries SET next_attempt_at = $1 "
                                   "WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3",
                                   {now + options_.lease.count(), id, due.GetInt(r, 2)}));
    if (claimed != 1) continue;

    std::string error;
    auto reply = sender_.Post(due.GetText(r, 4), due.GetText(r, 3));
    const bool ok = reply.ok() ? Accepted(*reply, &error) : false;
    if (!reply.ok()) error = reply.status().message_en();
    if (error.size() > 500) error.resize(500);
    const int64_t after = ToUnixMicros(clock_.Now());
    if (ok) {
      RETURN_IF_ERROR(conn->Execute(
          "UPDATE webhook_deliveries SET status = 'sent', attempts = $1, sent_at = $2, "
          "last_error = '' WHERE id = $3",
          {attempts, after, id}));
      ++report.sent;
    } else if (attempts >= options_.max_attempts) {
      RETURN_IF_ERROR(conn->Execute(
          "UPDATE webhook_deliveries SET status = 'failed', attempts = $1, last_error = $2 "
          "WHERE id = $3",
          {attempts, error, id}));
      spdlog::warn("webhook delivery {} given up after {} attempts: {}", id, attempts, error);
      ++report.failed;
    } else {
      const int64_t next = after + RetryDelay(static_cast<int>(attempts), options_).count();
      RETURN_IF_ERROR(conn->Execute(
          "UPDATE webhook_deliveries SET attempts = $1, last_error = $2, next_attempt_at = $3 "
          "WHERE id = $4",
          {attempts, error, next, id}));
      ++report.retry;
    }
  }
  return report;
}

PeriodicDispatcher::PeriodicDispatcher(WebhookDispatcher& dispatcher,
                                       std::chrono::milliseconds every)
    : dispatcher_(dispatcher), every_(every), thread_([this] { Loop(); }) {}

PeriodicDispatcher::~PeriodicDispatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void PeriodicDispatcher::Loop() {
  auto stopping = [this] {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  };
  for (;;) {
    StatusOr<DispatchReport> r = dispatcher_.RunOnce(stopping);
    if (!r.ok()) {
      spdlog::warn("webhook dispatch failed: {}", r.status().ToString());
    } else if (r->sent + r->retry + r->failed > 0) {
      spdlog::info("webhooks: {} sent, {} to retry, {} given up", r->sent, r->retry, r->failed);
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, every_, [this] { return stop_; })) return;
  }
}

}  // namespace edugov::notify
