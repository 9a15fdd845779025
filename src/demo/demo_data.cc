// The demo generator. Ids are assigned here (the database is empty), so
// paths are built without round trips and every table is written with
// BulkInsert, one county at a time, inside a single transaction.
#include "demo/demo_data.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "common/random.h"
#include "demo/county_spec.h"
#include "ledger/audit.h"
#include "registry/registry.h"

namespace edugov::demo {

using registry::Stage;
using storage::Params;
using storage::Value;

std::optional<Scale> ParseScale(std::string_view text) {
  if (text == "county") return Scale::kCounty;
  if (text == "city") return Scale::kCity;
  if (text == "province") return Scale::kProvince;
  return std::nullopt;
}

std::string_view ScaleName(Scale scale) {
  switch (scale) {
    case Scale::kCounty: return "county";
    case Scale::kCity: return "city";
    case Scale::kProvince: return "province";
  }
  return "?";
}

namespace {

constexpr int kDaysPerYear = 365;

std::string TwoDigits(int64_t n) {
  std::string s = std::to_string(n);
  return s.size() < 2 ? "0" + s : s;
}

std::string Replace(std::string text, std::string_view key, std::string_view value) {
  for (size_t at; (at = text.find(key)) != std::string::npos;) text.replace(at, key.size(), value);
  return text;
}

// Draws from SplitMix64 only (random.h: std:: distributions differ between
// standard libraries, and the data must repeat everywhere).
class Dice {
 public:
  explicit Dice(uint64_t seed) : rng_(seed) {}
  int64_t In(const Range& r) { return rng_.Between(r.first, r.second); }
  int64_t Between(int64_t lo, int64_t hi) { return rng_.Between(lo, hi); }
  bool Percent(int64_t p) { return static_cast<int64_t>(rng_.Below(100)) < p; }
  uint64_t Below(uint64_t n) { return rng_.Below(n); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[rng_.Below(v.size())]; }
  const std::string& Weighted(const std::vector<std::pair<std::string, int64_t>>& w) {
    int64_t total = 0;
    for (const auto& [name, weight] : w) total += weight;
    int64_t x = static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(std::max<int64_t>(total, 1))));
    for (const auto& [name, weight] : w) {
      if (x < weight) return name;
      x -= weight;
    }
    return w.back().first;
  }

 private:
  SplitMix64 rng_;
};

struct SchoolRef {
  int64_t id = 0;
  bool rural = false;
};

// A school being generated, before its classes and staff.
struct PlannedSchool {
  int64_t id = 0;
  std::string code, name, path;
  Stage stage = Stage::kPrimary;
  bool rural = false, central = false, large = false;
  bool party_branch = false;
};

class Generator {
 public:
  Generator(storage::Connection& tx, const CountySpec& spec, const Clock& clock, uint64_t seed)
      : tx_(tx), spec_(spec), seed_(seed), now_us_(ToUnixMicros(clock.Now())),
        today_(registry::ChinaDate(clock.Now())) {}

  DemoSummary& summary() { return summary_; }

  // The root and everything below it.
  Status Run(Scale scale, const ProgressFn& progress) {
    int64_t total_counties = 1;
    if (scale == Scale::kCity) total_counties = spec_.city_counties;
    if (scale == Scale::kProvince) total_counties = spec_.province_counties;
    progress_ = progress;
    total_counties_ = total_counties;
    switch (scale) {
      case Scale::kCounty:
        return County(std::nullopt, "/", 0);
      case Scale::kCity: {
        const int64_t id = AddOrg(std::nullopt, "/", "city", spec_.city_code, spec_.city_name,
                                  std::nullopt, {});
        return City(id, "/" + std::to_string(id) + "/", spec_.city_code, spec_.city_counties, true);
      }
      case Scale::kProvince: {
        const int64_t root = AddOrg(std::nullopt, "/", "province", spec_.province_code,
                                    spec_.province_name, std::nullopt, {});
        const std::string root_path = "/" + std::to_string(root) + "/";
        const int64_t cities = std::max<int64_t>(spec_.province_cities, 1);
        for (int64_t c = 0; c < cities; ++c) {
          const int64_t n = spec_.province_counties / cities +
                            (c < spec_.province_counties % cities ? 1 : 0);
          std::string code = spec_.city_code, name = spec_.city_name;
          if (c > 0) {
            code = spec_.province_code.substr(0, 2) + TwoDigits(60 + c) + "00";
            name = Replace(spec_.synthetic_city_name, "{nn}", TwoDigits(c + 1));
          }
          const int64_t id = AddOrg(root, root_path, "city", code, name, std::nullopt, {});
          RETURN_IF_ERROR(City(id, root_path + std::to_string(id) + "/", code, n, c == 0));
        }
        return OkStatus();
      }
    }
    return OkStatus();
  }

