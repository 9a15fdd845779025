// The read-only findings routes (issue 3): what `edugov check` stored in the
// findings table (src/rules/findings_store.h), scoped to the caller's org
// subtree — a school sees findings about itself and its classes/staff, a
// township those of its schools, the bureau all.
//
//   GET /api/v1/findings?rule=&clause=&township=&school=&status=open|resolved
//                       &offset=&limit=
//        → 200 {items:[{id, rule, clause, severity, entity:{type,id,name},
//                       period:{kind,start,end}, measured, threshold,
//                       comparison, parameters:[{name,value,valid_from,valid_to}],
//                       evidence:{dataset,row_ids,count}, status, opened_on,
//                       last_seen_on, resolved_on, times_reopened}], total}
//        ordered by id; limit 1…500 (default 50), offset ≥ 0 (default 0).
//        A malformed value → 400 naming the parameter. `township`/`school`
//        name an org id: one that does not exist or lies outside the caller's
//        subtree → 404 (the same answer for both, so nothing leaks); one of
//        the wrong kind → 400. (A township's own org — its 中心学校 — is an
//        org of kind township: reach its findings with township=.)
//   GET /api/v1/findings/summary?status=open|resolved
//        → 200 {items:[{clause, township:{id,name}|null, open, resolved,
//                       total}]} — counts by clause × township within the
//        caller's subtree (township null: county-level entities).
//
// Both answer from a read cache per (route, caller's org path, query): a
// findings or registry write of this process shows at once, one of another
// process (`edugov check`) within 1 s (findings_handlers.cc; docs/architecture.md).
#pragma once

#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

// `app` must outlive the router (as for every handler module).
void RegisterFindingsHandlers(Router& router, App& app);

}  // namespace edugov::http
