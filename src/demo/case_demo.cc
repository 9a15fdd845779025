// The year is simulated as a time-ordered queue of actions: each case's life
// is planned when it opens (when it is dispatched, answered, verified …) and
// every step runs at its own instant with the clock set there, so timelines,
// deadlines, reminders and the audit log are all in order. Steps planned
// after the last day never run: the cases opened late in the year stay in
// the states they had reached, as real ones would.
#include "demo/case_demo.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/random.h"

namespace edugov::demo {
namespace {

constexpr int64_t kHourUs = INT64_C(3600) * 1000000;
constexpr int64_t kDayUs = 24 * kHourUs;
constexpr int64_t kChinaOffsetUs = 8 * kHourUs;

// The year, in China time, of an instant: a sanction's 一票否决 year is the
// year it is decided in.
int ChinaYear(TimePoint t) {
  return Date::FromDaysSinceEpoch(static_cast<int32_t>((ToUnixMicros(t) + kChinaOffsetUs) / kDayUs)).year();
}
int64_t DayStart(Date d) { return static_cast<int64_t>(d.DaysSinceEpoch()) * kDayUs - kChinaOffsetUs; }

struct School {
  int64_t id = 0;
  std::string path;
  std::string name;
  bool is_township = false;  // a township's central school (acts as the township)
  int64_t township_id = 0;  // 0: directly under the county
  std::string township_path;
  int64_t students = 0;
  std::vector<int64_t> teachers;
  double weight = 1;   // share of complaints in the first half
  double weight2 = 1;  // … and in the second (a few schools get worse)
};

// Category mix of complaints (per mille) and which peak at term start.
struct Category {
  const char* key;
  int weight;
  bool term_start_peak;
  std::vector<const char*> texts;
};

const std::vector<Category>& Categories() {
  static const std::vector<Category> c = {
      {"meals", 220, true,
       {"食堂饭菜分量不足，孩子说经常吃不饱", "学校食堂的菜有异味，孩子吃完肚子不舒服", "营养餐标准是每天 5 元，实际饭菜明显不值",
        "食堂卫生差，餐具没有消毒，有苍蝇", "校园餐只有一个素菜，连续一周没有肉"}},
      {"illegal_fees", 150, true,
       {"班主任要求每人交班费 200 元，没有公示用途", "开学收取资料费 150 元，没有开收据", "学校收取空调使用费，每学期 100 元",
        "要求交补课费和晚自习管理费", "班级家委会收取‘班级建设费’300 元"}},
      {"paid_tutoring", 120, false,
       {"数学老师周末在家办补习班，每节课收 80 元", "老师暗示不去他的辅导班就不给孩子讲题", "暑假老师组织有偿补课，每人 1200 元",
        "英语老师在校外培训机构兼职授课"}},
      {"uniforms", 80, true,
       {"校服必须在指定商店买，价格比外面贵一倍", "一年内要求买三套校服，家庭负担重", "校服质量很差，洗一次就掉色起球"}},
      {"milk", 60, true,
       {"学生奶要求统一订购，不订的孩子被点名", "学生奶临近保质期才发下来", "学生奶价格比超市贵，还说是自愿其实是强制"}},
      {"corporal_punishment", 90, false,
       {"老师用戒尺打学生手心，手都肿了", "班主任在全班面前辱骂孩子‘笨得像猪’", "老师罚孩子在走廊站了一整节课",
        "体育老师让没完成任务的学生跑二十圈"}},
      {"forced_purchase", 70, true,
       {"老师要求统一购买指定的教辅资料，每本 45 元", "学校要求每人买一个平板电脑上网课", "要求统一订购某品牌的练习本和文具"}},
      {"parent_group", 60, false,
       {"家长群里老师要求家长批改作业并拍照上传", "家长群里公布孩子的考试排名", "家委会在群里摊派给老师送礼的钱"}},
      {"app_quota", 80, false,
       {"每天要在三个 APP 上打卡，家长下班还要陪着拍视频", "学校要求下载安全教育 APP 并完成答题，层层排名", "要求家长给学校公众号文章点赞转发"}},
      {"other", 70, false,
       {"放学时间太早，家长接不到孩子", "校车超载，一辆车坐了二十多个孩子", "学校周边的小卖部卖三无零食", "冬天教室没有暖气，孩子冻得写不了字"}},
  };
  return c;
}

// Complaints per month (relative): quiet in the winter and summer holidays,
// peaks at the start of each term.
constexpr int kMonthWeight[12] = {6, 4, 14, 9, 8, 8, 3, 4, 15, 9, 8, 7};

template <typename T>
const T& Pick(SplitMix64& rng, const std::vector<T>& v) {
  return v[rng.Below(v.size())];
}

// A working-hours instant on `day` (08:00–18:00 China time).
int64_t WorkingTime(SplitMix64& rng, Date day) {
  // Weekends still get complaints from the public; staff act on weekdays.
  return DayStart(day) + 8 * kHourUs + static_cast<int64_t>(rng.Below(10 * 3600)) * 1000000;
}

// The next weekday at or after `us` plus `days` days, at a working hour.
int64_t StaffTime(SplitMix64& rng, int64_t us, int days) {
  Date d = Date::FromDaysSinceEpoch(static_cast<int32_t>((us + kChinaOffsetUs) / kDayUs)).AddDays(days);
  while (d.IsoWeekday() > 5) d = d.AddDays(1);
  const int64_t t = WorkingTime(rng, d);
  return std::max(t, us + kHourUs);
}

std::string Png(SplitMix64& rng) {
  std::string b("\x89PNG\r\n\x1a\n", 8);
  for (int i = 0; i < 64; ++i) b.push_back(static_cast<char>('a' + rng.Below(26)));
  return b;
}

accounts::Principal Person(const std::string& username, accounts::Role role, int64_t org, const std::string& path,
                           const std::string& dept = "") {
  accounts::Principal p;
  p.username = username;
  p.display_name = username;
  p.role = role;
  p.department = dept;
  p.org_id = org;
  p.org_path = path;
  return p;
}

class Simulation {
 public:
  Simulation(storage::Database& db, cases::CaseEngine& engine, FakeClock& clock, const CaseDemoOptions& o,
             const CaseDemoProgress& progress)
      : db_(db), engine_(engine), clock_(clock), o_(o), progress_(progress), rng_(o.seed * 0x9E3779B97F4A7C15ULL + 4) {}

