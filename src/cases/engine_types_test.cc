// Each shipped case type end to end, the role matrix, frozen approvals,
// sanctions and rectifications opened from findings.
#include <gtest/gtest.h>

#include "cases/engine.h"
#include "cases/test_fixture.h"
#include "ledger/sanctions.h"

namespace edugov::cases {
namespace {

using json = nlohmann::json;
using storage::Backend;
using testfx::Fixture;
using testfx::Png;

class TypesTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    fx = Fixture::Make(GetParam());
    ASSERT_NE(fx, nullptr);
  }
  CaseEngine& engine() { return *fx->engine; }
  static Actor As(const accounts::Principal& p) { return Actor::User(p); }

  // Moves case `id` by `transition` as `p`, asserting success.
  CaseView Step(const accounts::Principal& p, int64_t id, const std::string& transition, json fields = json::object(),
                std::string comment = "已处理", std::vector<AttachmentInput> files = {}) {
    auto v = engine().Transition(As(p), id, {.transition = transition, .comment = comment,
                                             .fields = std::move(fields), .attachments = std::move(files)});
    EXPECT_TRUE(v.ok()) << transition << " by " << p.username << ": " << v.status().ToString();
    return v.ok() ? *v : CaseView{};
  }

  std::unique_ptr<Fixture> fx;
};

// Required fields of each shipped type, enough to open one.
json MinimalFields(const std::string& type) {
  if (type == "complaint") return {{"category", "illegal_fees"}, {"text", "班主任要求每人交班费两百元"}};
  if (type == "rectification") return {{"category", "fees"}, {"description", "违规收取班费"}};
  if (type == "approval") return {{"kind", "activity"}, {"description", "消防安全进校园"}};
  if (type == "hazard") return {{"grade", "general"}, {"description", "教学楼消防栓无水"}};
  if (type == "dropout") return {{"child_name", "小明"}, {"grade", 8}, {"reason", "work"}};
  if (type == "misconduct") return {{"category", "corporal_punishment"}, {"text", "罚站两节课"}};
  if (type == "points_objection") return {{"entry_seq", 1}, {"text", "培训学时少计"}};
  return json::object();
}

TEST_P(TypesTest, EveryTransitionIsRefusedToTheWrongRole) {
  int refused = 0;
  for (const CaseType& type : fx->types->types()) {
    auto opened = engine().Open(Actor::System(), {.case_type = type.id, .org_id = fx->school,
                                                  .staff_id = fx->teacher_staff, .fields = MinimalFields(type.id)});
    ASSERT_TRUE(opened.ok()) << type.id << ": " << opened.status().ToString();
    const CaseView& c = opened->view;
    for (const TransitionSpec& tr : type.transitions) {
      for (const accounts::Principal* p : fx->Everyone()) {
        bool may = false;
        for (const RoleToken& t : tr.roles) {
          if (t.role == "assignee") {
            may = may || (c.assignee_level == "school" && p->role == accounts::Role::kSchool && p->org_id == c.assignee_org_id) ||
                  (c.assignee_level == "township" && p->role == accounts::Role::kTownship && p->org_id == c.assignee_org_id) ||
                  (c.assignee_level == "department" && p->role == accounts::Role::kBureauDept &&
                   p->department == c.assignee_department) ||
                  (c.assignee_level == "leadership" && p->role == accounts::Role::kBureauLeader);
          } else if (t.role == accounts::RoleName(p->role) && (t.department.empty() || t.department == p->department)) {
            may = true;
          }
        }
        if (may) continue;
        auto r = engine().Transition(As(*p), c.id, {.transition = tr.id, .comment = "x", .fields = json::object()});
        ASSERT_FALSE(r.ok()) << type.id << "." << tr.id << " by " << p->username;
        if (r.status().code() == StatusCode::kNotFound) continue;  // cannot even see it
        EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << type.id << "." << tr.id << " by " << p->username;
        EXPECT_NE(r.status().message_en().find("'" + tr.id + "'"), std::string::npos) << r.status().message_en();
        EXPECT_NE(r.status().message_zh().find(tr.label.zh), std::string::npos) << r.status().message_zh();
        ++refused;
      }
    }
    auto after = engine().Get(Actor::System(), c.id);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->version, 1) << type.id << ": a refused transition changed the case";
    EXPECT_EQ(after->events.size(), 1u) << type.id;
  }
  EXPECT_GT(refused, 200);
}

