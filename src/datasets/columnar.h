// The in-memory columnar image the rules engine evaluates over: every declared
// dataset as one typed, contiguous vector per column, plus a registry image
// (org tree, classes, staff) so rules can scope and group rows without SQL.
//
//   ASSIGN_OR_RETURN(RegistryImage reg, LoadRegistryImage(*conn, as_of));
//   ASSIGN_OR_RETURN(ColumnarImage image, LoadImage(*conn, schemas, std::move(reg)));
//   const DatasetImage* hw = image.Find("homework");
//   const Column& minutes = hw->columns[hw->schema.ColumnIndex("written_minutes")];
//   for (size_t r = 0; r < hw->size(); ++r) use(minutes.i32[r], hw->entity[r]);
//
// ---------------------------------------------------------------- store layout
// A dataset named N lives in the table ds_N (created by the dataset module,
// src/datasets, from the same DatasetSchema; migration 005 and the importer):
//
//   row_id        BIGINT PRIMARY KEY      -- assigned by the importer, ascending
//   org_path      TEXT NOT NULL           -- materialised path of the row's school
//                                         -- ("/1/4/37/"), for scoped reads
//   submitted_at  BIGINT NOT NULL         -- microseconds since the epoch, UTC
//   <column>      one per declared column, named as declared, in order:
//       int      BIGINT                  decimal  DOUBLE PRECISION / REAL
//       text     TEXT                    enum     TEXT (one of the values)
//       date     TEXT 'YYYY-MM-DD'       time     TEXT 'HH:MM'
//       bool     INTEGER 0/1             ref      BIGINT (classes.id, orgs.id, staff.id)
//   NULL where a non-required column is empty.
//
// ---------------------------------------------------------------- memory layout
// Province scale (docs/benchmarks.md §1) is ~30 M homework rows; the image must fit
// in 2 GiB and a sweep touch as few bytes as possible, so there are no per-row
// objects: one vector per column, typed narrowly, nulls as sentinels:
//   int            i32, kNullInt (declared int values must fit in int32)
//   date           i32 days since 1970-01-01 (common/date.h), kNullInt
//   time           i32 minutes since midnight, kNullInt
//   enum, text     i32 code into Column::dictionary, kNullInt
//   bool           i8 0/1, kNullBool
//   ref            i64 id, kNullRef
//   decimal        f64, NaN
// Each row also has its entity as a dense index into the registry image
// (DatasetImage::entity: a class index for class datasets, an org index for
// school/org datasets; -1 if the id is not in the registry) — so grouping by
// entity is array indexing, not hashing.
//
// ---------------------------------------------------------------- ownership, threads
// A ColumnarImage owns everything it holds; DatasetImage::schema is a copy.
// Loading reads through one Connection (used by the calling thread only).
// After loading, the image is immutable for readers: any number of threads may
// evaluate over a const image at once. Append() mutates it and needs exclusive
// access (the owner guards the image with a shared_mutex: readers shared,
// Append exclusive). Pointers and references into columns are invalidated by
// Append (vectors may reallocate).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/date.h"
#include "common/status.h"
#include "datasets/schema.h"
#include "storage/database.h"

namespace edugov::datasets {

inline constexpr int32_t kNullInt = std::numeric_limits<int32_t>::min();
inline constexpr int8_t kNullBool = -1;
inline constexpr int64_t kNullRef = std::numeric_limits<int64_t>::min();
inline bool IsNullDecimal(double v) { return std::isnan(v); }

// One column: exactly one of the vectors is used, by type (table above).
struct Column {
  ColumnType type = ColumnType::kInt;
  std::vector<int32_t> i32;
  std::vector<int8_t> b8;
  std::vector<int64_t> i64;
  std::vector<double> f64;
  // enum and text: code → string. Enum columns are pre-seeded with the
  // declared values in order, so code i is enum_values[i].
  std::vector<std::string> dictionary;
  std::unordered_map<std::string, int32_t> codes;  // string → code

  // Code of `text` in the dictionary, or -1 if it never occurs.
  int32_t CodeOf(const std::string& text) const;
  size_t size() const;
};

// ---------------------------------------------------------------- registry image
// Dense indices: org index o in [0, orgs), class index c in [0, classes),
// staff index s in [0, staff). -1 means "none".

// Stage codes follow registry::Stage's order; kNoStage for orgs without one.
inline constexpr int8_t kNoStage = -1;
enum OrgFlagBits : uint8_t {
  kFlagRural = 1, kFlagBoarding = 2, kFlagStandardised = 4, kFlagCanteen = 8, kFlagPartyBranch = 16,
};
enum OrgKindCode : int8_t { kKindProvince, kKindCity, kKindCounty, kKindTownship, kKindSchool };
// Bits of StaffPosts, in registry::Post's order.
enum PostBits : uint8_t {
  kPostPrincipal = 1, kPostPartySecretary = 2, kPostVicePrincipal = 4, kPostTeacher = 8,
  kPostSubstituteTeacher = 16, kPostStaff = 32,
};

struct RegistryImage {
  Date as_of;  // the date rural years were computed at

