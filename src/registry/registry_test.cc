#include "registry/registry.h"

#include <gtest/gtest.h>

#include "registry/internal/test_support.h"

namespace edugov::registry {
namespace {

using accounts::Role;
using testing::RegistryTest;

class OrgTreeTest : public RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    township_a_ = MustCreate(bureau_, root_id_, OrgKind::kTownship, "T01", "东坪镇中心学校",
                             Stage::kNineYear, {.rural = true});
    township_b_ = MustCreate(bureau_, root_id_, OrgKind::kTownship, "T02", "梅城镇中心学校",
                             Stage::kPrimary);
    school_a1_ = MustCreate(bureau_, township_a_.id, OrgKind::kSchool, "S01", "江英学校",
                            Stage::kJunior, {.rural = true});
    school_b1_ = MustCreate(bureau_, township_b_.id, OrgKind::kSchool, "S02", "紫薇中学",
                            Stage::kJunior);
  }
  Org township_a_, township_b_, school_a1_, school_b1_;
};

TEST_P(OrgTreeTest, PathsAreMaterialised) {
  EXPECT_EQ(township_a_.path, root_path_ + std::to_string(township_a_.id) + "/");
  EXPECT_EQ(school_a1_.path, township_a_.path + std::to_string(school_a1_.id) + "/");
}

TEST_P(OrgTreeTest, SchoolUserCannotSeeAnotherSchool) {
  auto school = At(Role::kSchool, school_a1_);
  EXPECT_TRUE(GetOrg(conn(), school, school_a1_.id).ok());
  auto other = GetOrg(conn(), school, school_b1_.id);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kNotFound);
  // The same answer as an id that does not exist: nothing leaks.
  auto missing = GetOrg(conn(), school, 999999);
  EXPECT_EQ(other.status().message_en(),
            "org " + std::to_string(school_b1_.id) + " not found");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetOrg(conn(), school, township_a_.id).status().code(), StatusCode::kNotFound);
}

TEST_P(OrgTreeTest, TownshipSeesOnlyItsSchools) {
  auto township = At(Role::kTownship, township_a_);
  auto children = ListChildren(conn(), township, township_a_.id);
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children->size(), 1u);
  EXPECT_EQ((*children)[0].org.name, "江英学校");
  EXPECT_EQ(GetOrg(conn(), township, school_b1_.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ListChildren(conn(), township, root_id_).status().code(), StatusCode::kNotFound);
}

TEST_P(OrgTreeTest, BreadcrumbStopsAtTheUsersSubtree) {
  auto detail = GetOrg(conn(), bureau_, school_a1_.id);
  ASSERT_TRUE(detail.ok());
  ASSERT_EQ(detail->ancestors.size(), 2u);
  EXPECT_EQ(detail->ancestors[0].id, root_id_);
  EXPECT_EQ(detail->ancestors[1].id, township_a_.id);
  auto township_view = GetOrg(conn(), At(Role::kTownship, township_a_), school_a1_.id);
  ASSERT_TRUE(township_view.ok());
  ASSERT_EQ(township_view->ancestors.size(), 1u);
  EXPECT_EQ(township_view->ancestors[0].id, township_a_.id);
}

TEST_P(OrgTreeTest, TeacherAndInspectorCannotWrite) {
  for (Role role : {Role::kTeacher, Role::kInspector}) {
    auto p = At(role, school_a1_);
    auto c = CreateClass(conn(), p, clock_, school_a1_.id, {7, "七年级1班", 40});
    EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied);
    auto u = UpdateOrg(conn(), p, clock_, school_a1_.id, {.name = "x"});
    EXPECT_EQ(u.status().code(), StatusCode::kPermissionDenied);
  }
}

TEST_P(OrgTreeTest, SchoolEditsItsClassesButNotItsFlags) {
  auto school = At(Role::kSchool, school_a1_);
  EXPECT_TRUE(CreateClass(conn(), school, clock_, school_a1_.id, {7, "七年级1班", 40}).ok());
  auto u = UpdateOrg(conn(), school, clock_, school_a1_.id, {.boarding = true});
  EXPECT_EQ(u.status().code(), StatusCode::kPermissionDenied);
  auto c = CreateOrg(conn(), school, clock_,
                     {school_a1_.id, OrgKind::kSchool, "S99", "新学校", Stage::kPrimary, {}});
  EXPECT_FALSE(c.ok());
}

