#include "rules/evaluator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <set>

namespace edugov::rules {
namespace {

using bound::Aggregate;

constexpr size_t kMaxGroups = size_t{1} << 27;
// Rows per block when several rules over one dataset share a pass: the
// block's columns stay in L2 while each rule's loop runs over them.
constexpr size_t kBlock = 16384;

// Per-group accumulators of one plan. Reused from rule to rule and call to
// call (see Pool): allocating, and the kernel zeroing, tens of MiB per rule
// cost more than the sweep itself. No evidence chains here: the rows of
// the few groups that become findings are found by a second, narrow pass
// (Evidence), not recorded for every row aggregated.
struct Groups {
  size_t n_periods = 0;
  std::vector<int32_t> count;  // rows (COUNT(*))
  std::vector<int32_t> nvals;  // non-null values (avg/min/max)
  std::vector<double> sum;
  std::vector<double> ext;     // min or max
  std::vector<int32_t> hits;   // share numerator
  // The group of each finding judged from these groups, ascending (findings
  // come out period-major like the groups), so a group's finding is a
  // binary search away without a per-group array to fill.
  std::vector<size_t> finding_group;
  // Sparse mode (far more groups than rows: a class per day over a dataset
  // with a few rows per class, 30 M groups for 1.5 M rows): the arrays are
  // not zeroed per rule — they stay zero between uses, and only the groups
  // a row touched (listed here) are judged and then cleared again.
  bool sparse = false;
  size_t n = 0;  // groups of the current plan (the arrays may be longer)
  std::vector<uint32_t> touched;
};

// The calling thread's accumulators: slot 0 for a lone plan, slots 0..k-1
// for k rules sharing a pass.
std::vector<Groups>& Pool(size_t k) {
  thread_local std::vector<Groups> pool;
  if (pool.size() < k) pool.resize(k);
  return pool;
}

// The sparse counterpart of Pool: its arrays are all zero between uses
// (ClearSparse), so a rule costs its rows, not its groups.
std::vector<Groups>& SparsePool(size_t k) {
  thread_local std::vector<Groups> pool;
  if (pool.size() < k) pool.resize(k);
  return pool;
}

// Whether a plan of n groups over `rows` rows is aggregated sparsely.
bool WantSparse(size_t n, size_t rows) { return n > 4 * rows; }

// Marks group gi touched on its first row (sparse mode); min/max start at ±inf.
template <Aggregate A>
[[gnu::always_inline]] inline void Touch(Groups& g, int32_t* count, double* ext, size_t gi) {
  if (count[gi] != 0) return;
  g.touched.push_back(static_cast<uint32_t>(gi));
  if constexpr (A == Aggregate::kMin) ext[gi] = std::numeric_limits<double>::infinity();
  if constexpr (A == Aggregate::kMax) ext[gi] = -std::numeric_limits<double>::infinity();
}

// Whether source entity e's row dated d is exempt ("unless").
[[gnu::always_inline]] inline bool Exempt(const plan::Plan& pl, int32_t e, int32_t d) {
  const auto* rg = pl.exempt_ranges.data();
  for (int32_t k = pl.exempt_off[static_cast<size_t>(e)], end = pl.exempt_off[static_cast<size_t>(e) + 1]; k < end; ++k) {
    if (d >= rg[k].first && d <= rg[k].second) return true;
  }
  return false;
}

// The group index of a row, or -1 when the row is out of scope, undated,
// outside a judged period, exempted or filtered out. Groups are laid out
// period-major (period × entity slots + slot): rows arrive day by day, so
// consecutive rows touch neighbouring groups, not one cache line each.
// kExempt: the plan has exemptions (a compile-time flag, so the common
// loops carry no test for them).
// A first row filter compiled down to one comparison: a bool or 32-bit
// column equal to a constant (phone_based = true, kind = fee).
struct PreFilter {
  const int8_t* b8 = nullptr;
  const int32_t* i32 = nullptr;
  int32_t value = 0;
};

// Whether pl.where[0] is such a filter (then the loop tests it first and
// the generic tests start at where[1]).
bool MakePreFilter(const plan::Plan& pl, PreFilter& f) {
  if (pl.where.empty()) return false;
  const plan::Predicate& w = pl.where[0];
  if (w.always_false || w.via || w.values.size() != 1) return false;
  if (w.op != bound::CondOp::kEq && w.op != bound::CondOp::kIn) return false;
  const double v = w.values[0];
  if (v != std::floor(v) || std::abs(v) > 1e9) return false;
  // kNullInt / kNullBool never equal a non-null constant, so a plain
  // comparison keeps Predicate::Test's NULL semantics.
  if (w.kind == plan::Predicate::Kind::kB8 && (v == 0 || v == 1)) {
    f.b8 = w.b8;
  } else if (w.kind == plan::Predicate::Kind::kI32 && v != datasets::kNullInt) {
    f.i32 = w.i32;
  } else {
    return false;
  }
  f.value = static_cast<int32_t>(v);
  return true;
}

template <bool kExempt, bool kPre = false>
[[gnu::always_inline]] inline int64_t GroupOf(const plan::Plan& pl, size_t r, const PreFilter* pre = nullptr) {
  // Row filters first: they read one narrow column and usually reject most
  // rows (phone_based = true) before the entity and period lookups.
  size_t first = 0;
  if constexpr (kPre) {
    if (pre->b8 ? pre->b8[r] != pre->value : pre->i32[r] != pre->value) return -1;
    first = 1;
  }
  for (size_t i = first; i < pl.where.size(); ++i) {
    if (!pl.where[i].Test(r)) return -1;
  }
  int32_t e = pl.row_entity ? pl.row_entity[r] : static_cast<int32_t>(r);
  if (e < 0) return -1;
  int32_t s = pl.entity_to_group[static_cast<size_t>(e)];
  if (s < 0) return -1;
  int32_t p = 0;
  int32_t d = 0;
  if (pl.date) {
    d = pl.date[r];
    const int64_t off = int64_t{d} - pl.lut_lo;
    if (d == datasets::kNullInt || off < 0 || off >= static_cast<int64_t>(pl.lut.size())) return -1;
    p = pl.lut[static_cast<size_t>(off)];
    if (p < 0) return -1;
  }
  if constexpr (kExempt) {
    // Most days no exemption is active anywhere: one byte, then the ranges.
    if (pl.exempt_day[static_cast<size_t>(d - pl.lut_lo)] && Exempt(pl, e, d)) return -1;
  }
  return int64_t{p} * static_cast<int64_t>(pl.group_entities.size()) + s;
}

inline int64_t GroupOfAny(const plan::Plan& pl, size_t r) {
  return pl.exempt_off.empty() ? GroupOf<false>(pl, r) : GroupOf<true>(pl, r);
}

// The row's value, NaN for NULL; K is the reader's kind, fixed per loop.
template <plan::ValueReader::Kind K>
inline double ValueOf(const plan::ValueReader& v, size_t r) {
  const size_t i = v.via ? static_cast<size_t>(v.via[r]) : r;
  if constexpr (K == plan::ValueReader::Kind::kI32) {
    return v.i32[i] == datasets::kNullInt ? std::nan("") : v.i32[i];
  } else if constexpr (K == plan::ValueReader::Kind::kB8) {
    return v.b8[i] == datasets::kNullBool ? std::nan("") : v.b8[i];
  } else if constexpr (K == plan::ValueReader::Kind::kI8) {
    return v.b8[i];
  } else if constexpr (K == plan::ValueReader::Kind::kF64) {
    return v.f64[i];
  } else {
    return 0;
  }
}

template <Aggregate A, plan::ValueReader::Kind K, bool kExempt, bool kPre, bool kSparse>
void Accumulate(const plan::Plan& pl, Groups& g, size_t lo, size_t hi, const PreFilter& pre) {
  int32_t* count = g.count.data();
  for (size_t r = lo; r < hi; ++r) {
    const int64_t k = GroupOf<kExempt, kPre>(pl, r, &pre);
    if (k < 0) continue;
    const size_t gi = static_cast<size_t>(k);
    if constexpr (kSparse) Touch<A>(g, count, g.ext.data(), gi);
    ++count[gi];
    if constexpr (A == Aggregate::kSum || A == Aggregate::kAvg) {
      double v = ValueOf<K>(pl.value, r);
      if (!std::isnan(v)) { g.sum[gi] += v; ++g.nvals[gi]; }
    } else if constexpr (A == Aggregate::kMin) {
      double v = ValueOf<K>(pl.value, r);
      if (!std::isnan(v)) { g.ext[gi] = std::min(g.ext[gi], v); ++g.nvals[gi]; }
    } else if constexpr (A == Aggregate::kMax) {
      double v = ValueOf<K>(pl.value, r);
      if (!std::isnan(v)) { g.ext[gi] = std::max(g.ext[gi], v); ++g.nvals[gi]; }
    } else if constexpr (A == Aggregate::kShare) {
      bool hit = true;
      for (const auto& w : pl.share_where) hit = hit && w.Test(r);
      g.hits[gi] += hit ? 1 : 0;
    }
  }
}

// The common shape, specialised: a dataset's rows (entity and date columns),
// at most the one pre-filter, a plain value column. Everything the loop
// reads is hoisted into locals, so the stores into the accumulators cannot
// make the compiler reload the plan's fields on every row.
template <Aggregate A, plan::ValueReader::Kind K, bool kExempt, bool kPre, bool kSparse>
void AccumulateRows(const plan::Plan& pl, Groups& g, size_t lo, size_t hi, const PreFilter& pre) {
  const int32_t* const ent = pl.row_entity;
  const int32_t* const e2g = pl.entity_to_group.data();
  const int32_t* const date = pl.date;
  const int32_t* const lut = pl.lut.data();
  const int64_t lut_lo = pl.lut_lo;
  const uint64_t lut_n = pl.lut.size();
  const int64_t ns = static_cast<int64_t>(pl.group_entities.size());
  const uint8_t* const ex_day = pl.exempt_day.data();
  const int8_t* const pre_b8 = pre.b8;
  const int32_t* const pre_i32 = pre.i32;
  const int32_t pre_value = pre.value;
  const int32_t* const vi32 = pl.value.i32;
  const int8_t* const vb8 = pl.value.b8;
  const double* const vf64 = pl.value.f64;
  int32_t* const count = g.count.data();
  int32_t* const nvals = g.nvals.data();
  double* const sum = g.sum.data();
  double* const ext = g.ext.data();
  for (size_t r = lo; r < hi; ++r) {
    if constexpr (kPre) {
      if (pre_b8 ? pre_b8[r] != pre_value : pre_i32[r] != pre_value) continue;
    }
    const int32_t e = ent[r];
    if (e < 0) continue;
    const int32_t s = e2g[e];
    if (s < 0) continue;
    const int32_t d = date[r];
    // kNullInt lands far outside the lut as an unsigned offset.
    const uint64_t off = static_cast<uint64_t>(int64_t{d} - lut_lo);
    if (d == datasets::kNullInt || off >= lut_n) continue;
    const int32_t p = lut[off];
    if (p < 0) continue;
    if constexpr (kExempt) {
      if (ex_day[off] && Exempt(pl, e, d)) continue;
    }
    const size_t gi = static_cast<size_t>(int64_t{p} * ns + s);
    if constexpr (kSparse) Touch<A>(g, count, ext, gi);
    ++count[gi];
    if constexpr (A == Aggregate::kCount) {
      // nothing else
    } else {
      double v;
      if constexpr (K == plan::ValueReader::Kind::kI32) {
        v = vi32[r] == datasets::kNullInt ? std::nan("") : vi32[r];
      } else if constexpr (K == plan::ValueReader::Kind::kB8) {
        v = vb8[r] == datasets::kNullBool ? std::nan("") : vb8[r];
      } else if constexpr (K == plan::ValueReader::Kind::kI8) {
        v = vb8[r];
      } else if constexpr (K == plan::ValueReader::Kind::kF64) {
        v = vf64[r];
      } else {
        v = 0;
      }
      if (std::isnan(v)) continue;
      if constexpr (A == Aggregate::kSum || A == Aggregate::kAvg) {
        sum[gi] += v;
      } else if constexpr (A == Aggregate::kMin) {
        ext[gi] = std::min(ext[gi], v);
      } else if constexpr (A == Aggregate::kMax) {
        ext[gi] = std::max(ext[gi], v);
      }
      ++nvals[gi];
    }
  }
}

template <bool kExempt, bool kPre, bool kSparse>
void AccumulateRangeT(const plan::Plan& pl, Groups& g, size_t lo, size_t hi, const PreFilter& pre) {
  using VK = plan::ValueReader::Kind;
  const Aggregate a = pl.check->aggregate;
  // The specialised loop: dataset rows, no filter beyond the pre-filter, no
  // share, a value read from the row itself.
  const bool rows_shape = pl.row_entity && pl.date && pl.where.size() == (kPre ? 1u : 0u) && !pl.value.via &&
                          a != Aggregate::kShare;
  if (rows_shape) {
    switch (a) {
      case Aggregate::kCount: AccumulateRows<Aggregate::kCount, VK::kNone, kExempt, kPre, kSparse>(pl, g, lo, hi, pre); return;
#define EDUGOV_ROWS(AGG)                                                                                         \
  case AGG:                                                                                                      \
    switch (pl.value.kind) {                                                                                     \
      case VK::kI32: AccumulateRows<AGG, VK::kI32, kExempt, kPre, kSparse>(pl, g, lo, hi, pre); return;                   \
      case VK::kB8: AccumulateRows<AGG, VK::kB8, kExempt, kPre, kSparse>(pl, g, lo, hi, pre); return;                     \
      case VK::kI8: AccumulateRows<AGG, VK::kI8, kExempt, kPre, kSparse>(pl, g, lo, hi, pre); return;                     \
      case VK::kF64: AccumulateRows<AGG, VK::kF64, kExempt, kPre, kSparse>(pl, g, lo, hi, pre); return;                   \
      case VK::kNone: AccumulateRows<AGG, VK::kNone, kExempt, kPre, kSparse>(pl, g, lo, hi, pre); return;                 \
    }                                                                                                            \
    break;
      EDUGOV_ROWS(Aggregate::kSum)
      EDUGOV_ROWS(Aggregate::kAvg)
      EDUGOV_ROWS(Aggregate::kMin)
      EDUGOV_ROWS(Aggregate::kMax)
#undef EDUGOV_ROWS
      default: break;
    }
  }
  switch (a) {
    case Aggregate::kCount: Accumulate<Aggregate::kCount, VK::kNone, kExempt, kPre, kSparse>(pl, g, lo, hi, pre); return;
    case Aggregate::kShare: Accumulate<Aggregate::kShare, VK::kNone, kExempt, kPre, kSparse>(pl, g, lo, hi, pre); return;
    default: break;
  }
  switch (pl.value.kind) {
#define EDUGOV_ACC(KIND)                                                                                 \
  case KIND:                                                                                             \
    if (a == Aggregate::kSum) Accumulate<Aggregate::kSum, KIND, kExempt, kPre, kSparse>(pl, g, lo, hi, pre);      \
    else if (a == Aggregate::kAvg) Accumulate<Aggregate::kAvg, KIND, kExempt, kPre, kSparse>(pl, g, lo, hi, pre); \
    else if (a == Aggregate::kMin) Accumulate<Aggregate::kMin, KIND, kExempt, kPre, kSparse>(pl, g, lo, hi, pre); \
    else Accumulate<Aggregate::kMax, KIND, kExempt, kPre, kSparse>(pl, g, lo, hi, pre);                           \
    break;
    EDUGOV_ACC(VK::kI32)
    EDUGOV_ACC(VK::kB8)
    EDUGOV_ACC(VK::kI8)
    EDUGOV_ACC(VK::kF64)
    EDUGOV_ACC(VK::kNone)
#undef EDUGOV_ACC
  }
}

// Aggregates rows [lo, hi) of the plan into g (sized by Prepare).
void AccumulateRange(const plan::Plan& pl, Groups& g, size_t lo, size_t hi) {
  PreFilter pre;
  const bool has_pre = MakePreFilter(pl, pre);
  auto go = [&]<bool kSparse>() {
    if (pl.exempt_off.empty()) {
      if (has_pre) AccumulateRangeT<false, true, kSparse>(pl, g, lo, hi, pre);
      else AccumulateRangeT<false, false, kSparse>(pl, g, lo, hi, pre);
    } else {
      if (has_pre) AccumulateRangeT<true, true, kSparse>(pl, g, lo, hi, pre);
      else AccumulateRangeT<true, false, kSparse>(pl, g, lo, hi, pre);
    }
  };
  if (g.sparse) go.template operator()<true>();
  else go.template operator()<false>();
}

// Sizes and zeroes g for the plan's groups.
Status Prepare(const plan::Plan& pl, Groups& g) {
  g.n_periods = pl.periods.size();
  const size_t n = pl.group_entities.size() * g.n_periods;
  if (n > kMaxGroups) {
    return ResourceExhaustedError("rule '" + pl.id + "' needs " + std::to_string(n) + " groups",
                                  "规则 '" + pl.id + "' 需要 " + std::to_string(n) + " 个分组，超出上限");
  }
  g.n = n;
  const Aggregate a = pl.check->aggregate;
  if (g.sparse) {
    // Zero already (ClearSparse); grow only. ext is set on a group's first row.
    g.touched.clear();
    auto grow = [n](auto& v) { if (v.size() < n) v.resize(n); };
    grow(g.count);
    if (a == Aggregate::kSum || a == Aggregate::kAvg) { grow(g.sum); grow(g.nvals); }
    if (a == Aggregate::kMin || a == Aggregate::kMax) { grow(g.ext); grow(g.nvals); }
    if (a == Aggregate::kShare) grow(g.hits);
    return OkStatus();
  }
  g.count.assign(n, 0);
  g.sum.clear(); g.nvals.clear(); g.ext.clear(); g.hits.clear();
  if (a == Aggregate::kSum || a == Aggregate::kAvg) { g.sum.assign(n, 0); g.nvals.assign(n, 0); }
  if (a == Aggregate::kMin) { g.ext.assign(n, std::numeric_limits<double>::infinity()); g.nvals.assign(n, 0); }
  if (a == Aggregate::kMax) { g.ext.assign(n, -std::numeric_limits<double>::infinity()); g.nvals.assign(n, 0); }
  if (a == Aggregate::kShare) g.hits.assign(n, 0);
  return OkStatus();
}

// Returns a sparse g's touched groups to zero, ready for the next rule.
void ClearSparse(Groups& g) {
  for (uint32_t gi : g.touched) {
    g.count[gi] = 0;
    if (gi < g.nvals.size()) g.nvals[gi] = 0;
    if (gi < g.sum.size()) g.sum[gi] = 0;
    if (gi < g.hits.size()) g.hits[gi] = 0;
  }
  g.touched.clear();
}

// Aggregates the plan into slot 0 of the thread's pool; the pointer is
// valid until the next Run on this thread.
StatusOr<Groups*> Run(const plan::Plan& pl) {
  Groups& g = Pool(1)[0];
  g.sparse = false;
  RETURN_IF_ERROR(Prepare(pl, g));
  AccumulateRange(pl, g, 0, pl.rows);
  return &g;
}

// The measured value of group gi, or NaN when the group is not judged.
double Measure(const plan::Plan& pl, const Groups& g, size_t gi) {
  switch (pl.check->aggregate) {
    case Aggregate::kCount: return g.count[gi];
    case Aggregate::kSum: return g.sum[gi];
    case Aggregate::kAvg: return g.nvals[gi] ? g.sum[gi] / g.nvals[gi] : std::nan("");
    case Aggregate::kMin: case Aggregate::kMax: return g.nvals[gi] ? g.ext[gi] : std::nan("");
    case Aggregate::kShare: return g.count[gi] ? static_cast<double>(g.hits[gi]) / g.count[gi] : std::nan("");
  }
  return std::nan("");
}

// a ÷ b, NaN when b is 0 or either is NaN (a ratio with no divisor is not judged).
double Ratio(double a, double b) {
  if (std::isnan(a) || std::isnan(b) || b == 0) return std::nan("");
  return a / b;
}

// Every group's measured value (Measure, ÷ the plan's divide_by), period-major
// like the accumulators. Uses (and clobbers) the thread's scratch.
StatusOr<std::vector<double>> MeasureAll(const plan::Plan& pl) {
  std::vector<double> divisor;
  if (pl.divide_by) { ASSIGN_OR_RETURN(divisor, MeasureAll(*pl.divide_by)); }
  ASSIGN_OR_RETURN(Groups* gp, Run(pl));
  std::vector<double> out(gp->n);
  for (size_t gi = 0; gi < out.size(); ++gi) {
    out[gi] = Measure(pl, *gp, gi);
    if (pl.divide_by) out[gi] = Ratio(out[gi], divisor[gi]);
  }
  return out;
}

struct EntityInfo {
  std::string type;
  int64_t id = 0;
  std::string name;
  std::string path;
  int64_t township_id = 0;
  std::string township_name;
};

EntityInfo Describe(const datasets::RegistryImage& r, bound::GroupEntity ge, int32_t e) {
  EntityInfo info;
  info.type = std::string(bound::GroupEntityName(ge));
  if (e < 0) return info;
  int32_t org = e;
  if (ge == bound::GroupEntity::kClass) {
    info.id = r.class_id[static_cast<size_t>(e)];
    org = r.class_school[static_cast<size_t>(e)];
    info.name = r.org_name[static_cast<size_t>(org)] + " " + r.class_name[static_cast<size_t>(e)];
  } else {
    info.id = r.org_id[static_cast<size_t>(e)];
    info.name = r.org_name[static_cast<size_t>(e)];
  }
  info.path = r.org_path[static_cast<size_t>(org)];
  int32_t t = r.org_township[static_cast<size_t>(org)];
  if (t >= 0) {
    info.township_id = r.org_id[static_cast<size_t>(t)];
    info.township_name = r.org_name[static_cast<size_t>(t)];
  }
  return info;
}

// A target may name orgs by code (item 24: "江英学校力争全市前5名"). A code
// the registry lacks — a school merged away (item 15), a typo, a registry of
// another county — must not stop the pack's other items, and must not vanish
// either: the caller reports it as a progress line of its own.
std::vector<std::string> MissingOrgCodes(const datasets::RegistryImage& r, const bound::Scope& scope) {
  std::vector<std::string> missing;
  for (const std::string& code : scope.org_codes) {
    if (std::find(r.org_code.begin(), r.org_code.end(), code) == r.org_code.end()) missing.push_back(code);
  }
  return missing;
}

// The progress line of a named org the registry lacks: nothing measured,
// at risk until the deadline, missed after it.
TargetProgress UnresolvedTarget(const bound::Target& t, const std::string& code, int32_t today) {
  TargetProgress tp;
  tp.target_id = t.id;
  tp.clause = t.clause;
  tp.title_zh = t.title_zh;
  tp.entity_type = "org";
  tp.entity_name = code;
  tp.unresolved_org_code = code;
  tp.target = t.indicator.value;
  tp.comparison = std::string(bound::CmpOpText(t.indicator.op));
  tp.deadline = Date::FromDaysSinceEpoch(t.deadline).ToString();
  tp.status = today > t.deadline ? TargetStatus::kMissed : TargetStatus::kAtRisk;
  return tp;
}

}  // namespace

std::string_view TargetStatusName(TargetStatus s) {
  switch (s) {
    case TargetStatus::kOnTrack: return "on_track";
    case TargetStatus::kAtRisk: return "at_risk";
    case TargetStatus::kMet: return "met";
    case TargetStatus::kMissed: return "missed";
  }
  return "?";
}

namespace {

// Whether a rule judges each group on its own (no second aggregate, no
// adjacent periods) over a dataset: such rules over one dataset share one
// pass over its rows (RunShared).
bool Simple(const plan::Plan& pl) {
  return pl.dataset && !pl.divide_by && !pl.against && !pl.check->against_previous && pl.check->consecutive <= 1;
}

// bound::Holds with the operator fixed at compile time (same tolerance).
template <bound::CmpOp O>
[[gnu::always_inline]] inline bool HoldsT(double m, double t) {
  constexpr double kEps = 1e-9;
  if constexpr (O == bound::CmpOp::kLt) return m < t - kEps;
  else if constexpr (O == bound::CmpOp::kLe) return m <= t + kEps;
  else if constexpr (O == bound::CmpOp::kGt) return m > t + kEps;
  else if constexpr (O == bound::CmpOp::kGe) return m >= t - kEps;
  else if constexpr (O == bound::CmpOp::kEq) return std::abs(m - t) <= kEps;
  else return std::abs(m - t) > kEps;
}

// Whether group gi breaks `measured O thr` (simple rules).
template <Aggregate A, bound::CmpOp O>
[[gnu::always_inline]] inline bool BreaksT(const Groups& g, size_t gi, bool skip_empty, double thr) {
  const int32_t c = g.count[gi];
  if (c == 0 && skip_empty) return false;
  double m;
  if constexpr (A == Aggregate::kCount) {
    m = c;
  } else if constexpr (A == Aggregate::kSum) {
    m = g.sum[gi];
  } else if constexpr (A == Aggregate::kAvg) {
    if (!g.nvals[gi]) return false;
    m = g.sum[gi] / g.nvals[gi];
  } else if constexpr (A == Aggregate::kMin || A == Aggregate::kMax) {
    if (!g.nvals[gi]) return false;
    m = g.ext[gi];
  } else {
    if (!c) return false;
    m = static_cast<double>(g.hits[gi]) / c;
  }
  return !std::isnan(m) && !HoldsT<O>(m, thr);
}

// touched == nullptr: every slot of the period; else only the listed
// groups [t_lo, t_hi) of a sparse g (ascending, all in this period).
template <Aggregate A, bound::CmpOp O>
void ScanPeriodT(const Groups& g, size_t base, size_t ns, bool skip_empty, double thr, std::vector<uint32_t>& out,
                 const uint32_t* t_lo, const uint32_t* t_hi) {
  if (t_lo) {
    for (const uint32_t* t = t_lo; t < t_hi; ++t) {
      if (BreaksT<A, O>(g, *t, skip_empty, thr)) out.push_back(static_cast<uint32_t>(*t - base));
    }
    return;
  }
  for (size_t s = 0; s < ns; ++s) {
    if (BreaksT<A, O>(g, base + s, skip_empty, thr)) out.push_back(static_cast<uint32_t>(s));
  }
}

// The slots of period base / ns whose group breaks `measured OP thr`
// (simple rules: no divisor, no second aggregate), into out (cleared).
void ScanPeriod(const plan::Plan& pl, const Groups& g, size_t base, size_t ns, bool skip_empty, double thr,
                std::vector<uint32_t>& out, const uint32_t* t_lo = nullptr, const uint32_t* t_hi = nullptr) {
  out.clear();
  auto by_op = [&]<Aggregate A>() {
    switch (pl.check->op) {
      case bound::CmpOp::kLt: ScanPeriodT<A, bound::CmpOp::kLt>(g, base, ns, skip_empty, thr, out, t_lo, t_hi); break;
      case bound::CmpOp::kLe: ScanPeriodT<A, bound::CmpOp::kLe>(g, base, ns, skip_empty, thr, out, t_lo, t_hi); break;
      case bound::CmpOp::kGt: ScanPeriodT<A, bound::CmpOp::kGt>(g, base, ns, skip_empty, thr, out, t_lo, t_hi); break;
      case bound::CmpOp::kGe: ScanPeriodT<A, bound::CmpOp::kGe>(g, base, ns, skip_empty, thr, out, t_lo, t_hi); break;
      case bound::CmpOp::kEq: ScanPeriodT<A, bound::CmpOp::kEq>(g, base, ns, skip_empty, thr, out, t_lo, t_hi); break;
      case bound::CmpOp::kNe: ScanPeriodT<A, bound::CmpOp::kNe>(g, base, ns, skip_empty, thr, out, t_lo, t_hi); break;
    }
  };
  switch (pl.check->aggregate) {
    case Aggregate::kCount: by_op.template operator()<Aggregate::kCount>(); break;
    case Aggregate::kSum: by_op.template operator()<Aggregate::kSum>(); break;
    case Aggregate::kAvg: by_op.template operator()<Aggregate::kAvg>(); break;
    case Aggregate::kMin: by_op.template operator()<Aggregate::kMin>(); break;
    case Aggregate::kMax: by_op.template operator()<Aggregate::kMax>(); break;
    case Aggregate::kShare: by_op.template operator()<Aggregate::kShare>(); break;
  }
}

// Judges the aggregated groups g of the plan and appends its findings
// (evidence rows not yet filled) to out; g.finding_group gets each one's group
// its finding. For extended rules, evidence_groups gets the (group,
// finding - first) pairs whose rows are a finding's evidence (a run of
// consecutive periods has one finding over several groups).
void JudgeGroups(const bound::Rule& rule, const plan::Plan& pl, const datasets::ColumnarImage& image, Groups& g,
                 const std::vector<double>& divisor, const std::vector<double>& against, std::vector<Finding>& out,
                 size_t first, std::vector<std::pair<size_t, size_t>>& evidence_groups,
                 std::vector<uint32_t>* only = nullptr) {
  const size_t np = pl.periods.size();
  const size_t ns = pl.group_entities.size();
  const int consecutive = pl.check->consecutive;
  const bool extended = pl.divide_by || pl.against || pl.check->against_previous || consecutive > 1;
  // measured of group gi; NaN: not judged.
  auto measured = [&](size_t gi) -> double {
    if (g.count[gi] == 0 && !pl.judge_empty) return std::nan("");
    double m = Measure(pl, g, gi);
    if (!divisor.empty()) m = Ratio(m, divisor[gi]);
    return m;
  };
  // threshold of period p, slot s; NaN: not judged.
  auto threshold = [&](size_t p, size_t s) -> double {
    const double t = pl.threshold[p];
    if (std::isnan(t)) return t;
    if (!against.empty()) return t * against[p * ns + s];
    if (pl.check->against_previous) return p == 0 ? std::nan("") : t * measured((p - 1) * ns + s);
    return t;
  };
  // Groups that break the norm (only needed for runs of consecutive periods).
  std::vector<uint8_t> broken;
  if (consecutive > 1) {
    broken.assign(np * ns, 0);
    for (size_t p = 0; p < np; ++p) {
      for (size_t s = 0; s < ns; ++s) {
        const double m = measured(p * ns + s), t = threshold(p, s);
        broken[p * ns + s] = !std::isnan(m) && !std::isnan(t) && !bound::Holds(pl.check->op, m, t);
      }
    }
  }
  // Strings are built once per period and once per entity with a finding
  // (a class over the limit in many weeks shares one description).
  std::vector<std::string> p_start(np), p_end(np);
  if (pl.check->period != bound::Period::kNone) {
    for (size_t p = 0; p < np; ++p) {
      p_start[p] = Date::FromDaysSinceEpoch(pl.periods[p].start).ToString();
      p_end[p] = Date::FromDaysSinceEpoch(pl.periods[p].end).ToString();
    }
  }
  std::vector<int32_t> info_of(ns, -1);
  std::vector<EntityInfo> infos;
  const std::string entity_type(bound::GroupEntityName(pl.check->group));
  const std::string period_kind(bound::PeriodName(pl.check->period));
  const std::string comparison(bound::CmpOpText(pl.check->op));
  // group index → finding index, for the evidence chains
  g.finding_group.clear();
  std::vector<uint32_t> candidates;
  // Sparse: the touched groups in group order, walked period by period;
  // `only` (an extended rule whose other groups cannot be judged, e.g. the
  // groups with a divisor) likewise.
  std::vector<uint32_t>* walk = only ? only : g.sparse ? &g.touched : nullptr;
  if (walk && !std::is_sorted(walk->begin(), walk->end())) std::sort(walk->begin(), walk->end());
  const uint32_t* t_next = walk ? walk->data() : nullptr;
  const uint32_t* const t_end = walk ? t_next + walk->size() : nullptr;
  // Period-major, like the accumulators: a sequential walk over them.
  for (size_t p = 0; p < np; ++p) {
    const uint32_t* t_lo = t_next;
    if (walk) {
      while (t_next < t_end && *t_next < (p + 1) * ns) ++t_next;
    }
    if (std::isnan(pl.threshold[p])) continue;
    // Whether an empty group passes (e.g. "phone-based days <= 0" with none).
    const bool skip_empty = !extended && (!pl.judge_empty || bound::Holds(pl.check->op, 0, pl.threshold[p]));
    // Simple rules: a tight scan picks the slots that break the norm; the
    // loop below then builds their findings (and re-checks them). Sparse
    // groups: only the touched ones, unless an empty group breaks the norm.
    if (!extended) {
      const bool use_touched = g.sparse && skip_empty;
      ScanPeriod(pl, g, p * ns, ns, skip_empty, pl.threshold[p], candidates, use_touched ? t_lo : nullptr,
                 use_touched ? t_next : nullptr);
    }
    const bool walk_only = extended && only;
    const size_t n_iter = walk_only ? static_cast<size_t>(t_next - t_lo) : extended ? ns : candidates.size();
    for (size_t i = 0; i < n_iter; ++i) {
      const size_t s = walk_only ? t_lo[i] - p * ns : extended ? i : candidates[i];
      const size_t gi = p * ns + s;
      if (g.count[gi] == 0 && skip_empty) continue;
      const double m = extended ? measured(gi) : Measure(pl, g, gi);
      const double thr = extended ? threshold(p, s) : pl.threshold[p];
      if (std::isnan(m) || std::isnan(thr) || bound::Holds(pl.check->op, m, thr)) continue;
      if (consecutive > 1) {
        if (p + 1 < static_cast<size_t>(consecutive)) continue;
        bool run = true;
        for (size_t k = 1; k < static_cast<size_t>(consecutive); ++k) run = run && broken[(p - k) * ns + s];
        if (!run) continue;
      }
      if (info_of[s] < 0) {
        info_of[s] = static_cast<int32_t>(infos.size());
        infos.push_back(Describe(image.registry, pl.check->group, pl.group_entities[s]));
      }
      const EntityInfo& info = infos[static_cast<size_t>(info_of[s])];
      Finding f;
      f.rule_id = rule.id;
      f.clause = rule.clause;
      f.severity = rule.severity;
      f.entity_type = entity_type;
      f.entity_id = info.id;
      f.entity_name = info.name;
      f.org_path = info.path;
      f.township_id = info.township_id;
      f.township_name = info.township_name;
      f.period_kind = period_kind;
      if (pl.check->period != bound::Period::kNone) {
        f.period_label = pl.periods[p].label;
        f.period_start = p_start[p];
        f.period_end = p_end[p];
      }
      f.measured = m;
      f.threshold = thr;
      f.comparison = comparison;
      if (pl.param[p]) f.parameters.push_back(*pl.param[p]);
      if (pl.dataset) f.evidence_dataset = pl.dataset->schema.name;
      g.finding_group.push_back(gi);
      if (pl.dataset && !extended) f.evidence_count = g.count[gi];
      if (extended) {
        for (size_t k = 0; k < static_cast<size_t>(consecutive); ++k) {
          evidence_groups.push_back({gi - k * ns, out.size() - first});
        }
        // The previous period compared against is evidence too.
        if (pl.check->against_previous) {
          evidence_groups.push_back({gi - static_cast<size_t>(consecutive) * ns, out.size() - first});
        }
      }
      out.push_back(std::move(f));
    }
  }
}

// Evidence of simple rules: the rows of their finding groups, found in one
// narrow pass over the dataset shared by the rules — an entity with no
// finding is skipped after one byte lookup, so the pass costs about a read
// of the entity column. Keeps the last kMaxEvidenceRows rows of each group
// in image order (as before: ascending row ids).
struct EvidenceJob {
  const plan::Plan* pl = nullptr;
  Groups* g = nullptr;
  std::vector<Finding>* out = nullptr;
  std::vector<int32_t> skip;   // finding → rows to pass over before recording
  std::vector<int32_t> seen;   // finding → rows met so far
  // The findings of each group slot, as CSR (slot s: slot_f[slot_off[s] ..
  // slot_off[s + 1]), ascending, i.e. by period): a row's group is matched
  // against its slot's few findings, not binary-searched among all.
  std::vector<int32_t> slot_off;
  std::vector<int32_t> slot_f;
};

void SimpleEvidence(std::vector<EvidenceJob>& all, size_t rows) {
  std::erase_if(all, [](const EvidenceJob& j) { return j.out->empty(); });
  // Eight rules at a time: a byte per entity says which of them has a
  // finding on it, so each row costs one lookup whatever the rules.
  for (size_t base = 0; base < all.size(); base += 8) {
    const size_t k = std::min<size_t>(8, all.size() - base);
    EvidenceJob* jobs = all.data() + base;
    std::vector<uint8_t> mask(jobs[0].pl->entity_to_group.size(), 0);
    for (size_t j = 0; j < k; ++j) {
      const plan::Plan& pl = *jobs[j].pl;
      const Groups& g = *jobs[j].g;
      const size_t ns = pl.group_entities.size();
      const size_t nf = jobs[j].out->size();
      jobs[j].skip.assign(nf, 0);
      jobs[j].seen.assign(nf, 0);
      std::vector<int32_t>& off = jobs[j].slot_off;
      off.assign(ns + 1, 0);
      for (size_t fi = 0; fi < nf; ++fi) {
        const size_t gi = g.finding_group[fi];
        ++off[gi % ns + 1];
        const int32_t n = g.count[gi];
        const int32_t keep = static_cast<int32_t>(kMaxEvidenceRows);
        jobs[j].skip[fi] = n > keep ? n - keep : 0;
      }
      for (size_t s = 0; s < ns; ++s) off[s + 1] += off[s];
      jobs[j].slot_f.assign(nf, 0);
      {
        std::vector<int32_t> at(off.begin(), off.end() - 1);
        for (size_t fi = 0; fi < nf; ++fi) jobs[j].slot_f[static_cast<size_t>(at[g.finding_group[fi] % ns]++)] = static_cast<int32_t>(fi);
      }
      for (size_t e = 0; e < mask.size(); ++e) {
        const int32_t s = pl.entity_to_group[e];
        if (s >= 0 && off[static_cast<size_t>(s) + 1] > off[static_cast<size_t>(s)]) mask[e] |= static_cast<uint8_t>(1u << j);
      }
    }
    const int32_t* ent = jobs[0].pl->row_entity;
    const uint8_t* m = mask.data();
    const uint64_t n_ent = mask.size();
    // Rows in chunks: a branch-free first loop lists the rows whose entity
    // has a finding (a few percent), so the common row costs two loads and
    // no mispredicted branch; the second loop looks only at those.
    constexpr size_t kChunk = 4096;
    uint32_t cand[kChunk];
    for (size_t lo = 0; lo < rows; lo += kChunk) {
      const size_t hi = std::min(rows, lo + kChunk);
      size_t nc = 0;
      for (size_t r = lo; r < hi; ++r) {
        const uint64_t e = static_cast<uint64_t>(static_cast<int64_t>(ent[r]));  // -1 → huge
        cand[nc] = static_cast<uint32_t>(r - lo);
        nc += (e < n_ent ? m[e] : 0) != 0;
      }
      for (size_t c = 0; c < nc; ++c) {
        const size_t r = lo + cand[c];
        const int32_t e = ent[r];
        unsigned bits = m[e];
        while (bits) {
          const size_t j = static_cast<size_t>(__builtin_ctz(bits));
          bits &= bits - 1;
          EvidenceJob& job = jobs[j];
          const plan::Plan& pl = *job.pl;
          // The cheap lookups first (slot, period, is that group a finding),
          // the filters and exemptions (GroupOf) only for a finding's rows:
          // most rows of an entity with a finding lie in other periods.
          const int32_t d = pl.date[r];
          const uint64_t off = static_cast<uint64_t>(int64_t{d} - pl.lut_lo);
          if (d == datasets::kNullInt || off >= pl.lut.size() || pl.lut[off] < 0) continue;
          const size_t s = static_cast<size_t>(pl.entity_to_group[static_cast<size_t>(e)]);
          const size_t guess = static_cast<size_t>(pl.lut[off]) * pl.group_entities.size() + s;
          const size_t* fg = job.g->finding_group.data();
          int32_t k = job.slot_off[s];
          const int32_t k_end = job.slot_off[s + 1];
          while (k < k_end && fg[job.slot_f[static_cast<size_t>(k)]] < guess) ++k;
          if (k == k_end || fg[job.slot_f[static_cast<size_t>(k)]] != guess) continue;
          const int64_t gi = GroupOfAny(pl, r);
          if (gi < 0) continue;
          const size_t fi = static_cast<size_t>(job.slot_f[static_cast<size_t>(k)]);
          if (job.seen[fi]++ >= job.skip[fi]) (*job.out)[fi].evidence_row_ids.push_back(job.pl->dataset->row_id[r]);
        }
      }
    }
  }
  for (EvidenceJob& j : all) {
    for (Finding& f : *j.out) std::sort(f.evidence_row_ids.begin(), f.evidence_row_ids.end());
  }
}

// Simple rules over the same dataset (plans[i] for rules[i], findings to
// outs[i], which must start empty): one pass over the rows in blocks of
// kBlock, each rule's loop over a block while its columns are in cache,
// then one evidence pass. Memory is read once however many rules share it.
Status RunShared(const std::vector<const bound::Rule*>& rules, const std::vector<const plan::Plan*>& plans,
                 const std::vector<std::vector<Finding>*>& outs, const std::vector<RuleStats*>& stats,
                 const datasets::ColumnarImage& image) {
  const size_t k = plans.size();
  const size_t rows = plans[0]->rows;
  std::vector<Groups*> pool(k);
  {
    size_t n_dense = 0, n_sparse = 0;
    std::vector<bool> sparse(k);
    for (size_t i = 0; i < k; ++i) {
      const size_t n = plans[i]->group_entities.size() * plans[i]->periods.size();
      sparse[i] = WantSparse(n, rows);
      (sparse[i] ? n_sparse : n_dense) += 1;
    }
    std::vector<Groups>& dense_pool = Pool(n_dense);
    std::vector<Groups>& sparse_pool = SparsePool(n_sparse);
    n_dense = n_sparse = 0;
    for (size_t i = 0; i < k; ++i) {
      pool[i] = sparse[i] ? &sparse_pool[n_sparse++] : &dense_pool[n_dense++];
      pool[i]->sparse = sparse[i];
      RETURN_IF_ERROR(Prepare(*plans[i], *pool[i]));
    }
  }
  for (size_t lo = 0; lo < rows; lo += kBlock) {
    const size_t hi = std::min(rows, lo + kBlock);
    for (size_t i = 0; i < k; ++i) AccumulateRange(*plans[i], *pool[i], lo, hi);
  }
  std::vector<EvidenceJob> jobs(k);
  const std::vector<double> none;
  std::vector<std::pair<size_t, size_t>> unused;
  for (size_t i = 0; i < k; ++i) {
    JudgeGroups(*rules[i], *plans[i], image, *pool[i], none, none, *outs[i], 0, unused);
    jobs[i].pl = plans[i];
    jobs[i].g = pool[i];
    jobs[i].out = outs[i];
    if (stats[i]) {
      stats[i]->rule_id = rules[i]->id;
      stats[i]->rows_scanned = plans[i]->rows;
      stats[i]->groups = pool[i]->n;
      stats[i]->findings = outs[i]->size();
    }
  }
  SimpleEvidence(jobs, rows);
  for (Groups* g : pool) {
    if (g->sparse) ClearSparse(*g);
  }
  return OkStatus();
}

}  // namespace

Status EvaluateRulePlan(const bound::Rule& rule, const plan::Plan& pl, const datasets::ColumnarImage& image,
                        std::vector<Finding>& out, RuleStats* stats) {
  if (Simple(pl)) {
    std::vector<Finding> mine;
    RETURN_IF_ERROR(RunShared({&rule}, {&pl}, {&mine}, {stats}, image));
    for (Finding& f : mine) out.push_back(std::move(f));
    return OkStatus();
  }
  const size_t first = out.size();
  std::vector<std::pair<size_t, size_t>> evidence_groups;
  // A plain ratio (divide_by only) with far more groups than rows (a class
  // per test day): only groups with a divisor row can be judged (else 0 ÷ 0
  // or x ÷ 0), so both aggregates run sparse and only those groups are
  // judged — no zeroing or scan of every (class, day).
  const size_t n_all = pl.group_entities.size() * pl.periods.size();
  const bool sparse_ratio = pl.dataset && pl.divide_by && !pl.divide_by->divide_by && !pl.divide_by->against &&
                            !pl.against && !pl.check->against_previous && pl.check->consecutive <= 1 &&
                            WantSparse(n_all, pl.rows);
  Groups* gp = nullptr;
  Groups* dgp = nullptr;
  if (sparse_ratio) {
    std::vector<Groups>& sp = SparsePool(2);
    dgp = &sp[1];
    dgp->sparse = true;
    RETURN_IF_ERROR(Prepare(*pl.divide_by, *dgp));
    AccumulateRange(*pl.divide_by, *dgp, 0, pl.divide_by->rows);
    // Values at the touched groups only; JudgeGroups reads no others.
    thread_local std::vector<double> div_values;
    if (div_values.size() < n_all) div_values.resize(n_all);
    for (uint32_t gi : dgp->touched) div_values[gi] = Measure(*pl.divide_by, *dgp, gi);
    gp = &sp[0];
    gp->sparse = true;
    if (Status st = Prepare(pl, *gp); !st.ok()) {
      ClearSparse(*dgp);
      return st;
    }
    AccumulateRange(pl, *gp, 0, pl.rows);
    JudgeGroups(rule, pl, image, *gp, div_values, {}, out, first, evidence_groups, &dgp->touched);
  } else {
    // The second aggregates first: Run reuses one scratch per thread.
    std::vector<double> divisor, against;
    if (pl.divide_by) { ASSIGN_OR_RETURN(divisor, MeasureAll(*pl.divide_by)); }
    if (pl.against) { ASSIGN_OR_RETURN(against, MeasureAll(*pl.against)); }
    ASSIGN_OR_RETURN(gp, Run(pl));
    JudgeGroups(rule, pl, image, *gp, divisor, against, out, first, evidence_groups);
  }
  const size_t n_groups = gp->n;
  if (pl.dataset && !evidence_groups.empty()) {
    // Evidence of an extended rule: the rows of every group of the run and
    // of the second aggregates' groups (the civil-servant pay beside the
    // teachers'), each row once.
    // (group, finding) pairs sorted by group: a binary search per row, not
    // a vector per group (hundreds of thousands of groups, a few findings).
    std::sort(evidence_groups.begin(), evidence_groups.end());
    std::vector<std::set<int64_t>> rows(out.size() - first);
    std::vector<const plan::Plan*> all = {&pl};
    for (const plan::Plan* x : {pl.divide_by.get(), pl.against.get()}) {
      for (; x; x = x->divide_by.get()) all.push_back(x);
    }
    const size_t ns = pl.group_entities.size();
    std::vector<uint8_t> slot_hit(ns, 0);
    for (const auto& [gi, fi] : evidence_groups) slot_hit[gi % ns] = 1;
    for (const plan::Plan* x : all) {
      // Entities whose slot has no finding are skipped after one lookup
      // (an operand's own entity → slot map: `against` takes more orgs).
      std::vector<uint8_t> hit(x->entity_to_group.size(), 0);
      for (size_t e = 0; e < hit.size(); ++e) {
        const int32_t s = x->entity_to_group[e];
        hit[e] = s >= 0 && slot_hit[static_cast<size_t>(s)];
      }
      for (size_t r = 0; r < x->rows; ++r) {
        const int32_t e = x->row_entity ? x->row_entity[r] : static_cast<int32_t>(r);
        if (e < 0 || static_cast<size_t>(e) >= hit.size() || !hit[static_cast<size_t>(e)]) continue;
        const int64_t gi = GroupOfAny(*x, r);
        if (gi < 0 || static_cast<size_t>(gi) >= n_groups) continue;
        auto it = std::lower_bound(evidence_groups.begin(), evidence_groups.end(),
                                   std::pair<size_t, size_t>{static_cast<size_t>(gi), 0});
        for (; it != evidence_groups.end() && it->first == static_cast<size_t>(gi); ++it) {
          rows[it->second].insert(x->dataset->row_id[r]);
        }
      }
    }
    for (size_t fi = 0; fi < rows.size(); ++fi) {
      Finding& f = out[first + fi];
      f.evidence_count = static_cast<int64_t>(rows[fi].size());
      auto it = rows[fi].begin();
      if (rows[fi].size() > kMaxEvidenceRows) std::advance(it, rows[fi].size() - kMaxEvidenceRows);
      f.evidence_row_ids.assign(it, rows[fi].end());
    }
  }
  if (stats) {
    stats->rule_id = rule.id;
    stats->rows_scanned = pl.rows;
    stats->groups = n_groups;
    stats->findings = out.size() - first;
  }
  if (sparse_ratio) {
    ClearSparse(*gp);
    ClearSparse(*dgp);
  }
  return OkStatus();
}

namespace {

Status CheckOverrides(const bound::Pack& pack, const CompileOptions& options) {
  for (const auto& [key, value] : options.overrides) {
    bool found = false;
    for (const auto& r : pack.rules) {
      for (const auto& p : r.parameters) {
        if (key == p.name || key == r.id + "." + p.name) found = true;
      }
    }
    if (!found) {
      return InvalidArgumentError("what-if: no rule has a parameter '" + key + "'",
                                  "假设分析：没有规则含参数 '" + key + "'");
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<CheckResult> Evaluate(const bound::Pack& pack, const datasets::ColumnarImage& image,
                               const CompileOptions& options) {
  RETURN_IF_ERROR(CheckOverrides(pack, options));
  CheckResult result;
  // Compile every rule, then evaluate: simple rules over the same dataset
  // share one pass over its rows (the four homework rules read 30 M rows
  // once, not four times); findings still come out in pack order.
  const size_t n_rules = pack.rules.size();
  std::vector<plan::Plan> plans;
  plans.reserve(n_rules);
  for (const auto& rule : pack.rules) {
    ASSIGN_OR_RETURN(plan::Plan pl, CompileRule(pack, rule, image, options));
    plans.push_back(std::move(pl));
  }
  std::vector<std::vector<Finding>> per_rule(n_rules);
  result.stats.resize(n_rules);
  std::vector<uint8_t> done(n_rules, 0);
  for (size_t i = 0; i < n_rules; ++i) {
    if (done[i]) continue;
    if (!Simple(plans[i])) {
      RETURN_IF_ERROR(EvaluateRulePlan(pack.rules[i], plans[i], image, per_rule[i], &result.stats[i]));
      done[i] = 1;
      continue;
    }
    std::vector<const bound::Rule*> rules;
    std::vector<const plan::Plan*> shared;
    std::vector<std::vector<Finding>*> outs;
    std::vector<RuleStats*> stats;
    for (size_t j = i; j < n_rules; ++j) {
      if (done[j] || !Simple(plans[j]) || plans[j].dataset != plans[i].dataset) continue;
      rules.push_back(&pack.rules[j]);
      shared.push_back(&plans[j]);
      outs.push_back(&per_rule[j]);
      stats.push_back(&result.stats[j]);
      done[j] = 1;
    }
    RETURN_IF_ERROR(RunShared(rules, shared, outs, stats, image));
  }
  size_t total = 0;
  for (const auto& v : per_rule) total += v.size();
  result.findings.reserve(total);
  for (auto& v : per_rule) {
    for (Finding& f : v) result.findings.push_back(std::move(f));
  }
  const int32_t today = options.as_of.DaysSinceEpoch();
  for (const auto& named : pack.targets) {
    // A code the registry lacks gets its own line and the target is measured
    // over the codes it has (MissingOrgCodes); with none left, nothing to measure.
    const std::vector<std::string> missing = MissingOrgCodes(image.registry, named.scope);
    for (const std::string& code : missing) result.targets.push_back(UnresolvedTarget(named, code, today));
    if (!missing.empty() && missing.size() == named.scope.org_codes.size()) continue;
    bound::Target present;
    if (!missing.empty()) {
      present = named;
      std::erase_if(present.scope.org_codes, [&](const std::string& c) {
        return std::find(missing.begin(), missing.end(), c) != missing.end();
      });
    }
    const bound::Target& t = missing.empty() ? named : present;
    std::vector<int32_t> entities;
    std::vector<double> values;
    if (!t.open_cases.empty()) {
      // One value per scope root (its org code), else per county: the caller's count.
      const datasets::RegistryImage& r = image.registry;
      for (size_t i = 0; i < r.org_code.size(); ++i) {
        bool root = false;
        if (t.scope.org_codes.empty()) {
          root = r.org_county[i] == static_cast<int32_t>(i);
        } else {
          for (const auto& code : t.scope.org_codes) root = root || r.org_code[i] == code;
        }
        if (!root) continue;
        entities.push_back(static_cast<int32_t>(i));
        if (!options.count_open_cases) {
          values.push_back(std::nan(""));
          continue;
        }
        StatusOr<int64_t> n = options.count_open_cases(t.open_cases, r.org_path[i]);
        if (!n.ok()) return n.status();
        values.push_back(static_cast<double>(*n));
      }
    } else {
      ASSIGN_OR_RETURN(plan::Plan pl, CompileTarget(pack, t, image, options));
      ASSIGN_OR_RETURN(values, MeasureAll(pl));
      entities = pl.group_entities;
    }
    for (size_t s = 0; s < entities.size(); ++s) {
      const bound::GroupEntity ge =
          t.open_cases.empty() ? t.indicator.group
          : image.registry.org_county[static_cast<size_t>(entities[s])] == entities[s] ? bound::GroupEntity::kCounty
          : image.registry.org_township[static_cast<size_t>(entities[s])] == entities[s] ? bound::GroupEntity::kTownship
                                                                                          : bound::GroupEntity::kSchool;
      EntityInfo info = Describe(image.registry, ge, entities[s]);
      TargetProgress tp;
      tp.target_id = t.id;
      tp.clause = t.clause;
      tp.title_zh = t.title_zh;
      tp.entity_type = info.type;
      tp.entity_id = info.id;
      tp.entity_name = info.name;
      tp.target = t.indicator.value;
      tp.comparison = std::string(bound::CmpOpText(t.indicator.op));
      tp.deadline = Date::FromDaysSinceEpoch(t.deadline).ToString();
      const double m = values[s];
      tp.has_value = !std::isnan(m);
      tp.measured = tp.has_value ? m : 0;
      // Linear path from the baseline (default: 0 at the start of the deadline's year).
      const int32_t start = t.baseline_date ? *t.baseline_date
                                            : Date::FromYmd(Date::FromDaysSinceEpoch(t.deadline).year(), 1, 1)
                                                  .DaysSinceEpoch();
      const double base = t.baseline_date ? t.baseline_value : 0;
      double frac = t.deadline > start ? static_cast<double>(today - start) / (t.deadline - start) : 1;
      frac = std::clamp(frac, 0.0, 1.0);
      tp.expected = base + (tp.target - base) * frac;
      const bool met = tp.has_value && bound::Holds(t.indicator.op, tp.measured, tp.target);
      if (met) {
        tp.status = TargetStatus::kMet;
      } else if (today > t.deadline) {
        tp.status = TargetStatus::kMissed;
      } else if (tp.has_value && bound::Holds(t.indicator.op, tp.measured, tp.expected)) {
        tp.status = TargetStatus::kOnTrack;
      } else {
        tp.status = TargetStatus::kAtRisk;
      }
      result.targets.push_back(std::move(tp));
    }
  }
  return result;
}

}  // namespace edugov::rules
