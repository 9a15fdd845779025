#include "http/router.h"

#include <gtest/gtest.h>

namespace edugov::http {
namespace {

Handler Named(std::string name) {
  return [name](Request&) { return JsonResponse({{"route", name}}); };
}

std::string Call(const Router::Match& m) {
  Request req;
  return nlohmann::json::parse((*m.handler)(req).body)["route"];
}

TEST(RouterTest, LiteralRoute) {
  Router r;
  r.Add(Method::kGet, "/api/v1/health", Named("health"));
  auto m = r.Find(Method::kGet, "/api/v1/health");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(Call(m), "health");
  EXPECT_EQ(r.Find(Method::kGet, "/api/v1/healthz").handler, nullptr);
  EXPECT_EQ(r.Find(Method::kGet, "/api/v1").handler, nullptr);
  EXPECT_EQ(r.Find(Method::kGet, "/api/v1/health/x").handler, nullptr);
}

TEST(RouterTest, CapturesPathParams) {
  Router r;
  r.Add(Method::kGet, "/api/v1/orgs/{id}/children/{child}", Named("c"));
  auto m = r.Find(Method::kGet, "/api/v1/orgs/12/children/34");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.path_params.at("id"), "12");
  EXPECT_EQ(m.path_params.at("child"), "34");
}

TEST(RouterTest, CaptureNeedsNonEmptySegment) {
  Router r;
  r.Add(Method::kGet, "/api/v1/orgs/{id}", Named("org"));
  EXPECT_EQ(r.Find(Method::kGet, "/api/v1/orgs/").handler, nullptr);
}

TEST(RouterTest, SegmentsArePercentDecodedAndEscapedSlashStaysInCapture) {
  Router r;
  r.Add(Method::kGet, "/api/v1/users/{name}", Named("user"));
  auto m = r.Find(Method::kGet, "/api/v1/users/%E5%BC%A0%2F3");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.path_params.at("name"), "张/3");
  // Literal segments match their decoded form too.
  EXPECT_NE(r.Find(Method::kGet, "/api/v1/%75sers/x").handler, nullptr);
}

TEST(RouterTest, LiteralBeatsCapture) {
  Router r;
  r.Add(Method::kGet, "/api/v1/orgs/{id}", Named("by-id"));
  r.Add(Method::kGet, "/api/v1/orgs/tree", Named("tree"));
  EXPECT_EQ(Call(r.Find(Method::kGet, "/api/v1/orgs/tree")), "tree");
  EXPECT_EQ(Call(r.Find(Method::kGet, "/api/v1/orgs/7")), "by-id");
}

TEST(RouterTest, WrongMethodIsPathKnown) {
  Router r;
  r.Add(Method::kPost, "/api/v1/login", Named("login"));
  auto m = r.Find(Method::kGet, "/api/v1/login");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.path_known);
  EXPECT_FALSE(r.Find(Method::kGet, "/api/v1/logout").path_known);
}

TEST(RouterTest, HeadFallsBackToGet) {
  Router r;
  r.Add(Method::kGet, "/api/v1/x", Named("get"));
  auto m = r.Find(Method::kHead, "/api/v1/x");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(Call(m), "get");
}

TEST(RouterTest, ExplicitHeadWinsOverGet) {
  Router r;
  r.Add(Method::kGet, "/api/v1/x", Named("get"));
  r.Add(Method::kHead, "/api/v1/x", Named("head"));
  EXPECT_EQ(Call(r.Find(Method::kHead, "/api/v1/x")), "head");
}

TEST(RouterTest, RouteOptionsComeBack) {
  Router r;
  r.Add(Method::kPost, "/api/v1/import", Named("i"), RouteOptions{.max_body_bytes = 123});
  EXPECT_EQ(r.Find(Method::kPost, "/api/v1/import").options.max_body_bytes, 123u);
}

TEST(RouterTest, VeryDeepPathMatchesNothing) {
  Router r;
  r.Add(Method::kGet, "/api/{a}", Named("a"));
  std::string deep = "/api";
  for (int i = 0; i < 100; ++i) deep += "/x";
  EXPECT_EQ(r.Find(Method::kGet, deep).handler, nullptr);
}

}  // namespace
}  // namespace edugov::http
