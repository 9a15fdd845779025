// /api/v1/points/… (points_handlers.h lists the routes): thin callers of
// src/points; an objection also opens a points_objection case.
#include "http/points_handlers.h"

#include <nlohmann/json.hpp>

#include "cases/engine.h"
#include "http/json_input.h"
#include "http/route.h"
#include "points/points.h"

namespace edugov::http {
namespace {

using json = nlohmann::json;

json LabelJson(const points::Label& l) { return {{"zh", l.zh}, {"en", l.en}}; }

json EntryJson(const points::PointsPolicy& policy, const points::Entry& e) {
  const points::Rule* rule = policy.FindRule(e.rule_id);
  return {{"seq", e.seq},
          {"at", FormatTimestamp(FromUnixMicros(e.at_us))},
          {"staff_id", e.staff_id},
          {"org_id", e.org_id},
          {"school_year", e.school_year},
          {"rule_id", e.rule_id},
          {"rule_label", rule ? LabelJson(rule->label) : json{{"zh", e.rule_id}, {"en", e.rule_id}}},
          {"clause", e.clause},
          {"quantity", e.quantity},
          {"points", e.points},
          {"evidence", e.evidence},
          {"note", e.note},
          {"corrects_seq", e.corrects_seq},
          {"corrected_by_seq", e.corrected_by_seq},
          {"objection_case_id", e.objection_case_id},
          {"recorded_by", e.recorded_by},
          {"hash", e.hash}};
}

json LedgerJson(const points::PointsPolicy& policy, const points::TeacherLedger& l) {
  json entries = json::array();
  for (const auto& e : l.entries) entries.push_back(EntryJson(policy, e));
  return {{"staff_id", l.staff_id}, {"name", l.name},           {"org_id", l.org_id},
          {"school_year", l.school_year}, {"base_points", l.base_points}, {"total", l.total},
          {"objection_window_days", policy.objection_window_days}, {"entries", std::move(entries)}};
}

// ?year=, or the school year under way: September starts a new one.
StatusOr<int> SchoolYearParam(const Request& req, const Clock& clock) {
  if (auto text = req.Query("year")) {
    bool ok = text->size() == 4;
    for (char ch : *text) ok = ok && ch >= '0' && ch <= '9';
    const int year = ok ? std::stoi(*text) : 0;
    if (year < 2000 || year > 2100) {
      return FieldError("year", "year must be a school year between 2000 and 2100",
                        "year 须为 2000 到 2100 之间的学年");
    }
    return year;
  }
  const std::string now = FormatTimestamp(clock.Now());  // China time, "2025-10-09T…"
  const int year = std::stoi(now.substr(0, 4));
  return std::stoi(now.substr(5, 2)) >= 9 ? year : year - 1;
}

StatusOr<points::EntryInput> InputFrom(const JsonInput& in, bool correction) {
  points::EntryInput out;
  if (!correction) {
    ASSIGN_OR_RETURN(out.staff_id, in.RequiredInt("staff_id"));
    ASSIGN_OR_RETURN(int64_t year, in.RequiredInt("school_year"));
    out.school_year = static_cast<int>(std::clamp<int64_t>(year, 0, 100000));
  }
  ASSIGN_OR_RETURN(out.rule_id, in.RequiredString("rule_id"));
  ASSIGN_OR_RETURN(auto qty, in.OptionalInt("quantity"));
  out.quantity = qty.value_or(1);
  ASSIGN_OR_RETURN(out.evidence, in.RequiredString("evidence"));
  ASSIGN_OR_RETURN(auto note, in.OptionalString("note"));
  out.note = note.value_or("");
  return out;
}

}  // namespace

void RegisterPointsHandlers(Router& router, App& app, const points::PointsPolicy& policy) {
  RouteBuilder routes(router, app);
  const points::PointsPolicy* pol = &policy;

  routes.Get("/api/v1/points/policy").Json([pol](RouteContext&) -> StatusOr<json> {
    json rules = json::array();
    for (const auto& r : pol->rules) {
      rules.push_back({{"id", r.id}, {"label", LabelJson(r.label)}, {"clause", r.clause}, {"points", r.points},
                       {"unit", LabelJson(r.unit)}, {"max_units", r.max_units}, {"evidence", LabelJson(r.evidence)},
                       {"recorders", r.recorders}});
    }
    json lists = json::array();
    for (const auto& l : pol->eligibility) {
      lists.push_back({{"id", l.id}, {"label", LabelJson(l.label)}, {"min_points", l.min_points},
                       {"veto_blocks", l.veto_blocks}});
    }
    return json{{"clause", pol->clause}, {"quote_zh", pol->quote_zh}, {"base_points", pol->base_points},
                {"objection_window_days", pol->objection_window_days}, {"rules", std::move(rules)},
                {"eligibility", std::move(lists)}};
  });

  routes.Get("/api/v1/points/me").Json([pol](RouteContext& c) -> StatusOr<json> {
    ASSIGN_OR_RETURN(int year, SchoolYearParam(c.req(), *c.app().clock));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(int64_t staff, points::OwnStaffId(*conn, c.principal()));
    ASSIGN_OR_RETURN(auto ledger, points::ReadTeacher(*conn, c.principal(), *pol, staff, year));
    return LedgerJson(*pol, ledger);
  });

  routes.Get("/api/v1/points/teachers/{id}").Ids({"id"}).Json([pol](RouteContext& c) -> StatusOr<json> {
    ASSIGN_OR_RETURN(int year, SchoolYearParam(c.req(), *c.app().clock));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto ledger, points::ReadTeacher(*conn, c.principal(), *pol, c.Id(), year));
    return LedgerJson(*pol, ledger);
  });

