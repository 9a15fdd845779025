// /api/v1/sanctions and /api/v1/staff/{id}/veto (sanction_handlers.h lists
// the routes): reads of the sanctions ledger (ledger/sanctions.h), scoped by
// the org path stored with each entry and, for one staff member, by the org
// the staff member belongs to now.
#include "http/sanction_handlers.h"

#include <map>

#include <nlohmann/json.hpp>

#include "http/json_input.h"
#include "ledger/sanctions.h"

namespace edugov::http {
namespace {

using accounts::Principal;

// The English names of the ladder, for measure_label.en.
std::string MeasureNameEn(std::string_view m) {
  static const std::map<std::string, std::string, std::less<>> kEn = {
      {"notice_of_criticism", "notice of criticism"},
      {"warning", "warning"},
      {"demerit", "demerit"},
      {"post_demotion", "post-grade demotion"},
      {"transfer_out_of_town", "transfer out of the town area"},
      {"removal", "removal from teaching"}};
  auto it = kEn.find(m);
  return it == kEn.end() ? std::string(m) : it->second;
}

Status MayRead(const Principal& p) {
  using accounts::Role;
  if (p.IsBureau() || p.role == Role::kTownship || p.role == Role::kSchool) return OkStatus();
  return PermissionDeniedError("sanctions are open to the bureau, townships and schools only",
                               "处分记录仅对教育局、乡镇中心学校和学校开放");
}

Status StaffNotFound(int64_t id) {
  return Status(StatusCode::kNotFound, "staff member " + std::to_string(id) + " not found",
                "教职工 " + std::to_string(id) + " 不存在", "staff");
}

// The staff member, if they exist and belong to an org in the caller's
// subtree; 404 otherwise (the same answer, so nothing leaks).
Status CheckStaff(storage::Connection& conn, const Principal& p, int64_t staff_id) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT o.path FROM staff s JOIN orgs o ON o.id = s.org_id "
                              "WHERE s.id = $1",
                              {staff_id}));
  if (rs.empty() || !p.CanSee(rs.GetText(0, 0))) return StaffNotFound(staff_id);
  return OkStatus();
}

// Names of the staff and orgs the records mention, in one query each.
StatusOr<nlohmann::json> RecordsJson(storage::Connection& conn,
                                     const std::vector<ledger::SanctionRecord>& records) {
  std::map<int64_t, std::string> staff_names, org_names;
  for (const auto& r : records) {
    staff_names[r.entry.staff_id];
    org_names[r.entry.org_id];
    for (const auto& a : r.entry.accountable) staff_names[a.staff_id];
  }
  auto fill = [&](std::map<int64_t, std::string>& names, const char* table) -> Status {
    if (names.empty()) return OkStatus();
    std::string sql = std::string("SELECT id, name FROM ") + table + " WHERE id IN (";
    bool first = true;
    for (const auto& [id, _] : names) {
      sql += (first ? "" : ",") + std::to_string(id);  // integers from the ledger: no injection
      first = false;
    }
    sql += ")";
    ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(sql));
    for (size_t i = 0; i < rs.size(); ++i) names[rs.GetInt(i, 0)] = rs.GetText(i, 1);
    return OkStatus();
  };
  RETURN_IF_ERROR(fill(staff_names, "staff"));
  RETURN_IF_ERROR(fill(org_names, "orgs"));

  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : records) {
    nlohmann::json accountable = nlohmann::json::array();
    for (const auto& a : r.entry.accountable) {
      accountable.push_back({{"staff_id", a.staff_id}, {"name", staff_names[a.staff_id]}, {"role", a.role}});
    }
    items.push_back(
        {{"seq", r.seq},
         {"at", FormatTimestamp(FromUnixMicros(r.at_us))},
         {"staff", {{"id", r.entry.staff_id}, {"name", staff_names[r.entry.staff_id]}}},
         {"org", {{"id", r.entry.org_id}, {"name", org_names[r.entry.org_id]}}},
         {"case_id", r.entry.case_id},
         {"measure", r.entry.measure},
         {"measure_label",
          {{"zh", std::string(ledger::MeasureNameZh(r.entry.measure))},
           {"en", MeasureNameEn(r.entry.measure)}}},
         {"veto_year", r.entry.veto_year},
         {"reason", r.entry.reason},
         {"accountable", std::move(accountable)},
         {"decided_by", r.entry.decided_by},
         {"hash", r.hash}});
  }
  return items;
}

