// The sanctions ledger and the one-vote veto over HTTP
// (docs/ledger-format.md). Readers: bureau users (county-wide), township and
// school users (their own subtree — a school sees its own staff); teachers
// and inspectors get 403.
//
//   GET /api/v1/sanctions?staff=ID          → 200 {items:[sanction]} newest first,
//        of one staff member or, without `staff`, of the caller's subtree. A
//        staff member outside the subtree (or none) → 404.
//   GET /api/v1/staff/{id}/veto?year=YYYY   → 200 {vetoed, year, staff_id,
//        sanctions:[sanction with that veto year]}; year defaults to the
//        current year (Asia/Shanghai). 404 outside the subtree.
//   sanction = {seq, at, staff:{id,name}, org:{id,name}, case_id, measure,
//               measure_label:{zh,en}, veto_year, reason,
//               accountable:[{staff_id, name, role}], decided_by, hash}
#pragma once

#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

// `app` must outlive the router.
void RegisterSanctionHandlers(Router& router, App& app);

}  // namespace edugov::http
