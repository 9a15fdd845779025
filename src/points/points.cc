#include "points/points.h"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "ledger/chain.h"
#include "ledger/heads.h"
#include "ledger/internal/verify_chain.h"
#include "ledger/sanctions.h"
#include "registry/registry.h"

namespace edugov::points {

namespace {

using accounts::Principal;
using accounts::Role;

constexpr std::string_view kPointsLedger = "points";

constexpr const char* kSelectColumns =
    "SELECT seq, at_us, staff_id, org_id, org_path, school_year, rule_id, clause, quantity, points, "
    "evidence, note, corrects_seq, recorded_by, prev_hash, hash FROM points_entries ";
constexpr int kHashedColumns = 14;  // every column before prev_hash

// Version 2 of docs/ledger-format.md: the stored values, typed, in column order.
std::string Encode(const storage::Value* fields) {
  ledger::TypedEncoder enc;
  for (int i = 0; i < kHashedColumns; ++i) enc.Add(fields[i]);
  return enc.bytes();
}

Entry EntryFromRow(const storage::ResultSet& rs, size_t r) {
  Entry e;
  e.seq = rs.GetInt(r, 0);
  e.at_us = rs.GetInt(r, 1);
  e.staff_id = rs.GetInt(r, 2);
  e.org_id = rs.GetInt(r, 3);
  e.org_path = rs.GetText(r, 4);
  e.school_year = static_cast<int>(rs.GetInt(r, 5));
  e.rule_id = rs.GetText(r, 6);
  e.clause = rs.GetText(r, 7);
  e.quantity = rs.GetInt(r, 8);
  e.points = rs.GetInt(r, 9);
  e.evidence = rs.GetText(r, 10);
  e.note = rs.GetText(r, 11);
  e.corrects_seq = rs.GetInt(r, 12);
  e.recorded_by = rs.GetText(r, 13);
  e.hash = rs.GetText(r, 15);
  return e;
}

nlohmann::ordered_json EntryJson(const Entry& e) {
  return {{"seq", e.seq},           {"staff_id", e.staff_id},   {"org_id", e.org_id},
          {"school_year", e.school_year}, {"rule_id", e.rule_id}, {"quantity", e.quantity},
          {"points", e.points},     {"evidence", e.evidence},   {"note", e.note},
          {"corrects_seq", e.corrects_seq}, {"hash", e.hash}};
}

Status TeacherNotFound(int64_t id) {
  return Status(StatusCode::kNotFound, "teacher (staff member) " + std::to_string(id) + " not found",
                "教师(教职工)" + std::to_string(id) + " 不存在", "staff_id");
}

Status EntryNotFound(int64_t seq, const char* field) {
  return Status(StatusCode::kNotFound, "points entry " + std::to_string(seq) + " not found",
                "积分记录 " + std::to_string(seq) + " 不存在", field);
}

Status CheckYear(int year) {
  if (year < 2000 || year > 2100) {
    return Status(StatusCode::kInvalidArgument,
                  "school_year " + std::to_string(year) + " must be a year between 2000 and 2100",
                  "学年 school_year " + std::to_string(year) + " 须为 2000 到 2100 之间的年份", "school_year");
  }
  return OkStatus();
}

// The staff member and their current org, if `who` may see them.
StatusOr<registry::Org> VisibleStaffOrg(storage::Connection& conn, const Principal& who, int64_t staff_id) {
  if (staff_id <= 0) return TeacherNotFound(staff_id);
  ASSIGN_OR_RETURN(std::optional<registry::Org> org, registry::LookupStaffOrgUnscoped(conn, staff_id));
  if (!org || !who.CanSee(org->path)) return TeacherNotFound(staff_id);
  if (who.role == Role::kTeacher) {
    ASSIGN_OR_RETURN(int64_t own, OwnStaffId(conn, who));
    if (own != staff_id) return TeacherNotFound(staff_id);
  }
  if (who.role == Role::kInspector) return TeacherNotFound(staff_id);
  return *org;
}

StatusOr<std::optional<Entry>> LookupEntry(storage::Connection& conn, int64_t seq) {
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(std::string(kSelectColumns) + "WHERE seq = $1", {seq}));
  if (rs.empty()) return std::optional<Entry>();
  return std::optional<Entry>(EntryFromRow(rs, 0));
}

// Validates the input against the policy and the recorder's role; the
// entry's points are quantity × the rule's points.
StatusOr<const Rule*> CheckInput(const Principal& who, const PointsPolicy& policy, const EntryInput& in) {
  RETURN_IF_ERROR(CheckYear(in.school_year));
  const Rule* rule = policy.FindRule(in.rule_id);
  if (rule == nullptr) {
    return Status(StatusCode::kInvalidArgument,
                  "unknown points rule '" + in.rule_id + "' (not in the points policy)",
                  "积分规则“" + in.rule_id + "”不在积分政策中", "rule_id");
  }
  if (in.quantity < 1 || in.quantity > rule->max_units) {
    return Status(StatusCode::kInvalidArgument,
                  "quantity must be between 1 and " + std::to_string(rule->max_units) + " for rule " + rule->id,
                  "规则“" + rule->label.zh + "”的数量 quantity 须在 1 到 " + std::to_string(rule->max_units) + " 之间",
                  "quantity");
  }
  if (in.evidence.empty()) {
    return Status(StatusCode::kInvalidArgument, "evidence is required: " + rule->evidence.en,
                  "须填写证明材料 evidence:" + rule->evidence.zh, "evidence");
  }
  if (in.evidence.size() > 2000 || in.note.size() > 2000) {
    return Status(StatusCode::kInvalidArgument, "evidence and note are limited to 2000 bytes each",
                  "证明材料和备注各不得超过 2000 字节", in.evidence.size() > 2000 ? "evidence" : "note");
  }
  if (!MayRecord(*rule, who)) {
    return PermissionDeniedError("your role may not record points rule " + rule->id,
                                 "您的角色不能录入积分规则“" + rule->label.zh + "”");
  }
  return rule;
}

// Appends the entry to the chain and the audit log inside `tx`.
StatusOr<Entry> Append(storage::Connection& tx, const Principal& who, const Clock& clock, const Rule& rule,
                       const registry::Org& org, const EntryInput& in, int64_t corrects_seq) {
  ASSIGN_OR_RETURN(ledger::NextLink next, ledger::ClaimNext(tx, kPointsLedger));
  Entry e;
  e.seq = next.seq;
  const std::string& prev = next.prev_hash;
  e.at_us = ToUnixMicros(clock.Now());
  e.staff_id = in.staff_id;
  e.org_id = org.id;
  e.org_path = org.path;
  e.school_year = in.school_year;
  e.rule_id = rule.id;
  e.clause = rule.clause;
  e.quantity = in.quantity;
  e.points = in.quantity * rule.points;
  e.evidence = in.evidence;
  e.note = in.note;
  e.corrects_seq = corrects_seq;
  e.recorded_by = who.username;
  storage::Params row = {e.seq,      e.at_us,   e.staff_id, e.org_id, e.org_path,     int64_t{e.school_year},
                         e.rule_id,  e.clause,  e.quantity, e.points, e.evidence,     e.note,
                         e.corrects_seq, e.recorded_by};
  e.hash = ledger::ChainHash(prev, Encode(row.data()));
  row.push_back(prev);
  row.push_back(e.hash);
  RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO points_entries (seq, at_us, staff_id, org_id, org_path, school_year, rule_id, clause, "
      "quantity, points, evidence, note, corrects_seq, recorded_by, prev_hash, hash) "
      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)",
      row));
  RETURN_IF_ERROR(ledger::SetHeadHash(tx, kPointsLedger, e.hash));
  RETURN_IF_ERROR(ledger::AppendAudit(tx,
                                      {.actor_user_id = who.user_id,
                                       .actor = who.username,
                                       .action = corrects_seq ? "points.correct" : "points.record",
                                       .entity = "points_entry",
                                       .entity_id = std::to_string(e.seq),
                                       .after = EntryJson(e).dump()},
                                      clock));
  return e;
}

