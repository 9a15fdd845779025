#include "notify/inbox_notifier.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ledger/audit.h"
#include "notify/inbox.h"
#include "notify/webhooks.h"
#include "testing/test_db.h"

namespace edugov::notify {
namespace {

using storage::Backend;
using storage::Connection;

class NotifyTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto t = testing::TestDb::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    db_.emplace(std::move(*t));
    auto conn = db_->db().Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_.emplace(std::move(*conn));
    county_ = AddOrg(0, "county");
    township_ = AddOrg(county_, "township");
    school_ = AddOrg(township_, "school");
    school2_ = AddOrg(township_, "school");
    leader_ = AddUser("juzhang", "bureau_leader", "", county_);
    xinfang_ = AddUser("xinfang", "bureau_dept", "petitions", county_);
    xinfang2_ = AddUser("xinfang2", "bureau_dept", "petitions", county_);
    AddUser("xinfang_old", "bureau_dept", "petitions", county_, /*disabled=*/true);
    dudao_ = AddUser("dudao", "bureau_dept", "supervision", county_);
    dongping_ = AddUser("dongping", "township", "", township_);
    jiangying_ = AddUser("jiangying", "school", "", school_);
    laoshi_ = AddUser("laoshi", "teacher", "", school_);
    other_school_ = AddUser("meicheng", "school", "", school2_);
  }

  Connection& conn() { return **conn_; }

  int64_t AddOrg(int64_t parent, const std::string& kind) {
    std::string parent_path = "/";
    if (parent != 0) parent_path = conn().Query("SELECT path FROM orgs WHERE id = $1", {parent})->GetText(0, 0);
    const std::string code = "N" + std::to_string(++codes_);
    auto rs = conn().Query(
        "INSERT INTO orgs (parent_id, kind, code, name, path, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, 0, 0) RETURNING id",
        {parent ? storage::Value(parent) : storage::Null(), kind, code, "单位" + code, code});
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    const int64_t id = rs->GetInt(0, 0);
    EXPECT_TRUE(conn().Execute("UPDATE orgs SET path = $1 WHERE id = $2",
                               {parent_path + std::to_string(id) + "/", id}).ok());
    return id;
  }

  int64_t AddUser(const std::string& name, const std::string& role, const std::string& dept,
                  int64_t org, bool disabled = false) {
    auto rs = conn().Query(
        "INSERT INTO users (username, display_name, role, department, org_id, password_hash, "
        "disabled, created_at_us, updated_at_us) VALUES ($1, $1, $2, $3, $4, 'x', $5, 0, 0) "
        "RETURNING id",
        {name, role, dept, org, int64_t{disabled ? 1 : 0}});
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    return rs->GetInt(0, 0);
  }

  static cases::CaseNotice Notice(std::string kind, std::string level, int64_t org = 0,
                                  std::string dept = "") {
    return {.kind = std::move(kind), .case_id = 0, .case_ref = "TS2025-000123",
            .case_type = "complaint", .title = "食堂饭菜变质",
            .message_zh = "请在 2025-03-05 前答复", .message_en = "Answer by 2025-03-05",
            .level = std::move(level), .org_id = org, .department = std::move(dept)};
  }

  Status Notify(const cases::CaseNotice& n) {
    return storage::RunInTransaction(conn(), [&](Connection& tx) { return notifier_.Notify(tx, n); });
  }

  // user ids with a notice, in id order
  std::vector<int64_t> Recipients() {
    auto rs = conn().Query("SELECT user_id FROM notifications ORDER BY user_id");
    EXPECT_TRUE(rs.ok());
    std::vector<int64_t> out;
    for (size_t r = 0; r < rs->size(); ++r) out.push_back(rs->GetInt(r, 0));
    return out;
  }

  void Clear() {
    ASSERT_TRUE(conn().Execute("DELETE FROM notifications").ok());
    ASSERT_TRUE(conn().Execute("DELETE FROM webhook_deliveries").ok());
  }

