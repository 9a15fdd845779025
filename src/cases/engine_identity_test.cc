// Identity sealed at rest and references kept in scope (docs/security.md):
// attachments sealed with the case key (bytes, name, checksum) and legacy
// clear rows sealed on start; what a complainant types later redacted for
// everyone but the complaint office; org and staff references in writes
// answering one "not in your area" whether the target exists elsewhere or not.
#include <gtest/gtest.h>

#include <functional>

#include "cases/engine.h"
#include "cases/internal/util.h"
#include "cases/test_fixture.h"

namespace edugov::cases {
namespace {

using json = nlohmann::json;
using storage::Backend;
using testfx::Fixture;

constexpr const char* kName = "欧阳锋测";
constexpr const char* kPhone = "13912345678";

// A PNG whose body carries a marker the test can look for in the database.
AttachmentInput MarkedPng(const std::string& name, const std::string& marker) {
  return {name, std::string("\x89PNG\r\n\x1a\n", 8) + marker + std::string(32, 'x')};
}

// Every text and blob value of every row of `table`, concatenated.
std::string TableBytes(storage::Database& db, const std::string& table) {
  auto conn = db.Acquire();
  EXPECT_TRUE(conn.ok());
  auto rs = (*conn)->Query("SELECT * FROM " + table);
  EXPECT_TRUE(rs.ok()) << rs.status().ToString();
  std::string out;
  for (size_t r = 0; r < rs->size(); ++r) {
    for (size_t c = 0; c < rs->columns().size(); ++c) {
      const storage::Value& v = rs->at(r, c);
      if (auto* s = std::get_if<std::string>(&v)) out += *s + "\n";
      if (auto* b = std::get_if<storage::Blob>(&v)) out += b->bytes + "\n";
    }
  }
  return out;
}

class IdentityTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    fx = Fixture::Make(GetParam());
    ASSERT_NE(fx, nullptr);
  }
  CaseEngine& engine() { return *fx->engine; }
  static Actor As(const accounts::Principal& p) { return Actor::User(p); }

  OpenedCase File(const std::string& text, std::vector<AttachmentInput> files = {}) {
    auto o = engine().Open(Actor::Public(), {.case_type = "complaint", .org_id = fx->school,
                                             .fields = {{"category", "meals"}, {"kind", "complaint"},
                                                        {"text", text}, {"name", kName}, {"phone", kPhone}},
                                             .attachments = std::move(files)});
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return o.ok() ? *o : OpenedCase{};
  }

  std::unique_ptr<Fixture> fx;
};

TEST_P(IdentityTest, AttachmentBytesNameAndChecksumAreSealedAndOpenForTheOfficeOnly) {
  const std::string file_name = std::string(kPhone) + "-家长.png";
  const AttachmentInput png = MarkedPng(file_name, "MARKER-OUYANG-PHOTO");
  OpenedCase o = File("食堂饭菜有异味", {png});
  ASSERT_EQ(o.view.attachments.size(), 1u);
  const int64_t att = o.view.attachments[0].id;

  const std::string stored = TableBytes(fx->db(), "case_attachments");
  EXPECT_EQ(stored.find(kPhone), std::string::npos);
  EXPECT_EQ(stored.find("MARKER-OUYANG-PHOTO"), std::string::npos);
  EXPECT_EQ(stored.find(internal::Sha256Hex(png.bytes)), std::string::npos) << "no checksum to confirm a guess";

  // The complaint office reads it intact, under its name, with its checksum.
  auto got = engine().Attachment(As(fx->petitions), o.view.id, att);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->second, png.bytes);
  EXPECT_EQ(got->first.filename, file_name);
  EXPECT_EQ(got->first.sha256, internal::Sha256Hex(png.bytes));
  auto view = engine().Get(As(fx->petitions), o.view.id);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->attachments.size(), 1u);
  EXPECT_EQ(view->attachments[0].filename, file_name);

  // The school concerned never sees the file, nor its name.
  auto school = engine().Get(As(fx->head), o.view.id);
  ASSERT_TRUE(school.ok());
  EXPECT_TRUE(school->attachments.empty());
  EXPECT_EQ(engine().Attachment(As(fx->head), o.view.id, att).status().code(), StatusCode::kNotFound);

  // The school's own evidence is sealed too and comes back intact to it.
  ASSERT_TRUE(engine().Transition(As(fx->petitions), o.view.id,
                                  {.transition = "dispatch", .version = 1, .fields = {{"lead_org_id", fx->school}}})
                  .ok());
  const AttachmentInput evidence = MarkedPng("整改照片.png", "MARKER-SCHOOL-EVIDENCE");
  auto answered = engine().Transition(As(fx->head), o.view.id,
                                      {.transition = "answer", .version = 2, .comment = "已整改",
                                       .fields = {{"finding", "substantiated"}}, .attachments = {evidence}});
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  ASSERT_EQ(answered->attachments.size(), 1u);
  EXPECT_EQ(answered->attachments[0].filename, "整改照片.png");
  auto mine = engine().Attachment(As(fx->head), o.view.id, answered->attachments[0].id);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->second, evidence.bytes);
  EXPECT_EQ(TableBytes(fx->db(), "case_attachments").find("MARKER-SCHOOL-EVIDENCE"), std::string::npos);
}

