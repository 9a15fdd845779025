// Test-only: a small county (two townships, three schools, a principal and a
// teacher), the shipped case types, the real calendar and an engine with a
// FakeClock and a SeededRandom, on a fresh database of either backend.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "calendar/working_calendar.h"
#include "cases/engine.h"
#include "testing/test_db.h"

namespace edugov::cases::testfx {

inline TimePoint At(const std::string& rfc3339) { return ParseTimestamp(rfc3339).value(); }

// Records every notice (and proves the notifier runs inside the transaction:
// it reads the case row through `tx`).
class RecordingNotifier : public Notifier {
 public:
  Status Notify(storage::Connection& tx, const CaseNotice& n) override {
    ASSIGN_OR_RETURN(storage::ResultSet rs, tx.Query("SELECT ref FROM cases WHERE id = $1", {n.case_id}));
    if (rs.empty()) return InternalError("notice for a case not visible in the transaction");
    notices.push_back(n);
    return OkStatus();
  }
  int Count(const std::string& kind) const {
    int c = 0;
    for (const CaseNotice& n : notices) c += n.kind == kind;
    return c;
  }
  std::vector<CaseNotice> notices;
};

class Fixture {
 public:
  static std::unique_ptr<Fixture> Make(storage::Backend backend,
                                       const std::string& start = "2025-09-01T09:00:00+08:00") {
    auto f = std::unique_ptr<Fixture>(new Fixture(start));
    auto db = testing::TestDb::Create(backend);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return nullptr;
    f->db_ = std::make_unique<testing::TestDb>(std::move(*db));
    auto types = CaseTypeRegistry::LoadDir(std::string(EDUGOV_SOURCE_DIR) + "/policy/cases");
    EXPECT_TRUE(types.ok()) << types.status().ToString();
    if (!types.ok()) return nullptr;
    f->types = std::make_unique<CaseTypeRegistry>(std::move(*types));
    auto cal = calendar::WorkingCalendar::Load(std::string(EDUGOV_SOURCE_DIR) +
                                               "/policy/calendar/cn-2025-2026.yaml");
    EXPECT_TRUE(cal.ok()) << cal.status().ToString();
    if (!cal.ok()) return nullptr;
    f->cal = std::make_unique<calendar::WorkingCalendar>(std::move(*cal));
    Status s = f->Seed();
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return nullptr;
    f->engine = std::make_unique<CaseEngine>(EngineDeps{.db = &f->db(), .types = f->types.get(),
                                                        .calendar = f->cal.get(), .clock = &f->clock,
                                                        .random = &f->random, .box = &f->box,
                                                        .notifier = &f->notifier});
    return f;
  }

  storage::Database& db() { return db_->db(); }

  StatusOr<int64_t> AddOrg(int64_t parent, const std::string& kind, const std::string& name) {
    ASSIGN_OR_RETURN(storage::ConnectionHandle c, db().Acquire());
    std::string parent_path = "/";
    if (parent != 0) {
      ASSIGN_OR_RETURN(storage::ResultSet p, c->Query("SELECT path FROM orgs WHERE id = $1", {parent}));
      parent_path = p.GetText(0, 0);
    }
    const std::string code = "T" + std::to_string(++codes_);
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     c->Query("INSERT INTO orgs (parent_id, kind, code, name, path, canteen, created_at, updated_at) "
                              "VALUES ($1, $2, $3, $4, $5, 1, 0, 0) RETURNING id",
                              {parent ? storage::Value(parent) : storage::Null(), kind, code, name, code}));
    const int64_t id = rs.GetInt(0, 0);
    RETURN_IF_ERROR(c->Execute("UPDATE orgs SET path = $1 WHERE id = $2",
                               {parent_path + std::to_string(id) + "/", id}));
    return id;
  }

  StatusOr<int64_t> AddStaff(int64_t org, const std::string& name, const std::string& post) {
    ASSIGN_OR_RETURN(storage::ConnectionHandle c, db().Acquire());
    ASSIGN_OR_RETURN(storage::ResultSet rs,
                     c->Query("INSERT INTO staff (org_id, code, name, gender, created_at, updated_at) "
                              "VALUES ($1, $2, $3, 'female', 0, 0) RETURNING id",
                              {org, "S" + std::to_string(++codes_), name}));
    const int64_t id = rs.GetInt(0, 0);
    RETURN_IF_ERROR(c->Execute("INSERT INTO staff_posts (staff_id, post) VALUES ($1, $2)", {id, post}));
    return id;
  }

