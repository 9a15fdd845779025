// Plans in the database on SQLite and PostgreSQL: the whole flow (draft →
// commit → draw) with the conflict of interest read from registry postings,
// a draw re-run on another database reproducing it byte for byte, the
// draws ledger verified and its tampering named, and who may plan.
#include "draws/store.h"

#include <gtest/gtest.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "registry/registry.h"
#include "testing/test_db.h"

namespace edugov::draws {
namespace {

using accounts::Principal;
using accounts::Role;
using registry::OrgKind;
using registry::Stage;

#define DRAWS_ASSERT_OK(expr)                                         \
  do {                                                                \
    ::edugov::Status s_ = ::edugov::internal::AsStatus(expr);         \
    ASSERT_TRUE(s_.ok()) << s_.ToString();                            \
  } while (0)

// The same bytes every time: the seed a test expects.
class FixedRandom final : public Random {
 public:
  void Fill(uint8_t* out, size_t n) override { std::memset(out, 0x5a, n); }
};

DrawPolicy Policy() {
  auto p = LoadDrawPolicy(std::string(EDUGOV_SOURCE_DIR) + "/policy/draws.yaml");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : DrawPolicy{};
}

// One county in one database: two townships with five and two schools,
// four inspectors at the bureau — 甲 posted at S01 until 2024, 乙 at S06
// long ago (2010–2015, outside three years).
class County {
 public:
  explicit County(storage::Backend backend, bool reversed = false) {
    auto t = testing::TestDb::Create(backend);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    db_ = std::make_unique<testing::TestDb>(std::move(*t));
    auto c = db_->db().Acquire();
    EXPECT_TRUE(c.ok());
    conn_ = std::make_unique<storage::ConnectionHandle>(std::move(*c));
    auto rs = conn().Query(
        "INSERT INTO orgs (parent_id, kind, code, name, path, created_at, updated_at) "
        "VALUES (NULL, 'county', '430923', '测试县教育局', 'pending', 0, 0) RETURNING id");
    EXPECT_TRUE(rs.ok()) << rs.status().ToString();
    root_id = rs->GetInt(0, 0);
    const std::string root_path = "/" + std::to_string(root_id) + "/";
    EXPECT_TRUE(conn().Execute("UPDATE orgs SET path = $1 WHERE id = $2", {root_path, root_id}).ok());
    bureau = Make(Role::kBureauLeader, root_id, root_path);

    // `reversed` creates everything in the opposite order, so every id differs.
    std::vector<std::pair<std::string, std::string>> townships = {{"T1", "东坪镇中心学校"},
                                                                  {"T2", "梅城镇中心学校"}};
    if (reversed) std::reverse(townships.begin(), townships.end());
    for (const auto& [code, name] : townships) {
      ids[code] = Create(root_id, OrgKind::kTownship, code, name, Stage::kNineYear);
    }
    std::vector<std::tuple<std::string, std::string, std::string>> schools = {
        {"T1", "S01", "江英学校"}, {"T1", "S02", "东坪中学"}, {"T1", "S03", "东坪一小"},
        {"T1", "S04", "东坪二小"}, {"T1", "S05", "东坪三小"}, {"T2", "S06", "梅城镇中学"},
        {"T2", "S07", "梅城一小"}};
    if (reversed) std::reverse(schools.begin(), schools.end());
    for (const auto& [t, code, name] : schools) {
      ids[code] = Create(ids[t], OrgKind::kSchool, code, name, Stage::kJunior);
    }
    std::vector<std::pair<std::string, std::string>> staff = {
        {"D001", "甲督学"}, {"D002", "乙督学"}, {"D003", "丙督学"}, {"D004", "丁督学"}};
    if (reversed) std::reverse(staff.begin(), staff.end());
    for (const auto& [code, name] : staff) {
      auto s = registry::CreateStaff(conn(), bureau, clock, root_id,
                                     {.code = code, .name = name,
                                      .hired_on = Date::FromYmd(2005, 9, 1),
                                      .posts = {registry::Post::kStaff}});
      EXPECT_TRUE(s.ok()) << s.status().ToString();
      staff_ids[code] = s->id;
    }
    Past("D001", "S01", Date::FromYmd(2019, 9, 1), Date::FromYmd(2024, 7, 1));
    Past("D002", "S06", Date::FromYmd(2010, 9, 1), Date::FromYmd(2015, 7, 1));
  }

