#include "rules/compiler.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>
#include <unordered_map>

namespace edugov::rules {
namespace {

using datasets::ColumnarImage;
using datasets::ColumnType;
using datasets::RegistryImage;
using plan::Predicate;

// The ISO week label ("2025-W02") of the week starting on Monday `monday`.
std::string WeekLabel(int32_t monday) {
  Date thursday = Date::FromDaysSinceEpoch(monday + 3);
  int week = (thursday.DaysSinceEpoch() - Date::FromYmd(thursday.year(), 1, 1).DaysSinceEpoch()) / 7 + 1;
  return std::to_string(thursday.year()) + (week < 10 ? "-W0" : "-W") + std::to_string(week);
}

struct Ctx {
  const bound::Pack& pack;
  const ColumnarImage& image;
  const CompileOptions& options;
  const RegistryImage& reg() const { return image.registry; }
};

StatusOr<std::vector<int32_t>> ScopeRoots(const Ctx& cx, const bound::Scope& scope, const std::string& id) {
  std::vector<int32_t> roots;
  for (const auto& code : scope.org_codes) {
    int32_t found = -1;
    for (size_t i = 0; i < cx.reg().org_code.size(); ++i) {
      if (cx.reg().org_code[i] == code) found = static_cast<int32_t>(i);
    }
    if (found < 0) {
      return InvalidArgumentError("rule '" + id + "': scope org code '" + code + "' is not in the registry",
                                  "规则 '" + id + "'：范围中的单位代码 '" + code + "' 不在登记册中");
    }
    roots.push_back(found);
  }
  return roots;
}

bool InRoots(const RegistryImage& r, const std::vector<int32_t>& roots, int32_t o) {
  if (roots.empty()) return true;
  for (int32_t root : roots) if (r.InSubtree(o, root)) return true;
  return false;
}

Status BuildPredicates(const Ctx& cx, const bound::Check& chk, const datasets::DatasetImage* ds,
                       const std::vector<bound::Condition>& conds, std::vector<Predicate>& out) {
  const RegistryImage& r = cx.reg();
  for (const auto& c : conds) {
    Predicate p;
    p.op = c.op;
    p.values = c.values;
    if (ds) {
      const datasets::Column& col = ds->columns[static_cast<size_t>(c.column)];
      switch (col.type) {
        case ColumnType::kInt: case ColumnType::kDate: case ColumnType::kTime: case ColumnType::kEnum:
          p.kind = Predicate::Kind::kI32; p.i32 = col.i32.data(); break;
        case ColumnType::kText: {
          p.kind = Predicate::Kind::kI32;
          p.i32 = col.i32.data();
          p.values.clear();
          for (const auto& t : c.texts) {
            int32_t code = col.CodeOf(t);
            if (code >= 0) p.values.push_back(code);
          }
          bool positive = c.op == bound::CondOp::kEq || c.op == bound::CondOp::kIn;
          if (p.values.empty() && !c.texts.empty()) {
            if (positive) {
              p.always_false = true;
            } else {  // != or not_in an absent text: any non-null value passes
              p.op = bound::CondOp::kNotNull;
            }
          }
          if (c.op == bound::CondOp::kEq && !p.values.empty()) p.op = bound::CondOp::kIn;
          if (c.op == bound::CondOp::kNe && !p.values.empty()) p.op = bound::CondOp::kNotIn;
          break;
        }
        case ColumnType::kBool: p.kind = Predicate::Kind::kB8; p.b8 = col.b8.data(); break;
        case ColumnType::kRef: p.kind = Predicate::Kind::kI64; p.i64 = col.i64.data(); break;
        case ColumnType::kDecimal: p.kind = Predicate::Kind::kF64; p.f64 = col.f64.data(); break;
      }
    } else {
      const int32_t* org_via = chk.source == bound::SourceKind::kStaff     ? r.staff_org.data()
                               : chk.source == bound::SourceKind::kClasses ? r.class_school.data()
                                                                           : nullptr;
      switch (c.attr) {
        case bound::RegistryAttr::kPosts: p.kind = Predicate::Kind::kPosts; p.u8 = r.staff_posts.data(); break;
        case bound::RegistryAttr::kFlags: p.kind = Predicate::Kind::kFlags; p.u8 = r.org_flags.data(); p.via = org_via; break;
        case bound::RegistryAttr::kStage: p.kind = Predicate::Kind::kStage; p.stage = r.org_stage.data(); p.via = org_via; break;
        case bound::RegistryAttr::kRuralYears: p.kind = Predicate::Kind::kF64; p.f64 = r.staff_rural_years.data(); break;
        case bound::RegistryAttr::kGrade: p.kind = Predicate::Kind::kI8; p.b8 = r.class_grade.data(); break;
        case bound::RegistryAttr::kNone: return InternalError("registry condition without attribute");
      }
    }
    out.push_back(std::move(p));
  }
  return OkStatus();
}

// Scope, grouping and universe: fills entity_to_group and group_entities.
// The universe depends on the scope and group only, so plans built from the
// same scope and group have the same slots. `relaxed` (an "against" operand)
// takes org-level rows of any org under the scope's org subtrees, whatever
// its stage or flags.
Status BuildGroups(const Ctx& cx, const bound::Scope& scope, const bound::Check& chk, const std::string& id,
                   bool relaxed, plan::Plan& pl) {
  const RegistryImage& r = cx.reg();
  ASSIGN_OR_RETURN(std::vector<int32_t> roots, ScopeRoots(cx, scope, id));
  const size_t n_orgs = r.org_id.size();
  const size_t n_classes = r.class_id.size();
  // A "school" is an org with a stage (township central schools included).
  std::vector<uint8_t> school_ok(n_orgs, 0);
  for (size_t o = 0; o < n_orgs; ++o) {
    if (r.org_stage[o] == datasets::kNoStage) continue;
    if (scope.stage_mask && !(scope.stage_mask & (1u << r.org_stage[o]))) continue;
    if ((r.org_flags[o] & scope.flag_mask) != scope.flag_mask) continue;
    if (!InRoots(r, roots, static_cast<int32_t>(o))) continue;
    school_ok[o] = 1;
  }
  std::vector<uint8_t> class_ok;
  if (pl.entity_is_class || chk.group == bound::GroupEntity::kClass) {
    class_ok.assign(n_classes, 0);
    for (size_t c = 0; c < n_classes; ++c) {
      if (!school_ok[static_cast<size_t>(r.class_school[c])]) continue;
      if (scope.grade_mask && !(scope.grade_mask & (1u << (r.class_grade[c] + 2)))) continue;
      class_ok[c] = 1;
    }
  }
  // Universe of group entities, and a slot per entity.
  std::vector<int32_t> slot(chk.group == bound::GroupEntity::kClass ? n_classes : n_orgs, -1);
  auto add = [&](size_t e) {
    slot[e] = static_cast<int32_t>(pl.group_entities.size());
    pl.group_entities.push_back(static_cast<int32_t>(e));
  };
  switch (chk.group) {
    case bound::GroupEntity::kClass:
      for (size_t c = 0; c < n_classes; ++c) if (class_ok[c]) add(c);
      break;
    case bound::GroupEntity::kSchool:
      for (size_t o = 0; o < n_orgs; ++o) if (school_ok[o]) add(o);
      break;
    case bound::GroupEntity::kTownship: case bound::GroupEntity::kCounty: {
      int8_t kind = chk.group == bound::GroupEntity::kTownship ? datasets::kKindTownship : datasets::kKindCounty;
      for (size_t o = 0; o < n_orgs; ++o) {
        if (r.org_kind[o] == kind && InRoots(r, roots, static_cast<int32_t>(o))) add(o);
      }
      break;
    }
    case bound::GroupEntity::kAll:
      pl.group_entities.push_back(-1);
      break;
  }
  // Which orgs' rows count. Besides the schools in scope: with `relaxed`,
  // any org under the roots; otherwise an org's own dataset rows (a
  // township's or the county's figures: no stage) when the scope does not
  // pick schools by stage or flag — they count for the groups above them.
  auto accepted = [&](int32_t o) -> bool {
    if (school_ok[static_cast<size_t>(o)]) return true;
    if (!pl.dataset || !InRoots(r, roots, o)) return false;
    if (relaxed) return true;
    return r.org_stage[static_cast<size_t>(o)] == datasets::kNoStage && !scope.stage_mask && !scope.flag_mask;
  };
  // Source entity → slot.
  auto group_of_school = [&](int32_t o) -> int32_t {
    if (o < 0 || !accepted(o)) return -1;
    switch (chk.group) {
      case bound::GroupEntity::kSchool: return slot[static_cast<size_t>(o)];
      case bound::GroupEntity::kTownship: {
        int32_t t = r.org_township[static_cast<size_t>(o)];
        return t < 0 ? -1 : slot[static_cast<size_t>(t)];
      }
      case bound::GroupEntity::kCounty: {
        int32_t t = r.org_county[static_cast<size_t>(o)];
        return t < 0 ? -1 : slot[static_cast<size_t>(t)];
      }
      case bound::GroupEntity::kAll: return 0;
      case bound::GroupEntity::kClass: return -1;
    }
    return -1;
  };
  if (pl.entity_is_class) {
    pl.entity_to_group.assign(n_classes, -1);
    for (size_t c = 0; c < n_classes; ++c) {
      if (!class_ok[c]) continue;
      pl.entity_to_group[c] = chk.group == bound::GroupEntity::kClass ? slot[c] : group_of_school(r.class_school[c]);
    }
  } else {
    pl.entity_to_group.assign(n_orgs, -1);
    for (size_t o = 0; o < n_orgs; ++o) pl.entity_to_group[o] = group_of_school(static_cast<int32_t>(o));
  }
  return OkStatus();
}

// The period day `d` falls in; its label only when `labelled` (the day
// loops below ask once per day and keep one label per period — formatting
// every day's label was a fifth of a form's re-check).
plan::PeriodRange PeriodOf(const bound::Pack& pack, bound::Period kind, int32_t d, bool& none,
                           bool labelled = true) {
  none = false;
  Date date = Date::FromDaysSinceEpoch(d);
  switch (kind) {
    case bound::Period::kDay: return {d, d, labelled ? date.ToString() : std::string()};
    case bound::Period::kWeek: {
      int32_t monday = d - (date.IsoWeekday() - 1);
      return {monday, monday + 6, labelled ? WeekLabel(monday) : std::string()};
    }
    case bound::Period::kMonth: {
      int32_t first = Date::FromYmd(date.year(), date.month(), 1).DaysSinceEpoch();
      int32_t next = date.month() == 12 ? Date::FromYmd(date.year() + 1, 1, 1).DaysSinceEpoch()
                                        : Date::FromYmd(date.year(), date.month() + 1, 1).DaysSinceEpoch();
      return {first, next - 1, labelled ? date.ToString().substr(0, 7) : std::string()};
    }
    case bound::Period::kYear:
      return {Date::FromYmd(date.year(), 1, 1).DaysSinceEpoch(), Date::FromYmd(date.year(), 12, 31).DaysSinceEpoch(),
              labelled ? std::to_string(date.year()) : std::string()};
    case bound::Period::kSemester:
      for (const auto& s : pack.semesters) {
        if (d >= s.from && d <= s.to) return {s.from, s.to, s.name};
      }
      none = true;
      return {};
    case bound::Period::kNone: break;
  }
  none = true;
  return {};
}

// On the school-day basis a period that holds a semester's last day and no
// school day after it ends with the semester: the last, partial week of a
// semester (Monday to a Friday the semester ends on) is judged once the
// semester is over, not only after a Sunday in the holidays. Semesters are
// sorted and never overlap.
int32_t SchoolEnd(const bound::Pack& pack, const plan::PeriodRange& p) {
  const auto& sems = pack.semesters;
  for (size_t i = 0; i < sems.size(); ++i) {
    if (sems[i].to < p.start || sems[i].to >= p.end) continue;
    const bool next_inside = i + 1 < sems.size() && sems[i + 1].from <= p.end;
    if (!next_inside) return sems[i].to;
  }
  return p.end;
}

// Which periods a rule lays out groups for (one per period × entity slot).
enum class Domain {
  kFull,        // every period from the earliest row or semester to as_of
  kRowSpan,     // the rule judges no group without rows: the rows' days only
  kRowPeriods,  // … and no period adjacency either (no consecutive, no
                // previous_period): only periods that hold a row at all
};

// kRowSpan: a daily rule over a dataset holding one week (or none) does not
// lay out groups for every day of the year; kRowPeriods: routine tests on a
// dozen days of a semester make a dozen periods, not 140.
void BuildPeriods(const Ctx& cx, const bound::Check& chk, Domain domain, plan::Plan& pl) {
  const bool trim = domain != Domain::kFull;
  const int32_t as_of = cx.options.as_of.DaysSinceEpoch();
  // days: school — the day → period table holds school days only (the
  // pack's bitmap, computed once at bind time), so rows on a Sunday, a
  // holiday or outside every semester fall out of the evaluator's loop at no
  // cost per row; a period without a school day is not laid out at all.
  const bool school = chk.days == bound::DayBasis::kSchool;
  if (chk.period == bound::Period::kNone) {
    pl.periods.push_back({as_of, as_of, ""});
    return;
  }
  // Domain: from the earliest row (or semester) to as_of.
  int32_t lo = std::min(as_of, pl.dataset->min_day);
  int32_t hi = as_of;
  if (trim) {
    lo = pl.dataset->min_day;
    hi = std::min(as_of, pl.dataset->max_day);
    if (lo > hi) return;  // no rows up to as_of: nothing to judge
  } else {
    for (const auto& s : cx.pack.semesters) lo = std::min(lo, s.from);
  }
  pl.lut_lo = lo;
  pl.lut.assign(static_cast<size_t>(hi - lo + 1), -1);
  // kRowPeriods: the starts of the periods some row falls in (the dataset's
  // date column, unfiltered, so every operand of the rule gets the same).
  std::set<int32_t> with_rows;
  if (domain == Domain::kRowPeriods) {
    // Which candidate periods (judged, ended by as_of) hold a row. Every
    // 4096th row first: on daily data that finds them all and spares a pass
    // over 30 M dates; only if some period is still unseen, every row.
    std::vector<int32_t> period_at(pl.lut.size(), -1);  // day → candidate index
    std::vector<int32_t> starts;
    for (int32_t d = lo; d <= hi; ++d) {
      if (school && !cx.pack.school_days.Is(d)) continue;
      bool none = false;
      plan::PeriodRange p = PeriodOf(cx.pack, chk.period, d, none, /*labelled=*/false);
      if (school) p.end = SchoolEnd(cx.pack, p);
      if (none || p.end > as_of) continue;
      if (starts.empty() || starts.back() != p.start) starts.push_back(p.start);
      period_at[static_cast<size_t>(d - lo)] = static_cast<int32_t>(starts.size() - 1);
    }
    std::vector<uint8_t> seen(starts.size(), 0);
    size_t unseen = starts.size();
    auto mark = [&](size_t r) {
      const int32_t d = pl.date[r];
      if (d == datasets::kNullInt || d < lo || d > hi) return;
      const int32_t k = period_at[static_cast<size_t>(d - lo)];
      if (k >= 0 && !seen[static_cast<size_t>(k)]) { seen[static_cast<size_t>(k)] = 1; --unseen; }
    };
    for (size_t r = 0; r < pl.rows && unseen > 0; r += 4096) mark(r);
    if (unseen > 0) {
      // Some period (a weekend day, a holiday) may hold no row at all: a
      // branch-free pass marks the days that do (slot n: out of range, NULL).
      const uint64_t n = pl.lut.size();
      std::vector<uint8_t> day_has(n + 1, 0);
      auto mark_day = [&](int32_t d) {
        const uint64_t off = static_cast<uint64_t>(int64_t{d} - lo);
        day_has[off < n ? off : n] = 1;
      };
      // Dated rows mostly arrive day by day: a 64-row run of one date (a
      // vectorised compare) marks one day; only mixed runs go row by row.
      constexpr size_t kRun = 64;
      size_t r = 0;
      for (; r + kRun <= pl.rows; r += kRun) {
        const int32_t* dr = pl.date + r;
        const int32_t first = dr[0];
        int32_t diff = 0;
        for (size_t i = 0; i < kRun; ++i) diff |= dr[i] ^ first;
        if (diff == 0) {
          mark_day(first);
        } else {
          for (size_t i = 0; i < kRun; ++i) mark_day(dr[i]);
        }
      }
      for (; r < pl.rows; ++r) mark_day(pl.date[r]);
      for (uint64_t off = 0; off < n; ++off) {
        const int32_t k = period_at[off];
        if (day_has[off] && k >= 0) seen[static_cast<size_t>(k)] = 1;
      }
    }
    for (size_t k = 0; k < starts.size(); ++k) if (seen[k]) with_rows.insert(starts[k]);
  }
  for (int32_t d = lo; d <= hi; ++d) {
    if (school && !cx.pack.school_days.Is(d)) continue;  // not a school day: its rows count nowhere
    bool none = false;
    plan::PeriodRange p = PeriodOf(cx.pack, chk.period, d, none, /*labelled=*/false);
    if (school) p.end = SchoolEnd(cx.pack, p);
    if (none || p.end > as_of) continue;  // judged once ended
    if (domain == Domain::kRowPeriods && !with_rows.count(p.start)) continue;
    if (pl.periods.empty() || pl.periods.back().start != p.start) {
      p.label = PeriodOf(cx.pack, chk.period, p.start, none).label;
      pl.periods.push_back(std::move(p));
    }
    pl.lut[static_cast<size_t>(d - lo)] = static_cast<int32_t>(pl.periods.size() - 1);
  }
}

void BuildThresholds(const Ctx& cx, const std::string& rule_id, const std::vector<bound::Parameter>& params,
                     const bound::Check& chk, plan::Plan& pl) {
  pl.threshold.assign(pl.periods.size(), chk.value);
  pl.param.assign(pl.periods.size(), std::nullopt);
  if (chk.parameter < 0) return;
  const bound::Parameter& prm = params[static_cast<size_t>(chk.parameter)];
  const double* override_value = nullptr;
  for (const std::string& key : {rule_id + "." + prm.name, prm.name}) {
    auto it = cx.options.overrides.find(key);
    if (it != cx.options.overrides.end()) { override_value = &it->second; break; }
  }
  for (size_t p = 0; p < pl.periods.size(); ++p) {
    if (override_value) {
      pl.threshold[p] = *override_value;
      pl.param[p] = plan::ParamUse{prm.name, *override_value, bound::kOpenFrom, bound::kOpenTo, true};
      continue;
    }
    const bound::DatedValue* v = prm.At(pl.periods[p].start);
    if (!v) {
      pl.threshold[p] = std::nan("");
      continue;
    }
    pl.threshold[p] = v->value;
    pl.param[p] = plan::ParamUse{prm.name, v->value, v->valid_from, v->valid_to, false};
  }
}

// CSR of (entity, from, to) triples over `n` entities.
void ToCsr(std::vector<std::tuple<int32_t, int32_t, int32_t>>& triples, size_t n, std::vector<int32_t>& off,
           std::vector<std::pair<int32_t, int32_t>>& ranges) {
  std::sort(triples.begin(), triples.end());
  off.assign(n + 1, 0);
  ranges.clear();
  ranges.reserve(triples.size());
  for (const auto& [e, a, b] : triples) {
    ++off[static_cast<size_t>(e) + 1];
    ranges.push_back({a, b});
  }
  for (size_t i = 0; i < n; ++i) off[i + 1] += off[i];
}

Status BuildExemptions(const Ctx& cx, const std::vector<bound::Unless>& unless, plan::Plan& pl) {
  if (unless.empty() || pl.rows == 0 || !pl.date || !pl.row_entity) return OkStatus();
  const RegistryImage& r = cx.reg();
  const size_t n_orgs = r.org_id.size();
  const size_t n_classes = r.class_id.size();
  // The "unless" rows: (entity, from, until) for class and org datasets.
  std::vector<std::tuple<int32_t, int32_t, int32_t>> by_class, by_org;
  for (const auto& u : unless) {
    const auto& schema = cx.pack.datasets[static_cast<size_t>(u.dataset)];
    const datasets::DatasetImage* ds = cx.image.Find(schema.name);
    if (!ds || ds->size() == 0) continue;
    std::vector<Predicate> where;
    // An "unless" always reads a dataset (ds is set), so the check's registry
    // source, which BuildPredicates consults only without a dataset, is unused.
    const bound::Check no_registry_source;
    RETURN_IF_ERROR(BuildPredicates(cx, no_registry_source, ds, u.where, where));
    const bool is_class = schema.entity_kind() == datasets::RefKind::kClass;
    const int32_t* from = ds->columns[static_cast<size_t>(ds->period_column)].i32.data();
    const int32_t* to = u.until_column >= 0 ? ds->columns[static_cast<size_t>(u.until_column)].i32.data() : nullptr;
    for (size_t i = 0; i < ds->size(); ++i) {
      if (ds->entity[i] < 0) continue;
      bool ok = true;
      for (const auto& p : where) ok = ok && p.Test(i);
      if (!ok) continue;
      const int32_t end = to && to[i] != datasets::kNullInt ? to[i] : from[i];
      (is_class ? by_class : by_org).push_back({ds->entity[i], from[i], end});
    }
  }
  if (by_class.empty() && by_org.empty()) return OkStatus();
  // Per org: its own ranges and its ancestors' (orgs are in path order, so a
  // parent's list is complete before its children's).
  std::vector<int32_t> own_off, chain_off(n_orgs + 1, 0);
  std::vector<std::pair<int32_t, int32_t>> own, chain;
  ToCsr(by_org, n_orgs, own_off, own);
  for (size_t o = 0; o < n_orgs; ++o) {
    chain_off[o] = static_cast<int32_t>(chain.size());
    for (int32_t k = own_off[o]; k < own_off[o + 1]; ++k) chain.push_back(own[static_cast<size_t>(k)]);
    const int32_t parent = r.org_parent[o];
    if (parent >= 0) {
      // The parent's chain was laid down contiguously before o's.
      const size_t pb = static_cast<size_t>(chain_off[static_cast<size_t>(parent)]);
      const size_t pe = static_cast<size_t>(chain_off[static_cast<size_t>(parent) + 1]);
      for (size_t k = pb; k < pe; ++k) chain.push_back(chain[k]);
    }
    chain_off[o + 1] = static_cast<int32_t>(chain.size());
  }
  std::vector<int32_t> cls_off;
  std::vector<std::pair<int32_t, int32_t>> cls;
  if (pl.entity_is_class) ToCsr(by_class, n_classes, cls_off, cls);
  // Per source entity, only those whose rows count (the others never reach
  // the exemption test).
  const size_t n = pl.entity_is_class ? n_classes : n_orgs;
  pl.exempt_off.assign(n + 1, 0);
  pl.exempt_ranges.clear();
  for (size_t e = 0; e < n; ++e) {
    pl.exempt_off[e] = static_cast<int32_t>(pl.exempt_ranges.size());
    if (pl.entity_to_group[e] < 0) continue;
    size_t org = e;
    if (pl.entity_is_class) {
      for (int32_t k = cls_off[e]; k < cls_off[e + 1]; ++k) pl.exempt_ranges.push_back(cls[static_cast<size_t>(k)]);
      org = static_cast<size_t>(r.class_school[e]);
    }
    for (int32_t k = chain_off[org]; k < chain_off[org + 1]; ++k) {
      pl.exempt_ranges.push_back(chain[static_cast<size_t>(k)]);
    }
  }
  pl.exempt_off[n] = static_cast<int32_t>(pl.exempt_ranges.size());
  if (pl.exempt_ranges.empty()) {
    pl.exempt_off.clear();
    return OkStatus();
  }
  pl.exempt_day.assign(pl.lut.size(), 0);
  const int64_t lut_hi = pl.lut_lo + static_cast<int64_t>(pl.lut.size()) - 1;
  for (const auto* triples : {&by_class, &by_org}) {
    for (const auto& [e, a, b] : *triples) {
      for (int64_t d = std::max<int64_t>(a, pl.lut_lo); d <= std::min<int64_t>(b, lut_hi); ++d) {
        pl.exempt_day[static_cast<size_t>(d - pl.lut_lo)] = 1;
      }
    }
  }
  return OkStatus();
}

StatusOr<plan::Plan> Compile(const Ctx& cx, const std::string& id, const bound::Scope& scope,
                             const bound::Check& chk, const std::vector<bound::Parameter>& params,
                             const std::vector<bound::Unless>& unless, bool relaxed = false,
                             std::optional<Domain> domain = std::nullopt) {
  const RegistryImage& r = cx.reg();
  plan::Plan pl;
  pl.id = id;
  pl.check = &chk;
  const datasets::DatasetImage* ds = nullptr;
  switch (chk.source) {
    case bound::SourceKind::kDataset: {
      const auto& schema = cx.pack.datasets[static_cast<size_t>(chk.dataset)];
      ds = cx.image.Find(schema.name);
      if (!ds) {
        return FailedPreconditionError("dataset '" + schema.name + "' is not in the image",
                                       "数据集 '" + schema.name + "' 不在内存映像中");
      }
      pl.dataset = ds;
      pl.rows = ds->size();
      pl.row_entity = ds->entity.data();
      pl.entity_is_class = ds->schema.entity_kind() == datasets::RefKind::kClass;
      pl.date = ds->columns[static_cast<size_t>(ds->period_column)].i32.data();
      break;
    }
    case bound::SourceKind::kStaff:
      pl.rows = r.staff_id.size();
      pl.row_entity = r.staff_org.data();
      break;
    case bound::SourceKind::kSchools:
      pl.rows = r.org_id.size();
      break;
    case bound::SourceKind::kClasses:
      pl.rows = r.class_id.size();
      pl.entity_is_class = true;
      break;
  }
  RETURN_IF_ERROR(BuildPredicates(cx, chk, ds, chk.where, pl.where));
  RETURN_IF_ERROR(BuildPredicates(cx, chk, ds, chk.share_where, pl.share_where));
  if (ds && chk.column >= 0) {
    const datasets::Column& col = ds->columns[static_cast<size_t>(chk.column)];
    if (col.type == ColumnType::kDecimal) {
      pl.value = {plan::ValueReader::Kind::kF64, nullptr, nullptr, col.f64.data(), nullptr};
    } else if (col.type == ColumnType::kBool) {
      pl.value = {plan::ValueReader::Kind::kB8, nullptr, col.b8.data(), nullptr, nullptr};
    } else {
      pl.value = {plan::ValueReader::Kind::kI32, col.i32.data(), nullptr, nullptr, nullptr};
    }
  } else if (chk.column_attr == bound::RegistryAttr::kRuralYears) {
    pl.value = {plan::ValueReader::Kind::kF64, nullptr, nullptr, r.staff_rural_years.data(), nullptr};
  } else if (chk.column_attr == bound::RegistryAttr::kGrade) {
    pl.value = {plan::ValueReader::Kind::kI8, nullptr, r.class_grade.data(), nullptr, nullptr};
  }
  RETURN_IF_ERROR(BuildGroups(cx, scope, chk, id, relaxed, pl));
  if (ds) {
    // Groups without rows matter only to a count or sum judged as 0 (and
    // not even then when divided: 0 ÷ 0 is not judged). Operands follow the
    // rule, so their periods are the rule's.
    if (!domain) {
      const bool empty_judged = (chk.aggregate == bound::Aggregate::kCount || chk.aggregate == bound::Aggregate::kSum) &&
                                chk.days != bound::DayBasis::kRecords;
      const bool adjacency = chk.consecutive > 1 || chk.against_previous;
      domain = empty_judged && !chk.divide_by ? Domain::kFull
               : adjacency                    ? Domain::kRowSpan
                                              : Domain::kRowPeriods;
    }
    BuildPeriods(cx, chk, *domain, pl);
  } else {
    pl.periods.push_back({cx.options.as_of.DaysSinceEpoch(), cx.options.as_of.DaysSinceEpoch(), ""});
  }
  BuildThresholds(cx, id, params, chk, pl);
  // days: records judges only the days that hold records: no empty group.
  pl.judge_empty = (chk.aggregate == bound::Aggregate::kCount || chk.aggregate == bound::Aggregate::kSum) &&
                   chk.days != bound::DayBasis::kRecords;
  RETURN_IF_ERROR(BuildExemptions(cx, unless, pl));
  // The second aggregates: same scope, unless and periods, so the same slots.
  if (chk.divide_by) {
    ASSIGN_OR_RETURN(plan::Plan sub, Compile(cx, id, scope, *chk.divide_by, params, unless, relaxed, domain));
    pl.divide_by = std::make_unique<plan::Plan>(std::move(sub));
  }
  if (chk.against) {
    ASSIGN_OR_RETURN(plan::Plan sub, Compile(cx, id, scope, *chk.against, params, unless, /*relaxed=*/true, domain));
    pl.against = std::make_unique<plan::Plan>(std::move(sub));
  }
  return pl;
}

// A target's indicator is measured over everything up to as_of: one period.
void SinglePeriod(int32_t as_of, double target, plan::Plan& pl) {
  if (pl.date) {
    // Every day from the earliest row (or the periods' start) to as_of.
    const int32_t lo = pl.lut.empty() ? std::min(as_of, pl.dataset->min_day) : pl.lut_lo;
    pl.lut_lo = lo;
    pl.lut.assign(static_cast<size_t>(as_of - lo + 1), 0);
    pl.periods = {{lo, as_of, ""}};
    pl.threshold = {target};
    pl.param = {std::nullopt};
  }
  if (pl.divide_by) SinglePeriod(as_of, target, *pl.divide_by);
  if (pl.against) SinglePeriod(as_of, target, *pl.against);
}

}  // namespace

StatusOr<plan::Plan> CompileRule(const bound::Pack& pack, const bound::Rule& rule,
                                 const datasets::ColumnarImage& image, const CompileOptions& options) {
  Ctx cx{pack, image, options};
  ASSIGN_OR_RETURN(plan::Plan pl, Compile(cx, rule.id, rule.scope, rule.check, rule.parameters, rule.unless));
  // A count or sum whose empty groups pass in every period ("phone-based
  // days <= 0") finds nothing in a period without rows: lay out only the
  // periods that hold a row (a semester of homework, not every week since
  // the spring) — the same findings from fewer groups to zero and judge.
  const bound::Check& chk = rule.check;
  const bool simple = pl.dataset && !chk.divide_by && !chk.against && !chk.against_previous && chk.consecutive <= 1;
  if (simple && (chk.aggregate == bound::Aggregate::kCount || chk.aggregate == bound::Aggregate::kSum)) {
    bool empty_passes = true;
    for (double t : pl.threshold) empty_passes = empty_passes && (std::isnan(t) || bound::Holds(chk.op, 0, t));
    if (empty_passes) {
      return Compile(cx, rule.id, rule.scope, chk, rule.parameters, rule.unless, /*relaxed=*/false,
                     Domain::kRowPeriods);
    }
  }
  return pl;
}

StatusOr<plan::Plan> CompileTarget(const bound::Pack& pack, const bound::Target& target,
                                   const datasets::ColumnarImage& image, const CompileOptions& options) {
  Ctx cx{pack, image, options};
  StatusOr<plan::Plan> pl = Compile(cx, target.id, target.scope, target.indicator, {}, {});
  if (!pl.ok()) return pl;
  SinglePeriod(options.as_of.DaysSinceEpoch(), target.indicator.value, *pl);
  return pl;
}

}  // namespace edugov::rules