// Adds corrected_by_seq and objection_case_id to entries read.
Status Annotate(storage::Connection& conn, std::vector<Entry>& entries) {
  if (entries.empty()) return OkStatus();
  std::map<int64_t, Entry*> by_seq;
  for (Entry& e : entries) by_seq[e.seq] = &e;
  for (const Entry& e : entries) {
    if (e.corrects_seq > 0 && by_seq.count(e.corrects_seq)) by_seq[e.corrects_seq]->corrected_by_seq = e.seq;
  }
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT entry_seq, case_id FROM points_objections WHERE staff_id = $1 ORDER BY id",
                              {entries.front().staff_id}));
  for (size_t r = 0; r < rs.size(); ++r) {
    auto it = by_seq.find(rs.GetInt(r, 0));
    if (it != by_seq.end()) it->second->objection_case_id = rs.GetInt(r, 1);
  }
  return OkStatus();
}

bool MayReadStandings(const Principal& who) {
  return who.IsBureau() || who.role == Role::kTownship || who.role == Role::kSchool;
}

}  // namespace

StatusOr<int64_t> OwnStaffId(storage::Connection& conn, const Principal& who) {
  ASSIGN_OR_RETURN(std::optional<registry::StaffRecord> staff,
                   registry::LookupStaffRecordByCodeUnscoped(conn, who.username));
  if (staff) {
    ASSIGN_OR_RETURN(std::optional<registry::Org> org, registry::LookupStaffOrgUnscoped(conn, staff->id));
    if (org && who.CanSee(org->path)) return staff->id;
  }
  return Status(StatusCode::kNotFound,
                "account " + who.username + " is not linked to a staff record (its username must be the staff code)",
                "账号 " + who.username + " 未对应教职工档案(用户名须为本人工号)", "staff_id");
}

