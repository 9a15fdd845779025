// https:// to a real local TLS robot: delivered when its certificate is
// trusted (for the loopback IP it names), refused when it is not — so the
// TLS path and its verification are exercised, not assumed.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <thread>

#include "notify/webhook_dispatcher.h"

namespace edugov::notify {
namespace {

// The test's robots listen on loopback, which a sender refuses unless the
// operator allows it (webhook_targets.h) — as `serve --webhook-allow` does.
TargetAllowList LoopbackAllowed() { return *TargetAllowList::Parse({"127.0.0.1", "::1"}); }

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// A self-signed certificate for IP 127.0.0.1 only, valid until 2126, made
// for this test (openssl req -x509 … -addext "subjectAltName=IP:127.0.0.1").
// Its key protects nothing.
constexpr const char* kCertPem = R"(-----BEGIN CERTIFICATE-----
MIIBoDCCAUagAwIBAgIUEF+nWm+01EaF7FHO8FnTiRXLeYYwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRZWR1Z292LXRlc3Qtcm9ib3QwIBcNMjYxMTI5MjEzMzE2WhgP
MjEyNjExMDUyMTMzMTZaMBwxGjAYBgNVBAMMEWVkdWdvdi10ZXN0LXJvYm90MFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAES6mb8grtus0mSn1K0HPkd/3U15bLPl6G
ENpZlMmissbqWwfgfRvIGsJ0qGZyYM5BlkA6MUsuvY5BuCHEocFTr6NkMGIwHQYD
VR0OBBYEFGz1KTTJnKsKQdansW78LDbWGVxDMB8GA1UdIwQYMBaAFGz1KTTJnKsK
QdansW78LDbWGVxDMA8GA1UdEQQIMAaHBH8AAAEwDwYDVR0TAQH/BAUwAwEB/zAK
BggqhkjOPQQDAgNIADBFAiEApZC3P+y3uFlyf+MsG8yFXL7AJxtwYcWGbcLAAOgp
VnUCIB0s79AC0n1FyuAzqD5ZX2C3Ox6Ye4OhYwL+byk5ipHV
-----END CERTIFICATE-----
)";
constexpr const char* kKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3N8oWYGVnpZQnIVk
SvUX3M0uHGaHwpNT9AYQ3bMLFMWhRANCAARLqZvyCu26zSZKfUrQc+R3/dTXlss+
XoYQ2lmUyaKyxupbB+B9G8gawnSoZnJgzkGWQDoxSy69jkG4IcShwVOv
-----END PRIVATE KEY-----
)";

class TlsReceiver {
 public:
  TlsReceiver()
      : ctx_(ssl::context::tls_server),
        acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    ctx_.use_certificate_chain(net::buffer(std::string(kCertPem)));
    ctx_.use_private_key(net::buffer(std::string(kKeyPem)), ssl::context::pem);
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Loop(); });
  }
  ~TlsReceiver() {
    stop_ = true;
    net::io_context io;
    tcp::socket s(io);
    beast::error_code ec;
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    s.close(ec);
    thread_.join();
  }
  std::string Url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/cgi-bin/webhook/send?key=k"; }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }

 private:
  void Loop() {
    while (!stop_) {
      tcp::socket sock(ioc_);
      beast::error_code ec;
      acceptor_.accept(sock, ec);
      if (stop_) return;
      if (ec) continue;
      beast::ssl_stream<tcp::socket> stream(std::move(sock), ctx_);
      stream.handshake(ssl::stream_base::server, ec);
      if (ec) continue;  // the client refused our certificate
      beast::flat_buffer buffer;
      bhttp::request<bhttp::string_body> req;
      bhttp::read(stream, buffer, req, ec);
      if (ec) continue;
      {
        std::lock_guard<std::mutex> lock(mu_);
        bodies_.push_back(req.body());
      }
      bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
      res.set(bhttp::field::content_type, "application/json");
      res.body() = R"({"errcode":0,"errmsg":"ok"})";
      res.prepare_payload();
      bhttp::write(stream, res, ec);
      stream.shutdown(ec);
    }
  }

  net::io_context ioc_;
  ssl::context ctx_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

const std::string kPayload = R"({"msgtype":"text","text":{"content":"【待办】TS2025-000001"}})";

TEST(WebhookTlsTest, TrustedRobotReceivesOverHttps) {
  TlsReceiver robot;
  BeastWebhookSender sender(std::chrono::seconds(5), kCertPem, LoopbackAllowed());
  auto reply = sender.Post(robot.Url(), kPayload);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"errcode":0,"errmsg":"ok"})");
  EXPECT_EQ(robot.bodies(), std::vector<std::string>{kPayload});
}

TEST(WebhookTlsTest, UntrustedCertificateIsRefusedBeforeSending) {
  TlsReceiver robot;
  BeastWebhookSender sender(std::chrono::seconds(5), {}, LoopbackAllowed());  // system CAs only
  auto reply = sender.Post(robot.Url(), kPayload);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(reply.status().message_en().find("tls handshake"), std::string::npos)
      << reply.status().message_en();
  EXPECT_TRUE(robot.bodies().empty());
}

TEST(WebhookTlsTest, CertificateForAnotherHostIsRefused) {
  TlsReceiver robot;
  BeastWebhookSender sender(std::chrono::seconds(5), kCertPem, LoopbackAllowed());
  // The same listener reached as "localhost": the certificate names only
  // 127.0.0.1, so the host name check refuses it.
  std::string url = robot.Url();
  url.replace(url.find("127.0.0.1"), 9, "localhost");
  auto reply = sender.Post(url, kPayload);
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.status().message_en().find("tls handshake"), std::string::npos)
      << reply.status().message_en();
  EXPECT_TRUE(robot.bodies().empty());
}

}  // namespace
}  // namespace edugov::notify
