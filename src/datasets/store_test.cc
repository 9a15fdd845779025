#include "datasets/store.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "testing/test_db.h"

namespace edugov::datasets {
namespace {

using storage::Backend;

DatasetSchema Inspections() {
  auto ds = ParseDatasets(YAML::Load(R"(
- name: inspections
  entity: school_id
  period: date
  key: [school_id, date, kind]
  columns:
    - {name: school_id, type: ref, ref: school, required: true}
    - {name: date, type: date, required: true}
    - {name: kind, type: enum, values: [fee, canteen], required: true}
    - {name: full, type: bool}
    - {name: fee_total, type: decimal}
)"),
                          "t.yaml");
  EXPECT_TRUE(ds.ok()) << ds.status().ToString();
  return (*ds)[0];
}

TEST(CreateTableStatementsTest, TypedColumnsUniqueKeyAndIndexes) {
  auto sql = CreateTableStatements(Inspections(), Backend::kPostgres);
  ASSERT_EQ(sql.size(), 4u);  // table, key, org_path, date; the key's index covers school_id
  EXPECT_NE(sql[0].find("CREATE TABLE IF NOT EXISTS \"ds_inspections\""), std::string::npos);
  EXPECT_NE(sql[0].find("row_id BIGINT PRIMARY KEY"), std::string::npos);
  EXPECT_NE(sql[0].find("\"school_id\" BIGINT NOT NULL"), std::string::npos);
  EXPECT_NE(sql[0].find("\"fee_total\" DOUBLE PRECISION\n"), std::string::npos);
  EXPECT_NE(sql[0].find("\"full\" INTEGER"), std::string::npos);
  EXPECT_EQ(sql[1], "CREATE UNIQUE INDEX IF NOT EXISTS \"ds_inspections_key\" ON \"ds_inspections\" "
                    "(\"school_id\", \"date\", \"kind\")");
  EXPECT_NE(sql[2].find("(\"org_path\")"), std::string::npos);
  EXPECT_NE(sql[3].find("(\"date\")"), std::string::npos);
  EXPECT_NE(CreateTableStatements(Inspections(), Backend::kSqlite)[0].find("\"fee_total\" REAL"),
            std::string::npos);
  EXPECT_NE(CreateTableStatements(Inspections(), Backend::kSqlite)[0].find("row_id INTEGER PRIMARY KEY"),
            std::string::npos);
}

class StoreTest : public ::testing::TestWithParam<Backend> {};

TEST_P(StoreTest, EnsureIsIdempotentAndRefusesAChangedDeclaration) {
  auto db = testing::TestDb::Create(GetParam());
  ASSERT_TRUE(db.ok());
  auto conn = db->db().Acquire();
  ASSERT_TRUE(conn.ok());
  DatasetSchema s = Inspections();
  ASSERT_TRUE(EnsureDatasetTables(**conn, {s}).ok());
  ASSERT_TRUE(EnsureDatasetTables(**conn, {s}).ok());
  auto rs = (*conn)->Query("SELECT COUNT(*) FROM ds_inspections");
  ASSERT_TRUE(rs.ok());
  s.columns.push_back({.name = "inspector", .label_zh = "督学", .type = ColumnType::kText});
  Status st = EnsureDatasetTables(**conn, {s});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message_zh().find("inspector"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::datasets