TEST_P(OrgTreeTest, TownshipCreatesSchoolsUnderItButNotTownships) {
  auto township = At(Role::kTownship, township_a_);
  auto s = CreateOrg(conn(), township, clock_,
                     {township_a_.id, OrgKind::kSchool, "S10", "东坪镇完小", Stage::kPrimary, {}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(UpdateOrg(conn(), township, clock_, s->id, {.canteen = true}).ok());
  auto t = CreateOrg(conn(), township, clock_,
                     {root_id_, OrgKind::kTownship, "T10", "新乡", Stage::kPrimary, {}});
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);  // root is outside its subtree
  auto own = UpdateOrg(conn(), township, clock_, township_a_.id, {.boarding = true});
  EXPECT_EQ(own.status().code(), StatusCode::kPermissionDenied);
}

TEST_P(OrgTreeTest, ValidationErrorsNameTheField) {
  auto no_stage = CreateOrg(conn(), bureau_, clock_,
                            {township_a_.id, OrgKind::kSchool, "S20", "无学段学校", {}, {}});
  EXPECT_EQ(no_stage.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_stage.status().field(), "stage");
  EXPECT_NE(no_stage.status().message_zh(), no_stage.status().message_en());

  auto bad_code = CreateOrg(conn(), bureau_, clock_,
                            {township_a_.id, OrgKind::kSchool, "S 20", "学校", Stage::kPrimary});
  EXPECT_EQ(bad_code.status().field(), "code");
  auto dup = CreateOrg(conn(), bureau_, clock_,
                       {township_a_.id, OrgKind::kSchool, "S01", "重复", Stage::kPrimary});
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().field(), "code");
  auto bad_kind = CreateOrg(conn(), bureau_, clock_,
                            {school_a1_.id, OrgKind::kTownship, "T30", "乡", Stage::kPrimary});
  EXPECT_EQ(bad_kind.status().field(), "kind");

  auto grade = CreateClass(conn(), bureau_, clock_, school_a1_.id, {3, "三年级1班", 30});
  EXPECT_EQ(grade.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(grade.status().field(), "grade");
  auto students = CreateClass(conn(), bureau_, clock_, school_a1_.id, {7, "七年级1班", -1});
  EXPECT_EQ(students.status().field(), "students");
  auto empty_name = CreateClass(conn(), bureau_, clock_, school_a1_.id, {7, "", 3});
  EXPECT_EQ(empty_name.status().field(), "name");
}

TEST_P(OrgTreeTest, DeleteRefusesNonEmptyOrgs) {
  auto del = DeleteOrg(conn(), bureau_, clock_, township_a_.id);
  EXPECT_EQ(del.code(), StatusCode::kFailedPrecondition);
  auto cls = CreateClass(conn(), bureau_, clock_, school_a1_.id, {7, "七年级1班", 40});
  ASSERT_TRUE(cls.ok());
  EXPECT_EQ(DeleteOrg(conn(), bureau_, clock_, school_a1_.id).code(),
            StatusCode::kFailedPrecondition);
  REG_ASSERT_OK(DeleteClass(conn(), bureau_, clock_, cls->id));
  REG_ASSERT_OK(DeleteOrg(conn(), bureau_, clock_, school_a1_.id));
  EXPECT_EQ(GetOrg(conn(), bureau_, school_a1_.id).status().code(), StatusCode::kNotFound);
}

TEST_P(OrgTreeTest, StaffAtAnOrgBlocksItsDeletion) {
  auto s = CreateStaff(conn(), bureau_, clock_, school_b1_.id,
                       {.code = "E1", .name = "李华", .gender = Gender::kMale,
                        .posts = {Post::kTeacher}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(DeleteOrg(conn(), bureau_, clock_, school_b1_.id).code(),
            StatusCode::kFailedPrecondition);
}

TEST_P(OrgTreeTest, CountsRollUpBySubtreeTownshipAndStage) {
  ASSERT_TRUE(CreateClass(conn(), bureau_, clock_, school_a1_.id, {7, "七年级1班", 40}).ok());
  ASSERT_TRUE(CreateClass(conn(), bureau_, clock_, school_a1_.id, {8, "八年级1班", 30}).ok());
  ASSERT_TRUE(CreateClass(conn(), bureau_, clock_, township_a_.id, {1, "一年级1班", 20}).ok());
  ASSERT_TRUE(CreateClass(conn(), bureau_, clock_, school_b1_.id, {9, "九年级1班", 50}).ok());
  ASSERT_TRUE(CreateStaff(conn(), bureau_, clock_, school_a1_.id,
                          {.code = "E1", .name = "王芳", .posts = {Post::kPrincipal}})
                  .ok());
  auto root = GetOrg(conn(), bureau_, root_id_);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->counts.townships, 2);
  EXPECT_EQ(root->counts.schools, 4);  // two central schools + two schools
  EXPECT_EQ(root->counts.classes, 4);
  EXPECT_EQ(root->counts.students, 140);
  EXPECT_EQ(root->counts.staff, 1);

  auto children = ListChildren(conn(), bureau_, root_id_);
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children->size(), 2u);
  EXPECT_EQ((*children)[0].org.code, "T01");
  EXPECT_EQ((*children)[0].counts.classes, 3);
  EXPECT_EQ((*children)[0].counts.students, 90);
  EXPECT_EQ((*children)[0].counts.schools, 2);

  auto overview = GetOverview(conn(), bureau_, root_id_);
  ASSERT_TRUE(overview.ok());
  ASSERT_EQ(overview->by_township.size(), 2u);
  EXPECT_EQ(overview->by_township[0].counts.classes + overview->by_township[1].counts.classes, 4);
  ASSERT_EQ(overview->by_stage.size(), 3u);
  EXPECT_EQ(overview->by_stage[0].stage, Stage::kPrimary);
  EXPECT_EQ(overview->by_stage[2].stage, Stage::kJunior);
  EXPECT_EQ(overview->by_stage[2].schools, 2);
  EXPECT_EQ(overview->by_stage[2].students, 120);
}

TEST_P(OrgTreeTest, UpdateIsPartialAndAudited) {
  auto u = UpdateOrg(conn(), bureau_, clock_, school_a1_.id, {.boarding = true});
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->flags.boarding);
  EXPECT_TRUE(u->flags.rural);  // untouched
  EXPECT_EQ(u->name, "江英学校");
  auto rs = conn().Query("SELECT COUNT(*) FROM audit_log WHERE action = 'org.update'");
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(rs->GetInt(0, 0), 1);
}

