// The timetable routes (docs/timetable.md, "Web UI and API"): check an
// uploaded timetable, solve an instance, generate a demo school and solve
// it, and turn a result back into a printable XLSX or a .fet for FET.
//
//   POST /api/v1/timetable/check      body: a .fet (application/xml, text/xml)
//        or our YAML (application/yaml, text/yaml); the .fet's locked times
//        are the timetable, judged at today's plan norms (the policy pack's
//        thresholds and clauses) → 200 {instance, report, timetable,
//        placements, instance_yaml, norms, findings}; a bad file → 400
//        naming the line. For a school account (or ?school_id= of a school
//        in a bureau / township account's subtree) the plan-norm breaches
//        are stored as tt.* findings of that school (timetable_findings.h),
//        else findings: null
//   POST /api/v1/timetable/solve      same body; ?time_limit=S (1–30, default
//        10)&seed=N&first_complete=1 → 200 {…, solve}
//   POST /api/v1/timetable/generate   {stage, classes, students, seed,
//        time_limit} → a generated school, solved → 200 {…, solve}
//   POST /api/v1/timetable/export     ?format=xlsx|fet, body {instance_yaml,
//        placements, school} (what check/solve answered) → the file
//
//   GET    /api/v1/timetable/jobs/{id}   a job: {id, kind, state (queued |
//        running | done | failed | cancelled), queue_position, progress
//        {seconds, work, hard, soft} of the solver's best so far, result
//        (done: what the synchronous form answers), error (failed)}
//   DELETE /api/v1/timetable/jobs/{id}   cancels it (a running solve stops
//        within a few hundred moves)
//
// The solver never runs on the server's I/O threads: solve and generate are
// jobs on a small worker pool (TimetableJobOptions). With ?async=1 (check,
// solve) or "async": true (generate) the request answers 202 with the job at
// once; without it the request waits for its job (one such waiting request
// at a time, a second gets 503 with Retry-After), so the other I/O threads
// keep serving either way. A full queue answers 503, an account with too
// many unfinished jobs 429, both with Retry-After and a zh + en message.
// Jobs are in memory, visible only to the account that submitted them, and
// forgotten 10 minutes after they finish.
//
// Apart from a check's findings nothing is stored: every input comes in the
// request, so a user only
// ever works on data it sent itself; the org subtree needs no check beyond
// the role (bureau, township and school users; teachers and inspectors get
// 403).
#pragma once

#include <string>

#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

struct TimetableJobOptions {
  int workers = 2;        // solves running at once
  int max_queued = 4;     // waiting beyond that: 503
  int max_per_owner = 3;  // unfinished jobs per account: 429
};

// `app` must outlive the router; the job pool lives as long as the router
// (its destructor cancels running jobs and joins the workers).
// `curriculum_dir` holds the curriculum tables the generator reads
// (hunan-compulsory-example.yaml, hunan-senior-example.yaml), relative to
// the server's working directory. The timetable_norms that judge every
// check and shape every generated school are those of the pack in force:
// app.compliance's (serve --policy, loaded once per process and re-read
// when the file changes). Without a compliance service (the pack did not
// load: app.compliance_status), or when the pack lacks a value a judged norm
// needs today, /check and /generate answer that error (naming the
// parameter); solve, export and jobs do not need it.
void RegisterTimetableHandlers(Router& router, App& app,
                               const std::string& curriculum_dir = "policy/curriculum",
                               TimetableJobOptions jobs = {});

}  // namespace edugov::http
