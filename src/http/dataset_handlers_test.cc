// The dataset routes on the real router and authenticator, over an in-memory
// SQLite database: status mapping (200/422/400/404/503), the errors file,
// the form row, the body limit. Bearer API tokens stand in for sessions.
#include "http/dataset_handlers.h"

#include "compliance/service.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "accounts/authenticator.h"
#include "accounts/users.h"
#include "common/random.h"
#include "testing/test_db.h"

namespace edugov::http {
namespace {

constexpr const char* kPack = R"(datasets:
  - name: homework
    label_zh: 每日作业公示
    entity: class_id
    period: date
    key: [class_id, date]
    columns:
      - {name: class_id, type: ref, ref: class, required: true, label_zh: 班级}
      - {name: date, type: date, required: true, label_zh: 日期}
      - {name: written_minutes, type: int, required: true, min: 0, max: 600, label_zh: 书面作业分钟}
)";

class DatasetHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = edugov::testing::TestDb::Create(storage::Backend::kSqlite);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::make_unique<edugov::testing::TestDb>(std::move(db).value());
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Execute(
        "INSERT INTO orgs (id, parent_id, kind, code, name, path, stage, created_at, updated_at) VALUES "
        "(1, NULL, 'county', 'C1', '县', '/1/', NULL, 0, 0), "
        "(3, 1, 'school', 'S3', '江英学校', '/1/3/', 'primary', 0, 0), "
        "(5, 1, 'school', 'S5', '梅城学校', '/1/5/', 'primary', 0, 0)").ok());
    ASSERT_TRUE((*conn)->Execute("INSERT INTO classes (id, school_id, grade, name, created_at, updated_at) "
                                 "VALUES (10, 3, 3, '三年级1班', 0, 0), (11, 5, 3, '三年级1班', 0, 0)").ok());
    school3_ = Token(**conn, "school3", "school", 3);
    school5_ = Token(**conn, "school5", "school", 5);
    conn->Reset();
    auth_ = std::make_unique<accounts::Authenticator>(db_->db(), clock_, random_);
    app_.db = &db_->db();
    app_.clock = &clock_;
    app_.random = &random_;
    app_.auth = auth_.get();
    pack_ = (std::filesystem::temp_directory_path() /
             ("edugov_dataset_handlers_" + std::to_string(::getpid()) + ".yaml")).string();
    std::ofstream(pack_) << kPack;
  }
  void TearDown() override { std::filesystem::remove(pack_); }

  std::string Token(storage::Connection& conn, const std::string& user, const std::string& role,
                    int64_t org) {
    auto u = accounts::CreateUser(conn, accounts::SystemPrincipal(), clock_,
                                  {user, user, role, "", org, "Correct-Horse-42-battery"});
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    auto t = accounts::CreateApiToken(conn, accounts::SystemPrincipal(), clock_, random_, user, "t", 0);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : "";
  }

  Response Call(Method method, const std::string& path, const std::string& token, std::string body = {},
                std::string content_type = {}) {
    Router::Match m = router_.Find(method, path);
    if (!m.handler) return Response{.status = m.path_known ? 405 : 404};
    Request req;
    req.method = method;
    req.path = path;
    req.path_params = m.path_params;
    req.body = std::move(body);
    req.lang = Lang::kZh;
    req.headers["authorization"] = "Bearer " + token;
    if (!content_type.empty()) req.headers["content-type"] = content_type;
    return (*m.handler)(req);
  }
  static nlohmann::json Json(const Response& r) { return nlohmann::json::parse(r.body); }

  // The routes over the pack at `path`, loaded as `edugov serve` loads it
  // (the compliance service); a pack that does not load leaves them 503.
  void Register(const std::string& path) {
    auto svc = compliance::ComplianceService::Load({.db = &db_->db(), .clock = &clock_, .policy_path = path});
    if (svc.ok()) {
      svc_ = std::move(*svc);
      app_.compliance = svc_.get();
    } else {
      app_.compliance_status = svc.status();
    }
    RegisterDatasetHandlers(router_, app_);
  }

  FakeClock clock_{ParseTimestamp("2025-09-01T18:00:00+08:00").value()};
  SeededRandom random_{1};
  std::unique_ptr<edugov::testing::TestDb> db_;
  std::unique_ptr<accounts::Authenticator> auth_;
  App app_;
  Router router_;
  std::string school3_, school5_, pack_;
  std::unique_ptr<compliance::ComplianceService> svc_;
};

