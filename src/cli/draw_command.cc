// `edugov draw verify FILE`, `edugov draw verify-ledger` and
// `edugov draw policy-check FILE`: the "双随机、一公开" draws checked from
// the outside (docs/ledgers.md, "Inspection draws").
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "draws/draw.h"
#include "draws/draw_policy.h"
#include "draws/store.h"

namespace edugov::cli {

namespace {

StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kNotFound, "cannot read " + path, "无法读取文件 " + path, "FILE");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

void RegisterDrawCommands(CLI::App& app, int* exit_code) {
  auto* draw = app.add_subcommand("draw", "Inspection draws, 双随机、一公开 / 双随机抽查");
  draw->require_subcommand(1);

  // No database: the published document is all a citizen has, and all the
  // draw depends on.
  auto* verify = draw->add_subcommand(
      "verify",
      "Re-run a published draw from its inputs file; print the result (byte for byte) / "
      "按公布的输入重新抽取并输出结果");
  auto file = std::make_shared<std::string>();
  verify->add_option("FILE", *file, "the inputs document (GET /api/v1/public/inspections/{id}/inputs)")
      ->required();
  verify->callback([file, exit_code] {
    auto text = ReadWholeFile(*file);
    if (!text.ok()) { *exit_code = ReportError(text.status()); return; }
    auto result = draws::VerifyPublished(*text);
    if (!result.ok()) { *exit_code = ReportError(result.status()); return; }
    std::fwrite(result->data(), 1, result->size(), stdout);
    std::fputc('\n', stdout);
    *exit_code = 0;
  });

  auto* ledger = draw->add_subcommand(
      "verify-ledger", "Check the draws ledger's hash chain and the plans against it / 校验抽查台账");
  auto db_url = std::make_shared<std::string>(DefaultDbUrl());
  ledger->add_option("--db", *db_url, "sqlite:PATH or postgresql://…");
  ledger->callback([db_url, exit_code] {
    auto db = OpenDatabase(*db_url, /*require_current_schema=*/true);
    if (!db.ok()) { *exit_code = ReportError(db.status()); return; }
    auto conn = (*db)->Acquire();
    if (!conn.ok()) { *exit_code = ReportError(conn.status()); return; }
    auto report = draws::VerifyDrawLedger(**conn);
    if (!report.ok()) { *exit_code = ReportError(report.status()); return; }
    const bool zh = LangFromEnvironment() == Lang::kZh;
    if (report->ok) {
      std::printf(zh ? "edugov: 抽查台账完整,共 %lld 条记录\n" : "edugov: draws chain intact, %lld entries\n",
                  static_cast<long long>(report->entries));
      *exit_code = 0;
    } else {
      std::fprintf(stderr, zh ? "edugov: 抽查台账被破坏:第 %lld 条:%s\n" : "edugov: draws chain broken at entry %lld: %s\n",
                   static_cast<long long>(report->first_bad_seq),
                   (zh ? report->reason_zh : report->reason_en).c_str());
      *exit_code = 2;
    }
  });

  auto* check = draw->add_subcommand("policy-check", "Validate policy/draws.yaml / 校验抽查参数文件");
  auto policy = std::make_shared<std::string>(draws::kDefaultDrawPolicyPath);
  check->add_option("FILE", *policy, "default policy/draws.yaml");
  check->callback([policy, exit_code] {
    auto p = draws::LoadDrawPolicy(*policy);
    if (!p.ok()) { *exit_code = ReportError(p.status()); return; }
    std::printf("edugov: %s ok (clause %s, ≥ %d%% per stratum, teams of %d, conflicts %d years)\n",
                policy->c_str(), p->clause.c_str(), p->min_rate_percent, p->team_size, p->conflict_years);
    *exit_code = 0;
  });
}

}  // namespace edugov::cli
