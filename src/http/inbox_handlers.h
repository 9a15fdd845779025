// The in-app inbox and the webhook robots (docs/notifications.md).
//
//   GET  /api/v1/inbox?unread=1&limit=      → 200 {items:[{id, kind, title, body,
//        case_id|null, created_at, read_at|null}], unread}  — the caller's own
//        notices only, newest first; limit 1…500 (default 50); unread=1 keeps
//        the unread ones; `unread` counts all of the caller's unread notices.
//   POST /api/v1/inbox/{id}/read            → 200 {id, unread}; a notice that is
//        not the caller's answers 404 exactly like a missing one. Idempotent.
//   GET  /api/v1/webhooks                   → 200 {items:[{id, name, url (query
//        redacted), flavor, kinds, enabled, created_at, pending, sent, failed,
//        last_error}]}
//   POST /api/v1/webhooks {name, url, flavor, kinds, enabled} → 201 webhook
//   POST /api/v1/webhooks/{id} {enabled}    → 200 webhook
//        The webhook routes are for bureau leaders only (403 otherwise) and
//        every change is audited.
#pragma once

#include "http/app.h"
#include "http/router.h"

namespace edugov::http {

// `app` must outlive the router.
void RegisterInboxHandlers(Router& router, App& app);

}  // namespace edugov::http
