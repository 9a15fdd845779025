#include "notify/webhook_dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <thread>

#include "notify/webhooks.h"
#include "testing/test_db.h"

namespace edugov::notify {
namespace {

// The test's robots listen on loopback, which a sender refuses unless the
// operator allows it (webhook_targets.h) — as `serve --webhook-allow` does.
TargetAllowList LoopbackAllowed() { return *TargetAllowList::Parse({"127.0.0.1", "::1"}); }

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using storage::Backend;
using storage::Connection;
using std::chrono::minutes;

// A real HTTP server on a free loopback port, standing in for a robot: it
// records each request and answers with the status and body set by the
// test, or — in hang mode — never answers.
class LocalReceiver {
 public:
  struct Received {
    std::string target;
    std::string content_type;
    std::string body;
  };

  LocalReceiver() : acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Loop(); });
  }
  ~LocalReceiver() {
    stop_ = true;
    // Wake the blocking accept with a connection of our own.
    net::io_context io;
    tcp::socket s(io);
    beast::error_code ec;
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    thread_.join();
  }

  std::string Url(const std::string& path = "/robot/send?access_token=t0k") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void Answer(int status, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    body_ = std::move(body);
  }
  void Hang() { hang_ = true; }
  std::vector<Received> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  // Blocks until `n` requests have arrived or `timeout` passed.
  bool WaitFor(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
  }

 private:
  void Loop() {
    while (!stop_) {
      tcp::socket sock(ioc_);
      beast::error_code ec;
      acceptor_.accept(sock, ec);
      if (stop_) return;
      if (ec) continue;
      beast::flat_buffer buffer;
      bhttp::request<bhttp::string_body> req;
      bhttp::read(sock, buffer, req, ec);
      if (ec) continue;
      bhttp::response<bhttp::string_body> res;
      {
        std::lock_guard<std::mutex> lock(mu_);
        received_.push_back({std::string(req.target()),
                             std::string(req[bhttp::field::content_type]), req.body()});
        res.result(static_cast<unsigned>(status_));
        res.body() = body_;
      }
      cv_.notify_all();
      if (hang_) {
        // Say nothing until the client gives up and closes.
        bhttp::request<bhttp::string_body> more;
        bhttp::read(sock, buffer, more, ec);
        continue;
      }
      res.set(bhttp::field::content_type, "application/json");
      res.prepare_payload();
      bhttp::write(sock, res, ec);
      sock.shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  net::io_context ioc_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> hang_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  int status_ = 200;
  std::string body_ = R"({"errcode":0,"errmsg":"ok"})";
  std::vector<Received> received_;
  std::thread thread_;
};

// A port nothing listens on: bound, then released.
unsigned short ClosedPort() {
  net::io_context io;
  tcp::acceptor a(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

// The sending interface, scripted, for the schedule arithmetic.
class ScriptedSender : public WebhookSender {
 public:
  StatusOr<HttpReply> Post(const std::string& url, const std::string& body) override {
    calls.push_back(url + " " + body);
    if (replies.empty()) return UnavailableError("no reply scripted");
    HttpReply r = replies.front();
    replies.pop_front();
    return r;
  }
  std::deque<HttpReply> replies;
  std::vector<std::string> calls;
};

class DispatcherTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto t = testing::TestDb::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    db_.emplace(std::move(*t));
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_.emplace(std::move(*conn));
  }

  Connection& conn() { return **conn_; }

  int64_t AddWebhook(const std::string& url, bool enabled = true) {
    auto w = CreateWebhook(conn(), {.name = "群", .url = url, .enabled = enabled}, 0, "test", clock_);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w->id;
  }

  int64_t Enqueue(int64_t webhook_id, const std::string& payload) {
    auto rs = conn().Query(
        "INSERT INTO webhook_deliveries (webhook_id, payload, next_attempt_at, created_at) "
        "VALUES ($1, $2, $3, $3) RETURNING id",
        {webhook_id, payload, ToUnixMicros(clock_.Now())});
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    return rs->GetInt(0, 0);
  }

  struct Row {
    std::string status;
    int64_t attempts;
    int64_t next_attempt_at;
    std::string last_error;
    bool sent_at_set;
  };
  Row Get(int64_t id) {
    auto rs = conn().Query(
        "SELECT status, attempts, next_attempt_at, last_error, sent_at FROM webhook_deliveries "
        "WHERE id = $1", {id});
    EXPECT_TRUE(rs.ok() && rs->size() == 1);
    return {rs->GetText(0, 0), rs->GetInt(0, 1), rs->GetInt(0, 2), rs->GetText(0, 3),
            !rs->IsNull(0, 4)};
  }

  DispatchReport Run(WebhookDispatcher& d) {
    auto r = d.RunOnce();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : DispatchReport{};
  }

  int64_t Now() const { return ToUnixMicros(clock_.Now()); }

  FakeClock clock_{FromUnixMicros(1'740'000'000'000'000)};
  std::optional<testing::TestDb> db_;
  std::optional<storage::ConnectionHandle> conn_;
};

const std::string kPayload = R"({"msgtype":"text","text":{"content":"【催办】TS2025-000123 食堂"}})";

TEST(RetryDelayTest, DoublesFromOneMinute) {
  DispatchOptions o;
  EXPECT_EQ(RetryDelay(1, o), minutes(1));
  EXPECT_EQ(RetryDelay(2, o), minutes(2));
  EXPECT_EQ(RetryDelay(3, o), minutes(4));
  EXPECT_EQ(RetryDelay(4, o), minutes(8));
  EXPECT_EQ(RetryDelay(5, o), minutes(16));
}

TEST_P(DispatcherTest, ScheduleBacksOffThenGivesUpAfterSixAttempts) {
  ScriptedSender sender;
  WebhookDispatcher d(db_->db(), sender, clock_);
  const int64_t id = Enqueue(AddWebhook("http://robot.invalid/x"), kPayload);
  int64_t expected_wait_min = 1;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    sender.replies.push_back({500, "oops"});
    DispatchReport r = Run(d);
    EXPECT_EQ(r.retry, 1) << attempt;
    Row row = Get(id);
    EXPECT_EQ(row.status, "pending");
    EXPECT_EQ(row.attempts, attempt);
    EXPECT_EQ(row.last_error, "HTTP 500");
    EXPECT_EQ(row.next_attempt_at, Now() + expected_wait_min * 60'000'000);
    // Not due a microsecond early.
    clock_.Advance(minutes(expected_wait_min) - std::chrono::microseconds(1));
    EXPECT_EQ(Run(d).retry + Run(d).sent, 0);
    clock_.Advance(std::chrono::microseconds(1));
    expected_wait_min *= 2;
  }
  sender.replies.push_back({200, R"({"errcode":310000,"errmsg":"keywords not in content"})"});
  DispatchReport r = Run(d);
  EXPECT_EQ(r.failed, 1);
  Row row = Get(id);
  EXPECT_EQ(row.status, "failed");
  EXPECT_EQ(row.attempts, 6);
  EXPECT_EQ(row.last_error, "errcode 310000: keywords not in content");
  clock_.Advance(minutes(600));
  EXPECT_EQ(Run(d).sent + Run(d).retry + Run(d).failed, 0);  // given up for good
  EXPECT_EQ(sender.calls.size(), 6u);
  EXPECT_EQ(sender.calls[0], "http://robot.invalid/x " + kPayload);
}

TEST_P(DispatcherTest, DisabledRobotWaitsAndOldestGoFirst) {
  ScriptedSender sender;
  WebhookDispatcher d(db_->db(), sender, clock_, {.batch = 1});
  const int64_t off = AddWebhook("http://off.invalid/", /*enabled=*/false);
  const int64_t on = AddWebhook("http://on.invalid/");
  const int64_t waiting = Enqueue(off, kPayload);
  const int64_t first = Enqueue(on, "1");
  clock_.Advance(std::chrono::seconds(1));
  const int64_t second = Enqueue(on, "2");
  sender.replies = {{200, "{}"}, {204, ""}};
  EXPECT_EQ(Run(d).sent, 1);
  EXPECT_EQ(Get(first).status, "sent");
  EXPECT_EQ(Get(second).status, "pending");
  EXPECT_EQ(Run(d).sent, 1);
  EXPECT_EQ(Get(second).status, "sent");
  EXPECT_TRUE(Get(second).sent_at_set);
  EXPECT_EQ(Get(waiting).status, "pending");
  EXPECT_EQ(Get(waiting).attempts, 0);
  EXPECT_EQ(sender.calls.size(), 2u);
}

TEST_P(DispatcherTest, ARealReceiverGetsThePayload) {
  LocalReceiver robot;
  BeastWebhookSender sender(std::chrono::seconds(5), {}, LoopbackAllowed());
  WebhookDispatcher d(db_->db(), sender, clock_);
  const int64_t id = Enqueue(AddWebhook(robot.Url()), kPayload);
  DispatchReport r = Run(d);
  EXPECT_EQ(r.sent, 1);
  Row row = Get(id);
  EXPECT_EQ(row.status, "sent");
  EXPECT_EQ(row.attempts, 1);
  EXPECT_TRUE(row.sent_at_set);
  auto got = robot.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].target, "/robot/send?access_token=t0k");
  EXPECT_EQ(got[0].content_type, "application/json; charset=utf-8");
  EXPECT_EQ(got[0].body, kPayload);
  EXPECT_EQ(Run(d).sent, 0);  // sent once only
}

