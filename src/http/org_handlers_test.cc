// The registry's HTTP surface: input checking, status mapping and scope, on
// the real router, authenticator and an in-memory SQLite database. Bearer
// API tokens stand in for browser sessions (no CSRF involved).
#include <gtest/gtest.h>

#include <memory>

#include "accounts/authenticator.h"
#include "accounts/users.h"
#include "common/random.h"
#include "http/app.h"
#include "http/router.h"
#include "testing/test_db.h"

namespace edugov::http {
namespace {

class OrgHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = edugov::testing::TestDb::Create(storage::Backend::kSqlite);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::make_unique<edugov::testing::TestDb>(std::move(db).value());
    {
      auto conn = db_->db().Acquire();
      ASSERT_TRUE(conn.ok());
      ASSERT_TRUE((*conn)->Execute(
          "INSERT INTO orgs (id, parent_id, kind, code, name, path, created_at, updated_at) "
          "VALUES (1, NULL, 'county', '430923', '测试县教育局', '/1/', 0, 0), "
          "(2, 1, 'township', 'T01', '东坪镇中心学校', '/1/2/', 0, 0), "
          "(3, 2, 'school', 'S01', '江英学校', '/1/2/3/', 0, 0)").ok());
      ASSERT_TRUE((*conn)->Execute("UPDATE orgs SET stage = 'nine_year' WHERE id IN (2, 3)").ok());
      bureau_token_ = Token(**conn, "bureau", "bureau_leader", 1);
      teacher_token_ = Token(**conn, "teacher", "teacher", 3);
      school_token_ = Token(**conn, "school", "school", 3);
    }
    auth_ = std::make_unique<accounts::Authenticator>(db_->db(), clock_, random_);
    app_.db = &db_->db();
    app_.clock = &clock_;
    app_.random = &random_;
    app_.auth = auth_.get();
    RegisterOrgHandlers(router_, app_);
  }

  std::string Token(storage::Connection& conn, const std::string& user, const std::string& role,
                    int64_t org) {
    auto u = accounts::CreateUser(conn, accounts::SystemPrincipal(), clock_,
                                  {user, user, role, "", org, "Correct-Horse-42-battery"});
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    auto t = accounts::CreateApiToken(conn, accounts::SystemPrincipal(), clock_, random_, user,
                                      "test", 0);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : "";
  }

  Response Call(Method method, const std::string& path, const std::string& token,
                std::string body = {}, std::map<std::string, std::string> query = {}) {
    Router::Match m = router_.Find(method, path);
    if (!m.handler) return Response{.status = m.path_known ? 405 : 404};
    Request req;
    req.method = method;
    req.path = path;
    req.path_params = m.path_params;
    req.query = std::move(query);
    req.body = std::move(body);
    req.lang = Lang::kEn;
    req.headers["authorization"] = "Bearer " + token;
    return (*m.handler)(req);
  }
  static nlohmann::json Json(const Response& r) { return nlohmann::json::parse(r.body); }

  FakeClock clock_{ParseTimestamp("2025-03-03T08:00:00+08:00").value()};
  SeededRandom random_{1};
  std::unique_ptr<edugov::testing::TestDb> db_;
  std::unique_ptr<accounts::Authenticator> auth_;
  App app_;
  Router router_;
  std::string bureau_token_, teacher_token_, school_token_;
};

TEST_F(OrgHandlersTest, GetOrgWithBreadcrumbAndCounts) {
  Response r = Call(Method::kGet, "/api/v1/orgs/3", bureau_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = Json(r);
  EXPECT_EQ(j["name"], "江英学校");
  EXPECT_EQ(j["ancestors"].size(), 2u);
  EXPECT_EQ(j["counts"]["schools"], 1);
  EXPECT_EQ(j["flags"]["rural"], false);
}

TEST_F(OrgHandlersTest, NonIntegerIdIs404AndOutOfScopeIs404) {
  EXPECT_EQ(Call(Method::kGet, "/api/v1/orgs/abc", bureau_token_).status, 404);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/orgs/2", school_token_).status, 404);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/orgs/3", "wrong").status, 401);
}

