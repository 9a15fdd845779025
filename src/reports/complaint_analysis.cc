// The analysis: one read of the complaints in scope and the registry, then
// plain C++ over the rows (a county has a few thousand complaints a year, so
// grouping in memory is cheaper than one SQL query per table and behaves the
// same on SQLite and PostgreSQL).
#include "reports/complaint_analysis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "cases/case_figures.h"
#include "registry/registry.h"

namespace edugov::reports {
namespace {

constexpr int64_t kMicrosPerDay = INT64_C(86400000000);
constexpr int64_t kChinaOffsetMicros = INT64_C(8) * 3600 * 1000000;

int64_t DayStartMicros(Date d) {
  return static_cast<int64_t>(d.DaysSinceEpoch()) * kMicrosPerDay - kChinaOffsetMicros;
}

Date ChinaDate(int64_t us) {
  int64_t local = us + kChinaOffsetMicros;
  int64_t days = local >= 0 ? local / kMicrosPerDay : -((-local + kMicrosPerDay - 1) / kMicrosPerDay);
  return Date::FromDaysSinceEpoch(static_cast<int32_t>(days));
}

int MonthIndex(Date d) { return d.year() * 12 + (d.month() - 1); }

std::string MonthName(int index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", index / 12, index % 12 + 1);
  return buf;
}

std::string Percent(int64_t cur, int64_t prev) {
  if (prev == 0) return cur == 0 ? "0%" : "新增";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.0f%%", (static_cast<double>(cur) - prev) * 100.0 / prev);
  return buf;
}

std::string PercentEn(int64_t cur, int64_t prev) {
  if (prev == 0) return cur == 0 ? "0%" : "new";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.0f%%", (static_cast<double>(cur) - prev) * 100.0 / prev);
  return buf;
}

bool IsRising(int64_t cur, int64_t prev, const ComplaintThresholds& t) {
  return cur >= t.rising_min_count && static_cast<double>(cur) >= static_cast<double>(prev) * t.rising_min_ratio &&
         cur - prev >= t.rising_min_increase;
}

struct Row {
  int64_t id = 0;
  std::string ref;
  std::string category;
  int64_t org_id = 0;
  std::string org_path;
  int64_t opened_at = 0;
  std::string state;
  std::optional<int64_t> due_at;
  std::optional<int64_t> closed_at;
  std::optional<int64_t> satisfaction;
  std::optional<int64_t> merged_into;
  std::string merged_into_ref;
  int64_t township_id = 0;  // derived from the org path
};

struct OrgInfo {
  int64_t id = 0;
  std::string kind;
  std::string name;
  std::string path;
  int64_t township_id = 0;
  int64_t students = 0;
};

bool ClosedBy(const Row& r, int64_t as_of) { return r.closed_at && *r.closed_at <= as_of; }

bool OverdueAt(const Row& r, int64_t as_of) {
  return !r.merged_into && r.opened_at < as_of && !ClosedBy(r, as_of) && r.due_at && *r.due_at < as_of;
}

void Add(Counts& c, const Row& r, int64_t as_of) {
  ++c.received;
  if (r.merged_into) {
    ++c.repeats;
  } else if (ClosedBy(r, as_of)) {
    ++c.closed;
  } else {
    ++c.open;
    if (OverdueAt(r, as_of)) ++c.overdue;
  }
  if (r.satisfaction) {
    ++c.rated;
    if (*r.satisfaction >= 4) ++c.satisfied;
    c.satisfaction_avg += static_cast<double>(*r.satisfaction);  // divided in Finish
  }
}

void Finish(Counts& c) {
  c.satisfaction_avg = c.rated ? c.satisfaction_avg / static_cast<double>(c.rated) : 0;
}

std::optional<double> Rate(int64_t received, int64_t students) {
  if (students <= 0) return std::nullopt;
  return std::round(static_cast<double>(received) * 1000000.0 / static_cast<double>(students)) / 1000.0;
}

// Highest rate first (units without students last), then most complaints, then id.
bool UnitOrder(const Unit& a, const Unit& b) {
  double ra = a.rate_per_1000.value_or(-1), rb = b.rate_per_1000.value_or(-1);
  if (ra != rb) return ra > rb;
  if (a.current.received != b.current.received) return a.current.received > b.current.received;
  return a.org_id < b.org_id;
}

std::vector<int64_t> PathIds(const std::string& path) {
  std::vector<int64_t> ids;
  int64_t v = 0;
  bool in = false;
  for (char ch : path) {
    if (ch >= '0' && ch <= '9') {
      v = v * 10 + (ch - '0');
      in = true;
    } else {
      if (in) ids.push_back(v);
      v = 0;
      in = false;
    }
  }
  if (in) ids.push_back(v);
  return ids;
}

std::string Label(const std::map<std::string, Bilingual>& labels, const std::string& key, bool zh) {
  auto it = labels.find(key);
  if (it == labels.end()) return key.empty() ? (zh ? "未分类" : "uncategorised") : key;
  return zh ? it->second.zh : (it->second.en.empty() ? it->second.zh : it->second.en);
}

std::string RefList(const std::vector<std::string>& refs, size_t max, bool zh) {
  std::string s;
  for (size_t i = 0; i < refs.size() && i < max; ++i) s += (i ? (zh ? "、" : ", ") : "") + refs[i];
  if (refs.size() > max) s += zh ? " 等" : " etc.";
  return s;
}

class Analyzer {
 public:
  Analyzer(storage::Connection& conn, const ComplaintReportRequest& req) : conn_(conn), req_(req) {}

