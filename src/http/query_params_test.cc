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

// Issue 13: the staff list (机构 → 教职工) sent ?offset=0&limit=20 and was
// answered 400 "offset 必须是非负整数" — the offset was read as an id, which
// starts at 1. Every paging parameter the UI sends on a first page is valid.
TEST(QueryNumberTest, AFirstPageIsValidForEveryPagingParameter) {
  Request req;
  req.query["offset"] = "0";
  req.query["limit"] = "20";
  req.query["before"] = "0";
  // The bounds of the Paged() routes (route.cc ParsePaging) and of the audit's keyset paging.
  for (int64_t max_offset : {INT64_C(1'000'000'000), INT64_C(999999999999)}) {
    auto offset = QueryNumber(req, "offset", 0, 0, max_offset);
    ASSERT_TRUE(offset.ok()) << offset.status().ToString();
    EXPECT_EQ(*offset, 0);
  }
  for (int64_t max_limit : {500, 1000}) {
    auto limit = QueryNumber(req, "limit", 50, 1, max_limit);
    ASSERT_TRUE(limit.ok()) << limit.status().ToString();
    EXPECT_EQ(*limit, 20);
  }
  auto before = QueryNumber(req, "before", 0, 0, 999'999'999'999);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*before, 0);
  // A later page, and the largest offset allowed.
  req.query["offset"] = "40";
  EXPECT_EQ(*QueryNumber(req, "offset", 0, 0, 1'000'000'000), 40);
  req.query["offset"] = "1000000000";
  EXPECT_EQ(*QueryNumber(req, "offset", 0, 0, 1'000'000'000), 1'000'000'000);
}

TEST(QueryNumberTest, ANegativeOrNonNumericOffsetIsRefusedNamingIt) {
  for (const char* bad : {"-1", "x", "", "1e3", "1000000001"}) {
    Request req;
    req.query["offset"] = bad;
    auto v = QueryNumber(req, "offset", 0, 0, 1'000'000'000);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(v.status().field(), "offset");
    EXPECT_EQ(v.status().message_zh(),
              std::string("offset 须为 0…1000000000 之间的整数，而不是“") + bad + "”");
  }
}

}  // namespace
}  // namespace edugov::http
