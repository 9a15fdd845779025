// The demo rows of the norms' datasets (dataset_demo.h). The registry is read
// back from the database, so this works over any generated scale; the rows
// are written with BulkInsert in pages of 20,000, all in one transaction. Violation rates are small and fixed (a few per cent), and the
// first county always carries one of each kind, so even a tiny seed-specific
// county shows every clause.
#include "demo/dataset_demo.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/date.h"
#include "common/random.h"
#include "datasets/schema_file.h"
#include "datasets/store.h"
#include "ledger/audit.h"
#include "registry/registry.h"

namespace edugov::demo {
namespace {

using storage::Params;
using storage::Value;

struct Org {
  int64_t id = 0;
  std::string kind;
  std::optional<registry::Stage> stage;
  std::string path;
  int64_t county = 0;  // nearest county ancestor-or-self, 0 if none
};

struct Class {
  int64_t id = 0;
  const Org* school = nullptr;
  int grade = 0;
};

// The datasets written, with the declared columns each row fills (after
// row_id, org_path and submitted_at), in the order Build writes them.
const std::vector<std::pair<std::string, std::vector<std::string>>>& Tables() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kTables = {
      {"salaries", {"org_id", "date", "category", "headcount", "total_pay"}},
      {"school_funds", {"school_id", "date", "public_funds", "equipment_spend"}},
      {"education_funding", {"org_id", "date", "public_spending", "per_student_spending"}},
      {"staffing_hires", {"org_id", "date", "kind", "headcount"}},
      {"school_evaluations", {"school_id", "date", "result", "score"}},
      {"exam_results", {"org_id", "date", "exam", "registered", "sat", "passed", "undergrad_line", "special_line",
                        "scored_600", "city_rank", "top_talent"}},
      {"routine_tests", {"class_id", "date", "subject", "registered", "sat", "passed", "excellent"}},
      {"activity_records", {"class_id", "date", "eye_exercises", "activity_minutes"}},
      {"sports_meets", {"school_id", "date", "kind", "name"}},
      {"project_records", {"org_id", "date", "kind", "quantity", "note"}},
  };
  return kTables;
}

// Writes one dataset at a time through BulkInsert in pages, so a province's
// millions of rows never sit in memory at once. The first error stops the
// writing and is kept for the caller (Build itself cannot fail).
class Builder {
 public:
  // Rows are written as if for the demo year 2025 and moved by `year_shift`
  // years; rows dated after `through` (YYYY-MM-DD, empty: none) are drawn
  // but not written, so the draws — and every other row — stay the same.
  Builder(storage::Connection& tx, uint64_t seed, int64_t submitted_at, int year_shift, std::string through)
      : tx_(tx), rng_(seed ^ 0x6e6f726d73ULL), submitted_at_(submitted_at), year_shift_(year_shift),
        through_(std::move(through)) {}

  std::string Day(int y, int m, int d) const { return Date::FromYmd(y + year_shift_, m, d).ToString(); }

  void Start(const std::string& dataset) {
    Flush();
    dataset_ = dataset;
    next_row_id_ = 1;
    for (const auto& [name, columns] : Tables()) {
      if (name == dataset) columns_ = columns;
    }
    columns_.insert(columns_.begin(), {"row_id", "org_path", "submitted_at"});
  }
  void Add(const std::string& org_path, Params values) {
    // Every dataset here has its date second (after the org or class).
    if (!through_.empty() && values.size() > 1 && std::holds_alternative<std::string>(values[1]) &&
        std::get<std::string>(values[1]) > through_) {
      return;
    }
    Params row{next_row_id_++, org_path, submitted_at_};
    for (auto& v : values) row.push_back(std::move(v));
    rows_.push_back(std::move(row));
    ++written_[dataset_];
    if (rows_.size() >= kPage) Flush();
  }
  void Flush() {
    if (rows_.empty() || !status_.ok()) {
      rows_.clear();
      return;
    }
    status_ = tx_.BulkInsert("ds_" + dataset_, columns_, rows_);
    rows_.clear();
  }
  int64_t Between(int64_t lo, int64_t hi) { return rng_.Between(lo, hi); }
  bool Chance(double p) { return rng_.Chance(p); }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * static_cast<double>(rng_.Below(1000000)) / 1e6; }
  const Status& status() const { return status_; }
  const std::map<std::string, int64_t>& written() const { return written_; }