TEST_P(TypesTest, WrongRoleOfAnotherSchoolCannotSeeTheCase) {
  auto o = engine().Open(Actor::System(), {.case_type = "hazard", .org_id = fx->school, .fields = MinimalFields("hazard")});
  ASSERT_TRUE(o.ok());
  auto r = engine().Transition(As(fx->head_b), o->view.id, {.transition = "submit"});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST_P(TypesTest, RectificationHappyPathWithRejection) {
  auto o = engine().Open(As(fx->supervision), {.case_type = "rectification", .org_id = fx->school,
                                               .fields = {{"category", "meals"}, {"description", "食堂留样不全"},
                                                          {"due_working_days", 3}}});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->view.ref.substr(0, 2), "ZG");
  // A meal problem names the principal as accountable.
  EXPECT_EQ(o->view.staff_id, fx->principal);
  EXPECT_EQ(o->view.assignee_level, "school");
  // Opened Monday 1 September with 3 working days: Thursday 4 September.
  EXPECT_EQ(FormatTimestamp(FromUnixMicros(*o->view.due_at_us)), "2025-09-04T23:59:59+08:00");
  const int64_t id = o->view.id;
  auto no_evidence = engine().Transition(As(fx->head), id, {.transition = "submit", .fields = {{"measures", "补齐留样"}}});
  EXPECT_EQ(no_evidence.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_evidence.status().field(), "attachments");
  Step(fx->head, id, "submit", {{"measures", "补齐留样"}}, "已整改", {Png()});
  CaseView v = Step(fx->town, id, "reject", json::object(), "留样记录不完整，请补充");
  EXPECT_EQ(v.state, "open");
  Step(fx->head, id, "submit", {{"measures", "补齐留样并建立台账"}}, "已整改", {Png("ledger.png")});
  v = Step(fx->town, id, "verify");
  EXPECT_EQ(v.state, "closed");
  EXPECT_EQ(v.attachments.size(), 2u);
  ASSERT_FALSE(fx->notifier.notices.empty());
  EXPECT_EQ(fx->notifier.notices.back().kind, "closed");
  EXPECT_EQ(fx->notifier.notices.back().level, "school");  // the school hears it is signed off
  EXPECT_EQ(fx->notifier.notices.back().org_id, fx->school);
}

TEST_P(TypesTest, HazardDeadlineByGrade) {
  // From Monday 1 September: 5 → 8 Sep; 10 → 15 Sep; 20 → Sunday 28 Sep (a make-up
  // working day); 30 → 17 Oct, across the National Day holiday.
  for (const auto& [grade, due] : std::vector<std::pair<std::string, std::string>>{
           {"major", "2025-09-08"}, {"high", "2025-09-15"}, {"general", "2025-09-28"}, {"low", "2025-10-17"}}) {
    auto o = engine().Open(As(fx->head), {.case_type = "hazard", .org_id = fx->school,
                                          .fields = {{"grade", grade}, {"description", "围墙开裂"}}});
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    EXPECT_EQ(o->view.category, grade);
    EXPECT_EQ(FormatTimestamp(FromUnixMicros(*o->view.due_at_us)), due + "T23:59:59+08:00") << grade;
  }
  auto o = engine().Open(As(fx->head), {.case_type = "hazard", .org_id = fx->school,
                                        .fields = {{"grade", "major"}, {"description", "化学品柜未上锁"}}});
  ASSERT_TRUE(o.ok());
  Step(fx->head, o->view.id, "submit", {{"measures", "加装双人双锁"}}, "已整改", {Png()});
  CaseView v = Step(fx->safety, o->view.id, "verify");
  EXPECT_EQ(v.state, "closed");
}

