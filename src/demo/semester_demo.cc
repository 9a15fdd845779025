// A semester of homework, inspections, parent trainings, exam days and study
// tours (semester_demo.h). Each class and school first gets a small plan
// (its typical homework, heavy weeks, phone days, tour, exam dates, …) from
// one random stream; then the homework is written day by day, class by class
// (the order teachers' daily entries arrive in), from a second stream, in
// pages of 20,000 rows through BulkInsert, so a province's ~30 M rows never
// sit in memory. What the rules must find is tallied on the way: per class
// only the current week's sum and count are kept.
#include "demo/semester_demo.h"

#include <yaml-cpp/yaml.h>

#include "common/yaml_error.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "calendar/school_semesters.h"
#include "calendar/working_calendar.h"
#include "common/date.h"
#include "common/random.h"
#include "datasets/schema_file.h"
#include "datasets/store.h"
#include "ledger/audit.h"
#include "registry/registry.h"

namespace edugov::demo {
namespace {

using registry::Stage;
using storage::Params;

struct School {
  int64_t id = 0;
  Stage stage = Stage::kPrimary;
  std::string path;
  bool canteen = false;
  int64_t county = 0;
  // The nearest ancestor that is a school too (a township central school
  // over its village schools), or -1: the engine lets its exam days exempt
  // the schools below, as a township's unified exam does.
  int parent = -1;
  // Exam days of the homework semester: [from, until] day numbers.
  std::vector<std::pair<int32_t, int32_t>> exams;
};

enum class Band { kGrades12, kGrades36, kGrades79 };

struct Class {
  int64_t id = 0;
  const School* school = nullptr;
  Band band = Band::kGrades12;
  int limit = 0;  // the rule's daily limit or weekly average
  int base = 0;   // typical written minutes
  bool cram = false;  // over the limit on exam days (revision)
  std::vector<int32_t> heavy_weeks;  // Mondays (grades 3–9)
  std::vector<int32_t> heavy_days;   // grades 1–2
  std::vector<int32_t> phone_days;
  int32_t tour_from = 0, tour_until = -1;
  bool tour_approved = false;
  // Tally of the current week's rows the homework rules count.
  int64_t week_sum = 0, week_rows = 0;
  bool week_phone = false;
};

const std::vector<std::pair<std::string, std::vector<std::string>>>& Tables() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kTables = {
      {"exam_days", {"school_id", "date", "until", "name"}},
      {"study_tours", {"class_id", "date", "until", "approved"}},
      {"inspections", {"school_id", "date", "kind", "mode", "inspector"}},
      {"parent_trainings", {"school_id", "date", "attendees"}},
      {"homework", {"class_id", "date", "written_minutes", "phone_based"}},
  };
  return kTables;
}

// One dataset at a time, in pages; the first error stops the writing and is
// kept for the caller.
class Writer {
 public:
  Writer(storage::Connection& tx, int64_t submitted_at) : tx_(tx), submitted_at_(submitted_at) {}
  void Start(const std::string& dataset) {
    Flush();
    dataset_ = dataset;
    next_row_id_ = 1;
    columns_ = {"row_id", "org_path", "submitted_at"};
    for (const auto& [name, cols] : Tables()) {
      if (name == dataset) columns_.insert(columns_.end(), cols.begin(), cols.end());
    }
  }
  void Add(const std::string& org_path, Params values, std::optional<int64_t> submitted_at = std::nullopt) {
    Params row{next_row_id_++, org_path, submitted_at.value_or(submitted_at_)};
    for (auto& v : values) row.push_back(std::move(v));
    rows_.push_back(std::move(row));
    ++written_[dataset_];
    if (rows_.size() >= kPage) Flush();
  }
  void Flush() {
    if (!rows_.empty() && status_.ok()) status_ = tx_.BulkInsert("ds_" + dataset_, columns_, rows_);
    rows_.clear();
  }
  const Status& status() const { return status_; }
  const std::map<std::string, int64_t>& written() const { return written_; }

