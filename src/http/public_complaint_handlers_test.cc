// The public complaint routes driven through the router with a FakeClock, on
// both backends: the per-address limits refuse and refill exactly on time,
// the form lists public names only, the tracking view carries no identity,
// and every forged code gets the same 404.
#include "http/public_complaint_handlers.h"

#include <gtest/gtest.h>

#include "cases/test_fixture.h"
#include "http/app.h"
#include "http/router.h"

namespace edugov::http {
namespace {

using cases::testfx::Fixture;
using nlohmann::json;

class PublicComplaintTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    f_ = Fixture::Make(GetParam(), "2025-09-01T09:00:00+08:00");
    ASSERT_NE(f_, nullptr);
    app_.db = &f_->db();
    app_.clock = &f_->clock;
    app_.random = &f_->random;
    app_.cases = f_->engine.get();
    RegisterPublicComplaintHandlers(router_, app_, *f_->types, {.intakes_per_hour = 2, .lookups_per_minute = 3});
  }

  Response Call(Method method, const std::string& path, const json& body = json(),
                const std::string& address = "203.0.113.7") {
    Router::Match m = router_.Find(method, path);
    EXPECT_NE(m.handler, nullptr) << path;
    Request req;
    req.method = method;
    req.path = path;
    req.path_params = m.path_params;
    req.remote_address = address;
    if (!body.is_null()) req.body = body.dump();
    return (*m.handler)(req);
  }

  json Intake(const std::string& text, bool anonymous = false) {
    json j = {{"category", "meals"}, {"school_id", f_->school}, {"text", text}, {"anonymous", anonymous}};
    if (!anonymous) {
      j["name"] = "欧阳测试乙";
      j["phone"] = "139 0000 1111";
    }
    return j;
  }

  static std::string RetryAfter(const Response& r) {
    for (const auto& [k, v] : r.headers) {
      if (k == "Retry-After") return v;
    }
    return "";
  }

  std::unique_ptr<Fixture> f_;
  App app_;
  Router router_;
};

TEST_P(PublicComplaintTest, IntakesPerAddressRefuseThenRefillOnTheClock) {
  EXPECT_EQ(Call(Method::kPost, "/api/v1/public/complaints", Intake("食堂饭菜变质，孩子腹痛")).status, 201);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/public/complaints", Intake("校服价格过高，被要求统一购买")).status, 201);
  Response refused = Call(Method::kPost, "/api/v1/public/complaints", Intake("第三条：周末有偿补课"));
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(RetryAfter(refused), "1800");  // 2 an hour: one token every 30 minutes
  EXPECT_NE(refused.body.find("12345"), std::string::npos);
  // Another address is not affected.
  EXPECT_EQ(Call(Method::kPost, "/api/v1/public/complaints", Intake("家长群里强制要求打卡", true), "198.51.100.9").status,
            201);
  f_->clock.Advance(std::chrono::minutes(29));
  Response still = Call(Method::kPost, "/api/v1/public/complaints", Intake("第三条：周末有偿补课"));
  EXPECT_EQ(still.status, 429);
  EXPECT_EQ(RetryAfter(still), "60");
  f_->clock.Advance(std::chrono::minutes(1));
  EXPECT_EQ(Call(Method::kPost, "/api/v1/public/complaints", Intake("第三条：周末有偿补课")).status, 201);
}

TEST_P(PublicComplaintTest, LookupsHaveTheirOwnBucket) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Call(Method::kGet, "/api/v1/public/complaint-form").status, 200) << i;
  Response refused = Call(Method::kGet, "/api/v1/public/complaints/0000000000000000");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(RetryAfter(refused), "20");
  // Intakes are still allowed: a parent who looked around may still file.
  EXPECT_EQ(Call(Method::kPost, "/api/v1/public/complaints", Intake("食堂饭菜变质，孩子腹痛")).status, 201);
  f_->clock.Advance(std::chrono::seconds(20));
  EXPECT_EQ(Call(Method::kGet, "/api/v1/public/complaints/0000000000000000").status, 404);
}