  StatusOr<ComplaintReport> Run() {
    RETURN_IF_ERROR(CheckRequest());
    RETURN_IF_ERROR(LoadScope());
    RETURN_IF_ERROR(LoadOrgs());
    RETURN_IF_ERROR(LoadCases());
    Totals();
    Categories();
    Units();
    if (req_.kind == ReportKind::kTopical) Topic();
    WeakLinks();
    FeedbackSections();
    return std::move(r_);
  }

 private:
  Status CheckRequest() {
    if (req_.to < req_.from) {
      return Status(StatusCode::kInvalidArgument,
                    "to (" + req_.to.ToString() + ") is before from (" + req_.from.ToString() + ")",
                    "截止日期(" + req_.to.ToString() + ")早于起始日期(" + req_.from.ToString() + ")", "to");
    }
    if (req_.to.DaysSinceEpoch() - req_.from.DaysSinceEpoch() > 3 * 366) {
      return Status(StatusCode::kInvalidArgument, "the period may be at most three years long",
                    "统计期间最长为三年", "to");
    }
    for (const auto& [k, v] : req_.categories) labels_[k] = v;
    if (req_.kind == ReportKind::kTopical) {
      if (req_.topic.empty()) {
        return Status(StatusCode::kInvalidArgument, "a topical report needs a topic (a complaint category)",
                      "专题分析须指定专题(投诉类别)", "topic");
      }
      // Without the case type's categories there is no list to check the
      // topic against; it is then shown by its key like any other category.
      if (!labels_.empty() && !labels_.count(req_.topic)) {
        std::string keys;
        for (const auto& [k, v] : labels_) keys += (keys.empty() ? "" : ", ") + k;
        return Status(StatusCode::kInvalidArgument,
                      "unknown complaint category '" + req_.topic + "' (known: " + keys + ")",
                      "未知的投诉类别“" + req_.topic + "”(可选:" + keys + ")", "topic");
      }
    }
    const int32_t len = req_.to.DaysSinceEpoch() - req_.from.DaysSinceEpoch() + 1;
    r_.kind = req_.kind;
    r_.thresholds = req_.thresholds;
    r_.from = req_.from;
    r_.to = req_.to;
    r_.previous_to = req_.from.AddDays(-1);
    r_.previous_from = req_.from.AddDays(-len);
    period_start_ = DayStartMicros(req_.from);
    period_end_ = DayStartMicros(req_.to.AddDays(1));
    previous_start_ = DayStartMicros(r_.previous_from);
    as_of_ = req_.as_of_us.value_or(period_end_);
    r_.as_of_us = as_of_;
    for (int m = MonthIndex(req_.from); m <= MonthIndex(req_.to); ++m) r_.months.push_back(MonthName(m));
    return OkStatus();
  }

