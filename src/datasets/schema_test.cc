#include "datasets/schema.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace edugov::datasets {
namespace {

constexpr const char* kHomework = R"(
- name: homework
  label_zh: 每日作业公示
  entity: class_id
  period: date
  key: [class_id, date]
  columns:
    - {name: class_id, type: ref, ref: class, required: true, label_zh: 班级}
    - {name: date, type: date, required: true}
    - {name: written_minutes, type: int, min: 0, max: 600}
    - {name: phone_based, type: bool}
    - {name: kind, type: enum, values: [fee, canteen]}
    - {name: first_lesson, type: time, min: "06:00"}
)";

StatusOr<std::vector<DatasetSchema>> Parse(const std::string& yaml) {
  return ParseDatasets(YAML::Load(yaml), "pack.yaml");
}

TEST(ParseDatasetsTest, ParsesEveryColumnKind) {
  auto ds = Parse(kHomework);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  ASSERT_EQ(ds->size(), 1u);
  const DatasetSchema& d = (*ds)[0];
  EXPECT_EQ(d.name, "homework");
  EXPECT_EQ(d.TableName(), "ds_homework");
  EXPECT_EQ(d.label_zh, "每日作业公示");
  EXPECT_EQ(d.entity_kind(), RefKind::kClass);
  EXPECT_EQ(d.key, (std::vector<std::string>{"class_id", "date"}));
  ASSERT_EQ(d.columns.size(), 6u);
  EXPECT_EQ(d.columns[0].ref, RefKind::kClass);
  EXPECT_EQ(d.columns[0].label_zh, "班级");
  EXPECT_EQ(d.columns[1].label_zh, "date");
  EXPECT_EQ(d.columns[2].max, 600);
  EXPECT_EQ(d.columns[4].enum_values, (std::vector<std::string>{"fee", "canteen"}));
  EXPECT_EQ(d.columns[5].min, 360);
  EXPECT_EQ(d.columns[2].mark.line, 10);
  EXPECT_EQ(d.ColumnIndex("phone_based"), 3);
  EXPECT_EQ(d.ColumnIndex("nope"), -1);
}

TEST(ParseDatasetsTest, EnumValuesMayCarryZhLabels) {
  auto ds = Parse("- name: t\n  entity: c\n  period: d\n  key: [c, d]\n  columns:\n"
                  "    - {name: c, type: ref, ref: class, required: true}\n"
                  "    - {name: d, type: date, required: true}\n"
                  "    - {name: mode, type: enum, values: [{value: full, label_zh: 全面检查}, spot]}\n");
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  const ColumnSchema& mode = (*ds)[0].columns[2];
  EXPECT_EQ(mode.enum_values, (std::vector<std::string>{"full", "spot"}));
  EXPECT_EQ(mode.enum_labels_zh, (std::vector<std::string>{"全面检查", ""}));
}

TEST(ParseDatasetsTest, ErrorsNameFileLineAndColumn) {
  auto ds = Parse("- name: x\n  entity: c\n  period: d\n  key: [c]\n  columns:\n"
                  "    - {name: c, type: ref, ref: class, required: true}\n"
                  "    - {name: d, type: datum, required: true}\n");
  ASSERT_FALSE(ds.ok());
  EXPECT_EQ(ds.status().field(), "pack.yaml:7:23");
  EXPECT_NE(ds.status().message_en().find("unknown column type 'datum'"), std::string::npos);
  EXPECT_NE(ds.status().message_zh().find("未知的列类型"), std::string::npos);
}

struct BadCase {
  const char* yaml;
  const char* needle;
};

class BadDatasetTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadDatasetTest, IsRefused) {
  auto ds = Parse(GetParam().yaml);
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.status().message_en().find(GetParam().needle), std::string::npos)
      << ds.status().message_en();
}