 private:
  static constexpr size_t kPage = 20000;
  storage::Connection& tx_;
  int64_t submitted_at_;
  std::string dataset_;
  std::vector<std::string> columns_;
  int64_t next_row_id_ = 1;
  std::vector<Params> rows_;
  std::map<std::string, int64_t> written_;
  Status status_;
};

std::string DayText(int32_t d) { return Date::FromDaysSinceEpoch(d).ToString(); }
int32_t Monday(int32_t d) { return d - (Date::FromDaysSinceEpoch(d).IsoWeekday() - 1); }

struct Semester {
  std::string name;
  int32_t from = 0, to = 0;
  std::vector<int32_t> days;  // school days
  int32_t last_planned = 0;   // its last school day, even when cut short
  bool in_progress = false;   // cut short at SemesterDemoOptions::through
};

StatusOr<std::vector<Semester>> ReadSemesters(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return YamlError(path, e);
  }
  // Both forms of `semesters:` (a list, or {declared: [...], provisional:
  // RULE}); the pack's validator has checked them (docs/policy-format.md).
  YAML::Node list = root["semesters"];
  calendar::ProvisionalRule rule = calendar::ProvisionalRule::kNone;
  if (list.IsMap()) {
    calendar::ParseProvisionalRule(list["provisional"].as<std::string>("none"), &rule);
    list = list["declared"];
  }
  std::vector<calendar::SchoolSemester> declared;
  for (const YAML::Node& s : list) {
    ASSIGN_OR_RETURN(Date from, Date::Parse(s["from"].as<std::string>("")));
    ASSIGN_OR_RETURN(Date to, Date::Parse(s["to"].as<std::string>("")));
    declared.push_back({s["name"].as<std::string>(""), from, to, false});
  }
  std::sort(declared.begin(), declared.end(), [](const auto& a, const auto& b) { return a.from < b.from; });
  std::vector<Semester> out;
  for (const auto& s : calendar::WithProvisionalSemesters(std::move(declared), rule)) {
    out.push_back({s.name, s.from.DaysSinceEpoch(), s.to.DaysSinceEpoch(), {}});
  }
  return out;
}

Status CheckDeclared(const std::vector<datasets::DatasetSchema>& schemas, const std::string& dataset,
                     const std::vector<std::string>& columns) {
  const datasets::DatasetSchema* s = datasets::FindDataset(schemas, dataset);
  if (!s) {
    return FailedPreconditionError("demo data: the policy pack declares no dataset '" + dataset + "'",
                                   "演示数据：政策包未声明数据集 '" + dataset + "'");
  }
  for (const auto& c : columns) {
    if (s->ColumnIndex(c) < 0) {
      return FailedPreconditionError("demo data: dataset '" + dataset + "' has no column '" + c + "'",
                                     "演示数据：数据集 '" + dataset + "' 没有列 '" + c + "'");
    }
  }
  return OkStatus();
}

bool HomeworkStage(Stage s) {
  return s == Stage::kPrimary || s == Stage::kNineYear || s == Stage::kJunior || s == Stage::kCompleteSecondary;
}

// A school-day index in [lo, hi) of `days` whose date passes `ok`, or -1.
template <typename Ok>
int32_t PickDay(SplitMix64& rng, const std::vector<int32_t>& days, size_t lo, size_t hi, Ok ok) {
  for (int attempt = 0; attempt < 20 && lo < hi; ++attempt) {
    const int32_t d = days[lo + rng.Below(hi - lo)];
    if (ok(d)) return d;
  }
  return -1;
}

class Generator {
 public:
  Generator(uint64_t seed, std::vector<Semester> semesters, const Semester& sem, std::vector<School> schools)
      : plan_(seed ^ 0x73656d65ULL),
        daily_(seed ^ 0x686f6d65ULL),
        semesters_(std::move(semesters)),
        sem_(sem),
        schools_(std::move(schools)) {}