  accounts::Principal User(const std::string& name, accounts::Role role, int64_t org,
                           const std::string& dept = "") {
    accounts::Principal p;
    p.user_id = ++codes_;
    p.username = name;
    p.role = role;
    p.department = dept;
    p.org_id = org;
    auto c = db().Acquire();
    auto rs = (*c)->Query("SELECT path FROM orgs WHERE id = $1", {org});
    p.org_path = rs->GetText(0, 0);
    return p;
  }

  FakeClock clock;
  SeededRandom random{42};
  SecretBox box{std::array<unsigned char, SecretBox::kKeyBytes>{7, 7, 7}};
  RecordingNotifier notifier;
  std::unique_ptr<CaseTypeRegistry> types;
  std::unique_ptr<calendar::WorkingCalendar> cal;
  std::unique_ptr<CaseEngine> engine;

  int64_t county = 0, township = 0, township2 = 0, school = 0, school_b = 0, school_c = 0;
  int64_t principal = 0, party_secretary = 0, teacher_staff = 0;
  accounts::Principal petitions, leader, discipline, supervision, hr, basic_edu, student_aid, safety,
      town, town2, head, head_b, teacher, inspector;

  // Every principal above, for loops over roles.
  std::vector<const accounts::Principal*> Everyone() const {
    return {&petitions, &leader, &discipline, &supervision, &hr, &basic_edu, &student_aid, &safety,
            &town, &town2, &head, &head_b, &teacher, &inspector};
  }

 private:
  explicit Fixture(const std::string& start) : clock(At(start)) {}

  Status Seed() {
    ASSIGN_OR_RETURN(county, AddOrg(0, "county", "安化县"));
    ASSIGN_OR_RETURN(township, AddOrg(county, "township", "东坪镇中心学校"));
    ASSIGN_OR_RETURN(township2, AddOrg(county, "township", "梅城镇中心学校"));
    ASSIGN_OR_RETURN(school, AddOrg(township, "school", "江英学校"));
    ASSIGN_OR_RETURN(school_b, AddOrg(township, "school", "东坪完小"));
    ASSIGN_OR_RETURN(school_c, AddOrg(township2, "school", "梅城镇中学"));
    ASSIGN_OR_RETURN(principal, AddStaff(school, "李校长", "principal"));
    ASSIGN_OR_RETURN(party_secretary, AddStaff(school, "王书记", "party_secretary"));
    ASSIGN_OR_RETURN(teacher_staff, AddStaff(school, "赵老师", "teacher"));
    using accounts::Role;
    petitions = User("xinfang", Role::kBureauDept, county, "petitions");
    leader = User("juzhang", Role::kBureauLeader, county);
    discipline = User("jijian", Role::kBureauDept, county, "discipline");
    supervision = User("dudao", Role::kBureauDept, county, "supervision");
    hr = User("renshi", Role::kBureauDept, county, "hr");
    basic_edu = User("jijiao", Role::kBureauDept, county, "basic_education");
    student_aid = User("zizhu", Role::kBureauDept, county, "student_aid");
    safety = User("anquan", Role::kBureauDept, county, "safety");
    town = User("dongping", Role::kTownship, township);
    town2 = User("meicheng_town", Role::kTownship, township2);
    head = User("jiangying", Role::kSchool, school);
    head_b = User("dongpingwx", Role::kSchool, school_b);
    teacher = User("laoshi", Role::kTeacher, school);
    inspector = User("duxue", Role::kInspector, township);
    return OkStatus();
  }

  std::unique_ptr<testing::TestDb> db_;
  int codes_ = 0;
};

// A tiny valid PNG header: enough for the content sniffer.
inline AttachmentInput Png(const std::string& name = "evidence.png") {
  return {name, std::string("\x89PNG\r\n\x1a\n", 8) + std::string(64, 'x')};
}

}  // namespace edugov::cases::testfx