 private:
  struct Flags {
    bool rural = false, boarding = false, standardised = false, canteen = false, party = false;
  };

  Status City(int64_t city_id, const std::string& city_path, const std::string& city_code,
              int64_t counties, bool with_real_county) {
    for (int64_t k = 0; k < counties; ++k) {
      if (k == 0 && with_real_county) {
        RETURN_IF_ERROR(County(city_id, city_path, 0));
      } else {
        RETURN_IF_ERROR(County(city_id, city_path, ++synthetic_counties_, city_code.substr(0, 4) +
                                                                            TwoDigits(50 + k)));
      }
    }
    return OkStatus();
  }

  int64_t AddOrg(std::optional<int64_t> parent, const std::string& parent_path,
                 std::string_view kind, const std::string& code, const std::string& name,
                 std::optional<Stage> stage, const Flags& f) {
    const int64_t id = next_org_++;
    Hash(code);
    Hash(name);
    org_rows_.push_back(Params{
        id, parent ? Value(*parent) : storage::Null(), std::string(kind), code, name,
        parent_path + std::to_string(id) + "/",
        stage ? Value(std::string(registry::StageName(*stage))) : storage::Null(),
        int64_t{f.rural}, int64_t{f.boarding}, int64_t{f.standardised}, int64_t{f.canteen},
        int64_t{f.party}, int64_t{1}, now_us_, now_us_});
    ++summary_.orgs;
    if (kind == "county") ++summary_.counties;
    if (kind == "township") ++summary_.townships;
    if (stage) {
      ++summary_.schools;
      if (registry::IsCompulsory(*stage)) ++summary_.compulsory_schools;
    }
    return id;
  }

