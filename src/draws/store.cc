#include "draws/store.h"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "ledger/chain.h"
#include "registry/registry.h"
#include "rules/findings_store.h"

namespace edugov::draws {

namespace {

using accounts::Principal;
using Json = nlohmann::ordered_json;

constexpr const char* kPlanColumns =
    "SELECT id, name, year, scope_path, params_json, inspector_codes_json, draw_at_us, announced, "
    "status, seed, commitment, result_json, created_by, created_at_us, committed_at_us, "
    "drawn_at_us, inputs_json FROM draw_plans ";

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status Bad(std::string field, std::string en, std::string zh) {
  return Status(StatusCode::kInvalidArgument, "inspection plan: " + en, "抽查计划:" + zh,
                std::move(field));
}

Status MayPlan(const Principal& p) {
  if (p.IsBureau()) return OkStatus();
  return PermissionDeniedError(
      "inspection draws (双随机、一公开) are run by the bureau only",
      "“双随机、一公开”抽查仅由教育局开展");
}

Status PlanNotFound(int64_t id) {
  return Status(StatusCode::kNotFound, "inspection plan " + std::to_string(id) + " not found",
                "抽查计划 " + std::to_string(id) + " 不存在", "id");
}

std::string DrawAtText(int64_t us) { return FormatTimestamp(FromUnixMicros(us)); }

Json ParamsJson(const DrawParams& p) {
  Json j;
  j["rate_percent"] = p.rate_percent;
  j["team_size"] = p.team_size;
  j["conflict_years"] = p.conflict_years;
  j["strata"] = p.strata;
  return j;
}

DrawParams ParamsFrom(const std::string& text) {
  DrawParams p;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return p;
  p.rate_percent = j.value("rate_percent", 20);
  p.team_size = j.value("team_size", 2);
  p.conflict_years = j.value("conflict_years", 3);
  p.strata = j.value("strata", std::vector<std::string>{});
  return p;
}

Plan PlanFromRow(const storage::ResultSet& rs, size_t r, std::string* inputs_json) {
  Plan p;
  p.id = rs.GetInt(r, 0);
  p.name = rs.GetText(r, 1);
  p.year = static_cast<int>(rs.GetInt(r, 2));
  p.scope_path = rs.GetText(r, 3);
  p.params = ParamsFrom(rs.GetText(r, 4));
  nlohmann::json codes = nlohmann::json::parse(rs.GetText(r, 5), nullptr, false);
  if (codes.is_array()) {
    for (const auto& c : codes) {
      if (c.is_string()) p.inspector_codes.push_back(c.get<std::string>());
    }
  }
  p.draw_at_us = rs.GetInt(r, 6);
  p.announced = rs.GetText(r, 7);
  p.public_input = PublicInput(DrawAtText(p.draw_at_us), p.announced);
  p.status = rs.GetText(r, 8);
  // The seed is a secret until the draw: never leaves the store before.
  if (p.status == "drawn") p.seed = rs.GetText(r, 9);
  p.commitment = rs.GetText(r, 10);
  p.result_json = rs.GetText(r, 11);
  p.created_by = rs.GetText(r, 12);
  p.created_at_us = rs.GetInt(r, 13);
  p.committed_at_us = rs.GetInt(r, 14);
  p.drawn_at_us = rs.GetInt(r, 15);
  if (inputs_json) *inputs_json = rs.GetText(r, 16);
  return p;
}

// ---------------------------------------------------------------- ledger

// chain.h's typed encoding (v2) of the entry's stored values, in column
// order: a value whose type changed (an integer turned into text) changes
// the hash even where its text looks the same.
std::string EncodeEntry(const storage::Value& seq, const storage::Value& at_us,
                        const storage::Value& plan_id, const storage::Value& kind,
                        const storage::Value& actor, const storage::Value& payload) {
  ledger::TypedEncoder enc;
  enc.Add(seq).Add(at_us).Add(plan_id).Add(kind).Add(actor).Add(payload);
  return enc.bytes();
}

// Inside the step's write transaction: bumping the head first serialises
// appenders (as the audit log does with its own head).
Status AppendEntry(storage::Connection& tx, const Clock& clock, int64_t plan_id,
                   std::string_view kind, std::string_view actor, const std::string& payload) {
  ASSIGN_OR_RETURN(storage::ResultSet head,
                   tx.Query("UPDATE draw_ledger_head SET seq = seq + 1 WHERE id = 1 "
                            "RETURNING seq, hash"));
  if (head.size() != 1) return InternalError("draws ledger head is missing", "抽查台账链头记录缺失");
  const int64_t seq = head.GetInt(0, 0);
  // The first entry chains from chain.h's genesis, whatever the migration
  // wrote, so a change of hash function in chain.h needs no data migration.
  const std::string prev = seq == 1 ? ledger::GenesisHash() : head.GetText(0, 1);
  const int64_t at_us = ToUnixMicros(clock.Now());
  const std::string hash = ledger::ChainHash(
      prev, EncodeEntry(seq, at_us, plan_id, std::string(kind), std::string(actor), payload));
  RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO draw_ledger (seq, at_us, plan_id, kind, actor, payload, prev_hash, hash) "
      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
      {seq, at_us, plan_id, std::string(kind), std::string(actor), payload, prev, hash}));
  RETURN_IF_ERROR(tx.Execute("UPDATE draw_ledger_head SET hash = $1 WHERE id = 1", {hash}));
  return OkStatus();
}

