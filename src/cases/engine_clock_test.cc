// Deadlines in working days across 国庆 2025 and 春节 2026, the reminder and
// escalation sweep, repeat-complaint merging, attachments, reopening.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cases/engine.h"
#include "cases/test_fixture.h"

namespace edugov::cases {
namespace {

using json = nlohmann::json;
using storage::Backend;
using testfx::At;
using testfx::Fixture;
using testfx::Png;

std::string Due(const CaseView& v) {
  return v.due_at_us ? FormatTimestamp(FromUnixMicros(*v.due_at_us)) : "none";
}

class ClockTest : public ::testing::TestWithParam<Backend> {
 protected:
  void Start(const std::string& at) {
    fx = Fixture::Make(GetParam(), at);
    ASSERT_NE(fx, nullptr);
  }
  CaseEngine& engine() { return *fx->engine; }
  static Actor As(const accounts::Principal& p) { return Actor::User(p); }

  OpenedCase Complain(const std::string& text, const std::string& category = "meals", int64_t school = 0,
                      const std::string& kind = "complaint") {
    auto o = engine().Open(Actor::Public(), {.case_type = "complaint", .org_id = school ? school : fx->school,
                                             .fields = {{"category", category}, {"kind", kind}, {"text", text}}});
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return o.ok() ? *o : OpenedCase{};
  }
  CaseView Dispatch(int64_t id) {
    auto v = engine().Transition(As(fx->petitions), id, {.transition = "dispatch", .fields = {{"lead_org_id", fx->school}}});
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : CaseView{};
  }
  SweepReport Sweep(const std::string& at) {
    fx->clock.Set(At(at));
    auto r = engine().SweepClocks();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : SweepReport{};
  }

  // The engine on the calendar without provisional years: dates past the
  // data have no deadline at all (how every year past 2026 was before).
  void UseStrictCalendar() {
    strict = std::make_unique<calendar::WorkingCalendar>(fx->cal->WithoutProvisional());
    fx->engine = std::make_unique<CaseEngine>(EngineDeps{.db = &fx->db(), .types = fx->types.get(),
                                                         .calendar = strict.get(), .clock = &fx->clock,
                                                         .random = &fx->random, .box = &fx->box,
                                                         .notifier = &fx->notifier});
  }

