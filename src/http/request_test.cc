#include "http/request.h"

#include <gtest/gtest.h>

#include "testing/raw_errors.h"

namespace edugov::http {
namespace {

TEST(RequestTest, HeaderIsEmptyWhenAbsent) {
  Request req;
  req.headers["x-a"] = "1";
  EXPECT_EQ(req.Header("x-a"), "1");
  EXPECT_EQ(req.Header("x-b"), "");
}

TEST(RequestTest, CookieFindsNamedValue) {
  Request req;
  req.headers["cookie"] = "a=1; sid=abc ; b=\"q\"";
  EXPECT_EQ(req.Cookie("sid"), "abc");
  EXPECT_EQ(req.Cookie("b"), "q");
  EXPECT_EQ(req.Cookie("a"), "1");
  EXPECT_EQ(req.Cookie("si"), std::nullopt);
}

TEST(RequestTest, CookieAbsentWithoutHeader) {
  Request req;
  EXPECT_EQ(req.Cookie("sid"), std::nullopt);
}

TEST(RequestTest, QueryParameter) {
  Request req;
  req.query["page"] = "2";
  EXPECT_EQ(req.Query("page"), "2");
  EXPECT_EQ(req.Query("size"), std::nullopt);
}

TEST(RequestTest, JsonResponseSerialises) {
  Response res = JsonResponse({{"a", 1}}, 201);
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.body, R"({"a":1})");
  EXPECT_EQ(res.content_type, "application/json; charset=utf-8");
}

TEST(RequestTest, JsonResponseReplacesInvalidUtf8InsteadOfThrowing) {
  Response res = JsonResponse({{"a", std::string("\xff")}});
  EXPECT_EQ(res.status, 200);
}

TEST(RequestTest, NoContentHasNoBody) {
  Response res = NoContent();
  EXPECT_EQ(res.status, 204);
  EXPECT_TRUE(res.body.empty());
}

TEST(RequestTest, ErrorResponseCarriesCodeMessageAndField) {
  Status s = InvalidArgumentError("bad name", "名称无效").WithField("name");
  Response zh = ErrorResponse(s, Lang::kZh);
  EXPECT_EQ(zh.status, 400);
  auto j = nlohmann::json::parse(zh.body);
  EXPECT_EQ(j["error"]["code"], "invalid_argument");
  EXPECT_EQ(j["error"]["message"], "名称无效");
  EXPECT_EQ(j["error"]["field"], "name");
  auto en = nlohmann::json::parse(ErrorResponse(s, Lang::kEn).body);
  EXPECT_EQ(en["error"]["message"], "bad name");
}

TEST(RequestTest, ErrorResponseOmitsEmptyField) {
  auto j = nlohmann::json::parse(ErrorResponse(NotFoundError("x"), Lang::kEn).body);
  EXPECT_FALSE(j["error"].contains("field"));
}

TEST(ErrorMappingTest, EachCodeMapsToItsStatus) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
}

TEST(ParseJsonObjectTest, AcceptsObject) {
  auto j = ParseJsonObject(R"({"a": [1, 2]})");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["a"][1], 2);
}

TEST(ParseJsonObjectTest, MalformedNamesByteOffset) {
  auto j = ParseJsonObject(R"({"a": })");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(j.status().message_en().find("byte 7"), std::string::npos) << j.status().message_en();
  EXPECT_NE(j.status().message_zh().find("7"), std::string::npos);
}

// Regression: the probe saw nlohmann's "[json.exception.parse_error.101] …"
// wording; the message names line and column in both languages instead.
TEST(ParseJsonObjectTest, MalformedNamesLineAndColumnWithoutLibraryText) {
  auto j = ParseJsonObject("{\n  \"名\": 1,\n  \"b\": tru\n}");
  ASSERT_FALSE(j.ok());
  const Status& s = j.status();
  EXPECT_EQ(s.field(), "body");
  EXPECT_NE(s.message_en().find("line 3, column"), std::string::npos) << s.message_en();
  EXPECT_NE(s.message_zh().find("第 3 行第"), std::string::npos) << s.message_zh();
  EXPECT_EQ(testing::RawLibraryFragment(s.message_en()), "") << s.message_en();
  EXPECT_EQ(testing::RawLibraryFragment(s.message_zh()), "") << s.message_zh();
}

TEST(ParseJsonObjectTest, RejectsNonObject) {
  auto j = ParseJsonObject("[1]");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message_en().find("array"), std::string::npos);
}

TEST(ParseJsonObjectTest, RejectsEmptyBody) {
  EXPECT_FALSE(ParseJsonObject("").ok());
}

TEST(MethodNameTest, Names) {
  EXPECT_EQ(MethodName(Method::kGet), "GET");
  EXPECT_EQ(MethodName(Method::kDelete), "DELETE");
}

}  // namespace
}  // namespace edugov::http
