// The compliance sweep as jobs, and rectifications opened from a finding.
//
//   POST /api/v1/compliance/sweeps            立即检查 (bureau roles; 403 otherwise)
//        → 202 {job} started, or 200 {job, joined: true} when one is running
//          or queued (a second click joins it)
//   GET  /api/v1/compliance/sweeps            → 200 {current: job|null, last: job|null}
//   GET  /api/v1/compliance/sweeps/{id}       → 200 {job}; 404 unknown (jobs are
//        remembered in memory: the last 50)
//   POST /api/v1/compliance/sweeps/{id}/cancel → 200 {job} (bureau roles); 409
//        when it has finished
//   POST /api/v1/findings/{id}/rectification  发起整改 → 201 {case:{id, ref}};
//        409 {error, case:{id}} when the finding has one; 404 outside the
//        caller's subtree; 403 for a role that may not open rectifications
//
// job = {id, trigger: manual|schedule|import|startup, state: queued|running|
//        succeeded|failed|cancelled, requested_by, requested_at, started_at,
//        finished_at, as_of, progress:{stage: load|evaluate|save|cases|done,
//        done, total, percent}, result:{findings:{opened, standing, reopened,
//        resolved, withdrawn}, cases:{opened, linked, to_verify, regressed,
//        reopened, withdrawn}, rows, rules, ms}|null, error:{code, message}|null}
// The error message is in the request's language.
#pragma once

#include <nlohmann/json.hpp>

#include "compliance/sweep_jobs.h"
#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

// A job as the routes above (and the import's answer) show it.
nlohmann::json SweepJobJson(const compliance::SweepJobs::Job& job, Lang lang);

// `app` must outlive the router. Without app.sweeps the routes answer 503.
void RegisterSweepHandlers(Router& router, App& app);

}  // namespace edugov::http
