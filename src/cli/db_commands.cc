// `edugov migrate`, `edugov audit verify [--ledger audit|sanctions|points] [--anchor FILE]`
// and `edugov audit anchor --out FILE` (ledger/anchor.h).
#include <cstdio>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "ledger/anchor.h"
#include "ledger/audit.h"
#include "ledger/sanctions.h"
#include "points/points.h"
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
  auto anchor_file = std::make_shared<std::string>();
  verify->add_option("--db", *db_url, "sqlite:PATH or postgresql://…");
  verify->add_option("--anchor", *anchor_file,
                     "head anchors written by `audit anchor --out FILE`; catches a re-chained tail / "
                     "链头锚点文件(由 audit anchor 写出),可发现被重新链接的链尾");
  verify->add_option("--ledger", *which,
                     "audit (default), sanctions or points / 要校验的台账:audit(审计日志)、sanctions(处分台账)或 points(教师积分台账)")
      ->check(CLI::IsMember({"audit", "sanctions", "points"}));
  verify->callback([db_url, which, anchor_file, exit_code] {
    std::vector<ledger::Anchor> anchors;
    if (!anchor_file->empty()) {
      auto read = ledger::ReadAnchorFile(*anchor_file);
      if (!read.ok()) { *exit_code = ReportError(read.status()); return; }
      anchors = std::move(*read);
    }
    auto db = OpenDatabase(*db_url, /*require_current_schema=*/true);
    if (!db.ok()) { *exit_code = ReportError(db.status()); return; }
    auto conn = (*db)->Acquire();
    if (!conn.ok()) { *exit_code = ReportError(conn.status()); return; }
    const bool sanctions = *which == "sanctions";
    const bool points = *which == "points";
    auto report = sanctions ? ledger::VerifySanctions(**conn, anchors)
                  : points  ? points::VerifyPointsLedger(**conn, anchors)
                            : ledger::VerifyAudit(**conn, anchors);
    if (!report.ok()) { *exit_code = ReportError(report.status()); return; }
    Lang lang = LangFromEnvironment();
    const char* name = lang == Lang::kZh ? (sanctions ? "处分台账" : points ? "积分台账" : "审计链")
                                         : (sanctions ? "sanctions chain" : points ? "points chain" : "audit chain");
    if (report->ok) {
      std::printf(lang == Lang::kZh ? "edugov: %s完整,共 %lld 条记录\n"
                                    : "edugov: %s intact, %lld entries\n",
                  name, static_cast<long long>(report->entries));
      if (!anchor_file->empty()) {
        std::printf(lang == Lang::kZh ? "edugov: %lld 个链头锚点与链一致\n"
                                      : "edugov: %lld head anchor(s) match the chain\n",
                    static_cast<long long>(report->anchors_checked));
      }
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

  // The chain head copied out of the database: run it daily from cron into
  // a file the forger cannot reach (docs/security.md, "Ledgers").
  auto* anchor = audit->add_subcommand(
      "anchor", "Append every ledger's head to a file outside the database / 把各台账链头追加写入库外文件");
  auto anchor_db = std::make_shared<std::string>(DefaultDbUrl());
  auto out = std::make_shared<std::string>();
  anchor->add_option("--db", *anchor_db, "sqlite:PATH or postgresql://…");
  anchor->add_option("--out", *out, "the anchor file (appended; created mode 0600) / 锚点文件(追加写入)")
      ->required();
  anchor->callback([anchor_db, out, exit_code] {
    auto db = OpenDatabase(*anchor_db, /*require_current_schema=*/true);
    if (!db.ok()) { *exit_code = ReportError(db.status()); return; }
    auto conn = (*db)->Acquire();
    if (!conn.ok()) { *exit_code = ReportError(conn.status()); return; }
    auto heads = ledger::ReadHeads(**conn, RealClock());
    if (!heads.ok()) { *exit_code = ReportError(heads.status()); return; }
    if (Status s = ledger::AppendAnchors(*out, *heads); !s.ok()) { *exit_code = ReportError(s); return; }
    const bool zh = LangFromEnvironment() == Lang::kZh;
    for (const ledger::Anchor& a : *heads) {
      std::printf(zh ? "edugov: %s 链头第 %lld 条 %s 已写入 %s\n"
                     : "edugov: %s head at entry %lld %s written to %s\n",
                  a.ledger.c_str(), static_cast<long long>(a.seq), a.hash.c_str(), out->c_str());
    }
    *exit_code = 0;
  });
}

}  // namespace edugov::cli
