// Sends the webhook outbox (webhook_deliveries, filled by InboxNotifier) to
// the robots: each due delivery is POSTed; success marks it 'sent', a
// failure schedules the next attempt with exponential backoff — 1 min, 2, 4,
// 8, 16 after the 1st…5th failure — and the 6th failure gives up ('failed',
// last_error kept). docs/notifications.md has the schedule.
//
//   notify::BeastWebhookSender sender;
//   notify::WebhookDispatcher dispatcher(*db, sender, RealClock());
//   notify::PeriodicDispatcher loop(dispatcher, std::chrono::seconds(15));  // stops when destroyed
//
// A delivery succeeds when the robot answers 2xx and, if the body is a JSON
// object with an "errcode", that errcode is 0 (DingTalk and WeCom answer 200
// with {"errcode":310000,…} for a refused message).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "common/clock.h"
#include "notify/webhook_targets.h"
#include "storage/database.h"

namespace edugov::notify {

struct HttpReply {
  int status = 0;
  std::string body;
};

// Performs one POST. Implementations must be safe to call from the
// dispatcher's thread; network failures are errors (kUnavailable), HTTP
// error statuses are replies.
class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  virtual StatusOr<HttpReply> Post(const std::string& url, const std::string& json_body) = 0;
};

// The real sender: Boost.Beast, http:// and https:// (TLS 1.2+ with the
// system's CA store plus `extra_ca_pem` — a county intranet's own CA, or a
// test's — peer and host name or IP verified). `timeout` bounds each of
// resolve and connect-to-reply. Every address the host resolves to must be
// public or in `allow` (webhook_targets.h), else kPermissionDenied and
// nothing is sent; the connection goes only to those checked addresses, so
// a second lookup cannot swap in another (DNS rebinding). Each call opens
// and closes its own connection; thread-safe.
class BeastWebhookSender final : public WebhookSender {
 public:
  explicit BeastWebhookSender(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                              std::string extra_ca_pem = {}, TargetAllowList allow = {})
      : timeout_(timeout), extra_ca_pem_(std::move(extra_ca_pem)), allow_(std::move(allow)) {}
  StatusOr<HttpReply> Post(const std::string& url, const std::string& json_body) override;

 private:
  std::chrono::milliseconds timeout_;
  std::string extra_ca_pem_;
  TargetAllowList allow_;
};

struct DispatchOptions {
  int max_attempts = 6;
  std::chrono::microseconds first_retry = std::chrono::minutes(1);
  int batch = 50;  // deliveries per RunOnce
  // A claimed delivery is hidden from other dispatchers this long, so two
  // servers on one database do not both send it; longer than a send can take.
  std::chrono::microseconds lease = std::chrono::minutes(5);
};

struct DispatchReport {
  int sent = 0;
  int retry = 0;   // failed an attempt, another is scheduled
  int failed = 0;  // gave up
};

// The delay before the next attempt after `failures` failed ones (1-based):
// first_retry · 2^(failures−1).
std::chrono::microseconds RetryDelay(int failures, const DispatchOptions& options);

// Thread-compatible: one RunOnce at a time per dispatcher (PeriodicDispatcher
// guarantees that). Several dispatchers on one database are safe (leases).
class WebhookDispatcher {
 public:
  WebhookDispatcher(storage::Database& db, WebhookSender& sender, const Clock& clock,
                    DispatchOptions options = {})
      : db_(db), sender_(sender), clock_(clock), options_(options) {}

  // Sends every pending delivery of an enabled robot whose next attempt is
  // due at clock.Now() (up to options.batch), oldest first. Deliveries of a
  // disabled robot wait. Errors only for database failures. `should_stop`,
  // if given, is asked before each delivery; true ends the run early (the
  // rest stay due for the next run).
  StatusOr<DispatchReport> RunOnce(const std::function<bool()>& should_stop = {});

 private:
  storage::Database& db_;
  WebhookSender& sender_;
  const Clock& clock_;
  DispatchOptions options_;
};

// Runs dispatcher.RunOnce() at once and then every `every` on its own thread
// until destroyed. The destructor wakes it and joins: a send in flight
// finishes first (bounded by the sender's timeout), the rest of the batch
// waits for the next start.
class PeriodicDispatcher {
 public:
  PeriodicDispatcher(WebhookDispatcher& dispatcher, std::chrono::milliseconds every);
  ~PeriodicDispatcher();
  PeriodicDispatcher(const PeriodicDispatcher&) = delete;
  PeriodicDispatcher& operator=(const PeriodicDispatcher&) = delete;

 private:
  void Loop();

  WebhookDispatcher& dispatcher_;
  std::chrono::milliseconds every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the fields it reads
};

}  // namespace edugov::notify
