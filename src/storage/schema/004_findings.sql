-- Findings of the rules engine (src/rules, docs/policy-format.md). One row per
-- (rule, entity, period): re-running a check updates the standing row
-- (last_seen_on, measured value, evidence) instead of adding another, and
-- marks a row no longer violated 'resolved' with the as-of date. A finding
-- violated again after it was resolved is reopened (status back to 'open',
-- resolved_on cleared, times_reopened + 1).
CREATE TABLE findings (
  id {{ID}},
  rule_id TEXT NOT NULL,
  clause TEXT NOT NULL,
  severity TEXT NOT NULL,
  -- 'class', 'school', 'township', 'county', 'org' or 'staff'
  entity_type TEXT NOT NULL,
  entity_id BIGINT NOT NULL,
  -- materialised path of the entity's org (of a class: its school), for
  -- scoped reads: WHERE org_path LIKE principal_path || '%'
  org_path TEXT NOT NULL,
  township_id BIGINT,
  period_kind TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  measured {{REAL}},
  threshold {{REAL}},
  comparison TEXT NOT NULL,
  -- [{"name":…, "value":…, "valid_from":"YYYY-MM-DD", "valid_to":…}]
  parameters_json TEXT NOT NULL,
  -- {"dataset":"homework","row_ids":[…]}; row ids capped, see evidence_count
  evidence_json TEXT NOT NULL,
  evidence_count BIGINT NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
  first_seen_on TEXT NOT NULL,
  last_seen_on TEXT NOT NULL,
  resolved_on TEXT,
  times_reopened INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (rule_id, entity_type, entity_id, period_start)
);

CREATE INDEX findings_clause ON findings (clause, status);
CREATE INDEX findings_org_path ON findings (org_path {{PATTERN_OPS}});
CREATE INDEX findings_township ON findings (township_id, status);
