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
  std::vector<double> out(gp->count.size());
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
  // The second aggregates first: Run reuses one scratch per thread.
  std::vector<double> divisor, against;
  if (pl.divide_by) { ASSIGN_OR_RETURN(divisor, MeasureAll(*pl.divide_by)); }
  if (pl.against) { ASSIGN_OR_RETURN(against, MeasureAll(*pl.against)); }
  ASSIGN_OR_RETURN(Groups* gp, Run(pl));
  const Groups& g = *gp;
  const size_t np = pl.periods.size();
  const size_t ns = pl.group_entities.size();
  const size_t first = out.size();
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
  std::vector<int32_t>& finding_of = gp->finding_of;
  finding_of.assign(g.count.size(), -1);
  // (group, finding) pairs whose rows are a finding's evidence (extended rules:
  // a run of consecutive periods has one finding over several groups).
  std::vector<std::pair<size_t, size_t>> evidence_groups;
  // Period-major, like the accumulators: a sequential walk over them.
  for (size_t p = 0; p < np; ++p) {
    if (std::isnan(pl.threshold[p])) continue;
    // Whether an empty group passes (e.g. "phone-based days <= 0" with none).
    const bool skip_empty = !extended && (!pl.judge_empty || bound::Holds(pl.check->op, 0, pl.threshold[p]));
    for (size_t s = 0; s < ns; ++s) {
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
      finding_of[gi] = static_cast<int32_t>(out.size());
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
  if (pl.dataset && !extended) {
    // Evidence: walk each finding's chain (the last kMaxEvidenceRows rows).
    for (size_t gi = 0; gi < finding_of.size(); ++gi) {
      if (finding_of[gi] < 0) continue;
      Finding& f = out[static_cast<size_t>(finding_of[gi])];
      f.evidence_count = g.count[gi];
      for (int32_t r = g.head[gi]; r >= 0 && f.evidence_row_ids.size() < kMaxEvidenceRows; r = g.next[r]) {
        f.evidence_row_ids.push_back(pl.dataset->row_id[static_cast<size_t>(r)]);
      }
      std::sort(f.evidence_row_ids.begin(), f.evidence_row_ids.end());
    }
  } else if (pl.dataset && !evidence_groups.empty()) {
    // Evidence of an extended rule: the rows of every group of the run and
    // of the second aggregates' groups (the civil-servant pay beside the
    // teachers'), each row once.
    std::vector<std::set<int64_t>> rows(out.size() - first);
    auto collect = [&](const plan::Plan& x, const Groups& gx) {
      for (auto [gi, fi] : evidence_groups) {
        for (int32_t r = gx.head[gi]; r >= 0; r = gx.next[r]) rows[fi].insert(x.dataset->row_id[static_cast<size_t>(r)]);
      }
    };
    collect(pl, g);
    std::vector<const plan::Plan*> subs;
    for (const plan::Plan* x : {pl.divide_by.get(), pl.against.get()}) {
      for (; x; x = x->divide_by.get()) subs.push_back(x);
    }
    for (const plan::Plan* x : subs) {
      ASSIGN_OR_RETURN(Groups* gx, Run(*x));
      collect(*x, *gx);
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
    stats->groups = np * ns;
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
      if (entities.empty() && !t.scope.org_codes.empty()) {
        return InvalidArgumentError("target '" + t.id + "': scope org code '" + t.scope.org_codes[0] +
                                        "' is not in the registry",
                                    "目标 '" + t.id + "'：范围中的单位代码 '" + t.scope.org_codes[0] + "' 不在登记册中");
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
