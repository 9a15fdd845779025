// `edugov migrate` and `edugov audit verify [--ledger audit|sanctions]`.
#include <cstdio>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "ledger/audit.h"
#include "ledger/sanctions.h"
#include "storage/migrations.h"

namespace edugov::cli {

void RegisterMigrateCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("migrate", "Apply pending schema migrations / 升级数据库结构");
  auto db_url = std::make_shared<std::string>(DefaultDbUrl());
  cmd->add_option("--db", *db_url, "sqlite:PATH or postgresql://… (default $EDUGOV_DB or sqlite:var/edugov.db)");
  cmd->callback([db_url, exit_code] {
    auto db = OpenDatabase(*db_url, /*require_current_schema=*/false);
    if (!db.ok()) { *exit_code = ReportError(db.status()); return; }
    auto conn = (*db)->Acquire();
    if (!conn.ok()) { *exit_code = ReportError(conn.status()); return; }
    auto applied = storage::Migrate(**conn, RealClock());
    if (!applied.ok()) { *exit_code = ReportError(applied.status()); return; }
    std::printf("edugov: %d migration(s) applied; schema version %d (%s)\n", *applied,
                storage::LatestSchemaVersion(), (*db)->redacted_url().c_str());
    *exit_code = 0;
  });
}

void RegisterAuditCommands(CLI::App& app, int* exit_code) {
  auto* audit = app.add_subcommand("audit", "The audit ledger / 审计日志");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand(
      "verify", "Check a ledger's hash chain; name the first bad entry / 校验台账哈希链");
  auto db_url = std::make_shared<std::string>(DefaultDbUrl());
  auto which = std::make_shared<std::string>("audit");
  verify->add_option("--db", *db_url, "sqlite:PATH or postgresql://…");
  verify->add_option("--ledger", *which,
                     "audit (default) or sanctions / 要校验的台账:audit(审计日志)或 sanctions(处分台账)")
      ->check(CLI::IsMember({"audit", "sanctions"}));
  verify->callback([db_url, which, exit_code] {
    auto db = OpenDatabase(*db_url, /*require_current_schema=*/true);
    if (!db.ok()) { *exit_code = ReportError(db.status()); return; }
    auto conn = (*db)->Acquire();
    if (!conn.ok()) { *exit_code = ReportError(conn.status()); return; }
    const bool sanctions = *which == "sanctions";
    auto report = sanctions ? ledger::VerifySanctions(**conn) : ledger::VerifyAudit(**conn);
    if (!report.ok()) { *exit_code = ReportError(report.status()); return; }
    Lang lang = LangFromEnvironment();
    const char* name = lang == Lang::kZh ? (sanctions ? "处分台账" : "审计链")
                                         : (sanctions ? "sanctions chain" : "audit chain");
    if (report->ok) {
      std::printf(lang == Lang::kZh ? "edugov: %s完整,共 %lld 条记录\n"
                                    : "edugov: %s intact, %lld entries\n",
                  name, static_cast<long long>(report->entries));
      *exit_code = 0;
    } else {
      std::fprintf(stderr,
                   lang == Lang::kZh ? "edugov: %s被破坏:第 %lld 条:%s\n"
                                     : "edugov: %s broken at entry %lld: %s\n",
                   name, static_cast<long long>(report->first_bad_seq),
                   (lang == Lang::kZh ? report->reason_zh : report->reason_en).c_str());
      *exit_code = 2;
    }
  });
}

}  // namespace edugov::cli
