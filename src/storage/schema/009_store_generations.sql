-- One change counter per store whose readers keep copies: the findings read
-- cache (src/http/findings_handlers.cc) and the live image of the registry
-- (src/rules/live_image.h). A writer bumps its store's row after its
-- transaction commits; a reader notes the value before it reads and reloads
-- when it has moved. Kept in the database, not in memory, so that a write by
-- another process — `edugov check` or `edugov registry import` beside a
-- running server, or a second server node — is seen too (src/storage/generations.h).
CREATE TABLE store_generations (
  store TEXT PRIMARY KEY,
  generation BIGINT NOT NULL DEFAULT 0
);
INSERT INTO store_generations (store, generation) VALUES ('findings', 0);
INSERT INTO store_generations (store, generation) VALUES ('registry', 0);