 private:
  static constexpr size_t kPage = 20000;
  storage::Connection& tx_;
  SplitMix64 rng_;
  int64_t submitted_at_;
  int year_shift_ = 0;
  std::string through_;
  std::string dataset_;
  std::vector<std::string> columns_;
  int64_t next_row_id_ = 1;
  std::vector<Params> rows_;
  std::map<std::string, int64_t> written_;
  Status status_;
};

bool IsSenior(const Org& o) {
  return o.stage == registry::Stage::kSenior || o.stage == registry::Stage::kCompleteSecondary;
}
bool HasJunior(const Org& o) {
  return o.stage == registry::Stage::kJunior || o.stage == registry::Stage::kNineYear ||
         o.stage == registry::Stage::kCompleteSecondary;
}
bool HasPrimary(const Org& o) {
  return o.stage == registry::Stage::kPrimary || o.stage == registry::Stage::kNineYear;
}
bool Compulsory(const Org& o) { return o.stage && registry::IsCompulsory(*o.stage); }
double Round2(double v) { return static_cast<double>(static_cast<int64_t>(v * 100 + 0.5)) / 100; }

StatusOr<std::vector<Org>> ReadOrgs(storage::Connection& conn) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT id, parent_id, kind, stage, path FROM orgs ORDER BY path"));
  std::vector<Org> orgs;
  std::unordered_map<int64_t, size_t> at;
  std::vector<int64_t> parent;
  for (size_t i = 0; i < rs.size(); ++i) {
    Org o;
    o.id = rs.GetInt(i, 0);
    o.kind = rs.GetText(i, 2);
    if (!rs.IsNull(i, 3)) o.stage = registry::ParseStage(rs.GetText(i, 3));
    o.path = rs.GetText(i, 4);
    parent.push_back(rs.IsNull(i, 1) ? 0 : rs.GetInt(i, 1));
    at[o.id] = orgs.size();
    orgs.push_back(std::move(o));
  }
  // In path order a parent precedes its children, so its county is known.
  for (size_t i = 0; i < orgs.size(); ++i) {
    if (orgs[i].kind == "county") {
      orgs[i].county = orgs[i].id;
    } else if (auto it = at.find(parent[i]); it != at.end()) {
      orgs[i].county = orgs[it->second].county;
    }
  }
  return orgs;
}

// The columns this generator fills must be declared as it expects them.
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

