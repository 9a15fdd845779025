-- Dataset imports and their quarantine (docs/datasets.md). The dataset
-- tables themselves (ds_<name>) are not created here: their columns come
-- from the policy pack, so datasets::EnsureDatasetTables creates them.

-- One row per import of a file (or a web-form row batch) into a dataset.
-- status: 'running' while the import transaction is open — a crash rolls the
-- row back with everything else, so a stored row is always 'done' (all rows
-- landed) or 'partial' (some rows landed, the rest are in quarantine) or
-- 'rejected' (no row landed).
CREATE TABLE imports (
  id {{ID}},
  dataset TEXT NOT NULL,
  file_name TEXT NOT NULL,
  encoding TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('csv', 'xlsx', 'form')),
  rows_total BIGINT NOT NULL DEFAULT 0,
  rows_ok BIGINT NOT NULL DEFAULT 0,
  rows_rejected BIGINT NOT NULL DEFAULT 0,
  rows_updated BIGINT NOT NULL DEFAULT 0,
  actor TEXT NOT NULL,
  actor_user_id BIGINT NOT NULL DEFAULT 0,
  actor_org_path TEXT NOT NULL,
  header_json TEXT NOT NULL DEFAULT '[]',
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'partial', 'rejected'))
);

CREATE INDEX imports_dataset ON imports (dataset, started_at);

-- One row per problem of a rejected row: a row with two bad cells has two
-- quarantine rows with the same row_number. raw_row is the whole source row
-- as a JSON array of strings (the cells as read, UTF-8), so the annotated
-- error file can be rebuilt without the original upload.
CREATE TABLE quarantine (
  import_id BIGINT NOT NULL REFERENCES imports (id),
  row_number BIGINT NOT NULL,
  column_name TEXT NOT NULL,
  value TEXT NOT NULL,
  reason_zh TEXT NOT NULL,
  reason_en TEXT NOT NULL,
  raw_row TEXT NOT NULL
);

CREATE INDEX quarantine_import ON quarantine (import_id, row_number);