  // `synthetic_index` 0 is the county of the YAML itself; n > 0 the n-th
  // synthetic county, built from the same template with its own stream.
  Status County(std::optional<int64_t> parent, const std::string& parent_path,
                int64_t synthetic_index, std::string synthetic_code = {}) {
    Dice dice(seed_ ^ (0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(synthetic_index + 1)));
    const bool real = synthetic_index == 0;
    const std::string short_name =
        real ? spec_.county_short_name
             : Replace(spec_.synthetic_county_name, "{nn}", TwoDigits(synthetic_index));
    const std::string code = real ? spec_.county_code : synthetic_code;
    const std::string name = real ? spec_.county_name : short_name + "教育局";
    const int64_t county_id = AddOrg(parent, parent_path, "county", code, name, std::nullopt, {});
    const std::string county_path = parent_path + std::to_string(county_id) + "/";
    int64_t school_seq = 0;
    auto next_code = [&] {
      const std::string n = std::to_string(++school_seq);
      return code + std::string(n.size() < 3 ? 3 - n.size() : 0, '0') + n;
    };

    // Townships: the template itself, or a scaled, renamed copy.
    std::vector<TownshipSpec> townships = spec_.townships;
    std::set<std::string> without(spec_.without_standard_boarding.begin(),
                                  spec_.without_standard_boarding.end());
    std::set<std::string> used_names;
    if (!real) {
      const int64_t n = dice.In(spec_.synthetic_townships);
      const int64_t size = dice.In(spec_.synthetic_size_percent);
      townships.clear();
      for (int64_t i = 0; i < n; ++i) {
        TownshipSpec t = spec_.townships[static_cast<size_t>(i) % spec_.townships.size()];
        t.urban = i < spec_.synthetic_urban_townships;
        t.schools = std::max<int64_t>(1, (t.schools * size + 50) / 100);
        t.name = UniquePlace(dice, used_names) + (dice.Percent(80) ? "镇" : "乡");
        townships.push_back(t);
      }
      without.clear();
      const int64_t k = dice.In(spec_.synthetic_without_boarding);
      for (int64_t i = 0; i < k; ++i) {
        without.insert(townships[townships.size() - 1 - static_cast<size_t>(i)].name);
      }
    }

    std::vector<PlannedSchool> schools;
    std::set<std::string> school_names;
    const auto& pct = spec_.percent;
    for (const TownshipSpec& t : townships) {
      const bool standard_boarding = !without.count(t.name);
      Flags cf{!t.urban, !t.urban || standard_boarding, standard_boarding, true, true};
      if (!standard_boarding) cf.standardised = false;
      PlannedSchool central;
      central.code = next_code();
      central.name = t.name + "中心学校";
      central.stage = registry::ParseStage(t.central_stage).value_or(Stage::kNineYear);
      central.rural = !t.urban;
      central.central = true;
      central.party_branch = true;
      central.id = AddOrg(county_id, county_path, "township", central.code, central.name,
                          central.stage, cf);
      const std::string township_path = county_path + std::to_string(central.id) + "/";
      central.path = township_path;
      schools.push_back(central);
      school_names.insert(central.name);

      std::vector<PlannedSchool> mine;
      if (real) {
        for (const NamedSchoolSpec& n : spec_.named_schools) {
          if (n.township != t.name) continue;
          PlannedSchool s;
          s.name = n.name;
          s.stage = registry::ParseStage(n.stage).value_or(Stage::kPrimary);
          s.large = n.large;
          mine.push_back(s);
        }
      }
      while (static_cast<int64_t>(mine.size()) < t.schools) {
        PlannedSchool s;
        s.stage = registry::ParseStage(dice.Weighted(spec_.stage_weights)).value_or(Stage::kPrimary);
        const std::string place = UniquePlace(dice, used_names);
        s.name = place + (s.stage == Stage::kPrimary ? (dice.Percent(50) ? "小学" : "完小")
                          : s.stage == Stage::kJunior ? "中学"
                                                      : "学校");
        mine.push_back(s);
      }
      for (PlannedSchool& s : mine) {
        s.rural = !t.urban;
        Flags f;
        f.rural = s.rural;
        f.boarding = s.rural && dice.Percent(pct.at("rural_boarding"));
        // In a township left without a standardised boarding school, no
        // school may be both (the policy rule must find the gap).
        f.standardised = f.boarding && standard_boarding && dice.Percent(pct.at("standardised"));
        f.canteen = f.boarding || dice.Percent(pct.at("canteen"));
        f.party = dice.Percent(pct.at("party_branch"));
        s.party_branch = f.party;
        s.code = next_code();
        s.id = AddOrg(central.id, township_path, "school", s.code, s.name, s.stage, f);
        s.path = township_path + std::to_string(s.id) + "/";
        schools.push_back(s);
      }
    }
    for (const CountySchoolSpec& c : spec_.county_schools) {
      PlannedSchool s;
      s.name = real ? c.name : Replace(c.synthetic_name, "{county}", short_name);
      s.stage = registry::ParseStage(c.stage).value_or(Stage::kSenior);
      s.code = next_code();
      s.party_branch = s.stage != Stage::kKindergarten;
      Flags f{false, s.stage == Stage::kSenior, s.stage == Stage::kSenior, true, s.party_branch};
      s.id = AddOrg(county_id, county_path, "school", s.code, s.name, s.stage, f);
      schools.push_back(s);
    }

    std::vector<SchoolRef> rural_pool, urban_pool;
    for (const PlannedSchool& s : schools) {
      (s.rural ? rural_pool : urban_pool).push_back({s.id, s.rural});
    }
    int64_t staff_seq = 0;
    for (const PlannedSchool& s : schools) {
      const int64_t classes = Classes(dice, s);
      StaffFor(dice, s, classes, code, staff_seq, rural_pool, urban_pool);
    }
    RETURN_IF_ERROR(Flush());
    if (progress_) progress_("counties", ++counties_done_, total_counties_);
    return OkStatus();
  }

  std::string UniquePlace(Dice& dice, std::set<std::string>& used) {
    for (int attempt = 0;; ++attempt) {
      std::string name = dice.Pick(spec_.place_syllables) + dice.Pick(spec_.place_syllables);
      if (attempt > 20) name += dice.Pick(spec_.place_syllables);
      if (used.insert(name).second) return name;
    }
  }