  std::vector<School>& schools() { return schools_; }
  std::vector<Class>& classes() { return classes_; }
  SemesterDemoSummary& summary() { return summary_; }

  void PlanSchools() {
    for (School& s : schools_) {
      if (s.stage == Stage::kKindergarten) continue;
      // Mid-term in the second or third week of November, 2–3 days; the
      // final in the semester's last week.
      // (ten weeks in: 2025-11-10 for 2025-autumn).
      const int32_t mid = sem_.from + 70 + static_cast<int32_t>(plan_.Below(3)) * 2;
      AddExam(s, mid, mid + 1 + static_cast<int32_t>(plan_.Below(2)));
      const int32_t last_monday = Monday(sem_.last_planned);
      const int32_t fin = last_monday + static_cast<int32_t>(plan_.Below(2));
      AddExam(s, fin, std::min(fin + 2, sem_.last_planned));
    }
  }

  void PlanClasses() {
    const auto& days = sem_.days;
    // Heavy weeks: full weeks of the semester that end by its last day and
    // hold no exam day of the usual calendar (a class crams in exam weeks
    // anyway; those rows are exempt).
    std::vector<int32_t> weeks;
    for (int32_t d : days) {
      const int32_t m = Monday(d);
      if (m >= sem_.from && m + 6 <= sem_.to && (weeks.empty() || weeks.back() != m)) weeks.push_back(m);
    }
    const int64_t first_county = schools_.empty() ? 0 : schools_.front().county;
    bool sure_heavy[3] = {false, false, false};
    bool sure_phone = false, sure_tour_ok = false, sure_tour_bad = false;
    for (Class& c : classes_) {
      const bool first = c.school->county == first_county;
      const int b = static_cast<int>(c.band);
      c.base = c.band == Band::kGrades12 ? 0 : c.band == Band::kGrades36 ? 30 + static_cast<int>(plan_.Below(16))
                                                                         : 55 + static_cast<int>(plan_.Below(21));
      c.cram = plan_.Chance(0.08);
      const bool heavy = (first && !sure_heavy[b]) || plan_.Chance(0.03);
      if (heavy) {
        sure_heavy[b] = true;
        const int n = 1 + static_cast<int>(plan_.Below(2));
        for (int i = 0; i < n; ++i) {
          if (c.band == Band::kGrades12) {
            c.heavy_days.push_back(days[plan_.Below(days.size())]);
          } else if (!weeks.empty()) {
            c.heavy_weeks.push_back(weeks[plan_.Below(weeks.size())]);
          }
        }
      }
      const bool compulsory = registry::IsCompulsory(c.school->stage);
      if (compulsory && ((first && !sure_phone) || plan_.Chance(0.005))) {
        sure_phone = true;
        const int n = 1 + static_cast<int>(plan_.Below(3));
        for (int i = 0; i < n; ++i) c.phone_days.push_back(days[plan_.Below(days.size())]);
      }
      // Tours: Monday–Thursday starts off exam days, a day or two, mostly
      // approved; the first county has a grade 1–2 class on each kind.
      bool tour = plan_.Chance(0.01);
      bool approved = plan_.Chance(0.85);
      if (first && c.band == Band::kGrades12 && !sure_tour_ok) {
        tour = approved = sure_tour_ok = true;
      } else if (first && c.band == Band::kGrades12 && !sure_tour_bad) {
        tour = sure_tour_bad = true;
        approved = false;
      }
      if (tour) {
        const School& s = *c.school;
        const int32_t d = PickDay(plan_, days, days.size() / 10, days.size() * 8 / 10, [&](int32_t x) {
          return Date::FromDaysSinceEpoch(x).IsoWeekday() <= 4 && !InExam(s, x) && !InExam(s, x + 1);
        });
        if (d >= 0) {
          c.tour_from = d;
          c.tour_until = d + static_cast<int32_t>(plan_.Below(2));
          c.tour_approved = approved;
        }
      }
    }
  }