std::string DrawPayload(const std::string& seed, const std::string& result_json) {
  return "{\"seed\":\"" + seed + "\",\"result\":" + result_json + "}";
}

// ---------------------------------------------------------------- pools

StatusOr<Plan> LoadPlan(storage::Connection& conn, const Principal& who, int64_t id,
                        std::string* inputs_json = nullptr) {
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(std::string(kPlanColumns) + "WHERE id = $1", {id}));
  if (rs.empty()) return PlanNotFound(id);
  Plan p = PlanFromRow(rs, 0, inputs_json);
  if (!who.CanSee(p.scope_path)) return PlanNotFound(id);
  return p;
}

std::string RiskOf(int64_t open, const DrawPolicy& policy) {
  if (open >= policy.risk_high) return "high";
  if (open >= policy.risk_medium) return "medium";
  return "low";
}

// The pools as they stand now, for the plan's scope.
StatusOr<DrawInputs> BuildInputs(storage::Connection& conn, const Principal& who, const Clock& clock,
                                 const DrawPolicy& policy, const Plan& plan) {
  std::map<int64_t, registry::Org> orgs;  // the whole tree, for township names
  RETURN_IF_ERROR(registry::ForEachOrg(conn, "", [&](const registry::Org& o) { orgs[o.id] = o; }));

  DrawInputs in{.plan = plan.name, .year = plan.year, .params = plan.params,
                .public_input = plan.public_input};
  std::map<int64_t, size_t> school_index;  // org id → index in in.schools
  for (const auto& [id, o] : orgs) {
    if (!o.stage || o.path.rfind(plan.scope_path, 0) != 0) continue;
    if (o.kind != registry::OrgKind::kSchool && o.kind != registry::OrgKind::kTownship) continue;
    std::string township = "县直";
    if (o.kind == registry::OrgKind::kTownship) {
      township = o.name;
    } else if (o.parent_id) {
      auto parent = orgs.find(*o.parent_id);
      if (parent != orgs.end() && parent->second.kind == registry::OrgKind::kTownship) {
        township = parent->second.name;
      }
    }
    school_index[id] = in.schools.size();
    in.schools.push_back({.code = o.code, .name = o.name, .township = std::move(township),
                          .stage = std::string(registry::StageName(*o.stage)), .risk = ""});
  }

  // Risk: open findings, each counted at the deepest school on its path (a
  // township central school's path is a prefix of its schools').
  std::vector<int64_t> open(in.schools.size(), 0);
  ASSIGN_OR_RETURN(auto findings, rules::ListFindingRecords(conn));
  for (const auto& f : findings) {
    if (f.status != "open") continue;
    std::vector<int64_t> ids;
    size_t pos = 1;
    while (pos < f.org_path.size()) {
      const size_t slash = f.org_path.find('/', pos);
      if (slash == std::string::npos) break;
      ids.push_back(std::strtoll(f.org_path.substr(pos, slash - pos).c_str(), nullptr, 10));
      pos = slash + 1;
    }
    for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
      auto s = school_index.find(*it);
      if (s != school_index.end()) {
        ++open[s->second];
        break;
      }
    }
  }
  for (size_t i = 0; i < in.schools.size(); ++i) in.schools[i].risk = RiskOf(open[i], policy);

  // Inspectors: each named staff member, with the schools a posting of
  // theirs touched on or after (draw date − conflict_years).
  const Date draw_date = registry::ChinaDate(FromUnixMicros(plan.draw_at_us));
  const int month = draw_date.month(), day = draw_date.day();
  const int back_year = draw_date.year() - plan.params.conflict_years;
  const Date since = Date::FromYmd(back_year, month, IsValidYmd(back_year, month, day) ? day : 28);
  std::map<int64_t, std::string> code_of;
  for (const auto& [id, o] : orgs) code_of[id] = o.code;
  for (size_t i = 0; i < plan.inspector_codes.size(); ++i) {
    const std::string& code = plan.inspector_codes[i];
    ASSIGN_OR_RETURN(auto rec, registry::LookupStaffRecordByCodeUnscoped(conn, code));
    auto detail = rec ? registry::GetStaff(conn, who, clock, rec->id)
                      : StatusOr<registry::StaffDetail>(NotFoundError(""));
    if (!detail.ok() || !rec->active) {
      return Bad("inspectors", "inspector '" + code + "' is not an active staff member in your subtree",
                 "检查人员“" + code + "”不是本辖区在职教职工");
    }
    PoolInspector insp{.key = code, .name = detail->staff.name};
    for (const registry::Posting& post : detail->postings) {
      if (post.end_date && *post.end_date < since) continue;
      if (school_index.count(post.org_id)) insp.conflicts.push_back(code_of[post.org_id]);
    }
    std::sort(insp.conflicts.begin(), insp.conflicts.end());
    insp.conflicts.erase(std::unique(insp.conflicts.begin(), insp.conflicts.end()), insp.conflicts.end());
    in.inspectors.push_back(std::move(insp));
  }
  // Canonical order: the registry's codes, never database ids, so the same
  // county in another database gives the same bytes.
  std::sort(in.schools.begin(), in.schools.end(),
            [](const PoolSchool& a, const PoolSchool& b) { return a.code < b.code; });
  std::sort(in.inspectors.begin(), in.inspectors.end(),
            [](const PoolInspector& a, const PoolInspector& b) { return a.key < b.key; });
  return in;
}

