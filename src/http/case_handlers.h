// The signed-in case routes (docs/workflows.md, docs/openapi.yaml):
// thin handlers over cases::CaseEngine (cases/engine.h), which decides who may
// see and do what — a case outside the caller's subtree answers 404 exactly
// like one that does not exist, confidential fields and attachments reach
// only the type's confidential readers.
//
//   GET  /api/v1/case-types                → {items:[case type]}
//   GET  /api/v1/cases?type=&state=&category=&org=&overdue=1&open=1&mine=1
//                     &q=&from=&to=&offset=&limit=
//                                          → {items:[case summary], total, offset, limit}
//        from/to: dates YYYY-MM-DD (Asia/Shanghai, both inclusive) on opened_at.
//   POST /api/v1/cases {type, title, org_id, staff_id, fields, comment,
//                       attachments:[{filename, content_base64}], linked_from}
//                                          → 201 case
//   GET  /api/v1/cases/{id}                → case (summary + fields, timeline,
//                                            attachments, links, available_transitions)
//   POST /api/v1/cases/{id}/transitions {transition, version, comment, fields, attachments}
//                                          → 200 case; 403 wrong role, 409 stale
//                                            version or wrong state, 400 bad field
//   GET  /api/v1/cases/{id}/attachments/{aid} → the bytes, with their sniffed type
//   POST /api/v1/cases/{id}/links {to, kind} → 204
//
// Attachments travel as base64 inside the JSON body (4 characters per 3
// bytes), so the write routes accept bodies up to kCaseBodyLimit (9 MiB:
// 6 MiB of files and the text); a bigger body answers 413 before the handler
// runs, a file over kCaseAttachmentLimits.max_bytes 413 naming it.
#pragma once

#include <cstddef>

#include "cases/case_type.h"
#include "http/app.h"
#include "http/case_json.h"
#include "http/router.h"

namespace edugov::http {

inline constexpr size_t kCaseBodyLimit = 9 * 1024 * 1024;
inline constexpr AttachmentLimits kCaseAttachmentLimits{};

// `app` (with app.cases set) and `types` (the registry the engine runs) must
// outlive the router. Registers nothing when app.cases is null.
void RegisterCaseHandlers(Router& router, App& app, const cases::CaseTypeRegistry& types);

}  // namespace edugov::http