  StatusOr<CaseDemoSummary> Run() {
    RETURN_IF_ERROR(LoadRegistry());
    end_ = DayStart(o_.last_day.AddDays(1));
    PlanComplaints();
    PlanOtherCases();
    for (Date d = o_.first_day; d <= o_.last_day; d = d.AddDays(7)) {
      At(DayStart(d) + 7 * kHourUs, [this]() -> Status {
        ASSIGN_OR_RETURN(cases::SweepReport r, engine_.SweepClocks());
        (void)r;
        ++s_.sweeps;
        return OkStatus();
      });
    }
    int64_t done = 0;
    while (!queue_.empty()) {
      auto it = queue_.begin();
      if (it->first.first >= end_) break;
      clock_.Set(FromUnixMicros(it->first.first));
      std::function<Status()> step = std::move(it->second);
      queue_.erase(it);
      RETURN_IF_ERROR(step());
      if (progress_ && ++done % 200 == 0) progress_("case actions", done, done + static_cast<int64_t>(queue_.size()));
    }
    clock_.Set(FromUnixMicros(end_ - 1));
    if (progress_) progress_("case actions", done, done);
    return s_;
  }

 private:
  using Step = std::function<Status()>;

  // Runs `step` at `us` (ties in the order planned).
  void At(int64_t us, Step step) { queue_.emplace(std::make_pair(us, seq_++), std::move(step)); }

