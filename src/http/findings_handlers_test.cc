// The findings read cache (findings_handlers.cc) on the real router,
// authenticator and SQLite: a cached answer is the uncached one byte for
// byte and per org; writes of this process (findings, registry) show at
// once; a write by another process (rows changed behind the server's back,
// as `edugov check` from cron does) shows once the 1 s bound has passed.
// Bearer API tokens stand in for browser sessions.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "accounts/authenticator.h"
#include "accounts/users.h"
#include "common/random.h"
#include "http/app.h"
#include "http/findings_handlers.h"
#include "http/router.h"
#include "registry/registry.h"
#include "rules/findings_store.h"
#include "testing/test_db.h"

namespace edugov::http {
namespace {

class FindingsHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = edugov::testing::TestDb::Create(storage::Backend::kSqlite);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::make_unique<edugov::testing::TestDb>(std::move(db).value());
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Execute(
        "INSERT INTO orgs (id, parent_id, kind, code, name, path, stage, created_at, updated_at) VALUES "
        "(1, NULL, 'county', 'C1', '测试县教育局', '/1/', NULL, 0, 0), "
        "(2, 1, 'township', 'T2', '东坪镇中心学校', '/1/2/', 'nine_year', 0, 0), "
        "(3, 2, 'school', 'S3', '江英学校', '/1/2/3/', 'primary', 0, 0), "
        "(4, 2, 'school', 'S4', '梅城学校', '/1/2/4/', 'primary', 0, 0)").ok());
    ASSERT_TRUE((*conn)->Execute("INSERT INTO classes (id, school_id, grade, name, created_at, updated_at) VALUES "
                                 "(30, 3, 1, '一年级1班', 0, 0), (40, 4, 1, '一年级1班', 0, 0)").ok());
    Insert(**conn, 30, "/1/2/3/", "2025-11-10");
    Insert(**conn, 40, "/1/2/4/", "2025-11-10");
    bureau_ = Token(**conn, "bureau", "bureau_leader", 1);
    school3_ = Token(**conn, "school3", "school", 3);
    school4_ = Token(**conn, "school4", "school", 4);
    auth_ = std::make_unique<accounts::Authenticator>(db_->db(), clock_, random_);
    app_.db = &db_->db();
    app_.clock = &clock_;
    app_.random = &random_;
    app_.auth = auth_.get();
    RegisterFindingsHandlers(router_, app_);
  }

  // A finding row written straight into the table, as another process would.
  static void Insert(storage::Connection& conn, int64_t class_id, const std::string& path, const std::string& day) {
    ASSERT_TRUE(conn.Execute(
        "INSERT INTO findings (rule_id, clause, severity, entity_type, entity_id, org_path, township_id, "
        "period_kind, period_start, period_end, measured, threshold, comparison, parameters_json, "
        "evidence_json, evidence_count, status, first_seen_on, last_seen_on, created_at, updated_at) "
        "VALUES ('homework-grades-1-2-none', '25', 'major', 'class', $1, $2, 2, 'day', $3, $3, 30, 0, '<=', "
        "'[]', '{\"dataset\":\"homework\",\"row_ids\":[1]}', 1, 'open', $3, $3, 0, 0)",
        {storage::Value(class_id), storage::Value(path), storage::Value(day)}).ok());
  }

  std::string Token(storage::Connection& conn, const std::string& user, const std::string& role, int64_t org) {
    auto u = accounts::CreateUser(conn, accounts::SystemPrincipal(), clock_,
                                  {user, user, role, "", org, "Correct-Horse-42-battery"});
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    auto t = accounts::CreateApiToken(conn, accounts::SystemPrincipal(), clock_, random_, user, "test", 0);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : "";
  }

  Response Get(const std::string& path, const std::string& token, std::map<std::string, std::string> query = {}) {
    Router::Match m = router_.Find(Method::kGet, path);
    EXPECT_NE(m.handler, nullptr);
    if (!m.handler) return Response{.status = 404};
    Request req;
    req.method = Method::kGet;
    req.path = path;
    req.query = std::move(query);
    req.lang = Lang::kEn;
    req.headers["authorization"] = "Bearer " + token;
    return (*m.handler)(req);
  }
  static nlohmann::json Json(const Response& r) { return nlohmann::json::parse(r.body); }
  std::map<std::string, std::string> Page() { return {{"limit", "20"}, {"offset", "0"}}; }

  FakeClock clock_{ParseTimestamp("2025-11-24T12:00:00+08:00").value()};
  SeededRandom random_{1};
  std::unique_ptr<edugov::testing::TestDb> db_;
  std::unique_ptr<accounts::Authenticator> auth_;
  App app_;
  Router router_;
  std::string bureau_, school3_, school4_;
};