TEST_P(TypesTest, DropoutThreeHelpersAndConfidentialChild) {
  auto o = engine().Open(As(fx->head), {.case_type = "dropout", .org_id = fx->school,
                                        .fields = {{"child_name", "王小明"}, {"grade", 8}, {"reason", "work"},
                                                   {"guardian_phone", "13912345678"}}});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  const int64_t id = o->view.id;
  EXPECT_FALSE(o->view.confidential.has_value());
  auto missing = engine().Transition(As(fx->head), id, {.transition = "assign_helpers",
                                                        .fields = {{"helper_teacher", fx->teacher_staff}}});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  Step(fx->head, id, "assign_helpers",
       {{"helper_teacher", fx->teacher_staff}, {"helper_cadre", "村支书刘某"}, {"helper_parent", "家委会陈某"}});
  Step(fx->town, id, "record_visit", json::object(), "第二次家访，家长同意返校");
  CaseView v = Step(fx->head, id, "return_to_school", {{"returned_on", "2025-09-15"}}, "已返校");
  EXPECT_EQ(v.state, "returned");
  auto seen = engine().Get(As(fx->head), id);
  ASSERT_TRUE(seen.ok());
  EXPECT_FALSE(seen->confidential.has_value());
  EXPECT_EQ(seen->fields.dump().find("王小明"), std::string::npos);
  auto aid = engine().Get(As(fx->student_aid), id);
  ASSERT_TRUE(aid.ok());
  ASSERT_TRUE(aid->confidential.has_value());
  EXPECT_EQ((*aid->confidential)["child_name"], "王小明");
  // Only the readers may change the child's data later.
  auto r = engine().Transition(As(fx->town), id, {.transition = "record_visit", .comment = "x",
                                                  .fields = {{"child_name", "别人"}}});
  EXPECT_FALSE(r.ok());
}

TEST_P(TypesTest, StudyTourFieldsFrozenFromApproval) {
  auto o = engine().Open(As(fx->head), {.case_type = "approval", .org_id = fx->school,
                                        .fields = {{"kind", "study_tour"}, {"description", "八年级红色研学"},
                                                   {"students", 120}, {"consent_count", 118},
                                                   {"parents_informed", true}, {"base", "韶山毛泽东同志纪念馆"},
                                                   {"place", "韶山"}, {"start_date", "2025-10-20"},
                                                   {"end_date", "2025-10-21"}, {"funding", 36000}}});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  const int64_t id = o->view.id;
  EXPECT_EQ(o->view.assignee_department, "basic_education");
  CaseView v = Step(fx->basic_edu, id, "approve");
  EXPECT_EQ(v.state, "approved");
  // A non-frozen change keeps the approval.
  v = Step(fx->head, id, "amend", {{"description", "八年级红色研学（含安全预案）"}}, "补充安全预案");
  EXPECT_EQ(v.state, "approved");
  // Changing the place sends it back for approval.
  v = Step(fx->head, id, "amend", {{"place", "井冈山"}}, "改去井冈山");
  EXPECT_EQ(v.state, "submitted");
  EXPECT_NE(v.events.back().comment.find("地点"), std::string::npos) << v.events.back().comment;
  EXPECT_EQ(v.assignee_department, "basic_education");
  v = Step(fx->basic_edu, id, "approve");
  EXPECT_EQ(v.state, "approved");
  v = Step(fx->head, id, "amend", {{"students", 130}}, "增加学生");
  EXPECT_EQ(v.state, "submitted");
  // Setting the same value again is no change.
  Step(fx->basic_edu, id, "approve");
  v = Step(fx->head, id, "amend", {{"students", 130}, {"funding", 36000.0}}, "核对");
  EXPECT_EQ(v.state, "approved");
  v = Step(fx->head, id, "complete");
  EXPECT_EQ(v.state, "completed");
}

