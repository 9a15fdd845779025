#include "cli/policy_commands.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "cli/case_services.h"
#include "cli/cli_util.h"
#include "common/clock.h"
#include "common/date.h"
#include "compliance/service.h"
#include "notify/inbox_notifier.h"
#include "registry/registry.h"
#include "rules/binder.h"
#include "rules/evaluator.h"
#include "rules/policy_parser.h"

namespace edugov::cli {
namespace {

constexpr const char* kDefaultPolicy = "policy/anhua-2025.yaml";

StatusOr<rules::bound::Pack> LoadPack(const std::string& path) {
  ASSIGN_OR_RETURN(rules::ast::Pack ast, rules::ParsePolicyFile(path));
  return rules::Bind(ast);
}

StatusOr<std::map<std::string, double>> ParseWhatIf(const std::vector<std::string>& items) {
  std::map<std::string, double> out;
  for (const std::string& it : items) {
    size_t eq = it.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--what-if expects name=value, got '" + it + "'",
                                  "--what-if 需要 name=value，实际为 '" + it + "'");
    }
    try {
      size_t used = 0;
      std::string v = it.substr(eq + 1);
      double d = std::stod(v, &used);
      if (used != v.size()) throw std::invalid_argument(v);
      out[it.substr(0, eq)] = d;
    } catch (const std::exception&) {
      return InvalidArgumentError("--what-if: '" + it.substr(eq + 1) + "' is not a number",
                                  "--what-if：'" + it.substr(eq + 1) + "' 不是数字");
    }
  }
  return out;
}

void PrintSummary(const rules::bound::Pack& pack, const rules::CheckResult& r, Lang lang) {
  const bool zh = lang == Lang::kZh;
  std::map<std::string, int64_t> by_rule;
  std::set<std::string> clauses;
  std::map<std::string, std::map<std::string, int64_t>> by_township;  // township → clause → n
  for (const auto& f : r.findings) {
    ++by_rule[f.rule_id];
    clauses.insert(f.clause);
    std::string t = f.township_name.empty() ? (zh ? "（县直/无乡镇）" : "(no township)") : f.township_name;
    if (f.entity_type == "township") t = f.entity_name;
    ++by_township[t][f.clause];
  }
  std::printf(zh ? "按条款与规则:\n" : "By clause and rule:\n");
  for (const auto& rule : pack.rules) {
    std::printf("  %-4s %-44s %8lld  %s\n", rule.clause.c_str(), rule.id.c_str(),
                static_cast<long long>(by_rule[rule.id]), rule.title_zh.c_str());
  }
  if (!by_township.empty()) {
    std::printf(zh ? "按乡镇（列为条款）:\n" : "By township (columns are clauses):\n");
    std::printf("  %-24s", zh ? "乡镇" : "township");
    for (const auto& c : clauses) std::printf(" %6s", ("#" + c).c_str());
    std::printf(" %7s\n", zh ? "合计" : "total");
    for (const auto& [t, per] : by_township) {
      int64_t total = 0;
      std::printf("  %-24s", t.c_str());
      for (const auto& c : clauses) {
        auto it = per.find(c);
        int64_t n = it == per.end() ? 0 : it->second;
        total += n;
        std::printf(" %6lld", static_cast<long long>(n));
      }
      std::printf(" %7lld\n", static_cast<long long>(total));
    }
  }
  if (!r.targets.empty()) {
    std::printf(zh ? "目标进度:\n" : "Targets:\n");
    for (const auto& t : r.targets) {
      if (!t.unresolved_org_code.empty()) {
        std::printf("  %-4s %-32s %-16s %s (%s)\n", t.clause.c_str(), t.target_id.c_str(), t.entity_name.c_str(),
                    zh ? "单位代码不在登记册中，未计量" : "org code not in the registry, not measured",
                    std::string(rules::TargetStatusName(t.status)).c_str());
        continue;
      }
      std::printf("  %-4s %-32s %-16s %s %.4f (%s %s %.4f, %s %s)\n", t.clause.c_str(), t.target_id.c_str(),
                  t.entity_name.c_str(), zh ? "当前" : "now", t.measured, zh ? "目标" : "target",
                  t.comparison.c_str(), t.target, t.deadline.c_str(),
                  std::string(rules::TargetStatusName(t.status)).c_str());
    }
  }
  std::printf(zh ? "共 %zu 条问题\n" : "%zu finding(s)\n", r.findings.size());
}

}  // namespace