TEST_P(IdentityTest, AttachmentsStoredInClearBeforeMigration012AreSealedOnceAndStillRead) {
  OpenedCase o = File("食堂饭菜有异味");
  const std::string bytes = MarkedPng("x.png", "MARKER-LEGACY").bytes;
  {
    // A row as written before the migration: name, checksum and bytes in clear.
    auto conn = fx->db().Acquire();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Execute("INSERT INTO case_attachments (case_id, filename, content_type, size_bytes, sha256, "
                                 "bytes, confidential, uploaded_by, uploaded_at) "
                                 "VALUES ($1, $2, 'image/png', $3, $4, $5, 1, 'public', 0)",
                                 {o.view.id, std::string(kPhone) + ".png", static_cast<int64_t>(bytes.size()),
                                  internal::Sha256Hex(bytes), storage::Blob{bytes}})
                    .ok());
  }
  auto before = engine().Get(As(fx->petitions), o.view.id);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->attachments.size(), 1u);
  const int64_t att = before->attachments[0].id;
  EXPECT_EQ(before->attachments[0].filename, std::string(kPhone) + ".png") << "readable before sealing";

  auto sealed = engine().SealClearAttachments();
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(*sealed, 1);
  const std::string stored = TableBytes(fx->db(), "case_attachments");
  EXPECT_EQ(stored.find(kPhone), std::string::npos);
  EXPECT_EQ(stored.find("MARKER-LEGACY"), std::string::npos);
  auto got = engine().Attachment(As(fx->petitions), o.view.id, att);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->second, bytes);
  EXPECT_EQ(got->first.filename, std::string(kPhone) + ".png");
  EXPECT_EQ(got->first.sha256, internal::Sha256Hex(bytes));
  // Idempotent, and audited once.
  EXPECT_EQ(*engine().SealClearAttachments(), 0);
  EXPECT_NE(TableBytes(fx->db(), "audit_log").find("case.attachments.seal"), std::string::npos);
}

TEST_P(IdentityTest, WhatTheComplainantTypesLaterIsRedactedForTheSchoolNotForTheOffice) {
  const std::string text = std::string("我是") + kName + "，食堂饭菜有异味，2025-09-01 起已三次，请回电 139 1234 5678";
  OpenedCase o = File(text);
  ASSERT_TRUE(engine().Transition(As(fx->petitions), o.view.id,
                                  {.transition = "reply_directly", .version = 1, .comment = "已核查并答复"})
                  .ok());
  ASSERT_TRUE(engine().Rate(o.tracking_code, 2, std::string("没解决，") + kName + " 电话 " + kPhone).ok());
  auto reopened = engine().Reopen(o.tracking_code, "问题依旧，家里座机 0738-7221234，也可找 " + std::string(kName));
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();

  auto school = engine().Get(As(fx->head), o.view.id);
  ASSERT_TRUE(school.ok()) << school.status().ToString();
  json seen = school->fields;
  for (const CaseEvent& e : school->events) seen.push_back({e.comment, e.fields});
  const std::string dump = seen.dump(-1, ' ', false);
  for (const char* secret : {kName, kPhone, "139 1234 5678", "7221234"}) {
    EXPECT_EQ(dump.find(secret), std::string::npos) << secret << " in " << dump;
  }
  EXPECT_NE(dump.find("2025-09-01"), std::string::npos) << "dates stay";
  EXPECT_NE(dump.find("问题依旧"), std::string::npos) << "the rest of the reason stays";
  int rate_or_reopen = 0;
  for (const CaseEvent& e : school->events) rate_or_reopen += e.actor == "public" && (e.kind == "rate" || e.transition == "reopen");
  EXPECT_GE(rate_or_reopen, 2) << "the school does see the rating comment and the reopen reason";
  // Lists too.
  auto list = engine().List(As(fx->town), {});
  ASSERT_TRUE(list.ok());
  ASSERT_FALSE(list->items.empty());
  EXPECT_EQ(list->items[0].fields.dump(-1, ' ', false).find(kName), std::string::npos);

  // The complaint office reads what was typed.
  auto office = engine().Get(As(fx->petitions), o.view.id);
  ASSERT_TRUE(office.ok());
  std::string office_dump = office->fields.dump(-1, ' ', false);
  for (const CaseEvent& e : office->events) office_dump += e.comment;
  EXPECT_NE(office_dump.find("139 1234 5678"), std::string::npos);
  EXPECT_NE(office_dump.find("0738-7221234"), std::string::npos);
}

