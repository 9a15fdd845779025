// `edugov points policy-check [FILE]` and `edugov points verify`: the
// teacher points policy and ledger checked from the command line
// (docs/ledgers.md, "Teacher points"). Recording and reading go through the
// HTTP API, where each caller's role and subtree are known.
#include <cstdio>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "points/points.h"
#include "points/policy.h"

namespace edugov::cli {

void RegisterPointsCommands(CLI::App& app, int* exit_code) {
  auto* points = app.add_subcommand("points", "Teacher points (教师积分) / 教师积分");
  points->require_subcommand(1);

  auto* check = points->add_subcommand("policy-check", "Validate policy/teacher-points.yaml / 校验教师积分政策文件");
  auto policy = std::make_shared<std::string>(points::kDefaultPointsPolicyPath);
  check->add_option("FILE", *policy, "default policy/teacher-points.yaml");
  check->callback([policy, exit_code] {
    auto p = points::LoadPointsPolicy(*policy);
    if (!p.ok()) { *exit_code = ReportError(p.status()); return; }
    std::printf("edugov: %s ok (clause %s, base %lld, %zu rules, %zu eligibility lists, objections within %d days)\n",
                policy->c_str(), p->clause.c_str(), static_cast<long long>(p->base_points), p->rules.size(),
                p->eligibility.size(), p->objection_window_days);
    *exit_code = 0;
  });
}

}  // namespace edugov::cli
