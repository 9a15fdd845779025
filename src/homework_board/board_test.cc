// 作业公示 through the board, with the county's real pack and the compliance
// service, on SQLite and (with EDUGOV_TEST_PG_URL) PostgreSQL: a teacher's
// entries sum into the class's homework dataset row and the re-check opens
// the finding; the public page carries no names and follows rotations; a
// teacher reaches only the classes assigned to them; the norm comes from the pack.
#include "homework_board/board.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "cases/test_fixture.h"
#include "datasets/store.h"
#include "homework_board/qr.h"

namespace edugov::homework_board {
namespace {

using cases::testfx::Fixture;

const Date kTuesday = Date::FromYmd(2025, 11, 25);

class BoardTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    fx = Fixture::Make(GetParam(), "2025-11-25T18:00:00+08:00");
    ASSERT_TRUE(fx);
    auto c = fx->db().Acquire();
    ASSERT_TRUE(c.ok());
    handle_.emplace(std::move(*c));
    conn = &**handle_;
    ASSERT_TRUE(conn->Execute("UPDATE orgs SET stage = 'junior' WHERE id IN ($1, $2)", {fx->school, fx->school_b}).ok());
    class_id = AddClass(fx->school, 8, "八年级1班");
    other_class = AddClass(fx->school, 8, "八年级2班");
    ASSERT_TRUE(conn->Execute("INSERT INTO users (username, display_name, password_hash, role, org_id, created_at_us, "
                              "updated_at_us) VALUES ('laoshi', '周老师', 'x', 'teacher', $1, 0, 0)",
                              {fx->school})
                    .ok());
    auto uid = conn->Query("SELECT id FROM users WHERE username = 'laoshi'");
    ASSERT_TRUE(uid.ok()) << uid.status().ToString();
    teacher = fx->User("laoshi", accounts::Role::kTeacher, fx->school);
    teacher.user_id = uid->GetInt(0, 0);
    school = fx->User("jiangying", accounts::Role::kSchool, fx->school);
    pack_dir = (std::filesystem::temp_directory_path() /
                ("edugov-board-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(this))))
                   .string();
    std::filesystem::create_directories(pack_dir);
    std::filesystem::copy_file(std::string(EDUGOV_SOURCE_DIR) + "/policy/anhua-2025.yaml", pack_dir + "/anhua-2025.yaml");
    std::filesystem::copy(std::string(EDUGOV_SOURCE_DIR) + "/policy/calendar", pack_dir + "/calendar",
                          std::filesystem::copy_options::recursive);
    auto svc = compliance::ComplianceService::Load(
        {.db = &fx->db(), .clock = &fx->clock, .policy_path = pack_dir + "/anhua-2025.yaml", .cases = fx->engine.get()});
    ASSERT_TRUE(svc.ok()) << svc.status().ToString();
    service = std::move(*svc);
    ASSERT_TRUE(datasets::EnsureDatasetTables(*conn, service->pack()->pack().datasets).ok());
    board.emplace(BoardOptions{.clock = &fx->clock, .random = &random, .compliance = service.get()});
  }
  void TearDown() override { std::filesystem::remove_all(pack_dir); }

  int64_t AddClass(int64_t school_id, int grade, const std::string& name) {
    auto rs = conn->Query("INSERT INTO classes (school_id, grade, name, created_at, updated_at) VALUES ($1, $2, $3, 0, 0) "
                          "RETURNING id",
                          {school_id, int64_t{grade}, name});
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    return rs.ok() ? rs->GetInt(0, 0) : 0;
  }

  int64_t DatasetMinutes(int64_t cls, Date day) {
    auto rs = conn->Query("SELECT written_minutes FROM ds_homework WHERE class_id = $1 AND date = $2",
                          {cls, day.ToString()});
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    return rs.ok() && !rs->empty() ? rs->GetInt(0, 0) : -1;
  }

  std::unique_ptr<Fixture> fx;
  std::optional<storage::ConnectionHandle> handle_;
  storage::Connection* conn = nullptr;
  SeededRandom random{7};
  std::unique_ptr<compliance::ComplianceService> service;
  std::optional<Board> board;
  std::string pack_dir;
  accounts::Principal teacher, school;
  int64_t class_id = 0, other_class = 0;
};

TEST_P(BoardTest, EntriesSumIntoTheHomeworkDatasetAndTheRecheckRuns) {
  ASSERT_TRUE(board->SetTeachers(*conn, school, class_id, {"laoshi"}).ok());
  auto first = board->SaveEntry(*conn, teacher, {.class_id = class_id, .date = kTuesday, .subject = "数学",
                                                 .content = "练习册第12页", .minutes = 60, .written = true});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->written_total, 60);
  ASSERT_TRUE(first->recheck.ok()) << first->recheck.status().ToString();
  // Non-written homework is published but not counted as written minutes.
  auto reading = board->SaveEntry(*conn, teacher, {.class_id = class_id, .date = kTuesday, .subject = "语文",
                                                   .content = "朗读课文", .minutes = 30, .written = false});
  ASSERT_TRUE(reading.ok()) << reading.status().ToString();
  EXPECT_EQ(reading->written_total, 60);
  auto more = board->SaveEntry(*conn, teacher, {.class_id = class_id, .date = kTuesday, .subject = "英语",
                                                .content = "抄写单词", .minutes = 70, .written = true});
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  EXPECT_EQ(more->written_total, 130);
  EXPECT_EQ(DatasetMinutes(class_id, kTuesday), 130);
  ASSERT_TRUE(more->recheck.ok());
  // The week so far runs over the junior norm (90): the re-check shows it in progress, at risk.
  bool at_risk = false;
  for (const auto& g : more->recheck->in_progress) {
    if (g.rule->id == "homework-grades-7-9-average") at_risk = g.at_risk;
  }
  EXPECT_TRUE(at_risk);

