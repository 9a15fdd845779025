// /api/v1/draws and /api/v1/public/inspections (draw_handlers.h lists the
// routes): the plans of src/draws/store.h as JSON. Handlers hold no SQL and
// no rules: who may plan, what a bad plan is and what the public sees are
// the store's.
#include "http/draw_handlers.h"

#include <nlohmann/json.hpp>

#include "draws/store.h"
#include "http/json_input.h"
#include "http/route.h"

namespace edugov::http {
namespace {

using nlohmann::json;

std::string At(int64_t us) { return us == 0 ? std::string() : FormatTimestamp(FromUnixMicros(us)); }

json PlanJson(const draws::Plan& p) {
  json j = {{"id", p.id},
            {"name", p.name},
            {"year", p.year},
            {"status", p.status},
            {"params",
             {{"rate_percent", p.params.rate_percent},
              {"team_size", p.params.team_size},
              {"conflict_years", p.params.conflict_years},
              {"strata", p.params.strata}}},
            {"inspectors", p.inspector_codes},
            {"draw_at", At(p.draw_at_us)},
            {"announced", p.announced},
            {"public_input", p.public_input},
            {"commitment", p.commitment},
            {"seed", p.seed},
            {"created_by", p.created_by},
            {"created_at", At(p.created_at_us)},
            {"committed_at", At(p.committed_at_us)},
            {"drawn_at", At(p.drawn_at_us)},
            {"result", nullptr}};
  if (!p.result_json.empty()) j["result"] = json::parse(p.result_json, nullptr, false);
  return j;
}

// What the public sees: names and dates, no staff codes.
json PublishedJson(const draws::Plan& p) {
  json schools = json::array();
  json strata = json::array();
  if (!p.result_json.empty()) {
    json r = json::parse(p.result_json, nullptr, false);
    if (r.is_object()) {
      for (const auto& q : r.value("strata", json::array())) strata.push_back(q);
      for (const auto& a : r.value("assignments", json::array())) {
        json names = json::array();
        for (const auto& i : a.value("inspectors", json::array())) names.push_back(i.value("name", ""));
        schools.push_back({{"school", a["school"].value("name", "")},
                           {"stratum", a.value("stratum", "")},
                           {"inspectors", std::move(names)}});
      }
    }
  }
  return {{"id", p.id},
          {"name", p.name},
          {"year", p.year},
          {"status", p.status},
          {"draw_at", At(p.draw_at_us)},
          {"announced", p.announced},
          {"public_input", p.public_input},
          {"commitment", p.commitment},
          {"committed_at", At(p.committed_at_us)},
          {"drawn_at", At(p.drawn_at_us)},
          {"seed", p.seed},
          {"strata", std::move(strata)},
          {"schools", std::move(schools)}};
}

StatusOr<std::vector<std::string>> StringList(const JsonInput& in, const char* field) {
  const json& j = in.json();
  std::vector<std::string> out;
  if (!j.contains(field) || !j[field].is_array()) {
    return FieldError(field, std::string(field) + " must be an array of strings",
                      std::string(field) + " 须为字符串数组");
  }
  for (const auto& v : j[field]) {
    if (!v.is_string()) {
      return FieldError(field, std::string(field) + " must be an array of strings",
                        std::string(field) + " 须为字符串数组");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

StatusOr<draws::PlanSpec> SpecFrom(const JsonInput& in) {
  draws::PlanSpec spec;
  ASSIGN_OR_RETURN(spec.name, in.RequiredString("name"));
  ASSIGN_OR_RETURN(int64_t year, in.RequiredInt("year"));
  if (year < 2000 || year > 2100) {
    return FieldError("year", "year must be between 2000 and 2100", "year 须在 2000 到 2100 之间");
  }
  spec.year = static_cast<int>(year);
  ASSIGN_OR_RETURN(auto rate, in.OptionalInt("rate_percent"));
  if (rate && (*rate < 1 || *rate > 100)) {
    return FieldError("rate_percent", "rate_percent must be between 1 and 100",
                      "rate_percent 须在 1 到 100 之间");
  }
  spec.rate_percent = rate ? static_cast<int>(*rate) : 0;
  if (in.Has("strata")) {
    ASSIGN_OR_RETURN(auto strata, StringList(in, "strata"));
    spec.strata = std::move(strata);
  }
  ASSIGN_OR_RETURN(spec.inspector_codes, StringList(in, "inspectors"));
  ASSIGN_OR_RETURN(spec.draw_at, in.RequiredString("draw_at"));
  ASSIGN_OR_RETURN(spec.announced, in.RequiredString("announced"));
  return spec;
}

}  // namespace

void RegisterDrawHandlers(Router& router, App& app, const draws::DrawPolicy& policy) {
  RouteBuilder routes(router, app);
  const draws::DrawPolicy* pol = &policy;

  routes.Get("/api/v1/draws/policy").Json([pol](RouteContext& c) -> StatusOr<json> {
    if (!c.principal().IsBureau()) {
      return PermissionDeniedError("inspection draws are run by the bureau only",
                                   "“双随机、一公开”抽查仅由教育局开展");
    }
    return json{{"clause", pol->clause},
                {"quote_zh", pol->quote_zh},
                {"min_rate_percent", pol->min_rate_percent},
                {"team_size", pol->team_size},
                {"conflict_years", pol->conflict_years},
                {"strata", pol->strata}};
  });

  routes.Get("/api/v1/draws").Json([](RouteContext& c) -> StatusOr<json> {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto plans, draws::ListPlans(*conn, c.principal()));
    json items = json::array();
    for (const auto& p : plans) items.push_back(PlanJson(p));
    return json{{"items", std::move(items)}};
  });

  routes.Post("/api/v1/draws")
      .JsonBody({"name", "year", "rate_percent", "strata", "inspectors", "draw_at", "announced"})
      .Returns(201)
      .Json([pol](RouteContext& c) -> StatusOr<json> {
        if (!c.principal().IsBureau()) {
          return PermissionDeniedError("inspection draws are run by the bureau only",
                                       "“双随机、一公开”抽查仅由教育局开展");
        }
        ASSIGN_OR_RETURN(draws::PlanSpec spec, SpecFrom(c.body()));
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        ASSIGN_OR_RETURN(auto plan, draws::CreatePlan(*conn, c.principal(), *c.app().clock, *pol, spec));
        c.LogNote("draw_plan=" + std::to_string(plan.id));
        return PlanJson(plan);
      });

  routes.Get("/api/v1/draws/{id}").Ids({"id"}).Json([](RouteContext& c) -> StatusOr<json> {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto plan, draws::GetPlan(*conn, c.principal(), c.Id()));
    return PlanJson(plan);
  });

  routes.Post("/api/v1/draws/{id}/commit").Ids({"id"}).Json([pol](RouteContext& c) -> StatusOr<json> {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto plan, draws::CommitPlan(*conn, c.principal(), *c.app().clock, *c.app().random,
                                                  *pol, c.Id()));
    return PlanJson(plan);
  });

  routes.Post("/api/v1/draws/{id}/draw").Ids({"id"}).Json([](RouteContext& c) -> StatusOr<json> {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto plan, draws::DrawPlan(*conn, c.principal(), *c.app().clock, c.Id()));
    return PlanJson(plan);
  });

  routes.Get("/api/v1/public/inspections").Public().Json([](RouteContext& c) -> StatusOr<json> {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto plans, draws::ListPublished(*conn));
    json items = json::array();
    for (const auto& p : plans) items.push_back(PublishedJson(p));
    return json{{"items", std::move(items)}};
  });

  routes.Get("/api/v1/public/inspections/{id}/inputs")
      .Public()
      .Ids({"id"})
      .Raw([](RouteContext& c) -> StatusOr<Response> {
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        ASSIGN_OR_RETURN(std::string doc, draws::PublishedDocument(*conn, c.Id()));
        Response r;
        r.body = std::move(doc);
        r.AddHeader("Content-Disposition",
                    "attachment; filename=\"draw-" + std::to_string(c.Id()) + "-inputs.json\"");
        return r;
      });
}

}  // namespace edugov::http
