#include "registry/csv_import.h"

#include <gtest/gtest.h>

#include "registry/internal/test_support.h"

namespace edugov::registry {
namespace {

using accounts::Role;

class CsvImportTest : public testing::RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    township_ = MustCreate(bureau_, root_id_, OrgKind::kTownship, "T01", "东坪镇中心学校",
                           Stage::kNineYear);
    school_ = MustCreate(bureau_, township_.id, OrgKind::kSchool, "430923001", "江英学校",
                         Stage::kNineYear);
  }
  ImportReport Import(ImportKind kind, std::string_view text) {
    auto r = ImportRegistryCsv(conn(), bureau_, clock_, kind, text);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ImportReport{};
  }
  int64_t Count(const std::string& table) {
    auto rs = conn().Query("SELECT COUNT(*) FROM " + table);
    return rs.ok() ? rs->GetInt(0, 0) : -1;
  }
  Org township_, school_;
};

TEST_P(CsvImportTest, ChineseHeadersBomAndQuotedNames) {
  auto r = Import(ImportKind::kOrgs,
                  "\xEF\xBB\xBF学校代码,学校名称,乡镇,学段,农村,寄宿\r\n"
                  "430923002,\"思源学校, 东坪校区\",东坪镇中心学校,九年一贯制,是,否\r\n"
                  "430923003,东坪中学,东坪镇中心学校,初中,0,1\r\n");
  ASSERT_TRUE(r.ok()) << r.errors[0].message_en;
  EXPECT_EQ(r.inserted, 2);
  auto org = LookupOrgByCodeUnscoped(conn(), "430923002");
  ASSERT_TRUE(org.ok() && org->has_value());
  EXPECT_EQ((*org)->name, "思源学校, 东坪校区");
  EXPECT_TRUE((*org)->flags.rural);
  EXPECT_EQ((*org)->parent_id, township_.id);
}

TEST_P(CsvImportTest, EveryBadRowIsReportedAndNothingIsWritten) {
  const int64_t before = Count("classes");
  auto r = Import(ImportKind::kClasses,
                  "school_code,grade,name,students\n"
                  "430923001,7,七年级1班,45\n"      // fine
                  "430923001,13,十三年级1班,45\n"   // row 3: grade out of range
                  "999999999,7,七年级1班,40\n"      // row 4: unknown school
                  "430923001,8,八年级1班,many\n"    // row 5: students not a number
                  "430923001,7,七年级1班,45\n");    // row 6: duplicate of row 2
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(r.errors[0].row, 3);
  EXPECT_EQ(r.errors[0].column, "grade");
  EXPECT_EQ(r.errors[1].row, 4);
  EXPECT_EQ(r.errors[1].column, "school_code");
  EXPECT_EQ(r.errors[1].value, "999999999");
  EXPECT_EQ(r.errors[2].row, 5);
  EXPECT_EQ(r.errors[2].column, "students");
  EXPECT_EQ(r.errors[3].row, 6);
  EXPECT_FALSE(r.errors[3].message_zh.empty());
  EXPECT_EQ(r.inserted, 0);
  EXPECT_EQ(Count("classes"), before);
}

TEST_P(CsvImportTest, DomainErrorsNameTheColumnAsWritten) {
  auto r = Import(ImportKind::kClasses,
                  "学校代码,年级,班级,人数\n430923001,高一,高一1班,45\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].column, "年级");
  EXPECT_EQ(r.errors[0].row, 2);
}

TEST_P(CsvImportTest, ReimportUpdatesInsteadOfDuplicating) {
  const char* v1 = "学校代码,年级,班级,人数\n430923001,七年级,七年级1班,45\n430923001,1,一年级1班,30\n";
  auto r1 = Import(ImportKind::kClasses, v1);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1.inserted, 2);
  auto r2 = Import(ImportKind::kClasses, "学校代码,年级,班级,人数\n430923001,七年级,七年级1班,47\n");
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2.inserted, 0);
  EXPECT_EQ(r2.updated, 1);
  auto classes = ListClasses(conn(), bureau_, school_.id);
  ASSERT_TRUE(classes.ok());
  ASSERT_EQ(classes->size(), 2u);
  EXPECT_EQ((*classes)[1].students, 47);
}

