// The compliance loop (service.h).
#include "compliance/service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>
#include <utility>

#include <spdlog/spdlog.h>

#include "accounts/users.h"
#include "datasets/columnar.h"
#include "registry/registry.h"
#include "rules/live_image.h"

namespace edugov::compliance {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// The file's size and modification time: a changed stamp means re-read.
std::string FileStamp(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return "";
  const auto mtime = std::filesystem::last_write_time(path, ec);
  if (ec) return "";
  return std::to_string(size) + "@" + std::to_string(mtime.time_since_epoch().count());
}

// The last id of a materialised path ("/1/4/37/" → 37), 0 when none.
int64_t LastId(const std::string& path) {
  if (path.size() < 2) return 0;
  const size_t end = path.back() == '/' ? path.size() - 1 : path.size();
  const size_t start = path.rfind('/', end - 1);
  int64_t id = 0;
  for (size_t i = start == std::string::npos ? 0 : start + 1; i < end; ++i) {
    if (path[i] < '0' || path[i] > '9') return 0;
    id = id * 10 + (path[i] - '0');
  }
  return id;
}

std::string Number(double v) {
  if (std::isnan(v)) return "—";
  if (std::fabs(v - std::round(v)) < 1e-9) return std::to_string(static_cast<int64_t>(std::llround(v)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// The names of the findings' entities (a class "七年级1班", a staff member),
// for the lines a principal reads on a rectification.
struct EntityNames {
  std::map<int64_t, std::string> orgs, classes, staff;
};

StatusOr<EntityNames> NamesOf(storage::Connection& conn, const std::vector<rules::FindingRecord>& findings) {
  std::set<int64_t> orgs, classes, staff;
  for (const auto& f : findings) {
    if (f.entity_type == "class") classes.insert(f.entity_id);
    else if (f.entity_type == "staff") staff.insert(f.entity_id);
    else if (f.entity_id != 0) orgs.insert(f.entity_id);
  }
  EntityNames out;
  ASSIGN_OR_RETURN(out.orgs, registry::OrgNames(conn, orgs));
  ASSIGN_OR_RETURN(auto named_classes, registry::ClassNames(conn, classes));
  for (auto& [id, c] : named_classes) out.classes[id] = c.name;
  ASSIGN_OR_RETURN(out.staff, registry::StaffNames(conn, staff));
  return out;
}

// One line for a rectification's timeline about a stored finding.
std::string SummaryZh(const rules::FindingRecord& f, const EntityNames& names) {
  static const std::map<std::string, std::string> kEntity = {
      {"class", "班级"}, {"school", "学校"}, {"township", "乡镇"}, {"county", "全县"}, {"staff", "教职工"}, {"org", "单位"}};
  const auto& pool = f.entity_type == "class" ? names.classes : f.entity_type == "staff" ? names.staff : names.orgs;
  auto named = pool.find(f.entity_id);
  auto e = kEntity.find(f.entity_type);
  const std::string who = named != pool.end() ? named->second
                                              : (e == kEntity.end() ? f.entity_type : e->second) + " " +
                                                    std::to_string(f.entity_id);
  std::string s = "问题 #" + std::to_string(f.id) + "（" + who + "）";
  if (!f.period_start.empty()) s += " " + f.period_start + " 至 " + f.period_end;
  static const std::map<std::string, std::string> kOp = {{"<=", "≤"}, {">=", "≥"}, {"<", "<"}, {">", ">"}, {"=", "="}, {"!=", "≠"}};
  auto op = kOp.find(f.comparison);
  s += "：测得 " + Number(f.measured) + "，标准 " + (op == kOp.end() ? f.comparison : op->second) + " " +
       Number(f.threshold);
  if (f.status != "open") s += f.resolution == "rule_withdrawn" ? "（规则已撤销）" : "（已整改）";
  return s;
}

// The schemas of every dataset a rule or target of `pack` reads or is exempted by.
std::vector<datasets::DatasetSchema> SchemasRead(const rules::bound::Pack& pack) {
  std::set<int> used;
  auto add = [&](const rules::bound::Check& c) {
    if (c.source == rules::bound::SourceKind::kDataset && c.dataset >= 0) used.insert(c.dataset);
    if (c.divide_by) used.insert(c.divide_by->dataset);
    if (c.against) used.insert(c.against->dataset);
  };
  for (const auto& r : pack.rules) {
    add(r.check);
    for (const auto& u : r.unless) used.insert(u.dataset);
  }
  for (const auto& t : pack.targets) add(t.indicator);
  std::vector<datasets::DatasetSchema> out;
  for (int i : used) {
    if (i >= 0 && static_cast<size_t>(i) < pack.datasets.size()) out.push_back(pack.datasets[static_cast<size_t>(i)]);
  }
  return out;
}

Status Cancelled() {
  return Status(StatusCode::kFailedPrecondition, "the sweep was cancelled; nothing was written",
                "检查已取消，未写入任何结果", "cancelled");
}

}  // namespace

// ---------------------------------------------------------------- SweepControl

void SweepControl::Set(Stage stage, int done, int total) {
  std::lock_guard lock(mu_);
  now_ = {stage, done, total};
}

SweepControl::Snapshot SweepControl::Get() const {
  std::lock_guard lock(mu_);
  return now_;
}

std::string_view StageName(SweepControl::Stage stage) {
  switch (stage) {
    case SweepControl::Stage::kLoad: return "load";
    case SweepControl::Stage::kEvaluate: return "evaluate";
    case SweepControl::Stage::kSave: return "save";
    case SweepControl::Stage::kCases: return "cases";
    case SweepControl::Stage::kDone: return "done";
  }
  return "load";
}

// ---------------------------------------------------------------- loading

ComplianceService::ComplianceService(ServiceOptions options) : options_(std::move(options)) {}
ComplianceService::~ComplianceService() = default;

StatusOr<std::unique_ptr<ComplianceService>> ComplianceService::Load(ServiceOptions options) {
  if (!options.db || !options.clock) return InternalError("ComplianceService needs a database and a clock");
  const std::string stamp = FileStamp(options.policy_path);
  ASSIGN_OR_RETURN(std::unique_ptr<rules::SubmissionRechecker> pack,
                   rules::SubmissionRechecker::Load(options.policy_path));
  std::unique_ptr<ComplianceService> svc(new ComplianceService(std::move(options)));
  svc->current_ = std::move(pack);
  svc->loaded_stamp_ = stamp;
  return svc;
}

std::shared_ptr<const rules::SubmissionRechecker> ComplianceService::pack() const {
  std::lock_guard lock(mu_);
  return current_;
}

Date ComplianceService::Today() const { return registry::ChinaDate(options_.clock->Now()); }

bool ComplianceService::ReadsDataset(std::string_view name) const {
  auto p = pack();
  for (const auto& s : SchemasRead(p->pack())) {
    if (s.name == name) return true;
  }
  return false;
}

Status ComplianceService::ReloadIfChanged() {
  const std::string stamp = FileStamp(options_.policy_path);
  {
    std::lock_guard lock(mu_);
    if (stamp == loaded_stamp_) return OkStatus();
  }
  auto fresh = rules::SubmissionRechecker::Load(options_.policy_path);
  if (!fresh.ok()) {
    spdlog::error("policy pack {} changed but does not load; keeping the pack in force: {}", options_.policy_path,
                  fresh.status().ToString());
    return fresh.status();
  }
  std::lock_guard lock(mu_);
  current_ = std::move(*fresh);
  loaded_stamp_ = stamp;
  spdlog::info("policy pack {} reloaded: {} rules, {} targets", options_.policy_path,
               current_->pack().rules.size(), current_->pack().targets.size());
  return OkStatus();
}

rules::CompileOptions ComplianceService::OptionsFor(Date as_of) const {
  rules::CompileOptions options{as_of, {}};
  cases::CaseEngine* engine = options_.cases;
  options.count_open_cases = [engine](std::string_view type, std::string_view path) -> StatusOr<int64_t> {
    if (!engine) return int64_t{0};
    return engine->CountOpen(type, path);
  };
  return options;
}

// ---------------------------------------------------------------- the sweep

StatusOr<SweepReport> ComplianceService::Sweep(Date as_of, SweepControl* control) {
  std::lock_guard sweep_lock(sweep_mu_);
  SweepControl local;
  SweepControl& ctl = control ? *control : local;
  RETURN_IF_ERROR(ReloadIfChanged());
  const std::shared_ptr<const rules::SubmissionRechecker> holder = pack();
  const rules::bound::Pack& pack = holder->pack();
  SweepReport report;
  report.as_of = as_of;

  // 1. Load: the registry and every dataset the pack reads.
  auto t = Clock::now();
  const std::vector<datasets::DatasetSchema> schemas = SchemasRead(pack);
  ctl.Set(SweepControl::Stage::kLoad, 0, static_cast<int>(schemas.size()) + 1);
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, options_.db->Acquire());
  ASSIGN_OR_RETURN(datasets::RegistryImage reg, datasets::LoadRegistryImage(*conn, as_of));
  ASSIGN_OR_RETURN(datasets::ColumnarImage image, datasets::LoadImage(*conn, {}, std::move(reg)));
  ctl.Set(SweepControl::Stage::kLoad, 1, static_cast<int>(schemas.size()) + 1);
  // One dataset at a time, so progress moves and a cancel is honoured
  // between them (LoadImage of one schema appends that dataset).
  for (size_t i = 0; i < schemas.size(); ++i) {
    if (ctl.cancelled()) return Cancelled();
    ASSIGN_OR_RETURN(datasets::ColumnarImage one,
                     datasets::LoadImage(*conn, {schemas[i]}, datasets::RegistryImage(image.registry)));
    for (auto& d : one.datasets) image.datasets.push_back(std::move(d));
    ctl.Set(SweepControl::Stage::kLoad, static_cast<int>(i) + 2, static_cast<int>(schemas.size()) + 1);
  }
  for (const auto& d : image.datasets) report.rows += static_cast<int64_t>(d.size());
  report.load_ms = MsSince(t);

  // 2. Evaluate: the rules in groups by the dataset they read (the engine
  // fuses the simple rules of one dataset into one pass), then the targets.
  t = Clock::now();
  std::map<int, rules::bound::Pack> by_source;
  for (const auto& r : pack.rules) {
    const int key = r.check.source == rules::bound::SourceKind::kDataset ? r.check.dataset : -1;
    auto [it, fresh] = by_source.try_emplace(key, pack);
    if (fresh) {
      it->second.rules.clear();
      it->second.targets.clear();
    }
    it->second.rules.push_back(r);
  }
  rules::bound::Pack targets_only = pack;
  targets_only.rules.clear();
  const int steps = static_cast<int>(by_source.size()) + 1;
  ctl.Set(SweepControl::Stage::kEvaluate, 0, steps);
  const rules::CompileOptions options = OptionsFor(as_of);
  std::vector<rules::Finding> findings;
  int step = 0;
  for (const auto& [source, part] : by_source) {
    if (ctl.cancelled()) return Cancelled();
    ASSIGN_OR_RETURN(rules::CheckResult r, rules::Evaluate(part, image, options));
    for (auto& f : r.findings) findings.push_back(std::move(f));
    ctl.Set(SweepControl::Stage::kEvaluate, ++step, steps);
  }
  // Findings in pack order, as a single Evaluate gives them.
  std::map<std::string, size_t> order;
  for (size_t i = 0; i < pack.rules.size(); ++i) order[pack.rules[i].id] = i;
  std::stable_sort(findings.begin(), findings.end(), [&](const rules::Finding& a, const rules::Finding& b) {
    return order[a.rule_id] < order[b.rule_id];
  });
  if (ctl.cancelled()) return Cancelled();
  ASSIGN_OR_RETURN(rules::CheckResult measured, rules::Evaluate(targets_only, image, options));
  report.targets = std::move(measured.targets);
  ctl.Set(SweepControl::Stage::kEvaluate, steps, steps);
  report.rules = static_cast<int64_t>(pack.rules.size());
  report.evaluate_ms = MsSince(t);

  // 3. Save, in one transaction with the withdrawal of removed rules. A
  // cancel after this point lets the save finish (it is the sweep's result).
  if (ctl.cancelled()) return Cancelled();
  t = Clock::now();
  ctl.Set(SweepControl::Stage::kSave, 0, 1);
  rules::SaveScope scope;
  std::set<std::string> rule_ids;
  for (const auto& r : pack.rules) {
    scope.rule_ids.push_back(r.id);
    rule_ids.insert(r.id);
  }
  Status saved = storage::RunInTransaction(*conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(report.findings,
                     rules::SaveFindingsInTransaction(tx, findings, as_of, *options_.clock, scope));
    ASSIGN_OR_RETURN(report.withdrawn, rules::WithdrawFindingsOfRemovedRules(tx, rule_ids, as_of, *options_.clock));
    return OkStatus();
  });
  RETURN_IF_ERROR(saved);
  ctl.Set(SweepControl::Stage::kSave, 1, 1);
  report.save_ms = MsSince(t);

  // 4. Rectifications in step with the findings.
  t = Clock::now();
  if (options_.cases && options_.sync_rectifications) {
    ctl.Set(SweepControl::Stage::kCases, 0, 1);
    ASSIGN_OR_RETURN(report.cases, SyncWith(*conn, pack));
    ctl.Set(SweepControl::Stage::kCases, 1, 1);
  }
  report.cases_ms = MsSince(t);
  report.findings_judged = std::move(findings);
  ctl.Set(SweepControl::Stage::kDone, 1, 1);
  spdlog::info("sweep as of {}: {} rows, {} rules; findings {} new, {} standing, {} reopened, {} resolved, {} "
               "withdrawn; rectifications {} opened, {} to verify ({} ms)",
               as_of.ToString(), report.rows, report.rules, report.findings.opened, report.findings.standing,
               report.findings.reopened, report.findings.resolved, report.withdrawn, report.cases.opened,
               report.cases.to_verify, report.load_ms + report.evaluate_ms + report.save_ms + report.cases_ms);
  return report;
}

// ---------------------------------------------------------------- rectifications

StatusOr<std::map<std::string, cases::CaseEngine::FindingCaseSpec>> ComplianceService::CaseSpecs(
    const rules::bound::Pack& pack) const {
  std::map<std::string, cases::CaseEngine::FindingCaseSpec> specs;
  for (const auto& rule : pack.rules) {
    if (rule.case_spec) specs[rule.id] = {rule.case_spec->assignee, rule.case_spec->due_working_days};
  }
  return specs;
}

StatusOr<std::vector<cases::CaseEngine::FindingState>> ComplianceService::FindingStates(
    storage::Connection& conn, const rules::bound::Pack& pack) {
  std::map<std::string, std::string> titles;
  for (const auto& r : pack.rules) titles[r.id] = r.title_zh;
  ASSIGN_OR_RETURN(std::vector<rules::FindingRecord> records, rules::ListFindingRecords(conn));
  ASSIGN_OR_RETURN(EntityNames names, NamesOf(conn, records));
  std::vector<cases::CaseEngine::FindingState> out;
  out.reserve(records.size());
  for (const rules::FindingRecord& f : records) {
    cases::CaseEngine::FindingState s;
    s.id = f.id;
    s.rule_id = f.rule_id;
    if (auto t = titles.find(f.rule_id); t != titles.end()) s.rule_title_zh = t->second;
    s.clause = f.clause;
    s.status = f.resolution == "rule_withdrawn" ? "withdrawn" : f.status;
    // A finding's org path is its unit's (a class: its school's).
    s.org_id = LastId(f.org_path);
    s.staff_id = f.entity_type == "staff" ? f.entity_id : 0;
    s.summary_zh = SummaryZh(f, names);
    out.push_back(std::move(s));
  }
  return out;
}

StatusOr<cases::CaseEngine::SyncReport> ComplianceService::SyncWith(storage::Connection& conn,
                                                                     const rules::bound::Pack& pack) {
  if (!options_.cases) {
    return FailedPreconditionError("rectifications need the case types (policy/cases)",
                                   "整改需要案件类型配置（policy/cases）");
  }
  ASSIGN_OR_RETURN(auto specs, CaseSpecs(pack));
  ASSIGN_OR_RETURN(std::vector<cases::CaseEngine::FindingState> states, FindingStates(conn, pack));
  // A withdrawn rule's findings still close their cases: keep their specs.
  for (const auto& s : states) {
    if (s.status == "withdrawn" && !specs.count(s.rule_id)) specs[s.rule_id] = {"school", 0};
  }
  cases::CaseEngine::SyncOptions sync;
  ASSIGN_OR_RETURN(std::vector<accounts::User> users, accounts::ListUsers(conn, accounts::SystemPrincipal()));
  for (const accounts::User& u : users) {
    if (!u.disabled && u.role == accounts::Role::kSchool && u.org_id != 0) sync.orgs_with_accounts.insert(u.org_id);
  }
  sync.know_accounts = true;
  return options_.cases->SyncRectifications(states, specs, sync);
}

StatusOr<cases::CaseEngine::SyncReport> ComplianceService::SyncRectifications() {
  std::lock_guard sweep_lock(sweep_mu_);
  const auto holder = pack();
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, options_.db->Acquire());
  return SyncWith(*conn, holder->pack());
}

