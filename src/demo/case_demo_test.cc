#include "demo/case_demo.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "calendar/working_calendar.h"
#include "cases/case_type.h"
#include "cases/engine.h"
#include "cases/secret_box.h"
#include "common/random.h"
#include "demo/demo_data.h"
#include "testing/test_db.h"

namespace edugov::demo {
namespace {

using storage::Backend;

struct DemoRun {
  CaseDemoSummary summary;
  std::string digest;  // every case row that matters, in id order
  std::map<std::string, int64_t> complaint_states;
  std::map<std::string, int64_t> by_month;  // "2025-08" → complaints opened
  int64_t sanctions = 0;
  int64_t overdue = 0;  // complaints open past their deadline at the year's end
  int64_t confidential_in_fields = 0;
};

DemoRun Generate(Backend backend, uint64_t seed) {
  DemoRun out;
  auto db = edugov::testing::TestDb::Create(backend);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return out;
  {
    auto conn = db->db().Acquire();
    FakeClock registry_clock(ParseTimestamp("2025-09-01T08:00:00+08:00").value());
    auto s = GenerateDemoData(**conn, registry_clock, EDUGOV_DEMO_YAML, Scale::kCounty, 1);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
  }
  auto types = cases::CaseTypeRegistry::LoadDir(std::string(EDUGOV_SOURCE_DIR) + "/policy/cases");
  EXPECT_TRUE(types.ok()) << types.status().ToString();
  auto cal = calendar::WorkingCalendar::Load(std::string(EDUGOV_SOURCE_DIR) + "/policy/calendar/cn-2025-2026.yaml");
  EXPECT_TRUE(cal.ok()) << cal.status().ToString();
  if (!types.ok() || !cal.ok()) return out;
  FakeClock clock(ParseTimestamp("2025-01-01T00:00:00+08:00").value());
  SeededRandom random(seed);
  cases::SecretBox box(std::array<unsigned char, cases::SecretBox::kKeyBytes>{1, 2, 3});
  cases::CaseEngine engine({.db = &db->db(), .types = &*types, .calendar = &*cal, .clock = &clock,
                            .random = &random, .box = &box});
  auto s = GenerateCaseDemo(db->db(), engine, clock, {.seed = seed});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) return out;
  out.summary = *s;

  auto conn = db->db().Acquire();
  auto rs = (*conn)->Query(
      "SELECT ref, case_type, state, category, org_id, opened_at, due_at, closed_at, satisfaction, merged_into, "
      "tracking_hash, fields_json FROM cases ORDER BY id");
  EXPECT_TRUE(rs.ok());
  const int64_t year_end = ToUnixMicros(ParseTimestamp("2026-01-01T00:00:00+08:00").value());
  for (size_t i = 0; i < rs->size(); ++i) {
    for (size_t c = 0; c < rs->columns().size(); ++c) out.digest += rs->GetText(i, c, "∅") + "|";
    out.digest += "\n";
    if (rs->GetText(i, 1) != "complaint") continue;
    ++out.complaint_states[rs->GetText(i, 2)];
    const std::string month = FormatTimestamp(FromUnixMicros(rs->GetInt(i, 5))).substr(0, 7);
    ++out.by_month[month];
    if (rs->IsNull(i, 7) && !rs->IsNull(i, 6) && rs->GetInt(i, 6) < year_end && rs->GetText(i, 2) != "merged") {
      ++out.overdue;
    }
    const std::string fields = rs->GetText(i, 11);
    if (fields.find("\"name\"") != std::string::npos || fields.find("\"phone\"") != std::string::npos) {
      ++out.confidential_in_fields;
    }
  }
  auto sanctions = (*conn)->Query("SELECT COUNT(*) FROM sanctions");
  out.sanctions = sanctions->GetInt(0, 0);
  return out;
}

class CaseDemoTest : public ::testing::TestWithParam<Backend> {};

TEST_P(CaseDemoTest, AYearOfCasesInEveryStateWithSeasons) {
  DemoRun r = Generate(GetParam(), 1);
  EXPECT_GE(r.summary.complaints, 200);
  for (const char* state : {"received", "dispatched", "answered", "verified", "closed", "merged", "reopened"}) {
    EXPECT_GT(r.complaint_states[state], 0) << "no complaint in state " << state;
  }
  EXPECT_EQ(r.complaint_states["merged"], r.summary.merged);
  EXPECT_GT(r.overdue, 0);
  EXPECT_GT(r.sanctions, 0);
  EXPECT_EQ(r.sanctions, r.summary.sanctions);
  EXPECT_GT(r.summary.rectifications, 0);
  EXPECT_GT(r.summary.approvals, 0);
  EXPECT_GT(r.summary.hazards, 0);
  EXPECT_GT(r.summary.dropouts, 0);
  EXPECT_GT(r.summary.sweeps, 50);
  // Term start outnumbers the holidays.
  EXPECT_GT(r.by_month["2025-09"], r.by_month["2025-08"]);
  EXPECT_GT(r.by_month["2025-03"], r.by_month["2025-02"]);
  EXPECT_GT(r.by_month["2025-09"], r.by_month["2025-07"]);
  // Complainants' names and phones are sealed, never in the plain fields.
  EXPECT_EQ(r.confidential_in_fields, 0);
}

TEST(CaseDemoDeterminismTest, SameSeedSameCasesOtherSeedOtherCases) {
  DemoRun a = Generate(Backend::kSqlite, 7);
  DemoRun b = Generate(Backend::kSqlite, 7);
  DemoRun c = Generate(Backend::kSqlite, 8);
  ASSERT_FALSE(a.digest.empty());
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_NE(a.digest, c.digest);
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseDemoTest, ::testing::ValuesIn(edugov::testing::TestBackends()),
                         [](const auto& info) { return edugov::testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::demo
