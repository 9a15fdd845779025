// The server-resident image and the re-check over it (live_image.h).
#include "rules/live_image.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <set>

#include "registry/registry.h"
#include "rules/compiler.h"
#include "rules/findings_store.h"
#include "rules/evaluator.h"
#include "rules/recheck_internal.h"

namespace edugov::rules {
namespace {

using namespace recheck_internal;

// Applies `f` to every per-row vector of a column that has `n` entries
// (exactly one of them is in use; see datasets/columnar.h).
template <typename F>
void ForEachVector(datasets::Column& c, size_t n, F&& f) {
  if (c.i32.size() == n) f(c.i32);
  if (c.b8.size() == n) f(c.b8);
  if (c.i64.size() == n) f(c.i64);
  if (c.f64.size() == n) f(c.f64);
}

void MoveLastTo(std::vector<uint32_t>& v, uint32_t from, uint32_t to) {
  v.erase(std::remove(v.begin(), v.end(), from), v.end());
  v.insert(std::lower_bound(v.begin(), v.end(), to), to);
}

}  // namespace

int32_t LiveImage::RowOrg(size_t d, int32_t entity) const {
  if (entity < 0) return -1;
  const datasets::DatasetImage& ds = image_.datasets[d];
  if (ds.schema.entity_kind() == datasets::RefKind::kClass) {
    return image_.registry.class_school[static_cast<size_t>(entity)];
  }
  return entity;
}

void LiveImage::IndexDatasetLocked(size_t d) {
  auto& by_org = rows_by_org_[d];
  by_org.assign(image_.registry.org_id.size(), {});
  const datasets::DatasetImage& ds = image_.datasets[d];
  for (size_t r = 0; r < ds.size(); ++r) {
    const int32_t o = RowOrg(d, ds.entity[r]);
    if (o >= 0) by_org[static_cast<size_t>(o)].push_back(static_cast<uint32_t>(r));
  }
}

bool LiveImage::FreshLocked(Date as_of, uint64_t registry_generation) const {
  // The counter only grows: an image loaded at or after the caller's
  // reading of it holds every registry write the caller could know of.
  return loaded_ && !stale_ && image_.registry.as_of == as_of && registry_generation_ >= registry_generation;
}

Status LiveImage::LoadLocked(storage::Connection& conn, Date as_of, uint64_t registry_generation) {
  loaded_ = false;
  // Read by the caller before the registry is read here: a registry write
  // that commits after that point bumps it past the noted value, so the
  // image reloads.
  registry_generation_ = registry_generation;
  ASSIGN_OR_RETURN(datasets::RegistryImage reg, datasets::LoadRegistryImage(conn, as_of));
  ASSIGN_OR_RETURN(image_, datasets::LoadImage(conn, pack_.datasets, std::move(reg)));
  const datasets::RegistryImage& r = image_.registry;
  classes_by_org_.assign(r.org_id.size(), {});
  for (size_t c = 0; c < r.class_id.size(); ++c) {
    classes_by_org_[static_cast<size_t>(r.class_school[c])].push_back(static_cast<int32_t>(c));
  }
  staff_by_org_.assign(r.org_id.size(), {});
  for (size_t s = 0; s < r.staff_id.size(); ++s) {
    if (r.staff_org[s] >= 0) staff_by_org_[static_cast<size_t>(r.staff_org[s])].push_back(static_cast<int32_t>(s));
  }
  org_by_code_.clear();
  for (size_t o = 0; o < r.org_code.size(); ++o) org_by_code_[r.org_code[o]] = static_cast<int32_t>(o);
  rows_by_org_.assign(image_.datasets.size(), {});
  for (size_t d = 0; d < image_.datasets.size(); ++d) IndexDatasetLocked(d);
  loaded_ = true;
  stale_ = false;
  ++loads_;
  return OkStatus();
}

Status LiveImage::ApplyRowLocked(size_t d, const datasets::IngestedRow& row) {
  datasets::DatasetImage& ds = image_.datasets[d];
  const size_t n = ds.size();
  auto it = std::lower_bound(ds.row_id.begin(), ds.row_id.end(), row.row_id);
  const bool replace = it != ds.row_id.end() && *it == row.row_id;
  const auto pos = static_cast<uint32_t>(it - ds.row_id.begin());
  // Append converts the stored values exactly as a load does (dictionary
  // codes, dates as days, the entity index); then the new last row moves to
  // its place.
  RETURN_IF_ERROR(datasets::Append(image_, ds.schema.name, {row}));
  const int32_t new_entity = ds.entity[n];
  if (new_entity < 0) stale_ = true;  // an entity loaded after the registry image: reload
  const int32_t new_org = RowOrg(d, new_entity);
  auto& by_org = rows_by_org_[d];
  if (replace) {
    const int32_t old_org = RowOrg(d, ds.entity[pos]);
    const int32_t old_day = ds.columns[static_cast<size_t>(ds.period_column)].i32[pos];
    for (datasets::Column& c : ds.columns) {
      ForEachVector(c, n + 1, [&](auto& v) {
        v[pos] = v[n];
        v.pop_back();
      });
    }
    ds.entity[pos] = new_entity;
    ds.entity.pop_back();
    ds.row_id.pop_back();
    if (old_org != new_org) {
      if (old_org >= 0) {
        auto& v = by_org[static_cast<size_t>(old_org)];
        v.erase(std::remove(v.begin(), v.end(), pos), v.end());
      }
      if (new_org >= 0) MoveLastTo(by_org[static_cast<size_t>(new_org)], pos, pos);
    }
    // The replaced day may have been the range's end: recompute it — unless
    // the day did not change (the period column is usually part of the key,
    // so a correction keeps its day): a scan of every row otherwise, on each
    // correction of the latest day, which is what teachers correct.
    const int32_t new_day = ds.columns[static_cast<size_t>(ds.period_column)].i32[pos];
    if (new_day != datasets::kNullInt) {
      ds.min_day = std::min(ds.min_day, new_day);
      ds.max_day = std::max(ds.max_day, new_day);
    }
    if (old_day != new_day && old_day != datasets::kNullInt && (old_day == ds.min_day || old_day == ds.max_day)) {
      ds.min_day = std::numeric_limits<int32_t>::max();
      ds.max_day = std::numeric_limits<int32_t>::min();
      for (int32_t day : ds.columns[static_cast<size_t>(ds.period_column)].i32) {
        if (day == datasets::kNullInt) continue;
        ds.min_day = std::min(ds.min_day, day);
        ds.max_day = std::max(ds.max_day, day);
      }
    }
    return OkStatus();
  }
  if (pos == n) {  // the usual case: a new row_id, larger than all
    if (new_org >= 0) by_org[static_cast<size_t>(new_org)].push_back(static_cast<uint32_t>(n));
    return OkStatus();
  }
  // A smaller row_id committed after a larger one (two submissions racing):
  // keep row_id order, as a fresh load has it.
  auto rotate = [&](auto& v) { std::rotate(v.begin() + pos, v.end() - 1, v.end()); };
  for (datasets::Column& c : ds.columns) ForEachVector(c, n + 1, rotate);
  rotate(ds.entity);
  rotate(ds.row_id);
  // Rows pos..n-1 moved up by one. Each org's list is ascending, so only
  // its tail shifts; re-indexing the whole dataset instead cost O(rows) —
  // 28 M at province scale — whenever concurrent forms committed out of
  // row_id order, which under load is most of the time.
  std::vector<int32_t> moved;  // the orgs of the rows that moved (few: pos is near the end)
  for (size_t r = pos + 1; r <= n; ++r) {
    const int32_t o = RowOrg(d, ds.entity[r]);
    if (o >= 0 && std::find(moved.begin(), moved.end(), o) == moved.end()) moved.push_back(o);
  }
  for (int32_t o : moved) {
    auto& v = by_org[static_cast<size_t>(o)];
    for (auto t = std::lower_bound(v.begin(), v.end(), pos); t != v.end(); ++t) ++*t;
  }
  if (new_org >= 0) {
    auto& v = by_org[static_cast<size_t>(new_org)];
    v.insert(std::lower_bound(v.begin(), v.end(), pos), pos);
  }
  return OkStatus();
}

Status LiveImage::Apply(storage::Connection& conn, Date as_of, std::string_view dataset,
                        const std::vector<datasets::IngestedRow>& rows) {
  if (rows.empty()) return OkStatus();
  int d = -1;
  for (size_t i = 0; i < pack_.datasets.size(); ++i) {
    if (pack_.datasets[i].name == dataset) d = static_cast<int>(i);
  }
  if (d < 0) return OkStatus();
  ASSIGN_OR_RETURN(const uint64_t registry_generation, registry::RegistryGeneration(conn));
  std::unique_lock lock(mu_);
  // A load reads the committed rows, these included.
  if (!FreshLocked(as_of, registry_generation)) return LoadLocked(conn, as_of, registry_generation);
  for (const datasets::IngestedRow& row : rows) {
    Status s = ApplyRowLocked(static_cast<size_t>(d), row);
    if (!s.ok()) {
      stale_ = true;
      return s;
    }
    ++applied_;
  }
  return OkStatus();
}

void LiveImage::Invalidate() {
  std::unique_lock lock(mu_);
  stale_ = true;
}

void LiveImage::Read(const std::function<void(const datasets::ColumnarImage&)>& f) const {
  std::shared_lock lock(mu_);
  f(image_);
}

LiveImage::Stats LiveImage::GetStats() const {
  std::shared_lock lock(mu_);
  Stats s;
  s.loaded = loaded_;
  s.loads = loads_;
  s.applied = applied_;
  for (const auto& ds : image_.datasets) s.rows += static_cast<int64_t>(ds.size());
  return s;
}

datasets::ColumnarImage LiveImage::SubImage(const std::vector<int32_t>& orgs, const std::set<int>& needed,
                                            int64_t& rows_copied, const std::set<int32_t>* only_classes) const {
  const datasets::RegistryImage& full = image_.registry;
  datasets::RegistryImage reg;
  reg.as_of = full.as_of;
  auto sub_org = [&](int32_t o) {
    auto it = std::lower_bound(orgs.begin(), orgs.end(), o);
    return it != orgs.end() && *it == o ? static_cast<int32_t>(it - orgs.begin()) : -1;
  };
  std::unordered_map<int32_t, int32_t> sub_class;
  for (size_t k = 0; k < orgs.size(); ++k) {
    const auto o = static_cast<size_t>(orgs[k]);
    reg.org_id.push_back(full.org_id[o]);
    reg.org_kind.push_back(full.org_kind[o]);
    reg.org_stage.push_back(full.org_stage[o]);
    reg.org_flags.push_back(full.org_flags[o]);
    reg.org_code.push_back(full.org_code[o]);
    reg.org_name.push_back(full.org_name[o]);
    reg.org_path.push_back(full.org_path[o]);
    for (int32_t c : classes_by_org_[o]) {
      if (only_classes && !only_classes->count(c)) continue;
      const auto ci = static_cast<size_t>(c);
      sub_class[c] = static_cast<int32_t>(reg.class_id.size());
      reg.class_id.push_back(full.class_id[ci]);
      reg.class_school.push_back(static_cast<int32_t>(k));
      reg.class_grade.push_back(full.class_grade[ci]);
      reg.class_name.push_back(full.class_name[ci]);
    }
    for (int32_t s : staff_by_org_[o]) {
      const auto si = static_cast<size_t>(s);
      reg.staff_id.push_back(full.staff_id[si]);
      reg.staff_org.push_back(static_cast<int32_t>(k));
      reg.staff_posts.push_back(full.staff_posts[si]);
      reg.staff_rural_years.push_back(full.staff_rural_years[si]);
      reg.staff_name.push_back(full.staff_name[si]);
    }
  }
  datasets::FinishRegistryImage(reg);

  std::vector<datasets::DatasetSchema> schemas;
  for (int d : needed) schemas.push_back(pack_.datasets[static_cast<size_t>(d)]);
  datasets::ColumnarImage image = datasets::EmptyImage(schemas, std::move(reg));
  size_t k = 0;
  for (int d : needed) {
    const datasets::DatasetImage& src = image_.datasets[static_cast<size_t>(d)];
    datasets::DatasetImage& dst = image.datasets[k++];
    const bool by_class = src.schema.entity_kind() == datasets::RefKind::kClass;
    // Row order, as a load gives: each org's list is ascending, so merge the
    // runs (usually one non-empty run — a school's classes — so no work)
    // instead of sorting the whole set on every re-check.
    std::vector<uint32_t> idx;
    for (int32_t o : orgs) {
      const auto& v = rows_by_org_[static_cast<size_t>(d)][static_cast<size_t>(o)];
      if (v.empty()) continue;
      const size_t mid = idx.size();
      idx.insert(idx.end(), v.begin(), v.end());
      if (mid > 0 && idx[mid - 1] > idx[mid]) std::inplace_merge(idx.begin(), idx.begin() + mid, idx.end());
    }
    if (only_classes && by_class) {
      std::erase_if(idx, [&](uint32_t r) { return !only_classes->count(src.entity[r]); });
    }
    rows_copied += static_cast<int64_t>(idx.size());
    const size_t n = src.size();
    for (size_t c = 0; c < src.columns.size(); ++c) {
      const datasets::Column& sc = src.columns[c];
      datasets::Column& dc = dst.columns[c];
      // Same codes as the live image, so text constants resolve alike.
      if (!sc.dictionary.empty()) {
        dc.dictionary = sc.dictionary;
        dc.codes = sc.codes;
      }
      auto copy = [&](const auto& from, auto& to) {
        if (from.size() != n || n == 0) return;
        to.reserve(idx.size());
        for (uint32_t r : idx) to.push_back(from[r]);
      };
      copy(sc.i32, dc.i32);
      copy(sc.b8, dc.b8);
      copy(sc.i64, dc.i64);
      copy(sc.f64, dc.f64);
    }
    dst.row_id.reserve(idx.size());
    dst.entity.reserve(idx.size());
    const std::vector<int32_t>* days =
        dst.period_column >= 0 ? &dst.columns[static_cast<size_t>(dst.period_column)].i32 : nullptr;
    for (size_t j = 0; j < idx.size(); ++j) {
      const uint32_t r = idx[j];
      dst.row_id.push_back(src.row_id[r]);
      const int32_t e = src.entity[r];
      int32_t se = -1;
      if (e >= 0) {
        if (by_class) {
          auto it = sub_class.find(e);
          se = it == sub_class.end() ? -1 : it->second;
        } else {
          se = sub_org(e);
        }
      }
      dst.entity.push_back(se);
      if (days && j < days->size() && (*days)[j] != datasets::kNullInt) {
        dst.min_day = std::min(dst.min_day, (*days)[j]);
        dst.max_day = std::max(dst.max_day, (*days)[j]);
      }
    }
  }
  return image;
}

StatusOr<RecheckSummary> LiveImage::Recheck(storage::Connection& conn, std::string_view dataset,
                                            const std::vector<datasets::IngestedRow>& rows, Date as_of,
                                            const Clock& clock) {
  RecheckSummary summary;
  if (rows.empty()) return summary;
  // 1. The affected rules (from the pack alone).
  const Affected aff = AffectedRules(pack_, dataset);
  if (aff.rules.empty()) return summary;

  const auto t_eval = std::chrono::steady_clock::now();
  std::vector<std::unique_lock<std::mutex>> stripe_locks;
  std::vector<Finding> findings;
  Touched touched;
  ASSIGN_OR_RETURN(const uint64_t registry_generation, registry::RegistryGeneration(conn));
  {
    std::shared_lock lock(mu_);
    while (!FreshLocked(as_of, registry_generation)) {
      lock.unlock();
      {
        std::unique_lock ex(mu_);
        if (!FreshLocked(as_of, registry_generation)) RETURN_IF_ERROR(LoadLocked(conn, as_of, registry_generation));
      }
      lock.lock();
    }
    const int64_t loads_seen = loads_;
    const datasets::RegistryImage& reg = image_.registry;
    // 2. The touched orgs and days.
    touched = TouchedBy(reg, pack_.datasets[static_cast<size_t>(aff.index)], rows);
    if (touched.orgs.empty()) return summary;

    // Stripes by township, taken in order; the image lock is re-taken inside
    // them so the lock order is always stripes → mu_.
    std::set<size_t> stripes;
    for (int32_t o : touched.orgs) {
      const int32_t t = reg.org_township[static_cast<size_t>(o)];
      stripes.insert(static_cast<size_t>(t >= 0 ? t : o) % stripes_.size());
    }
    lock.unlock();
    for (size_t s : stripes) stripe_locks.emplace_back(stripes_[s]);
    lock.lock();
    if (!FreshLocked(as_of, registry_generation) || loads_ != loads_seen) {
      // Stale or reloaded meanwhile (the indices may have moved): start over.
      lock.unlock();
      stripe_locks.clear();
      return Recheck(conn, dataset, rows, as_of, clock);
    }

    // 3. Which orgs each rule needs: local rules share one small image.
    std::vector<const bound::Rule*> local, global;
    std::set<int32_t> orgs;
    auto add_with_ancestors = [&](int32_t o) {
      for (int32_t a = o; a >= 0; a = reg.org_parent[static_cast<size_t>(a)]) {
        if (!orgs.insert(a).second) break;
      }
    };
    for (const bound::Rule* r : aff.rules) {
      bool all = false;
      for (int32_t o : touched.orgs) {
        const int32_t root = ReadRoot(reg, r->check.group, o);
        if (root < 0) {
          all = true;
          break;
        }
      }
      (all ? global : local).push_back(r);
      if (all) continue;
      for (int32_t o : touched.orgs) {
        const int32_t root = ReadRoot(reg, r->check.group, o);
        add_with_ancestors(root);
        for (int32_t x = root; x < reg.org_subtree_end[static_cast<size_t>(root)]; ++x) orgs.insert(x);
      }
      // Orgs the scope names must resolve (the compiler refuses unknown codes).
      for (const std::string& code : r->scope.org_codes) {
        auto it = org_by_code_.find(code);
        if (it != org_by_code_.end()) add_with_ancestors(it->second);
      }
    }

    // 4. Evaluate as the sweep would; keep what is in scope.
    const CompileOptions options{as_of, {}};
    auto run = [&](const bound::Rule& r, const datasets::ColumnarImage& image) -> Status {
      ASSIGN_OR_RETURN(plan::Plan pl, CompileRule(pack_, r, image, options));
      std::vector<Finding> all;
      RETURN_IF_ERROR(EvaluateRulePlan(r, pl, image, all));
      for (Finding& f : all) {
        if (InScope(touched, f.org_path, f.period_start, f.period_end, ReadsEarlierPeriods(r))) {
          findings.push_back(std::move(f));
        }
      }
      return OkStatus();
    };
    if (!local.empty()) {
      std::set<int> needed;
      for (const bound::Rule* r : local) {
        if (r->check.source == bound::SourceKind::kDataset) needed.insert(r->check.dataset);
        for (const bound::Unless& u : r->unless) needed.insert(u.dataset);
      }
      // When every affected rule judges classes, one class's day changes
      // that class's findings only: judge the submitted classes alone (a
      // school's 74 classes × 100 days become one class's 100 rows), and
      // the save leaves the other classes' findings as they are.
      std::set<int32_t> class_index;
      const bool narrow = global.empty() && !touched.classes.empty() &&
                          std::all_of(local.begin(), local.end(), [](const bound::Rule* r) {
                            return r->check.group == bound::GroupEntity::kClass &&
                                   r->check.source == bound::SourceKind::kDataset;
                          });
      if (narrow) {
        for (int64_t id : touched.classes) class_index.insert(reg.ClassIndex(id));
        touched.classes_only = true;
      }
      const std::vector<int32_t> org_list(orgs.begin(), orgs.end());
      const datasets::ColumnarImage small =
          SubImage(org_list, needed, summary.rows_read, narrow ? &class_index : nullptr);
      for (const bound::Rule* r : local) RETURN_IF_ERROR(run(*r, small));
    }
    for (const bound::Rule* r : global) {
      for (int d : aff.needed) summary.rows_read += static_cast<int64_t>(image_.datasets[static_cast<size_t>(d)].size());
      RETURN_IF_ERROR(run(*r, image_));
    }
  }
  summary.rules = static_cast<int64_t>(aff.rules.size());

  // 5. The scoped save, in one transaction (the image lock released, the
  // township stripes still held).
  const auto t_save = std::chrono::steady_clock::now();
  summary.evaluate_us = std::chrono::duration_cast<std::chrono::microseconds>(t_save - t_eval).count();
  SaveResult saved;
  Status s = storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    saved = SaveResult{};
    return SaveScoped(tx, aff.rules, findings, touched, as_of, clock, saved);
  });
  RETURN_IF_ERROR(s);
  summary.save_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t_save).count();
  CopySaved(std::move(saved), summary);
  return summary;
}

