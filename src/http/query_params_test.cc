#include "http/query_params.h"

#include <gtest/gtest.h>

namespace edugov::http {
namespace {

TEST(QueryNumberTest, AbsentGivesTheFallback) {
  Request req;
  auto v = QueryNumber(req, "limit", 50, 1, 500);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 50);
}

TEST(QueryNumberTest, ReadsAnIntegerInRange) {
  Request req;
  req.query["offset"] = "0";
  req.query["limit"] = "500";
  EXPECT_EQ(*QueryNumber(req, "offset", 0, 0, 1'000'000), 0);
  EXPECT_EQ(*QueryNumber(req, "limit", 50, 1, 500), 500);
}

TEST(QueryNumberTest, RefusesOutOfRangeSignsAndTextNamingTheParameter) {
  for (const char* bad : {"501", "0", "-1", "+5", " 5", "5x", "", "9999999999999"}) {
    Request req;
    req.query["limit"] = bad;
    auto v = QueryNumber(req, "limit", 50, 1, 500);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(v.status().field(), "limit");
    EXPECT_EQ(v.status().message_zh(),
              std::string("limit 须为 1…500 之间的整数，而不是“") + bad + "”");
  }
}

}  // namespace
}  // namespace edugov::http
