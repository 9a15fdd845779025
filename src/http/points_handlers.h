// Teacher points (教师积分, src/points, docs/ledgers.md "Teacher points")
// over HTTP. Thin: the service checks roles and the org subtree.
//
//   GET  /api/v1/points/policy                  → {clause, quote_zh, base_points,
//        objection_window_days, rules:[…], eligibility:[…]}
//   GET  /api/v1/points/me?year=YYYY            → ledger of the signed-in teacher
//   GET  /api/v1/points/teachers/{id}?year=YYYY → ledger {staff_id, name, org_id,
//        school_year, base_points, total, entries:[entry]}; 404 outside the subtree
//        (a teacher: anyone but themselves)
//   POST /api/v1/points/entries {staff_id, school_year, rule_id, quantity?, evidence, note?}
//        → 201 entry; a role the rule does not name → 403
//   POST /api/v1/points/entries/{seq}/corrections {rule_id, quantity?, evidence, note?}
//        → 201 the correcting entry; already corrected → 409 field "corrects"
//   POST /api/v1/points/entries/{seq}/objections {text} → 201 {entry_seq, case:{id, ref}}
//        the teacher's own entry, within the window; opens a points_objection case
//   GET  /api/v1/points/standings?org_id=ID&year=YYYY → {org_id, school_year,
//        teachers:[{staff_id, name, org_id, total, rank, veto:{vetoed, reason}, eligibility:[…]}]}
//   entry = {seq, at, staff_id, org_id, school_year, rule_id, rule_label, clause,
//            quantity, points, evidence, note, corrects_seq, corrected_by_seq,
//            objection_case_id, recorded_by, hash}
// `year` is the school year (2025: 2025–2026) and defaults to the current one
// (September onwards, China time).
#pragma once

#include "http/app.h"
#include "http/router.h"
#include "points/policy.h"

namespace edugov::http {

// `app` and `policy` must outlive the router.
void RegisterPointsHandlers(Router& router, App& app, const points::PointsPolicy& policy);

}  // namespace edugov::http
