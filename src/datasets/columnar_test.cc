#include "datasets/columnar.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "testing/test_db.h"

namespace edugov::datasets {
namespace {

using storage::Backend;
using storage::Value;

DatasetSchema Homework() {
  auto ds = ParseDatasets(YAML::Load(R"(
- name: homework
  entity: class_id
  period: date
  key: [class_id, date]
  columns:
    - {name: class_id, type: ref, ref: class, required: true}
    - {name: date, type: date, required: true}
    - {name: written_minutes, type: int}
    - {name: phone_based, type: bool}
    - {name: mode, type: enum, values: [full, spot]}
    - {name: note, type: text}
    - {name: fee, type: decimal}
    - {name: first_lesson, type: time}
)"), "t.yaml");
  EXPECT_TRUE(ds.ok()) << ds.status().ToString();
  return (*ds)[0];
}

// Orgs /1/ county, /1/2/ township, /1/2/3/ school; /1/4/ township, /1/4/5/ school.
Status SeedRegistry(storage::Connection& c) {
  const char* orgs[][5] = {{"1", "", "county", "/1/", ""},
                           {"2", "1", "township", "/1/2/", "primary"},
                           {"3", "2", "school", "/1/2/3/", "primary"},
                           {"4", "1", "township", "/1/4/", "junior"},
                           {"5", "4", "school", "/1/4/5/", "junior"}};
  for (auto& o : orgs) {
    Value parent = o[1][0] ? Value(int64_t{std::stoll(o[1])}) : storage::Null();
    Value stage = o[4][0] ? Value(std::string(o[4])) : storage::Null();
    RETURN_IF_ERROR(c.Execute(
        "INSERT INTO orgs (id, parent_id, kind, code, name, path, stage, rural, canteen, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 1, 0, 0)",
        {int64_t{std::stoll(o[0])}, parent, std::string(o[2]), std::string("C") + o[0],
         std::string("org") + o[0], std::string(o[3]), stage}));
  }
  RETURN_IF_ERROR(c.Execute("INSERT INTO classes (id, school_id, grade, name, created_at, updated_at) "
                            "VALUES (10, 3, 2, '二年级1班', 0, 0), (11, 5, 7, '七年级1班', 0, 0)"));
  RETURN_IF_ERROR(c.Execute("INSERT INTO staff (id, org_id, code, name, gender, created_at, updated_at) "
                            "VALUES (20, 3, 'P1', '张校长', 'male', 0, 0)"));
  RETURN_IF_ERROR(c.Execute("INSERT INTO staff_posts (staff_id, post) VALUES (20, 'principal'), "
                            "(20, 'party_secretary')"));
  RETURN_IF_ERROR(c.Execute("INSERT INTO staff_postings (staff_id, org_id, start_date, end_date, rural, "
                            "created_at) VALUES (20, 3, '2020-01-01', NULL, 1, 0)"));
  return OkStatus();
}

class ColumnarTest : public ::testing::TestWithParam<Backend> {};

TEST_P(ColumnarTest, LoadsRegistryAndDatasetInPages) {
  auto db = testing::TestDb::Create(GetParam());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto conn = db->db().Acquire();
  ASSERT_TRUE(conn.ok());
  storage::Connection& c = **conn;
  ASSERT_TRUE(SeedRegistry(c).ok());
  ASSERT_TRUE(c.ExecuteScript(
                   "CREATE TABLE ds_homework (row_id BIGINT PRIMARY KEY, org_path TEXT NOT NULL, "
                   "submitted_at BIGINT NOT NULL, class_id BIGINT NOT NULL, date TEXT NOT NULL, "
                   "written_minutes BIGINT, phone_based INTEGER, mode TEXT, note TEXT, "
                   "fee DOUBLE PRECISION, first_lesson TEXT)")
                  .ok());
  ASSERT_TRUE(c.Execute("INSERT INTO ds_homework VALUES "
                        "(1, '/1/2/3/', 0, 10, '2025-03-03', 30, 0, 'spot', '语文', 1.5, '08:20'),"
                        "(2, '/1/4/5/', 0, 11, '2025-03-03', NULL, NULL, NULL, NULL, NULL, NULL),"
                        "(3, '/1/4/5/', 0, 99, '2025-03-04', 95, 1, 'full', '语文', 2, '07:50')")
                  .ok());

  auto reg = LoadRegistryImage(c, Date::FromYmd(2025, 1, 1));
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ(reg->org_id, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(reg->org_township[2], 1);
  EXPECT_EQ(reg->org_county[4], 0);
  EXPECT_EQ(reg->org_subtree_end[1], 3);
  EXPECT_TRUE(reg->InSubtree(2, 1));
  EXPECT_FALSE(reg->InSubtree(4, 1));
  EXPECT_EQ(reg->class_school[reg->ClassIndex(11)], 4);
  EXPECT_EQ(reg->class_grade[0], 2);
  ASSERT_EQ(reg->staff_id.size(), 1u);
  EXPECT_EQ(reg->staff_posts[0], kPostPrincipal | kPostPartySecretary);
  EXPECT_NEAR(reg->staff_rural_years[0], 5.0, 0.01);
  EXPECT_EQ(reg->org_flags[2], kFlagRural | kFlagCanteen);

  auto image = LoadImage(c, {Homework()}, std::move(*reg));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const DatasetImage* hw = image->Find("homework");
  ASSERT_NE(hw, nullptr);
  ASSERT_EQ(hw->size(), 3u);
  EXPECT_EQ(hw->row_id, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(hw->entity, (std::vector<int32_t>{0, 1, -1}));
  EXPECT_EQ(hw->columns[1].i32[0], Date::FromYmd(2025, 3, 3).DaysSinceEpoch());
  EXPECT_EQ(hw->columns[2].i32[1], kNullInt);
  EXPECT_EQ(hw->columns[3].b8[1], kNullBool);
  EXPECT_EQ(hw->columns[3].b8[2], 1);
  EXPECT_EQ(hw->columns[4].i32[0], 1);  // spot: declared order
  EXPECT_EQ(hw->columns[5].dictionary, (std::vector<std::string>{"语文"}));
  EXPECT_TRUE(IsNullDecimal(hw->columns[6].f64[1]));
  EXPECT_EQ(hw->columns[6].f64[2], 2.0);
  EXPECT_EQ(hw->columns[7].i32[2], 7 * 60 + 50);
}

TEST_P(ColumnarTest, MissingTableIsEmpty) {
  auto db = testing::TestDb::Create(GetParam());
  ASSERT_TRUE(db.ok());
  auto conn = db->db().Acquire();
  ASSERT_TRUE(conn.ok());
  auto image = LoadImage(**conn, {Homework()}, RegistryImage{});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->Find("homework")->size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ColumnarTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

TEST(AppendTest, AppendsOrNothing) {
  RegistryImage reg;
  reg.class_id = {10};
  reg.class_school = {0};
  reg.class_grade = {3};
  reg.class_name = {"c"};
  FinishRegistryImage(reg);
  ColumnarImage image = EmptyImage({Homework()}, std::move(reg));
  auto row = [](int64_t id, Value minutes) {
    return IngestedRow{id, {int64_t{10}, std::string("2025-03-03"), minutes, int64_t{0},
                            std::string("full"), storage::Null(), 1.0, std::string("08:00")}};
  };
  ASSERT_TRUE(Append(image, "homework", {row(1, int64_t{30}), row(2, int64_t{40})}).ok());
  EXPECT_EQ(image.Find("homework")->size(), 2u);
  EXPECT_EQ(image.Find("homework")->entity[1], 0);
  Status bad = Append(image, "homework", {row(3, int64_t{5}), row(4, std::string("x"))});
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(image.Find("homework")->size(), 2u);
  EXPECT_EQ(image.Find("homework")->min_day, Date::FromYmd(2025, 3, 3).DaysSinceEpoch());
  EXPECT_EQ(image.Find("homework")->max_day, Date::FromYmd(2025, 3, 3).DaysSinceEpoch());
  for (const auto& c : image.Find("homework")->columns) EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(Append(image, "nope", {}).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace edugov::datasets