void Build(Builder& b, const std::vector<Org>& orgs, const std::vector<Class>& classes) {
  std::vector<const Org*> schools, counties;
  for (const auto& o : orgs) {
    if (o.stage) schools.push_back(&o);
    if (o.kind == "county") counties.push_back(&o);
  }
  const int64_t first_county = counties.empty() ? 0 : counties.front()->id;
  // The first county's first schools of a kind carry the sure violations.
  auto first_of = [&](auto pred) -> const Org* {
    for (const Org* s : schools) if (s->county == first_county && pred(*s)) return s;
    return nullptr;
  };
  const Org* failing_school = first_of([](const Org& o) { return Compulsory(o); });
  const Org* short_equipment = first_of([&](const Org& o) { return Compulsory(o) && &o != failing_school; });
  const Org* substitute_school = first_of([&](const Org& o) { return HasJunior(o); });

  // ---- item 8: pay per unit and month; the first county's teachers fall
  // behind its civil servants in 2025 (a pay rise for civil servants only).
  b.Start("salaries");
  for (const Org* c : counties) {
    const bool behind = c->id == first_county || b.Chance(0.3);
    for (int y : {2024, 2025}) {
      const double civil_avg = y == 2024 ? 7800 : (behind ? 8350 : 7950);
      for (int m = 1; m <= 12; ++m) {
        const int64_t n = 1800 + b.Between(-20, 20);
        b.Add(c->path, {c->id, b.Day(y, m, 1), std::string("civil_servant"), n,
                             Round2(static_cast<double>(n) * civil_avg * b.Uniform(0.99, 1.01))});
      }
    }
    for (const Org* s : schools) {
      if (s->county != c->id || !Compulsory(*s)) continue;
      const int64_t n = b.Between(12, 80);
      for (int y : {2024, 2025}) {
        for (int m = 1; m <= 12; ++m) {
          const double avg = (y == 2024 ? 7850 : 8050) * b.Uniform(0.97, 1.03);
          b.Add(s->path, {s->id, b.Day(y, m, 1), std::string("compulsory_teacher"), n,
                               Round2(static_cast<double>(n) * avg)});
        }
      }
    }
  }

  // ---- item 16: public funds and equipment per school and year.
  b.Start("school_funds");
  for (const Org* s : schools) {
    for (int y : {2024, 2025}) {
      const double public_funds = Round2(static_cast<double>(b.Between(200, 2000)) * 1000);
      const bool short_year = (s == short_equipment && y == 2025) || b.Chance(0.06);
      const double share = short_year ? b.Uniform(0.08, 0.19) : b.Uniform(0.20, 0.32);
      b.Add(s->path, {s->id, b.Day(y, 12, 31), public_funds, Round2(public_funds * share)});
    }
  }

  // ---- item 14: county spending per year; the first county's per-student
  // spending drops in 2025 (enrolment rose faster than the budget).
  b.Start("education_funding");
  for (const Org* c : counties) {
    double total = static_cast<double>(b.Between(90000, 120000));  // 万元
    double per_student = static_cast<double>(b.Between(11000, 14000));
    for (int y : {2023, 2024, 2025}) {
      b.Add(c->path, {c->id, b.Day(y, 12, 31), Round2(total), Round2(per_student)});
      total *= b.Uniform(1.02, 1.06);
      const bool drop = y == 2024 && (c->id == first_county || b.Chance(0.2));
      per_student *= drop ? b.Uniform(0.96, 0.99) : b.Uniform(1.01, 1.05);
    }
  }

  // ---- item 20: hires. The county's 2025 intake on the county org (a few
  // short of 435 — 290 of the 295 funded normal graduates arrived), and
  // substitute teachers hired by a few schools.
  b.Start("staffing_hires");
  for (const Org* c : counties) {
    const std::pair<const char*, int64_t> intake[] = {{"funded_normal", 290}, {"special_post", 133},
                                                      {"shortage_talent", 5}, {"transfer_in", 1},
                                                      {"national_programme", 1}};
    for (const auto& [kind, n] : intake) b.Add(c->path, {c->id, b.Day(2025, 8, 25), std::string(kind), n});
    b.Add(c->path, {c->id, b.Day(2024, 8, 26), std::string("funded_normal"), int64_t{280}});
  }
  for (const Org* s : schools) {
    if (s == substitute_school || b.Chance(0.03)) {
      b.Add(s->path, {s->id, b.Day(2025, 9, 1), std::string("substitute"), b.Between(1, 3)});
    }
  }

  // ---- item 21: annual evaluations 2023–2025; one school of the first
  // county fails 2024 and 2025.
  b.Start("school_evaluations");
  for (const Org* s : schools) {
    for (int y : {2023, 2024, 2025}) {
      const bool fail = (s == failing_school && y >= 2024) || b.Chance(0.05);
      double score = fail ? b.Uniform(40, 59) : b.Uniform(60, 98);
      std::string result = fail ? "fail" : score >= 90 ? "excellent" : score >= 75 ? "good" : "pass";
      b.Add(s->path, {s->id, b.Day(y, 12, 20), result, Round2(score)});
    }
  }

  // ---- item 24: 2025 exam results.
  b.Start("exam_results");
  for (const Org* c : counties) {
    for (const Org* s : schools) {
      if (s->county != c->id) continue;
      if (HasPrimary(*s)) {
        const int64_t sat = b.Between(40, 220);
        b.Add(s->path, {s->id, b.Day(2025, 6, 20), std::string("primary_quality"), sat, sat,
                               static_cast<int64_t>(static_cast<double>(sat) * b.Uniform(0.60, 0.86)),
                               storage::Null(), storage::Null(), storage::Null(), storage::Null(), storage::Null()});
      }
      if (HasJunior(*s)) {
        // The city's combined ranking: the county's schools spread over it,
        // a handful below 150 (the target allows 3), none below 170.
        const int64_t sat = b.Between(60, 400);
        b.Add(s->path, {s->id, b.Day(2025, 6, 22), std::string("zhongkao"), sat, sat, storage::Null(),
                               storage::Null(), storage::Null(), storage::Null(), b.Between(1, 160), storage::Null()});
      }
      if (IsSenior(*s)) {
        const int64_t sat = b.Between(800, 1600);
        b.Add(s->path, {s->id, b.Day(2025, 6, 12), std::string("proficiency"), sat, sat,
                               static_cast<int64_t>(static_cast<double>(sat) * b.Uniform(0.985, 0.999)),
                               storage::Null(), storage::Null(), storage::Null(), storage::Null(), storage::Null()});
        b.Add(s->path, {s->id, b.Day(2025, 6, 25), std::string("gaokao"), sat, sat, storage::Null(),
                               static_cast<int64_t>(static_cast<double>(sat) * b.Uniform(0.60, 0.75)),
                               static_cast<int64_t>(static_cast<double>(sat) * b.Uniform(0.33, 0.45)),
                               static_cast<int64_t>(static_cast<double>(sat) * b.Uniform(0.15, 0.30)),
                               storage::Null(), b.Between(0, 1)});
      }
    }
    // The province's count of scores >= 600, the denominator of the share.
    b.Add(c->path, {c->id, b.Day(2025, 6, 25), std::string("gaokao_province"), storage::Null(),
                           storage::Null(), storage::Null(), storage::Null(), storage::Null(),
                           int64_t{62000}, storage::Null(), storage::Null()});
  }

  // ---- item 29: two routine tests per class (spring and autumn 2025).
  b.Start("routine_tests");
  bool first_low = false;
  for (const Class& c : classes) {
    if (c.grade < 1) continue;
    const std::pair<std::string, std::string> sittings[] = {{b.Day(2025, 4, 16), "数学"}, {b.Day(2025, 11, 12), "语文"}};
    for (const auto& [date, subject] : sittings) {
      const int64_t registered = b.Between(30, 55);
      const int64_t sat = b.Chance(0.005) ? registered - b.Between(3, 6) : registered;
      const bool low = (!first_low && c.school->county == first_county) || b.Chance(0.01);
      first_low = first_low || low;
      const double pass = low ? b.Uniform(0.62, 0.76) : b.Uniform(0.82, 0.97);
      const double excellent = b.Chance(0.015) ? b.Uniform(0.20, 0.35) : b.Uniform(0.42, pass - 0.2);
      b.Add(c.school->path,
            {c.id, date, subject, registered, sat, static_cast<int64_t>(static_cast<double>(sat) * pass + 0.5),
             static_cast<int64_t>(static_cast<double>(sat) * excellent + 0.999)});
    }
  }

  // ---- item 26: one school week (2025-06-09 .. 13) of eye exercises and
  // in-school activity per compulsory class; sports meets per school-year.
  b.Start("activity_records");
  for (const Class& c : classes) {
    if (!Compulsory(*c.school) || c.grade < 1) continue;
    for (int d = 9; d <= 13; ++d) {
      const int64_t eyes = b.Chance(0.004) ? 1 : 2;
      const int64_t minutes = b.Chance(0.006) ? b.Between(25, 55) : b.Between(60, 85);
      b.Add(c.school->path, {c.id, b.Day(2025, 6, d), eyes, minutes});
    }
  }
  b.Start("sports_meets");
  for (const Org* s : schools) {
    for (int y : {2024, 2025}) {
      if (b.Chance(y == 2025 ? 0.12 : 0.08)) continue;  // no meet that year
      const bool festival = b.Chance(0.3);
      b.Add(s->path, {s->id, b.Day(y, b.Chance(0.5) ? 4 : 10, static_cast<int>(b.Between(10, 28))),
                             std::string(festival ? "sports_festival" : "sports_meet"),
                             std::string(festival ? "校园体育节" : "综合性学生运动会")});
    }
  }

  // ---- items 15, 16, 19: what each county completed in 2025 (some short).
  b.Start("project_records");
  struct Done { const char* kind; int m, d; int64_t lo, hi; const char* note; };
  const Done done[] = {
      {"teaching_point_merged", 7, 30, 4, 4, "撤并教学点"},
      {"project_in_use", 8, 28, 1, 2, "大福镇完小、平口镇中学"},
      {"it_exam_site", 2, 20, 29, 29, "信息科技水平考试考点"},
      {"biology_exam_room", 2, 26, 5, 6, "生物实验操作考试考场"},
      {"physics_chemistry_exam_room", 10, 15, 6, 10, "理化实验操作考试考场"},
      {"multimedia_set_replaced", 8, 20, 60, 88, "多媒体教学设备更新"},
      {"special_ed_resource_room", 9, 1, 1, 2, "特殊教育资源教室"},
      {"new_quality_primary", 11, 20, 2, 3, "新优质小学"},
      {"new_quality_junior", 11, 20, 2, 2, "新优质初中"},
      {"science_experimental_school", 12, 10, 2, 3, "科学教育实验学校"},
      {"city_badminton_school", 11, 5, 0, 1, "市级羽毛球项目重点特色校"},
      {"city_featured_high_school", 12, 15, 1, 1, "市级特色高中"},
  };
  for (const Org* c : counties) {
    for (const Done& x : done) {
      b.Add(c->path, {c->id, b.Day(2025, x.m, x.d), std::string(x.kind), b.Between(x.lo, x.hi),
                                std::string(x.note)});
    }
  }
}

}  // namespace