StatusOr<std::string> ComplianceService::LastJudgedOn() {
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, options_.db->Acquire());
  return rules::LatestJudgedOn(*conn);
}

StatusOr<cases::CaseView> ComplianceService::OpenRectification(const accounts::Principal& actor, int64_t finding_id) {
  if (!options_.cases) {
    return FailedPreconditionError("rectifications need the case types (policy/cases)",
                                   "整改需要案件类型配置（policy/cases）");
  }
  const auto holder = pack();
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, options_.db->Acquire());
  ASSIGN_OR_RETURN(std::optional<rules::FindingRecord> f, rules::GetFindingRecord(*conn, finding_id, actor.org_path));
  if (!f || actor.org_path.empty()) {
    return Status(StatusCode::kNotFound, "no such finding in your scope", "您的管辖范围内没有该问题");
  }
  ASSIGN_OR_RETURN(auto specs, CaseSpecs(holder->pack()));
  auto spec = specs.find(f->rule_id);
  cases::CaseEngine::FindingCaseSpec use = spec == specs.end() ? cases::CaseEngine::FindingCaseSpec{"school", 0}
                                                               : spec->second;
  if (spec == specs.end() && f->rule_id.rfind("tt.", 0) != 0) {
    // A rule without a `case:` still may be rectified by hand; the type's
    // default time limit applies.
    use = {"school", 0};
  }
  cases::CaseEngine::FindingState s;
  s.id = f->id;
  s.rule_id = f->rule_id;
  for (const auto& r : holder->pack().rules) {
    if (r.id == f->rule_id) s.rule_title_zh = r.title_zh;
  }
  s.clause = f->clause;
  s.status = f->resolution == "rule_withdrawn" ? "withdrawn" : f->status;
  s.org_id = LastId(f->org_path);
  s.staff_id = f->entity_type == "staff" ? f->entity_id : 0;
  ASSIGN_OR_RETURN(EntityNames names, NamesOf(*conn, {*f}));
  s.summary_zh = SummaryZh(*f, names);
  return options_.cases->OpenRectificationForFinding(cases::Actor::User(actor), s, use);
}