  void WriteExemptions(Writer& w) {
    w.Start("exam_days");
    for (const School& s : schools_) {
      for (const auto& [from, until] : s.exams) {
        const bool mid = from < sem_.last_planned - 30;
        w.Add(s.path, {s.id, DayText(from), DayText(until), std::string(mid ? "期中考试" : "期末考试")});
      }
    }
    w.Start("study_tours");
    for (const Class& c : classes_) {
      if (c.tour_until < c.tour_from) continue;
      w.Add(c.school->path, {c.id, DayText(c.tour_from), DayText(c.tour_until), int64_t{c.tour_approved ? 1 : 0}});
    }
  }

  // Fee and canteen inspections and parent trainings for every semester up
  // to the homework one.
  void WriteSchoolRecords(Writer& w) {
    static const char* kInspectors[] = {"县教育局计划财务股", "县教育局督导室", "县教育局基础教育股",
                                        "县市场监管局、县教育局联合检查组"};
    const int64_t first_county = schools_.empty() ? 0 : schools_.front().county;
    w.Start("inspections");
    std::vector<std::pair<const School*, std::vector<int32_t>>> trainings;
    for (const Semester& sem : semesters_) {
      if (sem.to > sem_.to || sem.days.empty()) continue;
      const std::string from = DayText(sem.from);
      bool sure_fee_one = false, sure_no_full = false, sure_canteen = false, sure_training = false;
      for (const School& s : schools_) {
        const bool first = s.county == first_county;
        auto day = [&] { return sem.days[plan_.Below(sem.days.size())]; };
        auto inspect = [&](const char* kind, const char* mode, std::set<int32_t>& used) {
          int32_t d = day();
          for (int i = 0; i < 10 && used.count(d); ++i) d = day();
          if (used.count(d)) return;
          used.insert(d);
          w.Add(s.path, {s.id, DayText(d), std::string(kind), std::string(mode),
                         std::string(kInspectors[plan_.Below(std::size(kInspectors))])});
        };
        // Fees: a full inspection and a spot check (now and then a second
        // spot check); planted: a single one, or two spot checks.
        std::set<int32_t> fee_days;
        if ((first && !sure_fee_one) || plan_.Chance(0.03)) {
          sure_fee_one = true;
          const bool full = plan_.Chance(0.5);
          inspect("fee", full ? "full" : "spot", fee_days);
          if (!sem.in_progress) summary_.expected["fee-inspections-per-semester"].insert({s.id, from});
          if (!full) if (!sem.in_progress) summary_.expected["fee-full-inspection-per-semester"].insert({s.id, from});
        } else if ((first && !sure_no_full) || plan_.Chance(0.015)) {
          sure_no_full = true;
          inspect("fee", "spot", fee_days);
          inspect("fee", "spot", fee_days);
          if (!sem.in_progress) summary_.expected["fee-full-inspection-per-semester"].insert({s.id, from});
        } else {
          inspect("fee", "full", fee_days);
          inspect("fee", "spot", fee_days);
          if (plan_.Chance(0.2)) inspect("fee", "spot", fee_days);
        }
        // Canteens: one or two checks where there is one; planted: none.
        if (s.canteen) {
          std::set<int32_t> canteen_days;
          if ((first && !sure_canteen) || plan_.Chance(0.04)) {
            sure_canteen = true;
            if (!sem.in_progress) summary_.expected["canteen-inspections-per-semester"].insert({s.id, from});
          } else {
            const int n = 1 + static_cast<int>(plan_.Below(2));
            for (int i = 0; i < n; ++i) inspect("canteen", plan_.Chance(0.3) ? "full" : "spot", canteen_days);
          }
        }
        // Parent trainings: one (a quarter of schools two); planted: none.
        std::vector<int32_t> t;
        if ((first && !sure_training && !s.canteen) || plan_.Chance(0.04)) {
          sure_training = true;
          if (!sem.in_progress) summary_.expected["parent-training-per-semester"].insert({s.id, from});
        } else {
          t.push_back(day());
          if (plan_.Chance(0.25)) {
            const int32_t d2 = day();
            if (d2 != t.front()) t.push_back(d2);
          }
        }
        trainings.push_back({&s, std::move(t)});
      }
    }
    w.Start("parent_trainings");
    for (const auto& [s, days] : trainings) {
      for (int32_t d : days) w.Add(s->path, {s->id, DayText(d), plan_.Between(40, 600)});
    }
  }

