#include "timetable/fet_export.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "timetable/checker.h"
#include "timetable/fet_import.h"
#include "timetable/solver.h"

namespace edugov::timetable {
namespace {

const std::string kTestdata = EDUGOV_TIMETABLE_TESTDATA;
const std::string kExamples = "/usr/share/doc/fet-data/examples/FET-5-official/";

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

SolveParams Params(int64_t work) {
  SolveParams p;
  p.work_limit = work;
  p.time_limit_seconds = 1e9;
  p.clock = [] { return 0.0; };
  return p;
}

// Export with locks, import again: the locked times alone now pin every
// activity, so the re-imported instance has exactly one start per activity
// and that start is ours.
void ExpectRoundTrip(const Instance& in, const Solution& sol, const std::string& xml) {
  auto back = ImportFetString(xml, "roundtrip.fet");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const Instance& in2 = back->instance;
  ASSERT_EQ(in2.activities.size(), in.activities.size());
  for (size_t a = 0; a < in.activities.size(); ++a) {
    EXPECT_EQ(back->locked.placements[a].start, sol.placements[a].start);
    EXPECT_EQ(back->locked.placements[a].room, sol.placements[a].room);
  }
  EXPECT_EQ(in2.days, in.days);
  CheckReport orig = Check(in, sol);
  CheckReport again = Check(in2, sol);  // same activity order, same indices
  EXPECT_EQ(again.hard_violations, orig.hard_violations);
  EXPECT_NEAR(again.soft_cost, orig.soft_cost, 1e-9);
  // Solving the locked instance reproduces the timetable.
  SolveResult r = Solve(in2, Params(5000));
  for (size_t a = 0; a < in.activities.size(); ++a)
    EXPECT_EQ(r.solution.placements[a].start, sol.placements[a].start) << "activity " << in.activities[a].id;
}

TEST(FetExportTest, RoundTripFromTheModel) {
  auto imp = ImportFetFile(kTestdata + "/tiny.fet");
  ASSERT_TRUE(imp.ok());
  SolveResult r = Solve(imp->instance, Params(10000));
  ASSERT_EQ(r.hard, 0);
  auto out = ExportFet(imp->instance, r.solution);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->locked_times, 3);
  EXPECT_EQ(out->locked_rooms, 1);  // Art needs room R1
  EXPECT_NE(out->xml.find("<Permanently_Locked>true</Permanently_Locked>"), std::string::npos);
  ExpectRoundTrip(imp->instance, r.solution, out->xml);
}

TEST(FetExportTest, RoundTripKeepsTheOriginalFile) {
  const std::string path = kExamples + "Greece/Didymoteicho/6th-Primary-School.fet";
  const std::string original = Slurp(path);
  auto imp = ImportFetString(original, "6th-Primary-School.fet");
  ASSERT_TRUE(imp.ok());
  SolveResult r = Solve(imp->instance, Params(100000));
  ASSERT_EQ(r.hard, 0);
  auto out = ExportFet(imp->instance, r.solution, original);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->locked_times, 377);
  EXPECT_NE(out->xml.find("<Institution_Name>"), std::string::npos);
  ExpectRoundTrip(imp->instance, r.solution, out->xml);
}

TEST(FetExportTest, ModelExportOfADevFileReimports) {
  // The students tree is rebuilt from flattened sets: the activities must
  // cover the same subgroups after the trip.
  auto imp = ImportFetFile(kExamples + "Spain/2-secondary-school/secondary-school.fet");
  ASSERT_TRUE(imp.ok());
  Solution none;
  none.placements.resize(imp->instance.activities.size());
  auto out = ExportFet(imp->instance, none);
  ASSERT_TRUE(out.ok());
  auto back = ImportFetString(out->xml, "spain-model.fet");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const Instance& a = imp->instance;
  const Instance& b = back->instance;
  ASSERT_EQ(a.activities.size(), b.activities.size());
  for (size_t i = 0; i < a.activities.size(); ++i) {
    std::vector<std::string> ga, gb;
    for (int g : a.activities[i].subgroups) ga.push_back(a.subgroup_names[g]);
    for (int g : b.activities[i].subgroups) gb.push_back(b.subgroup_names[g]);
    std::sort(ga.begin(), ga.end());
    std::sort(gb.begin(), gb.end());
    EXPECT_EQ(ga, gb) << "activity " << a.activities[i].id;
  }
}

TEST(FetExportTest, BadOriginalIsAnError) {
  Instance in;
  Solution sol;
  EXPECT_FALSE(ExportFet(in, sol, "<fet><Days_List>").ok());
}

}  // namespace
}  // namespace edugov::timetable