StatusOr<Entry> Record(storage::Connection& conn, const Principal& who, const Clock& clock,
                       const PointsPolicy& policy, const EntryInput& input) {
  ASSIGN_OR_RETURN(const Rule* rule, CheckInput(who, policy, input));
  StatusOr<Entry> out = Status(StatusCode::kInternal, "unreachable");
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(registry::Org org, VisibleStaffOrg(tx, who, input.staff_id));
    ASSIGN_OR_RETURN(Entry e, Append(tx, who, clock, *rule, org, input, 0));
    out = std::move(e);
    return OkStatus();
  }));
  return out;
}

StatusOr<Entry> Correct(storage::Connection& conn, const Principal& who, const Clock& clock,
                        const PointsPolicy& policy, int64_t corrects_seq, const EntryInput& input) {
  StatusOr<Entry> out = Status(StatusCode::kInternal, "unreachable");
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<Entry> old, LookupEntry(tx, corrects_seq));
    if (!old || !who.CanSee(old->org_path)) return EntryNotFound(corrects_seq, "corrects");
    ASSIGN_OR_RETURN(storage::ResultSet done,
                     tx.Query("SELECT seq FROM points_entries WHERE corrects_seq = $1", {corrects_seq}));
    if (!done.empty()) {
      const std::string by = std::to_string(done.GetInt(0, 0));
      return Status(StatusCode::kFailedPrecondition,
                    "points entry " + std::to_string(corrects_seq) + " was already corrected by entry " + by +
                        ": correct entry " + by + " instead",
                    "积分记录 " + std::to_string(corrects_seq) + " 已被第 " + by + " 条更正,请更正第 " + by + " 条",
                    "corrects");
    }
    EntryInput in = input;
    in.staff_id = old->staff_id;
    in.school_year = old->school_year;
    ASSIGN_OR_RETURN(const Rule* rule, CheckInput(who, policy, in));
    ASSIGN_OR_RETURN(registry::Org org, VisibleStaffOrg(tx, who, in.staff_id));
    // The entry stays with the school it was recorded at.
    org.id = old->org_id;
    org.path = old->org_path;
    ASSIGN_OR_RETURN(Entry e, Append(tx, who, clock, *rule, org, in, corrects_seq));
    out = std::move(e);
    return OkStatus();
  }));
  return out;
}

