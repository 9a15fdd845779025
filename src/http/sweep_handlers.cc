// Sweep jobs and 发起整改 (sweep_handlers.h): thin — check the role, call the
// compliance service or its jobs, map the result.
#include "http/sweep_handlers.h"

#include <algorithm>

#include "compliance/service.h"
#include "http/route.h"

namespace edugov::http {
namespace {

using accounts::Principal;
using compliance::SweepControl;
using compliance::SweepJobs;

Status NotBureau() {
  return PermissionDeniedError("only bureau accounts may run or cancel a county-wide check",
                               "只有县教育局账号可以发起或取消全县检查");
}

Status NoSweeps(const App& app) {
  const Status& why = app.compliance_status;
  return UnavailableError("compliance checks are unavailable: " + why.message_en(),
                          "合规检查不可用：" + why.message_zh());
}

nlohmann::json Time(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(FormatTimestamp(*t)) : nlohmann::json();
}

// Overall percent: loading 0–30, judging 30–80, saving 80–90, cases 90–100.
int Percent(SweepJobs::State state, const SweepControl::Snapshot& p) {
  if (state == SweepJobs::State::kSucceeded) return 100;
  if (state == SweepJobs::State::kQueued) return 0;
  const double part = p.total > 0 ? std::clamp(static_cast<double>(p.done) / p.total, 0.0, 1.0) : 0.0;
  switch (p.stage) {
    case SweepControl::Stage::kLoad: return static_cast<int>(30 * part);
    case SweepControl::Stage::kEvaluate: return 30 + static_cast<int>(50 * part);
    case SweepControl::Stage::kSave: return 80 + static_cast<int>(10 * part);
    case SweepControl::Stage::kCases: return 90 + static_cast<int>(9 * part);
    case SweepControl::Stage::kDone: return 100;
  }
  return 0;
}

Status SweepsAvailable(const App& app) { return app.sweeps ? OkStatus() : NoSweeps(app); }

}  // namespace

nlohmann::json SweepJobJson(const SweepJobs::Job& job, Lang lang) {
  nlohmann::json result;
  if (job.result) {
    const compliance::SweepReport& r = *job.result;
    result = {{"findings",
               {{"opened", r.findings.opened},
                {"standing", r.findings.standing},
                {"reopened", r.findings.reopened},
                {"resolved", r.findings.resolved},
                {"withdrawn", r.withdrawn}}},
              {"cases",
               {{"opened", r.cases.opened},
                {"linked", r.cases.linked},
                {"to_verify", r.cases.to_verify},
                {"regressed", r.cases.regressed},
                {"reopened", r.cases.reopened},
                {"withdrawn", r.cases.withdrawn}}},
              {"rows", r.rows},
              {"rules", r.rules},
              {"ms", r.load_ms + r.evaluate_ms + r.save_ms + r.cases_ms}};
  }
  nlohmann::json error;
  if (job.state == SweepJobs::State::kFailed) {
    error = {{"code", std::string(StatusCodeName(job.error.code()))},
             {"message", lang == Lang::kZh ? job.error.message_zh() : job.error.message_en()}};
  }
  return {{"id", job.id},
          {"trigger", std::string(compliance::TriggerName(job.trigger))},
          {"state", std::string(compliance::StateName(job.state))},
          {"requested_by", job.requested_by.empty() ? nlohmann::json() : nlohmann::json(job.requested_by)},
          {"requested_at", FormatTimestamp(job.requested_at)},
          {"started_at", Time(job.started_at)},
          {"finished_at", Time(job.finished_at)},
          {"as_of", job.as_of.ToString()},
          {"progress",
           {{"stage", std::string(compliance::StageName(job.progress.stage))},
            {"done", job.progress.done},
            {"total", job.progress.total},
            {"percent", Percent(job.state, job.progress)}}},
          {"result", std::move(result)},
          {"error", std::move(error)}};
}

void RegisterSweepHandlers(Router& router, App& app) {
  RouteBuilder routes(router, app);
  // 202 with the new job, or 200 with the running one it joined.
  routes.Post("/api/v1/compliance/sweeps").Raw([](RouteContext& c) -> StatusOr<Response> {
    RETURN_IF_ERROR(SweepsAvailable(c.app()));
    const Principal& p = c.principal();
    if (!p.IsBureau()) return NotBureau();
    auto [job, joined] = c.app().sweeps->Start(SweepJobs::Trigger::kManual,
                                               p.display_name.empty() ? p.username : p.display_name);
    if (joined) return JsonResponse({{"job", SweepJobJson(job, c.lang())}, {"joined", true}});
    c.LogNote("sweep=" + std::to_string(job.id));
    return JsonResponse({{"job", SweepJobJson(job, c.lang())}}, 202);
  });
  routes.Get("/api/v1/compliance/sweeps").Json([](RouteContext& c) -> StatusOr<nlohmann::json> {
    RETURN_IF_ERROR(SweepsAvailable(c.app()));
    auto current = c.app().sweeps->Current();
    auto last = c.app().sweeps->LastFinished();
    // Jobs live in memory; after a restart the findings still say when the
    // county was last judged (the demo's own sweep, yesterday's 02:00 one).
    ASSIGN_OR_RETURN(std::string judged, c.app().compliance->LastJudgedOn());
    return nlohmann::json{{"current", current ? SweepJobJson(*current, c.lang()) : nlohmann::json()},
                          {"last", last ? SweepJobJson(*last, c.lang()) : nlohmann::json()},
                          {"last_judged_on", judged.empty() ? nlohmann::json() : nlohmann::json(judged)}};
  });
  routes.Get("/api/v1/compliance/sweeps/{id}").Ids({"id"}).Json([](RouteContext& c) -> StatusOr<nlohmann::json> {
    RETURN_IF_ERROR(SweepsAvailable(c.app()));
    auto job = c.app().sweeps->Get(c.Id());
    if (!job) return NotFoundError("no such sweep job", "没有该检查任务");
    return nlohmann::json{{"job", SweepJobJson(*job, c.lang())}};
  });
  routes.Post("/api/v1/compliance/sweeps/{id}/cancel").Ids({"id"})
      .Json([](RouteContext& c) -> StatusOr<nlohmann::json> {
        RETURN_IF_ERROR(SweepsAvailable(c.app()));
        if (!c.principal().IsBureau()) return NotBureau();
        ASSIGN_OR_RETURN(SweepJobs::Job job, c.app().sweeps->Cancel(c.Id()));
        return nlohmann::json{{"job", SweepJobJson(job, c.lang())}};
      });
  // 201 with the case; 409 naming the case a finding already has, with its id
  // beside the error so the UI can link to it.
  routes.Post("/api/v1/findings/{id}/rectification").Ids({"id"}).Raw([](RouteContext& c) -> StatusOr<Response> {
    if (!c.app().compliance) return NoSweeps(c.app());
    auto opened = c.app().compliance->OpenRectification(c.principal(), c.Id());
    if (opened.ok()) return JsonResponse({{"case", {{"id", opened->id}, {"ref", opened->ref}}}}, 201);
    const Status& s = opened.status();
    if (s.code() != StatusCode::kAlreadyExists || s.field().rfind("case:", 0) != 0) return s;
    Response res = ErrorResponse(Status(s.code(), s.message_en(), s.message_zh(), "case"), c.lang());
    auto body = nlohmann::json::parse(res.body, nullptr, false);
    if (body.is_object()) {
      const int64_t id = std::stoll(s.field().substr(5));
      body["case"] = {{"id", id}};
      // Its number (整改-2025-0042) too, for "已有整改案件 …" with a link; a
      // case the caller may not open is left at its id (the message names it).
      if (c.app().cases) {
        if (auto existing = c.app().cases->Get(cases::Actor::User(c.principal()), id); existing.ok()) {
          body["case"]["ref"] = existing->ref;
        }
      }
      res.body = body.dump();
    }
    return res;
  });
}

}  // namespace edugov::http
