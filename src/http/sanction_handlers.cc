// /api/v1/sanctions and /api/v1/staff/{id}/veto (sanction_handlers.h lists
// the routes): reads of the sanctions ledger (ledger/sanctions.h), scoped by
// the org path stored with each entry and, for one staff member, by the org
// the staff member belongs to now.
#include "http/sanction_handlers.h"

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "http/json_input.h"
#include "http/route.h"
#include "ledger/sanctions.h"
#include "registry/registry.h"

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

// 404 unless the staff member exists and belongs to an org in the caller's
// subtree (the same answer either way, so nothing leaks).
Status CheckStaff(storage::Connection& conn, const Principal& p, int64_t staff_id) {
  ASSIGN_OR_RETURN(bool visible, registry::StaffVisible(conn, p, staff_id));
  return visible ? OkStatus() : StaffNotFound(staff_id);
}

// The records with the names of the staff and orgs they mention.
StatusOr<nlohmann::json> RecordsJson(storage::Connection& conn,
                                     const std::vector<ledger::SanctionRecord>& records) {
  std::set<int64_t> staff_ids, org_ids;
  for (const auto& r : records) {
    staff_ids.insert(r.entry.staff_id);
    org_ids.insert(r.entry.org_id);
    for (const auto& a : r.entry.accountable) staff_ids.insert(a.staff_id);
  }
  ASSIGN_OR_RETURN(auto staff_names, registry::StaffNames(conn, staff_ids));
  ASSIGN_OR_RETURN(auto org_names, registry::OrgNames(conn, org_ids));

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
  if (!id.ok()) return FieldError("staff", "staff must be a staff id", "staff 须为教职工编号");
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
    return FieldError("year", "year must be a year between 2000 and 2100",
                      "year 须为 2000 到 2100 之间的年份");
  }
  return year;
}

StatusOr<nlohmann::json> Sanctions(RouteContext& c) {
  const Principal& p = c.principal();
  RETURN_IF_ERROR(MayRead(p));
  ASSIGN_OR_RETURN(int64_t staff, StaffParam(c.req()));
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  if (staff != 0) RETURN_IF_ERROR(CheckStaff(*conn, p, staff));
  // The stored org path keeps a school's records its own even if the
  // teacher later moves; the subtree filter applies in every case.
  ASSIGN_OR_RETURN(auto records, ledger::ReadSanctions(*conn, staff, p.org_path));
  ASSIGN_OR_RETURN(nlohmann::json items, RecordsJson(*conn, records));
  return nlohmann::json{{"items", std::move(items)}};
}

StatusOr<nlohmann::json> Veto(RouteContext& c) {
  const Principal& p = c.principal();
  RETURN_IF_ERROR(MayRead(p));
  const int64_t id = c.Id();
  ASSIGN_OR_RETURN(int year, YearParam(c.req(), *c.app().clock));
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  RETURN_IF_ERROR(CheckStaff(*conn, p, id));
  ASSIGN_OR_RETURN(bool vetoed, ledger::IsVetoed(*conn, id, year));
  // The veto is the staff member's, wherever it was decided: list every
  // record of that year, not only those inside the caller's subtree.
  ASSIGN_OR_RETURN(auto records, ledger::ReadSanctions(*conn, id, ""));
  std::vector<ledger::SanctionRecord> that_year;
  for (auto& r : records) {
    if (r.entry.veto_year == year) that_year.push_back(std::move(r));
  }
  ASSIGN_OR_RETURN(nlohmann::json items, RecordsJson(*conn, that_year));
  return nlohmann::json{{"vetoed", vetoed}, {"year", year}, {"staff_id", id}, {"sanctions", std::move(items)}};
}

}  // namespace

void RegisterSanctionHandlers(Router& router, App& app) {
  RouteBuilder routes(router, app);
  routes.Get("/api/v1/sanctions").Json(Sanctions);
  routes.Get("/api/v1/staff/{id}/veto").Ids({"id"}).Json(Veto);
}

}  // namespace edugov::http
