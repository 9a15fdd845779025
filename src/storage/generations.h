// Change counters of the stores whose readers keep copies (migration 009):
//
//   uint64_t before = ReadGeneration(conn, "findings").value();  // 1. note
//   ... read the findings, keep the copy ...                       // 2. read
//   // later: the copy is current while ReadGeneration() == before.
//
// A store that writes calls BumpGeneration(conn, its name) after its
// transaction commits, never inside it: a reader that noted the old value
// before the commit sees the new one afterwards and reloads, and a writer
// does not hold the counter's row lock for the length of its transaction
// (PostgreSQL writers of one store would queue behind it). A bump lost to a
// crash between commit and bump leaves copies stale until their own bound
// (the findings cache's TTL; the live image's next day).
//
// Only a store's own module bumps and reads its counter (findings:
// src/rules/findings_store.h, registry: src/registry/registry.h); callers
// use those modules' wrappers. Thread-safety: the Connection is the caller's.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "storage/database.h"

namespace edugov::storage {

// The store's counter; kNotFound for a store migration 009 does not name.
StatusOr<uint64_t> ReadGeneration(Connection& conn, std::string_view store);

// Adds one to the store's counter, in its own statement (autocommit when
// `conn` is not in a transaction).
Status BumpGeneration(Connection& conn, std::string_view store);

}  // namespace edugov::storage