// ---------------------------------------------------------------- submissions

StatusOr<SubmitResult> ComplianceService::Submit(storage::Connection& conn, const accounts::Principal& submitter,
                                                 std::string_view dataset,
                                                 const std::vector<datasets::IngestedRow>& rows) {
  SubmitResult out;
  out.pack = pack();
  ASSIGN_OR_RETURN(out.recheck, out.pack->Recheck(conn, *options_.clock, dataset, rows, submitter));
  const Date today = Today();
  ASSIGN_OR_RETURN(std::vector<rules::LiveImage::Progress> running,
                   out.pack->live().InProgress(conn, dataset, rows, today));
  for (rules::LiveImage::Progress& p : running) {
    if (!submitter.CanSee(p.group.org_path)) continue;
    InProgressGroup g;
    g.rule = p.rule;
    auto start = Date::Parse(p.group.period_start);
    auto end = Date::Parse(p.group.period_end);
    if (!start.ok() || !end.ok()) continue;
    // A rule on school days runs at its rate per school day: "at this rate
    // the week ends at N" counts the week's school days (the pack's:
    // working days inside a semester), not its seven calendar days.
    if (p.rule->check.days == rules::bound::DayBasis::kSchool) {
      const rules::bound::SchoolDays& sd = out.pack->pack().school_days;
      g.days_total = sd.Count(start->DaysSinceEpoch(), end->DaysSinceEpoch());
      g.days_elapsed = sd.Count(start->DaysSinceEpoch(), today.DaysSinceEpoch());
    } else {
      g.days_total = end->DaysSinceEpoch() - start->DaysSinceEpoch() + 1;
      g.days_elapsed = today.DaysSinceEpoch() - start->DaysSinceEpoch() + 1;
    }
    const auto agg = p.rule->check.aggregate;
    const bool accumulates = agg == rules::bound::Aggregate::kCount || agg == rules::bound::Aggregate::kSum;
    // A count or sum grows with the days; an average, minimum, maximum or
    // share is already the rate.
    g.projected = accumulates && g.days_elapsed > 0
                      ? p.group.measured * static_cast<double>(g.days_total) / g.days_elapsed
                      : p.group.measured;
    g.at_risk = !rules::bound::Holds(p.rule->check.op, g.projected, p.group.threshold);
    g.group = std::move(p.group);
    out.in_progress.push_back(std::move(g));
  }
  // Findings opened or resolved: the school's rectifications follow at once.
  if (options_.cases && options_.sync_rectifications && (out.recheck.opened + out.recheck.resolved + out.recheck.reopened) > 0) {
    std::unique_lock sweep_lock(sweep_mu_, std::try_to_lock);
    // A sweep running now will sync everything when it ends.
    if (sweep_lock.owns_lock()) {
      auto synced = SyncWith(conn, out.pack->pack());
      if (synced.ok()) {
        out.cases = *synced;
      } else {
        spdlog::warn("rectifications after a form row: {}", synced.status().ToString());
      }
    }
  }
  return out;
}

