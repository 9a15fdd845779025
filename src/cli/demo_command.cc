// `edugov demo-data`: the synthetic county (or city, or province) and the
// demo logins, into a migrated, empty database.
#include <yaml-cpp/yaml.h>

#include "common/yaml_error.h"

#include <cstdio>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "accounts/users.h"
#include "cli/case_services.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "compliance/service.h"
#include "notify/inbox_notifier.h"
#include "demo/case_demo.h"
#include "demo/dataset_demo.h"
#include "demo/demo_data.h"
#include "demo/semester_demo.h"
#include "registry/registry.h"

namespace edugov::cli {

namespace {

struct DemoArgs {
  std::string db = DefaultDbUrl();
  std::string scale = "county";
  uint64_t seed = 1;
  std::string county_file = "demo/anhua-county.yaml";
  std::string users_file = "demo/demo-users.yaml";
  // The demo's anchor, YYYY-MM-DD (empty: today in China): everything the
  // demo dates derives from it (DemoDates), so the data is a pure function of
  // the seed and this day.
  std::string today;
  bool no_users = false;
  bool no_cases = false;
};

Status CreateDemoUsers(storage::Connection& conn, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return YamlError(path, e);
  }
  const std::string password = root["password"].as<std::string>("");
  for (const YAML::Node& u : root["users"]) {
    const std::string org_name = u["org"].as<std::string>("");
    ASSIGN_OR_RETURN(std::vector<registry::Org> orgs, registry::LookupOrgsByNameUnscoped(conn, org_name));
    if (orgs.empty()) {
      return NotFoundError(path + ": no org named '" + org_name + "' in the generated data",
                           path + ":生成的数据中没有名为 '" + org_name + "' 的机构");
    }
    accounts::NewUser nu{u["username"].as<std::string>(""), u["display_name"].as<std::string>(""),
                         u["role"].as<std::string>(""), u["department"].as<std::string>(""),
                         std::min_element(orgs.begin(), orgs.end(),
                                          [](const auto& a, const auto& b) { return a.id < b.id; })->id,
                         password};
    ASSIGN_OR_RETURN(accounts::User created,
                     accounts::CreateUser(conn, accounts::SystemPrincipal(), RealClock(), nu));
    std::printf("  %-10s %-14s %s\n", created.username.c_str(),
                std::string(accounts::RoleName(created.role)).c_str(), created.org_name.c_str());
  }
  return OkStatus();
}

// What the demo dates, from its anchor day A (docs/registry.md, "Demo data"):
//   registry   as of 08:00 on 1 September of the school year A is in (the
//              last 1 September on or before A): created_at, posting histories;
//   datasets   the annual norms' rows for that school year's calendar year Y
//              and the two before, none after A-1;
//   semester   the pack semester (declared or provisional) running on A-1, or
//              the last one before it, with homework up to A-1;
//   cases      the twelve whole months before A's month;
//   sweep      as of A, 09:00.
// With A = 2026-01-24 this is the demo as it was before the anchor existed
// (registry 2025-09-01, datasets 2023–2025, 2025-autumn whole, cases 2025).
struct DemoDates {
  Date anchor;
  TimePoint registry_at;
  int dataset_year = 0;
  Date last_row_day;
  Date cases_from, cases_to;
};

StatusOr<DemoDates> DemoDatesOf(const std::string& today) {
  DemoDates d;
  if (today.empty()) {
    d.anchor = registry::ChinaDate(RealClock().Now());
  } else {
    StatusOr<Date> parsed = Date::Parse(today);
    if (!parsed.ok()) return Status(parsed.status()).WithField("--today");
    d.anchor = *parsed;
  }
  const int y = d.anchor.month() >= 9 ? d.anchor.year() : d.anchor.year() - 1;
  ASSIGN_OR_RETURN(d.registry_at, ParseTimestamp(std::to_string(y) + "-09-01T08:00:00+08:00"));
  d.dataset_year = y;
  d.last_row_day = d.anchor.AddDays(-1);
  const Date month_start = Date::FromYmd(d.anchor.year(), d.anchor.month(), 1);
  d.cases_to = month_start.AddDays(-1);
  d.cases_from = Date::FromYmd(d.cases_to.month() == 12 ? d.cases_to.year() : d.cases_to.year() - 1,
                               d.cases_to.month() == 12 ? 1 : d.cases_to.month() + 1, 1);
  return d;
}

// A year of cases through the workflow engine, sealed with the key the
// server will use for this database (demo/case_demo.h).
Status CreateDemoCases(storage::Database& db, const DemoArgs& a, const DemoDates& dates,
                       const demo::CaseDemoProgress& progress) {
  ASSIGN_OR_RETURN(TimePoint start, ParseTimestamp(dates.cases_from.ToString() + "T00:00:00+08:00"));
  FakeClock clock(start);
  SeededRandom random(a.seed);
  ASSIGN_OR_RETURN(std::unique_ptr<CaseServices> services,
                   LoadCaseServices({.db = &db, .clock = &clock, .random = &random, .db_url = a.db}));
  ASSIGN_OR_RETURN(demo::CaseDemoSummary s,
                   demo::GenerateCaseDemo(db, services->engine(), clock,
                                          {.seed = a.seed, .first_day = dates.cases_from, .last_day = dates.cases_to},
                                          progress));
  std::printf("edugov: demo cases %s .. %s: %lld complaints (%lld repeats merged, %lld closed, %lld rated, "
              "%lld reopened, %lld left overdue), %lld rectifications, %lld approvals, %lld hazards, "
              "%lld dropouts, %lld misconduct (%lld sanctions)\n",
              dates.cases_from.ToString().c_str(), dates.cases_to.ToString().c_str(),
              static_cast<long long>(s.complaints), static_cast<long long>(s.merged), static_cast<long long>(s.closed),
              static_cast<long long>(s.rated), static_cast<long long>(s.reopened), static_cast<long long>(s.stuck),
              static_cast<long long>(s.rectifications), static_cast<long long>(s.approvals),
              static_cast<long long>(s.hazards), static_cast<long long>(s.dropouts),
              static_cast<long long>(s.misconduct), static_cast<long long>(s.sanctions));
  return OkStatus();
}

// The sweep the server would run on the anchor day, then a share of the
// rectifications it opened moved on (answered, verified), so every state
// shows.
Status SweepDemo(storage::Database& db, const DemoArgs& a, const DemoDates& dates) {
  const Date as_of = dates.anchor;
  ASSIGN_OR_RETURN(TimePoint at, ParseTimestamp(as_of.ToString() + "T09:00:00+08:00"));
  FakeClock clock(at);
  SeededRandom random(a.seed);
  // Schools find their new rectifications in 消息, as the server would tell them.
  notify::InboxNotifier inbox(clock);
  ASSIGN_OR_RETURN(std::unique_ptr<CaseServices> services,
                   LoadCaseServices({.db = &db, .clock = &clock, .random = &random, .db_url = a.db,
                                     .notifier = &inbox}));
  ASSIGN_OR_RETURN(std::unique_ptr<compliance::ComplianceService> svc,
                   compliance::ComplianceService::Load({.db = &db, .clock = &clock,
                                                        .policy_path = "policy/anhua-2025.yaml",
                                                        .cases = &services->engine()}));
  ASSIGN_OR_RETURN(compliance::SweepReport r, svc->Sweep(as_of));
  ASSIGN_OR_RETURN(demo::RectificationDemoSummary moved,
                   demo::AdvanceFindingRectifications(services->engine(), clock, a.seed));
  std::printf("edugov: compliance sweep as of %s: %lld findings open; %d rectifications opened "
              "(%lld answered with evidence, %lld verified and closed)\n",
              as_of.ToString().c_str(), static_cast<long long>(r.findings.opened + r.findings.standing),
              r.cases.opened, static_cast<long long>(moved.submitted), static_cast<long long>(moved.closed));
  return OkStatus();
}

int Run(const DemoArgs& a) {
  std::optional<demo::Scale> scale = demo::ParseScale(a.scale);
  if (!scale) {
    return ReportError(Status(StatusCode::kInvalidArgument,
                              "--scale must be county, city or province, not '" + a.scale + "'",
                              "--scale 须为 county、city 或 province,而不是 '" + a.scale + "'",
                              "--scale"));
  }
  auto dates = DemoDatesOf(a.today);
  if (!dates.ok()) return ReportError(dates.status());
  auto db = OpenDatabase(a.db, /*require_current_schema=*/true);
  if (!db.ok()) return ReportError(db.status());
  auto conn = (*db)->Acquire();
  if (!conn.ok()) return ReportError(conn.status());

  FakeClock clock(dates->registry_at);
  const bool tty = isatty(fileno(stderr));
  auto progress = [tty](std::string_view phase, int64_t done, int64_t total) {
    if (!tty) return;
    std::fprintf(stderr, "\r  %.*s %lld/%lld", static_cast<int>(phase.size()), phase.data(),
                 static_cast<long long>(done), static_cast<long long>(total));
    if (done == total) std::fprintf(stderr, "\n");
  };
  auto summary = demo::GenerateDemoData(**conn, clock, a.county_file, *scale, a.seed, progress);
  if (!summary.ok()) return ReportError(summary.status());
  if (auto rows = demo::GenerateDatasetDemo(**conn, clock, "policy/anhua-2025.yaml", a.seed, dates->dataset_year,
                                            dates->last_row_day);
      !rows.ok()) {
    return ReportError(rows.status());
  }
  auto sem = demo::GenerateSemesterDemo(**conn, clock, {.semester = "", .through = dates->last_row_day, .seed = a.seed},
                                        progress);
  if (!sem.ok()) return ReportError(sem.status());
  std::printf("%s\n", demo::DescribeSemesterDemo(*sem).c_str());
  std::printf("edugov: synthetic %s generated (seed %llu): %lld counties, %lld townships, "
              "%lld schools (%lld compulsory), %lld classes, %lld students, %lld staff\n",
              a.scale.c_str(), static_cast<unsigned long long>(a.seed),
              static_cast<long long>(summary->counties), static_cast<long long>(summary->townships),
              static_cast<long long>(summary->schools),
              static_cast<long long>(summary->compulsory_schools),
              static_cast<long long>(summary->classes), static_cast<long long>(summary->students),
              static_cast<long long>(summary->staff));
  if (!a.no_cases) {
    Status s = CreateDemoCases(**db, a, *dates, progress);
    if (!s.ok()) return ReportError(s);
  }
  if (!a.no_users) {
    std::printf("edugov: demo logins (password in %s):\n", a.users_file.c_str());
    Status s = CreateDemoUsers(**conn, a.users_file);
    if (!s.ok()) return ReportError(s);
  }
  // The demo opens with its findings judged and rectified: a sweep through
  // the compliance service, as the server runs it, as of the anchor day.
  if (!a.no_cases) {
    Status s = SweepDemo(**db, a, *dates);
    if (!s.ok()) return ReportError(s);
  }
  return 0;
}

}  // namespace

void RegisterDemoDataCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<DemoArgs>();
  auto* cmd = app.add_subcommand(
      "demo-data", "Generate the synthetic demo county, city or province / 生成演示数据(虚构)");
  cmd->add_option("--db", a->db, "sqlite:PATH or postgresql://… (must be migrated and empty)");
  cmd->add_option("--scale", a->scale, "county | city | province");
  cmd->add_option("--seed", a->seed, "random seed: the same seed gives the same data");
  cmd->add_option("--county-file", a->county_file, "the demo county definition (YAML)");
  cmd->add_option("--users-file", a->users_file, "the demo logins (YAML)");
  cmd->add_option("--today", a->today,
                  "the day the demo is anchored to, YYYY-MM-DD (default: today in China); "
                  "the same seed and day give the same data");
  cmd->add_flag("--no-users", a->no_users, "do not create the demo logins");
  cmd->add_flag("--no-cases", a->no_cases, "do not generate the year of demo cases (complaints …)");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace edugov::cli