  // Adds the school's classes; returns how many.
  int64_t Classes(Dice& dice, const PlannedSchool& s) {
    std::string per_grade = s.rural ? "rural" : "urban";
    std::string size = s.rural ? "rural" : "urban";
    if (s.central) {
      per_grade = s.rural ? "rural_central" : "urban_central";
      size = s.rural ? "rural_central" : "urban";
    }
    if (s.large) per_grade = "large";
    if (s.stage == Stage::kSenior || s.stage == Stage::kCompleteSecondary) per_grade = size = "senior";
    if (s.stage == Stage::kVocational) {
      per_grade = "vocational";
      size = "senior";
    }
    if (s.stage == Stage::kKindergarten) per_grade = size = "kindergarten";
    auto [lo, hi] = registry::GradeRange(s.stage);
    int64_t n = 0;
    for (int grade = lo; grade <= hi; ++grade) {
      const int64_t count = dice.In(spec_.classes_per_grade.at(per_grade));
      for (int64_t k = 1; k <= count; ++k) {
        const std::string name = GradeLabel(grade) + std::to_string(k) + "班";
        const int64_t students = dice.In(spec_.class_size.at(size));
        Hash(name);
        class_rows_.push_back(Params{next_class_++, s.id, int64_t{grade}, name, students,
                                     int64_t{1}, now_us_, now_us_});
        summary_.students += students;
        ++n;
      }
    }
    summary_.classes += n;
    return n;
  }