Status CheckSpec(const Principal& who, const Clock& clock, const DrawPolicy& policy,
                 const PlanSpec& spec, int64_t* draw_at_us) {
  if (spec.name.empty() || spec.name.size() > 200) {
    return Bad("name", "name is required (at most 200 bytes)", "计划名称 name 必填(不超过 200 字节)");
  }
  if (spec.year < 2000 || spec.year > 2100) {
    return Bad("year", "year must be between 2000 and 2100", "年度 year 须在 2000 到 2100 之间");
  }
  const int rate = spec.rate_percent == 0 ? policy.min_rate_percent : spec.rate_percent;
  if (rate < policy.min_rate_percent || rate > 100) {
    return Bad("rate_percent",
               "rate_percent must be between " + std::to_string(policy.min_rate_percent) +
                   " and 100 (clause " + policy.clause + ", 双随机、一公开: at least " +
                   std::to_string(policy.min_rate_percent) + " % of each stratum)",
               "抽查比例 rate_percent 须在 " + std::to_string(policy.min_rate_percent) +
                   " 到 100 之间(第 " + policy.clause + " 条“双随机、一公开”:每层至少 " +
                   std::to_string(policy.min_rate_percent) + "%)");
  }
  if (spec.strata) {
    size_t next = 0;
    for (const std::string& d : *spec.strata) {
      auto it = std::find(policy.strata.begin() + static_cast<std::ptrdiff_t>(next), policy.strata.end(), d);
      if (it == policy.strata.end()) {
        return Bad("strata", "strata must be a subset of the policy's (township, stage, risk), in order; '" + d + "' is not",
                   "分层维度 strata 须取自参数文件所列(township、stage、risk)且按其顺序;“" + d + "”不符");
      }
      next = static_cast<size_t>(it - policy.strata.begin()) + 1;
    }
  }
  if (spec.inspector_codes.empty()) {
    return Bad("inspectors", "the inspectors' pool is empty: name at least one staff code",
               "检查人员名录为空:请至少填写一名教职工编号");
  }
  std::set<std::string> seen;
  for (const std::string& c : spec.inspector_codes) {
    if (c.empty() || !seen.insert(c).second) {
      return Bad("inspectors", "inspector codes must be non-empty and distinct ('" + c + "')",
                 "检查人员编号不得为空或重复(“" + c + "”)");
    }
  }
  auto at = ParseTimestamp(spec.draw_at);
  if (!at.ok()) {
    return Bad("draw_at", "draw_at must be an RFC 3339 time such as 2025-06-01T10:00:00+08:00",
               "抽取时间 draw_at 须为 RFC 3339 时间,如 2025-06-01T10:00:00+08:00");
  }
  // Whole seconds: the public input quotes the time as FormatTimestamp writes it.
  *draw_at_us = ToUnixMicros(*at) / 1'000'000 * 1'000'000;
  if (*draw_at_us <= ToUnixMicros(clock.Now())) {
    return Bad("draw_at", "draw_at must lie in the future: the time is fixed before the commitment",
               "抽取时间 draw_at 须晚于现在:抽取时间应在公布承诺之前确定");
  }
  if (spec.announced.empty() || spec.announced.size() > 500) {
    return Bad("announced", "announced (the value the bureau announces in advance) is required",
               "公开输入 announced(教育局事先公布的数值)必填");
  }
  (void)who;
  return OkStatus();
}

}  // namespace