  Status LoadRegistry() {
    ASSIGN_OR_RETURN(storage::ConnectionHandle c, db_.Acquire());
    ASSIGN_OR_RETURN(storage::ResultSet any, c->Query("SELECT 1 FROM cases LIMIT 1"));
    if (!any.empty()) {
      return Status(StatusCode::kFailedPrecondition, "the database already has cases", "数据库中已有案件");
    }
    ASSIGN_OR_RETURN(storage::ResultSet county,
                     c->Query("SELECT id, path FROM orgs WHERE kind = 'county' AND synthetic = 1 ORDER BY id LIMIT 1"));
    if (county.empty()) {
      return Status(StatusCode::kFailedPrecondition, "no demo county: run the registry demo first",
                    "没有演示县:请先生成演示机构数据");
    }
    county_ = county.GetInt(0, 0);
    county_path_ = county.GetText(0, 1);
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     c->Query("SELECT o.id, o.path, o.name, o.kind, "
                              "(SELECT CAST(COALESCE(SUM(k.students), 0) AS BIGINT) FROM classes k WHERE k.school_id = o.id) "
                              "FROM orgs o WHERE o.path LIKE $1 AND o.kind IN ('township', 'school') "
                              "AND o.stage IS NOT NULL ORDER BY o.id",
                              {storage::Value(county_path_ + "%")}));
    std::map<int64_t, std::string> township_paths;
    for (size_t i = 0; i < rs.size(); ++i) {
      if (rs.GetText(i, 3) == "township") township_paths[rs.GetInt(i, 0)] = rs.GetText(i, 1);
    }
    for (size_t i = 0; i < rs.size(); ++i) {
      School s;
      s.id = rs.GetInt(i, 0);
      s.path = rs.GetText(i, 1);
      s.name = rs.GetText(i, 2);
      s.students = rs.GetInt(i, 4);
      s.is_township = rs.GetText(i, 3) == "township";
      for (const auto& [tid, tpath] : township_paths) {
        if (s.path.compare(0, tpath.size(), tpath) == 0) {
          s.township_id = tid;
          s.township_path = tpath;
        }
      }
      if (s.students <= 0) continue;
      index_[s.id] = schools_.size();
      schools_.push_back(std::move(s));
    }
    if (schools_.empty()) {
      return Status(StatusCode::kFailedPrecondition, "the demo county has no schools with students",
                    "演示县没有有学生的学校");
    }
    ASSIGN_OR_RETURN(storage::ResultSet staff,
                     c->Query("SELECT s.id, s.org_id FROM staff s JOIN staff_posts p ON p.staff_id = s.id "
                              "JOIN orgs o ON o.id = s.org_id WHERE p.post = 'teacher' AND s.active = 1 "
                              "AND o.path LIKE $1 ORDER BY s.id",
                              {storage::Value(county_path_ + "%")}));
    for (size_t i = 0; i < staff.size(); ++i) {
      auto it = index_.find(staff.GetInt(i, 1));
      if (it != index_.end()) schools_[it->second].teachers.push_back(staff.GetInt(i, 0));
    }
    // Complaints follow size; a few schools draw many more, and a few
    // others get worse in the second half (the report's rising schools).
    for (School& s : schools_) {
      s.weight = static_cast<double>(s.students) * (0.5 + static_cast<double>(rng_.Below(100)) / 100.0);
      s.weight2 = s.weight;
    }
    for (int k = 0; k < 4; ++k) schools_[rng_.Below(schools_.size())].weight *= 3;
    for (int k = 0; k < 5; ++k) {
      School& s = schools_[rng_.Below(schools_.size())];
      s.weight2 = s.weight * 6;
    }
    petitions_ = Person("xinfang", accounts::Role::kBureauDept, county_, county_path_, "petitions");
    discipline_ = Person("jijian", accounts::Role::kBureauDept, county_, county_path_, "discipline");
    supervision_ = Person("dudao", accounts::Role::kBureauDept, county_, county_path_, "supervision");
    basic_edu_ = Person("jijiao", accounts::Role::kBureauDept, county_, county_path_, "basic_education");
    safety_ = Person("anquan", accounts::Role::kBureauDept, county_, county_path_, "safety");
    return OkStatus();
  }

  const accounts::Principal& SchoolUser(const School& s) {
    auto it = people_.find(s.id);
    if (it == people_.end()) {
      // A central school answers as its township (the engine assigns by org kind).
      it = people_.emplace(s.id, Person((s.is_township ? "township-" : "school-") + std::to_string(s.id),
                                        s.is_township ? accounts::Role::kTownship : accounts::Role::kSchool, s.id,
                                        s.path))
               .first;
    }
    return it->second;
  }

  // Who verifies at the township level: the township, or the petitions
  // office for a school directly under the county.
  const accounts::Principal& Verifier(const School& s) {
    if (s.township_id == 0 || s.is_township) return petitions_;
    auto it = people_.find(-s.township_id);
    if (it == people_.end()) {
      it = people_.emplace(-s.township_id, Person("township-" + std::to_string(s.township_id),
                                                  accounts::Role::kTownship, s.township_id, s.township_path))
               .first;
    }
    return it->second;
  }

  const School& PickSchool(bool second_half) {
    double total = 0;
    for (const School& s : schools_) total += second_half ? s.weight2 : s.weight;
    double x = static_cast<double>(rng_.Below(1000000)) / 1000000.0 * total;
    for (const School& s : schools_) {
      x -= second_half ? s.weight2 : s.weight;
      if (x < 0) return s;
    }
    return schools_.back();
  }

  const Category& PickCategory(int month) {
    const bool peak = month == 3 || month == 9;
    int total = 0;
    for (const Category& c : Categories()) total += c.weight * (peak && c.term_start_peak ? 2 : 1);
    int x = static_cast<int>(rng_.Below(static_cast<uint64_t>(total)));
    for (const Category& c : Categories()) {
      x -= c.weight * (peak && c.term_start_peak ? 2 : 1);
      if (x < 0) return c;
    }
    return Categories().back();
  }

  // ---- complaints --------------------------------------------------------

  struct Live {
    int64_t id = 0;
    int version = 0;
    std::string code;
    bool dead = false;  // merged, or an action failed: nothing more happens
  };