  static std::string GradeLabel(int grade) {
    static const char* kNumerals[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (grade <= 0) return std::string(grade == -2 ? "小" : grade == -1 ? "中" : "大") + "班";
    if (grade >= 10) return std::string("高") + kNumerals[grade - 10];
    return std::string(kNumerals[grade - 1]) + "年级";
  }

  std::string PersonName(Dice& dice) {
    std::string name = dice.Pick(spec_.surnames) + dice.Pick(spec_.given_chars);
    if (dice.Percent(65)) name += dice.Pick(spec_.given_chars);
    return name;
  }

  void StaffFor(Dice& dice, const PlannedSchool& s, int64_t classes, const std::string& county_code,
                int64_t& seq, const std::vector<SchoolRef>& rural_pool,
                const std::vector<SchoolRef>& urban_pool) {
    const auto& pct = spec_.percent;
    const int64_t n = std::max(spec_.min_staff_per_school,
                               classes * dice.In(spec_.staff_per_class_permille) / 1000);
    const bool same_secretary = s.party_branch && dice.Percent(pct.at("same_secretary"));
    const int64_t vice = n > 20 ? 2 : n > 8 ? 1 : 0;
    int64_t vice_assigned = 0;
    for (int64_t i = 0; i < n; ++i) {
      std::vector<std::string> posts;
      bool leader = false;
      if (i == 0) {
        posts.push_back("principal");
        if (same_secretary) posts.push_back("party_secretary");
        leader = true;
      } else if (i == 1 && s.party_branch && !same_secretary) {
        posts.push_back("party_secretary");
        leader = true;
      } else if (vice_assigned < vice) {
        posts.push_back("vice_principal");
        ++vice_assigned;
      }
      std::string hire = dice.Weighted(spec_.hire_kind_weights);
      if (posts.empty()) {
        if (dice.Percent(pct.at("substitute_teacher"))) {
          posts.push_back("substitute_teacher");
          hire = "substitute";
        } else if (dice.Percent(pct.at("support_staff"))) {
          posts.push_back("staff");
        } else {
          posts.push_back("teacher");
        }
      }
      const int64_t id = next_staff_++;
      const std::string code = county_code + std::string(5 - std::min<size_t>(5, std::to_string(seq + 1).size()), '0') +
                               std::to_string(seq + 1);
      ++seq;
      const std::string name = PersonName(dice);
      Hash(code);
      Hash(name);
      const bool male = dice.Percent(leader ? pct.at("male_leader") : pct.at("male_teacher"));
      const int64_t years = dice.In(leader ? spec_.leader_career_years : spec_.career_years);
      const Date hired = today_.AddDays(-static_cast<int32_t>(years * kDaysPerYear + dice.Below(kDaysPerYear)));
      const Date born = hired.AddDays(-static_cast<int32_t>(dice.Between(21, 25) * kDaysPerYear +
                                                            dice.Below(kDaysPerYear)));
      staff_rows_.push_back(Params{id, s.id, code, name, std::string(male ? "male" : "female"),
                                   born.ToString(), hired.ToString(), hire, int64_t{1}, int64_t{1},
                                   now_us_, now_us_});
      for (const std::string& p : posts) post_rows_.push_back(Params{id, p});
      Postings(dice, id, s, hired, leader, rural_pool, urban_pool);
      ++summary_.staff;
    }
  }

  void AddPosting(int64_t staff_id, const SchoolRef& org, Date start, std::optional<Date> end) {
    posting_rows_.push_back(Params{next_posting_++, staff_id, org.id, start.ToString(),
                                   end ? Value(end->ToString()) : storage::Null(),
                                   int64_t{org.rural}, now_us_});
    ++summary_.postings;
  }

  // A career from `hired` to today ending at the current school. Leaders
  // (principals, secretaries) are drawn compliant with plan item 21 (>= 3
  // rural years) at the YAML's rate; others move between random schools.
  void Postings(Dice& dice, int64_t staff_id, const PlannedSchool& s, Date hired, bool leader,
                const std::vector<SchoolRef>& rural_pool, const std::vector<SchoolRef>& urban_pool) {
    const SchoolRef current{s.id, s.rural};
    const int32_t career = today_.DaysSinceEpoch() - hired.DaysSinceEpoch();
    constexpr int32_t kThreeYears = 3 * 365 + 30;  // safely past 3 * 365.25 days
    auto pick = [&](bool rural) -> SchoolRef {
      const auto& pool = rural ? rural_pool : urban_pool;
      const auto& other = rural ? urban_pool : rural_pool;
      return pool.empty() ? dice.Pick(other) : dice.Pick(pool);
    };
    if (!leader) {
      const int64_t moves = career > 8 * 365 ? dice.Between(0, 2) : career > 3 * 365 ? dice.Between(0, 1) : 0;
      std::vector<int32_t> cuts;
      for (int64_t i = 0; i < moves; ++i) {
        cuts.push_back(hired.DaysSinceEpoch() + 180 + static_cast<int32_t>(dice.Below(static_cast<uint64_t>(career - 360))));
      }
      std::sort(cuts.begin(), cuts.end());
      cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
      Date start = hired;
      for (int32_t cut : cuts) {
        const Date end = Date::FromDaysSinceEpoch(cut);
        AddPosting(staff_id, pick(dice.Percent(70)), start, end);
        start = end;
      }
      AddPosting(staff_id, current, start, std::nullopt);
      return;
    }
    const bool compliant = dice.Percent(spec_.percent.at("leader_rural_compliant"));
    if (compliant) {
      // The current posting lasts 1..8 years, leaving >= 3.2 years before it.
      const int32_t max_current = std::max<int32_t>(365, std::min<int32_t>(8 * 365, career - kThreeYears - 60));
      const int32_t current_len = static_cast<int32_t>(dice.Between(365, max_current));
      const Date current_start = today_.AddDays(-current_len);
      if (current.rural && current_len >= kThreeYears) {
        AddPosting(staff_id, pick(dice.Percent(70)), hired, current_start);
      } else {
        AddPosting(staff_id, pick(true), hired, current_start);
      }
      AddPosting(staff_id, current, current_start, std::nullopt);
      return;
    }
    // Not compliant: under 3 rural years in total.
    if (current.rural) {
      const int32_t current_len = static_cast<int32_t>(dice.Between(90, 2 * 365 + 180));
      const Date current_start = today_.AddDays(-current_len);
      if (career > current_len + 30) AddPosting(staff_id, pick(false), hired, current_start);
      AddPosting(staff_id, current, current_start.DaysSinceEpoch() < hired.DaysSinceEpoch() ? hired : current_start,
                 std::nullopt);
    } else {
      const int32_t current_len = static_cast<int32_t>(dice.Between(365, std::max<int32_t>(365, career - 30)));
      const Date current_start = today_.AddDays(-current_len);
      if (current_start > hired) AddPosting(staff_id, pick(false), hired, current_start);
      AddPosting(staff_id, current, std::max(current_start, hired), std::nullopt);
    }
  }

  Status Flush() {
    static const std::vector<std::string> kOrgCols = {
        "id", "parent_id", "kind", "code", "name", "path", "stage", "rural", "boarding",
        "standardised", "canteen", "party_branch", "synthetic", "created_at", "updated_at"};
    static const std::vector<std::string> kClassCols = {
        "id", "school_id", "grade", "name", "students", "synthetic", "created_at", "updated_at"};
    static const std::vector<std::string> kStaffCols = {
        "id", "org_id", "code", "name", "gender", "birth_date", "hired_on", "hire_kind",
        "active", "synthetic", "created_at", "updated_at"};
    static const std::vector<std::string> kPostCols = {"staff_id", "post"};
    static const std::vector<std::string> kPostingCols = {
        "id", "staff_id", "org_id", "start_date", "end_date", "rural", "created_at"};
    RETURN_IF_ERROR(tx_.BulkInsert("orgs", kOrgCols, org_rows_));
    RETURN_IF_ERROR(tx_.BulkInsert("classes", kClassCols, class_rows_));
    RETURN_IF_ERROR(tx_.BulkInsert("staff", kStaffCols, staff_rows_));
    RETURN_IF_ERROR(tx_.BulkInsert("staff_posts", kPostCols, post_rows_));
    RETURN_IF_ERROR(tx_.BulkInsert("staff_postings", kPostingCols, posting_rows_));
    org_rows_.clear();
    class_rows_.clear();
    staff_rows_.clear();
    post_rows_.clear();
    posting_rows_.clear();
    return OkStatus();
  }

 public:
  // Orgs of the root levels (province, city) are buffered before the first
  // county flushes them; the final flush catches anything left.
  Status Finish() { return Flush(); }

 private:
  void Hash(std::string_view s) {
    for (unsigned char c : s) {
      summary_.checksum ^= c;
      summary_.checksum *= 0x100000001b3ULL;
    }
    summary_.checksum ^= 0xff;  // separator, so "ab"+"c" differs from "a"+"bc"
    summary_.checksum *= 0x100000001b3ULL;
  }

  storage::Connection& tx_;
  const CountySpec& spec_;
  const uint64_t seed_;
  const int64_t now_us_;
  const Date today_;
  ProgressFn progress_;
  int64_t total_counties_ = 1, counties_done_ = 0, synthetic_counties_ = 0;
  int64_t next_org_ = 1, next_class_ = 1, next_staff_ = 1, next_posting_ = 1;
  std::vector<Params> org_rows_, class_rows_, staff_rows_, post_rows_, posting_rows_;
  DemoSummary summary_{.checksum = 0xcbf29ce484222325ULL};
};

}  // namespace