StatusOr<DatasetDemoSummary> GenerateDatasetDemo(storage::Connection& conn, const Clock& clock,
                                                 const std::string& policy_path, uint64_t seed, int year,
                                                 std::optional<Date> through) {
  ASSIGN_OR_RETURN(std::vector<datasets::DatasetSchema> schemas, datasets::LoadDatasetSchemas(policy_path));
  ASSIGN_OR_RETURN(std::vector<Org> orgs, ReadOrgs(conn));
  std::unordered_map<int64_t, const Org*> by_id;
  for (const auto& o : orgs) by_id[o.id] = &o;
  ASSIGN_OR_RETURN(storage::ResultSet crs, conn.Query("SELECT id, school_id, grade FROM classes ORDER BY id"));
  std::vector<Class> classes;
  for (size_t i = 0; i < crs.size(); ++i) {
    auto it = by_id.find(crs.GetInt(i, 1));
    if (it == by_id.end()) continue;
    classes.push_back({crs.GetInt(i, 0), it->second, static_cast<int>(crs.GetInt(i, 2))});
  }
  std::vector<datasets::DatasetSchema> used;
  for (const auto& [name, columns] : Tables()) {
    RETURN_IF_ERROR(CheckDeclared(schemas, name, columns));
    used.push_back(*datasets::FindDataset(schemas, name));
  }
  RETURN_IF_ERROR(datasets::EnsureDatasetTables(conn, used));
  DatasetDemoSummary summary;
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    for (const auto& [name, columns] : Tables()) {
      ASSIGN_OR_RETURN(storage::ResultSet n, tx.Query("SELECT COUNT(*) FROM ds_" + name));
      if (n.GetInt(0, 0) != 0) {
        return FailedPreconditionError("demo data: ds_" + name + " already has rows",
                                       "演示数据：ds_" + name + " 已有数据");
      }
    }
    Builder b(tx, seed, ToUnixMicros(clock.Now()), year - 2025, through ? through->ToString() : std::string());
    Build(b, orgs, classes);
    b.Flush();
    RETURN_IF_ERROR(b.status());
    summary.rows = b.written();
    for (const auto& [name, n] : summary.rows) summary.total += n;
    nlohmann::json after = summary.rows;
    after["seed"] = seed;
    return ledger::AppendAudit(tx,
                               {.actor_user_id = 0, .actor = "system", .action = "demo.datasets",
                                .entity = "datasets", .entity_id = "demo", .before = "", .after = after.dump()},
                               clock);
  }));
  return summary;
}

}  // namespace edugov::demo
