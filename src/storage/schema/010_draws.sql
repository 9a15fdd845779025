-- "Double random, one public" (双随机、一公开): inspection plans whose targets
-- and inspectors are drawn verifiably (src/draws, docs/ledgers.md). A plan is
-- drafted, then committed (the pools are frozen and the commitment to a
-- secret seed published), then drawn (the seed revealed, the result a pure
-- function of the published inputs). Times are BIGINT microseconds (UTC).
CREATE TABLE draw_plans (
  id {{ID}},
  name TEXT NOT NULL,
  year INTEGER NOT NULL,
  -- The bureau subtree the schools' pool is drawn from ("/1/").
  scope_path TEXT NOT NULL,
  -- The plan's parameters as canonical JSON (rate, team size, strata, …).
  params_json TEXT NOT NULL,
  -- Staff codes of the inspectors' pool, as the bureau chose them (JSON array).
  inspector_codes_json TEXT NOT NULL,
  -- The public input fixed in advance: the draw time and the value the
  -- bureau announces.
  draw_at_us BIGINT NOT NULL,
  announced TEXT NOT NULL,
  status TEXT NOT NULL,  -- draft | committed | drawn
  -- Secret until the draw: never served before status = 'drawn'.
  seed TEXT NOT NULL DEFAULT '',
  commitment TEXT NOT NULL DEFAULT '',
  -- The published inputs (pools frozen at commit) and the result, canonical JSON.
  inputs_json TEXT NOT NULL DEFAULT '',
  result_json TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  committed_at_us BIGINT NOT NULL DEFAULT 0,
  drawn_at_us BIGINT NOT NULL DEFAULT 0
);

-- The draws ledger: plan created, commitment published, draw made — each an
-- entry hash-chained with ledger/chain.h. The head row (exactly one) holds
-- the last seq and hash; appenders update it first, which serialises them
-- and lets verification notice a deleted tail.
CREATE TABLE draw_ledger_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO draw_ledger_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE draw_ledger (
  seq BIGINT PRIMARY KEY,
  at_us BIGINT NOT NULL,
  plan_id BIGINT NOT NULL,
  kind TEXT NOT NULL,  -- plan | commit | draw
  actor TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX draw_ledger_plan ON draw_ledger (plan_id);