  Status Act(const std::shared_ptr<Live>& c, const accounts::Principal& who, cases::TransitionRequest req) {
    if (c->dead) return OkStatus();
    // The clock sweep (reminders, escalations) moves versions on too: act on
    // the case as it is now, as a user reloading the page would.
    // (A plain read of the version: Get would load the whole timeline.)
    req.version = c->version;
    if (auto conn = db_.Acquire(); conn.ok()) {
      auto rs = (*conn)->Query("SELECT version FROM cases WHERE id = $1", {storage::Value(c->id)});
      if (rs.ok() && !rs->empty()) req.version = static_cast<int>(rs->GetInt(0, 0));
    }
    const std::string what = req.transition;
    auto v = engine_.Transition(cases::Actor::User(who), c->id, std::move(req));
    if (!v.ok()) {
      return Status(v.status().code(), "demo case " + std::to_string(c->id) + ", " + what + ": " +
                                           v.status().message(Lang::kEn),
                    "演示案件 " + std::to_string(c->id) + "," + what + ":" + v.status().message(Lang::kZh));
    }
    c->version = v->version;
    return OkStatus();
  }

  void PlanComplaints() {
    const int32_t days = o_.last_day.DaysSinceEpoch() - o_.first_day.DaysSinceEpoch() + 1;
    const int64_t total = std::max<int64_t>(
        12, static_cast<int64_t>(o_.complaints_per_school * static_cast<double>(schools_.size())));
    // Spread over the days by month weight.
    std::vector<double> day_weight(days);
    double sum = 0;
    for (int32_t i = 0; i < days; ++i) {
      const Date d = o_.first_day.AddDays(i);
      day_weight[i] = kMonthWeight[d.month() - 1] * (d.IsoWeekday() > 5 ? 0.6 : 1.0);
      sum += day_weight[i];
    }
    for (int64_t n = 0; n < total; ++n) {
      double x = static_cast<double>(rng_.Below(1000000)) / 1000000.0 * sum;
      int32_t i = 0;
      while (i + 1 < days && (x -= day_weight[i]) >= 0) ++i;
      const Date day = o_.first_day.AddDays(i);
      const School& s = PickSchool(day.month() > 6);
      const Category& cat = PickCategory(day.month());
      const int64_t t = WorkingTime(rng_, day);
      PlanComplaint(t, s, cat, /*repeat_of_text=*/"");
    }
  }