TEST_F(FindingsHandlersTest, TheSameUrlAnswersEachSchoolWithItsOwnFindings) {
  const Response a1 = Get("/api/v1/findings", school3_, Page());
  const Response b1 = Get("/api/v1/findings", school4_, Page());
  ASSERT_EQ(a1.status, 200) << a1.body;
  ASSERT_EQ(b1.status, 200) << b1.body;
  ASSERT_EQ(Json(a1)["total"], 1);
  EXPECT_EQ(Json(a1)["items"][0]["entity"]["id"], 30);
  EXPECT_EQ(Json(b1)["items"][0]["entity"]["id"], 40);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Get("/api/v1/findings", school3_, Page()).body, a1.body);
    EXPECT_EQ(Get("/api/v1/findings", school4_, Page()).body, b1.body);
  }
  EXPECT_EQ(Json(Get("/api/v1/findings", bureau_, Page()))["total"], 2);
  // The summary is cached under its own route.
  EXPECT_EQ(Json(Get("/api/v1/findings/summary", school3_))["items"][0]["total"], 1);
}

TEST_F(FindingsHandlersTest, AWriteThroughTheStoreShowsAtOnceWhicheverProcessMadeIt) {
  const Response before = Get("/api/v1/findings", school3_, Page());
  ASSERT_EQ(Json(before)["items"][0]["status"], "open");
  {
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Execute("UPDATE findings SET status = 'resolved', resolved_on = '2025-11-24' "
                                 "WHERE entity_id = 30").ok());
    // What every findings write function does in its transaction.
    ASSERT_TRUE(rules::NoteFindingsChanged(**conn).ok());
  }
  const Response after = Get("/api/v1/findings", school3_, Page());
  EXPECT_EQ(Json(after)["items"][0]["status"], "resolved");

  // A registry write (the class renamed through the registry's API) shows at once too.
  {
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    accounts::Principal bureau{.user_id = 1, .username = "bureau", .role = accounts::Role::kBureauLeader,
                               .org_id = 1, .org_path = "/1/"};
    auto renamed = registry::UpdateClass(**conn, bureau, clock_, 30, {.name = "一年级2班"});
    ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  }
  EXPECT_EQ(Json(Get("/api/v1/findings", school3_, Page()))["items"][0]["entity"]["name"], "一年级2班");
}

TEST_F(FindingsHandlersTest, AWriteThatBypassesTheStoreShowsWithinOneSecond) {
  const Response first = Get("/api/v1/findings", school3_, Page());
  ASSERT_EQ(Json(first)["total"], 1);
  {
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    Insert(**conn, 30, "/1/2/3/", "2025-11-11");  // raw SQL: no generation bump
  }
  clock_.Advance(std::chrono::milliseconds(999));
  EXPECT_EQ(Get("/api/v1/findings", school3_, Page()).body, first.body) << "served from the cache";
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(Json(Get("/api/v1/findings", school3_, Page()))["total"], 2);
}

// The route builder marks API answers "Cache-Control: no-store"; a cached
// answer is served with the headers of the answer it was built from.
TEST_F(FindingsHandlersTest, ACachedAnswerCarriesTheSameHeaders) {
  const Response miss = Get("/api/v1/findings", school3_, Page());
  ASSERT_EQ(miss.status, 200) << miss.body;
  {
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok());
    Insert(**conn, 30, "/1/2/3/", "2025-11-11");  // no generation bump: a changed answer shows a miss
  }
  const Response hit = Get("/api/v1/findings", school3_, Page());
  ASSERT_EQ(hit.status, 200);
  EXPECT_EQ(hit.body, miss.body) << "served from the cache";
  EXPECT_EQ(hit.content_type, miss.content_type);
  EXPECT_EQ(hit.headers, miss.headers);
  const std::pair<std::string, std::string> no_store{"Cache-Control", "no-store"};
  EXPECT_EQ(std::count(hit.headers.begin(), hit.headers.end(), no_store), 1);
}

TEST_F(FindingsHandlersTest, ErrorsAreNeverCached) {
  auto bad = Get("/api/v1/findings", school3_, {{"school", "4"}});
  EXPECT_EQ(bad.status, 404);
  EXPECT_EQ(Get("/api/v1/findings", school3_, {{"school", "4"}}).status, 404);
  EXPECT_EQ(Get("/api/v1/findings", school3_, {{"school", "3"}}).status, 200);
}

}  // namespace
}  // namespace edugov::http