  FakeClock clock_{FromUnixMicros(1'740'000'000'000'000)};
  InboxNotifier notifier_{clock_};
  std::optional<testing::TestDb> db_;
  std::optional<storage::ConnectionHandle> conn_;
  int codes_ = 0;
  int64_t county_ = 0, township_ = 0, school_ = 0, school2_ = 0;
  int64_t leader_ = 0, xinfang_ = 0, xinfang2_ = 0, dudao_ = 0, dongping_ = 0, jiangying_ = 0,
          laoshi_ = 0, other_school_ = 0;
};

TEST_P(NotifyTest, ResolvesRecipientsByLevel) {
  ASSERT_TRUE(Notify(Notice("assigned", "school", school_)).ok());
  EXPECT_EQ(Recipients(), std::vector<int64_t>({jiangying_}));  // not the teacher, not school2
  Clear();
  ASSERT_TRUE(Notify(Notice("reminder", "township", township_)).ok());
  EXPECT_EQ(Recipients(), std::vector<int64_t>({dongping_}));
  Clear();
  ASSERT_TRUE(Notify(Notice("assigned", "department", 0, "petitions")).ok());
  EXPECT_EQ(Recipients(), std::vector<int64_t>({xinfang_, xinfang2_}));  // not the disabled one
  Clear();
  ASSERT_TRUE(Notify(Notice("escalated", "leadership")).ok());
  EXPECT_EQ(Recipients(), std::vector<int64_t>({leader_}));
  Clear();
  // A school without an account: nobody to tell, and that is not an error.
  ASSERT_TRUE(Notify(Notice("assigned", "school", county_)).ok());
  EXPECT_TRUE(Recipients().empty());
}

TEST_P(NotifyTest, InboxRowCarriesTitleBodyAndTime) {
  ASSERT_TRUE(Notify(Notice("reminder", "school", school_)).ok());
  auto page = ReadInbox(conn(), jiangying_, false, 50);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->items.size(), 1u);
  const InboxItem& it = page->items[0];
  EXPECT_EQ(it.kind, "reminder");
  EXPECT_EQ(it.title, "【催办】TS2025-000123 食堂饭菜变质");
  EXPECT_EQ(it.body, "请在 2025-03-05 前答复");
  EXPECT_EQ(it.case_id, 0);
  EXPECT_EQ(it.created_at_us, 1'740'000'000'000'000);
  EXPECT_FALSE(it.read_at_us.has_value());
  EXPECT_EQ(page->unread, 1);
}

TEST_P(NotifyTest, BadLevelAndMissingTransactionAreRefused) {
  Status s = Notify(Notice("assigned", "galaxy"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "level");
  EXPECT_EQ(notifier_.Notify(conn(), Notice("assigned", "leadership")).code(), StatusCode::kInternal);
  EXPECT_TRUE(Recipients().empty());
}

TEST_P(NotifyTest, RolledBackChangeLeavesNoNotice) {
  ASSERT_TRUE(CreateWebhook(conn(), {.name = "群", .url = "http://127.0.0.1:9/hook"}, leader_,
                            "juzhang", clock_).ok());
  Status s = storage::RunInTransaction(conn(), [&](Connection& tx) -> Status {
    RETURN_IF_ERROR(notifier_.Notify(tx, Notice("assigned", "leadership")));
    return InvalidArgumentError("the transition itself failed");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Recipients().empty());
  EXPECT_EQ(conn().Query("SELECT COUNT(*) FROM webhook_deliveries")->GetInt(0, 0), 0);
}

TEST_P(NotifyTest, WebhookOutboxRowsFollowKindsAndFlavor) {
  auto ding = CreateWebhook(conn(), {.name = "局办公室群", .url = "https://oapi.dingtalk.com/robot/send?access_token=SECRET1",
                                     .flavor = "dingtalk"}, leader_, "juzhang", clock_);
  ASSERT_TRUE(ding.ok()) << ding.status().ToString();
  auto wecom = CreateWebhook(conn(), {.name = "督导群", .url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET2",
                                      .flavor = "wecom", .kinds = "reminder, escalated"},
                             leader_, "juzhang", clock_);
  ASSERT_TRUE(wecom.ok()) << wecom.status().ToString();
  auto off = CreateWebhook(conn(), {.name = "停用", .url = "http://example.org/x", .enabled = false},
                           leader_, "juzhang", clock_);
  ASSERT_TRUE(off.ok());

  ASSERT_TRUE(Notify(Notice("assigned", "school", school_)).ok());
  auto rs = conn().Query("SELECT webhook_id, payload, status, attempts, next_attempt_at FROM webhook_deliveries ORDER BY id");
  ASSERT_TRUE(rs.ok());
  ASSERT_EQ(rs->size(), 1u);  // only the all-kinds robot
  EXPECT_EQ(rs->GetInt(0, 0), ding->id);
  EXPECT_EQ(rs->GetText(0, 2), "pending");
  EXPECT_EQ(rs->GetInt(0, 3), 0);
  EXPECT_EQ(rs->GetInt(0, 4), 1'740'000'000'000'000);  // due at once
  nlohmann::json p = nlohmann::json::parse(rs->GetText(0, 1));
  EXPECT_EQ(p["msgtype"], "text");
  EXPECT_EQ(p["text"]["content"], "【待办】TS2025-000123 食堂饭菜变质\n请在 2025-03-05 前答复");
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p["text"].size(), 1u);

  Clear();
  ASSERT_TRUE(Notify(Notice("reminder", "school", school_)).ok());
  rs = conn().Query("SELECT webhook_id, payload FROM webhook_deliveries ORDER BY webhook_id");
  ASSERT_EQ(rs->size(), 2u);
  EXPECT_EQ(rs->GetInt(1, 0), wecom->id);
  nlohmann::json w = nlohmann::json::parse(rs->GetText(1, 1));
  EXPECT_EQ(w["msgtype"], "text");
  EXPECT_EQ(w["text"]["content"], "【催办】TS2025-000123 食堂饭菜变质\n请在 2025-03-05 前答复");
}

TEST(WebhookTextTest, LongTextIsCutAtACharacter) {
  cases::CaseNotice n{.kind = "assigned", .case_ref = "TS2025-000001", .title = "标题"};
  for (int i = 0; i < 1000; ++i) n.message_zh += "长";  // 3 bytes each
  std::string text = WebhookText(n);
  EXPECT_LE(text.size(), kMaxWebhookTextBytes);
  EXPECT_GT(text.size(), kMaxWebhookTextBytes - 3);
  // Valid UTF-8: a strict dump does not throw.
  EXPECT_NO_THROW((void)nlohmann::json(text).dump());
  auto payload = WebhookPayload("wecom", n);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(WebhookPayload("slack", n).status().field(), "flavor");
}

TEST(KindsMatchTest, EmptyMeansAllAndItemsAreTrimmed) {
  EXPECT_TRUE(KindsMatch("", "assigned"));
  EXPECT_TRUE(KindsMatch("reminder, escalated", "escalated"));
  EXPECT_TRUE(KindsMatch("reminder,escalated", "reminder"));
  EXPECT_FALSE(KindsMatch("reminder,escalated", "assigned"));
  EXPECT_FALSE(KindsMatch("reminders", "reminder"));
}

TEST_P(NotifyTest, InboxIsPerUserAndMarkReadIsIdempotentAndAudited) {
  ASSERT_TRUE(Notify(Notice("assigned", "department", 0, "petitions")).ok());
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(Notify(Notice("reminder", "department", 0, "petitions")).ok());
  auto mine = ReadInbox(conn(), xinfang_, false, 50);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->items.size(), 2u);
  EXPECT_EQ(mine->items[0].kind, "reminder");  // newest first
  EXPECT_EQ(mine->unread, 2);
  auto theirs = ReadInbox(conn(), xinfang2_, false, 50);
  ASSERT_EQ(theirs->items.size(), 2u);
  auto nobody = ReadInbox(conn(), dudao_, false, 50);
  EXPECT_TRUE(nobody->items.empty());

  const int64_t id = mine->items[1].id;
  // Someone else's notice is "not found", exactly like a missing one.
  Status s = MarkRead(conn(), xinfang2_, "xinfang2", id, clock_);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(MarkRead(conn(), xinfang_, "xinfang", 999999, clock_).message_en(),
            "notice 999999 not found");

  clock_.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(MarkRead(conn(), xinfang_, "xinfang", id, clock_).ok());
  const int64_t first_read = ToUnixMicros(clock_.Now());
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(MarkRead(conn(), xinfang_, "xinfang", id, clock_).ok());
  auto unread = ReadInbox(conn(), xinfang_, true, 50);
  ASSERT_EQ(unread->items.size(), 1u);
  EXPECT_EQ(unread->unread, 1);
  auto all = ReadInbox(conn(), xinfang_, false, 50);
  EXPECT_EQ(all->items[1].read_at_us, first_read);
  EXPECT_EQ(ReadInbox(conn(), xinfang2_, true, 50)->unread, 2);  // theirs untouched

  auto audit = ledger::ReadAudit(conn(), 0, 10);
  ASSERT_TRUE(audit.ok());
  int reads = 0;
  for (const auto& a : *audit) reads += a.entry.action == "notification.read";
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(ReadInbox(conn(), xinfang_, false, 0).status().field(), "limit");
}

TEST_P(NotifyTest, WebhooksValidateRedactAndAudit) {
  auto bad = [&](WebhookInput in) {
    return CreateWebhook(conn(), in, leader_, "juzhang", clock_).status().field();
  };
  EXPECT_EQ(bad({.name = "", .url = "http://x"}), "name");
  EXPECT_EQ(bad({.name = "a", .url = "ftp://x"}), "url");
  EXPECT_EQ(bad({.name = "a", .url = "http://"}), "url");
  EXPECT_EQ(bad({.name = "a", .url = "http://a b/"}), "url");
  EXPECT_EQ(bad({.name = "a", .url = "http://x", .flavor = "slack"}), "flavor");
  EXPECT_EQ(bad({.name = "a", .url = "http://x", .kinds = "assigned,everything"}), "kinds");

  auto w = CreateWebhook(conn(), {.name = "局办公室群",
                                  .url = "https://oapi.dingtalk.com/robot/send?access_token=SECRET",
                                  .kinds = "reminder"},
                         leader_, "juzhang", clock_);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->url_redacted, "https://oapi.dingtalk.com/robot/send?…");
  EXPECT_TRUE(w->enabled);
  auto off = SetWebhookEnabled(conn(), w->id, false, leader_, "juzhang", clock_);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->enabled);
  EXPECT_EQ(SetWebhookEnabled(conn(), 4242, false, leader_, "juzhang", clock_).status().code(),
            StatusCode::kNotFound);

  auto list = ListWebhooks(conn());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "局办公室群");

  auto audit = ledger::ReadAudit(conn(), 0, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[1].entry.action, "webhook.create");
  EXPECT_EQ((*audit)[0].entry.action, "webhook.disable");
  for (const auto& a : *audit) {
    EXPECT_EQ(a.entry.after.find("SECRET"), std::string::npos) << a.entry.after;
    EXPECT_EQ(a.entry.before.find("SECRET"), std::string::npos);
  }
  EXPECT_EQ(RedactUrl("http://user:pw@host:8080/p?q=1"), "http://…@host:8080/p?…");
}

INSTANTIATE_TEST_SUITE_P(Backends, NotifyTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::notify