TEST_P(OrgTreeTest, ChangingStageMustKeepExistingClassesValid) {
  ASSERT_TRUE(CreateClass(conn(), bureau_, clock_, school_a1_.id, {9, "九年级1班", 40}).ok());
  auto u = UpdateOrg(conn(), bureau_, clock_, school_a1_.id, {.stage = Stage::kPrimary});
  EXPECT_EQ(u.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(u.status().field(), "stage");
}

TEST_P(OrgTreeTest, ListStaffFiltersByPostAndPages) {
  for (int i = 0; i < 5; ++i) {
    std::vector<Post> posts = {i == 0 ? Post::kPrincipal : Post::kTeacher};
    if (i == 0) posts.push_back(Post::kPartySecretary);
    ASSERT_TRUE(CreateStaff(conn(), bureau_, clock_, school_a1_.id,
                            {.code = "E" + std::to_string(i), .name = "教师" + std::to_string(i),
                             .posts = posts})
                    .ok());
  }
  auto page = ListStaff(conn(), bureau_, township_a_.id, {.offset = 1, .limit = 2});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 5);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].code, "E1");
  auto principals = ListStaff(conn(), bureau_, root_id_, {.post = Post::kPartySecretary});
  ASSERT_TRUE(principals.ok());
  ASSERT_EQ(principals->total, 1);
  EXPECT_EQ(principals->items[0].posts,
            (std::vector<Post>{Post::kPrincipal, Post::kPartySecretary}));
  EXPECT_EQ(ListStaff(conn(), bureau_, root_id_, {.limit = 0}).status().field(), "limit");
}