TEST_P(CsvImportTest, StaffWithPostsAndTransferByReimport) {
  auto other = MustCreate(bureau_, township_.id, OrgKind::kSchool, "430923009", "酉州学校",
                          Stage::kPrimary, {.rural = true});
  auto r = Import(ImportKind::kStaff,
                  "工号,姓名,性别,学校代码,职务,出生日期,入职日期,用工类型\n"
                  "E001,刘洋,男,430923001,\"校长、书记\",1975/3/1,1998-09-01,统招\n"
                  "E002,陈静,女,430923001,教师,1990-05-02,2012-09-01,特岗\n");
  ASSERT_TRUE(r.ok()) << r.errors[0].message_en;
  EXPECT_EQ(r.inserted, 2);
  auto page = ListStaff(conn(), bureau_, school_.id, {.post = Post::kPartySecretary});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->total, 1);
  EXPECT_EQ(page->items[0].name, "刘洋");

  auto moved = Import(ImportKind::kStaff, "code,school_code\nE002,430923009\n");
  ASSERT_TRUE(moved.ok()) << moved.errors[0].message_en;
  auto detail = GetStaff(conn(), bureau_, clock_, page->items[0].id + 1);
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->staff.org_id, other.id);
  EXPECT_EQ(detail->postings.size(), 2u);
}

TEST_P(CsvImportTest, UnknownAndMissingColumnsAreHeaderErrors) {
  auto r = Import(ImportKind::kClasses, "学校代码,年级,班主任\n430923001,7,张三\n");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].row, 1);
  EXPECT_EQ(r.errors[0].column, "班主任");
  EXPECT_EQ(r.errors[1].column, "name");
}

TEST_P(CsvImportTest, GbkFileFromChineseExcelImports) {
  // "学校代码,年级,班级,人数\n430923001,7,七年级1班,45\n" in GBK.
  const int64_t before = Count("classes");
  auto r = Import(ImportKind::kClasses,
                  "\xD1\xA7\xD0\xA3\xB4\xFA\xC2\xEB,\xC4\xEA\xBC\xB6,\xB0\xE0\xBC\xB6,"
                  "\xC8\xCB\xCA\xFD\n430923001,7,\xC6\xDF\xC4\xEA\xBC\xB6" "1" "\xB0\xE0,45\n");
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].message_en;
  EXPECT_EQ(Count("classes"), before + 1);
}

TEST_P(CsvImportTest, UndecodableFileGetsOneClearError) {
  auto r = Import(ImportKind::kOrgs, std::string("code,name\n\xFF\xFE\x00\x00", 14));
  ASSERT_EQ(r.errors.size(), 1u);
}

TEST_P(CsvImportTest, ScopeAppliesToEveryRow) {
  auto other_township = MustCreate(bureau_, root_id_, OrgKind::kTownship, "T02", "梅城镇中心学校",
                                   Stage::kPrimary);
  auto school_user = At(Role::kSchool, school_);
  auto r = ImportRegistryCsv(conn(), school_user, clock_, ImportKind::kClasses,
                             "学校代码,年级,班级,人数\n430923001,7,七年级1班,40\nT02,1,一年级1班,20\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].row, 3);
  EXPECT_EQ(r->errors[0].column, "学校代码");
  EXPECT_EQ(Count("classes"), 0);
  (void)other_township;

  auto teacher = At(Role::kTeacher, school_);
  EXPECT_EQ(ImportRegistryCsv(conn(), teacher, clock_, ImportKind::kClasses, "a\n").status().code(),
            StatusCode::kPermissionDenied);
}

TEST_P(CsvImportTest, ParentsMayComeEarlierInTheSameFile) {
  auto r = Import(ImportKind::kOrgs,
                  "code,name,kind,parent_code,stage\n"
                  "T05,仙溪镇中心学校,township,430923,nine_year\n"
                  "430923050,仙溪镇完小,school,T05,primary\n");
  ASSERT_TRUE(r.ok()) << r.errors[0].message_en;
  EXPECT_EQ(r.inserted, 2);
}

TEST_P(CsvImportTest, ACountysClassesInOneFile) {
  // 2,700 rows, the size of a county's class list, in one transaction.
  std::string csv = "学校代码,年级,班级,人数\n";
  for (int grade = 1; grade <= 9; ++grade) {
    for (int k = 1; k <= 300; ++k) {
      csv += "430923001," + std::to_string(grade) + "," + std::to_string(grade) + "年级" +
             std::to_string(k) + "班," + std::to_string(20 + k % 30) + "\n";
    }
  }
  auto r = Import(ImportKind::kClasses, csv);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.inserted, 2700);
  EXPECT_EQ(Count("classes"), 2700);
  EXPECT_EQ(Count("audit_log"), 2700 + 2);  // one per row, after the two org.create
}

REGISTRY_INSTANTIATE(CsvImportTest);

}  // namespace
}  // namespace edugov::registry