StatusOr<Plan> CreatePlan(storage::Connection& conn, const Principal& who, const Clock& clock,
                          const DrawPolicy& policy, const PlanSpec& spec) {
  RETURN_IF_ERROR(MayPlan(who));
  int64_t draw_at_us = 0;
  RETURN_IF_ERROR(CheckSpec(who, clock, policy, spec, &draw_at_us));
  for (const std::string& code : spec.inspector_codes) {
    ASSIGN_OR_RETURN(auto rec, registry::LookupStaffRecordByCodeUnscoped(conn, code));
    bool ok = rec && rec->active;
    if (ok) {
      ASSIGN_OR_RETURN(ok, registry::StaffVisible(conn, who, rec->id));
    }
    if (!ok) {
      return Bad("inspectors", "inspector '" + code + "' is not an active staff member in your subtree",
                 "检查人员“" + code + "”不是本辖区在职教职工");
    }
  }
  DrawParams params{.rate_percent = spec.rate_percent == 0 ? policy.min_rate_percent : spec.rate_percent,
                    .team_size = policy.team_size, .conflict_years = policy.conflict_years,
                    .strata = spec.strata.value_or(policy.strata)};
  const std::string params_json = Dump(ParamsJson(params));
  const std::string codes_json = Dump(Json(spec.inspector_codes));
  const int64_t now = ToUnixMicros(clock.Now());
  int64_t id = 0;
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     tx.Query("INSERT INTO draw_plans (name, year, scope_path, params_json, "
                              "inspector_codes_json, draw_at_us, announced, status, created_by, "
                              "created_at_us) VALUES ($1,$2,$3,$4,$5,$6,$7,'draft',$8,$9) RETURNING id",
                              {spec.name, int64_t{spec.year}, who.org_path, params_json, codes_json,
                               draw_at_us, spec.announced, who.username, now}));
    id = rs.GetInt(0, 0);
    Json payload;
    payload["plan"] = spec.name;
    payload["year"] = spec.year;
    payload["params"] = ParamsJson(params);
    payload["inspectors"] = spec.inspector_codes;
    payload["public_input"] = PublicInput(DrawAtText(draw_at_us), spec.announced);
    return AppendEntry(tx, clock, id, "plan", who.username, Dump(payload));
  }));
  return LoadPlan(conn, who, id);
}