  std::unique_ptr<calendar::WorkingCalendar> strict;  // outlives fx's engine
  std::unique_ptr<Fixture> fx;
};

TEST_P(ClockTest, DeadlinesAcrossNationalDay2025) {
  // Tuesday 30 September, the eve of the 1–8 October holiday.
  Start("2025-09-30T10:00:00+08:00");
  OpenedCase o = Complain("食堂饭菜变质");
  EXPECT_EQ(Due(o.view), "2025-10-09T23:59:59+08:00");  // acknowledge: first working day after the holiday
  CaseView v = Dispatch(o.view.id);
  // 13 working days from 30 September: 9, 10, 11 (Saturday, make-up), 13–17, 20–24.
  EXPECT_EQ(Due(v), "2025-10-24T23:59:59+08:00");
  // An enquiry gets 3: 9, 10 and the make-up Saturday 11 October.
  OpenedCase q = Complain("请问校服费用标准是多少", "uniforms", fx->school_c, "enquiry");
  v = Dispatch(q.view.id);
  EXPECT_EQ(Due(v), "2025-10-11T23:59:59+08:00");
}

TEST_P(ClockTest, MakeUpWorkdayCountsBeforeTheHoliday) {
  // Friday 26 September: Sunday 28 September is a make-up working day.
  Start("2025-09-26T16:00:00+08:00");
  OpenedCase o = Complain("学校强制购买教辅", "forced_purchase");
  EXPECT_EQ(Due(o.view), "2025-09-28T23:59:59+08:00");
}

TEST_P(ClockTest, DeadlinesAcrossSpringFestival2026) {
  // Thursday 12 February 2026; Saturday 14 February works, 15–23 are off.
  Start("2026-02-12T09:00:00+08:00");
  auto o = engine().Open(As(fx->head), {.case_type = "hazard", .org_id = fx->school,
                                        .fields = {{"grade", "major"}, {"description", "锅炉房压力表失灵"}}});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  // 13 Feb (1), 14 Feb Saturday make-up (2), 24 (3), 25 (4), 26 (5).
  EXPECT_EQ(Due(o->view), "2026-02-26T23:59:59+08:00");
  // Intake during the holiday: 1 working day is the first one after it.
  fx->clock.Set(At("2026-02-21T09:00:00+08:00"));
  OpenedCase c = Complain("寒假补课收费", "paid_tutoring");
  EXPECT_EQ(Due(c.view), "2026-02-24T23:59:59+08:00");
}

TEST_P(ClockTest, PastTheLastNoticeTheDeadlineIsProvisionalNotUnknown) {
  // Sunday 20 December 2026; no notice for 2027 yet (issue 14).
  Start("2026-12-20T09:00:00+08:00");
  OpenedCase o = Complain("年底乱收费", "illegal_fees");
  EXPECT_EQ(Due(o.view), "2026-12-21T23:59:59+08:00");
  CaseView v = Dispatch(o.view.id);
  // 13 working days on the provisional 2027 (the law's days off, weekends):
  // 21–25, 28–31 December, then 1 January off, 4–7 January.
  EXPECT_FALSE(v.deadline_unknown);
  EXPECT_EQ(Due(v), "2027-01-07T23:59:59+08:00");
  SweepReport r = Sweep("2026-12-31T09:00:00+08:00");
  EXPECT_EQ(r.deadline_unknown, 0);
}

TEST_P(ClockTest, RecomputesAProvisionalDeadlineWhenTheNoticeComes) {
  // Sunday 20 December 2026; no notice for 2027 yet (issue 14).
  Start("2026-12-20T09:00:00+08:00");
  OpenedCase o = Complain("年底乱收费", "illegal_fees");
  // The acknowledgement (Monday 21 December) lies wholly in 2026.
  EXPECT_FALSE(o.view.deadline_provisional);
  CaseView v = Dispatch(o.view.id);
  EXPECT_EQ(Due(v), "2027-01-07T23:59:59+08:00");
  EXPECT_TRUE(v.deadline_provisional);
  // While 2027 is still provisional, the sweep changes nothing.
  SweepReport r = Sweep("2026-12-24T09:00:00+08:00");
  EXPECT_EQ(r.recomputed, 0);
  auto same = engine().Get(As(fx->petitions), v.id);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->version, v.version);