void RegisterPolicyCommands(CLI::App& app, int* exit_code) {
  auto* policy = app.add_subcommand("policy", "The policy pack / 政策包");
  policy->require_subcommand(1);
  auto* validate = policy->add_subcommand("validate", "Check a policy pack file / 校验政策包文件");
  auto file = std::make_shared<std::string>();
  validate->add_option("FILE", *file, "policy pack YAML")->required();
  validate->callback([file, exit_code] {
    auto pack = LoadPack(*file);
    if (!pack.ok()) { *exit_code = ReportError(pack.status()); return; }
    Lang lang = LangFromEnvironment();
    std::printf(lang == Lang::kZh ? "%s: 有效：%zu 个数据集，%zu 条规则，%zu 个目标\n"
                                  : "%s: valid: %zu dataset(s), %zu rule(s), %zu target(s)\n",
                file->c_str(), pack->datasets.size(), pack->rules.size(), pack->targets.size());
    *exit_code = 0;
  });

  // The pack's semesters as the engine uses them: declared, then the
  // provisional ones (暂定) its rule computes (docs/policy-format.md,
  // "Semesters"), up to --through (default: a year from today).
  auto* semesters = policy->add_subcommand("semesters", "List the pack's semesters, provisional ones marked / 列出学期（标注暂定）");
  auto sem_file = std::make_shared<std::string>(kDefaultPolicy);
  auto through = std::make_shared<std::string>();
  semesters->add_option("FILE", *sem_file, "policy pack YAML (default " + std::string(kDefaultPolicy) + ")");
  semesters->add_option("--through", *through, "list semesters starting on or before this day, YYYY-MM-DD");
  semesters->callback([sem_file, through, exit_code] {
    auto pack = LoadPack(*sem_file);
    if (!pack.ok()) { *exit_code = ReportError(pack.status()); return; }
    Date last = registry::ChinaDate(RealClock().Now()).AddDays(366);
    if (!through->empty()) {
      auto d = Date::Parse(*through);
      if (!d.ok()) { *exit_code = ReportError(Status(d.status()).WithField("--through")); return; }
      last = *d;
    }
    const bool zh = LangFromEnvironment() == Lang::kZh;
    for (const auto& s : pack->semesters) {
      if (s.from > last.DaysSinceEpoch()) break;
      std::printf("%-12s %s .. %s  %s\n", s.name.c_str(), Date::FromDaysSinceEpoch(s.from).ToString().c_str(),
                  Date::FromDaysSinceEpoch(s.to).ToString().c_str(),
                  s.provisional ? (zh ? "暂定" : "provisional") : (zh ? "已声明" : "declared"));
    }
    *exit_code = 0;
  });

  auto* check = app.add_subcommand("check", "Run the policy's rules over the data / 按政策包检查数据");
  struct Opts {
    std::string policy = kDefaultPolicy;
    std::string as_of;
    std::vector<std::string> what_if;
    std::string db = DefaultDbUrl();
    bool open_cases = false;
  };
  auto o = std::make_shared<Opts>();
  check->add_flag("--open-cases", o->open_cases,
                  "open a rectification case for each open finding of a rule with a `case:` (idempotent)");
  check->add_option("--policy", o->policy, "policy pack (default policy/anhua-2025.yaml)");
  check->add_option("--as-of", o->as_of, "judge as of this date, YYYY-MM-DD (default: today in China)");
  check->add_option("--what-if", o->what_if, "name=value: override a parameter; writes nothing");
  check->add_option("--db", o->db, "sqlite:PATH or postgresql://…");
  check->callback([o, exit_code] {
    Lang lang = LangFromEnvironment();
    Date as_of = registry::ChinaDate(RealClock().Now());
    if (!o->as_of.empty()) {
      auto d = Date::Parse(o->as_of);
      if (!d.ok()) { *exit_code = ReportError(d.status()); return; }
      as_of = *d;
    }
    auto overrides = ParseWhatIf(o->what_if);
    if (!overrides.ok()) { *exit_code = ReportError(overrides.status()); return; }
    auto db = OpenDatabase(o->db, /*require_current_schema=*/true);
    if (!db.ok()) { *exit_code = ReportError(db.status()); return; }
    // With --as-of, cases are opened at 09:00 that day, so a replayed check
    // gets the deadlines it would have had.
    auto opened_at = ParseTimestamp(as_of.ToString() + "T09:00:00+08:00");
    FakeClock as_of_clock(opened_at.ok() ? *opened_at : RealClock().Now());
    const Clock& clock = o->as_of.empty() ? RealClock() : static_cast<const Clock&>(as_of_clock);
    // The case engine counts open cases for targets and, with --open-cases,
    // keeps rectifications in step; without policy/cases neither.
    std::unique_ptr<CaseServices> services;
    notify::InboxNotifier inbox(clock);  // a school hears of its new rectification
    if (o->open_cases || std::filesystem::is_directory(kDefaultCasesDir)) {
      auto loaded = LoadCaseServices({.db = db->get(), .clock = &clock, .random = &SecureRandom(), .db_url = o->db,
                                      .notifier = &inbox});
      if (!loaded.ok()) { *exit_code = ReportError(loaded.status()); return; }
      services = std::move(*loaded);
    }
    auto svc = compliance::ComplianceService::Load({.db = db->get(), .clock = &clock, .policy_path = o->policy,
                                                    .cases = services ? &services->engine() : nullptr,
                                                    .sync_rectifications = o->open_cases});
    if (!svc.ok()) { *exit_code = ReportError(svc.status()); return; }
    const rules::bound::Pack& pack = (*svc)->pack()->pack();
    if (!overrides->empty()) {
      auto r = (*svc)->WhatIf(*overrides, as_of);
      if (!r.ok()) { *exit_code = ReportError(r.status()); return; }
      rules::CheckResult result;
      result.findings = std::move(r->what_if);
      PrintSummary(pack, result, lang);
      std::printf(lang == Lang::kZh ? "假设分析：未写入任何结果\n" : "what-if: nothing written\n");
      *exit_code = 0;
      return;
    }
    auto r = (*svc)->Sweep(as_of);
    if (!r.ok()) { *exit_code = ReportError(r.status()); return; }
    std::printf(lang == Lang::kZh ? "截至 %s：载入 %lld 行（%lld ms），检查 %lld 条规则（%lld ms）\n"
                                  : "as of %s: loaded %lld rows (%lld ms), checked %lld rules (%lld ms)\n",
                as_of.ToString().c_str(), static_cast<long long>(r->rows), static_cast<long long>(r->load_ms),
                static_cast<long long>(r->rules), static_cast<long long>(r->evaluate_ms));
    rules::CheckResult result;
    result.findings = std::move(r->findings_judged);
    result.targets = std::move(r->targets);
    PrintSummary(pack, result, lang);
    std::printf(lang == Lang::kZh ? "已保存：新增 %lld，仍存在 %lld，重新打开 %lld，已整改 %lld，规则撤销 %lld\n"
                                  : "saved: %lld new, %lld standing, %lld reopened, %lld resolved, %lld withdrawn\n",
                static_cast<long long>(r->findings.opened), static_cast<long long>(r->findings.standing),
                static_cast<long long>(r->findings.reopened), static_cast<long long>(r->findings.resolved),
                static_cast<long long>(r->withdrawn));
    if (o->open_cases) {
      std::printf(lang == Lang::kZh ? "整改案件：新开 %d 件，并入 %d 条问题，转核验 %d 件，退回 %d 件，重开 %d 件，撤销 %d 件\n"
                                    : "rectifications: %d opened, %d findings linked, %d to verify, %d sent back, "
                                      "%d reopened, %d withdrawn\n",
                  r->cases.opened, r->cases.linked, r->cases.to_verify, r->cases.regressed, r->cases.reopened,
                  r->cases.withdrawn);
    }
    *exit_code = 0;
  });
}

}  // namespace edugov::cli