StatusOr<Plan> CommitPlan(storage::Connection& conn, const Principal& who, const Clock& clock,
                          Random& random, const DrawPolicy& policy, int64_t plan_id) {
  RETURN_IF_ERROR(MayPlan(who));
  ASSIGN_OR_RETURN(Plan plan, LoadPlan(conn, who, plan_id));
  if (plan.status != "draft") {
    return Status(StatusCode::kFailedPrecondition,
                  "inspection plan " + std::to_string(plan_id) + " is already committed",
                  "抽查计划 " + std::to_string(plan_id) + " 已公布承诺", "status");
  }
  if (ToUnixMicros(clock.Now()) >= plan.draw_at_us) {
    return Status(StatusCode::kFailedPrecondition,
                  "the draw time has passed: a commitment must be published before it",
                  "抽取时间已过:承诺值须在抽取时间之前公布", "draw_at");
  }
  ASSIGN_OR_RETURN(DrawInputs in, BuildInputs(conn, who, clock, policy, plan));
  in.seed = random.Hex(32);
  in.commitment = Commitment(in.seed, in.public_input);
  // Quotas and empty pools do not depend on the seed: find them now, before
  // anything is published.
  if (auto dry = RunDraw(in); !dry.ok()) return dry.status();
  const std::string inputs = InputsJson(in, /*with_seed=*/false);
  const int64_t now = ToUnixMicros(clock.Now());
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t n, tx.Execute("UPDATE draw_plans SET status = 'committed', seed = $1, "
                                           "commitment = $2, inputs_json = $3, committed_at_us = $4 "
                                           "WHERE id = $5 AND status = 'draft'",
                                           {in.seed, in.commitment, inputs, now, plan_id}));
    if (n != 1) {
      return Status(StatusCode::kFailedPrecondition, "inspection plan changed meanwhile",
                    "抽查计划已被他人修改", "status");
    }
    return AppendEntry(tx, clock, plan_id, "commit", who.username, inputs);
  }));
  return LoadPlan(conn, who, plan_id);
}