StatusOr<TeacherLedger> ReadTeacher(storage::Connection& conn, const Principal& who, const PointsPolicy& policy,
                                    int64_t staff_id, int school_year) {
  RETURN_IF_ERROR(CheckYear(school_year));
  ASSIGN_OR_RETURN(registry::Org org, VisibleStaffOrg(conn, who, staff_id));
  ASSIGN_OR_RETURN(std::optional<registry::StaffRecord> staff, registry::LookupStaffRecordUnscoped(conn, staff_id));
  TeacherLedger out;
  out.staff_id = staff_id;
  out.name = staff ? staff->name : "";
  out.org_id = org.id;
  out.school_year = school_year;
  out.base_points = policy.base_points;
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query(std::string(kSelectColumns) + "WHERE staff_id = $1 AND school_year = $2 ORDER BY seq",
                              {staff_id, int64_t{school_year}}));
  for (size_t r = 0; r < rs.size(); ++r) out.entries.push_back(EntryFromRow(rs, r));
  RETURN_IF_ERROR(Annotate(conn, out.entries));
  out.total = out.base_points;
  for (const Entry& e : out.entries) {
    if (e.corrected_by_seq == 0) out.total += e.points;
  }
  return out;
}

StatusOr<Standings> SchoolStandings(storage::Connection& conn, const Principal& who, const PointsPolicy& policy,
                                    int64_t org_id, int school_year) {
  if (!MayReadStandings(who)) {
    return PermissionDeniedError("points standings are open to schools, townships and the bureau",
                                 "积分排名仅对学校、乡镇中心学校和教育局开放");
  }
  RETURN_IF_ERROR(CheckYear(school_year));
  ASSIGN_OR_RETURN(registry::Org org, registry::FindOrg(conn, who, org_id));
  Standings out;
  out.org_id = org.id;
  out.school_year = school_year;
  std::map<int64_t, Standing> by_staff;
  RETURN_IF_ERROR(registry::ForEachStaff(conn, org.path, [&](const registry::StaffRecord& s) {
    if (!s.active) return;
    Standing st;
    st.staff_id = s.id;
    st.name = s.name;
    st.org_id = s.org_id;
    st.total = policy.base_points;
    by_staff.emplace(s.id, std::move(st));
  }));
  // Entries not corrected, by teacher, of the subtree's teachers (wherever
  // recorded: the points follow the teacher).
  ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      conn.Query("SELECT e.staff_id, SUM(e.points) FROM points_entries e "
                 "WHERE e.school_year = $1 AND NOT EXISTS "
                 "(SELECT 1 FROM points_entries c WHERE c.corrects_seq = e.seq) GROUP BY e.staff_id",
                 {int64_t{school_year}}));
  for (size_t r = 0; r < rs.size(); ++r) {
    auto it = by_staff.find(rs.GetInt(r, 0));
    if (it != by_staff.end()) it->second.total += rs.GetInt(r, 1);
  }
  // The veto of that year (plan item 4), from the sanctions ledger.
  ASSIGN_OR_RETURN(auto sanctions, ledger::ReadSanctions(conn, 0, ""));
  for (const auto& s : sanctions) {
    if (s.entry.veto_year != school_year) continue;
    auto it = by_staff.find(s.entry.staff_id);
    if (it == by_staff.end() || it->second.veto.vetoed) continue;
    Veto& v = it->second.veto;
    v.vetoed = true;
    v.reason_zh = std::to_string(school_year) + " 年度师德失范一票否决:" +
                  std::string(ledger::MeasureNameZh(s.entry.measure)) + "(案件 " + std::to_string(s.entry.case_id) +
                  ")";
    v.reason_en = "one-vote veto for misconduct in " + std::to_string(school_year) + ": " + s.entry.measure +
                  " (case " + std::to_string(s.entry.case_id) + ")";
  }
  std::vector<Standing> list;
  list.reserve(by_staff.size());
  for (auto& [id, st] : by_staff) list.push_back(std::move(st));
  std::sort(list.begin(), list.end(), [](const Standing& a, const Standing& b) {
    if (a.org_id != b.org_id) return a.org_id < b.org_id;
    if (a.total != b.total) return a.total > b.total;
    return a.staff_id < b.staff_id;
  });
  // Rank as 1 + the number of the school's teachers with more points.
  size_t start = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0 && list[i].org_id != list[i - 1].org_id) start = i;
    if (i == start || list[i].total != list[i - 1].total) {
      list[i].rank = static_cast<int>(i - start) + 1;
    } else {
      list[i].rank = list[i - 1].rank;
    }
  }
  for (Standing& st : list) {
    for (const EligibilityList& l : policy.eligibility) {
      Standing::Eligibility el{.list_id = l.id, .eligible = true};
      if (l.veto_blocks && st.veto.vetoed) {
        el.eligible = false;
        el.reason_zh = st.veto.reason_zh;
        el.reason_en = st.veto.reason_en;
      } else if (st.total < l.min_points) {
        el.eligible = false;
        el.reason_zh = "积分 " + std::to_string(st.total) + " 低于" + l.label.zh + "门槛 " +
                       std::to_string(l.min_points);
        el.reason_en = "points " + std::to_string(st.total) + " below the " + l.label.en + " threshold " +
                       std::to_string(l.min_points);
      }
      st.eligibility.push_back(std::move(el));
    }
  }
  out.teachers = std::move(list);
  return out;
}