TEST_F(DatasetHandlersTest, WithoutThePolicyPackTheRoutesAnswer503) {
  Register(pack_ + ".missing");
  Response list = Call(Method::kGet, "/api/v1/datasets", school3_);
  EXPECT_EQ(list.status, 503);
  EXPECT_NE(list.body.find("数据集不可用"), std::string::npos) << list.body;
  EXPECT_EQ(Call(Method::kPost, "/api/v1/datasets/homework/import", school3_, "a\n1\n", "text/csv").status,
            503);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/datasets/homework/rows", school3_, "{}").status, 503);
}

TEST_F(DatasetHandlersTest, ImportAnswers422WithTheReportAndServesTheErrorsFile) {
  Register(pack_);
  EXPECT_EQ(router_.Find(Method::kPost, "/api/v1/datasets/homework/import").options.max_body_bytes,
            50u * 1024 * 1024);
  Response r = Call(Method::kPost, "/api/v1/datasets/homework/import", school3_,
                    "班级,日期,书面作业分钟\n10,2025-09-01,40\n11,2025-09-01,40\n", "text/csv; charset=utf-8");
  ASSERT_EQ(r.status, 422) << r.body;
  auto j = Json(r);
  EXPECT_EQ(j["rows_ok"], 1);
  EXPECT_EQ(j["rows_rejected"], 1);
  const std::string url = j["errors_url"];
  Response csv = Call(Method::kGet, url, school3_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find("11,2025-09-01,40,班级,第 3 行："), std::string::npos) << csv.body;
  EXPECT_EQ(Call(Method::kGet, url, school5_).status, 404);

  Response ok = Call(Method::kPost, "/api/v1/datasets/homework/import", school3_,
                     "class_id,date,written_minutes\n10,2025-09-02,40\n", "text/csv");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Call(Method::kPost, "/api/v1/datasets/homework/import", school3_, "{}", "application/json").status,
            400);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/datasets/nope/import", school3_, "a\n", "text/csv").status, 404);
  Response list = Call(Method::kGet, "/api/v1/datasets", school3_);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Json(list)["items"][0]["columns"][0]["label_zh"], "班级");
}

TEST_F(DatasetHandlersTest, FormRowCreatesThenUpdates) {
  Register(pack_);
  Response first = Call(Method::kPost, "/api/v1/datasets/homework/rows", school3_,
                        R"({"class_id": 10, "date": "2025-09-03", "written_minutes": 30})");
  ASSERT_EQ(first.status, 201) << first.body;
  Response again = Call(Method::kPost, "/api/v1/datasets/homework/rows", school3_,
                        R"({"class_id": 10, "date": "2025-09-03", "written_minutes": 20})");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json(again)["row_id"], Json(first)["row_id"]);
  EXPECT_EQ(Json(again)["updated"], true);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/datasets/homework/rows", school3_,
                 R"({"class_id": 11, "date": "2025-09-03", "written_minutes": 20})").status,
            422);  // another school's class
  EXPECT_EQ(Call(Method::kPost, "/api/v1/datasets/homework/rows", school3_,
                 R"({"class_id": 10, "date": "2025-09-04", "minutes": 20})").status,
            400);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/datasets/homework/rows", school3_,
                 R"({"class_id": [10], "date": "2025-09-04", "written_minutes": 20})").status,
            400);
}

}  // namespace
}  // namespace edugov::http
