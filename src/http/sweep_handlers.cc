// Sweep jobs and 发起整改 (sweep_handlers.h): thin — check the role, call the
// compliance service or its jobs, map the result.
#include "http/sweep_handlers.h"

#include <algorithm>

#include "compliance/service.h"
#include "http/json_input.h"

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

StatusOr<int64_t> JobId(Request& req) { return ParseId(req.path_params["id"]); }

Response JobResponse(const SweepJobs::Job& job, Lang lang, int status = 200) {
  return JsonResponse({{"job", SweepJobJson(job, lang)}}, status);
}

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
  router.Add(Method::kPost, "/api/v1/compliance/sweeps",
             Authed(app, [&app](Request& req, const Principal& p) -> Response {
               if (!app.sweeps) return ErrorResponse(NoSweeps(app), req.lang);
               if (!p.IsBureau()) return ErrorResponse(NotBureau(), req.lang);
               auto [job, joined] = app.sweeps->Start(SweepJobs::Trigger::kManual,
                                                      p.display_name.empty() ? p.username : p.display_name);
               if (joined) return JsonResponse({{"job", SweepJobJson(job, req.lang)}, {"joined", true}});
               Response res = JobResponse(job, req.lang, 202);
               res.log_note = "sweep=" + std::to_string(job.id);
               return res;
             }));
  router.Add(Method::kGet, "/api/v1/compliance/sweeps",
             Authed(app, [&app](Request& req, const Principal&) -> Response {
               if (!app.sweeps) return ErrorResponse(NoSweeps(app), req.lang);
               auto current = app.sweeps->Current();
               auto last = app.sweeps->LastFinished();
               return JsonResponse({{"current", current ? SweepJobJson(*current, req.lang) : nlohmann::json()},
                                    {"last", last ? SweepJobJson(*last, req.lang) : nlohmann::json()}});
             }));
  router.Add(Method::kGet, "/api/v1/compliance/sweeps/{id}",
             Authed(app, [&app](Request& req, const Principal&) -> Response {
               if (!app.sweeps) return ErrorResponse(NoSweeps(app), req.lang);
               auto id = JobId(req);
               if (!id.ok()) return ErrorResponse(id.status(), req.lang);
               auto job = app.sweeps->Get(*id);
               if (!job) return ErrorResponse(NotFoundError("no such sweep job", "没有该检查任务"), req.lang);
               return JobResponse(*job, req.lang);
             }));
  router.Add(Method::kPost, "/api/v1/compliance/sweeps/{id}/cancel",
             Authed(app, [&app](Request& req, const Principal& p) -> Response {
               if (!app.sweeps) return ErrorResponse(NoSweeps(app), req.lang);
               if (!p.IsBureau()) return ErrorResponse(NotBureau(), req.lang);
               auto id = JobId(req);
               if (!id.ok()) return ErrorResponse(id.status(), req.lang);
               auto job = app.sweeps->Cancel(*id);
               if (!job.ok()) return ErrorResponse(job.status(), req.lang);
               return JobResponse(*job, req.lang);
             }));
  router.Add(Method::kPost, "/api/v1/findings/{id}/rectification",
             Authed(app, [&app](Request& req, const Principal& p) -> Response {
               if (!app.compliance) return ErrorResponse(NoSweeps(app), req.lang);
               auto id = JobId(req);
               if (!id.ok()) return ErrorResponse(id.status(), req.lang);
               auto opened = app.compliance->OpenRectification(p, *id);
               if (!opened.ok()) {
                 const Status& s = opened.status();
                 if (s.code() == StatusCode::kAlreadyExists && s.field().rfind("case:", 0) == 0) {
                   Response res = ErrorResponse(Status(s.code(), s.message_en(), s.message_zh(), "case"), req.lang);
                   auto body = nlohmann::json::parse(res.body, nullptr, false);
                   if (body.is_object()) {
                     body["case"] = {{"id", std::stoll(s.field().substr(5))}};
                     res.body = body.dump();
                   }
                   return res;
                 }
                 return ErrorResponse(s, req.lang);
               }
               return JsonResponse({{"case", {{"id", opened->id}, {"ref", opened->ref}}}}, 201);
             }));
}

}  // namespace edugov::http
