// The points ledger on SQLite and PostgreSQL: recording and totals, the
// correction rules, rank within a school, eligibility with the one-vote
// veto from the sanctions ledger, objections' window, scoping, and
// `verify` naming each kind of tampering (edit, delete, reorder, insert).
#include "points/points.h"

#include <gtest/gtest.h>

#include <map>

#include "ledger/chain.h"
#include "ledger/sanctions.h"
#include "registry/registry.h"
#include "testing/test_db.h"

namespace edugov::points {
namespace {

using accounts::Principal;
using accounts::Role;
using registry::OrgKind;
using registry::Stage;

PointsPolicy Policy() {
  auto p = LoadPointsPolicy(std::string(EDUGOV_SOURCE_DIR) + "/policy/teacher-points.yaml");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : PointsPolicy{};
}

// A county with one township and two schools, three teachers at 江英学校
// (T01–T03) and one at 梅城中学 (T09).
class PointsTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    auto t = testing::TestDb::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    db_ = std::make_unique<testing::TestDb>(std::move(*t));
    auto c = db_->db().Acquire();
    ASSERT_TRUE(c.ok());
    conn_ = std::make_unique<storage::ConnectionHandle>(std::move(*c));
    auto rs = conn().Query(
        "INSERT INTO orgs (parent_id, kind, code, name, path, created_at, updated_at) "
        "VALUES (NULL, 'county', '430923', '测试县教育局', 'pending', 0, 0) RETURNING id");
    ASSERT_TRUE(rs.ok()) << rs.status().ToString();
    const int64_t root = rs->GetInt(0, 0);
    const std::string root_path = "/" + std::to_string(root) + "/";
    ASSERT_TRUE(conn().Execute("UPDATE orgs SET path = $1 WHERE id = $2", {root_path, root}).ok());
    bureau_ = Make(Role::kBureauLeader, root, root_path, "juzhang");
    hr_ = Make(Role::kBureauDept, root, root_path, "renshi");
    hr_.department = "hr";
    township_ = CreateOrg(root, OrgKind::kTownship, "T1", "东坪镇中心学校");
    school_ = CreateOrg(township_.id, OrgKind::kSchool, "S01", "江英学校");
    other_ = CreateOrg(township_.id, OrgKind::kSchool, "S02", "梅城中学");
    for (const char* code : {"T01", "T02", "T03"}) staff_[code] = CreateStaff(school_.id, code);
    staff_["T09"] = CreateStaff(other_.id, "T09");
    head_ = Make(Role::kSchool, school_.id, school_.path, "jiangying");
    other_head_ = Make(Role::kSchool, other_.id, other_.path, "meicheng");
    teacher_ = Make(Role::kTeacher, school_.id, school_.path, "T01");
  }

  static Principal Make(Role role, int64_t org, std::string path, std::string username) {
    Principal p;
    p.user_id = 7;
    p.username = std::move(username);
    p.role = role;
    p.org_id = org;
    p.org_path = std::move(path);
    return p;
  }

  registry::Org CreateOrg(int64_t parent, OrgKind kind, const std::string& code, const std::string& name) {
    auto o = registry::CreateOrg(conn(), bureau_, clock_, {parent, kind, code, name, Stage::kNineYear, {}});
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return o.ok() ? *o : registry::Org{};
  }

  int64_t CreateStaff(int64_t org, const std::string& code) {
    auto s = registry::CreateStaff(conn(), bureau_, clock_, org,
                                   {.code = code, .name = "教师" + code, .hired_on = Date::FromYmd(2010, 9, 1),
                                    .posts = {registry::Post::kTeacher}});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? s->id : 0;
  }

  StatusOr<Entry> Rec(const Principal& who, const std::string& staff, const std::string& rule, int64_t qty = 1) {
    clock_.Advance(std::chrono::seconds(1));
    return Record(conn(), who, clock_, policy_,
                  {.staff_id = staff_.at(staff), .school_year = 2025, .rule_id = rule, .quantity = qty,
                   .evidence = "证明 2025-01"});
  }

  int64_t Total(const std::string& staff) {
    auto l = ReadTeacher(conn(), bureau_, policy_, staff_.at(staff), 2025);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? l->total : -1;
  }

  ledger::VerifyReport Verify() {
    auto r = VerifyPointsLedger(conn());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ledger::VerifyReport{};
  }