StatusOr<DemoSummary> GenerateDemoData(storage::Connection& conn, const Clock& clock,
                                       const std::string& county_yaml_path, Scale scale,
                                       uint64_t seed, const ProgressFn& progress) {
  ASSIGN_OR_RETURN(CountySpec spec, LoadCountySpec(county_yaml_path));
  DemoSummary summary;
  Status s = storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::ResultSet existing, tx.Query("SELECT COUNT(*) FROM orgs"));
    if (existing.GetInt(0, 0) > 0) {
      return FailedPreconditionError(
          "database already has data; demo data goes only into an empty database",
          "数据库中已有数据，示例数据只能生成到空数据库中");
    }
    Generator gen(tx, spec, clock, seed);
    RETURN_IF_ERROR(gen.Run(scale, progress));
    RETURN_IF_ERROR(gen.Finish());
    summary = gen.summary();
    if (tx.backend() == storage::Backend::kPostgres) {
      // Ids were assigned here; move the identity sequences past them so
      // rows created later through the API do not collide.
      for (const char* table : {"orgs", "classes", "staff", "staff_postings"}) {
        RETURN_IF_ERROR(tx.Query(std::string("SELECT setval(pg_get_serial_sequence('") + table +
                                 "', 'id'), COALESCE((SELECT MAX(id) FROM " + table + "), 1))"));
      }
    }
    nlohmann::json after = {{"scale", ScaleName(scale)},
                            {"seed", seed},
                            {"orgs", summary.orgs},
                            {"counties", summary.counties},
                            {"townships", summary.townships},
                            {"schools", summary.schools},
                            {"compulsory_schools", summary.compulsory_schools},
                            {"classes", summary.classes},
                            {"students", summary.students},
                            {"staff", summary.staff},
                            {"postings", summary.postings}};
    return ledger::AppendAudit(tx,
                               {.actor_user_id = 0,
                                .actor = "system",
                                .action = "demo.generate",
                                .entity = "registry",
                                .entity_id = std::string(ScaleName(scale)),
                                .before = "",
                                .after = after.dump()},
                               clock);
  });
  RETURN_IF_ERROR(s);
  return summary;
}

}  // namespace edugov::demo