TEST_F(OrgHandlersTest, CreateClassValidatesInputAndNamesFields) {
  Response unknown = Call(Method::kPost, "/api/v1/orgs/3/classes", bureau_token_,
                          R"({"grade":7,"name":"七年级1班","students":40,"teacher":"x"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(Json(unknown)["error"]["field"], "teacher");
  Response type = Call(Method::kPost, "/api/v1/orgs/3/classes", bureau_token_,
                       R"({"grade":"7","name":"七年级1班","students":40})");
  EXPECT_EQ(type.status, 400);
  EXPECT_EQ(Json(type)["error"]["field"], "grade");
  Response missing = Call(Method::kPost, "/api/v1/orgs/3/classes", bureau_token_,
                          R"({"grade":7,"students":40})");
  EXPECT_EQ(Json(missing)["error"]["field"], "name");
  Response bad_json = Call(Method::kPost, "/api/v1/orgs/3/classes", bureau_token_, "{");
  EXPECT_EQ(bad_json.status, 400);
  Response ok = Call(Method::kPost, "/api/v1/orgs/3/classes", school_token_,
                     R"({"grade":7,"name":"七年级1班","students":40})");
  ASSERT_EQ(ok.status, 201) << ok.body;
  Response list = Call(Method::kGet, "/api/v1/orgs/3/classes", teacher_token_);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Json(list)["items"].size(), 1u);
  Response teacher = Call(Method::kPost, "/api/v1/orgs/3/classes", teacher_token_,
                          R"({"grade":8,"name":"八年级1班","students":40})");
  EXPECT_EQ(teacher.status, 403);
}

TEST_F(OrgHandlersTest, PatchOrgFlagsAndDeleteNonEmpty) {
  Response bad = Call(Method::kPatch, "/api/v1/orgs/3", bureau_token_,
                      R"({"flags":{"rural":1}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json(bad)["error"]["field"], "flags.rural");
  Response ok = Call(Method::kPatch, "/api/v1/orgs/3", bureau_token_,
                     R"({"flags":{"rural":true,"boarding":true}})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json(ok)["flags"]["boarding"], true);
  EXPECT_EQ(Call(Method::kDelete, "/api/v1/orgs/2", bureau_token_).status, 409);
}

TEST_F(OrgHandlersTest, StaffCreateListAndPostings) {
  Response c = Call(Method::kPost, "/api/v1/orgs/3/staff", bureau_token_,
                    R"({"code":"E1","name":"刘洋","gender":"male","posts":["principal","party_secretary"],
                        "hired_on":"2010-09-01"})");
  ASSERT_EQ(c.status, 201) << c.body;
  const int64_t id = Json(c)["id"];
  Response bad_post = Call(Method::kPost, "/api/v1/orgs/3/staff", bureau_token_,
                           R"({"code":"E2","name":"王","gender":"male","posts":["king"]})");
  EXPECT_EQ(Json(bad_post)["error"]["field"], "posts");
  Response list = Call(Method::kGet, "/api/v1/orgs/1/staff", bureau_token_, "",
                       {{"post", "party_secretary"}, {"limit", "10"}});
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Json(list)["total"], 1);
  Response move = Call(Method::kPost, "/api/v1/staff/" + std::to_string(id) + "/postings",
                       bureau_token_, R"({"org_id":2,"start_date":"2020-09-01"})");
  ASSERT_EQ(move.status, 201) << move.body;
  Response detail = Call(Method::kGet, "/api/v1/staff/" + std::to_string(id), bureau_token_);
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(Json(detail)["postings"].size(), 2u);
  EXPECT_EQ(Json(detail)["org_id"], 2);
}

TEST_F(OrgHandlersTest, ImportAnswers422WithEveryBadRow) {
  Response bad = Call(Method::kPost, "/api/v1/registry/import", bureau_token_,
                      "学校代码,年级,班级,人数\nS01,13,x,1\nNOPE,7,y,1\n", {{"kind", "classes"}});
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(Json(bad)["errors"].size(), 2u);
  Response good = Call(Method::kPost, "/api/v1/registry/import", bureau_token_,
                       "学校代码,年级,班级,人数\nS01,7,七年级1班,40\n", {{"kind", "classes"}});
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(Json(good)["inserted"], 1);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/registry/import", bureau_token_, "", {{"kind", "x"}})
                .status,
            400);
}

}  // namespace
}  // namespace edugov::http