TEST_P(OrgTreeTest, PostingsMoveStaffAndFreezeTheRuralFlag) {
  auto s = CreateStaff(conn(), bureau_, clock_, school_a1_.id,
                       {.code = "E1", .name = "张伟", .hired_on = Date::FromYmd(2020, 9, 1),
                        .posts = {Post::kTeacher}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto p = AddPosting(conn(), bureau_, clock_, s->id, {school_b1_.id, Date::FromYmd(2024, 9, 1)});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  // Re-flagging the old school later does not rewrite the history.
  ASSERT_TRUE(UpdateOrg(conn(), bureau_, clock_, school_a1_.id, {.rural = false}).ok());
  auto detail = GetStaff(conn(), bureau_, clock_, s->id);
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->staff.org_id, school_b1_.id);
  ASSERT_EQ(detail->postings.size(), 2u);
  EXPECT_TRUE(detail->postings[0].rural);
  EXPECT_EQ(detail->postings[0].end_date, Date::FromYmd(2024, 9, 1));
  EXPECT_FALSE(detail->postings[1].end_date.has_value());
  EXPECT_NEAR(detail->rural_years, 4.0, 0.01);
  // The old school no longer sees the member; the new one does.
  EXPECT_EQ(GetStaff(conn(), At(Role::kSchool, school_a1_), clock_, s->id).status().code(),
            StatusCode::kNotFound);
  auto early = AddPosting(conn(), bureau_, clock_, s->id, {school_a1_.id, Date::FromYmd(2023, 1, 1)});
  EXPECT_EQ(early.status().field(), "start_date");
}

Posting P(Date start, std::optional<Date> end, bool rural) {
  Posting p;
  p.start_date = start;
  p.end_date = end;
  p.rural = rural;
  return p;
}

TEST(RuralTeachingYearsTest, SumsRuralPostingsOnly) {
  std::vector<Posting> ps = {P(Date::FromYmd(2010, 1, 1), Date::FromYmd(2013, 1, 1), true),
                             P(Date::FromYmd(2013, 1, 1), Date::FromYmd(2020, 1, 1), false)};
  EXPECT_NEAR(RuralTeachingYears(ps, Date::FromYmd(2025, 1, 1)), 3.0, 0.01);
}

TEST(RuralTeachingYearsTest, OverlapsCountOnce) {
  std::vector<Posting> ps = {P(Date::FromYmd(2010, 1, 1), Date::FromYmd(2014, 1, 1), true),
                             P(Date::FromYmd(2012, 1, 1), Date::FromYmd(2016, 1, 1), true),
                             P(Date::FromYmd(2015, 1, 1), Date::FromYmd(2015, 6, 1), true)};
  EXPECT_NEAR(RuralTeachingYears(ps, Date::FromYmd(2025, 1, 1)), 6.0, 0.01);
}

TEST(RuralTeachingYearsTest, OpenPostingRunsToAsOfAndLaterDaysAreClipped) {
  std::vector<Posting> ps = {P(Date::FromYmd(2022, 1, 1), std::nullopt, true),
                             P(Date::FromYmd(2010, 1, 1), Date::FromYmd(2030, 1, 1), false)};
  EXPECT_NEAR(RuralTeachingYears(ps, Date::FromYmd(2024, 1, 1)), 2.0, 0.01);
  // A posting that starts after as_of contributes nothing.
  ps.push_back(P(Date::FromYmd(2026, 1, 1), std::nullopt, true));
  EXPECT_NEAR(RuralTeachingYears(ps, Date::FromYmd(2024, 1, 1)), 2.0, 0.01);
  std::vector<Posting> clipped = {P(Date::FromYmd(2020, 1, 1), Date::FromYmd(2030, 1, 1), true)};
  EXPECT_NEAR(RuralTeachingYears(clipped, Date::FromYmd(2023, 1, 1)), 3.0, 0.01);
  EXPECT_EQ(RuralTeachingYears({}, Date::FromYmd(2023, 1, 1)), 0.0);
}

TEST(EnumsTest, ChineseLabelsParse) {
  EXPECT_EQ(ParseStage("九年一贯制"), Stage::kNineYear);
  EXPECT_EQ(ParseStage("primary"), Stage::kPrimary);
  EXPECT_EQ(ParsePost("书记"), Post::kPartySecretary);
  EXPECT_EQ(ParseGender("女"), Gender::kFemale);
  EXPECT_FALSE(ParseStage("大学").has_value());
  EXPECT_EQ(GradeRange(Stage::kCompleteSecondary), std::make_pair(7, 12));
}

TEST(ChinaDateTest, UsesUtcPlus8) {
  EXPECT_EQ(ChinaDate(ParseTimestamp("2025-03-02T16:30:00Z").value()), Date::FromYmd(2025, 3, 3));
  EXPECT_EQ(ChinaDate(ParseTimestamp("2025-03-02T15:30:00Z").value()), Date::FromYmd(2025, 3, 2));
}

REGISTRY_INSTANTIATE(OrgTreeTest);

}  // namespace
}  // namespace edugov::registry