  void PlanComplaint(int64_t t, const School& school, const Category& cat, const std::string& repeat_text) {
    const School* s = &school;
    const std::string text = repeat_text.empty()
                                 ? std::string(Pick(rng_, cat.texts)) + "(" + s->name + ",第 " +
                                       std::to_string(1 + rng_.Below(60)) + " 号家长反映)"
                                 : repeat_text;
    const bool enquiry = repeat_text.empty() && rng_.Chance(0.08);
    const bool anonymous = rng_.Chance(0.35);
    const uint64_t fate = rng_.Below(1000);
    const int64_t repeat_at = t + static_cast<int64_t>(1 + rng_.Below(6)) * kDayUs;
    auto live = std::make_shared<Live>();
    At(t, [this, s, cat_key = std::string(cat.key), text, enquiry, anonymous, live]() -> Status {
      nlohmann::json fields = {{"category", cat_key}, {"kind", enquiry ? "enquiry" : "complaint"}, {"text", text},
                               {"anonymous", anonymous}};
      if (!anonymous) {
        fields["name"] = "家长" + std::to_string(1000 + rng_.Below(9000));
        fields["phone"] = "139" + std::to_string(10000000 + rng_.Below(89999999));
      }
      auto opened = engine_.Open(cases::Actor::Public(), {.case_type = "complaint", .org_id = s->id, .fields = fields});
      if (!opened.ok()) {
        return Status(opened.status().code(), "demo complaint at " + s->name + ": " + opened.status().message(Lang::kEn),
                      "演示投诉(" + s->name + "):" + opened.status().message(Lang::kZh));
      }
      ++s_.complaints;
      live->id = opened->view.id;
      live->version = opened->view.version;
      live->code = opened->tracking_code;
      if (opened->merged_into) {
        ++s_.merged;
        live->dead = true;
      }
      return OkStatus();
    });
    if (!repeat_text.empty()) return;  // a repeat merges; its original carries on

    // The fate of this complaint (per mille): enquiries answered directly;
    // 6% complained of again within days (a repeat); 5% never answered by
    // the school (overdue, reminded, escalated); 4% reopened after closing;
    // half the corporal-punishment ones referred for a misconduct
    // investigation (most ending in a sanction); and a few stopped at each
    // step (never dispatched, answered but not verified, verified but not
    // closed), so every state appears and each is overdue in its own way.
    if (enquiry) {
      const int64_t t1 = StaffTime(rng_, t, static_cast<int>(rng_.Below(2)));
      At(t1, [this, live]() {
        return Act(live, petitions_, {.transition = "reply_directly", .comment = "已电话答复家长,解释了相关政策。"});
      });
      return;
    }
    if (fate < 60) PlanComplaint(repeat_at, *s, cat, text);
    if (fate >= 200 && fate < 210) {
      ++s_.stuck;
      return;  // the petitions office never dispatches it
    }
    const int64_t t_dispatch = StaffTime(rng_, t, static_cast<int>(rng_.Below(2)));
    At(t_dispatch, [this, s, live]() {
      return Act(live, petitions_, {.transition = "dispatch", .comment = "请学校核实处理并按时答复。",
                                    .fields = {{"lead_org_id", s->id}}});
    });
    if (fate >= 60 && fate < 110) {
      ++s_.stuck;
      return;  // the school never answers: overdue, reminded, escalated
    }
    const int64_t t_answer = StaffTime(rng_, t_dispatch, static_cast<int>(3 + rng_.Below(12)));
    const uint64_t finding = rng_.Below(10);
    const char* finding_key = finding < 5 ? "substantiated" : finding < 8 ? "partly" : "unfounded";
    At(t_answer, [this, s, live, finding_key]() {
      const std::string comment = std::string(finding_key) == "unfounded"
                                      ? "经核查,反映的问题不属实,已向家长说明情况。"
                                      : "经核查,反映的问题属实(或部分属实),已立即整改并向家长致歉,整改材料附后。";
      return Act(live, SchoolUser(*s), {.transition = "answer", .comment = comment,
                                        .fields = {{"finding", finding_key}},
                                        .attachments = {{"整改照片.png", Png(rng_)}}});
    });
    const bool misconduct = std::string_view(cat.key) == "corporal_punishment" && rng_.Chance(0.5);
    if (misconduct) PlanMisconduct(t_answer + kDayUs, *s, live);
    if (fate >= 210 && fate < 225) {
      ++s_.stuck;
      return;  // the township never verifies the answer
    }
    const int64_t t_verify = StaffTime(rng_, t_answer, static_cast<int>(1 + rng_.Below(4)));
    At(t_verify, [this, s, live]() { return Act(live, Verifier(*s), {.transition = "verify"}); });
    if (fate >= 225 && fate < 235) {
      ++s_.stuck;
      return;  // verified, never formally closed
    }
    const int64_t t_close = StaffTime(rng_, t_verify, static_cast<int>(rng_.Below(3)));
    At(t_close, [this, live]() {
      Status st = Act(live, petitions_, {.transition = "close", .comment = "已办结。"});
      if (st.ok() && !live->dead) ++s_.closed;
      return st;
    });
    if (rng_.Chance(0.7)) {
      const int64_t t_rate = t_close + static_cast<int64_t>(1 + rng_.Below(5)) * kDayUs;
      const bool unhappy = fate >= 130 && fate < 170;
      const int stars = unhappy ? 1 + static_cast<int>(rng_.Below(2)) : 3 + static_cast<int>(rng_.Below(3));
      At(t_rate, [this, live, stars, unhappy]() -> Status {
        if (live->dead) return OkStatus();
        auto r = engine_.Rate(live->code, stars, unhappy ? "问题没有真正解决" : "处理及时,满意");
        if (r.ok()) ++s_.rated;
        if (!r.ok()) return OkStatus();  // e.g. the window closed first: the public just did not rate
        if (unhappy) {
          auto o = engine_.Reopen(live->code, "学校答复后情况没有改变,申请重新办理");
          if (o.ok()) ++s_.reopened;
          // The reopened complaint is left open, overdue in its turn.
        }
        return OkStatus();
      });
    }
  }

  // ---- misconduct and sanctions ----------------------------------------

  void PlanMisconduct(int64_t t, const School& s, const std::shared_ptr<Live>& complaint) {
    if (s.teachers.empty()) return;
    const int64_t staff = Pick(rng_, s.teachers);
    const bool sanction = rng_.Chance(0.7);
    static const std::vector<const char*> measures = {"notice_of_criticism", "warning", "demerit", "post_demotion"};
    const std::string measure = Pick(rng_, measures);
    auto live = std::make_shared<Live>();
    const School* sp = &s;
    At(StaffTime(rng_, t, 0), [this, sp, staff, complaint, live]() -> Status {
      auto opened = engine_.Open(cases::Actor::User(discipline_),
                                 {.case_type = "misconduct", .org_id = sp->id, .staff_id = staff,
                                  .fields = {{"category", "corporal_punishment"},
                                             {"text", "家长投诉反映该教师体罚学生,经学校答复部分属实,移送调查。"}},
                                  .linked_from_case_id = complaint->id});
      if (!opened.ok()) {
        return Status(opened.status().code(), "demo misconduct case: " + opened.status().message(Lang::kEn),
                      "演示师德失范案件:" + opened.status().message(Lang::kZh));
      }
      ++s_.misconduct;
      live->id = opened->view.id;
      live->version = opened->view.version;
      return OkStatus();
    });
    const int64_t t_decide = StaffTime(rng_, t, static_cast<int>(10 + rng_.Below(15)));
    At(t_decide, [this, live, sanction, measure]() -> Status {
      if (sanction) {
        Status st = Act(live, discipline_, {.transition = "decide", .comment = "经调查属实,依规作出处理。",
                                            .fields = {{"findings", "经调查,该教师体罚学生的情况属实。"},
                                                       {"measure", measure}, {"veto_year", ChinaYear(clock_.Now())}}});
        if (st.ok()) ++s_.sanctions;
        return st;
      }
      return Act(live, discipline_, {.transition = "dismiss", .comment = "证据不足,不予处分,予以提醒谈话。",
                                     .fields = {{"findings", "经调查,反映的体罚情况证据不足。"}}});
    });
  }

