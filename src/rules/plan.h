// Stage 3's output: a physical plan for one rule or target over one
// ColumnarImage — raw pointers into the image's columns, dense lookup arrays
// (entity → group, day → period) and one threshold per period, so the
// evaluator's loop does array indexing and comparisons only.
//
// Lifetime: a plan points into the image and the bound pack it was compiled
// from; both must outlive it and the image must not be appended to meanwhile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "datasets/columnar.h"
#include "rules/bound.h"

namespace edugov::rules::plan {

// One compiled condition over a physical column.
struct Predicate {
  enum class Kind { kI32, kB8, kI8, kI64, kF64, kPosts, kFlags, kStage };
  Kind kind = Kind::kI32;
  bound::CondOp op = bound::CondOp::kEq;
  const int32_t* i32 = nullptr;
  const int8_t* b8 = nullptr;
  const int64_t* i64 = nullptr;
  const double* f64 = nullptr;
  const uint8_t* u8 = nullptr;    // posts / flags bitmasks
  const int8_t* stage = nullptr;  // org stages
  // For registry sources the row is an index of a staff member, school or
  // class; `via` maps it to the index the attribute array is keyed by
  // (e.g. class → school for flags); nullptr = the row itself.
  const int32_t* via = nullptr;
  std::vector<double> values;
  bool always_false = false;  // a text constant absent from the dictionary

  bool Test(size_t row) const;
};

struct PeriodRange {
  int32_t start = 0;  // days, inclusive
  int32_t end = 0;
  std::string label;  // "2025-W10", "2025-03", "2025-autumn", "2025", the date
};

// What the aggregate reads per row.
struct ValueReader {
  enum class Kind { kNone, kI32, kB8, kI8, kF64 };
  Kind kind = Kind::kNone;
  const int32_t* i32 = nullptr;
  const int8_t* b8 = nullptr;  // bools (kNullBool) or, for kI8, plain int8 (grades)
  const double* f64 = nullptr;
  const int32_t* via = nullptr;  // registry sources: row → attribute index
};

struct ParamUse {
  std::string name;
  double value = 0;
  int32_t valid_from = bound::kOpenFrom;
  int32_t valid_to = bound::kOpenTo;
  bool overridden = false;  // what-if
};

struct Plan {
  std::string id;
  const bound::Check* check = nullptr;
  const datasets::DatasetImage* dataset = nullptr;  // dataset sources
  size_t rows = 0;
  std::vector<Predicate> where;
  std::vector<Predicate> share_where;
  ValueReader value;

  // row → source entity: a class index (entity_is_class) or an org index.
  const int32_t* row_entity = nullptr;  // nullptr: the row index itself
  bool entity_is_class = false;
  // source entity → group entity slot, -1 when out of scope.
  std::vector<int32_t> entity_to_group;
  // group entity slot → class index (group kClass) or org index; {-1} for kAll.
  std::vector<int32_t> group_entities;

  // period: day → period index (−1: not judged) over [lut_lo, lut_lo + lut.size())
  const int32_t* date = nullptr;  // nullptr: one period, no dates
  int32_t lut_lo = 0;
  std::vector<int32_t> lut;
  std::vector<PeriodRange> periods;  // one {as_of, as_of} entry when no period
  std::vector<double> threshold;     // per period; NaN: no parameter valid, skip
  std::vector<std::optional<ParamUse>> param;  // per period, when a parameter is used

  std::vector<uint8_t> exempt;  // per row, 1 = exempted by "unless"; empty = none
  // Whether a group with no rows is judged (count/sum whose empty value
  // breaks the norm: "≥ 2 inspections" with none).
  bool judge_empty = false;
};

}  // namespace edugov::rules::plan
