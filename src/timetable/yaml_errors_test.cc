// The timetable and curriculum YAML loaders name file, line, column and
// field in Chinese and English, and never pass yaml-cpp's own words on.
#include <gtest/gtest.h>

#include "testing/raw_errors.h"
#include "timetable/fet_import.h"
#include "timetable/generator.h"
#include "timetable/xhstt.h"
#include "timetable/yaml_io.h"

namespace edugov::timetable {
namespace {

void ExpectNoRawText(const Status& s) {
  EXPECT_EQ(testing::RawLibraryFragment(s.message_en()), "") << s.message_en();
  EXPECT_EQ(testing::RawLibraryFragment(s.message_zh()), "") << s.message_zh();
}

constexpr const char* kHead =
    "name: t\ndays: [Mon]\nperiods:\n  - {name: '1', start: '08:00', end: '08:40'}\nteachers: [A]\n"
    "subjects: [{name: 语文}]\nstudent_sets: [{name: '1-1', grade: 1}]\n";

// Regression: "timetable YAML: activities[0]: bad conversion".
TEST(TimetableYamlErrors, AWrongTypeNamesFileLineColumnAndField) {
  auto r = InstanceFromYaml(std::string(kHead) + "activities:\n  - {id: one, duration: 1}\n", "school.yaml");
  ASSERT_FALSE(r.ok());
  const Status& s = r.status();
  EXPECT_EQ(s.field(), "activities[0]");
  EXPECT_EQ(s.message_en().rfind("school.yaml:9:10: activities[0]: the value has the wrong type", 0), 0u)
      << s.message_en();
  EXPECT_EQ(s.message_zh().rfind("school.yaml 第 9 行第 10 列：activities[0]：值的类型不对", 0), 0u)
      << s.message_zh();
  ExpectNoRawText(s);
}

// Regression: a missing key answered "invalid node; this may result from
// using a map iterator as a sequence iterator, or vice-versa" with no place.
TEST(TimetableYamlErrors, AMissingKeyNamesTheEntryItIsMissingFrom) {
  auto r = InstanceFromYaml(std::string(kHead) + "activities:\n  - {duration: 1}\n", "school.yaml");
  ASSERT_FALSE(r.ok());
  const Status& s = r.status();
  EXPECT_EQ(s.field(), "activities[0]");
  EXPECT_EQ(s.message_en().rfind("school.yaml:9:5: activities[0]: ", 0), 0u) << s.message_en();
  EXPECT_EQ(s.message_zh().rfind("school.yaml 第 9 行第 5 列：activities[0]：", 0), 0u) << s.message_zh();
  ExpectNoRawText(s);
}

TEST(TimetableYamlErrors, ASyntaxErrorNamesLineAndColumn) {
  auto r = InstanceFromYaml("name: t\ndays: [Mon\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message_en().rfind("timetable.yaml:3:1: ", 0), 0u) << r.status().message_en();
  EXPECT_NE(r.status().message_zh().find("timetable.yaml 第 3 行第 1 列"), std::string::npos);
  ExpectNoRawText(r.status());
}

TEST(TimetableYamlErrors, AnOutOfRangeIndexPointsAtTheIndex) {
  auto r = InstanceFromYaml(std::string(kHead) + "activities:\n  - {id: 1, duration: 1, teachers: [3]}\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "activities[0].teachers");
  EXPECT_EQ(r.status().message_en(), "timetable.yaml:9:37: activities[0].teachers: invalid value");
  EXPECT_EQ(r.status().message_zh(), "timetable.yaml 第 9 行第 37 列：activities[0].teachers：取值无效");
}

// Regression: "课程表 YAML 解析失败：bad conversion".
TEST(CurriculumYamlErrors, AWrongTypeNamesFileLineColumnAndField) {
  auto c = ParseCurriculum("subjects:\n  - name: 语文\n    per_grade: {1: many}\n", "hunan.yaml");
  ASSERT_FALSE(c.ok());
  const Status& s = c.status();
  EXPECT_EQ(s.field(), "subjects[0].per_grade");
  EXPECT_EQ(s.message_en().rfind("hunan.yaml:3:20: subjects[0].per_grade: the value has the wrong type", 0), 0u)
      << s.message_en();
  EXPECT_EQ(s.message_zh().rfind("hunan.yaml 第 3 行第 20 列：subjects[0].per_grade：值的类型不对", 0), 0u)
      << s.message_zh();
  ExpectNoRawText(s);
}

TEST(CurriculumYamlErrors, AMissingNameNamesTheSubjectEntry) {
  auto c = ParseCurriculum("subjects:\n  - {main: true}\n", "hunan.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().field(), "subjects[0]");
  EXPECT_EQ(c.status().message_en().rfind("hunan.yaml:2:5: subjects[0]: ", 0), 0u) << c.status().message_en();
  ExpectNoRawText(c.status());
}

// Regression: pugixml's own "Error parsing start element tag" reached users.
TEST(TimetableXmlErrors, MalformedFetAndXhsttNameLineAndColumnInTheirOwnWords) {
  const std::string xml = "<?xml version=\"1.0\"?>\n<fet>\n  <Days_List>\n    <Day><Name>一</Name></Dy>\n";
  auto fet = ImportFetString(xml, "school.fet");
  ASSERT_FALSE(fet.ok());
  EXPECT_NE(fet.status().message_en().find("school.fet:4: column "), std::string::npos) << fet.status().message_en();
  EXPECT_NE(fet.status().message_zh().find("第4行：第 "), std::string::npos) << fet.status().message_zh();
  auto x = ImportXhsttString(xml, "x.xml");
  ASSERT_FALSE(x.ok());
  EXPECT_NE(x.status().message_en().find("line 4, column "), std::string::npos) << x.status().message_en();
  EXPECT_NE(x.status().message_zh().find("第 4 行第 "), std::string::npos) << x.status().message_zh();
  for (const Status& s : {fet.status(), x.status()}) {
    ExpectNoRawText(s);
    EXPECT_EQ(s.message_en().find("Error parsing"), std::string::npos) << s.message_en();
    EXPECT_EQ(s.message_en().find("mismatch"), std::string::npos) << s.message_en();
  }
}

}  // namespace
}  // namespace edugov::timetable