  routes.Post("/api/v1/points/entries")
      .JsonBody({"staff_id", "school_year", "rule_id", "quantity", "evidence", "note"})
      .Returns(201)
      .Json([pol](RouteContext& c) -> StatusOr<json> {
        ASSIGN_OR_RETURN(points::EntryInput in, InputFrom(c.body(), false));
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        ASSIGN_OR_RETURN(auto e, points::Record(*conn, c.principal(), *c.app().clock, *pol, in));
        c.LogNote("points_entry=" + std::to_string(e.seq));
        return EntryJson(*pol, e);
      });

  routes.Post("/api/v1/points/entries/{seq}/corrections")
      .Ids({"seq"})
      .JsonBody({"rule_id", "quantity", "evidence", "note"})
      .Returns(201)
      .Json([pol](RouteContext& c) -> StatusOr<json> {
        ASSIGN_OR_RETURN(points::EntryInput in, InputFrom(c.body(), true));
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        ASSIGN_OR_RETURN(auto e, points::Correct(*conn, c.principal(), *c.app().clock, *pol, c.Id("seq"), in));
        c.LogNote("points_entry=" + std::to_string(e.seq));
        return EntryJson(*pol, e);
      });

  routes.Post("/api/v1/points/entries/{seq}/objections")
      .Ids({"seq"})
      .JsonBody({"text"})
      .Returns(201)
      .Json([pol](RouteContext& c) -> StatusOr<json> {
        ASSIGN_OR_RETURN(std::string text, c.body().RequiredString("text"));
        cases::CaseEngine* engine = c.app().cases;
        if (engine == nullptr || engine->types().Find("points_objection") == nullptr) {
          return UnavailableError("objections need the points_objection case type (policy/cases)",
                                  "提出异议需要积分异议案件类型(policy/cases)");
        }
        const int64_t seq = c.Id("seq");
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        ASSIGN_OR_RETURN(points::Entry e,
                         points::CheckObjection(*conn, c.principal(), *c.app().clock, *pol, seq));
        cases::OpenCaseRequest open;
        open.case_type = "points_objection";
        open.title = "积分异议:第 " + std::to_string(seq) + " 条积分记录";
        open.org_id = e.org_id;
        open.staff_id = e.staff_id;
        open.source_kind = "points_entry";
        open.source_id = seq;
        open.fields = {{"entry_seq", seq}, {"text", text}};
        // The case and the link are two transactions: a link that fails
        // after the case opened leaves the case, which names the entry.
        ASSIGN_OR_RETURN(auto opened, engine->Open(cases::Actor::User(c.principal()), std::move(open)));
        RETURN_IF_ERROR(points::RecordObjection(*conn, c.principal(), *c.app().clock, seq, opened.view.id));
        c.LogNote("points_objection_case=" + std::to_string(opened.view.id));
        return json{{"entry_seq", seq}, {"case", {{"id", opened.view.id}, {"ref", opened.view.ref}}}};
      });

  routes.Get("/api/v1/points/standings").Json([pol](RouteContext& c) -> StatusOr<json> {
    ASSIGN_OR_RETURN(int year, SchoolYearParam(c.req(), *c.app().clock));
    int64_t org_id = c.principal().org_id;
    if (auto text = c.req().Query("org_id")) {
      auto id = ParseId(*text);
      if (!id.ok()) return FieldError("org_id", "org_id must be an org id", "org_id 须为单位编号");
      org_id = *id;
    }
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto s, points::SchoolStandings(*conn, c.principal(), *pol, org_id, year));
    json teachers = json::array();
    for (const auto& t : s.teachers) {
      json el = json::array();
      for (const auto& e : t.eligibility) {
        el.push_back({{"list_id", e.list_id}, {"eligible", e.eligible},
                      {"reason", {{"zh", e.reason_zh}, {"en", e.reason_en}}}});
      }
      teachers.push_back({{"staff_id", t.staff_id}, {"name", t.name}, {"org_id", t.org_id}, {"total", t.total},
                          {"rank", t.rank},
                          {"veto", {{"vetoed", t.veto.vetoed},
                                    {"reason", {{"zh", t.veto.reason_zh}, {"en", t.veto.reason_en}}}}},
                          {"eligibility", std::move(el)}});
    }
    return json{{"org_id", s.org_id}, {"school_year", s.school_year}, {"teachers", std::move(teachers)}};
  });
}

}  // namespace edugov::http
