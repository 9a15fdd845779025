#include "ledger/sanctions.h"

#include <array>
#include <string>

#include <nlohmann/json.hpp>

#include "ledger/chain.h"
#include "ledger/internal/verify_chain.h"

namespace edugov::ledger {

namespace {

constexpr std::string_view kSanctionsLedger = "sanctions";

struct Measure {
  std::string_view key;
  std::string_view zh;
};

constexpr std::array<Measure, 6> kMeasures = {{
    {"notice_of_criticism", "通报批评"},
    {"warning", "警告"},
    {"demerit", "记过"},
    {"post_demotion", "降低岗位等级"},
    {"transfer_out_of_town", "调离城区"},
    {"removal", "清除出教师队伍"},
}};

// The accountable list as it is stored and hashed: a JSON array in entry
// order, keys in a fixed order, so the same entry always gives the same text.
std::string AccountableJson(const std::vector<Accountable>& list) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const Accountable& a : list) {
    nlohmann::ordered_json o;
    o["staff_id"] = a.staff_id;
    o["role"] = a.role;
    arr.push_back(std::move(o));
  }
  return arr.dump();
}

std::vector<Accountable> ParseAccountable(const std::string& text) {
  std::vector<Accountable> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& o : j) {
    if (!o.is_object()) continue;
    Accountable a;
    if (o.contains("staff_id") && o["staff_id"].is_number_integer()) {
      a.staff_id = o["staff_id"].get<int64_t>();
    }
    if (o.contains("role") && o["role"].is_string()) a.role = o["role"].get<std::string>();
    out.push_back(std::move(a));
  }
  return out;
}

// Version 2 (docs/ledger-format.md): the eleven stored values before
// prev_hash, typed, exactly as inserted and as read back.
std::string EncodeV2(const storage::Value* fields) {
  TypedEncoder enc;
  for (int i = 0; i < 11; ++i) enc.Add(fields[i]);
  return enc.bytes();
}

// Version 1, kept to verify entries written before version 2: the fields,
// in the order docs/ledger-format.md fixes for sanction entries.
// `accountable_json` is hashed as stored, so verification never depends on
// re-serialising it.
std::string Encode(int64_t seq, int64_t at_us, const SanctionEntry& e,
                   const std::string& accountable_json) {
  CanonicalEncoder enc;
  enc.Add(seq).Add(at_us).Add(e.staff_id).Add(e.org_id).Add(e.org_path).Add(e.case_id)
      .Add(e.measure).Add(int64_t{e.veto_year}).Add(e.reason).Add(accountable_json)
      .Add(e.decided_by);
  return enc.bytes();
}

Status Missing(const char* field, const char* zh_name) {
  return Status(StatusCode::kInvalidArgument,
                std::string("sanction entry: ") + field + " is required",
                std::string("处分记录缺少") + zh_name, field);
}

Status Validate(const SanctionEntry& e) {
  if (e.staff_id <= 0) return Missing("staff_id", "当事教职工(staff_id)");
  if (e.org_id <= 0) return Missing("org_id", "所在单位(org_id)");
  if (e.org_path.empty() || e.org_path.front() != '/' || e.org_path.back() != '/') {
    return Status(StatusCode::kInvalidArgument,
                  "sanction entry: org_path must be a materialised path like /1/4/37/",
                  "处分记录的单位路径(org_path)格式不正确,应形如 /1/4/37/", "org_path");
  }
  if (e.case_id <= 0) return Missing("case_id", "所依据的案件(case_id)");
  if (!IsKnownMeasure(e.measure)) {
    return Status(StatusCode::kInvalidArgument,
                  "sanction entry: unknown measure '" + e.measure +
                      "' (expected one of notice_of_criticism, warning, demerit, post_demotion, "
                      "transfer_out_of_town, removal)",
                  "处分记录的处分种类“" + e.measure +
                      "”不在处分阶梯内(通报批评、警告、记过、降低岗位等级、调离城区、清除出教师队伍)",
                  "measure");
  }
  if (e.veto_year < 2000 || e.veto_year > 2100) {
    return Status(StatusCode::kInvalidArgument,
                  "sanction entry: veto_year " + std::to_string(e.veto_year) +
                      " is not a plausible year",
                  "处分记录的一票否决年度 " + std::to_string(e.veto_year) + " 不是有效年份",
                  "veto_year");
  }
  if (e.reason.empty()) return Missing("reason", "处分事由(reason)");
  if (e.decided_by.empty()) return Missing("decided_by", "决定人(decided_by)");
  for (size_t i = 0; i < e.accountable.size(); ++i) {
    const Accountable& a = e.accountable[i];
    if (a.staff_id <= 0 || (a.role != "principal" && a.role != "party_secretary")) {
      return Status(StatusCode::kInvalidArgument,
                    "sanction entry: accountable[" + std::to_string(i) +
                        "] needs a staff_id and the role principal or party_secretary",
                    "处分记录的被问责人第 " + std::to_string(i + 1) +
                        " 项须有教职工编号且角色为校长(principal)或党组织书记(party_secretary)",
                    "accountable");
    }
  }
  return OkStatus();
}

constexpr const char* kSelectColumns =
    "SELECT seq, at_us, staff_id, org_id, org_path, case_id, measure, veto_year, reason, "
    "accountable_json, decided_by, prev_hash, hash FROM sanctions ";

