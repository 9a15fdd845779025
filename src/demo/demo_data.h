// Deterministic synthetic registry data for demos, UI work and benchmarks:
// a county (the Anhua-sized county described by demo/anhua-county.yaml), a
// city of ~10 such counties, or a province of ~100.
//
//   ASSIGN_OR_RETURN(demo::DemoSummary s,
//       demo::GenerateDemoData(*conn, clock, "demo/anhua-county.yaml",
//                              demo::Scale::kCounty, /*seed=*/2025, progress));
//
// Everything generated is marked synthetic = 1. The same YAML, scale, seed
// and clock date give byte-identical data: randomness is SplitMix64 only and
// time comes from `clock` (created_at, and "today" for posting histories).
// No Anhua fact lives in C++: names, counts and size parameters are read
// from the YAML (format: docs/registry.md, "Demo data").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace edugov::demo {

enum class Scale {
  kCounty,    // root: the county bureau itself
  kCity,      // root: a city bureau with the county and synthetic siblings
  kProvince,  // root: a province with cities of counties (~300,000 classes)
};
// "county", "city", "province".
std::optional<Scale> ParseScale(std::string_view text);
std::string_view ScaleName(Scale scale);

struct DemoSummary {
  int64_t orgs = 0;                // every org row, root included
  int64_t counties = 0;
  int64_t townships = 0;
  int64_t schools = 0;             // orgs with a stage (township central schools included)
  int64_t compulsory_schools = 0;  // of those, primary / nine-year / junior / special
  int64_t classes = 0;
  int64_t students = 0;
  int64_t staff = 0;
  int64_t postings = 0;
  uint64_t checksum = 0;  // FNV-1a over every generated name and code, in order
};

// Called after each county and phase: ("counties", done, total).
using ProgressFn = std::function<void(std::string_view phase, int64_t done, int64_t total)>;

// Generates into an empty, migrated database: kFailedPrecondition "database
// already has data" when orgs exist; kInvalidArgument naming the YAML key
// when the county file is malformed. Writes with Connection::BulkInsert in a
// single transaction (all or nothing) and one audit entry "demo.generate"
// carrying the summary, not one per row. `conn` must not be in a
// transaction. Ids are assigned here, so the database must be empty.
StatusOr<DemoSummary> GenerateDemoData(storage::Connection& conn, const Clock& clock,
                                       const std::string& county_yaml_path, Scale scale,
                                       uint64_t seed, const ProgressFn& progress = {});

}  // namespace edugov::demo
