// The complaint analysis report over HTTP (plan item 5; the report
// itself: src/reports, docs/reports.md).
//
//   GET /api/v1/reports/complaints?kind=routine|regional|topical&from=YYYY-MM-DD
//       &to=YYYY-MM-DD&topic=<category>&scope=<org id>&format=json|html|pdf|xlsx
//     → 200 the report: JSON (default), a printable HTML page, a PDF or an
//       XLSX workbook (the latter two as attachments).
//
// Point-to-point: the report covers the caller's own subtree — the county
// for bureau users, its own township or school for a township or school
// user — never more. `scope` narrows it to an org inside that subtree (one
// outside it, or none, → 404, the same answer for both). Teachers → 403.
// Bad parameters → 400 naming the parameter; PDF without Chromium installed
// → 503 saying what to install. Overdue counts are as of the end of `to`, or
// the start of the current minute when the period is still running. A PDF
// printed before from the same page (same data, scope, period, as-of) is
// served from memory; the answer says which in X-Report-Cache: miss (printed
// now), hit (from memory) or joined (an identical print under way, shared).
#pragma once

#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

// `app` must outlive the router (as for every handler module).
void RegisterReportHandlers(Router& router, App& app);

}  // namespace edugov::http
