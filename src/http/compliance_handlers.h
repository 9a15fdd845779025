// The compliance routes behind the dashboard, the target board and a
// finding's page. Scoped like findings_handlers.h: a user sees the
// findings and evidence of its own org subtree only.
//
//   GET  /api/v1/targets
//        → 200 {as_of, items:[{id, clause, title_zh, source_zh,
//                entity:{type,id,name}, measured|null, target, comparison,
//                deadline, expected, baseline:{date,value}|null,
//                status: on_track|at_risk|met|missed}]}
//        every target of the pack measured now (rules/evaluator.h); an entry
//        whose entity is outside the caller's subtree and not above it is
//        left out (a school sees the county's progress, not another school's).
//   GET  /api/v1/rules
//        → 200 {pack, title_zh, items:[{id, clause, title_zh, source_zh,
//                severity, parameters:[{name, label_zh, values:[{value,
//                valid_from, valid_to}]}]}]} — the pack's rules in pack order
//        (the plan's text is public policy: any signed-in user).
//   POST /api/v1/what-if   {params:{name|rule.name: number}, as_of?: "YYYY-MM-DD"}
//        → 200 {as_of, params, total:{now, what_if}, by_rule:[{rule, clause,
//                title_zh, now, what_if}], by_clause:[{clause, now, what_if}],
//                items:[{clause, township:{id,name}|null, what_if}]}
//        the pack's rules evaluated twice over the stored data — as declared
//        and with the parameters replaced — writing nothing. Bureau accounts
//        only (403 otherwise: it reads the whole county). An unknown
//        parameter or a non-number → 400 naming it.
//   GET  /api/v1/findings/trend?weeks=1…104 (default 12)&clause=
//        → 200 {weeks:[{week:"2025-W46", start, end, open, resolved, total}]}
//        findings counted by the ISO week of their period start (of the day
//        first seen when they have no period), the `weeks` weeks up to the
//        latest week with a finding, zeros included.
//   GET  /api/v1/findings/{id}
//        → 200 the finding as in GET /findings, plus township:{id,name}|null,
//          rule_info:{id, clause, title_zh, source_zh (the quoted clause
//                text), severity, parameters:[{name,label_zh}]}|null (null:
//                the rule is no longer in the pack),
//          evidence:{dataset, label_zh, count, row_ids,
//                    columns:[{name,label_zh,type}],
//                    rows:[{row_id, values:{column: value}, labels:{column: name}}]}
//        404 when it does not exist or lies outside the caller's subtree (the
//        same answer). Evidence rows are read from ds_<dataset> by id and
//        scoped again by their own org path; references are named
//        (class, school, staff) in `labels`.
//
//        plus case:{id, ref, state, state_label:{zh,en}}|null (the rectification
//        linked to it) and can_open_case (发起整改: POST /findings/{id}/rectification,
//        sweep_handlers.h).
//
// The pack is the compliance service's (app.compliance); without one the
// routes answer 503 with the reason and the rest of the server runs as usual.
#pragma once

#include <string>

#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

// `app` must outlive the router (as for every handler module).
void RegisterComplianceHandlers(Router& router, App& app);

}  // namespace edugov::http
