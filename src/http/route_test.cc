// The route builder's filters (route.h), on a real authenticator and an
// in-memory SQLite database: who may call, CSRF, path ids, paging, JSON
// bodies, the one error mapper in both languages, no-store and the log note.
#include "http/route.h"

#include <gtest/gtest.h>

#include <memory>

#include "accounts/authenticator.h"
#include "accounts/users.h"
#include "common/random.h"
#include "testing/test_db.h"

namespace edugov::http {
namespace {

class RouteTest : public ::testing::Test {
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
          "VALUES (1, NULL, 'county', '430923', '测试县教育局', '/1/', 0, 0)").ok());
      auto u = accounts::CreateUser(**conn, accounts::SystemPrincipal(), clock_,
                                    {"alice", "Alice", "bureau_leader", "", 1, kPassword});
      ASSERT_TRUE(u.ok()) << u.status().ToString();
      auto t = accounts::CreateApiToken(**conn, accounts::SystemPrincipal(), clock_, random_,
                                        "alice", "test", 0);
      ASSERT_TRUE(t.ok()) << t.status().ToString();
      token_ = *t;
    }
    auth_ = std::make_unique<accounts::Authenticator>(db_->db(), clock_, random_);
    app_.db = &db_->db();
    app_.clock = &clock_;
    app_.random = &random_;
    app_.auth = auth_.get();
    auto login = auth_->Login("alice", kPassword, "127.0.0.1");
    ASSERT_TRUE(login.ok()) << login.status().ToString();
    session_ = login->session_token;
    csrf_ = login->csrf_token;
  }

  // A request as the server hands it to the route's handler.
  Response Call(Method method, const std::string& path, std::map<std::string, std::string> headers,
                std::map<std::string, std::string> query = {}, std::string body = {},
                Lang lang = Lang::kEn) {
    Router::Match m = router_.Find(method, path);
    if (!m.handler) return Response{.status = m.path_known ? 405 : 404};
    Request req;
    req.method = method;
    req.path = path;
    req.path_params = m.path_params;
    req.query = std::move(query);
    req.headers = std::move(headers);
    req.body = std::move(body);
    req.lang = lang;
    return (*m.handler)(req);
  }
  std::map<std::string, std::string> Bearer() { return {{"authorization", "Bearer " + token_}}; }
  std::map<std::string, std::string> Cookie(bool with_csrf) {
    std::map<std::string, std::string> h = {{"cookie", "edugov_session=" + session_}};
    if (with_csrf) h["x-csrf-token"] = csrf_;
    return h;
  }
  static nlohmann::json Json(const Response& r) { return nlohmann::json::parse(r.body); }
  static std::string Header(const Response& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  static constexpr const char* kPassword = "Correct-Horse-42-battery";
  FakeClock clock_{ParseTimestamp("2025-03-03T08:00:00+08:00").value()};
  SeededRandom random_{1};
  std::unique_ptr<edugov::testing::TestDb> db_;
  std::unique_ptr<accounts::Authenticator> auth_;
  App app_;
  Router router_;
  RouteBuilder routes_{router_, app_};
  std::string token_, session_, csrf_;
};

TEST_F(RouteTest, NoCredentialsIs401InBothLanguages) {
  bool ran = false;
  routes_.Get("/api/v1/x").Json([&](RouteContext&) -> StatusOr<nlohmann::json> {
    ran = true;
    return nlohmann::json::object();
  });
  Response en = Call(Method::kGet, "/api/v1/x", {});
  EXPECT_EQ(en.status, 401);
  EXPECT_EQ(Json(en)["error"]["code"], "unauthenticated");
  EXPECT_EQ(Json(en)["error"]["message"], "please sign in");
  Response zh = Call(Method::kGet, "/api/v1/x", {}, {}, {}, Lang::kZh);
  EXPECT_EQ(Json(zh)["error"]["message"], "请先登录");
  EXPECT_EQ(Call(Method::kGet, "/api/v1/x", {{"authorization", "Bearer nope"}}).status, 401);
  EXPECT_FALSE(ran);
}

TEST_F(RouteTest, CookieSessionWritesNeedTheCsrfToken) {
  routes_.Post("/api/v1/x").Json([](RouteContext& c) -> StatusOr<nlohmann::json> {
    return nlohmann::json{{"user", c.principal().username}};
  });
  Response missing = Call(Method::kPost, "/api/v1/x", Cookie(false));
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(Json(missing)["error"]["code"], "permission_denied");
  auto wrong = Cookie(false);
  wrong["x-csrf-token"] = "not-the-token";
  EXPECT_EQ(Call(Method::kPost, "/api/v1/x", wrong).status, 403);
  Response ok = Call(Method::kPost, "/api/v1/x", Cookie(true));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json(ok)["user"], "alice");
  // A bearer token is its own proof: no ambient credential to forge.
  EXPECT_EQ(Call(Method::kPost, "/api/v1/x", Bearer()).status, 200);
}

