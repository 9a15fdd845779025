// The dataset routes (docs/datasets.md): imports of CSV/XLSX files, the
// annotated error file of an import, and one row from a web form.
//
//   POST /api/v1/datasets/{name}/import   body: the file; Content-Type text/csv
//        or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;
//        ?file_name=&encoding=auto|utf-8|gbk&sheet=  → 200 report (every row
//        landed) or 422 report (some rejected; the good ones landed)
//   GET  /api/v1/imports/{id}             the import's record
//   GET  /api/v1/imports/{id}/errors.csv  the rejected rows with 错误列/错误原因
//   POST /api/v1/datasets/{name}/rows     one JSON row {column: value, …}
//        → 201 {row_id, import_id, updated} or 422 with the problems
//   GET  /api/v1/datasets                 the declared datasets and columns
//
//   The import's answer carries `sweep`: the job that will judge its rows
//   (sweep_handlers.h) when the pack reads the dataset. The form row's
//   answer carries `recheck`: its findings re-checked at once, the groups
//   still running (`in_progress`: a week not over yet, with the value so
//   far, where it is heading and whether that breaks the norm) and the
//   rectifications moved.
//
// The schemas are those of the pack the compliance service loaded (serve
// start); without one every dataset route answers 503 with the reason, and
// the rest of the server runs as usual.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "compliance/service.h"
#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

inline constexpr const char* kDefaultPolicyPath = "policy/anhua-2025.yaml";

// `app` must outlive the router (as for every handler module).
void RegisterDatasetHandlers(Router& router, App& app);

// The re-check's outcome for a form row's answer (`recheck` above): counts,
// the open finding ids, the groups still running, the rectifications moved;
// or {error} (logged) when it failed — the row has landed either way. The
// 作业公示 entry answers with the same (homework_board_handlers.h).
nlohmann::json RecheckJson(const StatusOr<compliance::SubmitResult>& r, Lang lang);

}  // namespace edugov::http