  Status LoadScope() {
    std::optional<registry::Org> scope;
    if (req_.scope_org_id == 0) {
      ASSIGN_OR_RETURN(scope, registry::LookupRootOrgUnscoped(conn_));
      if (!scope) {
        return Status(StatusCode::kFailedPrecondition, "the registry has no orgs", "机构名录为空");
      }
    } else {
      ASSIGN_OR_RETURN(scope, registry::LookupOrgUnscoped(conn_, req_.scope_org_id));
      if (!scope) {
        return Status(StatusCode::kNotFound, "scope: no org with id " + std::to_string(req_.scope_org_id),
                      "范围:没有 id 为 " + std::to_string(req_.scope_org_id) + " 的单位", "scope");
      }
    }
    r_.scope_org_id = scope->id;
    r_.scope_kind = std::string(registry::OrgKindName(scope->kind));
    r_.scope_name = scope->name;
    scope_path_ = scope->path;
    r_.county_wide = r_.scope_kind != "township" && r_.scope_kind != "school";
    const char* kind_zh = req_.kind == ReportKind::kRoutine    ? "常规"
                          : req_.kind == ReportKind::kRegional ? "区域"
                                                               : "专题";
    const char* kind_en = req_.kind == ReportKind::kRoutine    ? "routine"
                          : req_.kind == ReportKind::kRegional ? "regional"
                                                               : "topical";
    std::string topic_zh, topic_en;
    if (req_.kind == ReportKind::kTopical) {
      topic_zh = "(" + Label(labels_, req_.topic, true) + ")";
      topic_en = " (" + Label(labels_, req_.topic, false) + ")";
    }
    r_.title.zh = r_.scope_name + "信访投诉举报" + kind_zh + "分析报告" + topic_zh;
    r_.title.en = std::string("Complaints: ") + kind_en + " analysis" + topic_en + " — " + r_.scope_name;
    if (r_.county_wide) {
      r_.send_to = {{"局领导", "Bureau leaders"}};
      r_.copy_to = {{"组织人事股", "Organisation and HR"},
                    {"党工委", "Party working committee"},
                    {"纪工委", "Discipline committee"},
                    {"督导室", "Education supervision"}};
    }
    return OkStatus();
  }

  Status LoadOrgs() {
    // The townships and schools of the scope, from the registry.
    std::vector<registry::Org> units;
    RETURN_IF_ERROR(registry::ForEachOrg(conn_, scope_path_, [&](const registry::Org& o) {
      if (o.kind == registry::OrgKind::kTownship || o.kind == registry::OrgKind::kSchool) units.push_back(o);
    }));
    std::set<int64_t> township_ids;
    for (const registry::Org& o : units) {
      if (o.kind == registry::OrgKind::kTownship) township_ids.insert(o.id);
    }
    // A school inside a township scope sees its township, though the
    // township lies above the scope: name it from the path.
    for (int64_t id : PathIds(scope_path_)) {
      if (!township_ids.count(id)) {
        ASSIGN_OR_RETURN(std::optional<registry::Org> above, registry::LookupOrgUnscoped(conn_, id));
        if (above && above->kind == registry::OrgKind::kTownship) {
          township_ids.insert(id);
          township_names_[id] = above->name;
        }
      }
    }
    for (const registry::Org& unit : units) {
      OrgInfo o{unit.id, std::string(registry::OrgKindName(unit.kind)), unit.name, unit.path, 0, 0};
      for (int64_t id : PathIds(o.path)) {
        if (township_ids.count(id)) o.township_id = id;
      }
      if (o.kind == "township") township_names_[o.id] = o.name;
      orgs_[o.id] = o;
    }
    ASSIGN_OR_RETURN(auto students, registry::StudentsBySchoolUnscoped(conn_, scope_path_));
    for (const auto& [school_id, count] : students) {
      auto it = orgs_.find(school_id);
      if (it != orgs_.end()) it->second.students = count;
    }
    return OkStatus();
  }