  void Exec(const std::string& sql) {
    auto r = conn().Execute(sql);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void RecordFour() {
    ASSERT_TRUE(Rec(head_, "T01", "training_hours", 3).ok());
    ASSERT_TRUE(Rec(head_, "T02", "extra_lessons", 5).ok());
    ASSERT_TRUE(Rec(head_, "T03", "test_results", 1).ok());
    ASSERT_TRUE(Rec(head_, "T01", "extra_lessons", 2).ok());
  }

  storage::Connection& conn() { return **conn_; }

  FakeClock clock_{ParseTimestamp("2025-10-09T09:00:00+08:00").value()};
  PointsPolicy policy_ = Policy();
  std::unique_ptr<testing::TestDb> db_;
  std::unique_ptr<storage::ConnectionHandle> conn_;
  Principal bureau_, hr_, head_, other_head_, teacher_;
  registry::Org township_, school_, other_;
  std::map<std::string, int64_t> staff_;
};

TEST_P(PointsTest, RecordAddsToTheBaseAndIsAudited) {
  auto e = Rec(head_, "T01", "training_hours", 3);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->seq, 1);
  EXPECT_EQ(e->points, 3);
  EXPECT_EQ(e->org_id, school_.id);
  EXPECT_EQ(e->clause, "建立教师积分管理制度");
  EXPECT_EQ(e->recorded_by, "jiangying");
  EXPECT_EQ(Total("T01"), 63);
  EXPECT_EQ(Total("T02"), 60);
  auto audit = ledger::ReadAudit(conn(), 0, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->front().entry.action, "points.record");
  EXPECT_EQ(audit->front().entry.entity_id, "1");
  EXPECT_TRUE(Verify().ok);
  EXPECT_TRUE(ledger::VerifyAudit(conn())->ok);
}

TEST_P(PointsTest, BadInputNamesTheField) {
  auto unknown_rule = Rec(head_, "T01", "bribes");
  EXPECT_EQ(unknown_rule.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown_rule.status().field(), "rule_id");
  auto too_many = Rec(head_, "T01", "award_county", 5);  // township records it; quantity first
  EXPECT_EQ(too_many.status().field(), "quantity");
  auto unknown_teacher = Record(conn(), head_, clock_, policy_,
                                {.staff_id = 999999, .school_year = 2025, .rule_id = "training_hours",
                                 .evidence = "x"});
  EXPECT_EQ(unknown_teacher.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown_teacher.status().field(), "staff_id");
  auto no_evidence = Record(conn(), head_, clock_, policy_,
                            {.staff_id = staff_["T01"], .school_year = 2025, .rule_id = "training_hours"});
  EXPECT_EQ(no_evidence.status().field(), "evidence");
  auto bad_year = Record(conn(), head_, clock_, policy_,
                         {.staff_id = staff_["T01"], .school_year = 25, .rule_id = "training_hours", .evidence = "x"});
  EXPECT_EQ(bad_year.status().field(), "school_year");
  // Nothing half-written: no entry, the chain still empty.
  EXPECT_EQ(Verify().entries, 0);
}

