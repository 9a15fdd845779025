-- The audit ledger (docs/ledger-format.md): one row per change, hash-chained.
-- ledger_heads holds each chain's last sequence number and hash; appenders
-- update it first, which serialises them and lets verify notice a deleted tail.
CREATE TABLE ledger_heads (
  ledger TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);

INSERT INTO ledger_heads (ledger, seq, hash)
VALUES ('audit', 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at_us BIGINT NOT NULL,
  actor_user_id BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  before_json TEXT,
  after_json TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