TEST_P(PublicComplaintTest, FormListsPublicNamesOnly) {
  Response r = Call(Method::kGet, "/api/v1/public/complaint-form");
  ASSERT_EQ(r.status, 200) << r.body;
  json form = json::parse(r.body);
  ASSERT_FALSE(form["categories"].empty());
  EXPECT_EQ(form["categories"][0]["key"], "meals");
  EXPECT_EQ(form["categories"][0]["label"]["zh"], "校园餐");
  ASSERT_EQ(form["townships"].size(), 2u);
  const json& dongping = form["townships"][0];
  EXPECT_EQ(dongping["name"], "东坪镇");  // "中心学校" dropped from the township's own org
  ASSERT_EQ(dongping["schools"].size(), 3u);
  EXPECT_EQ(dongping["schools"][0], (json{{"id", f_->township}, {"name", "东坪镇中心学校"}}));
  for (const json& t : form["townships"]) {
    EXPECT_EQ(t.size(), 3u) << t.dump();
    for (const json& s : t["schools"]) EXPECT_EQ(s.size(), 2u) << s.dump();
  }
  EXPECT_EQ(form["max_attachments"], 3);
}

TEST_P(PublicComplaintTest, TrackingShowsNoIdentityAndForgedCodesLearnNothing) {
  Response filed = Call(Method::kPost, "/api/v1/public/complaints", Intake("食堂饭菜变质，孩子腹痛"));
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::string code = json::parse(filed.body)["tracking_code"];
  Response tracked = Call(Method::kGet, "/api/v1/public/complaints/" + code);
  ASSERT_EQ(tracked.status, 200);
  EXPECT_EQ(tracked.body.find("欧阳测试乙"), std::string::npos);
  EXPECT_EQ(tracked.body.find("0000 1111"), std::string::npos);
  EXPECT_EQ(json::parse(tracked.body)["school"], "江英学校");
  // The identity is sealed, not lost: the petitions office reads it.
  auto page = f_->engine->List(cases::Actor::User(f_->petitions), {.case_type = "complaint"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  auto view = f_->engine->Get(cases::Actor::User(f_->petitions), page->items[0].id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ((*view->confidential)["name"], "欧阳测试乙");

  f_->clock.Advance(std::chrono::hours(1));  // a fresh lookup budget
  std::string first;
  for (const std::string& forged : {std::string("ZZZZZZZZZZZZZZZZ"), std::string("x")}) {
    Response r = Call(Method::kGet, "/api/v1/public/complaints/" + forged);
    EXPECT_EQ(r.status, 404);
    if (first.empty()) first = r.body;
    EXPECT_EQ(r.body, first);
  }
  Response rate = Call(Method::kPost, "/api/v1/public/complaints/ZZZZZZZZZZZZZZZZ/rating", {{"satisfaction", 4}});
  EXPECT_EQ(rate.status, 404);
  EXPECT_EQ(rate.body, first);
}

TEST_P(PublicComplaintTest, BadInputNamesTheField) {
  struct Case {
    json body;
    std::string field;
  };
  const json base = Intake("食堂饭菜变质");
  auto with = [&base](const std::string& key, const json& value) {
    json j = base;
    j[key] = value;
    return j;
  };
  std::vector<Case> cases = {
      {json{{"category", "meals"}}, "school_id"},
      {with("category", "gossip"), "category"},
      {with("school_id", f_->county), "school_id"},
      {with("text", "   "), "text"},
      {with("phone", "call me (maybe)"), "phone"},
      {with("extra", 1), "extra"},
  };
  for (const Case& c : cases) {
    Response r = Call(Method::kPost, "/api/v1/public/complaints", c.body, "192.0.2." + std::to_string(&c - &cases[0]));
    EXPECT_EQ(r.status, 400) << c.body.dump() << " " << r.body;
    EXPECT_EQ(json::parse(r.body)["error"]["field"], c.field) << r.body;
    // The phone as typed is never repeated back.
    EXPECT_EQ(r.body.find("call me"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, PublicComplaintTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::http