TEST_P(PointsTest, RecordersAndScope) {
  // A school may not record a misconduct deduction, a teacher records nothing.
  EXPECT_EQ(Rec(head_, "T01", "misconduct").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Rec(teacher_, "T01", "training_hours").status().code(), StatusCode::kPermissionDenied);
  // Another school's teacher is "not found" to this school.
  EXPECT_EQ(Rec(other_head_, "T01", "training_hours").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(Rec(hr_, "T01", "rural_service", 2).ok());
  ASSERT_TRUE(Rec(head_, "T02", "training_hours").ok());
  // A teacher reads their own ledger, and no one else's.
  auto own = ReadTeacher(conn(), teacher_, policy_, staff_["T01"], 2025);
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_EQ(own->total, 66);
  EXPECT_EQ(ReadTeacher(conn(), teacher_, policy_, staff_["T02"], 2025).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadTeacher(conn(), other_head_, policy_, staff_["T01"], 2025).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(SchoolStandings(conn(), teacher_, policy_, school_.id, 2025).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(SchoolStandings(conn(), other_head_, policy_, school_.id, 2025).status().code(), StatusCode::kNotFound);
}

TEST_P(PointsTest, CorrectionReplacesAndCannotBeRepeated) {
  auto first = Rec(head_, "T01", "training_hours", 3);
  ASSERT_TRUE(first.ok());
  clock_.Advance(std::chrono::seconds(1));
  auto fix = Correct(conn(), head_, clock_, policy_, first->seq,
                     {.rule_id = "training_hours", .quantity = 2, .evidence = "更正:实际 24 学时"});
  ASSERT_TRUE(fix.ok()) << fix.status().ToString();
  EXPECT_EQ(fix->corrects_seq, first->seq);
  EXPECT_EQ(fix->staff_id, staff_["T01"]);
  EXPECT_EQ(Total("T01"), 62);
  // The corrected entry stays, marked.
  auto l = ReadTeacher(conn(), head_, policy_, staff_["T01"], 2025);
  ASSERT_EQ(l->entries.size(), 2u);
  EXPECT_EQ(l->entries[0].corrected_by_seq, fix->seq);
  EXPECT_EQ(l->entries[0].points, 3);

  auto again = Correct(conn(), head_, clock_, policy_, first->seq,
                       {.rule_id = "training_hours", .quantity = 1, .evidence = "x"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.status().field(), "corrects");
  EXPECT_NE(again.status().message(Lang::kEn).find("already corrected by entry 2"), std::string::npos);
  // Correcting the correction is how a second change is made.
  auto second = Correct(conn(), head_, clock_, policy_, fix->seq,
                        {.rule_id = "training_hours", .quantity = 1, .evidence = "再次更正"});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(Total("T01"), 61);
  auto unknown = Correct(conn(), head_, clock_, policy_, 99, {.rule_id = "training_hours", .evidence = "x"});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().field(), "corrects");
  // Another school cannot correct this school's entry.
  EXPECT_EQ(Correct(conn(), other_head_, clock_, policy_, second->seq, {.rule_id = "training_hours", .evidence = "x"})
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(Verify().ok);
  EXPECT_EQ(Verify().entries, 3);
}

TEST_P(PointsTest, TotalsRankAndEligibilityWithVeto) {
  ASSERT_TRUE(Rec(head_, "T01", "training_hours", 10).ok());  // 70
  ASSERT_TRUE(Rec(hr_, "T02", "rural_service", 10).ok());      // 90
  ASSERT_TRUE(Rec(hr_, "T03", "rural_service", 10).ok());      // 90
  ASSERT_TRUE(Rec(bureau_, "T03", "misconduct").ok());         // 70
  ASSERT_TRUE(Rec(hr_, "T09", "rural_service", 1).ok());       // 63, other school
  // T02 has a one-vote veto for 2025 in the sanctions ledger.
  ASSERT_TRUE(storage::RunInTransaction(conn(), [&](storage::Connection& tx) {
                return ledger::AppendSanction(tx,
                                              {.staff_id = staff_["T02"], .org_id = school_.id,
                                               .org_path = school_.path, .case_id = 12, .measure = "warning",
                                               .veto_year = 2025, .reason = "体罚学生", .decided_by = "juzhang"},
                                              clock_);
              }).ok());

  auto s = SchoolStandings(conn(), head_, policy_, school_.id, 2025);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->teachers.size(), 3u);  // T09 is at the other school
  EXPECT_EQ(s->teachers[0].staff_id, staff_["T02"]);
  EXPECT_EQ(s->teachers[0].total, 90);
  EXPECT_EQ(s->teachers[0].rank, 1);
  EXPECT_EQ(s->teachers[1].total, 70);
  EXPECT_EQ(s->teachers[1].rank, 2);
  EXPECT_EQ(s->teachers[2].total, 70);
  EXPECT_EQ(s->teachers[2].rank, 2);  // a tie shares the rank

  auto find = [](const Standing& st, const std::string& id) {
    for (const auto& e : st.eligibility) {
      if (e.list_id == id) return e;
    }
    return Standing::Eligibility{};
  };
  const Standing& vetoed = s->teachers[0];
  EXPECT_TRUE(vetoed.veto.vetoed);
  // 90 points, but the veto blocks awards and title promotion — with the reason.
  EXPECT_FALSE(find(vetoed, "awards").eligible);
  EXPECT_NE(find(vetoed, "awards").reason_zh.find("一票否决"), std::string::npos);
  EXPECT_NE(find(vetoed, "awards").reason_zh.find("警告"), std::string::npos);
  EXPECT_FALSE(find(vetoed, "title_promotion").eligible);
  EXPECT_TRUE(find(vetoed, "performance_pay").eligible);
  EXPECT_TRUE(find(vetoed, "contract_renewal").eligible);
  // 70 points: registration yes, awards (75) no, for the points.
  const Standing& t01 = s->teachers[1].staff_id == staff_["T01"] ? s->teachers[1] : s->teachers[2];
  EXPECT_FALSE(t01.veto.vetoed);
  EXPECT_TRUE(find(t01, "registration").eligible);
  EXPECT_FALSE(find(t01, "awards").eligible);
  EXPECT_NE(find(t01, "awards").reason_en.find("below the Awards and excellence evaluation threshold 75"),
            std::string::npos);

  // The township sees both schools, each ranked on its own.
  auto t = SchoolStandings(conn(), bureau_, policy_, township_.id, 2025);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->teachers.size(), 4u);
  EXPECT_EQ(t->teachers.back().staff_id, staff_["T09"]);
  EXPECT_EQ(t->teachers.back().rank, 1);
}

TEST_P(PointsTest, ObjectionWithinTheWindowOnce) {
  auto e = Rec(head_, "T01", "extra_lessons", 2);
  ASSERT_TRUE(e.ok());
  auto ok = CheckObjection(conn(), teacher_, clock_, policy_, e->seq);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_TRUE(RecordObjection(conn(), teacher_, clock_, e->seq, 41).ok());
  auto twice = CheckObjection(conn(), teacher_, clock_, policy_, e->seq);
  EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(twice.status().field(), "entry");
  auto l = ReadTeacher(conn(), teacher_, policy_, staff_["T01"], 2025);
  EXPECT_EQ(l->entries[0].objection_case_id, 41);

  auto late = Rec(head_, "T01", "training_hours", 1);
  ASSERT_TRUE(late.ok());
  clock_.Advance(std::chrono::hours(24 * 16));
  auto past = CheckObjection(conn(), teacher_, clock_, policy_, late->seq);
  EXPECT_EQ(past.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(past.status().message(Lang::kZh).find("15 天"), std::string::npos);
  // Someone else's entry, or a non-teacher.
  auto other = Rec(head_, "T02", "training_hours", 1);
  EXPECT_EQ(CheckObjection(conn(), teacher_, clock_, policy_, other->seq).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CheckObjection(conn(), head_, clock_, policy_, other->seq).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_P(PointsTest, VerifyNamesAnEditedEntry) {
  RecordFour();
  ASSERT_TRUE(Verify().ok);
  Exec("UPDATE points_entries SET points = 30 WHERE seq = 2");
  auto r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
  EXPECT_EQ(r.reason_en, "points entry 2 was edited (hash mismatch)");
  EXPECT_EQ(r.reason_zh, "积分台账第 2 条记录被篡改(哈希不符)");
}

TEST_P(PointsTest, VerifyNamesADeletedEntry) {
  RecordFour();
  Exec("DELETE FROM points_entries WHERE seq = 2");
  auto r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
  EXPECT_NE(r.reason_en.find("deleted"), std::string::npos) << r.reason_en;
}

TEST_P(PointsTest, VerifyNamesADeletedTail) {
  RecordFour();
  Exec("DELETE FROM points_entries WHERE seq = 4");
  auto r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 4);
  EXPECT_NE(r.reason_en.find("entries after it were deleted"), std::string::npos) << r.reason_en;
}

TEST_P(PointsTest, VerifyNamesReorderedEntries) {
  RecordFour();
  Exec("UPDATE points_entries SET seq = 100 WHERE seq = 2");
  Exec("UPDATE points_entries SET seq = 2 WHERE seq = 3");
  Exec("UPDATE points_entries SET seq = 3 WHERE seq = 100");
  auto r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
  EXPECT_NE(r.reason_en.find("reordered"), std::string::npos) << r.reason_en;
}

TEST_P(PointsTest, VerifyNamesAnInsertedEntry) {
  RecordFour();
  // A well-chained entry 5 appended behind edugov's back (the head not moved).
  auto rs = conn().Query("SELECT hash FROM points_entries WHERE seq = 4");
  ASSERT_TRUE(rs.ok());
  const std::string prev = rs->GetText(0, 0);
  // Built one value at a time (GCC 12 misreads a mixed initializer list of
  // variants as possibly uninitialised).
  storage::Params row;
  for (int64_t v : {int64_t{5}, int64_t{1}, staff_["T02"], school_.id}) row.emplace_back(v);
  row.emplace_back(school_.path);
  row.emplace_back(int64_t{2025});
  for (const char* v : {"award_county", "x"}) row.emplace_back(std::string(v));
  for (int64_t v : {int64_t{1}, int64_t{5}}) row.emplace_back(v);
  for (const char* v : {"forged", ""}) row.emplace_back(std::string(v));
  row.emplace_back(int64_t{0});
  row.emplace_back(std::string("jiangying"));
  ledger::TypedEncoder enc;
  for (const auto& v : row) enc.Add(v);
  row.push_back(prev);
  row.push_back(ledger::ChainHash(prev, enc.bytes()));
  ASSERT_TRUE(conn()
                  .Execute("INSERT INTO points_entries (seq, at_us, staff_id, org_id, org_path, school_year, "
                           "rule_id, clause, quantity, points, evidence, note, corrects_seq, recorded_by, "
                           "prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)",
                           row)
                  .ok());
  auto r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 5);
  EXPECT_NE(r.reason_en.find("inserted"), std::string::npos) << r.reason_en;
}

INSTANTIATE_TEST_SUITE_P(Backends, PointsTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::points