  Status LoadCases() {
    // Complaints opened in the two periods, and older ones still overdue at
    // as_of — as figures only (cases/case_figures.h: nothing identifying).
    ASSIGN_OR_RETURN(std::vector<cases::CaseFigures> figures,
                     cases::ListCaseFigures(conn_, {.case_type = "complaint",
                                                    .subtree = scope_path_,
                                                    .opened_from_us = previous_start_,
                                                    .opened_before_us = period_end_,
                                                    .overdue_at_us = as_of_}));
    for (cases::CaseFigures& f : figures) {
      Row row;
      row.id = f.id;
      row.ref = std::move(f.ref);
      row.category = std::move(f.category);
      row.org_id = f.org_id;
      row.org_path = std::move(f.org_path);
      row.opened_at = f.opened_at_us;
      row.state = std::move(f.state);
      row.due_at = f.due_at_us;
      row.closed_at = f.closed_at_us;
      if (f.satisfaction) row.satisfaction = *f.satisfaction;
      row.merged_into = f.merged_into;
      row.merged_into_ref = std::move(f.merged_into_ref);
      auto org = orgs_.find(row.org_id);
      if (org != orgs_.end()) row.township_id = org->second.township_id;
      rows_.push_back(std::move(row));
    }
    return OkStatus();
  }

  bool InCurrent(const Row& r) const { return r.opened_at >= period_start_ && r.opened_at < period_end_; }
  bool InPrevious(const Row& r) const { return r.opened_at >= previous_start_ && r.opened_at < period_start_; }

  std::string OrgName(int64_t id) const {
    if (id == 0) return "县直(未指定学校)";
    auto it = orgs_.find(id);
    return it == orgs_.end() ? std::to_string(id) : it->second.name;
  }

  std::string TownshipName(int64_t id) const {
    auto it = township_names_.find(id);
    return it == township_names_.end() ? "" : it->second;
  }

  void Totals() {
    for (const Row& row : rows_) {
      if (InCurrent(row)) Add(r_.current, row, as_of_);
      if (InPrevious(row)) ++r_.previous_received;
    }
    Finish(r_.current);
    for (const auto& [id, o] : orgs_) r_.students += o.students;
    r_.rate_per_1000 = Rate(r_.current.received, r_.students);
  }

  void Categories() {
    std::map<std::string, CategoryRow> rows;
    const int base = MonthIndex(req_.from);
    for (const Row& row : rows_) {
      if (!InCurrent(row) && !InPrevious(row)) continue;
      CategoryRow& c = rows[row.category];
      if (c.by_month.empty()) {
        c.key = row.category;
        c.label = {Label(labels_, row.category, true), Label(labels_, row.category, false)};
        c.by_month.assign(r_.months.size(), 0);
      }
      if (InCurrent(row)) {
        ++c.current;
        ++c.by_month[MonthIndex(ChinaDate(row.opened_at)) - base];
      } else {
        ++c.previous;
      }
    }
    for (auto& [k, c] : rows) r_.categories.push_back(std::move(c));
    std::stable_sort(r_.categories.begin(), r_.categories.end(), [](const CategoryRow& a, const CategoryRow& b) {
      return a.current != b.current ? a.current > b.current : a.key < b.key;
    });
  }

  Unit MakeUnit(int64_t org_id) const {
    Unit u;
    u.org_id = org_id;
    u.name = OrgName(org_id);
    auto it = orgs_.find(org_id);
    u.kind = it == orgs_.end() ? "county" : it->second.kind;
    if (it != orgs_.end()) {
      u.township_id = it->second.township_id;
      u.students = it->second.students;
    }
    u.township_name = TownshipName(u.township_id);
    return u;
  }