TEST_F(RouteTest, CookieSessionReadsNeedNoCsrfToken) {
  routes_.Get("/api/v1/x").Json([](RouteContext&) -> StatusOr<nlohmann::json> {
    return nlohmann::json::object();
  });
  EXPECT_EQ(Call(Method::kGet, "/api/v1/x", Cookie(false)).status, 200);
}

TEST_F(RouteTest, AnErrorIsMappedOnceInBothLanguages) {
  routes_.Get("/api/v1/x").Json([](RouteContext&) -> StatusOr<nlohmann::json> {
    return Status(StatusCode::kFailedPrecondition, "the case is closed", "案件已办结", "state");
  });
  Response en = Call(Method::kGet, "/api/v1/x", Bearer());
  EXPECT_EQ(en.status, 409);
  EXPECT_EQ(Json(en)["error"]["code"], "failed_precondition");
  EXPECT_EQ(Json(en)["error"]["message"], "the case is closed");
  EXPECT_EQ(Json(en)["error"]["field"], "state");
  Response zh = Call(Method::kGet, "/api/v1/x", Bearer(), {}, {}, Lang::kZh);
  EXPECT_EQ(zh.status, 409);
  EXPECT_EQ(Json(zh)["error"]["message"], "案件已办结");
}

TEST_F(RouteTest, ResourceExhaustedIs413NamingAnInputAnd429Otherwise) {
  routes_.Get("/api/v1/big").Json([](RouteContext&) -> StatusOr<nlohmann::json> {
    return Status(StatusCode::kResourceExhausted, "too large", "过大", "attachments[0]");
  });
  routes_.Get("/api/v1/fast").Json([](RouteContext&) -> StatusOr<nlohmann::json> {
    return ResourceExhaustedError("slow down", "请稍后再试");
  });
  EXPECT_EQ(Call(Method::kGet, "/api/v1/big", Bearer()).status, 413);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/fast", Bearer()).status, 429);
}

// A malformed id names no resource: 404 like an unknown id or one outside
// the caller's subtree, so nothing leaks; the error names the capture.
TEST_F(RouteTest, BadPathIdIs404NamingIt) {
  bool ran = false;
  routes_.Get("/api/v1/things/{id}/parts/{part}").Ids({"id", "part"})
      .Json([&](RouteContext& c) -> StatusOr<nlohmann::json> {
        ran = true;
        return nlohmann::json{{"id", c.Id("id")}, {"part", c.Id("part")}};
      });
  Response ok = Call(Method::kGet, "/api/v1/things/12/parts/3", Bearer());
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json(ok)["id"], 12);
  EXPECT_EQ(Json(ok)["part"], 3);
  ran = false;
  for (std::string bad : {"abc", "-1", "0", "1x", "99999999999999999999"}) {
    Response r = Call(Method::kGet, "/api/v1/things/7/parts/" + bad, Bearer());
    EXPECT_EQ(r.status, 404) << bad;
    EXPECT_EQ(Json(r)["error"]["field"], "part") << bad;
  }
  EXPECT_FALSE(ran);
}

TEST_F(RouteTest, PagingBoundsAre400NamingTheParameter) {
  routes_.Get("/api/v1/list").Paged({.default_limit = 20, .max_limit = 100})
      .Json([](RouteContext& c) -> StatusOr<nlohmann::json> {
        return nlohmann::json{{"offset", c.paging().offset}, {"limit", c.paging().limit}};
      });
  Response def = Call(Method::kGet, "/api/v1/list", Bearer());
  EXPECT_EQ(Json(def)["limit"], 20);
  EXPECT_EQ(Json(def)["offset"], 0);
  Response ok = Call(Method::kGet, "/api/v1/list", Bearer(), {{"offset", "40"}, {"limit", "100"}});
  EXPECT_EQ(Json(ok)["offset"], 40);
  EXPECT_EQ(Json(ok)["limit"], 100);
  Response over = Call(Method::kGet, "/api/v1/list", Bearer(), {{"limit", "101"}});
  EXPECT_EQ(over.status, 400);
  EXPECT_EQ(Json(over)["error"]["field"], "limit");
  EXPECT_NE(Json(over)["error"]["message"].get<std::string>().find("1…100"), std::string::npos);
  Response zero = Call(Method::kGet, "/api/v1/list", Bearer(), {{"limit", "0"}});
  EXPECT_EQ(zero.status, 400);
  Response neg = Call(Method::kGet, "/api/v1/list", Bearer(), {{"offset", "-5"}});
  EXPECT_EQ(neg.status, 400);
  EXPECT_EQ(Json(neg)["error"]["field"], "offset");
}