  static Principal Make(Role role, int64_t org, std::string path) {
    Principal p;
    p.user_id = 7;
    p.username = "juzhang";
    p.role = role;
    p.org_id = org;
    p.org_path = std::move(path);
    return p;
  }

  storage::Connection& conn() { return **conn_; }

  int64_t Create(int64_t parent, OrgKind kind, const std::string& code, const std::string& name,
                 Stage stage) {
    auto o = registry::CreateOrg(conn(), bureau, clock, {parent, kind, code, name, stage, {}});
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    if (o.ok()) paths[code] = o->path;
    return o.ok() ? o->id : 0;
  }

  void Past(const std::string& staff, const std::string& org, Date from, Date to) {
    auto p = registry::AddPosting(conn(), bureau, clock, staff_ids[staff],
                                  {.org_id = ids[org], .start_date = from, .end_date = to});
    EXPECT_TRUE(p.ok()) << p.status().ToString();
  }

  PlanSpec Spec() {
    return {.name = "2025年春季“双随机、一公开”检查", .year = 2025, .rate_percent = 0,
            .strata = std::vector<std::string>{"township"},
            .inspector_codes = {"D001", "D002", "D003", "D004"},
            .draw_at = "2025-03-10T10:00:00+08:00", .announced = "体彩排列五 2025-03-09 第 25063 期"};
  }

  FakeClock clock{ParseTimestamp("2025-03-03T08:00:00+08:00").value()};
  std::unique_ptr<testing::TestDb> db_;
  std::unique_ptr<storage::ConnectionHandle> conn_;
  int64_t root_id = 0;
  Principal bureau;
  std::map<std::string, int64_t> ids, staff_ids;
  std::map<std::string, std::string> paths;
};

class DrawStoreTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  // Create, commit, wait for the draw time, draw.
  static StatusOr<Plan> RunPlan(County& c, const PlanSpec& spec) {
    FixedRandom random;
    ASSIGN_OR_RETURN(Plan plan, CreatePlan(c.conn(), c.bureau, c.clock, Policy(), spec));
    ASSIGN_OR_RETURN(plan, CommitPlan(c.conn(), c.bureau, c.clock, random, Policy(), plan.id));
    c.clock.Advance(std::chrono::hours(24 * 8));
    return DrawPlan(c.conn(), c.bureau, c.clock, plan.id);
  }
};

TEST_P(DrawStoreTest, DraftCommitDrawAndVerify) {
  County c(GetParam());
  FixedRandom random;
  auto plan = CreatePlan(c.conn(), c.bureau, c.clock, Policy(), c.Spec());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->status, "draft");
  EXPECT_EQ(plan->params.rate_percent, 20);  // the policy's minimum
  EXPECT_EQ(PublishedDocument(c.conn(), plan->id).status().code(), StatusCode::kNotFound);