  void WriteHomework(Writer& w, const ProgressFn& progress) {
    w.Start("homework");
    const auto& days = sem_.days;
    int32_t week = days.empty() ? 0 : Monday(days.front());
    for (size_t i = 0; i < days.size(); ++i) {
      const int32_t d = days[i];
      if (Monday(d) != week) {
        CloseWeek(week);
        week = Monday(d);
      }
      // 20:00 Asia/Shanghai of the day: when the class's entry comes in.
      const int64_t at = (static_cast<int64_t>(d) * 86400 + 12 * 3600) * 1000000;
      const std::string date = DayText(d);
      for (Class& c : classes_) {
        const bool exam = InExam(*c.school, d);
        const bool on_tour = d >= c.tour_from && d <= c.tour_until;
        const bool exempt = exam || (on_tour && c.tour_approved);
        const bool heavy = c.band == Band::kGrades12
                               ? std::find(c.heavy_days.begin(), c.heavy_days.end(), d) != c.heavy_days.end()
                               : std::find(c.heavy_weeks.begin(), c.heavy_weeks.end(), Monday(d)) !=
                                     c.heavy_weeks.end();
        int64_t minutes = 0;
        if (c.band == Band::kGrades12) {
          minutes = heavy || (exam && c.cram) || on_tour ? daily_.Between(10, 30) : 0;
        } else if (heavy || (exam && c.cram) || on_tour) {
          // Heavy weeks, revision for exams, the tour's written report.
          minutes = c.limit + daily_.Between(10, 50);
        } else {
          minutes = std::clamp<int64_t>(c.base + daily_.Between(-15, 15), 0, c.limit);
        }
        const bool phone = std::find(c.phone_days.begin(), c.phone_days.end(), d) != c.phone_days.end();
        if (minutes > c.limit) {
          if (exempt) ++summary_.exempted_over_limit;
          if (on_tour && !c.tour_approved) ++summary_.unapproved_tour_over_limit;
        }
        if (!exempt) {
          c.week_sum += minutes;
          ++c.week_rows;
          if (c.band == Band::kGrades12 && minutes > 0) {
            summary_.expected["homework-grades-1-2-none"].insert({c.id, date});
          }
        }
        c.week_phone = c.week_phone || phone;
        w.Add(c.school->path, {c.id, date, minutes, int64_t{phone ? 1 : 0}}, at);
      }
      if (!w.status().ok()) return;
      if (progress) progress("homework days", static_cast<int64_t>(i + 1), static_cast<int64_t>(days.size()));
    }
    if (!days.empty()) CloseWeek(week);
  }

 private:
  void AddExam(School& s, int32_t from, int32_t until) { s.exams.push_back({from, until}); }
  bool InExam(const School& school, int32_t d) const {
    for (const School* s = &school; s; s = s->parent >= 0 ? &schools_[static_cast<size_t>(s->parent)] : nullptr) {
      for (const auto& [from, until] : s->exams) {
        if (d >= from && d <= until) return true;
      }
    }
    return false;
  }
  // What the weekly rules must find for the week starting `monday`: judged
  // only when the week has ended by the semester's last day.
  void CloseWeek(int32_t monday) {
    const bool judged = monday + 6 <= sem_.to;
    const std::string start = DayText(monday);
    for (Class& c : classes_) {
      if (judged && c.week_rows > 0 && c.band != Band::kGrades12 && c.week_sum > c.limit * c.week_rows) {
        summary_.expected[c.band == Band::kGrades36 ? "homework-grades-3-6-average" : "homework-grades-7-9-average"]
            .insert({c.id, start});
      }
      if (judged && c.week_phone && registry::IsCompulsory(c.school->stage)) {
        summary_.expected["homework-no-phone"].insert({c.id, start});
      }
      c.week_sum = c.week_rows = 0;
      c.week_phone = false;
    }
  }

