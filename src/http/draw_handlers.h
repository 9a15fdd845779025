// "Double random, one public" (双随机、一公开) inspection draws over HTTP
// (src/draws, docs/ledgers.md). Bureau routes — bureau leadership and
// departments only, 403 for everyone else:
//
//   GET  /api/v1/draws/policy            → {clause, quote_zh, min_rate_percent, team_size,
//                                           conflict_years, strata}
//   GET  /api/v1/draws                   → {items:[plan]} newest first
//   POST /api/v1/draws {name, year, rate_percent?, strata?, inspectors:[staff code],
//                       draw_at, announced} → 201 plan (draft)
//   GET  /api/v1/draws/{id}              → plan
//   POST /api/v1/draws/{id}/commit       → plan (committed: pools frozen, commitment public)
//   POST /api/v1/draws/{id}/draw         → plan (drawn: seed revealed, result)
//
// Public, no login (the 一公开 half):
//
//   GET /api/v1/public/inspections            → {items:[published]}: committed and drawn
//        plans with their commitment, public input, dates and — once drawn — the
//        seed and the drawn schools' names with their inspectors' display names
//   GET /api/v1/public/inspections/{id}/inputs → the inputs document `edugov draw
//        verify FILE` re-runs (application/json, an attachment)
#pragma once

#include "draws/draw_policy.h"
#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

// `app` and `policy` must outlive the router.
void RegisterDrawHandlers(Router& router, App& app, const draws::DrawPolicy& policy);

}  // namespace edugov::http
