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

// True when `text` holds one of the engine's ASCII keys for a level,
// department or org kind ("township", "department:petitions", "school" …).
bool HasRawKey(const std::string& text) {
  for (const char* key : {"school", "township", "department", "leadership", "supervision", "petitions",
                          "county", "bureau", "system", "escalated", "reminder", "overdue"}) {
    if (text.find(key) != std::string::npos) return true;
  }
  return false;
}

// Issue 13: timelines read "升级至 township，对承办单位（school）书面批评 / escalated to
// township…" — raw keys and both languages in one line.
TEST(CaseJsonTest, TheClockEventsAreToldInEachLanguageWithoutRawKeys) {
  cases::CaseTypeRegistry types;
  cases::CaseView v;
  v.id = 9;
  v.case_type = "complaint";
  v.state = "handling";
  v.assignee_level = "school";
  // As cases/sweep.cc records them now: facts as fields, no comment.
  v.events.push_back({.id = 1, .actor = "system", .kind = "remind", .fields = {{"due", "2025-10-09"}}});
  v.events.push_back({.id = 2, .actor = "system", .kind = "escalate",
                      .fields = {{"escalation_level", 1}, {"to", "township"}, {"criticised", "school"}}});
  v.events.push_back({.id = 3, .actor = "system", .kind = "escalate",
                      .fields = {{"escalation_level", 2}, {"to", "department:petitions"}, {"criticised", "school"}}});
  // As they were stored before: a bilingual comment with raw keys.
  v.events.push_back({.id = 4, .actor = "system", .kind = "remind",
                      .comment = "已逾期（期限 2025-10-09），催办 / overdue since 2025-10-09, reminder"});
  v.events.push_back({.id = 5, .actor = "system", .kind = "escalate",
                      .comment = "逾期未办，升级至 township，对承办单位（school）书面批评 / escalated to township; "
                                 "written criticism of the assignee (school)",
                      .fields = {{"escalation_level", 1}, {"to", "township"}}});
  // A person acts: shown by display name.
  v.events.push_back({.id = 6, .actor = "xinfang", .kind = "transition", .transition = "dispatch", .comment = "请办理"});
  json j = CaseDetailJson(types, v, {{"xinfang", "信访办周主任"}});
  const json& ev = j["events"];
  ASSERT_EQ(ev.size(), 6u);
  for (size_t i = 0; i < 5; ++i) {
    SCOPED_TRACE(ev[i].dump());
    const std::string zh = ev[i]["text"]["zh"];
    EXPECT_FALSE(HasRawKey(zh)) << zh;
    EXPECT_EQ(ev[i]["comment"], "") << "the stored comment is not shown";
    EXPECT_EQ(ev[i]["actor_label"]["zh"], "系统");
    EXPECT_EQ(ev[i]["actor_label"]["en"], "System");
    EXPECT_EQ(std::string(ev[i]["text"]["en"]).find_first_of("催办升级"), std::string::npos);
  }
  EXPECT_EQ(ev[0]["text"]["zh"], "已超过办理期限（2025-10-09），催办");
  EXPECT_EQ(ev[0]["text"]["en"], "Past its deadline (2025-10-09): reminder sent");
  EXPECT_EQ(ev[1]["text"]["zh"], "逾期未办，升级至乡镇中心学校督办，对承办单位（学校）书面批评");
  EXPECT_EQ(ev[1]["text"]["en"],
            "Overdue: escalated to the township central school; written criticism of the assignee (the school)");
  EXPECT_EQ(ev[2]["text"]["zh"], "逾期未办，升级至局信访办督办，对承办单位（学校）书面批评");
  EXPECT_EQ(ev[3]["text"], ev[0]["text"]) << "an old reminder reads the same";
  EXPECT_EQ(ev[4]["text"], ev[1]["text"]) << "an old escalation reads the same";
  EXPECT_FALSE(ev[5].contains("text"));
  EXPECT_EQ(ev[5]["comment"], "请办理");
  EXPECT_EQ(ev[5]["actor"], "xinfang");
  EXPECT_EQ(ev[5]["actor_label"]["zh"], "信访办周主任");
  // Someone the accounts store no longer knows keeps the username.
  EXPECT_EQ(CaseDetailJson(types, v)["events"][5]["actor_label"]["zh"], "xinfang");
}

// Issue 14: a provisional deadline recomputed once the holiday notice is in.
TEST(CaseJsonTest, ARecomputedDeadlineIsToldWithTheOldAndNewDay) {
  cases::CaseTypeRegistry types;
  cases::CaseView v;
  v.id = 10;
  v.case_type = "complaint";
  v.state = "handling";
  v.deadline_provisional = true;
  EXPECT_EQ(CaseSummaryJson(types, v)["deadline_provisional"], true);
  v.deadline_provisional = false;
  v.events.push_back({.id = 1, .actor = "system", .kind = "deadline",
                      .fields = {{"from", "2027-01-07"}, {"to", "2027-01-06"}, {"provisional", false}}});
  v.events.push_back({.id = 2, .actor = "system", .kind = "deadline",
                      .fields = {{"from", "2027-01-07"}, {"to", "2027-01-07"}, {"provisional", false}}});
  json j = CaseDetailJson(types, v);
  EXPECT_EQ(j["deadline_provisional"], false);
  const json& ev = j["events"];
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0]["label"]["zh"], "期限重算");
  EXPECT_EQ(ev[0]["text"]["zh"], "已导入国务院节假日安排通知，办理期限重新计算：2027-01-07 → 2027-01-06，不再是暂定期限");
  EXPECT_EQ(ev[0]["text"]["en"],
            "The State Council's holiday notice was imported: deadline recomputed, 2027-01-07 → 2027-01-06; "
            "no longer provisional");
  EXPECT_EQ(ev[1]["text"]["zh"], "已导入国务院节假日安排通知，办理期限 2027-01-07 不变，不再是暂定期限");
}

TEST(CaseJsonTest, EscalationStepsAreNamedInBothLanguages) {
  EXPECT_EQ(EscalationStepLabel("leadership").zh, "局领导");
  EXPECT_EQ(EscalationStepLabel("department:supervision").zh, "局督导室");
  EXPECT_EQ(EscalationStepLabel("department:supervision").en, "the bureau's supervision office");
  EXPECT_EQ(EscalationStepLabel("supervision").zh, "局督导室");
  EXPECT_EQ(EscalationStepLabel("unknown-step").zh, "unknown-step");
}

}  // namespace
}  // namespace edugov::http