TEST_P(TypesTest, MisconductDecisionWritesTheSanctionsLedger) {
  auto o = engine().Open(As(fx->discipline), {.case_type = "misconduct", .org_id = fx->school,
                                              .staff_id = fx->teacher_staff,
                                              .fields = {{"category", "corporal_punishment"}, {"text", "罚学生跑操场二十圈"}}});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->view.ref.substr(0, 2), "SD");
  auto missing = engine().Transition(As(fx->discipline), o->view.id,
                                     {.transition = "decide", .comment = "属实", .fields = {{"findings", "属实"}}});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  auto bad = engine().Transition(As(fx->discipline), o->view.id,
                                 {.transition = "decide", .comment = "属实",
                                  .fields = {{"findings", "属实"}, {"measure", "fine"}, {"veto_year", 2025}}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().field(), "fields.measure");
  CaseView v = Step(fx->discipline, o->view.id, "decide",
                    {{"findings", "经调查属实"}, {"measure", "warning"}, {"veto_year", 2025}}, "给予警告处分");
  EXPECT_EQ(v.state, "decided");
  auto conn = fx->db().Acquire();
  auto vetoed = ledger::IsVetoed(**conn, fx->teacher_staff, 2025);
  ASSERT_TRUE(vetoed.ok()) << vetoed.status().ToString();
  EXPECT_TRUE(*vetoed);
  auto records = ledger::ReadSanctions(**conn, fx->teacher_staff, "");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].entry.measure, "warning");
  EXPECT_EQ((*records)[0].entry.case_id, o->view.id);
  EXPECT_EQ((*records)[0].entry.accountable.size(), 2u);  // principal and party secretary
}

// Regression: a county-level misconduct case (no org_id) failed at decide
// because the sanctions ledger needs an org; it now takes the staff member's school.
TEST_P(TypesTest, CountyLevelMisconductSanctionsAtTheStaffMembersSchool) {
  auto o = engine().Open(As(fx->discipline), {.case_type = "misconduct", .staff_id = fx->teacher_staff,
                                              .fields = {{"category", "corporal_punishment"}, {"text", "县级督办线索"}}});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  CaseView v = Step(fx->discipline, o->view.id, "decide",
                    {{"findings", "经调查属实"}, {"measure", "demerit"}, {"veto_year", 2025}}, "给予记过处分");
  EXPECT_EQ(v.state, "decided");
  auto conn = fx->db().Acquire();
  auto records = ledger::ReadSanctions(**conn, fx->teacher_staff, "");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].entry.org_id, fx->school);
  auto path = (**conn).Query("SELECT path FROM orgs WHERE id = $1", {fx->school});
  ASSERT_TRUE(path.ok());
  EXPECT_EQ((*records)[0].entry.org_path, path->GetText(0, 0));
  EXPECT_EQ((*records)[0].entry.accountable.size(), 2u);  // that school's principal and party secretary
  auto vetoed = ledger::IsVetoed(**conn, fx->teacher_staff, 2025);
  ASSERT_TRUE(vetoed.ok());
  EXPECT_TRUE(*vetoed);
}

