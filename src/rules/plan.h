// Stage 3's output: a physical plan for one rule or target over one
// ColumnarImage — raw pointers into the image's columns, dense lookup arrays
// (entity → group, day → period) and one threshold per period, so the
// evaluator's loop does array indexing and comparisons only.
//
// Lifetime: a plan points into the image and the bound pack it was compiled
// from; both must outlive it and the image must not be appended to meanwhile.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
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

  // "unless" exemptions, per source entity (a class or org index): the date
  // ranges [first, second] in which its rows are exempt — its own (a class's
  // approved study tour) and its org ancestors' (its school's exam days) —
  // as CSR: entity e's ranges are exempt_ranges[exempt_off[e] .. exempt_off[e + 1]).
  // Empty exempt_off: no exemptions. Per entity rather than per row, so
  // compiling costs O(entities), not a pass over 30 M rows.
  std::vector<int32_t> exempt_off;
  std::vector<std::pair<int32_t, int32_t>> exempt_ranges;
  // Per day of the lut: 1 if some exemption range covers it anywhere, so
  // rows of other days skip the per-entity test. Set with exempt_off.
  std::vector<uint8_t> exempt_day;
  // Whether a group with no rows is judged (count/sum whose empty value
  // breaks the norm: "≥ 2 inspections" with none).
  bool judge_empty = false;

  // Second aggregates (bound::Check::divide_by / against), compiled over the
  // same image with the same group slots and periods, so group index gi
  // means the same (entity, period) in each. Owned by this plan.
  std::unique_ptr<Plan> divide_by;
  std::unique_ptr<Plan> against;
};

// `v OP values` for the comparison and membership operators.
[[gnu::always_inline]] inline bool TestValue(bound::CondOp op, double v, const std::vector<double>& vals) {
  switch (op) {
    case bound::CondOp::kEq: return v == vals[0];
    case bound::CondOp::kNe: return v != vals[0];
    case bound::CondOp::kLt: return v < vals[0];
    case bound::CondOp::kLe: return v <= vals[0];
    case bound::CondOp::kGt: return v > vals[0];
    case bound::CondOp::kGe: return v >= vals[0];
    case bound::CondOp::kIn: return std::find(vals.begin(), vals.end(), v) != vals.end();
    case bound::CondOp::kNotIn: return std::find(vals.begin(), vals.end(), v) == vals.end();
    default: return false;
  }
}

// Inline: called once per row and condition in the evaluator's loop.
[[gnu::always_inline]] inline bool Predicate::Test(size_t row) const {
  if (always_false) return false;
  const size_t i = via ? static_cast<size_t>(via[row]) : row;
  switch (kind) {
    case Kind::kI32: {
      int32_t v = i32[i];
      if (op == bound::CondOp::kIsNull) return v == datasets::kNullInt;
      if (op == bound::CondOp::kNotNull) return v != datasets::kNullInt;
      return v != datasets::kNullInt && TestValue(op, v, values);
    }
    case Kind::kB8: {
      int8_t v = b8[i];
      if (op == bound::CondOp::kIsNull) return v == datasets::kNullBool;
      if (op == bound::CondOp::kNotNull) return v != datasets::kNullBool;
      return v != datasets::kNullBool && TestValue(op, v, values);
    }
    case Kind::kI8: return TestValue(op, b8[i], values);
    case Kind::kI64: {
      int64_t v = i64[i];
      if (op == bound::CondOp::kIsNull) return v == datasets::kNullRef;
      if (op == bound::CondOp::kNotNull) return v != datasets::kNullRef;
      return v != datasets::kNullRef && TestValue(op, static_cast<double>(v), values);
    }
    case Kind::kF64: {
      double v = f64[i];
      if (op == bound::CondOp::kIsNull) return std::isnan(v);
      if (op == bound::CondOp::kNotNull) return !std::isnan(v);
      return !std::isnan(v) && TestValue(op, v, values);
    }
    case Kind::kPosts: case Kind::kFlags: {
      uint32_t have = u8[i];
      uint32_t want = static_cast<uint32_t>(values[0]);
      return op == bound::CondOp::kHasAll ? (have & want) == want : (have & want) != 0;
    }
    case Kind::kStage: {
      int8_t s = stage[i];
      if (s == datasets::kNoStage) return false;
      return TestValue(op, s, values);
    }
  }
  return false;
}

}  // namespace edugov::rules::plan