Status ComplianceService::Ingested(storage::Connection& conn, std::string_view dataset,
                                   const std::vector<datasets::IngestedRow>& rows) {
  return pack()->Ingested(conn, *options_.clock, dataset, rows);
}

void ComplianceService::RegistryChanged() { pack()->Invalidate(); }

// ---------------------------------------------------------------- what-if and targets

StatusOr<WhatIfResult> ComplianceService::WhatIf(const std::map<std::string, double>& overrides, Date as_of) {
  const auto holder = pack();
  rules::bound::Pack rules_only = holder->pack();
  rules_only.targets.clear();
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, options_.db->Acquire());
  ASSIGN_OR_RETURN(datasets::RegistryImage reg, datasets::LoadRegistryImage(*conn, as_of));
  ASSIGN_OR_RETURN(datasets::ColumnarImage image, datasets::LoadImage(*conn, SchemasRead(rules_only), std::move(reg)));
  WhatIfResult out;
  out.as_of = as_of;
  ASSIGN_OR_RETURN(rules::CheckResult changed, rules::Evaluate(rules_only, image, rules::CompileOptions{as_of, overrides}));
  ASSIGN_OR_RETURN(rules::CheckResult now, rules::Evaluate(rules_only, image, rules::CompileOptions{as_of, {}}));
  out.now = std::move(now.findings);
  out.what_if = std::move(changed.findings);
  return out;
}