#define DS(cols, extra) \
  "- name: t\n  entity: c\n  period: d\n  key: [c, d]\n" extra "  columns:\n" \
  "    - {name: c, type: ref, ref: class, required: true}\n" \
  "    - {name: d, type: date, required: true}\n" cols

INSTANTIATE_TEST_SUITE_P(
    All, BadDatasetTest,
    ::testing::Values(
        BadCase{DS("    - {name: c, type: int}\n", ""), "duplicate column 'c'"},
        BadCase{DS("    - {name: Bad, type: int}\n", ""), "must match"},
        BadCase{DS("    - {name: row_id, type: int}\n", ""), "reserved"},
        BadCase{DS("    - {name: e, type: enum}\n", ""), "needs a non-empty values"},
        BadCase{DS("    - {name: e, type: enum, values: [{value: a, label_zh: 甲}, {value: b, label_zh: 甲}]}\n", ""),
                "enum label '甲' repeats"},
        BadCase{DS("    - {name: e, type: enum, values: [a, {value: b, label_zh: a}]}\n", ""),
                "enum label 'a' repeats"},
        BadCase{DS("    - {name: e, type: enum, values: [{label_zh: 甲}]}\n", ""), "needs value:"},
        BadCase{DS("    - {name: e, type: enum, values: [{value: a, colour: red}]}\n", ""),
                "unknown key 'colour'"},
        BadCase{DS("    - {name: r, type: ref}\n", ""), "needs ref:"},
        BadCase{DS("    - {name: r, type: ref, ref: teacher}\n", ""), "unknown ref 'teacher'"},
        BadCase{DS("    - {name: m, type: int, min: 5, max: 1}\n", ""), "min is greater than max"},
        BadCase{DS("    - {name: m, type: text, min: 5}\n", ""), "applies to int"},
        BadCase{DS("    - {name: m, type: int, colour: red}\n", ""), "unknown key 'colour'"},
        BadCase{DS("", "  label: x\n"), "unknown key 'label'"},
        BadCase{"- name: t\n  entity: d\n  period: d\n  key: [d]\n  columns:\n"
                "    - {name: d, type: date, required: true}\n",
                "must be a required ref"},
        BadCase{"- name: t\n  entity: c\n  period: c\n  key: [c]\n  columns:\n"
                "    - {name: c, type: ref, ref: class, required: true}\n",
                "must be a required date"},
        BadCase{"- name: t\n  entity: c\n  period: d\n  key: [x]\n  columns:\n"
                "    - {name: c, type: ref, ref: class, required: true}\n"
                "    - {name: d, type: date, required: true}\n",
                "key: no column 'x'"},
        BadCase{"- name: t\n  entity: c\n  period: d\n  key: [c]\n  columns:\n"
                "    - {name: c, type: ref, ref: class, required: true}\n"
                "    - {name: d, type: date, required: true}\n"
                "- name: t\n  entity: c\n  period: d\n  key: [c]\n  columns:\n"
                "    - {name: c, type: ref, ref: class, required: true}\n"
                "    - {name: d, type: date, required: true}\n",
                "duplicate dataset 't'"},
        BadCase{"name: t\n", "datasets must be a list"}));

TEST(ParseDatasetsTest, NullIsEmpty) {
  auto ds = ParseDatasets(YAML::Node(), "x.yaml");
  ASSERT_TRUE(ds.ok());
  EXPECT_TRUE(ds->empty());
}

TEST(ParseTimeOfDayTest, Bounds) {
  EXPECT_EQ(ParseTimeOfDay("08:20"), 500);
  EXPECT_EQ(ParseTimeOfDay("00:00"), 0);
  EXPECT_EQ(ParseTimeOfDay("23:59"), 1439);
  EXPECT_FALSE(ParseTimeOfDay("24:00"));
  EXPECT_FALSE(ParseTimeOfDay("8:20"));
  EXPECT_FALSE(ParseTimeOfDay("08:60"));
}

}  // namespace
}  // namespace edugov::datasets