TEST_F(RouteTest, JsonBodyIsCheckedBeforeTheHandler) {
  routes_.Post("/api/v1/things").JsonBody({"name"}).Returns(201)
      .Json([](RouteContext& c) -> StatusOr<nlohmann::json> {
        ASSIGN_OR_RETURN(std::string name, c.body().RequiredString("name"));
        return nlohmann::json{{"name", name}};
      });
  Response created = Call(Method::kPost, "/api/v1/things", Bearer(), {}, R"({"name":"x"})");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(Json(created)["name"], "x");
  Response unknown = Call(Method::kPost, "/api/v1/things", Bearer(), {}, R"({"nme":"x"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(Json(unknown)["error"]["field"], "nme");
  EXPECT_EQ(Call(Method::kPost, "/api/v1/things", Bearer(), {}, "{").status, 400);
  Response missing = Call(Method::kPost, "/api/v1/things", Bearer(), {}, "{}");
  EXPECT_EQ(Json(missing)["error"]["field"], "name");
}

TEST_F(RouteTest, NoContentSendsNoBody) {
  routes_.Delete("/api/v1/things/{id}").Ids({"id"}).Returns(204)
      .Json([](RouteContext&) -> StatusOr<nlohmann::json> { return nlohmann::json(); });
  Response r = Call(Method::kDelete, "/api/v1/things/4", Bearer());
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(RouteTest, AnswersAreNoStoreUnlessTheHandlerSaysOtherwise) {
  routes_.Get("/api/v1/a").Json([](RouteContext&) -> StatusOr<nlohmann::json> {
    return nlohmann::json::object();
  });
  routes_.Get("/api/v1/b").Public().Raw([](RouteContext&) -> StatusOr<Response> {
    Response r = JsonResponse({});
    r.AddHeader("Cache-Control", "no-cache");
    return r;
  });
  EXPECT_EQ(Header(Call(Method::kGet, "/api/v1/a", Bearer()), "Cache-Control"), "no-store");
  EXPECT_EQ(Header(Call(Method::kGet, "/api/v1/a", {}), "Cache-Control"), "no-store");  // errors too
  Response b = Call(Method::kGet, "/api/v1/b", {});
  EXPECT_EQ(Header(b, "Cache-Control"), "no-cache");
  int n = 0;
  for (const auto& [name, v] : b.headers) n += name == "Cache-Control";
  EXPECT_EQ(n, 1);
}

TEST_F(RouteTest, PublicRoutesNeedNoSignInAndHaveNoPrincipal) {
  routes_.Post("/api/v1/public/x").Public().Json([](RouteContext& c) -> StatusOr<nlohmann::json> {
    return nlohmann::json{{"signed_in", c.signed_in()}};
  });
  Response r = Call(Method::kPost, "/api/v1/public/x", {});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["signed_in"], false);
  EXPECT_TRUE(r.log_note.empty());
}

TEST_F(RouteTest, TheLogNoteNamesTheUserAndWhatTheHandlerAdds) {
  routes_.Post("/api/v1/imports").Json([](RouteContext& c) -> StatusOr<nlohmann::json> {
    c.LogNote("import=12");
    return nlohmann::json::object();
  });
  EXPECT_EQ(Call(Method::kPost, "/api/v1/imports", Bearer()).log_note, "user=alice import=12");
}

TEST_F(RouteTest, TheConnectionIsAcquiredOnlyWhenAsked) {
  routes_.Get("/api/v1/public/none").Public().Json([](RouteContext&) -> StatusOr<nlohmann::json> {
    return nlohmann::json::object();
  });
  routes_.Get("/api/v1/one").Json([](RouteContext& c) -> StatusOr<nlohmann::json> {
    ASSIGN_OR_RETURN(storage::Connection * a, c.Conn());
    ASSIGN_OR_RETURN(storage::Connection * b, c.Conn());
    ASSIGN_OR_RETURN(storage::ResultSet rs, a->Query("SELECT 1"));
    return nlohmann::json{{"same", a == b}, {"rows", rs.size()}};
  });
  app_.db = nullptr;  // a public route that never asks must not touch it
  EXPECT_EQ(Call(Method::kGet, "/api/v1/public/none", {}).status, 200);
  app_.db = &db_->db();
  Response r = Call(Method::kGet, "/api/v1/one", Bearer());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["same"], true);
}

TEST_F(RouteTest, OptionsReachTheRouter) {
  routes_.Post("/api/v1/heavy").Options({.max_body_bytes = 1234, .heavy = true})
      .Json([](RouteContext&) -> StatusOr<nlohmann::json> { return nlohmann::json::object(); });
  Router::Match m = router_.Find(Method::kPost, "/api/v1/heavy");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_TRUE(m.options.heavy);
  EXPECT_EQ(m.options.max_body_bytes, 1234u);
}

}  // namespace
}  // namespace edugov::http
