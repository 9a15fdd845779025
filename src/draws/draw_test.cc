// The pure draw (draw.h, prng.h): the PRNG against an independent
// implementation's vector, determinism, quotas, the conflict-of-interest
// exclusion, a wrong seed, empty pools, and verification of a published
// document.
#include "draws/draw.h"

#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "draws/prng.h"

namespace edugov::draws {
namespace {

constexpr const char* kSeed = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// Two townships: 东坪 with 10 junior schools, 梅城 with 3 primary schools;
// four inspectors, 李 having worked at D01 and D02.
DrawInputs Inputs() {
  DrawInputs in;
  in.plan = "2025年春季双随机抽查";
  in.year = 2025;
  in.params = {.rate_percent = 20, .team_size = 2, .conflict_years = 3, .strata = {"township", "stage"}};
  in.public_input = PublicInput("2025-03-10T10:00:00+08:00", "上证综指 2025-03-07 收盘 3372.55");
  in.seed = kSeed;
  in.commitment = Commitment(in.seed, in.public_input);
  for (int i = 1; i <= 10; ++i) {
    const std::string c = (i < 10 ? "D0" : "D") + std::to_string(i);
    in.schools.push_back({.code = c, .name = "东坪" + c + "学校", .township = "东坪镇中心学校",
                          .stage = "junior", .risk = "low"});
  }
  for (int i = 1; i <= 3; ++i) {
    in.schools.push_back({.code = "M0" + std::to_string(i), .name = "梅城小学" + std::to_string(i),
                          .township = "梅城镇中心学校", .stage = "primary", .risk = "medium"});
  }
  in.inspectors = {{.key = "I1", .name = "李督学", .conflicts = {"D01", "D02"}},
                   {.key = "I2", .name = "王督学", .conflicts = {}},
                   {.key = "I3", .name = "张督学", .conflicts = {"M01"}},
                   {.key = "I4", .name = "刘督学", .conflicts = {}}};
  return in;
}

TEST(Sha256StreamTest, MatchesTheDocumentedConstruction) {
  // Computed with Python's hashlib from docs/ledgers.md's description.
  Sha256Stream s("a", "b", "c");
  EXPECT_EQ(s.Next(), 0x1b9137855bc5780bULL);
  EXPECT_EQ(s.Next(), 0x25760f4f1484e269ULL);
  EXPECT_EQ(s.Next(), 0x28dc939937e1b79dULL);
  EXPECT_EQ(s.Next(), 0x099a87ac3460a339ULL);
  EXPECT_EQ(s.Next(), 0x7e7e64f90ada2710ULL);  // block 1
}

TEST(Sha256StreamTest, BelowStaysInRange) {
  Sha256Stream s(kSeed, "x", "y");
  std::set<uint64_t> seen;
  for (int i = 0; i < 200; ++i) {
    const uint64_t v = s.Below(7);
    ASSERT_LT(v, 7u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7u);
}

TEST(DrawTest, SameInputsSameBytes) {
  auto a = RunDraw(Inputs());
  auto b = RunDraw(Inputs());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(ResultJson(*a), ResultJson(*b));
  // Another seed (with its own commitment) draws differently.
  DrawInputs other = Inputs();
  other.seed = std::string(64, 'f');
  other.commitment = Commitment(other.seed, other.public_input);
  auto c = RunDraw(other);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(ResultJson(*a), ResultJson(*c));
}

TEST(DrawTest, QuotaPerStratumIsTheCeilingOfTheRate) {
  auto r = RunDraw(Inputs());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->strata.size(), 2u);
  EXPECT_EQ(r->strata[0].stratum, "东坪镇中心学校 / junior");
  EXPECT_EQ(r->strata[0].schools, 10);
  EXPECT_EQ(r->strata[0].quota, 2);  // 20 % of 10
  EXPECT_EQ(r->strata[1].stratum, "梅城镇中心学校 / primary");
  EXPECT_EQ(r->strata[1].quota, 1);  // ceil(0.6)
  ASSERT_EQ(r->assignments.size(), 3u);
  std::set<std::string> schools;
  for (const auto& a : r->assignments) {
    EXPECT_EQ(a.inspectors.size(), 2u);
    EXPECT_NE(a.inspectors[0].key, a.inspectors[1].key);
    schools.insert(a.school_code);
  }
  EXPECT_EQ(schools.size(), 3u);
}

TEST(DrawTest, NoInspectorIsDrawnForASchoolTheyWorkedAt) {
  // Over many seeds: 李 (I1) never inspects D01/D02, 张 (I3) never M01.
  int li_drawn = 0;
  for (int k = 0; k < 200; ++k) {
    DrawInputs in = Inputs();
    in.params.rate_percent = 50;
    char buf[65];
    std::snprintf(buf, sizeof buf, "%064x", k);
    in.seed = buf;
    in.commitment = Commitment(in.seed, in.public_input);
    auto r = RunDraw(in);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& a : r->assignments) {
      for (const auto& i : a.inspectors) {
        if (i.key == "I1") {
          ++li_drawn;
          EXPECT_NE(a.school_code, "D01");
          EXPECT_NE(a.school_code, "D02");
        }
        if (i.key == "I3") {
          EXPECT_NE(a.school_code, "M01");
        }
      }
    }
  }
  EXPECT_GT(li_drawn, 0);  // excluded where conflicted, not everywhere
}

TEST(DrawTest, AQuotaThatCannotBeMetNamesTheStratum) {
  DrawInputs in = Inputs();
  // Everyone but 王 worked at every 梅城 school: no team of two is free.
  for (auto& i : in.inspectors) {
    if (i.key != "I2") i.conflicts = {"M01", "M02", "M03"};
  }
  auto r = RunDraw(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().field(), "strata");
  EXPECT_NE(r.status().message_en().find("梅城镇中心学校 / primary"), std::string::npos)
      << r.status().message_en();
  EXPECT_NE(r.status().message_zh().find("梅城镇中心学校 / primary"), std::string::npos);
}

TEST(DrawTest, AWrongSeedIsAnError) {
  DrawInputs in = Inputs();
  in.seed = std::string(64, 'a');  // not the committed one
  auto r = RunDraw(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().field(), "seed");
  in.seed = "not hex";
  EXPECT_EQ(RunDraw(in).status().field(), "seed");
}

TEST(DrawTest, EmptyPoolsAreErrorsNamingThePool) {
  DrawInputs in = Inputs();
  in.schools.clear();
  EXPECT_EQ(RunDraw(in).status().field(), "schools");
  in = Inputs();
  in.inspectors.clear();
  EXPECT_EQ(RunDraw(in).status().field(), "inspectors");
  in = Inputs();
  in.inspectors.resize(1);
  EXPECT_EQ(RunDraw(in).status().field(), "inspectors");
}

TEST(DrawTest, VerifyRerunsThePublishedDocument) {
  DrawInputs in = Inputs();
  auto r = RunDraw(in);
  ASSERT_TRUE(r.ok());
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(InputsJson(in, true));
  doc["result"] = nlohmann::ordered_json::parse(ResultJson(*r));
  auto v = VerifyPublished(doc.dump());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, ResultJson(*r));

  // Pools in another order parse to the same canonical inputs.
  auto shuffled = doc;
  std::reverse(shuffled["schools"].begin(), shuffled["schools"].end());
  auto v2 = VerifyPublished(shuffled.dump(2));
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(*v2, *v);

  auto forged = doc;
  forged["result"]["assignments"][0]["school"]["name"] = "别的学校";
  EXPECT_EQ(VerifyPublished(forged.dump()).status().field(), "result");
  auto moved = doc;
  moved["inspectors"][0]["conflicts"] = nlohmann::ordered_json::array();
  EXPECT_EQ(VerifyPublished(moved.dump()).status().field(), "pools_sha256");
  auto wrong = doc;
  wrong["seed"] = std::string(64, 'b');
  EXPECT_EQ(VerifyPublished(wrong.dump()).status().field(), "seed");
  auto unrevealed = doc;
  unrevealed.erase("seed");
  EXPECT_EQ(VerifyPublished(unrevealed.dump()).status().field(), "seed");
}

}  // namespace
}  // namespace edugov::draws
