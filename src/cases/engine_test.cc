#include "cases/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "cases/test_fixture.h"
#include "ledger/audit.h"

namespace edugov::cases {
namespace {

using storage::Backend;
using testfx::At;
using testfx::Fixture;
using testfx::Png;

class EngineTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    fx = Fixture::Make(GetParam());
    ASSERT_NE(fx, nullptr);
  }
  CaseEngine& engine() { return *fx->engine; }
  Actor As(const accounts::Principal& p) { return Actor::User(p); }

  OpenedCase FileComplaint(const std::string& text = "食堂饭菜有异味，孩子吃了肚子疼，已经好几次了",
                           const std::string& category = "meals") {
    auto opened = engine().Open(Actor::Public(), {.case_type = "complaint", .org_id = fx->school,
                                                  .fields = {{"category", category},
                                                             {"kind", "complaint"},
                                                             {"text", text},
                                                             {"name", "张三丰"},
                                                             {"phone", "13800138000"}}});
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? *opened : OpenedCase{};
  }

  std::unique_ptr<Fixture> fx;
};

TEST_P(EngineTest, ComplaintHappyPath) {
  OpenedCase o = FileComplaint();
  EXPECT_EQ(o.view.ref, "TS2025-000001");
  EXPECT_EQ(o.view.state, "received");
  EXPECT_EQ(o.tracking_code.size(), 16u);
  EXPECT_EQ(o.view.assignee_level, "department");
  EXPECT_EQ(o.view.assignee_department, "petitions");
  // Received Monday 2025-09-01: acknowledge by the end of Tuesday.
  ASSERT_TRUE(o.view.due_at_us);
  EXPECT_EQ(FormatTimestamp(FromUnixMicros(*o.view.due_at_us)), "2025-09-02T23:59:59+08:00");
  const int64_t id = o.view.id;

  auto v = engine().Transition(As(fx->petitions), id,
                               {.transition = "dispatch", .version = 1, .comment = "请江英学校调查处理",
                                .fields = {{"lead_org_id", fx->school}}});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->state, "dispatched");
  EXPECT_EQ(v->assignee_level, "school");
  EXPECT_EQ(v->assignee_org_id, fx->school);
  // 13 working days from Monday 1 September: Thursday 18 September.
  EXPECT_EQ(FormatTimestamp(FromUnixMicros(*v->due_at_us)), "2025-09-18T23:59:59+08:00");

  // The school answers with evidence; the answer is public.
  fx->clock.Advance(std::chrono::hours(24 * 3));
  v = engine().Transition(As(fx->head), id,
                          {.transition = "answer", .version = v->version,
                           .comment = "经核查，食材已更换供应商，并对食堂进行整改。",
                           .fields = {{"finding", "substantiated"}}, .attachments = {Png()}});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->state, "answered");
  EXPECT_EQ(v->assignee_level, "township");
  EXPECT_EQ(v->assignee_org_id, fx->township);
  ASSERT_EQ(v->attachments.size(), 1u);
  EXPECT_EQ(v->attachments[0].content_type, "image/png");

  v = engine().Transition(As(fx->town), id, {.transition = "verify", .version = v->version});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  v = engine().Transition(As(fx->petitions), id, {.transition = "close", .version = v->version});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->state, "closed");
  EXPECT_TRUE(v->closed_at_us);
  EXPECT_FALSE(v->due_at_us);

  auto t = engine().Track(o.tracking_code);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->state, "closed");
  EXPECT_EQ(t->answer, "经核查，食材已更换供应商，并对食堂进行整改。");
  EXPECT_TRUE(t->can_rate);
  EXPECT_TRUE(t->can_reopen);
  for (const CaseEvent& e : t->events) EXPECT_NE(e.actor, "jiangying");

  auto r = engine().Rate(o.tracking_code, 5, "满意");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->satisfaction, 5);
  EXPECT_FALSE(r->can_rate);
  EXPECT_EQ(engine().Rate(o.tracking_code, 4, "").status().code(), StatusCode::kFailedPrecondition);

  // Every change is in the audit chain, and the chain verifies.
  auto conn = fx->db().Acquire();
  auto report = ledger::VerifyAudit(**conn);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok);
  EXPECT_GE(report->entries, 6);
  EXPECT_GE(fx->notifier.Count("assigned"), 3);
  EXPECT_EQ(fx->notifier.Count("closed"), 1);
}