  SplitMix64 plan_;
  SplitMix64 daily_;
  std::vector<Semester> semesters_;
  const Semester& sem_;
  std::vector<School> schools_;
  std::vector<Class> classes_;
  SemesterDemoSummary summary_;
};

StatusOr<std::vector<School>> ReadSchools(storage::Connection& conn) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT id, parent_id, kind, stage, path, canteen FROM orgs ORDER BY path"));
  std::unordered_map<int64_t, int64_t> county_of;  // org → its county (in path order parents come first)
  std::unordered_map<int64_t, int> school_at;      // org → its nearest school-or-self index, if any
  std::vector<School> out;
  for (size_t i = 0; i < rs.size(); ++i) {
    const int64_t id = rs.GetInt(i, 0);
    const int64_t parent = rs.IsNull(i, 1) ? 0 : rs.GetInt(i, 1);
    const int64_t county = rs.GetText(i, 2) == "county" ? id : (county_of.count(parent) ? county_of[parent] : 0);
    county_of[id] = county;
    auto up = school_at.find(parent);
    const int parent_school = up == school_at.end() ? -1 : up->second;
    school_at[id] = parent_school;
    if (rs.IsNull(i, 3)) continue;
    std::optional<Stage> stage = registry::ParseStage(rs.GetText(i, 3));
    if (!stage) continue;
    school_at[id] = static_cast<int>(out.size());
    School s;
    s.parent = parent_school;
    s.id = id;
    s.stage = *stage;
    s.path = rs.GetText(i, 4);
    s.canteen = !rs.IsNull(i, 5) && rs.GetInt(i, 5) != 0;
    s.county = county;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

StatusOr<SemesterDemoSummary> GenerateSemesterDemo(storage::Connection& conn, const Clock& clock,
                                                   const SemesterDemoOptions& options, const ProgressFn& progress) {
  ASSIGN_OR_RETURN(std::vector<datasets::DatasetSchema> schemas, datasets::LoadDatasetSchemas(options.policy_path));
  ASSIGN_OR_RETURN(std::vector<Semester> semesters, ReadSemesters(options.policy_path));
  ASSIGN_OR_RETURN(calendar::WorkingCalendar cal, calendar::WorkingCalendar::Load(options.calendar_path));
  // The homework semester: the one named, or the last one begun by `through`.
  std::string wanted = options.semester;
  if (wanted.empty()) {
    for (const Semester& s : semesters) {
      if (options.through && s.from <= options.through->DaysSinceEpoch()) wanted = s.name;
    }
  }
  const Semester* sem = nullptr;
  for (Semester& s : semesters) {
    if (options.through && s.from > options.through->DaysSinceEpoch()) break;  // not begun: no rows
    for (int32_t d = s.from; d <= s.to; ++d) {
      if (!cal.Answers(Date::FromDaysSinceEpoch(d))) {
        if (s.name == wanted) {
          return FailedPreconditionError(
              "demo data: the working calendar does not cover " + DayText(d) + " of semester " + s.name,
              "演示数据：工作日历未覆盖学期 " + s.name + " 的 " + DayText(d));
        }
        s.days.clear();
        break;
      }
      ASSIGN_OR_RETURN(bool working, cal.IsWorkingDay(Date::FromDaysSinceEpoch(d)));
      if (working) s.days.push_back(d);
    }
  }
  for (Semester& s : semesters) {
    if (s.name != wanted) continue;
    sem = &s;
    if (!s.days.empty()) s.last_planned = s.days.back();
    // Cut short at `through`: a semester still running has rows up to that
    // day only (its final exams stay planned after it).
    if (options.through && s.to > options.through->DaysSinceEpoch()) {
      s.to = options.through->DaysSinceEpoch();
      while (!s.days.empty() && s.days.back() > s.to) s.days.pop_back();
      s.in_progress = true;
    }
  }
  if (!sem || sem->days.empty()) {
    return InvalidArgumentError("demo data: the policy pack has no semester '" + wanted + "' with school days",
                                "演示数据：政策包没有含上课日的学期 '" + wanted + "'");
  }
  ASSIGN_OR_RETURN(std::vector<School> schools, ReadSchools(conn));

  std::vector<datasets::DatasetSchema> used;
  for (const auto& [name, columns] : Tables()) {
    RETURN_IF_ERROR(CheckDeclared(schemas, name, columns));
    used.push_back(*datasets::FindDataset(schemas, name));
  }
  RETURN_IF_ERROR(datasets::EnsureDatasetTables(conn, used));

  const Semester sem_copy = *sem;
  Generator g(options.seed, semesters, sem_copy, std::move(schools));
  {
    std::unordered_map<int64_t, const School*> by_id;
    for (const School& s : g.schools()) by_id[s.id] = &s;
    ASSIGN_OR_RETURN(storage::ResultSet crs, conn.Query("SELECT id, school_id, grade FROM classes ORDER BY id"));
    for (size_t i = 0; i < crs.size(); ++i) {
      auto it = by_id.find(crs.GetInt(i, 1));
      const int64_t grade = crs.GetInt(i, 2);
      if (it == by_id.end() || !HomeworkStage(it->second->stage) || grade < 1 || grade > 9) continue;
      Class c;
      c.id = crs.GetInt(i, 0);
      c.school = it->second;
      c.band = grade <= 2 ? Band::kGrades12 : grade <= 6 ? Band::kGrades36 : Band::kGrades79;
      c.limit = c.band == Band::kGrades12 ? 0 : c.band == Band::kGrades36 ? 60 : 90;
      g.classes().push_back(std::move(c));
    }
  }
  g.PlanSchools();
  g.PlanClasses();

  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    for (const auto& [name, columns] : Tables()) {
      ASSIGN_OR_RETURN(storage::ResultSet n, tx.Query("SELECT COUNT(*) FROM ds_" + name));
      if (n.GetInt(0, 0) != 0) {
        return FailedPreconditionError("demo data: ds_" + name + " already has rows",
                                       "演示数据：ds_" + name + " 已有数据");
      }
    }
    Writer w(tx, ToUnixMicros(clock.Now()));
    g.WriteExemptions(w);
    g.WriteSchoolRecords(w);
    g.WriteHomework(w, progress);
    w.Flush();
    RETURN_IF_ERROR(w.status());
    SemesterDemoSummary& s = g.summary();
    s.rows = w.written();
    for (const auto& [name, columns] : Tables()) s.rows.try_emplace(name, 0);
    for (const auto& [name, n] : s.rows) s.total += n;
    nlohmann::json after = s.rows;
    after["seed"] = options.seed;
    after["semester"] = sem_copy.name;
    return ledger::AppendAudit(tx,
                               {.actor_user_id = 0, .actor = "system", .action = "demo.semester",
                                .entity = "datasets", .entity_id = "demo", .before = "", .after = after.dump()},
                               clock);
  }));
  SemesterDemoSummary out = std::move(g.summary());
  out.semester = sem_copy.name;
  out.from = DayText(sem_copy.from);
  out.to = DayText(sem_copy.to);
  out.school_days = static_cast<int>(sem_copy.days.size());
  return out;
}

std::string DescribeSemesterDemo(const SemesterDemoSummary& s) {
  std::string line = "edugov: demo semester " + s.semester + " (" + s.from + " .. " + s.to + ", " +
                     std::to_string(s.school_days) + " school days): " + std::to_string(s.total) + " rows —";
  bool first = true;
  for (const auto& [name, n] : s.rows) {
    line += (first ? " " : ", ") + name + " " + std::to_string(n);
    first = false;
  }
  return line;
}

}  // namespace edugov::demo