StatusOr<TargetsResult> ComplianceService::Targets(Date as_of) {
  TargetsResult out;
  out.as_of = as_of;
  out.pack = pack();
  rules::bound::Pack targets_only = out.pack->pack();
  targets_only.rules.clear();
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, options_.db->Acquire());
  ASSIGN_OR_RETURN(datasets::RegistryImage reg, datasets::LoadRegistryImage(*conn, as_of));
  ASSIGN_OR_RETURN(datasets::ColumnarImage image,
                   datasets::LoadImage(*conn, SchemasRead(targets_only), std::move(reg)));
  ASSIGN_OR_RETURN(rules::CheckResult result, rules::Evaluate(targets_only, image, OptionsFor(as_of)));
  const datasets::RegistryImage& r = image.registry;
  for (rules::TargetProgress& tp : result.targets) {
    std::string path;
    if (tp.entity_type == "class") {
      const int32_t c = r.ClassIndex(tp.entity_id);
      if (c >= 0) path = r.org_path[static_cast<size_t>(r.class_school[static_cast<size_t>(c)])];
    } else if (tp.entity_id != 0) {
      const int32_t o = r.OrgIndex(tp.entity_id);
      if (o >= 0) path = r.org_path[static_cast<size_t>(o)];
    }
    out.org_paths.push_back(std::move(path));
    out.items.push_back(std::move(tp));
  }
  return out;
}

}  // namespace edugov::compliance
