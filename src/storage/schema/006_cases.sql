-- Cases (docs/workflows.md): complaints, rectifications, approvals, hazards,
-- dropouts and misconduct on one workflow engine (src/cases), their timelines,
-- links, attachments, the notifications they send, and the sanctions ledger.
-- Times are BIGINT microseconds since the Unix epoch, as everywhere.

CREATE TABLE cases (
  id {{ID}},
  -- The number people quote: type prefix, year, sequence ("TS2025-000123").
  ref TEXT NOT NULL UNIQUE,
  case_type TEXT NOT NULL,
  state TEXT NOT NULL,
  title TEXT NOT NULL,
  -- complaint category, hazard grade, approval kind … (the type says which)
  category TEXT NOT NULL DEFAULT '',
  -- The unit the case is about (a school or township); NULL: county-level.
  org_id BIGINT REFERENCES orgs (id),
  -- Materialised path of org_id (of the county when org_id is NULL), for
  -- scoped reads: org_path LIKE principal_path || '%'.
  org_path TEXT NOT NULL,
  township_id BIGINT,
  -- The staff member concerned (misconduct) or accountable (a meal problem
  -- names the principal).
  staff_id BIGINT REFERENCES staff (id),
  -- Who must act now: 'school', 'township', 'department' or 'leadership'.
  assignee_level TEXT NOT NULL,
  assignee_org_id BIGINT,
  assignee_department TEXT NOT NULL DEFAULT '',
  escalation_level INTEGER NOT NULL DEFAULT 0,
  opened_at BIGINT NOT NULL,
  state_entered_at BIGINT NOT NULL,
  -- End of the current state's time limit; NULL when the state has none or
  -- the calendar does not cover the dates (then deadline_unknown = 1).
  due_at BIGINT,
  deadline_unknown INTEGER NOT NULL DEFAULT 0,
  extended_days INTEGER NOT NULL DEFAULT 0,
  reminded_at BIGINT,
  escalated_at BIGINT,
  closed_at BIGINT,
  -- Fields declared by the case type, without the confidential ones.
  fields_json TEXT NOT NULL DEFAULT '{}',
  -- The confidential fields (complainant's name and contact, a dropout's
  -- personal data) as JSON sealed with libsodium secretbox: nonce ‖ ciphertext.
  -- The key lives outside the database (docs/workflows.md).
  confidential {{BLOB}},
  -- Approvals: the fields frozen when approved, as canonical JSON.
  frozen_json TEXT,
  -- Where the case came from: 'public', 'finding', 'complaint', 'inspection', 'manual'.
  source_kind TEXT NOT NULL DEFAULT 'manual',
  source_id BIGINT,
  -- BLAKE2b-256 hex of the public tracking code; the code itself is never stored.
  tracking_hash TEXT UNIQUE,
  -- A repeated complaint about the same matter points at the case it joined.
  merged_into BIGINT REFERENCES cases (id),
  satisfaction INTEGER CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5),
  reopen_until BIGINT,
  created_by BIGINT,
  -- Optimistic concurrency: a transition names the version it saw.
  version INTEGER NOT NULL DEFAULT 1,
  updated_at BIGINT NOT NULL
);

CREATE INDEX cases_org_path ON cases (org_path {{PATTERN_OPS}});
CREATE INDEX cases_type_state ON cases (case_type, state);
CREATE INDEX cases_due ON cases (due_at);
CREATE INDEX cases_township ON cases (township_id);
CREATE INDEX cases_staff ON cases (staff_id);
CREATE INDEX cases_opened ON cases (opened_at);

-- Per type prefix and year, the last number handed out for refs.
CREATE TABLE case_counters (
  prefix TEXT NOT NULL,
  year INTEGER NOT NULL,
  last BIGINT NOT NULL,
  PRIMARY KEY (prefix, year)
);