  void Units() {
    // Townships: every township in scope, with the students of all its schools.
    std::map<int64_t, Unit> townships;
    for (const auto& [id, o] : orgs_) {
      if (o.kind == "township") {
        Unit u = MakeUnit(id);
        u.township_id = id;
        u.township_name = o.name;
        u.students = 0;
        townships[id] = u;
      }
    }
    for (const auto& [id, o] : orgs_) {
      auto t = townships.find(o.township_id);
      if (t != townships.end()) t->second.students += o.students;
    }
    std::map<int64_t, Unit> schools;
    for (const Row& row : rows_) {
      if (!InCurrent(row) && !InPrevious(row)) continue;
      auto s = schools.find(row.org_id);
      if (s == schools.end()) s = schools.emplace(row.org_id, MakeUnit(row.org_id)).first;
      auto t = townships.find(row.township_id);
      if (InCurrent(row)) {
        Add(s->second.current, row, as_of_);
        if (t != townships.end()) Add(t->second.current, row, as_of_);
      } else {
        ++s->second.previous_received;
        if (t != townships.end()) ++t->second.previous_received;
      }
    }
    for (auto& [id, u] : townships) {
      Finish(u.current);
      u.rate_per_1000 = Rate(u.current.received, u.students);
      r_.townships.push_back(u);
    }
    for (auto& [id, u] : schools) {
      Finish(u.current);
      u.rate_per_1000 = Rate(u.current.received, u.students);
      r_.schools.push_back(u);
    }
    std::sort(r_.townships.begin(), r_.townships.end(), UnitOrder);
    std::sort(r_.schools.begin(), r_.schools.end(), UnitOrder);
  }

  CaseRef MakeRef(const Row& row) const {
    CaseRef c;
    c.id = row.id;
    c.ref = row.ref;
    c.category = row.category;
    c.org_id = row.org_id;
    c.org_name = OrgName(row.org_id);
    c.township_id = row.township_id;
    c.opened_on = ChinaDate(row.opened_at).ToString();
    if (row.due_at) {
      c.due_on = ChinaDate(*row.due_at).ToString();
      if (*row.due_at < as_of_) c.days_overdue = (as_of_ - *row.due_at) / kMicrosPerDay;
    }
    return c;
  }

  void Topic() {
    TopicSection t;
    t.key = req_.topic;
    t.label = {Label(labels_, req_.topic, true), Label(labels_, req_.topic, false)};
    t.by_month.assign(r_.months.size(), 0);
    t.satisfaction_histogram.assign(5, 0);
    std::map<int64_t, Unit> schools;
    const int base = MonthIndex(req_.from);
    for (const Row& row : rows_) {
      if (row.category != req_.topic) continue;
      if (InPrevious(row)) ++t.previous;
      if (OverdueAt(row, as_of_)) t.overdue.push_back(MakeRef(row));
      if (!InCurrent(row)) continue;
      Add(t.current, row, as_of_);
      ++t.by_month[MonthIndex(ChinaDate(row.opened_at)) - base];
      auto s = schools.find(row.org_id);
      if (s == schools.end()) s = schools.emplace(row.org_id, MakeUnit(row.org_id)).first;
      Add(s->second.current, row, as_of_);
      if (row.merged_into) {
        CaseRef ref = MakeRef(row);
        ref.ref = row.merged_into_ref;  // the matter complained of again
        ref.id = *row.merged_into;
        t.repeat_targets.push_back(ref);
      }
      if (row.satisfaction && *row.satisfaction >= 1 && *row.satisfaction <= 5) {
        ++t.satisfaction_histogram[*row.satisfaction - 1];
      }
    }
    Finish(t.current);
    for (auto& [id, u] : schools) {
      Finish(u.current);
      u.rate_per_1000 = Rate(u.current.received, u.students);
      t.by_school.push_back(u);
    }
    std::sort(t.by_school.begin(), t.by_school.end(), [](const Unit& a, const Unit& b) {
      return a.current.received != b.current.received ? a.current.received > b.current.received
                                                      : a.org_id < b.org_id;
    });
    r_.topic = std::move(t);
  }

  // The most frequent category of a unit's complaints this period.
  std::string DominantCategory(int64_t org_id) const {
    std::map<std::string, int64_t> n;
    for (const Row& row : rows_) {
      if (InCurrent(row) && row.org_id == org_id) ++n[row.category];
    }
    std::string best;
    int64_t most = 0;
    for (const auto& [k, v] : n) {
      if (v > most) best = k, most = v;
    }
    return best;
  }

