#include "timetable/fet_import.h"

#include <numeric>

#include <gtest/gtest.h>

namespace edugov::timetable {
namespace {

const std::string kTestdata = EDUGOV_TIMETABLE_TESTDATA;
const std::string kExamples = "/usr/share/doc/fet-data/examples/FET-5-official/";

int Total(const std::map<std::string, int>& m) {
  return std::accumulate(m.begin(), m.end(), 0, [](int s, const auto& kv) { return s + kv.second; });
}

TEST(FetImportTest, TinyFileBuildsTheModel) {
  auto imp = ImportFetFile(kTestdata + "/tiny.fet");
  ASSERT_TRUE(imp.ok()) << imp.status().ToString();
  const Instance& in = imp->instance;
  EXPECT_EQ(in.days.size(), 2u);
  EXPECT_EQ(in.periods.size(), 3u);
  EXPECT_EQ(in.activities.size(), 3u);
  EXPECT_EQ(imp->inactive_activities, 1);
  // Y1 has groups A and B, so Y1 covers two atomic subgroups.
  EXPECT_EQ(in.num_subgroups, 2);
  EXPECT_EQ(in.activities[0].subgroups.size(), 2u);
  EXPECT_EQ(in.activities[2].subgroups.size(), 1u);
  EXPECT_EQ(in.activities[2].duration, 2);
  // Basic compulsory constraints are counted but implied, not stored.
  EXPECT_EQ(Total(imp->constraint_counts), 5);
  ASSERT_EQ(in.constraints.size(), 3u);
  EXPECT_FALSE(in.constraints[0].hard());
  EXPECT_EQ(in.constraints[1].type, ConstraintType::kNotAvailableTimes);
  EXPECT_EQ(in.constraints[1].activities, std::vector<int>{2});
  EXPECT_EQ(in.constraints[2].type, ConstraintType::kPreferredRooms);
}

TEST(FetImportTest, TruncatedXmlNamesTheLine) {
  auto imp = ImportFetFile(kTestdata + "/truncated.fet");
  ASSERT_FALSE(imp.ok());
  EXPECT_EQ(imp.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(imp.status().message_en().find("truncated"), std::string::npos);
  EXPECT_EQ(imp.status().field().rfind("line ", 0), 0u) << imp.status().field();
}

// Issue 15: deeply nested or entity-laden XML costs no more than its bytes
// (pugixml expands no DTD entities, does not recurse) and ends in a clean
// error; an oversized file is refused naming the bound.
TEST(FetImportTest, XmlBombsFailCleanly) {
  std::string deep = "<fet version=\"5.0\">";
  for (int i = 0; i < 200000; ++i) deep += "<a>";
  for (int i = 0; i < 200000; ++i) deep += "</a>";
  deep += "</fet>";
  auto d = ImportFetString(deep, "deep.fet");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE fet [<!ENTITY a \"lol\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
      "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]><fet version=\"5.0\"><Institution_Name>&c;</Institution_Name></fet>";
  auto l = ImportFetString(laughs, "laughs.fet");  // &c; stays unexpanded text, whatever the verdict
  (void)l;
  auto big = ImportFetString(std::string((64u << 20) + 1, ' '), "big.fet");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message_en().find("(limit max_xml_bytes = 67108864)"), std::string::npos)
      << big.status().message_en();
}

TEST(FetImportTest, UnknownTeacherIsAnError) {
  auto imp = ImportFetFile(kTestdata + "/bad_teacher.fet");
  ASSERT_FALSE(imp.ok());
  EXPECT_NE(imp.status().message_en().find("unknown teacher 'Nobody'"), std::string::npos)
      << imp.status().message_en();
  EXPECT_EQ(imp.status().field(), "line 21");
  EXPECT_NE(imp.status().message_zh().find("未知的教师"), std::string::npos);
}

TEST(FetImportTest, UnknownSubjectIsAnError) {
  auto imp = ImportFetFile(kTestdata + "/bad_subject.fet");
  ASSERT_FALSE(imp.ok());
  EXPECT_NE(imp.status().message_en().find("unknown subject 'Music'"), std::string::npos);
}

TEST(FetImportTest, UnknownActivityReferenceIsAnError) {
  auto imp = ImportFetFile(kTestdata + "/bad_activity_ref.fet");
  ASSERT_FALSE(imp.ok());
  EXPECT_NE(imp.status().message_en().find("unknown activity id '99'"), std::string::npos)
      << imp.status().message_en();
  EXPECT_EQ(imp.status().field(), "line 28");
}

TEST(FetImportTest, ZeroDurationIsAnError) {
  auto imp = ImportFetFile(kTestdata + "/zero_duration.fet");
  ASSERT_FALSE(imp.ok());
  EXPECT_NE(imp.status().message_en().find("invalid duration '0'"), std::string::npos)
      << imp.status().message_en();
}

TEST(FetImportTest, UnknownConstraintTypesAreListedWithCounts) {
  auto imp = ImportFetFile(kTestdata + "/unknown_types.fet");
  ASSERT_FALSE(imp.ok());
  const std::string& m = imp.status().message_en();
  EXPECT_NE(m.find("ConstraintStudentsMaxSpanPerDay x1"), std::string::npos) << m;
  EXPECT_NE(m.find("ConstraintTeacherMinRestingHours x2"), std::string::npos) << m;
}

TEST(FetImportTest, MissingFileIsNotFound) {
  auto imp = ImportFetFile(kTestdata + "/no-such-file.fet");
  EXPECT_EQ(imp.status().code(), StatusCode::kNotFound);
}

struct DevFile {
  const char* path;
  size_t activities;
  int inactive_activities;
  int constraints;  // active time + space constraint elements
};

class DevSetTest : public ::testing::TestWithParam<DevFile> {};

TEST_P(DevSetTest, CountsMatchTheFile) {
  auto imp = ImportFetFile(kExamples + GetParam().path);
  ASSERT_TRUE(imp.ok()) << imp.status().ToString();
  EXPECT_EQ(imp->instance.activities.size(), GetParam().activities);
  EXPECT_EQ(imp->inactive_activities, GetParam().inactive_activities);
  EXPECT_EQ(Total(imp->constraint_counts), GetParam().constraints);
  EXPECT_EQ(imp->instance.constraints.size() + 2 + imp->empty_constraints,
            static_cast<size_t>(GetParam().constraints))
      << "every constraint except the two basic ones and inert ones is stored";
}

// Counts taken from the files with grep (see docs/timetable.md).
INSTANTIATE_TEST_SUITE_P(
    Fet, DevSetTest,
    ::testing::Values(DevFile{"Spain/2-secondary-school/secondary-school.fet", 1086, 0, 349},
                      DevFile{"Belize/Sacred-Heart-College/shc-2013/shc-2013.fet", 989, 14, 446},
                      DevFile{"Greece/Didymoteicho/6th-Primary-School.fet", 377, 0, 587}));

}  // namespace
}  // namespace edugov::timetable
