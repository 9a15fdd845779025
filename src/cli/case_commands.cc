// `edugov cases validate [DIR]` and `edugov cases sweep`: checking case-type
// files before they are deployed, and running the reminder/escalation sweep
// from cron or by hand (`edugov serve` also sweeps every minute).
#include <cstdio>
#include <memory>
#include <string>

#include "cases/case_type.h"
#include "cli/case_services.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/random.h"
#ifdef EDUGOV_HAVE_NOTIFY
#include "notify/inbox_notifier.h"
#endif

namespace edugov::cli {
namespace {

// RFC 3339, or a bare date meaning 09:00 Asia/Shanghai that day (a sweep
// "on" a day, after the night's deadlines have passed).
StatusOr<TimePoint> ParseAsOf(const std::string& text) {
  if (auto t = ParseTimestamp(text); t.ok()) return *t;
  if (auto d = Date::Parse(text); d.ok()) return ParseTimestamp(d->ToString() + "T09:00:00+08:00");
  return InvalidArgumentError("--as-of: '" + text + "' is neither a date nor an RFC 3339 time",
                              "--as-of：'" + text + "' 既不是日期也不是 RFC 3339 时间")
      .WithField("--as-of");
}

}  // namespace

void RegisterCaseCommands(CLI::App& app, int* exit_code) {
  auto* cases = app.add_subcommand("cases", "Case types and case clocks / 案件类型与办理时限");
  cases->require_subcommand(1);

  auto* validate = cases->add_subcommand("validate", "Check case-type files / 检查案件类型配置");
  auto dir = std::make_shared<std::string>(kDefaultCasesDir);
  validate->add_option("dir", *dir, "folder of case-type YAML files (default policy/cases)");
  validate->callback([dir, exit_code] {
    auto types = cases::CaseTypeRegistry::LoadDir(*dir);
    if (!types.ok()) {
      *exit_code = ReportError(types.status());
      return;
    }
    const bool zh = LangFromEnvironment() == Lang::kZh;
    for (const cases::CaseType& t : types->types()) {
      std::printf(zh ? "%s（%s，编号前缀 %s）：%zu 个字段，%zu 个状态，%zu 个操作\n"
                     : "%s (%s, prefix %s): %zu field(s), %zu state(s), %zu transition(s)\n",
                  t.id.c_str(), t.label.zh.c_str(), t.prefix.c_str(), t.fields.size(), t.states.size(),
                  t.transitions.size());
    }
    std::printf(zh ? "%s：有效，%zu 个案件类型\n" : "%s: valid, %zu case type(s)\n", dir->c_str(),
                types->types().size());
    *exit_code = 0;
  });

  auto* sweep = cases->add_subcommand(
      "sweep", "Send reminders (催办) and escalate overdue cases / 催办并升级逾期案件");
  struct SweepOpts {
    std::string db = DefaultDbUrl();
    std::string as_of;
    std::string cases_dir = kDefaultCasesDir;
    std::string calendar = kDefaultCalendarPath;
    std::string secret_key_file;
  };
  auto o = std::make_shared<SweepOpts>();
  sweep->add_option("--db", o->db, "sqlite:PATH or postgresql://…");
  sweep->add_option("--as-of", o->as_of, "sweep as of this time (RFC 3339, or a date = 09:00 that day); default now");
  sweep->add_option("--cases", o->cases_dir, "case-type folder (default policy/cases)");
  sweep->add_option("--calendar", o->calendar, "working calendar: a file or a directory of them (default policy/calendar)");
  sweep->add_option("--secret-key-file", o->secret_key_file,
                    "key sealing confidential fields (default: secret.key beside a SQLite database, else var/secret.key)");
  sweep->callback([o, exit_code] {
    std::unique_ptr<FakeClock> fixed;
    const Clock* clock = &RealClock();
    if (!o->as_of.empty()) {
      auto t = ParseAsOf(o->as_of);
      if (!t.ok()) {
        *exit_code = ReportError(t.status());
        return;
      }
      fixed = std::make_unique<FakeClock>(*t);
      clock = fixed.get();
    }
    auto db = OpenDatabase(o->db, /*require_current_schema=*/true);
    if (!db.ok()) {
      *exit_code = ReportError(db.status());
      return;
    }
#ifdef EDUGOV_HAVE_NOTIFY
    notify::InboxNotifier inbox(*clock);
    cases::Notifier* notifier = &inbox;
#else
    // A build without src/notify records events and audit entries but no
    // inbox notices; say so rather than pretend.
    cases::Notifier* notifier = nullptr;
    std::fprintf(stderr, "edugov: this build has no notify module: no inbox notices are written\n");
#endif
    auto services = LoadCaseServices({.db = db->get(), .clock = clock, .random = &SecureRandom(),
                                      .cases_dir = o->cases_dir, .calendar_path = o->calendar,
                                      .secret_key_file = o->secret_key_file, .db_url = o->db,
                                      .notifier = notifier});
    if (!services.ok()) {
      *exit_code = ReportError(services.status());
      return;
    }
    auto report = (*services)->engine().SweepClocks();
    if (!report.ok()) {
      *exit_code = ReportError(report.status());
      return;
    }
    const bool zh = LangFromEnvironment() == Lang::kZh;
    std::printf(zh ? "截至 %s：催办 %d 件，升级 %d 次，%d 件因日历缺少年份而期限未知，%d 件暂定期限按新日历重算\n"
                   : "as of %s: %d reminded, %d escalation(s), %d with an unknown deadline (calendar lacks the year), "
                     "%d provisional deadline(s) recomputed by the calendar now known\n",
                FormatTimestamp(clock->Now()).c_str(), report->reminded, report->escalated,
                report->deadline_unknown, report->recomputed);
    *exit_code = 0;
  });
}

}  // namespace edugov::cli