  // A weak link at one school: named and placed in its township.
  WeakLink SchoolWeakLink(WeakLink::Kind kind, int64_t org) const {
    WeakLink w;
    w.kind = kind;
    w.org_id = org;
    w.org_name = OrgName(org);
    w.township_id = MakeUnit(org).township_id;
    return w;
  }

  // What the school behind `w` must do about it, within `due_working_days`.
  static Recommendation RecommendationAt(const WeakLink& w, Recommendation::Kind kind, int due_working_days) {
    Recommendation rec;
    rec.kind = kind;
    rec.org_id = w.org_id;
    rec.org_name = w.org_name;
    rec.township_id = w.township_id;
    rec.due_working_days = due_working_days;
    return rec;
  }

  void WeakLinks() {
    // When a topic is analysed, the weak links are the topic's.
    const bool topical = req_.kind == ReportKind::kTopical;
    auto relevant = [&](const Row& row) { return !topical || row.category == req_.topic; };

    // Rising schools.
    std::map<int64_t, std::pair<int64_t, int64_t>> per_school;  // cur, prev
    for (const Row& row : rows_) {
      if (!relevant(row)) continue;
      if (InCurrent(row)) ++per_school[row.org_id].first;
      if (InPrevious(row)) ++per_school[row.org_id].second;
    }
    for (const auto& [org, cp] : per_school) {
      if (org == 0 || !IsRising(cp.first, cp.second, th())) continue;
      WeakLink w = SchoolWeakLink(WeakLink::Kind::kSchoolRising, org);
      w.category = topical ? req_.topic : DominantCategory(org);
      w.current = cp.first;
      w.previous = cp.second;
      const std::string cat_zh = Label(labels_, w.category, true), cat_en = Label(labels_, w.category, false);
      w.text.zh = w.org_name + "本期收到投诉 " + std::to_string(w.current) + " 件,上期 " +
                  std::to_string(w.previous) + " 件(" + Percent(w.current, w.previous) + "),以“" + cat_zh +
                  "”为主。";
      w.text.en = w.org_name + ": " + std::to_string(w.current) + " complaints this period against " +
                  std::to_string(w.previous) + " before (" + PercentEn(w.current, w.previous) + "), mostly " +
                  cat_en + ".";
      r_.weak_links.push_back(w);
      Recommendation rec = RecommendationAt(w, Recommendation::Kind::kRectification, th().rectification_working_days);
      rec.text.zh = "责令" + w.org_name + "针对“" + cat_zh + "”问题开展自查整改," + std::to_string(th().rectification_working_days) +
                    " 个工作日内报送整改报告及佐证材料,由" +
                    (w.township_id && w.township_id != org ? TownshipName(w.township_id) : std::string("督导室")) +
                    "核验后销号。";
      rec.text.en = w.org_name + " to investigate and rectify the " + cat_en + " problems and submit a report with evidence within " +
                    std::to_string(th().rectification_working_days) + " working days, verified by " +
                    (w.township_id && w.township_id != org ? TownshipName(w.township_id) : std::string("education supervision")) +
                    ".";
      r_.recommendations.push_back(rec);
    }

    // Rising categories (county-wide view of the scope).
    if (!topical) {
      for (const CategoryRow& c : r_.categories) {
        if (!IsRising(c.current, c.previous, th())) continue;
        WeakLink w;
        w.kind = WeakLink::Kind::kCategoryRising;
        w.category = c.key;
        w.current = c.current;
        w.previous = c.previous;
        w.text.zh = "“" + c.label.zh + "”类投诉 " + std::to_string(c.current) + " 件,上期 " + std::to_string(c.previous) +
                    " 件(" + Percent(c.current, c.previous) + "),呈上升趋势。";
        w.text.en = c.label.en + ": " + std::to_string(c.current) + " complaints against " + std::to_string(c.previous) +
                    " before (" + PercentEn(c.current, c.previous) + "), rising.";
        r_.weak_links.push_back(w);
        Recommendation rec;
        rec.kind = Recommendation::Kind::kRectification;
        rec.due_working_days = th().campaign_working_days;
        rec.text.zh = "在" + r_.scope_name + "范围内开展“" + c.label.zh + "”专项治理,由分管股室牵头," +
                      std::to_string(rec.due_working_days) + " 个工作日内完成排查并通报结果。";
        rec.text.en = "A campaign on " + c.label.en + " across " + r_.scope_name + ", led by the responsible department: " +
                      "inspection done and results circulated within " + std::to_string(rec.due_working_days) +
                      " working days.";
        r_.recommendations.push_back(rec);
      }
    }

    // Repeat complaints (merged into an earlier one), per school.
    std::map<int64_t, std::vector<const Row*>> repeats;
    for (const Row& row : rows_) {
      if (relevant(row) && InCurrent(row) && row.merged_into) repeats[row.org_id].push_back(&row);
    }
    for (const auto& [org, list] : repeats) {
      WeakLink w = SchoolWeakLink(WeakLink::Kind::kRepeats, org);
      w.category = list.front()->category;
      w.current = static_cast<int64_t>(list.size());
      std::set<std::string> seen;
      for (const Row* row : list) {
        if (seen.insert(row->merged_into_ref).second) w.refs.push_back(row->merged_into_ref);
      }
      w.text.zh = w.org_name + "有 " + std::to_string(w.current) + " 件重复投诉(同一事项:" + RefList(w.refs, 5, true) +
                  "),首次处理未见实效。";
      w.text.en = w.org_name + ": " + std::to_string(w.current) + " repeat complaints about matters already raised (" +
                  RefList(w.refs, 5, false) + "): the first answer did not settle them.";
      r_.weak_links.push_back(w);
      Recommendation rec = RecommendationAt(w, Recommendation::Kind::kRectification, th().rectification_working_days);
      rec.text.zh = "对" + w.org_name + "重复投诉事项(" + RefList(w.refs, 5, true) + ")重新核查," +
                    std::to_string(th().rectification_working_days) + " 个工作日内实质解决并回复投诉人。";
      rec.text.en = "Re-examine the repeated matters at " + w.org_name + " (" + RefList(w.refs, 5, false) +
                    ") and settle them, answering the complainants, within " + std::to_string(th().rectification_working_days) +
                    " working days.";
      r_.recommendations.push_back(rec);
    }

    // Overdue complaints at as_of, per school: accountability.
    std::map<int64_t, std::vector<const Row*>> overdue;
    for (const Row& row : rows_) {
      if (relevant(row) && OverdueAt(row, as_of_)) overdue[row.org_id].push_back(&row);
    }
    for (const auto& [org, list] : overdue) {
      WeakLink w = SchoolWeakLink(WeakLink::Kind::kOverdue, org);
      w.category = list.front()->category;
      w.current = static_cast<int64_t>(list.size());
      for (const Row* row : list) w.refs.push_back(row->ref);
      w.text.zh = w.org_name + "有 " + std::to_string(w.current) + " 件投诉超期未办结(" + RefList(w.refs, 5, true) + ")。";
      w.text.en = w.org_name + ": " + std::to_string(w.current) + " complaints past their deadline (" +
                  RefList(w.refs, 5, false) + ").";
      r_.weak_links.push_back(w);
      const int days = th().accountability_working_days;
      Recommendation rec = RecommendationAt(w, Recommendation::Kind::kAccountability, days);
      rec.text.zh = "对" + w.org_name + "超期未办结的投诉(" + RefList(w.refs, 5, true) +
                    ")启动问责:约谈主要负责人,书面说明超期原因;" + std::to_string(days) +
                    " 个工作日内仍未办结的,予以书面批评并抄送纪工委。";
      rec.text.en = "Accountability at " + w.org_name + " for the overdue complaints (" + RefList(w.refs, 5, false) +
                    "): its head is summoned and explains the delay in writing; still open after " +
                    std::to_string(days) + " working days, a written criticism copied to the discipline committee.";
      r_.recommendations.push_back(rec);
    }
  }