  // ---- rectifications, approvals, hazards, dropouts ---------------------

  void PlanOtherCases() {
    const int32_t days = o_.last_day.DaysSinceEpoch() - o_.first_day.DaysSinceEpoch() + 1;
    auto day = [&]() { return o_.first_day.AddDays(static_cast<int32_t>(rng_.Below(static_cast<uint64_t>(days)))); };
    const size_t n = schools_.size();
    for (size_t k = 0; k < std::max<size_t>(6, n / 8); ++k) PlanRectification(WorkingTime(rng_, day()), Pick(rng_, schools_));
    for (size_t k = 0; k < std::max<size_t>(6, n / 8); ++k) PlanApproval(WorkingTime(rng_, day()), Pick(rng_, schools_));
    for (size_t k = 0; k < std::max<size_t>(6, n / 8); ++k) PlanHazard(WorkingTime(rng_, day()), Pick(rng_, schools_));
    for (size_t k = 0; k < std::max<size_t>(4, n / 15); ++k) PlanDropout(WorkingTime(rng_, day()), Pick(rng_, schools_));
  }

  // Opens a case as `who` at `t`, then runs `steps` (each at its instant).
  void OpenThen(int64_t t, const accounts::Principal* who, cases::OpenCaseRequest req, int64_t* counter,
                std::vector<std::pair<int64_t, std::function<Status(const std::shared_ptr<Live>&)>>> steps) {
    auto live = std::make_shared<Live>();
    At(t, [this, who, req = std::move(req), counter, live]() mutable -> Status {
      const std::string type = req.case_type;
      auto opened = engine_.Open(cases::Actor::User(*who), std::move(req));
      if (!opened.ok()) {
        return Status(opened.status().code(), "demo " + type + " case: " + opened.status().message(Lang::kEn),
                      "演示" + type + "案件:" + opened.status().message(Lang::kZh));
      }
      ++*counter;
      live->id = opened->view.id;
      live->version = opened->view.version;
      return OkStatus();
    });
    for (auto& [at, fn] : steps) {
      At(at, [live, fn = std::move(fn)]() { return fn(live); });
    }
  }

  void PlanRectification(int64_t t, const School& s) {
    static const std::vector<std::pair<const char*, const char*>> kinds = {
        {"meals", "食堂食品留样记录不全,部分餐次未留样"}, {"fees", "代收费项目未公示,收费依据不足"},
        {"homework", "部分班级书面作业时长超过规定"}, {"parent_school", "家长学校未按计划开课"}};
    const auto& k = Pick(rng_, kinds);
    const School* sp = &s;
    const uint64_t fate = rng_.Below(10);  // 0–5 closed, 6–7 submitted, 8–9 open (some overdue)
    const int64_t t_submit = StaffTime(rng_, t, static_cast<int>(5 + rng_.Below(10)));
    const int64_t t_verify = StaffTime(rng_, t_submit, static_cast<int>(1 + rng_.Below(5)));
    std::vector<std::pair<int64_t, std::function<Status(const std::shared_ptr<Live>&)>>> steps;
    if (fate < 8) {
      steps.push_back({t_submit, [this, sp](const std::shared_ptr<Live>& c) {
                         return Act(c, SchoolUser(*sp), {.transition = "submit", .comment = "已完成整改。",
                                                         .fields = {{"measures", "已建立台账,专人负责,逐项整改到位。"}},
                                                         .attachments = {{"整改台账.png", Png(rng_)}}});
                       }});
    }
    if (fate < 6) {
      steps.push_back({t_verify, [this, sp](const std::shared_ptr<Live>& c) {
                         return Act(c, sp->township_id && !sp->is_township ? Verifier(*sp) : supervision_,
                                    {.transition = "verify", .comment = "经现场核验,整改到位。"});
                       }});
    }
    OpenThen(t, &supervision_,
             {.case_type = "rectification", .org_id = sp->id,
              .fields = {{"category", k.first}, {"description", k.second}, {"due_working_days", 10}},
              .source_kind = "inspection"},
             &s_.rectifications, std::move(steps));
  }

