#include "http/case_json.h"

#include <gtest/gtest.h>

namespace edugov::http {
namespace {

using nlohmann::json;

// A 1×1 PNG.
constexpr const char* kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

StatusOr<std::vector<cases::AttachmentInput>> Parse(const json& j, AttachmentLimits limits = {}) {
  return ParseAttachments(&j, limits);
}

TEST(ParseAttachmentsTest, AbsentOrNullIsNone) {
  EXPECT_TRUE(ParseAttachments(nullptr, {})->empty());
  EXPECT_TRUE(Parse(json())->empty());
  EXPECT_TRUE(Parse(json::array())->empty());
}

TEST(ParseAttachmentsTest, DecodesPlainBase64AndDataUrlsWithLineBreaks) {
  std::string wrapped = kPng;
  wrapped.insert(40, "\r\n");
  auto files = Parse(json::array({{{"filename", "照片.png"}, {"content_base64", kPng}},
                                  {{"filename", "b.png"}, {"content_base64", std::string("data:image/png;base64,") + kPng}},
                                  {{"filename", "c.png"}, {"content_base64", wrapped}}}));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].filename, "照片.png");
  EXPECT_EQ((*files)[0].bytes.substr(1, 3), "PNG");
  EXPECT_EQ((*files)[0].bytes, (*files)[1].bytes);
  EXPECT_EQ((*files)[0].bytes, (*files)[2].bytes);
}

TEST(ParseAttachmentsTest, ErrorsNameTheEntryAndTheFile) {
  auto bad = Parse(json::array({{{"filename", "ok.png"}, {"content_base64", kPng}},
                                {{"filename", "坏.png"}, {"content_base64", "@@not base64@@"}}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().field(), "attachments[1]");
  EXPECT_NE(bad.status().message_zh().find("坏.png"), std::string::npos);
  EXPECT_NE(bad.status().message_en().find("坏.png"), std::string::npos);

  for (const json& entry : {json("x"), json({{"filename", "a.png"}}), json({{"content_base64", kPng}}),
                            json({{"filename", "a.png"}, {"content_base64", kPng}, {"extra", 1}}),
                            json({{"filename", "../etc/passwd"}, {"content_base64", kPng}}),
                            json({{"filename", "a\r\nSet-Cookie: x"}, {"content_base64", kPng}}),
                            json({{"filename", "a.png"}, {"content_base64", ""}})}) {
    auto r = Parse(json::array({entry}));
    ASSERT_FALSE(r.ok()) << entry.dump();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << entry.dump();
    EXPECT_EQ(r.status().field(), "attachments[0]") << entry.dump();
  }
  auto not_array = Parse(json::object());
  ASSERT_FALSE(not_array.ok());
  EXPECT_EQ(not_array.status().field(), "attachments");
}

TEST(ParseAttachmentsTest, SizeAndCountLimitsAre413) {
  const AttachmentLimits limits{.max_count = 2, .max_bytes = 64, .max_total_bytes = 100};
  std::string b64_70(96, 'A');  // 72 bytes of zeros
  auto big = Parse(json::array({{{"filename", "大.png"}, {"content_base64", b64_70}}}), limits);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(big.status().message_zh().find("大.png"), std::string::npos);
  EXPECT_EQ(ErrorResponse(big.status(), Lang::kZh).status, 413);

  std::string b64_60(80, 'A');  // 60 bytes: fits alone, not twice
  auto total = Parse(json::array({{{"filename", "a"}, {"content_base64", b64_60}},
                                  {{"filename", "b"}, {"content_base64", b64_60}}}),
                     limits);
  ASSERT_FALSE(total.ok());
  EXPECT_EQ(total.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(total.status().field(), "attachments[1]");

  json three = json::array();
  for (int i = 0; i < 3; ++i) three.push_back({{"filename", "f"}, {"content_base64", kPng}});
  auto many = Parse(three, limits);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(ErrorResponse(many.status(), Lang::kEn).status, 413);
}

TEST(CaseJsonTest, LabelsFallBackToChineseAndTimesAreBeijing) {
  EXPECT_EQ(LabelJson({"已受理", ""}), (json{{"zh", "已受理"}, {"en", "已受理"}}));
  EXPECT_EQ(TimeJson(std::nullopt), json());
  EXPECT_EQ(TimeJson(ToUnixMicros(ParseTimestamp("2025-03-03T00:00:00Z").value())), "2025-03-03T08:00:00+08:00");
}

TEST(CaseJsonTest, ConfidentialAppearsOnlyWhenTheEngineFilledIt) {
  cases::CaseTypeRegistry types;
  cases::CaseView v;
  v.id = 7;
  v.case_type = "complaint";
  v.state = "received";
  json plain = CaseDetailJson(types, v);
  EXPECT_FALSE(plain.contains("confidential"));
  EXPECT_EQ(plain["org"], json());
  v.confidential = json{{"name", "张三"}};
  EXPECT_EQ(CaseDetailJson(types, v)["confidential"]["name"], "张三");
  EXPECT_FALSE(CaseSummaryJson(types, v).contains("confidential"));
}

}  // namespace
}  // namespace edugov::http