  // The notice is imported (a test stand-in: Sunday 3 January 2027 a make-up
  // working day) and the server restarted on the directory of both files.
  const std::string dir = ::testing::TempDir() + "/calendar-" + std::to_string(::getpid()) + "-" +
                          std::to_string(static_cast<int>(GetParam()));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(std::string(EDUGOV_SOURCE_DIR) + "/policy/calendar/cn-2025-2026.yaml",
                             dir + "/cn-2025-2026.yaml", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(std::string(EDUGOV_SOURCE_DIR) + "/src/cases/testdata/cn-2027-makeup.yaml",
                             dir + "/cn-2027.yaml", std::filesystem::copy_options::overwrite_existing);
  auto cal = calendar::WorkingCalendar::Load(dir);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  ASSERT_FALSE(cal->IsProvisional(2027));
  CaseEngine next({.db = &fx->db(), .types = fx->types.get(), .calendar = &*cal, .clock = &fx->clock,
                   .random = &fx->random, .box = &fx->box, .notifier = &fx->notifier});
  fx->clock.Set(At("2026-12-28T09:00:00+08:00"));
  auto swept = next.SweepClocks();
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(swept->recomputed, 1);
  auto got = next.Get(As(fx->petitions), v.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  // 21–25, 28–31 December, Sunday 3 January (上班), 4–6 January: 13.
  EXPECT_EQ(Due(*got), "2027-01-06T23:59:59+08:00");
  EXPECT_FALSE(got->deadline_provisional);
  EXPECT_EQ(got->version, v.version + 1);
  ASSERT_FALSE(got->events.empty());
  const CaseEvent& e = got->events.back();
  EXPECT_EQ(e.kind, "deadline");
  EXPECT_EQ(e.actor, "system");
  EXPECT_EQ(e.fields.value("from", ""), "2027-01-07");
  EXPECT_EQ(e.fields.value("to", ""), "2027-01-06");
  EXPECT_FALSE(e.fields.value("provisional", true));
  // Audited with the old and the new deadline.
  auto conn = fx->db().Acquire();
  ASSERT_TRUE(conn.ok());
  auto audit = (*conn)->Query("SELECT before_json, after_json FROM audit_log WHERE action = $1 AND entity_id = $2",
                              {std::string("case.deadline.recompute"), std::to_string(v.id)});
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_EQ(audit->size(), 1u);
  json before = json::parse(audit->GetText(0, 0));
  json after = json::parse(audit->GetText(0, 1));
  EXPECT_EQ(before.value("due_at", ""), "2027-01-07T23:59:59+08:00");
  EXPECT_TRUE(before.value("deadline_provisional", false));
  EXPECT_EQ(after.value("due_at", ""), "2027-01-06T23:59:59+08:00");
  EXPECT_FALSE(after.contains("deadline_provisional"));
  // Once recomputed it is settled: a second sweep writes nothing.
  swept = next.SweepClocks();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->recomputed, 0);
}

TEST_P(ClockTest, OutsideTheCalendarTheDeadlineIsUnknownNotARefusal) {
  Start("2026-12-20T09:00:00+08:00");
  UseStrictCalendar();
  OpenedCase o = Complain("年底乱收费", "illegal_fees");
  ASSERT_NE(o.view.id, 0);
  EXPECT_EQ(o.view.state, "received");
  // 1 working day from Sunday 20 December is still in 2026.
  EXPECT_TRUE(o.view.due_at_us);
  CaseView v = Dispatch(o.view.id);
  EXPECT_FALSE(v.due_at_us);
  EXPECT_TRUE(v.deadline_unknown);
  EXPECT_FALSE(v.overdue);
  SweepReport r = Sweep("2026-12-31T09:00:00+08:00");
  EXPECT_EQ(r.deadline_unknown, 1);
  EXPECT_EQ(r.reminded, 0);
}

TEST_P(ClockTest, AnUnknownDeadlineIsFilledInOnceTheCalendarLearnsTheYear) {
  Start("2026-12-20T09:00:00+08:00");
  UseStrictCalendar();
  CaseView v = Dispatch(Complain("年底乱收费", "illegal_fees").view.id);
  ASSERT_TRUE(v.deadline_unknown);
  // The next year's notice is published: the same data plus 2027's 元旦
  // (a test stand-in for the real list).
  std::ifstream in(std::string(EDUGOV_SOURCE_DIR) + "/policy/calendar/cn-2025-2026.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const size_t years = yaml.find("years: [2025, 2026]");
  ASSERT_NE(years, std::string::npos);
  yaml.replace(years, 19, "years: [2025, 2026, 2027]");
  yaml += "\n  - {date: 2027-01-01, kind: holiday, name: 元旦}\n";
  auto cal = calendar::WorkingCalendar::FromYaml(yaml);
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  CaseEngine next({.db = &fx->db(), .types = fx->types.get(), .calendar = &*cal, .clock = &fx->clock,
                   .random = &fx->random, .box = &fx->box, .notifier = &fx->notifier});
  fx->clock.Set(At("2026-12-28T09:00:00+08:00"));
  auto r = next.SweepClocks();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->deadline_unknown, 0);
  auto got = next.Get(Actor::User(fx->petitions), v.id);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->deadline_unknown);
  // 13 working days from Sunday 20 December 2026: 21–25, 28–31, 4–7 January 2027.
  EXPECT_EQ(Due(*got), "2027-01-07T23:59:59+08:00");
}

TEST_P(ClockTest, ReminderThenEscalationUpTheChainIdempotent) {
  Start("2025-09-01T09:00:00+08:00");
  OpenedCase o = Complain("午餐分量不足");
  CaseView v = Dispatch(o.view.id);
  EXPECT_EQ(Due(v), "2025-09-18T23:59:59+08:00");
  const int64_t id = v.id;
  EXPECT_EQ(Sweep("2025-09-18T23:59:59.500+08:00").reminded, 0);
  // Overdue from 19 September 00:00; the reminder comes on that working day.
  EXPECT_EQ(Sweep("2025-09-19T00:00:01+08:00").reminded, 1);
  SweepReport again = Sweep("2025-09-19T00:00:01+08:00");
  EXPECT_EQ(again.reminded + again.escalated, 0);
  EXPECT_EQ(fx->notifier.Count("reminder"), 1);
  EXPECT_EQ(fx->notifier.notices.back().level, "school");
  EXPECT_EQ(fx->notifier.notices.back().org_id, fx->school);
  EXPECT_TRUE(engine().Get(As(fx->petitions), id)->overdue);
  EXPECT_EQ(engine().Get(As(fx->petitions), id)->overdue_working_days, 1);
  // Five working days after the reminder day: Friday 26 September → township.
  EXPECT_EQ(Sweep("2025-09-25T23:00:00+08:00").escalated, 0);
  EXPECT_EQ(Sweep("2025-09-26T08:00:00+08:00").escalated, 1);
  // Late by 19, 22–26 September: counted by the server, for every client.
  EXPECT_EQ(engine().Get(As(fx->petitions), id)->overdue_working_days, 6);
  EXPECT_EQ(Sweep("2025-09-26T09:00:00+08:00").escalated, 0);
  EXPECT_EQ(fx->notifier.notices.back().kind, "escalated");
  EXPECT_EQ(fx->notifier.notices.back().level, "township");
  EXPECT_EQ(fx->notifier.notices.back().org_id, fx->township);
  // Ten working days after (across 28 September, a make-up Sunday, and National Day): 10 October.
  EXPECT_EQ(Sweep("2025-10-09T12:00:00+08:00").escalated, 0);
  EXPECT_EQ(Sweep("2025-10-10T08:00:00+08:00").escalated, 1);
  EXPECT_EQ(fx->notifier.notices.back().department, "petitions");
  // Fifteen: 16 October → leadership; then the chain ends.
  EXPECT_EQ(Sweep("2025-10-16T08:00:00+08:00").escalated, 1);
  EXPECT_EQ(fx->notifier.notices.back().level, "leadership");
  EXPECT_EQ(Sweep("2025-12-01T08:00:00+08:00").escalated, 0);
  auto got = engine().Get(As(fx->petitions), id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->escalation_level, 3);
  EXPECT_EQ(got->assignee_level, "school") << "escalation presses; the lead unit still answers";
  int reminds = 0, escalations = 0;
  for (const CaseEvent& e : got->events) {
    reminds += e.kind == "remind";
    escalations += e.kind == "escalate";
    if (e.kind == "escalate") {
      // 书面批评 of the lead unit: recorded as a fact, worded by the HTTP layer.
      EXPECT_EQ(e.fields.value("criticised", ""), "school");
      EXPECT_TRUE(e.fields.contains("to"));
    }
  }
  EXPECT_EQ(reminds, 1);
  EXPECT_EQ(escalations, 3);
  // Answering late still works, and clears the clock.
  auto ans = engine().Transition(As(fx->head), id, {.transition = "answer", .comment = "已整改",
                                                    .fields = {{"finding", "partly"}}, .attachments = {Png()}});
  ASSERT_TRUE(ans.ok()) << ans.status().ToString();
  EXPECT_EQ(ans->escalation_level, 0);
  EXPECT_FALSE(ans->overdue);
}

TEST_P(ClockTest, ExtensionMovesTheDeadline) {
  Start("2025-09-01T09:00:00+08:00");
  CaseView v = Dispatch(Complain("校服质量差").view.id);
  auto e = engine().Transition(As(fx->petitions), v.id, {.transition = "extend", .comment = "需第三方检测",
                                                         .fields = {{"extend_days", 5}}});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(Due(*e), "2025-09-25T23:59:59+08:00");
  EXPECT_EQ(e->state, "dispatched");
  auto school_try = engine().Transition(As(fx->head), v.id, {.transition = "extend", .comment = "x",
                                                             .fields = {{"extend_days", 5}}});
  EXPECT_EQ(school_try.status().code(), StatusCode::kPermissionDenied);
}

TEST_P(ClockTest, RepeatComplaintsMerge) {
  Start("2025-09-01T09:00:00+08:00");
  OpenedCase first = Complain("食堂饭菜有异味，孩子吃了肚子疼，已经好几次了");
  fx->clock.Advance(std::chrono::hours(48));
  OpenedCase again = Complain("食堂的饭菜有异味，孩子吃了以后肚子疼，已经好几次了！");
  ASSERT_TRUE(again.merged_into);
  EXPECT_EQ(*again.merged_into, first.view.id);
  EXPECT_EQ(again.view.state, "merged");
  auto t = engine().Track(again.tracking_code);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->merged_into_ref, first.view.ref);
  // Different text, category or school: separate cases.
  EXPECT_FALSE(Complain("班主任收取班费三百元", "meals").merged_into);
  EXPECT_FALSE(Complain("食堂饭菜有异味，孩子吃了肚子疼，已经好几次了", "milk").merged_into);
  EXPECT_FALSE(Complain("食堂饭菜有异味，孩子吃了肚子疼，已经好几次了", "meals", fx->school_b).merged_into);
  auto first_view = engine().Get(As(fx->petitions), first.view.id);
  ASSERT_TRUE(first_view.ok());
  bool merge_event = false;
  for (const CaseEvent& e : first_view->events) merge_event = merge_event || e.kind == "merge";
  EXPECT_TRUE(merge_event);
  // More than 30 days later it is a new matter.
  fx->clock.Advance(std::chrono::hours(24 * 31));
  EXPECT_FALSE(Complain("食堂饭菜有异味，孩子吃了肚子疼，已经好几次了").merged_into);
}