TEST_P(TypesTest, ComplaintReferredToMisconductOpensALinkedCase) {
  auto o = engine().Open(As(fx->petitions), {.case_type = "complaint", .org_id = fx->school, .staff_id = fx->teacher_staff,
                                             .fields = {{"category", "corporal_punishment"}, {"text", "老师打学生耳光"}}});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  const int64_t id = o->view.id;
  Step(fx->petitions, id, "dispatch", {{"lead_org_id", fx->school}});
  Step(fx->head, id, "answer", {{"finding", "substantiated"}}, "情况属实", {Png()});
  CaseView v = Step(fx->petitions, id, "refer_misconduct", json::object(), "移送纪检");
  EXPECT_EQ(v.state, "answered");
  ASSERT_EQ(v.links.size(), 1u);
  EXPECT_EQ(v.links[0].kind, "led_to");
  EXPECT_EQ(v.links[0].other_type, "misconduct");
  auto m = engine().Get(As(fx->discipline), v.links[0].other_case_id);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->state, "investigating");
  EXPECT_EQ(m->category, "corporal_punishment");
  EXPECT_EQ(m->staff_id, fx->teacher_staff);
  EXPECT_EQ(m->source_kind, "complaint");
  ASSERT_EQ(m->links.size(), 1u);
  EXPECT_EQ(m->links[0].kind, "led_from");
}

TEST_P(TypesTest, ComplaintOrdersARectificationNamingThePrincipal) {
  auto o = engine().Open(As(fx->petitions), {.case_type = "complaint", .org_id = fx->school,
                                             .fields = {{"category", "meals"}, {"text", "食堂饭菜变质"}}});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  Step(fx->petitions, o->view.id, "dispatch", {{"lead_org_id", fx->school}});
  Step(fx->head, o->view.id, "answer", {{"finding", "substantiated"}}, "属实，已停用该批食材", {Png()});
  CaseView v = Step(fx->supervision, o->view.id, "order_rectification", json::object(), "责令限期整改");
  ASSERT_EQ(v.links.size(), 1u);
  auto r = engine().Get(As(fx->head), v.links[0].other_case_id);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->case_type, "rectification");
  EXPECT_EQ(r->category, "meals");
  EXPECT_EQ(r->staff_id, fx->principal);  // a meal problem: the principal first
  EXPECT_EQ(r->source_kind, "complaint");
  EXPECT_EQ(r->source_id, o->view.id);
  EXPECT_EQ(r->assignee_level, "school");
  // A category the rectification type lacks falls back to "complaint".
  auto f = engine().Open(As(fx->petitions), {.case_type = "complaint", .org_id = fx->school,
                                             .fields = {{"category", "app_quota"}, {"text", "强制下载APP打卡"}}});
  ASSERT_TRUE(f.ok());
  Step(fx->petitions, f->view.id, "dispatch", {{"lead_org_id", fx->school}});
  Step(fx->head, f->view.id, "answer", {{"finding", "partly"}}, "已停止", {Png()});
  v = Step(fx->petitions, f->view.id, "order_rectification", json::object(), "整改");
  auto r2 = engine().Get(As(fx->head), v.links[0].other_case_id);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->category, "complaint");
}

StatusOr<int64_t> AddFinding(storage::Database& db, const std::string& rule, const std::string& entity_type,
                             int64_t entity, const std::string& path, const std::string& period = "2025-09-01") {
  ASSIGN_OR_RETURN(storage::ConnectionHandle c, db.Acquire());
  ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      c->Query("INSERT INTO findings (rule_id, clause, severity, entity_type, entity_id, org_path, period_kind, "
               "period_start, period_end, comparison, parameters_json, evidence_json, status, first_seen_on, "
               "last_seen_on, created_at, updated_at) VALUES ($1, '3', 'major', $2, $3, $4, 'semester', "
               "$5, '2026-01-31', '>=', '[]', '{}', 'open', '2025-09-01', '2025-09-01', 0, 0) RETURNING id",
               {rule, entity_type, entity, path, period}));
  return rs.GetInt(0, 0);
}

CaseEngine::FindingState Finding(int64_t id, const std::string& rule, int64_t org, const std::string& status = "open") {
  return {.id = id, .rule_id = rule, .clause = "3", .status = status, .org_id = org,
          .summary_zh = "问题 #" + std::to_string(id)};
}

