-- The status a linked finding had when the compliance sweep last looked
-- ('open', 'resolved', 'withdrawn'; NULL: never looked, read as 'open'). A
-- rectification moves back only when a finding changes — resolved then open
-- again — not because a past week's finding stays open after the school
-- answered (that is the verifier's call). docs/workflows.md.
ALTER TABLE case_findings ADD COLUMN status_seen TEXT;