TEST_P(ClockTest, AttachmentsAreCheckedByContent) {
  Start("2025-09-01T09:00:00+08:00");
  auto bad = engine().Open(Actor::Public(), {.case_type = "complaint", .org_id = fx->school,
                                             .fields = {{"category", "meals"}, {"text", "x"}},
                                             .attachments = {Png("a.png"), {"photo.jpg", "MZ\x90\x00 not an image"}}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message_zh().find("photo.jpg"), std::string::npos);
  EXPECT_EQ(bad.status().field(), "photo.jpg");
  std::vector<AttachmentInput> six(6, Png());
  EXPECT_EQ(engine().Open(Actor::Public(), {.case_type = "complaint", .org_id = fx->school,
                                            .fields = {{"category", "meals"}, {"text", "x"}}, .attachments = six})
                .status().code(),
            StatusCode::kInvalidArgument);
  AttachmentInput big = Png("big.png");
  big.bytes.resize(5 * 1024 * 1024 + 1, 'x');
  auto too_big = engine().Open(Actor::Public(), {.case_type = "complaint", .org_id = fx->school,
                                                 .fields = {{"category", "meals"}, {"text", "x"}}, .attachments = {big}});
  EXPECT_EQ(too_big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_big.status().message_en().find("big.png"), std::string::npos);
  // Nothing half-written.
  auto none = engine().List(Actor::System(), {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->total, 0);
  // A complainant's photo is for the complaint office only.
  auto ok = engine().Open(Actor::Public(), {.case_type = "complaint", .org_id = fx->school,
                                            .fields = {{"category", "meals"}, {"text", "饭里有虫"}},
                                            .attachments = {Png("bug.png")}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  auto as_school = engine().Get(As(fx->head), ok->view.id);
  ASSERT_TRUE(as_school.ok());
  EXPECT_TRUE(as_school->attachments.empty());
  auto as_petitions = engine().Get(As(fx->petitions), ok->view.id);
  ASSERT_EQ(as_petitions->attachments.size(), 1u);
  EXPECT_EQ(as_petitions->attachments[0].filename, "bug.png");
  const int64_t aid = as_petitions->attachments[0].id;
  EXPECT_EQ(engine().Attachment(As(fx->head), ok->view.id, aid).status().code(), StatusCode::kNotFound);
  auto bytes = engine().Attachment(As(fx->petitions), ok->view.id, aid);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->first.content_type, "image/png");
  EXPECT_EQ(bytes->second, Png().bytes);
}

TEST_P(ClockTest, ReopenWithinFifteenDays) {
  Start("2025-09-01T09:00:00+08:00");
  OpenedCase o = Complain("校车超载");
  auto v = engine().Transition(As(fx->petitions), o.view.id, {.transition = "reply_directly", .comment = "已转交交通部门"});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->state, "closed");
  fx->clock.Advance(std::chrono::hours(24 * 10));
  auto r = engine().Reopen(o.tracking_code, "问题仍未解决");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "reopened");
  auto back = engine().Get(As(fx->petitions), o.view.id);
  EXPECT_EQ(back->assignee_department, "petitions");
  EXPECT_FALSE(back->closed_at_us);
  v = engine().Transition(As(fx->petitions), o.view.id, {.transition = "reply_directly", .comment = "已协调"});
  ASSERT_TRUE(v.ok());
  fx->clock.Advance(std::chrono::hours(24 * 16));
  auto late = engine().Reopen(o.tracking_code, "还是不行");
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  auto t = engine().Track(o.tracking_code);
  EXPECT_FALSE(t->can_rate);
  EXPECT_FALSE(t->can_reopen);
  EXPECT_EQ(t->answer, "已协调");
}

INSTANTIATE_TEST_SUITE_P(Backends, ClockTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::cases
