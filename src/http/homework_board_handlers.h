// 作业公示 over HTTP (src/homework_board/board.h, docs/homework-board.md).
// Signed-in routes — a teacher their assigned classes, school staff their
// school's, townships and the bureau read their subtree:
//
//   GET    /api/v1/homework-board/classes?school_id=        → {items:[class with token, public_path, teachers]}
//   GET    /api/v1/homework-board/classes/{id}/entries?from=&to= → {today, items:[entry]} (default: today)
//   POST   /api/v1/homework-board/classes/{id}/entries {date, subject, content, minutes, written}
//          → {entry, written_total, dataset_row_id, recheck} (recheck as the dataset form row's)
//   DELETE /api/v1/homework-board/classes/{id}/entries/{entry_id} → {written_total, dataset_row_id, recheck}
//   POST   /api/v1/homework-board/classes/{id}/link         → {token, public_path} (the old link stops working)
//   PUT    /api/v1/homework-board/classes/{id}/teachers {teachers:[username]} → 204
//   GET    /api/v1/homework-board/qr-sheet?school_id=       → text/html, A4 sheets of every class's QR code
//
// Public, no login, rate-limited per address like the complaint lookups:
//
//   GET /api/v1/public/homework/{token}?date=   → the class page: school and class names,
//        the day's and the week's entries, totals and the pack's norm — no names of people
//   GET /api/v1/public/homework/{token}/qr.svg  → the QR code of the page's link
// An unknown or rotated token is 404.
#pragma once

#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

struct HomeworkBoardOptions {
  int public_reads_per_minute = 60;  // per client address
};

// `app` must outlive the router. Without a compliance service the routes
// answer 503 with the reason (the norm and the dataset need the pack).
void RegisterHomeworkBoardHandlers(Router& router, App& app, HomeworkBoardOptions options = {});

}  // namespace edugov::http