StatusOr<std::vector<LiveImage::Progress>> LiveImage::InProgress(storage::Connection& conn, std::string_view dataset,
                                                                 const std::vector<datasets::IngestedRow>& rows,
                                                                 Date today) {
  std::vector<Progress> out;
  if (rows.empty()) return out;
  const Affected aff = AffectedRules(pack_, dataset);
  // Each class rule over a period longer than a day, its norm replaced by
  // one every group breaks, so every group comes out with its value.
  std::vector<const bound::Rule*> originals;
  std::vector<bound::Rule> probes;
  for (const bound::Rule* r : aff.rules) {
    const bound::Check& c = r->check;
    if (c.source != bound::SourceKind::kDataset || c.group != bound::GroupEntity::kClass) continue;
    if (c.period == bound::Period::kNone || c.period == bound::Period::kDay) continue;
    if (c.divide_by || c.against || c.against_previous || c.consecutive > 1) continue;
    if (c.op == bound::CmpOp::kEq || c.op == bound::CmpOp::kNe) continue;
    bound::Rule probe = *r;
    probe.check.parameter = -1;
    const bool upper = c.op == bound::CmpOp::kLe || c.op == bound::CmpOp::kLt;
    probe.check.value = upper ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    originals.push_back(r);
    probes.push_back(std::move(probe));
  }
  if (probes.empty()) return out;
  // Judged "as of" a year on, so the running periods count as ended; only
  // the ones holding today are kept.
  const CompileOptions options{today.AddDays(366), {}};
  const int32_t day = today.DaysSinceEpoch();
  ASSIGN_OR_RETURN(const uint64_t registry_generation, registry::RegistryGeneration(conn));
  std::shared_lock lock(mu_);
  while (!FreshLocked(today, registry_generation)) {
    lock.unlock();
    {
      std::unique_lock ex(mu_);
      if (!FreshLocked(today, registry_generation)) RETURN_IF_ERROR(LoadLocked(conn, today, registry_generation));
    }
    lock.lock();
  }
  const datasets::RegistryImage& reg = image_.registry;
  const Touched touched = TouchedBy(reg, pack_.datasets[static_cast<size_t>(aff.index)], rows);
  if (touched.classes.empty()) return out;
  std::set<int32_t> orgs, class_index;
  for (int32_t o : touched.orgs) {
    for (int32_t a = o; a >= 0; a = reg.org_parent[static_cast<size_t>(a)]) orgs.insert(a);
  }
  for (int64_t id : touched.classes) class_index.insert(reg.ClassIndex(id));
  std::set<int> needed;
  for (const bound::Rule& r : probes) {
    needed.insert(r.check.dataset);
    for (const bound::Unless& u : r.unless) needed.insert(u.dataset);
  }
  int64_t rows_copied = 0;
  const datasets::ColumnarImage small =
      SubImage(std::vector<int32_t>(orgs.begin(), orgs.end()), needed, rows_copied, &class_index);
  for (size_t i = 0; i < probes.size(); ++i) {
    const bound::Rule& r = probes[i];
    // A scope naming an org outside the small image cannot compile; such a
    // rule is about other schools anyway.
    auto pl = CompileRule(pack_, r, small, options);
    if (!pl.ok()) continue;
    std::vector<Finding> groups;
    RETURN_IF_ERROR(EvaluateRulePlan(r, *pl, small, groups));
    for (Finding& g : groups) {
      auto start = Date::Parse(g.period_start);
      auto end = Date::Parse(g.period_end);
      if (!start.ok() || !end.ok() || start->DaysSinceEpoch() > day || end->DaysSinceEpoch() < day) continue;
      if (g.evidence_count == 0 && g.measured == 0) continue;  // nothing recorded yet
      const bound::Rule& orig = *originals[i];
      g.comparison = std::string(bound::CmpOpText(orig.check.op));
      g.threshold = orig.check.value;
      g.parameters.clear();
      if (orig.check.parameter >= 0) {
        const bound::Parameter& prm = orig.parameters[static_cast<size_t>(orig.check.parameter)];
        const bound::DatedValue* v = prm.At(start->DaysSinceEpoch());
        if (!v) continue;  // no norm in force: nothing to project against
        g.threshold = v->value;
      }
      out.push_back({&orig, std::move(g)});
    }
  }
  return out;
}

}  // namespace edugov::rules