SanctionRecord RecordFromRow(const storage::ResultSet& rs, size_t r, std::string* accountable) {
  SanctionRecord rec;
  rec.seq = rs.GetInt(r, 0);
  rec.at_us = rs.GetInt(r, 1);
  rec.entry.staff_id = rs.GetInt(r, 2);
  rec.entry.org_id = rs.GetInt(r, 3);
  rec.entry.org_path = rs.GetText(r, 4);
  rec.entry.case_id = rs.GetInt(r, 5);
  rec.entry.measure = rs.GetText(r, 6);
  rec.entry.veto_year = static_cast<int>(rs.GetInt(r, 7));
  rec.entry.reason = rs.GetText(r, 8);
  *accountable = rs.GetText(r, 9);
  rec.entry.accountable = ParseAccountable(*accountable);
  rec.entry.decided_by = rs.GetText(r, 10);
  rec.prev_hash = rs.GetText(r, 11);
  rec.hash = rs.GetText(r, 12);
  return rec;
}

}  // namespace

const std::vector<std::string>& SanctionLadder() {
  static const std::vector<std::string> kLadder = [] {
    std::vector<std::string> v;
    for (const Measure& m : kMeasures) v.emplace_back(m.key);
    return v;
  }();
  return kLadder;
}

bool IsKnownMeasure(std::string_view measure) {
  for (const Measure& m : kMeasures) {
    if (m.key == measure) return true;
  }
  return false;
}

std::string_view MeasureNameZh(std::string_view measure) {
  for (const Measure& m : kMeasures) {
    if (m.key == measure) return m.zh;
  }
  return measure;
}

Status AppendSanction(storage::Connection& tx, const SanctionEntry& entry, const Clock& clock) {
  if (!tx.in_transaction()) {
    return InternalError("sanction entries must be appended inside the decision's transaction",
                         "处分记录必须在作出决定的同一事务中写入");
  }
  RETURN_IF_ERROR(Validate(entry));
  // As for the audit log: bumping the head first serialises appenders.
  ASSIGN_OR_RETURN(storage::ResultSet head,
                   tx.Query("UPDATE ledger_heads SET seq = seq + 1 WHERE ledger = $1 "
                            "RETURNING seq, hash",
                            {std::string(kSanctionsLedger)}));
  if (head.size() != 1) {
    return InternalError("sanctions ledger head is missing", "处分台账链头记录缺失");
  }
  const int64_t seq = head.GetInt(0, 0);
  const std::string prev = head.GetText(0, 1);
  const int64_t at_us = ToUnixMicros(clock.Now());
  const std::string accountable = AccountableJson(entry.accountable);
  storage::Params row = {seq, at_us, entry.staff_id, entry.org_id, entry.org_path, entry.case_id,
                         entry.measure, int64_t{entry.veto_year}, entry.reason, accountable,
                         entry.decided_by};
  const std::string hash = ChainHash(prev, EncodeV2(row.data()));
  row.push_back(prev);
  row.push_back(hash);

  RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO sanctions (seq, at_us, staff_id, org_id, org_path, case_id, measure, "
      "veto_year, reason, accountable_json, decided_by, prev_hash, hash) "
      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
      row));
  RETURN_IF_ERROR(tx.Execute("UPDATE ledger_heads SET hash = $1 WHERE ledger = $2",
                             {hash, std::string(kSanctionsLedger)}));
  return OkStatus();
}

StatusOr<std::vector<SanctionRecord>> ReadSanctions(storage::Connection& conn, int64_t staff_id,
                                                    std::string_view org_path_prefix) {
  // Prefix match by substr rather than LIKE, so the prefix is compared
  // exactly whatever characters it holds.
  const std::string prefix(org_path_prefix);
  const std::string prefix_cond =
      "substr(org_path, 1, " + std::to_string(prefix.size()) + ") = ";
  std::string sql = kSelectColumns;
  storage::Params params;
  if (staff_id != 0 && !prefix.empty()) {
    sql += "WHERE staff_id = $1 AND " + prefix_cond + "$2 ";
    params = {staff_id, prefix};
  } else if (staff_id != 0) {
    sql += "WHERE staff_id = $1 ";
    params = {staff_id};
  } else if (!prefix.empty()) {
    sql += "WHERE " + prefix_cond + "$1 ";
    params = {prefix};
  }
  sql += "ORDER BY seq DESC";
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(sql, params));
  std::vector<SanctionRecord> out;
  out.reserve(rs.size());
  std::string accountable;
  for (size_t r = 0; r < rs.size(); ++r) out.push_back(RecordFromRow(rs, r, &accountable));
  return out;
}

StatusOr<bool> IsVetoed(storage::Connection& conn, int64_t staff_id, int year) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT COUNT(*) FROM sanctions WHERE staff_id = $1 AND "
                              "veto_year = $2",
                              {staff_id, int64_t{year}}));
  return rs.size() == 1 && rs.GetInt(0, 0) > 0;
}

StatusOr<VerifyReport> VerifySanctions(storage::Connection& conn,
                                       const std::vector<Anchor>& anchors) {
  // The stored accountable text of the row being walked (hashed as stored).
  std::string accountable;
  return internal::VerifyChain(
      conn,
      {.ledger = kSanctionsLedger,
       .select_sql = kSelectColumns,
       .entry_en = "sanction entry",
       .entry_zh = "处分台账",
       .chain_en = "the sanctions chain",
       .chain_zh = "处分台账",
       .head_missing_en = "the sanctions chain head is missing",
       .head_missing_zh = "处分台账链头记录缺失",
       .link_at =
           [&accountable](const storage::ResultSet& rs, size_t r) {
             SanctionRecord rec = RecordFromRow(rs, r, &accountable);
             return internal::ChainLink{
                 .seq = rec.seq,
                 .prev_hash = std::move(rec.prev_hash),
                 .hash = std::move(rec.hash),
                 .encoding = EncodeV2(rs.row(r).data()),
                 .legacy_encoding = Encode(rec.seq, rec.at_us, rec.entry, accountable)};
           },
       .anchors = &anchors});
}

}  // namespace edugov::ledger