TEST_P(DispatcherTest, ARealReceiverFailingThenRecoveringIsRetried) {
  LocalReceiver robot;
  robot.Answer(500, "busy");
  BeastWebhookSender sender(std::chrono::seconds(5), {}, LoopbackAllowed());
  WebhookDispatcher d(db_->db(), sender, clock_);
  const int64_t id = Enqueue(AddWebhook(robot.Url()), kPayload);
  EXPECT_EQ(Run(d).retry, 1);
  EXPECT_EQ(Get(id).last_error, "HTTP 500");
  robot.Answer(200, R"({"errcode":0,"errmsg":"ok"})");
  EXPECT_EQ(Run(d).sent, 0);  // not due yet
  clock_.Advance(minutes(1));
  EXPECT_EQ(Run(d).sent, 1);
  Row row = Get(id);
  EXPECT_EQ(row.status, "sent");
  EXPECT_EQ(row.attempts, 2);
  EXPECT_EQ(row.last_error, "");
  EXPECT_EQ(robot.received().size(), 2u);
}

TEST_P(DispatcherTest, ARealReceiverAlwaysFailingIsGivenUp) {
  LocalReceiver robot;
  robot.Answer(500, "down");
  BeastWebhookSender sender(std::chrono::seconds(5), {}, LoopbackAllowed());
  WebhookDispatcher d(db_->db(), sender, clock_);
  const int64_t id = Enqueue(AddWebhook(robot.Url()), kPayload);
  for (int i = 0; i < 6; ++i) {
    Run(d);
    clock_.Advance(minutes(60));
  }
  Row row = Get(id);
  EXPECT_EQ(row.status, "failed");
  EXPECT_EQ(row.attempts, 6);
  EXPECT_EQ(robot.received().size(), 6u);
  Run(d);
  EXPECT_EQ(robot.received().size(), 6u);
}