  // orgs, in path order (so a subtree is a contiguous range of indices)
  std::vector<int64_t> org_id;
  std::vector<int32_t> org_parent;    // -1 for roots
  std::vector<int8_t> org_kind;       // OrgKindCode
  std::vector<int8_t> org_stage;      // registry::Stage as int, or kNoStage
  std::vector<uint8_t> org_flags;     // OrgFlagBits
  std::vector<int32_t> org_township;  // nearest township ancestor-or-self, or -1
  std::vector<int32_t> org_county;    // nearest county ancestor-or-self, or -1
  std::vector<int32_t> org_subtree_end;  // one past the last index of its subtree
  std::vector<std::string> org_code;
  std::vector<std::string> org_name;
  std::vector<std::string> org_path;
  std::unordered_map<int64_t, int32_t> org_index;

  // classes
  std::vector<int64_t> class_id;
  std::vector<int32_t> class_school;  // org index
  std::vector<int8_t> class_grade;
  std::vector<std::string> class_name;
  std::unordered_map<int64_t, int32_t> class_index;

  // active staff
  std::vector<int64_t> staff_id;
  std::vector<int32_t> staff_org;     // org index of the current posting
  std::vector<uint8_t> staff_posts;   // PostBits
  std::vector<double> staff_rural_years;  // registry::RuralTeachingYears at as_of
  std::vector<std::string> staff_name;
  std::unordered_map<int64_t, int32_t> staff_index;

  int32_t OrgIndex(int64_t id) const;    // -1 if unknown
  int32_t ClassIndex(int64_t id) const;  // -1 if unknown
  int32_t StaffIndex(int64_t id) const;  // -1 if unknown
  // Whether org index `o` lies in the subtree of org index `root`.
  bool InSubtree(int32_t o, int32_t root) const {
    return o >= root && o < org_subtree_end[static_cast<size_t>(root)];
  }
};

// Reads orgs, classes, active staff, their posts and postings. Rural years are
// computed as of `as_of`. kUnavailable/kInternal from the store pass through.
StatusOr<RegistryImage> LoadRegistryImage(storage::Connection& conn, Date as_of);

// Builds the org arrays' derived fields (parent, township, county, subtree
// ranges, index maps) after org_id/org_path/… were filled in path order.
// Used by LoadRegistryImage and by tests that build images by hand.
void FinishRegistryImage(RegistryImage& image);

// ---------------------------------------------------------------- dataset image

struct DatasetImage {
  DatasetSchema schema;
  std::vector<int64_t> row_id;   // ascending as loaded; appended rows follow
  std::vector<Column> columns;   // parallel to schema.columns
  std::vector<int32_t> entity;   // dense class or org index, -1 if unknown
  int period_column = -1;        // index into columns
  int entity_column = -1;        // index into columns
  // Smallest and largest period date (days) over the rows, kept by the loader
  // and Append, so an engine need not scan the column to find its range.
  // Empty dataset: min_day > max_day.
  int32_t min_day = std::numeric_limits<int32_t>::max();
  int32_t max_day = std::numeric_limits<int32_t>::min();

  size_t size() const { return row_id.size(); }
};

// One newly ingested row as stored in ds_<name>: `values` parallel to the
// schema's columns, typed as in the store layout above (dates and times as
// text, bools as 0/1 int64, enums as text; NULL as monostate).
struct IngestedRow {
  int64_t row_id = 0;
  std::vector<storage::Value> values;
};

struct ColumnarImage {
  RegistryImage registry;
  std::vector<DatasetImage> datasets;

  const DatasetImage* Find(std::string_view name) const;
  DatasetImage* Find(std::string_view name);
  // Bytes held by the column vectors (not dictionaries or maps), for reports.
  size_t ColumnBytes() const;
};

// An empty image of each schema over `registry`.
ColumnarImage EmptyImage(const std::vector<DatasetSchema>& schemas, RegistryImage registry);

// Loads every dataset table ds_<name> in row_id order, in pages (the store is
// never asked for more than a page of rows at once). A missing table is an
// empty dataset. A value that does not fit its declared type is kInternal
// naming table, row_id and column (the importer should have refused it).
StatusOr<ColumnarImage> LoadImage(storage::Connection& conn,
                                  const std::vector<DatasetSchema>& schemas,
                                  RegistryImage registry);

// The stored rows of `schema`'s table ds_<name> whose org_path lies inside
// one of `subtrees` ("/1/4/") or on an org above one (a township's or the
// county's rows reach down into the schools below), by row id, ready for
// Append; every row when `subtrees` is empty, none when the table does not
// exist yet. For the re-check of one submission (rules/recheck.h), which
// reads only the part of the store the submission can change.
StatusOr<std::vector<IngestedRow>> ReadRowsAround(storage::Connection& conn, const DatasetSchema& schema,
                                                  const std::vector<std::string>& subtrees);

// Appends rows to one dataset of the image (kNotFound for an unknown dataset,
// kInvalidArgument for a row of the wrong width or a value of the wrong type;
// on error nothing is appended). Needs exclusive access to the image.
Status Append(ColumnarImage& image, std::string_view dataset, const std::vector<IngestedRow>& rows);

}  // namespace edugov::datasets