TEST_P(TypesTest, RectificationsFromFindingsAreIdempotent) {
  auto conn = fx->db().Acquire();
  auto path = (**conn).Query("SELECT path FROM orgs WHERE id = $1", {fx->school});
  const std::string p = path->GetText(0, 0);
  auto a = AddFinding(fx->db(), "canteen-inspections-per-semester", "school", fx->school, p);
  auto b = AddFinding(fx->db(), "fee-inspections-per-semester", "school", fx->school_c, "/x/");
  auto c = AddFinding(fx->db(), "fee-full-inspection-per-semester", "county", fx->county, "/");
  auto d = AddFinding(fx->db(), "not-in-the-map", "school", fx->school, p);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  const std::vector<CaseEngine::FindingState> findings = {
      Finding(*a, "canteen-inspections-per-semester", fx->school),
      Finding(*b, "fee-inspections-per-semester", fx->school_c),
      Finding(*c, "fee-full-inspection-per-semester", fx->county), Finding(*d, "not-in-the-map", fx->school)};
  const std::map<std::string, CaseEngine::FindingCaseSpec> specs = {
      {"canteen-inspections-per-semester", {"school", 5}}, {"fee-inspections-per-semester", {"county", 10}},
      {"fee-full-inspection-per-semester", {"county", 10}}};
  auto n = engine().SyncRectifications(findings, specs, {});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->opened, 3);
  n = engine().SyncRectifications(findings, specs, {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->opened, 0);
  EXPECT_EQ(n->linked, 0);
  auto page = engine().List(Actor::System(), {.case_type = "rectification"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->total, 3);
  for (const CaseView& v : page->items) {
    EXPECT_EQ(v.source_kind, "finding");
    ASSERT_EQ(v.finding_ids.size(), 1u);
    if (v.category == "meals") {
      EXPECT_EQ(v.org_id, fx->school);
      EXPECT_EQ(v.staff_id, fx->principal);
      EXPECT_EQ(v.assignee_level, "school");
      EXPECT_EQ(FormatTimestamp(FromUnixMicros(*v.due_at_us)), "2025-09-08T23:59:59+08:00");
    } else {
      // The bureau must inspect: the supervision office acts, about the
      // school the finding names (or the county).
      EXPECT_EQ(v.category, "fees");
      EXPECT_EQ(v.org_id, v.title.find("梅城镇中学") != std::string::npos ? fx->school_c : 0) << v.title;
      EXPECT_EQ(v.assignee_level, "department");
      EXPECT_EQ(v.assignee_department, "supervision");
      EXPECT_EQ(FormatTimestamp(FromUnixMicros(*v.due_at_us)), "2025-09-15T23:59:59+08:00");
    }
  }
  // A school sees its own rectification only; the other township's school
  // sees the fee one about it.
  auto mine = engine().List(Actor::User(fx->head), {.case_type = "rectification"});
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->total, 1);
  auto town2 = engine().List(Actor::User(fx->town2), {.case_type = "rectification"});
  ASSERT_TRUE(town2.ok());
  EXPECT_EQ(town2->total, 1);
}