  void FeedbackSections() {
    auto has_part = [](const Feedback& f) {
      return f.unit.current.received || f.unit.previous_received || !f.weak_links.empty();
    };
    auto of_org = [&](int64_t org, bool whole_township, Feedback& f) {
      for (const WeakLink& w : r_.weak_links) {
        if (w.org_id == 0) continue;
        if (w.org_id == org || (whole_township && w.township_id == org)) f.weak_links.push_back(w);
      }
      for (const Recommendation& rec : r_.recommendations) {
        if (rec.org_id == 0) continue;
        if (rec.org_id == org || (whole_township && rec.township_id == org)) f.recommendations.push_back(rec);
      }
    };
    std::vector<Unit> townships = r_.townships;
    std::sort(townships.begin(), townships.end(), [](const Unit& a, const Unit& b) { return a.org_id < b.org_id; });
    std::vector<Unit> schools = r_.schools;
    std::sort(schools.begin(), schools.end(), [](const Unit& a, const Unit& b) {
      return a.township_id != b.township_id ? a.township_id < b.township_id : a.org_id < b.org_id;
    });
    for (const Unit& t : townships) {
      Feedback f;
      f.unit = t;
      of_org(t.org_id, /*whole_township=*/true, f);
      if (has_part(f)) r_.feedback.push_back(std::move(f));
    }
    for (const Unit& s : schools) {
      if (s.org_id == 0) continue;
      Feedback f;
      f.unit = s;
      of_org(s.org_id, /*whole_township=*/false, f);
      if (has_part(f)) r_.feedback.push_back(std::move(f));
    }
  }