  // Saving a subject again replaces it; deleting re-derives the row.
  auto replaced = board->SaveEntry(*conn, teacher, {.class_id = class_id, .date = kTuesday, .subject = "英语",
                                                    .content = "抄写单词", .minutes = 20, .written = true});
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(DatasetMinutes(class_id, kTuesday), 80);
  auto del = board->DeleteEntry(*conn, teacher, class_id, replaced->entry->id);
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_EQ(DatasetMinutes(class_id, kTuesday), 60);

  auto audit = conn->Query("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'homework_board.%'");
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  EXPECT_EQ(audit->GetInt(0, 0), 1 + 3 + 1 + 1);  // teachers, three entries, one update, one delete
}

TEST_P(BoardTest, ATeacherReachesOnlyTheirClasses) {
  ASSERT_TRUE(board->SetTeachers(*conn, school, class_id, {"laoshi"}).ok());
  auto classes = board->ListClasses(*conn, teacher, std::nullopt);
  ASSERT_TRUE(classes.ok()) << classes.status().ToString();
  ASSERT_EQ(classes->size(), 1u);
  EXPECT_EQ((*classes)[0].class_id, class_id);
  auto refused = board->SaveEntry(*conn, teacher, {.class_id = other_class, .date = kTuesday, .subject = "数学",
                                                   .content = "x", .minutes = 10});
  EXPECT_EQ(refused.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(DatasetMinutes(other_class, kTuesday), -1);
  // School staff enter for every class of their school; a township only reads.
  EXPECT_TRUE(board->SaveEntry(*conn, school, {.class_id = other_class, .date = kTuesday, .subject = "数学",
                                               .content = "x", .minutes = 10})
                  .ok());
  auto town = board->SaveEntry(*conn, fx->town, {.class_id = other_class, .date = kTuesday, .subject = "物理",
                                                 .content = "x", .minutes = 10});
  EXPECT_EQ(town.status().code(), StatusCode::kPermissionDenied);
  // Another school's staff do not see the class at all.
  auto head_b = fx->User("dongping-wanxiao", accounts::Role::kSchool, fx->school_b);
  EXPECT_EQ(board->RotateLink(*conn, head_b, class_id).status().code(), StatusCode::kNotFound);
  // Only teachers of the class's school can be assigned.
  EXPECT_EQ(board->SetTeachers(*conn, school, class_id, {"nobody"}).field(), "teachers");
  // Bad input names its field, and nothing lands.
  auto bad = board->SaveEntry(*conn, school, {.class_id = class_id, .date = kTuesday, .subject = "数学",
                                              .content = "x", .minutes = 301});
  EXPECT_EQ(bad.status().field(), "minutes");
  auto future = board->SaveEntry(*conn, school, {.class_id = class_id, .date = kTuesday.AddDays(1),
                                                 .subject = "数学", .content = "x", .minutes = 10});
  EXPECT_EQ(future.status().field(), "date");
}

TEST_P(BoardTest, ThePublicPageHasNoNamesFollowsRotationAndCarriesThePacksNorm) {
  ASSERT_TRUE(board->SaveEntry(*conn, school, {.class_id = class_id, .date = kTuesday.AddDays(-1),
                                               .subject = "数学", .content = "周一作业", .minutes = 40})
                  .ok());
  ASSERT_TRUE(board->SaveEntry(*conn, school, {.class_id = class_id, .date = kTuesday, .subject = "数学",
                                               .content = "练习册第12页", .minutes = 50})
                  .ok());
  auto classes = board->ListClasses(*conn, school, std::nullopt);
  ASSERT_TRUE(classes.ok()) << classes.status().ToString();
  std::string token;
  for (const BoardClass& b : *classes) {
    if (b.class_id == class_id) token = b.token;
  }
  ASSERT_EQ(token.size(), 32u);
  auto page = board->PublicView(*conn, token, std::nullopt);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->class_name, "八年级1班");
  EXPECT_EQ(page->day.date, kTuesday);
  ASSERT_EQ(page->day.entries.size(), 1u);
  EXPECT_EQ(page->day.written_minutes, 50);
  EXPECT_TRUE(page->day.entries[0].entered_by.empty());
  ASSERT_EQ(page->week.size(), 2u);
  EXPECT_DOUBLE_EQ(page->week_average_written, 45);
  ASSERT_TRUE(page->norm);
  EXPECT_EQ(page->norm->rule_id, "homework-grades-7-9-average");
  EXPECT_EQ(page->norm->max_minutes, 90);
  EXPECT_TRUE(page->norm->weekly_average);

  auto rotated = board->RotateLink(*conn, school, class_id);
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_NE(*rotated, token);
  EXPECT_EQ(board->PublicView(*conn, token, std::nullopt).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(board->PublicView(*conn, *rotated, std::nullopt).ok());
  EXPECT_EQ(board->PublicView(*conn, "short", std::nullopt).status().code(), StatusCode::kNotFound);
}

TEST_P(BoardTest, GradesOneAndTwoHaveTheNoWrittenHomeworkNorm) {
  auto norm = board->NormFor("primary", 2, kTuesday);
  ASSERT_TRUE(norm);
  EXPECT_EQ(norm->max_minutes, 0);
  EXPECT_FALSE(norm->weekly_average);
  auto g5 = board->NormFor("primary", 5, kTuesday);
  ASSERT_TRUE(g5);
  EXPECT_EQ(g5->max_minutes, 60);
  EXPECT_FALSE(board->NormFor("senior", 11, kTuesday));
}

TEST(QrTest, EncodesASquareSvgWithAQuietZone) {
  auto svg = QrSvg("http://127.0.0.1:8080/public/homework/0123456789abcdef0123456789abcdef", 4);
  ASSERT_TRUE(svg.ok());
  EXPECT_EQ(svg->rfind("<svg", 0), 0u);
  // Version 5 at level M for 74 bytes (37 modules) + 2 × 4 quiet modules = 45 → 180 px.
  EXPECT_NE(svg->find("width=\"180\" height=\"180\" viewBox=\"0 0 45 45\""), std::string::npos) << svg->substr(0, 200);
  EXPECT_NE(svg->find("M4,4h1v1h-1z"), std::string::npos);  // the finder pattern's corner
}

INSTANTIATE_TEST_SUITE_P(Backends, BoardTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::homework_board
