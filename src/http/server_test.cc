// Talks to a real Server on 127.0.0.1:<ephemeral> over real sockets: a small
// synchronous Beast client for well-formed requests, raw bytes for the rest.
// No sleeps: ordering comes from promises and from waiting on socket EOF.

// <utility> first: Boost 1.74's asio/awaitable.hpp misses it under GCC 12.
#include <utility>

#include "http/server.h"

#include <csignal>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <stdexcept>
#include <thread>

#include <condition_variable>
#include <mutex>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "http/app.h"

namespace edugov::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
namespace fs = std::filesystem;

// A safety net so a broken server fails a test instead of hanging it; never
// part of what a test checks.
constexpr std::chrono::seconds kClientDeadline{10};

struct Reply {
  int status = 0;
  bhttp::fields headers;
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body); }
  std::string Header(std::string_view name) const {
    auto it = headers.find(beast::string_view(name.data(), name.size()));
    return it == headers.end() ? "" : std::string(it->value());
  }
};

class Client {
 public:
  // `from`: the local address to connect from. All of 127.0.0.0/8 is
  // loopback on Linux, so 127.0.0.2 is "another client" to the server.
  explicit Client(int port, std::string_view from = "127.0.0.1") : stream_(ioc_) {
    stream_.socket().open(tcp::v4());
    stream_.socket().bind(tcp::endpoint(asio::ip::make_address(std::string(from)), 0));
    stream_.expires_after(kClientDeadline);
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  }

  Reply Send(bhttp::verb verb, std::string target, std::string body = "",
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, "localhost");
    for (auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || verb == bhttp::verb::post) {
      req.body() = std::move(body);
      req.prepare_payload();
    }
    stream_.expires_after(kClientDeadline);
    bhttp::write(stream_, req);
    return Read(verb == bhttp::verb::head);
  }

  Reply Get(std::string target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Send(bhttp::verb::get, std::move(target), "", std::move(headers));
  }

  Reply Read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(head);
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_after(kClientDeadline);
    bhttp::read(stream_, buffer_, parser);
    Reply r;
    r.status = parser.get().result_int();
    r.headers = parser.get().base();
    r.body = parser.get().body();
    return r;
  }

  void WriteRaw(std::string_view bytes) {
    stream_.expires_after(kClientDeadline);
    asio::write(stream_, asio::buffer(bytes.data(), bytes.size()));
  }

  // Everything the server sends until it closes the connection.
  std::string ReadToEof() {
    std::string out(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.clear();
    char chunk[4096];
    boost::system::error_code ec;
    while (true) {
      stream_.expires_after(kClientDeadline);
      size_t n = stream_.read_some(asio::buffer(chunk), ec);
      out.append(chunk, n);
      if (ec) break;
    }
    last_error_ = ec;
    return out;
  }

  // True when the server closed the connection (EOF or reset), false when
  // the safety deadline hit first.
  bool WaitForClose() {
    ReadToEof();
    return last_error_ != beast::error::timeout;
  }

  std::string ReadHeaderRaw() {
    stream_.expires_after(kClientDeadline);
    asio::dynamic_string_buffer raw(raw_);
    size_t n = asio::read_until(stream_.socket(), raw, "\r\n\r\n");
    std::string head = raw_.substr(0, n);
    raw_.erase(0, n);
    return head;
  }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string raw_;
  boost::system::error_code last_error_;
};