  const ComplaintThresholds& th() const { return req_.thresholds; }

  storage::Connection& conn_;
  const ComplaintReportRequest& req_;
  ComplaintReport r_;
  std::map<std::string, Bilingual> labels_;
  std::string scope_path_;
  int64_t period_start_ = 0, period_end_ = 0, previous_start_ = 0, as_of_ = 0;
  std::map<int64_t, OrgInfo> orgs_;
  std::map<int64_t, std::string> township_names_;
  std::vector<Row> rows_;
};

}  // namespace

std::optional<ReportKind> ParseReportKind(std::string_view text) {
  if (text == "routine") return ReportKind::kRoutine;
  if (text == "regional") return ReportKind::kRegional;
  if (text == "topical") return ReportKind::kTopical;
  return std::nullopt;
}

std::string_view ReportKindName(ReportKind kind) {
  switch (kind) {
    case ReportKind::kRoutine: return "routine";
    case ReportKind::kRegional: return "regional";
    case ReportKind::kTopical: return "topical";
  }
  return "routine";
}

StatusOr<ComplaintReport> AnalyzeComplaints(storage::Connection& conn, const ComplaintReportRequest& request) {
  const ComplaintThresholds& t = request.thresholds;
  const std::pair<const char*, bool> unset[] = {
      {"rectification_working_days", t.rectification_working_days <= 0},
      {"campaign_working_days", t.campaign_working_days <= 0},
      {"accountability_working_days", t.accountability_working_days <= 0},
      {"rising_min_count", t.rising_min_count <= 0},
      {"rising_min_ratio", !(t.rising_min_ratio >= 1)},
      {"rising_min_increase", t.rising_min_increase <= 0},
  };
  for (const auto& [name, missing] : unset) {
    if (!missing) continue;
    const std::string field = std::string("thresholds.") + name;
    return Status(StatusCode::kFailedPrecondition,
                  "the complaint report's threshold " + std::string(name) +
                      " is not set (the complaint case type's report: section)",
                  "信访投诉分析报告缺少阈值 " + std::string(name) + "(见投诉案件类型的 report: 配置)", field);
  }
  Analyzer analyzer(conn, request);
  if (conn.in_transaction()) return analyzer.Run();
  StatusOr<ComplaintReport> out = Status(StatusCode::kInternal, "report not built", "报告未生成");
  Status s = storage::RunInTransaction(conn, storage::TransactionMode::kRead, [&](storage::Connection&) {
    out = analyzer.Run();
    return OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace edugov::reports