TEST(RedactIdentityTest, MasksKnownValuesAndPhoneShapesButNotDatesOrSmallNumbers) {
  using internal::RedactIdentity;
  EXPECT_EQ(RedactIdentity("我是张三，电话13800138000", {"张三", "13800138000"}), "我是***，电话***");
  EXPECT_EQ(RedactIdentity("call 138-0013-8000 now", {}), "call *** now");
  EXPECT_EQ(RedactIdentity("座机 0738 7221234", {}), "座机 ***");
  EXPECT_EQ(RedactIdentity("号码８１２３４５６７", {}), "号码***");  // full-width digits
  EXPECT_EQ(RedactIdentity("身份证 43092319900101123X 号", {}), "身份证 *** 号");
  EXPECT_EQ(RedactIdentity("2025-09-01 起，2024-2025 学年，交了 200 元，3 次", {}),
            "2025-09-01 起，2024-2025 学年，交了 200 元，3 次");
  EXPECT_EQ(RedactIdentity("张老师", {"张"}), "张老师") << "a single character is not masked";
}

// A write naming an org or a staff member outside the writer's subtree
// answers exactly as one naming nothing at all.
TEST_P(IdentityTest, ReferencesOutsideTheWritersAreaAnswerAsNonexistent) {
  auto added = fx->AddStaff(fx->school_c, "梅城刘老师", "teacher");
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  const int64_t other_staff = *added;
  auto refuse = [&](const std::function<Status()>& write, const std::string& field) -> std::string {
    Status s = write();
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
    EXPECT_EQ(s.field(), field);
    return s.message_zh() + "|" + s.message_en() + "|" + s.field();
  };
  // staff_id on opening, as a school.
  auto open_with_staff = [&](int64_t staff) {
    return engine()
        .Open(As(fx->head), {.case_type = "hazard", .org_id = fx->school, .staff_id = staff,
                             .fields = {{"grade", "major"}, {"description", "化学品柜未上锁"}}})
        .status();
  };
  EXPECT_EQ(refuse([&] { return open_with_staff(other_staff); }, "staff_id"),
            refuse([&] { return open_with_staff(999999); }, "staff_id"));
  EXPECT_TRUE(open_with_staff(fx->teacher_staff).ok()) << "its own staff member is fine";
  // org_id on opening.
  auto open_at = [&](int64_t org) {
    return engine()
        .Open(As(fx->head), {.case_type = "hazard", .org_id = org,
                             .fields = {{"grade", "major"}, {"description", "化学品柜未上锁"}}})
        .status();
  };
  EXPECT_EQ(refuse([&] { return open_at(fx->school_c); }, "org_id"),
            refuse([&] { return open_at(999999); }, "org_id"));
  // A staff field in a transition (the dropout's helper teacher).
  auto dropout = engine().Open(As(fx->head), {.case_type = "dropout", .org_id = fx->school,
                                              .fields = {{"child_name", "王小明"}, {"grade", 8}, {"reason", "work"}}});
  ASSERT_TRUE(dropout.ok()) << dropout.status().ToString();
  auto helper = [&](int64_t staff) {
    return engine()
        .Transition(As(fx->head), dropout->view.id,
                    {.transition = "assign_helpers",
                     .fields = {{"helper_teacher", staff}, {"helper_cadre", "村支书刘某"}, {"helper_parent", "家委会陈某"}}})
        .status();
  };
  EXPECT_EQ(refuse([&] { return helper(other_staff); }, "fields.helper_teacher"),
            refuse([&] { return helper(999999); }, "fields.helper_teacher"));
  EXPECT_TRUE(helper(fx->teacher_staff).ok());
  // The list filter answers the same for another township's school and none.
  auto filter = [&](int64_t org) { return engine().List(As(fx->town), {.org_id = org}).status(); };
  EXPECT_EQ(refuse([&] { return filter(fx->school_c); }, "org"), refuse([&] { return filter(999999); }, "org"));
  // The bureau may still name any school's staff member.
  EXPECT_TRUE(engine()
                  .Open(As(fx->discipline), {.case_type = "misconduct", .org_id = fx->school_c,
                                             .staff_id = other_staff,
                                             .fields = {{"category", "paid_tutoring"}, {"text", "周末有偿补课"}}})
                  .ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::cases