StatusOr<Plan> DrawPlan(storage::Connection& conn, const Principal& who, const Clock& clock,
                        int64_t plan_id) {
  RETURN_IF_ERROR(MayPlan(who));
  std::string inputs_json;
  ASSIGN_OR_RETURN(Plan plan, LoadPlan(conn, who, plan_id, &inputs_json));
  if (plan.status != "committed") {
    return Status(StatusCode::kFailedPrecondition,
                  plan.status == "drawn" ? "inspection plan " + std::to_string(plan_id) + " is already drawn"
                                         : "commit the plan before drawing",
                  plan.status == "drawn" ? "抽查计划 " + std::to_string(plan_id) + " 已抽取"
                                         : "请先公布承诺值再抽取",
                  "status");
  }
  if (ToUnixMicros(clock.Now()) < plan.draw_at_us) {
    return Status(StatusCode::kFailedPrecondition,
                  "the draw time " + DrawAtText(plan.draw_at_us) + " has not come yet",
                  "尚未到抽取时间 " + DrawAtText(plan.draw_at_us), "draw_at");
  }
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query("SELECT seed FROM draw_plans WHERE id = $1", {plan_id}));
  ASSIGN_OR_RETURN(DrawInputs in, ParseInputs(inputs_json));
  in.seed = rs.GetText(0, 0);
  ASSIGN_OR_RETURN(DrawResult result, RunDraw(in));
  const std::string result_json = ResultJson(result);
  const int64_t now = ToUnixMicros(clock.Now());
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t n, tx.Execute("UPDATE draw_plans SET status = 'drawn', result_json = $1, "
                                           "drawn_at_us = $2 WHERE id = $3 AND status = 'committed'",
                                           {result_json, now, plan_id}));
    if (n != 1) {
      return Status(StatusCode::kFailedPrecondition, "inspection plan changed meanwhile",
                    "抽查计划已被他人修改", "status");
    }
    return AppendEntry(tx, clock, plan_id, "draw", who.username, DrawPayload(in.seed, result_json));
  }));
  return LoadPlan(conn, who, plan_id);
}

StatusOr<std::vector<Plan>> ListPlans(storage::Connection& conn, const Principal& who) {
  RETURN_IF_ERROR(MayPlan(who));
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query(std::string(kPlanColumns) + "WHERE substr(scope_path, 1, " +
                                  std::to_string(who.org_path.size()) + ") = $1 ORDER BY id DESC",
                              {who.org_path}));
  std::vector<Plan> out;
  for (size_t r = 0; r < rs.size(); ++r) out.push_back(PlanFromRow(rs, r, nullptr));
  return out;
}

StatusOr<Plan> GetPlan(storage::Connection& conn, const Principal& who, int64_t plan_id) {
  RETURN_IF_ERROR(MayPlan(who));
  return LoadPlan(conn, who, plan_id);
}

StatusOr<std::vector<Plan>> ListPublished(storage::Connection& conn) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query(std::string(kPlanColumns) +
                              "WHERE status IN ('committed', 'drawn') ORDER BY draw_at_us DESC, id DESC"));
  std::vector<Plan> out;
  for (size_t r = 0; r < rs.size(); ++r) out.push_back(PlanFromRow(rs, r, nullptr));
  return out;
}

StatusOr<std::string> PublishedDocument(storage::Connection& conn, int64_t plan_id) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query(std::string(kPlanColumns) + "WHERE id = $1 AND status IN ('committed', 'drawn')",
                              {plan_id}));
  if (rs.empty()) return PlanNotFound(plan_id);
  std::string inputs_json;
  Plan p = PlanFromRow(rs, 0, &inputs_json);
  if (p.status != "drawn") return inputs_json;
  ASSIGN_OR_RETURN(DrawInputs in, ParseInputs(inputs_json));
  in.seed = p.seed;
  Json doc = Json::parse(InputsJson(in, /*with_seed=*/true));
  doc["result"] = Json::parse(p.result_json, nullptr, false);
  return Dump(doc);
}