  auto committed = CommitPlan(c.conn(), c.bureau, c.clock, random, Policy(), plan->id);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(committed->status, "committed");
  EXPECT_EQ(committed->seed, "");  // secret until the draw
  std::string seed;  // FixedRandom's 32 bytes of 0x5a, in hex
  for (int i = 0; i < 32; ++i) seed += "5a";
  EXPECT_EQ(committed->commitment, Commitment(seed, committed->public_input));
  auto doc = PublishedDocument(c.conn(), plan->id);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->find("\"seed\""), std::string::npos);
  // The conflict of interest comes from the postings: 甲 worked at S01 until
  // 2024 (within three years of the draw); 乙's S06 posting ended in 2015.
  auto inputs = nlohmann::json::parse(*doc);
  for (const auto& i : inputs["inspectors"]) {
    if (i["key"] == "D001") {
      EXPECT_EQ(i["conflicts"], nlohmann::json::array({"S01"}));
    }
    if (i["key"] == "D002") {
      EXPECT_EQ(i["conflicts"], nlohmann::json::array());
    }
  }
  EXPECT_EQ(inputs["schools"].size(), 9u);  // the two central schools are schools too

  // Not before the draw time.
  auto early = DrawPlan(c.conn(), c.bureau, c.clock, plan->id);
  EXPECT_EQ(early.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(early.status().field(), "draw_at");
  c.clock.Advance(std::chrono::hours(24 * 8));
  auto drawn = DrawPlan(c.conn(), c.bureau, c.clock, plan->id);
  ASSERT_TRUE(drawn.ok()) << drawn.status().ToString();
  EXPECT_EQ(drawn->status, "drawn");
  EXPECT_EQ(drawn->seed.size(), 64u);
  auto result = nlohmann::json::parse(drawn->result_json);
  // 东坪: 6 schools → 2; 梅城: 3 → 1.
  EXPECT_EQ(result["assignments"].size(), 3u);
  for (const auto& a : result["assignments"]) {
    for (const auto& i : a["inspectors"]) {
      if (i["key"] == "D001") {
        EXPECT_NE(a["school"]["code"], "S01");
      }
    }
  }
  EXPECT_EQ(CommitPlan(c.conn(), c.bureau, c.clock, random, Policy(), plan->id).status().code(),
            StatusCode::kFailedPrecondition);

  // The published document re-runs to the stored result, byte for byte.
  auto full = PublishedDocument(c.conn(), plan->id);
  ASSERT_TRUE(full.ok());
  auto verified = VerifyPublished(*full);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(*verified, drawn->result_json);

  auto report = VerifyDrawLedger(c.conn());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->reason_en;
  EXPECT_EQ(report->entries, 3);  // plan, commit, draw
}

TEST_P(DrawStoreTest, AnotherDatabaseReproducesTheDrawByteForByte) {
  County a(GetParam());
  County b(GetParam(), /*reversed=*/true);  // same county, every id different
  ASSERT_NE(a.ids["S01"], b.ids["S01"]);
  auto pa = RunPlan(a, a.Spec());
  auto pb = RunPlan(b, b.Spec());
  ASSERT_TRUE(pa.ok()) << pa.status().ToString();
  ASSERT_TRUE(pb.ok()) << pb.status().ToString();
  auto da = PublishedDocument(a.conn(), pa->id);
  auto db = PublishedDocument(b.conn(), pb->id);
  ASSERT_TRUE(da.ok() && db.ok());
  EXPECT_EQ(*da, *db);
  EXPECT_EQ(pa->result_json, pb->result_json);
  // And A's published inputs re-run to B's stored result.
  auto rerun = VerifyPublished(*da);
  ASSERT_TRUE(rerun.ok());
  EXPECT_EQ(*rerun, pb->result_json);
}

// Across backends too: the county on SQLite and on PostgreSQL (when the
// throwaway server is there) publishes the same inputs and draws the same.
TEST(DrawAcrossBackendsTest, SqliteAndPostgresDrawTheSame) {
  const auto backends = testing::TestBackends();
  if (backends.size() < 2) GTEST_SKIP() << "EDUGOV_TEST_PG_URL is not set";
  County a(backends[0]);
  County b(backends[1], /*reversed=*/true);
  FixedRandom random;
  std::vector<std::string> docs;
  for (County* c : {&a, &b}) {
    auto plan = CreatePlan(c->conn(), c->bureau, c->clock, Policy(), c->Spec());
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    ASSERT_TRUE(CommitPlan(c->conn(), c->bureau, c->clock, random, Policy(), plan->id).ok());
    c->clock.Advance(std::chrono::hours(24 * 8));
    ASSERT_TRUE(DrawPlan(c->conn(), c->bureau, c->clock, plan->id).ok());
    auto doc = PublishedDocument(c->conn(), plan->id);
    ASSERT_TRUE(doc.ok());
    docs.push_back(*doc);
  }
  EXPECT_EQ(docs[0], docs[1]);
}