TEST_P(DispatcherTest, RefusedAndSilentReceiversAreNetworkFailures) {
  BeastWebhookSender sender(std::chrono::milliseconds(300), {}, LoopbackAllowed());
  WebhookDispatcher d(db_->db(), sender, clock_);
  const int64_t refused =
      Enqueue(AddWebhook("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/x?access_token=SECRET"),
              kPayload);
  EXPECT_EQ(Run(d).retry, 1);
  Row row = Get(refused);
  EXPECT_EQ(row.status, "pending");
  EXPECT_NE(row.last_error.find("connect 127.0.0.1"), std::string::npos) << row.last_error;
  EXPECT_EQ(row.last_error.find("SECRET"), std::string::npos);

  LocalReceiver silent;
  silent.Hang();
  const int64_t hung = Enqueue(AddWebhook(silent.Url()), kPayload);
  clock_.Advance(minutes(1));
  DispatchReport r = Run(d);
  EXPECT_EQ(r.retry, 2);
  row = Get(hung);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_NE(row.last_error.find("read"), std::string::npos) << row.last_error;
  EXPECT_EQ(silent.received().size(), 1u);
}

TEST_P(DispatcherTest, PeriodicDispatcherSendsAndStops) {
  LocalReceiver robot;
  BeastWebhookSender sender(std::chrono::seconds(5), {}, LoopbackAllowed());
  WebhookDispatcher d(db_->db(), sender, clock_);
  const int64_t id = Enqueue(AddWebhook(robot.Url()), kPayload);
  {
    // Its first run starts at once; the destructor waits for it to end.
    PeriodicDispatcher loop(d, std::chrono::hours(1));
    ASSERT_TRUE(robot.WaitFor(1, std::chrono::seconds(10)));
  }
  EXPECT_EQ(Get(id).status, "sent");
  EXPECT_EQ(robot.received().size(), 1u);
}

TEST_P(DispatcherTest, AStopRequestEndsARunBetweenDeliveries) {
  ScriptedSender sender;
  WebhookDispatcher d(db_->db(), sender, clock_);
  const int64_t hook = AddWebhook("http://robot.invalid/");
  const int64_t first = Enqueue(hook, "1");
  const int64_t second = Enqueue(hook, "2");
  sender.replies = {{200, "{}"}, {200, "{}"}};
  int asked = 0;
  auto r = d.RunOnce([&] { return ++asked > 1; });  // stop before the second
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sent, 1);
  EXPECT_EQ(Get(first).status, "sent");
  EXPECT_EQ(Get(second).status, "pending");
  EXPECT_EQ(Get(second).attempts, 0);
  EXPECT_EQ(Run(d).sent, 1);  // the next run picks it up
}

INSTANTIATE_TEST_SUITE_P(Backends, DispatcherTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::notify
