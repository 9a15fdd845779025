// The public complaint routes: no login, for parents and anyone
// else. Everything a complainant sends goes through cases::CaseEngine
// (cases/engine.h), which seals the name and phone (secretbox) so only the
// bureau's complaint handlers (信访办) ever read them; nothing here logs them
// (the access log line carries method, path and status only).
//
//   GET  /api/v1/public/complaint-form
//        → {categories:[{key,label}], townships:[{id,name,schools:[{id,name}]}],
//           max_attachment_bytes, max_attachments, reopen_within_days}
//        (public names only: no codes, flags or people)
//   POST /api/v1/public/complaints {category, kind?, school_id, text, anonymous, name, phone,
//                                   attachments:[{filename, content_base64}]}
//        kind: "complaint" (default) or "enquiry" (answered within 3 working days)
//        → 201 {tracking_code, ref, due_at, merged_into_ref}
//        400 naming the field (a wrong file type names the file), 413 oversize,
//        429 over the per-address intake limit
//   GET  /api/v1/public/complaints/{code}
//        → {ref, state, state_label, category, category_label, school, opened_at,
//           due_at, closed_at, events:[{at,kind,label,comment}], answer,
//           satisfaction, can_rate, can_reopen, merged_into_ref}
//        a forged or unknown code → 404, always with the same body
//   POST /api/v1/public/complaints/{code}/rating {satisfaction: 1..5, comment} → 200 as GET
//   POST /api/v1/public/complaints/{code}/reopen {reason}                     → 200 as GET
//
// Abuse: two token buckets per client address (RateLimiter, on app.clock):
// intakes (default 10 an hour, burst 10) and lookups — the form, tracking,
// rating, reopen — (default 60 a minute). Over either: 429 with Retry-After
// and a zh+en message. Refusals touch no database, so a flood from one
// address costs the server little and everyone else keeps being served.
#pragma once

#include "cases/case_type.h"
#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

struct PublicComplaintOptions {
  int intakes_per_hour = 10;
  int lookups_per_minute = 60;
};

// The complaint case type the public routes open.
inline constexpr const char* kComplaintCaseType = "complaint";

// `app` (with app.cases and app.clock set) and `types` must outlive the
// router. Registers nothing when app.cases is null or `types` has no
// complaint type.
void RegisterPublicComplaintHandlers(Router& router, App& app, const cases::CaseTypeRegistry& types,
                                     PublicComplaintOptions options = {});

}  // namespace edugov::http