TEST_P(DrawStoreTest, TamperingIsNamed) {
  County c(GetParam());
  auto plan = RunPlan(c, c.Spec());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto check = [&] {
    auto r = VerifyDrawLedger(c.conn());
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ledger::VerifyReport{};
  };
  ASSERT_TRUE(check().ok);

  // A result rewritten in the plan row: the ledger's draw entry disagrees.
  const std::string original = plan->result_json;
  ASSERT_TRUE(c.conn().Execute("UPDATE draw_plans SET result_json = $1 WHERE id = $2",
                               {std::string("{}"), plan->id}).ok());
  auto r = check();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
  EXPECT_NE(r.reason_en.find("result"), std::string::npos) << r.reason_en;
  ASSERT_TRUE(c.conn().Execute("UPDATE draw_plans SET result_json = $1 WHERE id = $2",
                               {original, plan->id}).ok());
  ASSERT_TRUE(check().ok);

  // An entry edited.
  ASSERT_TRUE(c.conn().Execute("UPDATE draw_ledger SET actor = 'someone' WHERE seq = 2").ok());
  r = check();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
  EXPECT_NE(r.reason_en.find("edited"), std::string::npos) << r.reason_en;
  ASSERT_TRUE(c.conn().Execute("UPDATE draw_ledger SET actor = 'juzhang' WHERE seq = 2").ok());
  ASSERT_TRUE(check().ok);

  // The tail deleted.
  ASSERT_TRUE(c.conn().Execute("DELETE FROM draw_ledger WHERE seq = 3").ok());
  r = check();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
}

TEST_P(DrawStoreTest, OnlyTheBureauPlans) {
  County c(GetParam());
  const Principal school = County::Make(Role::kSchool, c.ids["S01"], c.paths["S01"]);
  auto created = CreatePlan(c.conn(), school, c.clock, Policy(), c.Spec());
  EXPECT_EQ(created.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ListPlans(c.conn(), school).status().code(), StatusCode::kPermissionDenied);
  const Principal inspector = County::Make(Role::kInspector, c.root_id, "/" + std::to_string(c.root_id) + "/");
  EXPECT_EQ(ListPlans(c.conn(), inspector).status().code(), StatusCode::kPermissionDenied);
}

TEST_P(DrawStoreTest, BadPlansNameTheField) {
  County c(GetParam());
  auto bad = [&](auto edit) {
    PlanSpec s = c.Spec();
    edit(s);
    return CreatePlan(c.conn(), c.bureau, c.clock, Policy(), s).status();
  };
  EXPECT_EQ(bad([](PlanSpec& s) { s.rate_percent = 10; }).field(), "rate_percent");
  EXPECT_EQ(bad([](PlanSpec& s) { s.inspector_codes = {}; }).field(), "inspectors");
  EXPECT_EQ(bad([](PlanSpec& s) { s.inspector_codes = {"NOPE"}; }).field(), "inspectors");
  EXPECT_EQ(bad([](PlanSpec& s) { s.draw_at = "2025-03-01T10:00:00+08:00"; }).field(), "draw_at");
  EXPECT_EQ(bad([](PlanSpec& s) { s.strata = std::vector<std::string>{"risk", "township"}; }).field(),
            "strata");
  EXPECT_EQ(bad([](PlanSpec& s) { s.announced = ""; }).field(), "announced");
}

TEST_P(DrawStoreTest, AnUnfillableStratumFailsTheCommitAndPublishesNothing) {
  County c(GetParam());
  PlanSpec s = c.Spec();
  // A team of two from 甲 and 乙 only, and 乙 now worked at 梅城's schools too.
  s.inspector_codes = {"D001", "D002"};
  c.Past("D002", "S07", Date::FromYmd(2023, 9, 1), Date::FromYmd(2024, 7, 1));
  c.Past("D002", "T2", Date::FromYmd(2022, 9, 1), Date::FromYmd(2023, 7, 1));
  c.Past("D002", "S06", Date::FromYmd(2021, 9, 1), Date::FromYmd(2022, 7, 1));
  auto plan = CreatePlan(c.conn(), c.bureau, c.clock, Policy(), s);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  FixedRandom random;
  auto committed = CommitPlan(c.conn(), c.bureau, c.clock, random, Policy(), plan->id);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.status().field(), "strata");
  EXPECT_NE(committed.status().message_zh().find("梅城镇中心学校"), std::string::npos)
      << committed.status().message_zh();
  auto again = GetPlan(c.conn(), c.bureau, plan->id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, "draft");
  EXPECT_EQ(again->commitment, "");
}

INSTANTIATE_TEST_SUITE_P(Backends, DrawStoreTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::draws
