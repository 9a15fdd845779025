// `edugov serve`: the HTTP server with the web UI.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>

#include "accounts/authenticator.h"
#include "cli/case_services.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "http/app.h"
#include "http/case_handlers.h"
#include "http/dataset_handlers.h"
#include "http/draw_handlers.h"
#include "http/homework_board_handlers.h"
#include "draws/draw_policy.h"
#include "points/policy.h"
#include "compliance/service.h"
#include "compliance/sweep_jobs.h"
#include "http/compliance_handlers.h"
#include "http/findings_handlers.h"
#include "http/inbox_handlers.h"
#include "http/public_complaint_handlers.h"
#include "http/report_handlers.h"
#include "http/points_handlers.h"
#include "http/sanction_handlers.h"
#include "http/server.h"
#include "http/sweep_handlers.h"
#include "notify/inbox_notifier.h"
#include "notify/webhook_dispatcher.h"
#include "registry/registry.h"
#ifdef EDUGOV_HTTP_HAVE_TIMETABLE
#include "http/timetable_handlers.h"
#endif

namespace edugov::cli {

namespace {

struct ServeArgs {
  std::string db = DefaultDbUrl();
  std::string listen = "127.0.0.1:8080";
  std::string static_dir = "web/dist";
  int threads = 2;
  bool secure_cookies = false;
  // The address users reach the server at; https:// turns secure_cookies on.
  std::string public_url;
  // Peers whose X-Forwarded-For is believed (a reverse proxy on this host).
  std::vector<std::string> trusted_proxies;
  // Internal addresses (IPs, CIDR ranges) webhooks may be sent to.
  std::vector<std::string> webhook_allow;
  std::string policy = http::kDefaultPolicyPath;
  // The daily compliance sweep, China-local HH:MM, or "off".
  std::string sweep_at = "02:00";
  // Cases (docs/workflows.md).
  std::string cases_dir = kDefaultCasesDir;
  std::string calendar = kDefaultCalendarPath;
  std::string secret_key_file;  // empty: DefaultSecretKeyPath(db)
  int public_intakes_per_hour = 10;
  int public_lookups_per_minute = 60;
  size_t max_connections = 0;  // 0: from the descriptor limit
  size_t max_connections_per_address = 128;
  size_t workers = http::DefaultWorkers();  // heavy routes; 0: inline on the I/O threads
  int worker_queue = -1;                    // -1: 4 per worker (http::DefaultWorkerQueue)
  // "双随机、一公开" draws (docs/ledgers.md).
  std::string draws_policy = draws::kDefaultDrawPolicyPath;
};

int Serve(const ServeArgs& a) {
  if (!a.public_url.empty() && a.public_url.rfind("https://", 0) != 0 && a.public_url.rfind("http://", 0) != 0) {
    return ReportError(Status(StatusCode::kInvalidArgument, "--public-url must start with https:// or http://",
                              "--public-url 须以 https:// 或 http:// 开头", "--public-url"));
  }
  // Behind HTTPS a cookie without Secure could leak over a plain-HTTP link.
  const bool secure_cookies = a.secure_cookies || a.public_url.rfind("https://", 0) == 0;
  auto webhook_allow = notify::TargetAllowList::Parse(a.webhook_allow);
  if (!webhook_allow.ok()) return ReportError(webhook_allow.status());
  auto sweep_at = compliance::ParseSweepAt(a.sweep_at);
  if (!sweep_at.ok()) return ReportError(sweep_at.status());
  auto db = OpenDatabase(a.db, /*require_current_schema=*/true);
  if (!db.ok()) return ReportError(db.status());

  bool demo_data = false;
  {
    auto conn = (*db)->Acquire();
    if (!conn.ok()) return ReportError(conn.status());
    auto synthetic = registry::HasSyntheticData(**conn);
    if (!synthetic.ok()) return ReportError(synthetic.status());
    demo_data = *synthetic;
  }
  accounts::Authenticator auth(**db, RealClock(), SecureRandom());
  http::App app{.db = db->get(), .clock = &RealClock(), .random = &SecureRandom(),
                .auth = &auth, .secure_cookies = secure_cookies, .demo_data = demo_data,
                .webhook_allow = &*webhook_allow};
  // Notices of the engine: inbox rows and the webhook outbox (src/notify).
  notify::InboxNotifier inbox(*app.clock);
  // The workflow engine. Without a policy/cases folder (run from elsewhere)
  // the server runs without the case routes; a folder that is there but
  // wrong is an error.
  std::unique_ptr<CaseServices> case_services;
  if (a.cases_dir == kDefaultCasesDir && !std::filesystem::is_directory(a.cases_dir)) {
    spdlog::warn("no case types in '{}': serving without the case routes", a.cases_dir);
  } else {
    auto loaded = LoadCaseServices({.db = db->get(), .clock = app.clock, .random = app.random,
                                    .cases_dir = a.cases_dir, .calendar_path = a.calendar,
                                    .secret_key_file = a.secret_key_file, .db_url = a.db,
                                    .notifier = &inbox});
    if (!loaded.ok()) return ReportError(loaded.status());
    case_services = std::move(*loaded);
    app.cases = &case_services->engine();
    // Attachments stored in clear before migration 012 are sealed on the
    // first start after it (docs/security.md, "Identity sealed at rest").
    auto sealed = case_services->engine().SealClearAttachments();
    if (!sealed.ok()) return ReportError(sealed.status());
    if (*sealed > 0) spdlog::info("sealed {} case attachments stored in clear", *sealed);
  }
  // The compliance loop: the pack, loaded once for every route (datasets,
  // findings, targets, timetables), the sweeps and the rectifications. A
  // pack that does not load leaves those routes answering 503 with why.
  std::unique_ptr<compliance::ComplianceService> compliance_service;
  std::unique_ptr<compliance::SweepJobs> sweeps;
  if (auto loaded = compliance::ComplianceService::Load(
          {.db = db->get(), .clock = app.clock, .policy_path = a.policy, .cases = app.cases});
      loaded.ok()) {
    compliance_service = std::move(*loaded);
    app.compliance = compliance_service.get();
    sweeps = std::make_unique<compliance::SweepJobs>(*compliance_service, *app.clock,
                                                     compliance::SweepJobs::Options{.daily_at_minute = *sweep_at});
    app.sweeps = sweeps.get();
  } else {
    app.compliance_status = loaded.status();
    spdlog::warn("compliance routes unavailable: {}", loaded.status().ToString());
  }
  http::Router router;
  http::RegisterHealthHandlers(router, app);
  http::RegisterAuthHandlers(router, app);
  http::RegisterOrgHandlers(router, app);
  http::RegisterUserHandlers(router, app);
  http::RegisterAuditHandlers(router, app);
  http::RegisterDatasetHandlers(router, app);
  http::RegisterSweepHandlers(router, app);
  http::RegisterFindingsHandlers(router, app);
  http::RegisterInboxHandlers(router, app);
  http::RegisterSanctionHandlers(router, app);
  http::RegisterReportHandlers(router, app);
  if (case_services) {
    http::RegisterCaseHandlers(router, app, case_services->types());
    http::RegisterPublicComplaintHandlers(router, app, case_services->types(),
                                          {.intakes_per_hour = a.public_intakes_per_hour,
                                           .lookups_per_minute = a.public_lookups_per_minute});
  }
  http::RegisterComplianceHandlers(router, app);
  http::RegisterHomeworkBoardHandlers(router, app);  // 作业公示: entry, public class pages, QR sheet
#ifdef EDUGOV_HTTP_HAVE_TIMETABLE
  http::RegisterTimetableHandlers(router, app, "policy/curriculum", {});
#endif
  // Inspection draws: without the default policy/draws.yaml (run from
  // elsewhere) the routes are off; a file that is there but wrong is an error.
  std::unique_ptr<draws::DrawPolicy> draw_policy;
  if (auto loaded = draws::LoadDrawPolicy(a.draws_policy); loaded.ok()) {
    draw_policy = std::make_unique<draws::DrawPolicy>(std::move(*loaded));
    http::RegisterDrawHandlers(router, app, *draw_policy);
  } else if (a.draws_policy == draws::kDefaultDrawPolicyPath && loaded.status().code() == StatusCode::kNotFound) {
    spdlog::warn("no draws policy at '{}': serving without the inspection draw routes", a.draws_policy);
  } else {
    return ReportError(loaded.status());
  }
  // Teacher points (教师积分): the same for policy/teacher-points.yaml.
  std::unique_ptr<points::PointsPolicy> points_policy;
  if (auto loaded = points::LoadPointsPolicy(points::kDefaultPointsPolicyPath); loaded.ok()) {
    points_policy = std::make_unique<points::PointsPolicy>(std::move(*loaded));
    http::RegisterPointsHandlers(router, app, *points_policy);
  } else if (loaded.status().code() == StatusCode::kNotFound) {
    spdlog::warn("no points policy at '{}': serving without the teacher points routes",
                 points::kDefaultPointsPolicyPath);
  } else {
    return ReportError(loaded.status());
  }

  std::string static_dir = a.static_dir;
  if (!static_dir.empty() && !std::filesystem::exists(std::filesystem::path(static_dir) / "index.html")) {
    spdlog::warn("web UI not found in '{}' (build it with ./run build); serving the API only",
                 static_dir);
    static_dir.clear();
  }
  http::ServerOptions options;
  options.listen = a.listen;
  options.static_dir = static_dir;
  options.threads = a.threads;
  options.max_connections = a.max_connections;
  options.max_connections_per_address = a.max_connections_per_address;
  options.trusted_proxies = a.trusted_proxies;
  options.workers = a.workers;
  if (a.worker_queue >= 0) options.worker_queue = static_cast<size_t>(a.worker_queue);
  http::Server server(options, router);
  Status s = server.Start();
  if (!s.ok()) return ReportError(s);
  std::string host = a.listen.substr(0, a.listen.rfind(':'));
  // Tests and scripts wait for this exact line to learn the port.
  std::printf("edugov: listening on http://%s:%d\n", host.c_str(), server.port());
  std::fflush(stdout);
  spdlog::info("database {}", (*db)->redacted_url());
  // Reminders and escalations every minute, at the engine clock's now.
  std::unique_ptr<ClockSweeper> sweeper;
  if (case_services) sweeper = std::make_unique<ClockSweeper>(case_services->engine(), std::chrono::seconds(60));
  // The webhook outbox, sent every 15 s with backoff (docs/notifications.md).
  notify::BeastWebhookSender webhook_sender(std::chrono::seconds(10), {}, *webhook_allow);
  notify::WebhookDispatcher webhook_dispatcher(**db, webhook_sender, *app.clock);
  auto webhook_loop = std::make_unique<notify::PeriodicDispatcher>(webhook_dispatcher, std::chrono::seconds(15));
  // The daily sweep: the clock is asked twice a minute whether it is due.
  if (sweeps && *sweep_at) {
    sweeps->StartTimer(std::chrono::seconds(30));
    spdlog::info("daily compliance sweep at {} (China time)", a.sweep_at);
  }
  server.Run();
  sweeps.reset();  // a running sweep stops at its next cancel point
  sweeper.reset();  // stop the sweep before the engine and database go
  webhook_loop.reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Run the HTTP server and web UI / 启动服务");
  cmd->add_option("--db", a->db, "sqlite:PATH or postgresql://… (default $EDUGOV_DB or sqlite:var/edugov.db)");
  cmd->add_option("--policy", a->policy, "the policy pack (default policy/anhua-2025.yaml)");
  cmd->add_option("--sweep-at", a->sweep_at,
                  "daily compliance sweep at this China-local time HH:MM, or off (default 02:00)");
  cmd->add_option("--listen", a->listen, "host:port to listen on (port 0 picks a free one)");
  cmd->add_option("--static", a->static_dir, "directory of the built web UI");
  cmd->add_option("--threads", a->threads, "I/O threads")->check(CLI::Range(1, 64));
  cmd->add_option("--workers", a->workers,
                  "threads for heavy work: reports, imports, what-if, timetables (default max(2, "
                  "hardware threads); 0: inline on the I/O threads, for comparison benches only)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--worker-queue", a->worker_queue,
                  "heavy requests that may wait for a worker; over it 503 with Retry-After "
                  "(default 4 per worker)")
      ->check(CLI::Range(0, 100000));
  cmd->add_flag("--secure-cookies", a->secure_cookies,
                "mark cookies Secure (when behind HTTPS; implied by --public-url https://…)");
  cmd->add_option("--public-url", a->public_url,
                  "the address users reach the server at, e.g. https://edu.example.gov.cn (https:// turns on "
                  "--secure-cookies)");
  cmd->add_option("--trusted-proxy", a->trusted_proxies,
                  "a reverse proxy's address (as this server sees the connection, e.g. 127.0.0.1): its "
                  "X-Forwarded-For names the client for the login lockout and rate limits; repeatable")
      ->delimiter(',');
  cmd->add_option("--webhook-allow", a->webhook_allow,
                  "an internal IP address or CIDR range webhooks may be sent to (loopback, link-local and "
                  "private addresses are refused otherwise); repeatable")
      ->delimiter(',');
  cmd->add_option("--cases-dir", a->cases_dir, "case types (default policy/cases)");
  cmd->add_option("--draws-policy", a->draws_policy,
                  "parameters of the 双随机、一公开 inspection draws (default policy/draws.yaml)");
  cmd->add_option("--calendar", a->calendar, "working calendar: a file or a directory of them (default policy/calendar)");
  cmd->add_option("--secret-key-file", a->secret_key_file,
                  "key sealing complainants' identities, created 0600 if missing "
                  "(default: secret.key beside a SQLite database, else var/secret.key)");
  cmd->add_option("--public-intakes-per-hour", a->public_intakes_per_hour,
                  "public complaints accepted per client address per hour (default 10)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--public-lookups-per-minute", a->public_lookups_per_minute,
                  "public form/tracking requests per client address per minute (default 60)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--max-connections", a->max_connections,
                  "open connections in all; over it new ones get 503 and are closed "
                  "(default 0: the descriptor limit (ulimit -n) less a reserve, at most 10000)");
  cmd->add_option("--max-connections-per-address", a->max_connections_per_address,
                  "open connections from one client address (default 128; 0: no cap, "
                  "e.g. behind a reverse proxy)");
  cmd->callback([a, exit_code] { *exit_code = Serve(*a); });
}

}  // namespace edugov::cli
