-- Teacher points (教师积分, src/points, docs/ledgers.md "Teacher points"): a
-- hash-chained, append-only ledger of earned and deducted points per teacher
-- per school year, each entry with the policy rule and clause it applies,
-- its evidence and who recorded it. A correction is a new entry naming the
-- corrected one (corrects_seq); nothing is ever updated or deleted. The
-- chain's head is the row 'points' of ledger_heads.
INSERT INTO ledger_heads (ledger, seq, hash)
VALUES ('points', 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE points_entries (
  seq BIGINT PRIMARY KEY,
  at_us BIGINT NOT NULL,
  staff_id BIGINT NOT NULL,
  -- The teacher's school when the entry was recorded, and its path: the
  -- entry stays that school's to read even if the teacher moves.
  org_id BIGINT NOT NULL,
  org_path TEXT NOT NULL,
  school_year INTEGER NOT NULL,  -- 2025: the school year 2025–2026
  rule_id TEXT NOT NULL,
  clause TEXT NOT NULL,          -- the rule's clause, quoted when recorded
  quantity BIGINT NOT NULL,
  points BIGINT NOT NULL,        -- quantity × the rule's points per unit
  evidence TEXT NOT NULL,
  note TEXT NOT NULL,
  corrects_seq BIGINT NOT NULL,  -- 0, or the entry this one corrects
  recorded_by TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX points_entries_staff ON points_entries (staff_id, school_year);
CREATE INDEX points_entries_year_path ON points_entries (school_year, org_path);
-- One correction per entry: a second is refused by the service, and by the
-- database should two race.
CREATE UNIQUE INDEX points_entries_corrects ON points_entries (corrects_seq) WHERE corrects_seq > 0;

-- Objections (异议) a teacher filed against an entry: each opens a case of
-- type points_objection (policy/cases/points_objection.yaml).
CREATE TABLE points_objections (
  id {{ID}},
  entry_seq BIGINT NOT NULL,
  staff_id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  filed_by TEXT NOT NULL,
  filed_at_us BIGINT NOT NULL
);
CREATE INDEX points_objections_entry ON points_objections (entry_seq);