-- The timeline: every open, transition, comment, reminder, escalation, link,
-- attachment, merge and rating, in order. Never updated or deleted.
CREATE TABLE case_events (
  id {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases (id),
  at BIGINT NOT NULL,
  actor_user_id BIGINT,
  -- username, 'public' or 'system'
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  transition TEXT,
  from_state TEXT,
  to_state TEXT,
  comment TEXT NOT NULL DEFAULT '',
  -- Non-confidential field values set by this event.
  fields_json TEXT NOT NULL DEFAULT '{}',
  -- 'internal': bureau and assignees only; 'public': also on the tracking page.
  visibility TEXT NOT NULL DEFAULT 'internal' CHECK (visibility IN ('internal', 'public'))
);

CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TABLE case_links (
  case_id BIGINT NOT NULL REFERENCES cases (id),
  other_case_id BIGINT NOT NULL REFERENCES cases (id),
  -- 'led_to' (a complaint → a misconduct case → …), 'merged', 'related'
  kind TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (case_id, other_case_id, kind)
);

CREATE TABLE case_findings (
  case_id BIGINT NOT NULL REFERENCES cases (id),
  finding_id BIGINT NOT NULL REFERENCES findings (id),
  PRIMARY KEY (case_id, finding_id)
);

CREATE INDEX case_findings_finding ON case_findings (finding_id);

CREATE TABLE case_attachments (
  id {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases (id),
  event_id BIGINT REFERENCES case_events (id),
  filename TEXT NOT NULL,
  -- from the bytes' signature, never from the client's claim
  content_type TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes {{BLOB}} NOT NULL,
  -- Attached by the complainant: seen only by complaint handlers.
  confidential INTEGER NOT NULL DEFAULT 0,
  uploaded_by TEXT NOT NULL,
  uploaded_at BIGINT NOT NULL
);

CREATE INDEX case_attachments_case ON case_attachments (case_id);

-- The in-app inbox: one row per recipient user.
CREATE TABLE notifications (
  id {{ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  case_id BIGINT REFERENCES cases (id),
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  read_at BIGINT
);

CREATE INDEX notifications_user ON notifications (user_id, read_at);

-- Outbound robots (DingTalk / WeCom JSON shape).
CREATE TABLE webhooks (
  id {{ID}},
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  -- 'dingtalk' or 'wecom'
  flavor TEXT NOT NULL DEFAULT 'dingtalk',
  -- comma-separated notice kinds, '' for all
  kinds TEXT NOT NULL DEFAULT '',
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL
);

-- The outbox: written in the transaction that caused it, sent afterwards,
-- retried with backoff until sent or given up.
CREATE TABLE webhook_deliveries (
  id {{ID}},
  webhook_id BIGINT NOT NULL REFERENCES webhooks (id),
  case_id BIGINT,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  sent_at BIGINT
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

-- The sanctions ledger (docs/ledger-format.md): misconduct decisions on the
-- sanction ladder and the one-vote veto they carry; hash-chained like the
-- audit log, head in ledger_heads.
INSERT INTO ledger_heads (ledger, seq, hash)
VALUES ('sanctions', 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE sanctions (
  seq BIGINT PRIMARY KEY,
  at_us BIGINT NOT NULL,
  staff_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL,
  org_path TEXT NOT NULL,
  case_id BIGINT NOT NULL,
  -- 'notice_of_criticism', 'warning', 'demerit', 'post_demotion',
  -- 'transfer_out_of_town', 'removal'
  measure TEXT NOT NULL,
  -- The year whose awards and promotions the one-vote veto bars.
  veto_year INTEGER NOT NULL,
  reason TEXT NOT NULL,
  -- principal and party secretary held accountable: JSON [{staff_id, role}]
  accountable_json TEXT NOT NULL DEFAULT '[]',
  decided_by TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE INDEX sanctions_staff ON sanctions (staff_id, veto_year);
CREATE INDEX sanctions_org_path ON sanctions (org_path {{PATTERN_OPS}});