  void PlanApproval(int64_t t, const School& s) {
    const School* sp = &s;
    const uint64_t kind = rng_.Below(4);
    nlohmann::json fields;
    if (kind == 0) {
      const int students = 40 + static_cast<int>(rng_.Below(120));
      const Date start = Date::FromDaysSinceEpoch(static_cast<int32_t>((t + kChinaOffsetUs) / kDayUs)).AddDays(20);
      fields = {{"kind", "study_tour"}, {"description", "组织学生赴研学基地开展研学实践"}, {"students", students},
                {"consent_count", students}, {"parents_informed", true}, {"base", "安化黑茶研学基地"},
                {"place", "安化县"}, {"start_date", start.ToString()}, {"end_date", start.AddDays(1).ToString()},
                {"funding", 120.0 * students}};
    } else if (kind == 1) {
      fields = {{"kind", "activity"}, {"description", "消防救援大队进校园开展消防安全教育"}, {"organiser", "县消防救援大队"},
                {"no_sales", true}};
    } else if (kind == 2) {
      fields = {{"kind", "competition"}, {"description", "组织学生参加青少年科技创新大赛"},
                {"competition_name", "全国青少年科技创新大赛"}};
    } else {
      fields = {{"kind", "third_party"}, {"description", "引进课后服务第三方机构(围棋)"}, {"organiser", "县围棋协会"},
                {"no_sales", true}};
    }
    const uint64_t fate = rng_.Below(10);  // 0–5 approved (some completed), 6 rejected, 7–9 pending
    std::vector<std::pair<int64_t, std::function<Status(const std::shared_ptr<Live>&)>>> steps;
    const int64_t t_decide = StaffTime(rng_, t, static_cast<int>(1 + rng_.Below(5)));
    if (fate <= 6) {
      steps.push_back({t_decide, [this, fate](const std::shared_ptr<Live>& c) {
                         return Act(c, basic_edu_, {.transition = fate == 6 ? "reject" : "approve",
                                                    .comment = fate == 6 ? "不在白名单内,不予批准。" : "同意。"});
                       }});
    }
    if (fate < 3) {
      steps.push_back({StaffTime(rng_, t_decide, 25), [this, sp](const std::shared_ptr<Live>& c) {
                         return Act(c, SchoolUser(*sp), {.transition = "complete", .comment = "活动已顺利完成。"});
                       }});
    }
    OpenThen(t, &SchoolUser(s), {.case_type = "approval", .org_id = sp->id, .fields = fields}, &s_.approvals,
             std::move(steps));
  }

  void PlanHazard(int64_t t, const School& s) {
    static const std::vector<const char*> grades = {"low", "general", "general", "general", "high", "major"};
    static const std::vector<std::pair<const char*, const char*>> areas = {
        {"fire", "教学楼消防通道堆放杂物,灭火器过期"}, {"building", "宿舍楼外墙瓷砖脱落"},
        {"food_water", "饮水机滤芯超期未更换"}, {"chemicals", "化学实验室危化品未双人双锁管理"},
        {"network", "校园网未设置访问控制"}};
    const School* sp = &s;
    const auto& area = Pick(rng_, areas);
    const uint64_t fate = rng_.Below(10);
    std::vector<std::pair<int64_t, std::function<Status(const std::shared_ptr<Live>&)>>> steps;
    const int64_t t_submit = StaffTime(rng_, t, static_cast<int>(2 + rng_.Below(10)));
    if (fate < 8) {
      steps.push_back({t_submit, [this, sp](const std::shared_ptr<Live>& c) {
                         return Act(c, SchoolUser(*sp), {.transition = "submit", .comment = "隐患已整改。",
                                                         .fields = {{"measures", "已清理并更换,落实专人巡查。"}},
                                                         .attachments = {{"隐患整改.png", Png(rng_)}}});
                       }});
    }
    if (fate < 6) {
      steps.push_back({StaffTime(rng_, t_submit, 2), [this, sp](const std::shared_ptr<Live>& c) {
                         return Act(c, sp->township_id && !sp->is_township ? Verifier(*sp) : safety_, {.transition = "verify"});
                       }});
    }
    OpenThen(t, &SchoolUser(s),
             {.case_type = "hazard", .org_id = sp->id,
              .fields = {{"grade", Pick(rng_, grades)}, {"area", area.first}, {"description", area.second},
                         {"location", "教学区"}}},
             &s_.hazards, std::move(steps));
  }