StatusOr<int64_t> StaffParam(const Request& req) {
  auto text = req.Query("staff");
  if (!text) return 0;
  auto id = ParseId(*text);
  if (!id.ok() || *id <= 0) {
    return Status(StatusCode::kInvalidArgument, "staff must be a staff id", "staff 须为教职工编号",
                  "staff");
  }
  return *id;
}

StatusOr<int> YearParam(const Request& req, const Clock& clock) {
  auto text = req.Query("year");
  if (!text) {
    // This year in China Standard Time: the timestamp starts with it.
    return std::stoi(FormatTimestamp(clock.Now()).substr(0, 4));
  }
  bool ok = text->size() == 4;
  for (char c : *text) ok = ok && c >= '0' && c <= '9';
  const int year = ok ? std::stoi(*text) : 0;
  if (year < 2000 || year > 2100) {
    return Status(StatusCode::kInvalidArgument, "year must be a year between 2000 and 2100",
                  "year 须为 2000 到 2100 之间的年份", "year");
  }
  return year;
}

Response Sanctions(App& app, Request& req, const Principal& p) {
  if (Status s = MayRead(p); !s.ok()) return ErrorResponse(s, req.lang);
  auto staff = StaffParam(req);
  if (!staff.ok()) return ErrorResponse(staff.status(), req.lang);
  auto conn = app.db->Acquire();
  if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
  if (*staff != 0) {
    if (Status s = CheckStaff(**conn, p, *staff); !s.ok()) return ErrorResponse(s, req.lang);
  }
  // The stored org path keeps a school's records its own even if the
  // teacher later moves; the subtree filter applies in every case.
  auto records = ledger::ReadSanctions(**conn, *staff, p.org_path);
  if (!records.ok()) return ErrorResponse(records.status(), req.lang);
  auto items = RecordsJson(**conn, *records);
  if (!items.ok()) return ErrorResponse(items.status(), req.lang);
  return JsonResponse({{"items", std::move(*items)}});
}

Response Veto(App& app, Request& req, const Principal& p) {
  if (Status s = MayRead(p); !s.ok()) return ErrorResponse(s, req.lang);
  auto id = ParseId(req.path_params["id"]);
  if (!id.ok()) return ErrorResponse(id.status(), req.lang);
  auto year = YearParam(req, *app.clock);
  if (!year.ok()) return ErrorResponse(year.status(), req.lang);
  auto conn = app.db->Acquire();
  if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
  if (Status s = CheckStaff(**conn, p, *id); !s.ok()) return ErrorResponse(s, req.lang);
  auto vetoed = ledger::IsVetoed(**conn, *id, *year);
  if (!vetoed.ok()) return ErrorResponse(vetoed.status(), req.lang);
  // The veto is the staff member's, wherever it was decided: list every
  // record of that year, not only those inside the caller's subtree.
  auto records = ledger::ReadSanctions(**conn, *id, "");
  if (!records.ok()) return ErrorResponse(records.status(), req.lang);
  std::vector<ledger::SanctionRecord> that_year;
  for (auto& r : *records) {
    if (r.entry.veto_year == *year) that_year.push_back(std::move(r));
  }
  auto items = RecordsJson(**conn, that_year);
  if (!items.ok()) return ErrorResponse(items.status(), req.lang);
  return JsonResponse(
      {{"vetoed", *vetoed}, {"year", *year}, {"staff_id", *id}, {"sanctions", std::move(*items)}});
}

}  // namespace

void RegisterSanctionHandlers(Router& router, App& app) {
  router.Add(Method::kGet, "/api/v1/sanctions",
             Authed(app, [&app](Request& req, const Principal& p) { return Sanctions(app, req, p); }));
  router.Add(Method::kGet, "/api/v1/staff/{id}/veto",
             Authed(app, [&app](Request& req, const Principal& p) { return Veto(app, req, p); }));
}

}  // namespace edugov::http
