// The timetable routes (docs/timetable.md, "Web UI and API"): check an
// uploaded timetable, solve an instance, generate a demo school and solve
// it, and turn a result back into a printable XLSX or a .fet for FET.
//
//   POST /api/v1/timetable/check      body: a .fet (application/xml, text/xml)
//        or our YAML (application/yaml, text/yaml); the .fet's locked times
//        are the timetable → 200 {instance, report, timetable, placements,
//        instance_yaml}; a bad file → 400 naming the line
//   POST /api/v1/timetable/solve      same body; ?time_limit=S (1–30, default
//        10)&seed=N&first_complete=1 → 200 {…, solve}
//   POST /api/v1/timetable/generate   {stage, classes, students, seed,
//        time_limit} → a generated school, solved → 200 {…, solve}
//   POST /api/v1/timetable/export     ?format=xlsx|fet, body {instance_yaml,
//        placements, school} (what check/solve answered) → the file
//
// Stateless: nothing is stored, and every input comes in the request, so a
// user only ever works on data it sent itself; the org subtree needs no
// check beyond the role (bureau, township and school users; teachers and
// inspectors get 403). Solving runs on the I/O thread that took the
// request; the time limit is capped at 30 s and one solve runs at a time
// (a second gets 503 with Retry-After), so the other I/O threads keep
// serving.
#pragma once

#include <string>

#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

// `app` must outlive the router. `curriculum_dir` holds the curriculum
// tables the generator reads (hunan-compulsory-example.yaml,
// hunan-senior-example.yaml), relative to the server's working directory.
void RegisterTimetableHandlers(Router& router, App& app,
                               const std::string& curriculum_dir = "policy/curriculum");

}  // namespace edugov::http