  void PlanDropout(int64_t t, const School& s) {
    static const std::vector<const char*> reasons = {"study_difficulty", "family_poverty", "illness",
                                                     "left_with_parents"};
    if (s.teachers.empty()) return;
    const School* sp = &s;
    const int64_t helper = Pick(rng_, s.teachers);
    const uint64_t fate = rng_.Below(10);  // 0–4 back in school, 5–8 being helped, 9 just reported
    std::vector<std::pair<int64_t, std::function<Status(const std::shared_ptr<Live>&)>>> steps;
    const int64_t t_help = StaffTime(rng_, t, static_cast<int>(1 + rng_.Below(3)));
    if (fate < 9) {
      steps.push_back({t_help, [this, sp, helper](const std::shared_ptr<Live>& c) {
                         return Act(c, SchoolUser(*sp), {.transition = "assign_helpers", .comment = "落实三帮一。",
                                                         .fields = {{"helper_teacher", helper},
                                                                    {"helper_cadre", "村委会干部"},
                                                                    {"helper_parent", "家长代表"}}});
                       }});
    }
    if (fate < 5) {
      const int64_t t_back = StaffTime(rng_, t_help, static_cast<int>(10 + rng_.Below(30)));
      const std::string back_on =
          Date::FromDaysSinceEpoch(static_cast<int32_t>((t_back + kChinaOffsetUs) / kDayUs)).ToString();
      steps.push_back({t_back, [this, sp, back_on](const std::shared_ptr<Live>& c) {
                         return Act(c, SchoolUser(*sp), {.transition = "return_to_school", .comment = "学生已返校。",
                                                         .fields = {{"returned_on", back_on}}});
                       }});
    }
    OpenThen(t, &SchoolUser(s),
             {.case_type = "dropout", .org_id = sp->id,
              .fields = {{"child_name", "学生" + std::to_string(100 + rng_.Below(900))},
                         {"grade", static_cast<int>(5 + rng_.Below(5))},
                         {"reason", Pick(rng_, reasons)}}},
             &s_.dropouts, std::move(steps));
  }

  storage::Database& db_;
  cases::CaseEngine& engine_;
  FakeClock& clock_;
  const CaseDemoOptions& o_;
  const CaseDemoProgress& progress_;
  SplitMix64 rng_;
  CaseDemoSummary s_;
  int64_t end_ = 0;
  int64_t county_ = 0;
  std::string county_path_;
  std::vector<School> schools_;
  std::map<int64_t, size_t> index_;
  std::map<int64_t, accounts::Principal> people_;  // school id → school user; -township id → township user
  accounts::Principal petitions_, discipline_, supervision_, basic_edu_, safety_;
  std::map<std::pair<int64_t, uint64_t>, Step> queue_;
  uint64_t seq_ = 0;
};

}  // namespace

StatusOr<CaseDemoSummary> GenerateCaseDemo(storage::Database& db, cases::CaseEngine& engine, FakeClock& clock,
                                           const CaseDemoOptions& options, const CaseDemoProgress& progress) {
  Simulation sim(db, engine, clock, options, progress);
  return sim.Run();
}

StatusOr<RectificationDemoSummary> AdvanceFindingRectifications(cases::CaseEngine& engine, FakeClock& clock,
                                                                uint64_t seed) {
  RectificationDemoSummary out;
  SplitMix64 rng(seed * 0x9E3779B97F4A7C15ULL + 11);
  std::vector<cases::CaseView> to_advance;
  for (int offset = 0;; offset += 500) {
    ASSIGN_OR_RETURN(cases::CasePage page,
                     engine.List(cases::Actor::System(),
                                 {.case_type = "rectification", .state = "open", .offset = offset, .limit = 500}));
    for (const cases::CaseView& v : page.items) {
      if (v.source_kind == "finding" && v.assignee_org_id != 0) to_advance.push_back(v);
    }
    if (page.items.size() < 500) break;
  }
  std::sort(to_advance.begin(), to_advance.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (const cases::CaseView& v : to_advance) {
    if (rng.Below(3) != 0) continue;
    ASSIGN_OR_RETURN(cases::CaseView full, engine.Get(cases::Actor::System(), v.id));
    const bool township = full.assignee_level == "township";
    const accounts::Principal who =
        Person(township ? "township-" + std::to_string(full.assignee_org_id) : "school-" + std::to_string(full.org_id),
               township ? accounts::Role::kTownship : accounts::Role::kSchool, full.assignee_org_id,
               /*path: a demo actor acting on this case only*/ "/");
    clock.Advance(std::chrono::hours(24));
    auto submitted = engine.Transition(
        cases::Actor::User(who), v.id,
        {.transition = "submit",
         .comment = "已组织整改，附整改材料。",
         .fields = {{"measures", "已召开专题会议，逐班核查并调整，建立周报制度。"}},
         .attachments = {{"整改材料.png", Png(rng)}}});
    if (!submitted.ok()) continue;  // e.g. assigned to a department: left open
    ++out.submitted;
    if (rng.Below(2) != 0) continue;
    clock.Advance(std::chrono::hours(24));
    const accounts::Principal verifier = Person("dudao", accounts::Role::kBureauDept, 0, "/", "supervision");
    auto closed = engine.Transition(cases::Actor::User(verifier), v.id,
                                    {.transition = "verify", .comment = "经核验，整改到位，同意销号。"});
    if (closed.ok()) ++out.closed;
  }
  return out;
}

}  // namespace edugov::demo