StatusOr<ledger::VerifyReport> VerifyDrawLedger(storage::Connection& conn) {
  ledger::VerifyReport report;
  auto fail = [&report](int64_t seq, std::string en, std::string zh) {
    report.ok = false;
    report.first_bad_seq = seq;
    report.reason_en = std::move(en);
    report.reason_zh = std::move(zh);
  };
  RETURN_IF_ERROR(storage::RunInTransaction(conn, storage::TransactionMode::kRead,
                                            [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::ResultSet head, tx.Query("SELECT seq, hash FROM draw_ledger_head WHERE id = 1"));
    if (head.size() != 1) return InternalError("draws ledger head is missing", "抽查台账链头记录缺失");
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     tx.Query("SELECT seq, at_us, plan_id, kind, actor, payload, prev_hash, hash "
                              "FROM draw_ledger ORDER BY seq"));
    std::string prev = ledger::GenesisHash();
    int64_t expect = 1;
    // The payloads of each plan's commit and draw entries, for the plan check.
    std::map<int64_t, std::pair<int64_t, std::string>> commits, drawings;
    for (size_t r = 0; r < rs.size(); ++r, ++expect) {
      const int64_t seq = rs.GetInt(r, 0);
      const std::string s = std::to_string(expect);
      if (seq != expect) {
        fail(expect, "draws ledger entry " + s + " is missing (found " + std::to_string(seq) +
                         "): deleted or reordered",
             "抽查台账第 " + s + " 条记录缺失(实为第 " + std::to_string(seq) + " 条):已被删除或调换顺序");
        return OkStatus();
      }
      const std::string kind = rs.GetText(r, 3), payload = rs.GetText(r, 5);
      const std::string hash = ledger::ChainHash(
          prev, EncodeEntry(rs.at(r, 0), rs.at(r, 1), rs.at(r, 2), rs.at(r, 3), rs.at(r, 4), rs.at(r, 5)));
      if (rs.GetText(r, 6) != prev) {
        fail(seq, "draws ledger entry " + s + " does not follow entry " + std::to_string(seq - 1) +
                      ": inserted, deleted or reordered",
             "抽查台账第 " + s + " 条记录未接续上一条:有记录被插入、删除或调换");
        return OkStatus();
      }
      if (rs.GetText(r, 7) != hash) {
        fail(seq, "draws ledger entry " + s + " was edited (its hash no longer matches)",
             "抽查台账第 " + s + " 条记录已被篡改(哈希不符)");
        return OkStatus();
      }
      if (kind == "commit") commits[rs.GetInt(r, 2)] = {seq, payload};
      if (kind == "draw") drawings[rs.GetInt(r, 2)] = {seq, payload};
      prev = hash;
      ++report.entries;
    }
    const int64_t last = expect - 1, head_seq = head.GetInt(0, 0);
    if (head_seq != last || (last > 0 && head.GetText(0, 1) != prev)) {
      fail(std::min(last, head_seq) + 1,
           "the draws ledger ends at entry " + std::to_string(last) + " but its head says " +
               std::to_string(head_seq) + ": entries were deleted, inserted or replaced",
           "抽查台账在第 " + std::to_string(last) + " 条结束,但链头记录为第 " + std::to_string(head_seq) +
               " 条:有记录被删除、插入或替换");
      return OkStatus();
    }
    // The plans' published inputs and results must be what the ledger holds.
    ASSIGN_OR_RETURN(storage::ResultSet plans,
                     tx.Query("SELECT id, status, inputs_json, seed, result_json FROM draw_plans "
                              "WHERE status IN ('committed', 'drawn') ORDER BY id"));
    for (size_t r = 0; r < plans.size(); ++r) {
      const int64_t id = plans.GetInt(r, 0);
      const std::string ids = std::to_string(id);
      auto c = commits.find(id);
      if (c == commits.end() || c->second.second != plans.GetText(r, 2)) {
        fail(c == commits.end() ? 0 : c->second.first,
             "inspection plan " + ids + ": its published inputs differ from the ledger's commit entry",
             "抽查计划 " + ids + " 的公布输入与台账中的承诺记录不符");
        return OkStatus();
      }
      if (plans.GetText(r, 1) == "drawn") {
        auto d = drawings.find(id);
        if (d == drawings.end() ||
            d->second.second != DrawPayload(plans.GetText(r, 3), plans.GetText(r, 4))) {
          fail(d == drawings.end() ? 0 : d->second.first,
               "inspection plan " + ids + ": its seed or result differs from the ledger's draw entry",
               "抽查计划 " + ids + " 的种子或抽取结果与台账中的抽取记录不符");
          return OkStatus();
        }
      }
    }
    return OkStatus();
  }));
  return report;
}

}  // namespace edugov::draws