TEST_P(EngineTest, ConfidentialFieldsNeverReachTheSchool) {
  OpenedCase o = FileComplaint();
  auto seen = engine().Get(As(fx->head), o.view.id);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_FALSE(seen->confidential.has_value());
  const std::string dump = seen->fields.dump();
  EXPECT_EQ(dump.find("张三丰"), std::string::npos);
  EXPECT_EQ(dump.find("13800138000"), std::string::npos);
  for (const CaseEvent& e : seen->events) {
    EXPECT_EQ(e.fields.dump().find("张三丰"), std::string::npos);
    EXPECT_EQ(e.comment.find("张三丰"), std::string::npos);
  }
  auto list = engine().List(As(fx->head), {});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_FALSE(list->items[0].confidential.has_value());
  EXPECT_EQ(list->items[0].title.find("张三丰"), std::string::npos);
  // The township and the leader do not see them either; petitions does.
  for (const accounts::Principal* p : {&fx->town, &fx->leader, &fx->supervision}) {
    auto v = engine().Get(As(*p), o.view.id);
    ASSERT_TRUE(v.ok());
    EXPECT_FALSE(v->confidential.has_value()) << p->username;
  }
  auto v = engine().Get(As(fx->petitions), o.view.id);
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->confidential.has_value());
  EXPECT_EQ((*v->confidential)["name"], "张三丰");
  EXPECT_EQ((*v->confidential)["phone"], "13800138000");
  // Not in clear in the database: not in the row, the events, the audit log.
  auto conn = fx->db().Acquire();
  for (const char* sql : {"SELECT * FROM cases", "SELECT * FROM case_events", "SELECT * FROM audit_log"}) {
    auto rs = (*conn)->Query(sql);
    ASSERT_TRUE(rs.ok()) << sql << rs.status().ToString();
    for (size_t r = 0; r < rs->size(); ++r) {
      for (size_t c = 0; c < rs->columns().size(); ++c) {
        const storage::Value& val = rs->at(r, c);
        std::string bytes;
        if (auto* s = std::get_if<std::string>(&val)) bytes = *s;
        if (auto* b = std::get_if<storage::Blob>(&val)) bytes = b->bytes;
        EXPECT_EQ(bytes.find("张三丰"), std::string::npos) << sql;
        EXPECT_EQ(bytes.find("13800138000"), std::string::npos) << sql;
      }
    }
  }
}