TEST_P(TypesTest, OneRectificationPerRuleAndSchoolNeverADuplicate) {
  auto conn = fx->db().Acquire();
  const std::string p = (**conn).Query("SELECT path FROM orgs WHERE id = $1", {fx->school})->GetText(0, 0);
  const std::string rule = "homework-grades-7-9-average";
  auto w1 = AddFinding(fx->db(), rule, "class", 11, p, "2025-09-01");
  auto w2 = AddFinding(fx->db(), rule, "class", 12, p, "2025-09-08");
  ASSERT_TRUE(w1.ok() && w2.ok());
  const std::map<std::string, CaseEngine::FindingCaseSpec> specs = {{rule, {"school", 5}}};
  std::vector<CaseEngine::FindingState> findings = {Finding(*w1, rule, fx->school), Finding(*w2, rule, fx->school)};
  auto n = engine().SyncRectifications(findings, specs, {});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->opened, 1);
  // A third week over the limit joins the same rectification.
  auto w3 = AddFinding(fx->db(), rule, "class", 11, p, "2025-09-15");
  ASSERT_TRUE(w3.ok());
  findings.push_back(Finding(*w3, rule, fx->school));
  n = engine().SyncRectifications(findings, specs, {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->opened, 0);
  EXPECT_EQ(n->linked, 1);
  auto page = engine().List(Actor::System(), {.case_type = "rectification"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->total, 1);
  EXPECT_EQ(page->items[0].finding_ids.size(), 3u);
  EXPECT_EQ(page->items[0].category, "homework");
}

TEST_P(TypesTest, RectificationFollowsTheData) {
  auto conn = fx->db().Acquire();
  const std::string p = (**conn).Query("SELECT path FROM orgs WHERE id = $1", {fx->school})->GetText(0, 0);
  const std::string rule = "canteen-inspections-per-semester";
  auto f = AddFinding(fx->db(), rule, "school", fx->school, p);
  ASSERT_TRUE(f.ok());
  const std::map<std::string, CaseEngine::FindingCaseSpec> specs = {{rule, {"school", 5}}};
  auto sync = [&](const std::string& status) {
    auto r = engine().SyncRectifications({Finding(*f, rule, fx->school, status)}, specs, {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CaseEngine::SyncReport{};
  };
  auto state = [&] {
    auto page = engine().List(Actor::System(), {.case_type = "rectification"});
    EXPECT_TRUE(page.ok() && page->total == 1);
    return page.ok() && page->total == 1 ? page->items[0] : CaseView{};
  };
  EXPECT_EQ(sync("open").opened, 1);
  EXPECT_EQ(state().state, "open");
  // New data shows it fixed: awaiting verification, the fix quoted.
  EXPECT_EQ(sync("resolved").to_verify, 1);
  CaseView v = state();
  EXPECT_EQ(v.state, "submitted");
  EXPECT_EQ(sync("resolved").to_verify, 0);  // idempotent
  // Back again before anyone verified: back to the school.
  EXPECT_EQ(sync("open").regressed, 1);
  EXPECT_EQ(state().state, "open");
  EXPECT_EQ(sync("resolved").to_verify, 1);
  // The verifier signs it off; then the problem recurs: the same case reopens.
  Step(fx->supervision, v.id, "verify");
  EXPECT_EQ(state().state, "closed");
  EXPECT_EQ(sync("resolved").to_verify, 0);
  CaseEngine::SyncReport again = sync("open");
  EXPECT_EQ(again.reopened, 1);
  EXPECT_EQ(again.opened, 0);
  EXPECT_EQ(state().state, "open");
  // Its rule leaves the pack: the case is cancelled, not left open forever.
  EXPECT_EQ(sync("withdrawn").withdrawn, 1);
  EXPECT_EQ(state().state, "cancelled");
  auto full = engine().Get(Actor::System(), v.id);
  ASSERT_TRUE(full.ok());
  std::vector<std::string> transitions;
  for (const auto& e : full->events) {
    if (!e.transition.empty()) transitions.push_back(e.transition);
  }
  EXPECT_EQ(transitions, (std::vector<std::string>{"data_fixed", "data_regressed", "data_fixed", "verify",
                                                   "data_reopened", "rule_withdrawn"}));
}

// A past week's finding cannot resolve (its data is history): a school that
// answers with evidence leaves it to the verifier, and a closed case stays
// closed — until a new violation of the same rule at the school appears.
TEST_P(TypesTest, AnAnsweredRectificationOfAPastFindingIsTheVerifiersCall) {
  auto conn = fx->db().Acquire();
  const std::string p = (**conn).Query("SELECT path FROM orgs WHERE id = $1", {fx->school})->GetText(0, 0);
  const std::string rule = "homework-grades-7-9-average";
  auto w1 = AddFinding(fx->db(), rule, "class", 11, p, "2025-09-01");
  ASSERT_TRUE(w1.ok());
  const std::map<std::string, CaseEngine::FindingCaseSpec> specs = {{rule, {"school", 5}}};
  std::vector<CaseEngine::FindingState> findings = {Finding(*w1, rule, fx->school)};
  ASSERT_EQ(engine().SyncRectifications(findings, specs, {})->opened, 1);
  auto page = engine().List(Actor::System(), {.case_type = "rectification"});
  const int64_t id = page->items[0].id;
  Step(fx->head, id, "submit", {{"measures", "已调整作业量"}}, "已整改", {Png()});
  auto again = engine().SyncRectifications(findings, specs, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->regressed, 0);
  EXPECT_EQ(engine().Get(Actor::System(), id)->state, "submitted");
  Step(fx->supervision, id, "verify");
  again = engine().SyncRectifications(findings, specs, {});
  EXPECT_EQ(again->reopened, 0);
  EXPECT_EQ(engine().Get(Actor::System(), id)->state, "closed");
  // A new week over the limit: the same case reopens, no second case.
  auto w2 = AddFinding(fx->db(), rule, "class", 11, p, "2025-09-08");
  ASSERT_TRUE(w2.ok());
  findings.push_back(Finding(*w2, rule, fx->school));
  again = engine().SyncRectifications(findings, specs, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->opened, 0);
  EXPECT_EQ(again->linked, 1);
  EXPECT_EQ(again->reopened, 1);
  EXPECT_EQ(engine().Get(Actor::System(), id)->state, "open");
}

TEST_P(TypesTest, RectificationForASchoolWithoutAnAccountGoesToItsTownship) {
  auto conn = fx->db().Acquire();
  const std::string p = (**conn).Query("SELECT path FROM orgs WHERE id = $1", {fx->school})->GetText(0, 0);
  auto f = AddFinding(fx->db(), "canteen-inspections-per-semester", "school", fx->school, p);
  ASSERT_TRUE(f.ok());
  CaseEngine::SyncOptions options;
  options.know_accounts = true;  // and no school has one
  auto r = engine().SyncRectifications({Finding(*f, "canteen-inspections-per-semester", fx->school)},
                                       {{"canteen-inspections-per-semester", {"school", 5}}}, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto page = engine().List(Actor::System(), {.case_type = "rectification"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->total, 1);
  EXPECT_EQ(page->items[0].org_id, fx->school);  // still about the school
  EXPECT_EQ(page->items[0].assignee_level, "township");
  EXPECT_EQ(page->items[0].assignee_org_id, fx->township);
}

TEST_P(TypesTest, OpeningARectificationByHandRefusesASecond) {
  auto conn = fx->db().Acquire();
  const std::string p = (**conn).Query("SELECT path FROM orgs WHERE id = $1", {fx->school})->GetText(0, 0);
  auto f = AddFinding(fx->db(), "parent-school-lessons", "school", fx->school, p);
  ASSERT_TRUE(f.ok());
  const auto state = Finding(*f, "parent-school-lessons", fx->school);
  auto opened = engine().OpenRectificationForFinding(Actor::User(fx->supervision), state, {"school", 5});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->finding_ids, std::vector<int64_t>{*f});
  auto linked = engine().RectificationOf(*f);
  ASSERT_TRUE(linked.ok() && linked->has_value());
  EXPECT_EQ((*linked)->id, opened->id);
  auto twice = engine().OpenRectificationForFinding(Actor::User(fx->supervision), state, {"school", 5});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(twice.status().field(), "case:" + std::to_string(opened->id));
  // A school may not open its own rectification.
  auto own = engine().OpenRectificationForFinding(Actor::User(fx->head),
                                                  Finding(*AddFinding(fx->db(), "x-rule", "school", fx->school, p),
                                                          "x-rule", fx->school),
                                                  {"school", 5});
  ASSERT_FALSE(own.ok());
  EXPECT_EQ(own.status().code(), StatusCode::kPermissionDenied);
}

INSTANTIATE_TEST_SUITE_P(Backends, TypesTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::cases