StatusOr<Entry> CheckObjection(storage::Connection& conn, const Principal& who, const Clock& clock,
                               const PointsPolicy& policy, int64_t seq) {
  if (who.role != Role::kTeacher) {
    return PermissionDeniedError("only the teacher concerned may object to a points entry",
                                 "仅本人可对积分记录提出异议");
  }
  ASSIGN_OR_RETURN(int64_t own, OwnStaffId(conn, who));
  ASSIGN_OR_RETURN(std::optional<Entry> e, LookupEntry(conn, seq));
  if (!e || e->staff_id != own) return EntryNotFound(seq, "entry");
  const int64_t window_us = int64_t{policy.objection_window_days} * 86'400'000'000;
  if (ToUnixMicros(clock.Now()) > e->at_us + window_us) {
    return Status(StatusCode::kFailedPrecondition,
                  "the objection window of " + std::to_string(policy.objection_window_days) +
                      " days after points entry " + std::to_string(seq) + " has passed",
                  "积分记录 " + std::to_string(seq) + " 录入已超过 " +
                      std::to_string(policy.objection_window_days) + " 天的异议期限",
                  "entry");
  }
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT case_id FROM points_objections WHERE entry_seq = $1", {seq}));
  if (!rs.empty()) {
    return Status(StatusCode::kFailedPrecondition,
                  "an objection to points entry " + std::to_string(seq) + " was already filed (case " +
                      std::to_string(rs.GetInt(0, 0)) + ")",
                  "已对积分记录 " + std::to_string(seq) + " 提出过异议(案件 " + std::to_string(rs.GetInt(0, 0)) + ")",
                  "entry");
  }
  return *e;
}

Status RecordObjection(storage::Connection& conn, const Principal& who, const Clock& clock, int64_t seq,
                       int64_t case_id) {
  return storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<Entry> e, LookupEntry(tx, seq));
    if (!e) return EntryNotFound(seq, "entry");
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO points_objections (entry_seq, staff_id, case_id, filed_by, filed_at_us) "
        "VALUES ($1, $2, $3, $4, $5)",
        {seq, e->staff_id, case_id, who.username, ToUnixMicros(clock.Now())}));
    nlohmann::ordered_json after = {{"entry_seq", seq}, {"staff_id", e->staff_id}, {"case_id", case_id}};
    return ledger::AppendAudit(tx,
                               {.actor_user_id = who.user_id,
                                .actor = who.username,
                                .action = "points.objection",
                                .entity = "points_entry",
                                .entity_id = std::to_string(seq),
                                .after = after.dump()},
                               clock);
  });
}

StatusOr<ledger::VerifyReport> VerifyPointsLedger(storage::Connection& conn,
                                                  const std::vector<ledger::Anchor>& anchors) {
  return ledger::internal::VerifyChain(
      conn, {.ledger = kPointsLedger,
             .select_sql = kSelectColumns,
             .entry_en = "points entry",
             .entry_zh = "积分台账",
             .chain_en = "the points chain",
             .chain_zh = "积分台账",
             .head_missing_en = "the points chain head is missing",
             .head_missing_zh = "积分台账链头记录缺失",
             .link_at =
                 [](const storage::ResultSet& rs, size_t r) {
                   // No version-1 entries ever existed in this chain: the
                   // legacy encoding is one no hash can match.
                   return ledger::internal::ChainLink{.seq = rs.GetInt(r, 0),
                                                      .prev_hash = rs.GetText(r, 14),
                                                      .hash = rs.GetText(r, 15),
                                                      .encoding = Encode(rs.row(r).data()),
                                                      .legacy_encoding = "-"};
                 },
             .anchors = &anchors});
}

}  // namespace edugov::points