TEST_P(EngineTest, SubtreeScoping) {
  OpenedCase o = FileComplaint();
  // Another township's school and another school of the same township see nothing.
  EXPECT_EQ(engine().Get(As(fx->head_b), o.view.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine().Get(As(fx->town2), o.view.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine().Get(As(fx->teacher), o.view.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine().Get(As(fx->head), 999999).status().code(), StatusCode::kNotFound);
  auto l = engine().List(As(fx->town2), {});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->total, 0);
  l = engine().List(As(fx->town), {});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->total, 1);
}

TEST_P(EngineTest, ForgedTrackingCodesLearnNothing) {
  OpenedCase o = FileComplaint();
  auto ok = engine().Track(o.tracking_code);
  ASSERT_TRUE(ok.ok());
  // Lower case and dashes are accepted.
  std::string lower = o.tracking_code;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_TRUE(engine().Track(lower.substr(0, 8) + "-" + lower.substr(8)).ok());
  std::string forged = o.tracking_code;
  forged[5] = forged[5] == 'A' ? 'B' : 'A';
  auto a = engine().Track(forged);
  auto b = engine().Track("not a code at all");
  auto c = engine().Track("");
  for (const auto* s : {&a, &b, &c}) {
    EXPECT_EQ(s->status().code(), StatusCode::kNotFound);
    EXPECT_EQ(s->status().message_en(), a.status().message_en());
  }
  EXPECT_EQ(engine().Rate(forged, 5, "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine().Reopen(forged, "再查").status().code(), StatusCode::kNotFound);
}

TEST_P(EngineTest, StaleVersionAndWrongState) {
  OpenedCase o = FileComplaint();
  auto v = engine().Transition(As(fx->petitions), o.view.id,
                               {.transition = "dispatch", .version = 1, .fields = {{"lead_org_id", fx->school}}});
  ASSERT_TRUE(v.ok());
  auto stale = engine().Transition(As(fx->petitions), o.view.id,
                                   {.transition = "extend", .version = 1, .comment = "复杂",
                                    .fields = {{"extend_days", 5}}});
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stale.status().field(), "version");
  auto wrong = engine().Transition(As(fx->petitions), o.view.id, {.transition = "close", .version = v->version});
  EXPECT_EQ(wrong.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(wrong.status().field(), "transition");
}

TEST_P(EngineTest, ListFilters) {
  OpenedCase meals = FileComplaint("食堂饭菜有异味", "meals");
  OpenedCase fees = FileComplaint("班主任收取班费三百元", "illegal_fees");
  auto v = engine().Transition(As(fx->petitions), fees.view.id,
                               {.transition = "dispatch", .version = 1, .fields = {{"lead_org_id", fx->school}}});
  ASSERT_TRUE(v.ok());
  auto page = [&](const accounts::Principal& p, CaseFilter f) {
    auto r = engine().List(As(p), f);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->total : -1;
  };
  EXPECT_EQ(page(fx->petitions, {.category = "meals"}), 1);
  EXPECT_EQ(page(fx->petitions, {.state = "dispatched"}), 1);
  EXPECT_EQ(page(fx->petitions, {.case_type = "hazard"}), 0);
  EXPECT_EQ(page(fx->petitions, {.org_id = fx->township}), 2);
  EXPECT_EQ(page(fx->petitions, {.org_id = fx->township2}), 0);
  EXPECT_EQ(page(fx->petitions, {.text = meals.view.ref}), 1);
  EXPECT_EQ(page(fx->petitions, {.text = "班费"}), 1);  // the title names the category
  EXPECT_EQ(page(fx->petitions, {.text = "%"}), 0);     // LIKE wildcards are literal
  EXPECT_EQ(page(fx->petitions, {.assigned_to_me = true}), 1);
  EXPECT_EQ(page(fx->head, {.assigned_to_me = true}), 1);
  EXPECT_EQ(page(fx->head_b, {.assigned_to_me = true}), 0);
  EXPECT_EQ(page(fx->petitions, {.overdue_only = true}), 0);
  fx->clock.Set(At("2025-09-03T00:00:00+08:00"));  // the acknowledgement was due 2 September
  EXPECT_EQ(page(fx->petitions, {.overdue_only = true}), 1);
  EXPECT_EQ(page(fx->petitions, {.open_only = true}), 2);
  EXPECT_EQ(page(fx->petitions, {.opened_from_us = ToUnixMicros(At("2025-09-02T00:00:00+08:00"))}), 0);
  auto first = engine().List(As(fx->petitions), {.limit = 1});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->total, 2);
  ASSERT_EQ(first->items.size(), 1u);
  EXPECT_EQ(first->items[0].id, fees.view.id);  // newest first
  EXPECT_EQ(engine().List(As(fx->petitions), {.limit = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(engine().List(Actor::Public(), {}).status().code(), StatusCode::kPermissionDenied);
}

TEST_P(EngineTest, ConcurrentTransitionsOnOneVersionOneWins) {
  OpenedCase o = FileComplaint();
  std::atomic<int> ok{0}, conflict{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto r = engine().Transition(As(fx->petitions), o.view.id,
                                   {.transition = "dispatch", .version = 1, .fields = {{"lead_org_id", fx->school}}});
      if (r.ok()) {
        ++ok;
      } else if (r.status().code() == StatusCode::kFailedPrecondition) {
        ++conflict;
      } else {
        ADD_FAILURE() << r.status().ToString();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflict.load(), 3);
  auto v = engine().Get(As(fx->petitions), o.view.id);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->version, 2);
  EXPECT_EQ(v->events.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::cases