// Holds heavy handlers until the test opens it, and tells the test how many
// have entered: the test waits for a handler to be running, not for luck.
class Gate {
 public:
  void Enter() {
    std::unique_lock lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void WaitEntered(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int entered() {
    std::lock_guard lock(mu_);
    return entered_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("edugov_http_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "dist" / "assets");
    Write(root_ / "dist" / "index.html", "<!doctype html><title>edugov</title>");
    Write(root_ / "dist" / "assets" / "app.3f2a1b.js", "console.log(1)");
    Write(root_ / "dist" / "favicon.ico", "ICO");
    Write(root_ / "secret.txt", "TOP SECRET");
    fs::create_symlink(root_ / "secret.txt", root_ / "dist" / "leak.txt");

    router_.Add(Method::kGet, "/api/v1/hello", [](Request&) {
      return JsonResponse({{"hello", "world"}});
    });
    router_.Add(Method::kGet, "/api/v1/orgs/{id}/children", [](Request& req) {
      Response res = JsonResponse({{"id", req.path_params.at("id")},
                                   {"q", req.Query("q").value_or("")},
                                   {"path", req.path}});
      res.log_note = "user=test";
      return res;
    });
    router_.Add(Method::kPost, "/api/v1/echo", [](Request& req) {
      return JsonResponse({{"bytes", req.body.size()}, {"lang", req.lang == Lang::kEn ? "en" : "zh"},
                           {"remote", req.remote_address}, {"ua", req.Header("user-agent")}});
    });
    router_.Add(Method::kPost, "/api/v1/upload", [](Request& req) {
      return JsonResponse({{"bytes", req.body.size()}});
    }, RouteOptions{.max_body_bytes = 8 * 1024});
    router_.Add(Method::kGet, "/api/v1/boom", [](Request&) -> Response {
      throw std::runtime_error("kaboom");
    });
    router_.Add(Method::kGet, "/api/v1/slow", [this](Request&) {
      slow_entered_.set_value();
      slow_release_.get_future().wait();
      return JsonResponse({{"slow", "done"}});
    });
    const RouteOptions heavy{.heavy = true};
    router_.Add(Method::kGet, "/api/v1/heavy", [this](Request&) {
      gate_.Enter();
      return JsonResponse({{"heavy", "done"}});
    }, heavy);
    router_.Add(Method::kPost, "/api/v1/heavy/{id}", [](Request& req) {
      return JsonResponse({{"id", req.path_params.at("id")}, {"q", req.Query("q").value_or("")},
                           {"bytes", req.body.size()}, {"lang", req.lang == Lang::kEn ? "en" : "zh"},
                           {"remote", req.remote_address}});
    }, RouteOptions{.max_body_bytes = 64 * 1024, .heavy = true});
    router_.Add(Method::kGet, "/api/v1/heavy-boom", [](Request&) -> Response {
      throw std::runtime_error("render crashed");
    }, heavy);
    // Where a handler runs shows in its thread's nice value.
    const auto my_nice = [](Request&) {
      errno = 0;
      const int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
      return JsonResponse({{"nice", nice}, {"errno", errno}});
    };
    router_.Add(Method::kGet, "/api/v1/nice/io", my_nice);
    router_.Add(Method::kGet, "/api/v1/nice/writer", my_nice, heavy);
    router_.Add(Method::kGet, "/api/v1/nice/reader", my_nice, RouteOptions{.heavy = true, .reads_only = true});
  }

  void TearDown() override {
    gate_.Open();  // a failed test must not leave a worker (and Run()) blocked
    if (server_) {
      server_->Stop();
      runner_.join();
    }
    fs::remove_all(root_);
  }

  static void Write(const fs::path& p, std::string_view content) {
    std::ofstream(p, std::ios::binary) << content;
  }

  ServerOptions Options() {
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.static_dir = (root_ / "dist").string();
    o.threads = 2;
    o.max_body_bytes = 1024;
    o.handle_signals = false;
    return o;
  }

  void StartServer(ServerOptions options) {
    server_ = std::make_unique<Server>(std::move(options), router_);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_GT(server_->port(), 0);
    runner_ = std::thread([this] { server_->Run(); });
  }
  void StartServer() { StartServer(Options()); }

  int port() const { return server_->port(); }

  fs::path root_;
  Router router_;
  std::unique_ptr<Server> server_;
  std::thread runner_;
  std::promise<void> slow_entered_;
  std::promise<void> slow_release_;
  Gate gate_;
};

TEST_F(ServerTest, RoutesToHandler) {
  StartServer();
  Client c(port());
  Reply r = c.Get("/api/v1/hello");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["hello"], "world");
  EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8");
}

TEST_F(ServerTest, PathParamsQueryAndPercentDecoding) {
  StartServer();
  Client c(port());
  Reply r = c.Get("/api/v1/orgs/%E4%B8%80%E4%B8%AD/children?q=a%20b+c&x=1");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["id"], "一中");
  EXPECT_EQ(r.Json()["q"], "a b c");
  EXPECT_EQ(r.Json()["path"], "/api/v1/orgs/一中/children");
}

TEST_F(ServerTest, RequestCarriesHeadersRemoteAddressAndLang) {
  StartServer();
  Client c(port());
  Reply r = c.Send(bhttp::verb::post, "/api/v1/echo", "hi",
                   {{"User-Agent", "test-agent"}, {"Accept-Language", "en-US,en;q=0.9"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["ua"], "test-agent");
  EXPECT_EQ(r.Json()["remote"], "127.0.0.1");
  EXPECT_EQ(r.Json()["lang"], "en");
  EXPECT_EQ(r.Json()["bytes"], 2);
}

// Behind nginx every connection is the proxy's; the client is the address
// the proxy appended to X-Forwarded-For — believed only from that proxy.
TEST_F(ServerTest, XForwardedForIsBelievedOnlyFromATrustedProxy) {
  ServerOptions o = Options();
  o.trusted_proxies = {"127.0.0.1"};
  StartServer(o);
  Client c(port());
  // The client wrote "6.6.6.6"; nginx appended the address it saw.
  Reply r = c.Send(bhttp::verb::post, "/api/v1/echo", "", {{"X-Forwarded-For", "6.6.6.6, 203.0.113.7"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["remote"], "203.0.113.7");
  Reply junk = c.Send(bhttp::verb::post, "/api/v1/echo", "", {{"X-Forwarded-For", "1.2.3.4, <script>"}});
  EXPECT_EQ(junk.Json()["remote"], "127.0.0.1");
}

TEST_F(ServerTest, XForwardedForFromAnyOtherPeerIsIgnored) {
  ServerOptions o = Options();
  o.trusted_proxies = {"10.0.0.1"};
  StartServer(o);
  Client c(port());
  Reply r = c.Send(bhttp::verb::post, "/api/v1/echo", "", {{"X-Forwarded-For", "203.0.113.7"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["remote"], "127.0.0.1");
}

TEST_F(ServerTest, UnknownApiPathIs404Json) {
  StartServer();
  Client c(port());
  Reply r = c.Get("/api/v1/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Json()["error"]["code"], "not_found");
}

TEST_F(ServerTest, WrongMethodIs405JsonWithAllow) {
  StartServer();
  Client c(port());
  Reply r = c.Send(bhttp::verb::delete_, "/api/v1/hello");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Json()["error"]["code"], "invalid_argument");
  EXPECT_EQ(r.Header("Allow"), "GET, HEAD");
}

TEST_F(ServerTest, HeadGetsGetHeadersWithoutBody) {
  StartServer();
  Client c(port());
  Reply r = c.Send(bhttp::verb::head, "/api/v1/hello");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.Header("Content-Length"), std::to_string(std::string(R"({"hello":"world"})").size()));
  // The connection is still usable: HEAD sent no body bytes.
  EXPECT_EQ(c.Get("/api/v1/hello").status, 200);
}

TEST_F(ServerTest, ErrorMessagesFollowAcceptLanguage) {
  StartServer();
  Client c(port());
  Reply zh = c.Get("/api/v1/nope");
  Reply en = c.Get("/api/v1/nope", {{"Accept-Language", "en"}});
  EXPECT_EQ(zh.Json()["error"]["message"], "接口不存在:/api/v1/nope");
  EXPECT_EQ(en.Json()["error"]["message"], "no such API endpoint: /api/v1/nope");
}

TEST_F(ServerTest, OversizeBodyIs413AndConnectionCloses) {
  StartServer();
  Client c(port());
  Reply r = c.Send(bhttp::verb::post, "/api/v1/echo", std::string(2000, 'x'),
                   {{"Accept-Language", "en"}});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Json()["error"]["code"], "resource_exhausted");
  EXPECT_EQ(r.Json()["error"]["message"], "request body too large (limit 1024 bytes)");
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(ServerTest, OversizeChunkedBodyIs413) {
  StartServer();
  Client c(port());
  std::string chunk(1500, 'y');
  c.WriteRaw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5dc\r\n" + chunk +
             "\r\n0\r\n\r\n");
  Reply r = c.Read();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Json()["error"]["message"], "请求体过大(上限 1024 字节)");
}

TEST_F(ServerTest, RouteLimitOverridesServerDefault) {
  StartServer();
  Client c(port());
  Reply ok = c.Send(bhttp::verb::post, "/api/v1/upload", std::string(5000, 'x'));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.Json()["bytes"], 5000);
  Client c2(port());
  EXPECT_EQ(c2.Send(bhttp::verb::post, "/api/v1/upload", std::string(9000, 'x')).status, 413);
}

TEST_F(ServerTest, OversizeHeaderIs431) {
  StartServer();
  Client c(port());
  Reply r = c.Get("/api/v1/hello", {{"X-Big", std::string(20 * 1024, 'h')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.Json()["error"]["code"], "resource_exhausted");
}

TEST_F(ServerTest, GarbageIs400AndClose) {
  StartServer();
  Client c(port());
  c.WriteRaw(std::string("\x01\x02\x03 garbage \xff\r\n\r\n", 17));
  std::string raw = c.ReadToEof();
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 400")) << raw;
  EXPECT_NE(raw.find("invalid_argument"), std::string::npos);
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerKeepsServing) {
  StartServer();
  Client c(port());
  Reply r = c.Get("/api/v1/boom", {{"Accept-Language", "en"}});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.Json()["error"]["code"], "internal");
  EXPECT_EQ(r.body.find("kaboom"), std::string::npos) << "exception text must not leak";
  EXPECT_EQ(c.Get("/api/v1/hello").status, 200);
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  Client c(port());
  Reply a = c.Get("/api/v1/hello");
  Reply b = c.Get("/api/v1/nope");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(b.status, 404);
  EXPECT_NE(a.Header("Connection"), "close");
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  Client c(port());
  c.WriteRaw("GET /api/v1/hello HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/nope HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.Read().status, 200);
  EXPECT_EQ(c.Read().status, 404);
}

TEST_F(ServerTest, Expect100ContinueIsHonoured) {
  StartServer();
  Client c(port());
  c.WriteRaw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_TRUE(c.ReadHeaderRaw().starts_with("HTTP/1.1 100 Continue"));
  c.WriteRaw("hello");
  Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["bytes"], 5);
}

TEST_F(ServerTest, Expect100ContinueOverLimitGets413WithoutContinue) {
  StartServer();
  Client c(port());
  c.WriteRaw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  std::string raw = c.ReadToEof();
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 413")) << raw;
}

TEST_F(ServerTest, SecurityHeadersOnEveryResponse) {
  StartServer();
  Client c(port());
  for (const char* target : {"/api/v1/hello", "/api/v1/nope", "/", "/missing.png"}) {
    Reply r = c.Get(target);
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff") << target;
    EXPECT_EQ(r.Header("X-Frame-Options"), "DENY") << target;
    EXPECT_EQ(r.Header("Referrer-Policy"), "same-origin") << target;
    EXPECT_EQ(r.Header("Content-Security-Policy"),
              "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'")
        << target;
    EXPECT_EQ(r.Header("Server"), "edugov") << target;
  }
}

TEST_F(ServerTest, StaticFilesWithTypesAndCaching) {
  StartServer();
  Client c(port());
  Reply index = c.Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html><title>edugov</title>");
  EXPECT_EQ(index.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.Header("Cache-Control"), "no-cache");

  Reply js = c.Get("/assets/app.3f2a1b.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.Header("Cache-Control"), "public, max-age=31536000, immutable");

  Reply ico = c.Get("/favicon.ico");
  EXPECT_EQ(ico.Header("Content-Type"), "image/x-icon");
}

TEST_F(ServerTest, SpaFallbackServesIndexForExtensionlessPaths) {
  StartServer();
  Client c(port());
  Reply r = c.Get("/orgs/12/detail");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<!doctype html><title>edugov</title>");
  EXPECT_EQ(c.Get("/assets/missing.js").status, 404);
  EXPECT_EQ(c.Send(bhttp::verb::post, "/orgs").status, 405);
}

TEST_F(ServerTest, TraversalAttemptsAreRefused) {
  StartServer();
  for (const char* target : {"/../secret.txt", "/../../etc/passwd", "/%2e%2e/secret.txt",
                             "/assets/..%2f..%2fsecret.txt", "/%2E%2E%2Fsecret.txt", "/leak.txt",
                             "/..\\secret.txt"}) {
    Client c(port());
    c.WriteRaw(std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string raw = c.ReadToEof();
    EXPECT_TRUE(raw.starts_with("HTTP/1.1 400") || raw.starts_with("HTTP/1.1 404")) << target << ": " << raw;
    EXPECT_EQ(raw.find("TOP SECRET"), std::string::npos) << target;
    EXPECT_EQ(raw.find("root:"), std::string::npos) << target;
  }
}

TEST_F(ServerTest, ReadTimeoutClosesSilentConnection) {
  ServerOptions o = Options();
  o.read_timeout = std::chrono::milliseconds(200);
  StartServer(o);
  Client c(port());
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(ServerTest, ReadTimeoutClosesHalfSentRequest) {
  ServerOptions o = Options();
  o.read_timeout = std::chrono::milliseconds(200);
  StartServer(o);
  Client c(port());
  c.WriteRaw("GET /api/v1/hello HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(ServerTest, StopLetsInFlightRequestFinishAndClosesIdleConnections) {
  StartServer();
  Client idle(port());
  EXPECT_EQ(idle.Get("/api/v1/hello").status, 200);  // now idle in keep-alive

  std::future<Reply> slow = std::async(std::launch::async, [this] {
    Client c(port());
    return c.Get("/api/v1/slow");
  });
  slow_entered_.get_future().wait();
  server_->Stop();
  // Shutdown has reached the connections once the idle one is closed.
  EXPECT_TRUE(idle.WaitForClose());
  slow_release_.set_value();
  Reply r = slow.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["slow"], "done");
  EXPECT_EQ(r.Header("Connection"), "close");
  runner_.join();  // Run() returns once the last connection is gone
  server_.reset();
}

TEST_F(ServerTest, GraceEndClosesRequestsStillInProgress) {
  ServerOptions o = Options();
  o.shutdown_grace = std::chrono::milliseconds(100);
  StartServer(o);
  Client c(port());
  c.WriteRaw("GET /api/v1/hello HTTP/1.1\r\nHost: x\r\n");  // never finished
  // A complete request on a second connection proves the first was accepted.
  // Had the server not yet read the partial request, that connection would
  // count as idle and close at once; either way it must close and Run()
  // must return.
  EXPECT_EQ(Client(port()).Get("/api/v1/hello").status, 200);
  server_->Stop();
  EXPECT_TRUE(c.WaitForClose());
  runner_.join();
  server_.reset();
}

TEST_F(ServerTest, SigtermStopsGracefully) {
  ServerOptions o = Options();
  o.handle_signals = true;
  StartServer(o);
  EXPECT_EQ(Client(port()).Get("/api/v1/hello").status, 200);
  ASSERT_EQ(::raise(SIGTERM), 0);
  runner_.join();  // Run() returns
  server_.reset();
}

TEST_F(ServerTest, Http10WithoutKeepAliveCloses) {
  StartServer();
  Client c(port());
  c.WriteRaw("GET /api/v1/hello HTTP/1.0\r\n\r\n");
  std::string raw = c.ReadToEof();
  EXPECT_TRUE(raw.starts_with("HTTP/1.0 200")) << raw;
  EXPECT_NE(raw.find(R"({"hello":"world"})"), std::string::npos);
}

TEST_F(ServerTest, PortInUseIsUnavailable) {
  StartServer();
  ServerOptions o = Options();
  o.listen = "127.0.0.1:" + std::to_string(port());
  Server second(o, router_);
  Status s = second.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message_en().find(o.listen), std::string::npos) << s.message_en();
}

TEST_F(ServerTest, MalformedListenAddressIsInvalidArgument) {
  for (const char* listen : {"nonsense", "127.0.0.1:", "127.0.0.1:99999", "999.1.1.1:80", "host:80x"}) {
    ServerOptions o = Options();
    o.listen = listen;
    Server s(o, router_);
    Status st = s.Start();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << listen;
    EXPECT_NE(st.message_en().find(listen), std::string::npos) << st.message_en();
  }
}

// --- connection caps ----------------------------------------------------
// Deterministic by counting: the kernel hands accepted connections to the
// server in connect order, so the ones opened first are registered before a
// later one is judged.

TEST_F(ServerTest, PerAddressCapRefusesExtraConnectionsButServesOthers) {
  ServerOptions o = Options();
  o.max_connections_per_address = 3;
  StartServer(o);
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(std::make_unique<Client>(port()));

  Client extra(port());  // the 4th from 127.0.0.1: answered 503 unread, closed
  std::string answer = extra.ReadToEof();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 503 ")) << answer;
  EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"code\":\"unavailable\""), std::string::npos) << answer;
  EXPECT_EQ(server_->refused_connections(), 1u);

  // Another address is served normally, and so are the capped address's
  // connections already open.
  Client other(port(), "127.0.0.2");
  EXPECT_EQ(other.Get("/api/v1/hello").status, 200);
  EXPECT_EQ(idle[0]->Get("/api/v1/hello").status, 200);
  EXPECT_EQ(server_->refused_connections(), 1u);
}

TEST_F(ServerTest, PerAddressSlotIsFreedWhenAConnectionCloses) {
  ServerOptions o = Options();
  o.max_connections_per_address = 1;
  StartServer(o);
  {
    Client first(port());
    EXPECT_EQ(first.Get("/api/v1/hello").status, 200);
    first.WriteRaw("GET /api/v1/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(first.WaitForClose());
  }
  // The server unregisters right after it closes, which the client cannot
  // observe; so retry (each attempt a real connection) until admitted.
  int status = 0;
  for (int attempt = 0; attempt < 1000 && status != 200; ++attempt) {
    try {
      Client again(port());
      status = again.Get("/api/v1/hello").status;
    } catch (const std::exception&) {
      status = 0;  // refused: the 503 or a reset raced the request
    }
  }
  EXPECT_EQ(status, 200);
}

TEST_F(ServerTest, OverallCapRefusesWhenFullWhateverTheAddress) {
  ServerOptions o = Options();
  o.max_connections = 2;
  o.max_connections_per_address = 0;  // no per-address cap
  StartServer(o);
  Client a(port(), "127.0.0.1");
  Client b(port(), "127.0.0.2");
  Client c(port(), "127.0.0.3");
  std::string answer = c.ReadToEof();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 503 ")) << answer;
  EXPECT_EQ(a.Get("/api/v1/hello").status, 200);
  EXPECT_EQ(b.Get("/api/v1/hello").status, 200);
  EXPECT_EQ(server_->refused_connections(), 1u);
}

TEST_F(ServerTest, DefaultMaxConnectionsFollowsDescriptorLimit) {
  size_t n = DefaultMaxConnections();
  EXPECT_GE(n, 16u);
  EXPECT_LE(n, 10000u);
  struct rlimit rl {};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_cur != RLIM_INFINITY) {
    EXPECT_LT(n, static_cast<size_t>(rl.rlim_cur));
  }
}

// Slowloris: a header trickled one byte at a time is still cut read_timeout
// after its first byte — each byte does not buy more time. The trickle would
// last 10 s; the server must close long before.
TEST_F(ServerTest, TrickledHeaderIsCutAtReadTimeout) {
  ServerOptions o = Options();
  o.read_timeout = std::chrono::milliseconds(300);
  StartServer(o);
  Client c(port());
  std::string header = "GET /api/v1/hello HTTP/1.1\r\nX-Pad: " + std::string(400, 'a');
  auto start = std::chrono::steady_clock::now();
  bool cut = false;
  for (char ch : header) {
    try {
      c.WriteRaw(std::string_view(&ch, 1));
    } catch (const std::exception&) {
      cut = true;  // EPIPE/ECONNRESET: the server closed
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));  // the trickle itself
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(cut);
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(ServerTest, StopBeforeRunReturnsPromptly) {
  ServerOptions o = Options();
  Server s(o, router_);
  ASSERT_TRUE(s.Start().ok());
  s.Stop();
  s.Run();  // returns: nothing in flight
}

// --- health -------------------------------------------------------------

class FailingDatabase : public storage::Database {
 public:
  storage::Backend backend() const override { return storage::Backend::kSqlite; }
  const std::string& redacted_url() const override { return url_; }
  StatusOr<storage::ConnectionHandle> Acquire() override {
    return UnavailableError("database is down", "数据库不可用");
  }

 private:
  std::string url_ = "sqlite::memory:";
};

TEST_F(ServerTest, HealthOkWithoutDatabase) {
  App app;
  Router router;
  RegisterHealthHandlers(router, app);
  Request req;
  Response res = (*router.Find(Method::kGet, "/api/v1/health").handler)(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(nlohmann::json::parse(res.body), (nlohmann::json{{"status", "ok"}, {"version", "0.1.0"}}));
}

TEST_F(ServerTest, HealthDegradedWhenDatabaseFails) {
  FailingDatabase db;
  App app;
  app.db = &db;
  Router router;
  RegisterHealthHandlers(router, app);
  Request req;
  req.lang = Lang::kEn;
  Response res = (*router.Find(Method::kGet, "/api/v1/health").handler)(req);
  EXPECT_EQ(res.status, 503);
  auto j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["status"], "degraded");
  EXPECT_EQ(j["error"]["message"], "database is down");
}

}  // namespace
}  // namespace edugov::http

namespace edugov::http {
namespace {

// ---------------------------------------------------------------- heavy routes

TEST_F(ServerTest, HeavyRouteBlockedOnAWorkerDoesNotDelayNormalRoutes) {
  // One I/O thread: had the heavy handler run on it, the normal request
  // below could not be answered until the gate opens, and would hit the
  // client's deadline instead.
  ServerOptions o = Options();
  o.threads = 1;
  o.workers = 1;
  StartServer(o);
  std::future<Reply> heavy = std::async(std::launch::async, [this] {
    Client c(port());
    return c.Get("/api/v1/heavy");
  });
  gate_.WaitEntered(1);
  Client other(port());
  for (int i = 0; i < 3; ++i) {
    Reply r = other.Get("/api/v1/hello");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Json()["hello"], "world");
  }
  EXPECT_EQ(heavy.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  gate_.Open();
  Reply r = heavy.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["heavy"], "done");
}

TEST_F(ServerTest, HeavyRouteSeesTheWholeRequest) {
  ServerOptions o = Options();
  o.workers = 2;
  StartServer(o);
  Client c(port());
  Reply r = c.Send(bhttp::verb::post, "/api/v1/heavy/a%2Fb?q=x%20y", std::string(5000, 'z'),
                   {{"Accept-Language", "en"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["id"], "a/b");
  EXPECT_EQ(r.Json()["q"], "x y");
  EXPECT_EQ(r.Json()["bytes"], 5000);
  EXPECT_EQ(r.Json()["lang"], "en");
  EXPECT_EQ(r.Json()["remote"], "127.0.0.1");
  // Keep-alive carries on after a heavy request, heavy or not.
  EXPECT_EQ(c.Get("/api/v1/hello").status, 200);
  EXPECT_EQ(c.Send(bhttp::verb::post, "/api/v1/heavy/7", "").Json()["id"], "7");
  // The route's body limit still applies before anything is queued.
  EXPECT_EQ(Client(port()).Send(bhttp::verb::post, "/api/v1/heavy/1", std::string(70000, 'z')).status, 413);
}

// Heavy routes that only read run below the heavy routes that may write,
// which run below the I/O threads (server.cc: kReaderNice, kWorkerNice).
TEST_F(ServerTest, ReadOnlyHeavyRoutesRunAtTheLowestPriority) {
  ServerOptions o = Options();
  o.workers = 1;
  StartServer(o);
  Client c(port());
  const nlohmann::json io = c.Get("/api/v1/nice/io").Json();
  const nlohmann::json writer = c.Get("/api/v1/nice/writer").Json();
  const nlohmann::json reader = c.Get("/api/v1/nice/reader").Json();
  ASSERT_EQ(io["errno"], 0);
  const int base = io["nice"];
  EXPECT_EQ(writer["nice"], std::min(base + 10, 19));
  EXPECT_EQ(reader["nice"], 19);
}

TEST_F(ServerTest, HeavyQueueFullIs503WithRetryAfterInTheCallersLanguage) {
  ServerOptions o = Options();
  o.workers = 1;
  o.worker_queue = 0;  // nothing waits: a second heavy request is refused
  StartServer(o);
  std::future<Reply> first = std::async(std::launch::async, [this] {
    Client c(port());
    return c.Get("/api/v1/heavy");
  });
  gate_.WaitEntered(1);

  Client c(port());
  Reply en = c.Get("/api/v1/heavy", {{"Accept-Language", "en-US,en;q=0.9"}});
  EXPECT_EQ(en.status, 503);
  EXPECT_EQ(en.Header("Retry-After"), "5");
  EXPECT_EQ(en.Json()["error"]["code"], "unavailable");
  EXPECT_NE(en.Json()["error"]["message"].get<std::string>().find("busy"), std::string::npos) << en.body;
  Reply zh = c.Get("/api/v1/heavy");  // same connection: a 503 keeps it open
  EXPECT_EQ(zh.status, 503);
  EXPECT_EQ(zh.Header("Retry-After"), "5");
  EXPECT_NE(zh.Json()["error"]["message"].get<std::string>().find("服务器正忙"), std::string::npos) << zh.body;
  // Normal routes are never refused for a busy pool.
  EXPECT_EQ(c.Get("/api/v1/hello").status, 200);

  gate_.Open();
  EXPECT_EQ(first.get().status, 200);
  // The refused requests never ran. (Whether the worker is free again at
  // this point is not known: it posts the answer before it returns.)
  EXPECT_EQ(gate_.entered(), 1);
}

TEST_F(ServerTest, HeavyHandlerExceptionIs500AndTheWorkerKeepsServing) {
  ServerOptions o = Options();
  o.workers = 1;
  StartServer(o);
  Client c(port());
  Reply r = c.Get("/api/v1/heavy-boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.Json()["error"]["code"], "internal");
  EXPECT_EQ(c.Send(bhttp::verb::post, "/api/v1/heavy/3", "x").status, 200);
}

TEST_F(ServerTest, ZeroWorkersRunsHeavyRoutesInline) {
  ServerOptions o = Options();
  o.workers = 0;
  o.worker_queue = 0;
  StartServer(o);
  Client c(port());
  EXPECT_EQ(c.Send(bhttp::verb::post, "/api/v1/heavy/9", "abc").Json()["bytes"], 3);
  EXPECT_EQ(c.Get("/api/v1/heavy-boom").status, 500);
}

TEST_F(ServerTest, StopLetsRunningHeavyRequestsFinish) {
  ServerOptions o = Options();
  o.workers = 2;
  o.worker_queue = 0;
  StartServer(o);
  Client idle(port());
  EXPECT_EQ(idle.Get("/api/v1/hello").status, 200);  // now idle in keep-alive
  auto get = [this] {
    Client c(port());
    return c.Get("/api/v1/heavy");
  };
  std::future<Reply> a = std::async(std::launch::async, get);
  std::future<Reply> b = std::async(std::launch::async, get);
  gate_.WaitEntered(2);
  server_->Stop();
  // Shutdown has reached the connections once the idle one is closed.
  EXPECT_TRUE(idle.WaitForClose());
  gate_.Open();
  for (auto* f : {&a, &b}) {
    Reply r = f->get();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("Connection"), "close");
  }
  runner_.join();
  server_.reset();
}

TEST_F(ServerTest, HeavyRequestOutlivingTheGraceEndsCleanly) {
  // The grace period closes the connection under a running heavy handler;
  // the handler finishes later, its answer goes nowhere, and Run() returns
  // only then (a worker never posts to a dead io_context).
  ServerOptions o = Options();
  o.workers = 1;
  o.shutdown_grace = std::chrono::milliseconds(50);
  StartServer(o);
  Client c(port());
  c.WriteRaw("GET /api/v1/heavy HTTP/1.1\r\nHost: x\r\n\r\n");
  gate_.WaitEntered(1);
  server_->Stop();
  EXPECT_TRUE(c.WaitForClose());  // closed at the end of the grace period
  gate_.Open();
  runner_.join();
  server_.reset();
}

}  // namespace
}  // namespace edugov::http
