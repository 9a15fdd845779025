#include "rules/evaluator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace edugov::rules {
namespace {

using bound::Aggregate;

constexpr size_t kMaxGroups = size_t{1} << 27;

// Per-group accumulators. The vectors live in a per-thread scratch that is
// reused from rule to rule and call to call: allocating (and the kernel
// zeroing) tens of MiB per rule cost more than the sweep itself.
struct Groups {
  size_t n_periods = 0;
  std::vector<int32_t> count;  // rows (COUNT(*))
  std::vector<int32_t> nvals;  // non-null values (avg/min/max)
  std::vector<double> sum;
  std::vector<double> ext;     // min or max
  std::vector<int32_t> hits;   // share numerator
  // Evidence chains (dataset sources): head[g] is the last row aggregated
  // into g, next[r] the row before r in its group, -1 ends a chain. Built in
  // the one pass, so evidence needs no second sweep. next has next_capacity
  // slots; only the rows aggregated are written.
  std::vector<int32_t> head;
  std::unique_ptr<int32_t[]> next_buf;
  size_t next_capacity = 0;
  int32_t* next = nullptr;
  std::vector<int32_t> finding_of;  // group → index of its finding, or -1
};

Groups& Scratch() {
  thread_local Groups g;
  return g;
}

// The group index of a row, or -1 when the row is out of scope, undated,
// outside a judged period, exempted or filtered out. Groups are laid out
// period-major (period × entity slots + slot): rows arrive day by day, so
// consecutive rows touch neighbouring groups, not one cache line each.
[[gnu::always_inline]] inline int64_t GroupOf(const plan::Plan& pl, size_t r) {
  // Row filters first: they read one narrow column and usually reject most
  // rows (phone_based = true) before the entity and period lookups.
  for (const auto& w : pl.where) {
    if (!w.Test(r)) return -1;
  }
  int32_t e = pl.row_entity ? pl.row_entity[r] : static_cast<int32_t>(r);
  if (e < 0) return -1;
  int32_t s = pl.entity_to_group[static_cast<size_t>(e)];
  if (s < 0) return -1;
  int32_t p = 0;
  if (pl.date) {
    const int32_t d = pl.date[r];
    const int64_t off = int64_t{d} - pl.lut_lo;
    if (d == datasets::kNullInt || off < 0 || off >= static_cast<int64_t>(pl.lut.size())) return -1;
    p = pl.lut[static_cast<size_t>(off)];
    if (p < 0) return -1;
  }
  if (!pl.exempt.empty() && pl.exempt[r]) return -1;
  return int64_t{p} * static_cast<int64_t>(pl.group_entities.size()) + s;
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

template <Aggregate A, plan::ValueReader::Kind K>
void Accumulate(const plan::Plan& pl, Groups& g) {
  for (size_t r = 0; r < pl.rows; ++r) {
    int64_t k = GroupOf(pl, r);
    if (k < 0) continue;
    const size_t gi = static_cast<size_t>(k);
    ++g.count[gi];
    if (g.next) {
      g.next[r] = g.head[gi];
      g.head[gi] = static_cast<int32_t>(r);
    }
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

// Aggregates the plan into the calling thread's scratch; the reference is
// valid until the next Run on this thread.
StatusOr<Groups*> Run(const plan::Plan& pl) {
  Groups& g = Scratch();
  g.n_periods = pl.periods.size();
  const size_t n = pl.group_entities.size() * g.n_periods;
  if (n > kMaxGroups) {
    return ResourceExhaustedError("rule '" + pl.id + "' needs " + std::to_string(n) + " groups",
                                  "规则 '" + pl.id + "' 需要 " + std::to_string(n) + " 个分组，超出上限");
  }
  g.count.assign(n, 0);
  const Aggregate a = pl.check->aggregate;
  g.sum.clear(); g.nvals.clear(); g.ext.clear(); g.hits.clear(); g.head.clear();
  if (a == Aggregate::kSum || a == Aggregate::kAvg) { g.sum.assign(n, 0); g.nvals.assign(n, 0); }
  if (a == Aggregate::kMin) { g.ext.assign(n, std::numeric_limits<double>::infinity()); g.nvals.assign(n, 0); }
  if (a == Aggregate::kMax) { g.ext.assign(n, -std::numeric_limits<double>::infinity()); g.nvals.assign(n, 0); }
  if (a == Aggregate::kShare) g.hits.assign(n, 0);
  g.next = nullptr;
  if (pl.dataset) {
    g.head.assign(n, -1);
    if (g.next_capacity < pl.rows) {
      g.next_buf = std::make_unique_for_overwrite<int32_t[]>(pl.rows);
      g.next_capacity = pl.rows;
    }
    g.next = g.next_buf.get();
  }
  using VK = plan::ValueReader::Kind;
  switch (a) {
    case Aggregate::kCount: Accumulate<Aggregate::kCount, VK::kNone>(pl, g); break;
    case Aggregate::kShare: Accumulate<Aggregate::kShare, VK::kNone>(pl, g); break;
    default:
      switch (pl.value.kind) {
#define EDUGOV_ACC(KIND)                                                          \
  case KIND:                                                                      \
    if (a == Aggregate::kSum) Accumulate<Aggregate::kSum, KIND>(pl, g);           \
    else if (a == Aggregate::kAvg) Accumulate<Aggregate::kAvg, KIND>(pl, g);      \
    else if (a == Aggregate::kMin) Accumulate<Aggregate::kMin, KIND>(pl, g);      \
    else Accumulate<Aggregate::kMax, KIND>(pl, g);                                \
    break;
        EDUGOV_ACC(VK::kI32)
        EDUGOV_ACC(VK::kB8)
        EDUGOV_ACC(VK::kI8)
        EDUGOV_ACC(VK::kF64)
        EDUGOV_ACC(VK::kNone)
#undef EDUGOV_ACC
      }
  }
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

Status EvaluateRulePlan(const bound::Rule& rule, const plan::Plan& pl, const datasets::ColumnarImage& image,
                        std::vector<Finding>& out, RuleStats* stats) {
  ASSIGN_OR_RETURN(Groups* gp, Run(pl));
  const Groups& g = *gp;
  const size_t np = pl.periods.size();
  const size_t first = out.size();
  // Strings are built once per period and once per entity with a finding
  // (a class over the limit in many weeks shares one description).
  std::vector<std::string> p_start(np), p_end(np);
  if (pl.check->period != bound::Period::kNone) {
    for (size_t p = 0; p < np; ++p) {
      p_start[p] = Date::FromDaysSinceEpoch(pl.periods[p].start).ToString();
      p_end[p] = Date::FromDaysSinceEpoch(pl.periods[p].end).ToString();
    }
  }
  std::vector<int32_t> info_of(pl.group_entities.size(), -1);
  std::vector<EntityInfo> infos;
  const std::string entity_type(bound::GroupEntityName(pl.check->group));
  const std::string period_kind(bound::PeriodName(pl.check->period));
  const std::string comparison(bound::CmpOpText(pl.check->op));
  // group index → finding index, for the evidence chains
  std::vector<int32_t>& finding_of = gp->finding_of;
  finding_of.assign(g.count.size(), -1);
  // Period-major, like the accumulators: a sequential walk over them.
  for (size_t p = 0; p < np; ++p) {
    const double thr = pl.threshold[p];
    if (std::isnan(thr)) continue;
    // Whether an empty group passes (e.g. "phone-based days <= 0" with none).
    const bool skip_empty = !pl.judge_empty || bound::Holds(pl.check->op, 0, thr);
    for (size_t s = 0; s < pl.group_entities.size(); ++s) {
      const size_t gi = p * pl.group_entities.size() + s;
      if (g.count[gi] == 0 && skip_empty) continue;
      const double m = Measure(pl, g, gi);
      if (std::isnan(m) || bound::Holds(pl.check->op, m, thr)) continue;
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
      finding_of[gi] = static_cast<int32_t>(out.size());
      out.push_back(std::move(f));
    }
  }
  // Evidence: walk each finding's chain (the last kMaxEvidenceRows rows).
  if (pl.dataset) {
    for (size_t gi = 0; gi < finding_of.size(); ++gi) {
      if (finding_of[gi] < 0) continue;
      Finding& f = out[static_cast<size_t>(finding_of[gi])];
      f.evidence_count = g.count[gi];
      for (int32_t r = g.head[gi]; r >= 0 && f.evidence_row_ids.size() < kMaxEvidenceRows; r = g.next[r]) {
        f.evidence_row_ids.push_back(pl.dataset->row_id[static_cast<size_t>(r)]);
      }
      std::sort(f.evidence_row_ids.begin(), f.evidence_row_ids.end());
    }
  }
  if (stats) {
    stats->rule_id = rule.id;
    stats->rows_scanned = pl.rows;
    stats->groups = g.count.size();
    stats->findings = out.size() - first;
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
  for (const auto& rule : pack.rules) {
    ASSIGN_OR_RETURN(plan::Plan pl, CompileRule(pack, rule, image, options));
    RuleStats st;
    RETURN_IF_ERROR(EvaluateRulePlan(rule, pl, image, result.findings, &st));
    result.stats.push_back(std::move(st));
  }
  const int32_t today = options.as_of.DaysSinceEpoch();
  for (const auto& t : pack.targets) {
    ASSIGN_OR_RETURN(plan::Plan pl, CompileTarget(pack, t, image, options));
    ASSIGN_OR_RETURN(Groups* gp, Run(pl));
    const Groups& g = *gp;
    for (size_t s = 0; s < pl.group_entities.size(); ++s) {
      EntityInfo info = Describe(image.registry, t.indicator.group, pl.group_entities[s]);
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
      const double m = Measure(pl, g, s);
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
