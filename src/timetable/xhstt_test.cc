#include "timetable/xhstt.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "timetable/checker.h"
#include "timetable/solver.h"

namespace edugov::timetable {
namespace {

// Two days of two times; classes A and B share teacher T; a soft
// preference, a spread and one type we do not support.
const char* kTiny = R"(<HighSchoolTimetableArchive><Instances><Instance Id="TINY">
<Times><TimeGroups><Day Id="d1"><Name>Mo</Name></Day><Day Id="d2"><Name>Tu</Name></Day>
  <TimeGroup Id="early"><Name>early</Name></TimeGroup></TimeGroups>
 <Time Id="Mo1"><Name>Mo1</Name><Day Reference="d1"/><TimeGroups><TimeGroup Reference="early"/></TimeGroups></Time>
 <Time Id="Mo2"><Name>Mo2</Name><Day Reference="d1"/></Time>
 <Time Id="Tu1"><Name>Tu1</Name><Day Reference="d2"/><TimeGroups><TimeGroup Reference="early"/></TimeGroups></Time>
 <Time Id="Tu2"><Name>Tu2</Name><Day Reference="d2"/></Time></Times>
<Resources><ResourceTypes><ResourceType Id="Teacher"><Name>Teacher</Name></ResourceType><ResourceType Id="Class"><Name>Class</Name></ResourceType></ResourceTypes>
 <ResourceGroups><ResourceGroup Id="all"><Name>all</Name><ResourceType Reference="Teacher"/></ResourceGroup></ResourceGroups>
 <Resource Id="T"><Name>T</Name><ResourceType Reference="Teacher"/><ResourceGroups><ResourceGroup Reference="all"/></ResourceGroups></Resource>
 <Resource Id="A"><Name>A</Name><ResourceType Reference="Class"/></Resource>
 <Resource Id="B"><Name>B</Name><ResourceType Reference="Class"/></Resource></Resources>
<Events><EventGroups><Course Id="cA"><Name>cA</Name></Course><EventGroup Id="ev"><Name>ev</Name></EventGroup></EventGroups>
 <Event Id="A1"><Name>A1</Name><Duration>2</Duration><Course Reference="cA"/><Resources><Resource Reference="T"><Role>t</Role></Resource><Resource Reference="A"><Role>c</Role></Resource></Resources><EventGroups><EventGroup Reference="ev"/></EventGroups></Event>
 <Event Id="B1"><Name>B1</Name><Duration>1</Duration><Resources><Resource Reference="T"><Role>t</Role></Resource><Resource Reference="B"><Role>c</Role></Resource></Resources><EventGroups><EventGroup Reference="ev"/></EventGroups></Event>
</Events>
<Constraints>
 <AssignTimeConstraint Id="at"><Name>at</Name><Required>true</Required><Weight>1</Weight><CostFunction>Linear</CostFunction><AppliesTo><EventGroups><EventGroup Reference="ev"/></EventGroups></AppliesTo></AssignTimeConstraint>
 <AvoidClashesConstraint Id="ac"><Name>ac</Name><Required>true</Required><Weight>1</Weight><CostFunction>Linear</CostFunction><AppliesTo><ResourceGroups><ResourceGroup Reference="all"/></ResourceGroups></AppliesTo></AvoidClashesConstraint>
 <SplitEventsConstraint Id="sp"><Name>sp</Name><Required>true</Required><Weight>1</Weight><CostFunction>Linear</CostFunction><AppliesTo><Events><Event Reference="A1"/></Events></AppliesTo><MinimumDuration>1</MinimumDuration><MaximumDuration>1</MaximumDuration><MinimumAmount>2</MinimumAmount><MaximumAmount>2</MaximumAmount></SplitEventsConstraint>
 <SpreadEventsConstraint Id="se"><Name>se</Name><Required>false</Required><Weight>5</Weight><CostFunction>Linear</CostFunction><AppliesTo><EventGroups><EventGroup Reference="cA"/></EventGroups></AppliesTo><TimeGroups><TimeGroup Reference="d1"><Minimum>0</Minimum><Maximum>1</Maximum></TimeGroup><TimeGroup Reference="d2"><Minimum>0</Minimum><Maximum>1</Maximum></TimeGroup></TimeGroups></SpreadEventsConstraint>
 <PreferTimesConstraint Id="pt"><Name>pt</Name><Required>false</Required><Weight>3</Weight><CostFunction>Linear</CostFunction><AppliesTo><Events><Event Reference="B1"/></Events></AppliesTo><TimeGroups><TimeGroup Reference="early"/></TimeGroups></PreferTimesConstraint>
 <LimitIdleTimesConstraint Id="li"><Name>li</Name><Required>false</Required><Weight>1</Weight><CostFunction>Linear</CostFunction><AppliesTo/></LimitIdleTimesConstraint>
</Constraints></Instance></Instances>
<SolutionGroups><SolutionGroup Id="bad"><Solution Reference="TINY"><Events>
 <Event Reference="A1"><Duration>2</Duration><Time Reference="Mo1"/></Event>
 <Event Reference="B1"><Duration>1</Duration><Time Reference="Mo2"/></Event>
</Events><Report><InfeasibilityValue>3</InfeasibilityValue><ObjectiveValue>3</ObjectiveValue></Report></Solution></SolutionGroup></SolutionGroups>
</HighSchoolTimetableArchive>)";

TEST(XhsttTest, ImportsSplitsListsTheUnsupportedAndCostsLikeTheReport) {
  auto x = ImportXhsttString(kTiny, "tiny.xml");
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  EXPECT_EQ(x->instance.days.size(), 2u);
  EXPECT_EQ(x->instance.periods_per_day(), 2);
  // A1 (duration 2) is split into two 1-period sub-events.
  ASSERT_EQ(x->instance.activities.size(), 3u);
  EXPECT_EQ(x->instance.activities[0].duration, 1);
  ASSERT_EQ(x->unsupported.size(), 1u);
  EXPECT_NE(x->unsupported[0].find("LimitIdleTimesConstraint (soft)"), std::string::npos) << x->unsupported[0];
  EXPECT_NE(x->unsupported[0].find(": 1"), std::string::npos);

  // The embedded solution keeps A1 whole on Mo1–Mo2 and B1 on Mo2: a
  // teacher clash (1), a split violation (duration 2 > 1, amount 1 < 2: 2);
  // B1 not early (3).
  ASSERT_EQ(x->solutions.size(), 1u);
  const XhsttCost c = EvaluateXhstt(*x, x->solutions[0].sub_events);
  EXPECT_EQ(c.infeasibility, 3);
  EXPECT_EQ(c.objective, 3);
  EXPECT_EQ(x->solutions[0].reported_infeasibility, 3);

  SolveParams p;
  p.work_limit = 20000;
  p.time_limit_seconds = 1e9;
  p.clock = [] { return 0.0; };
  SolveResult r = Solve(x->instance, p);
  EXPECT_EQ(Check(x->instance, r.solution).hard_violations, 0);
  const XhsttCost ours = EvaluateXhstt(*x, SubEventsOf(*x, r.solution));
  EXPECT_EQ(ours.infeasibility, 0);
  EXPECT_EQ(ours.objective, 0);  // B1 early, A1's halves on two days
}

TEST(XhsttTest, BadFilesSayWhy) {
  auto bad = ImportXhsttString("<HighSchoolTimetableArchive><Instances>", "cut.xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "cut.xml");
  std::string dangling = kTiny;
  dangling.replace(dangling.find("<Resource Reference=\"B\">"), 24, "<Resource Reference=\"Z\">");
  auto d = ImportXhsttString(dangling, "d.xml");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message(Lang::kEn).find("unknown resource Z"), std::string::npos);
}

// The archive's own best solutions, re-costed by us on the supported
// constraints: never above what their reports say in total.
TEST(XhsttTest, EmbeddedSolutionsOfARealInstanceCostNoMoreThanReported) {
  const std::string path = "/work/shared/data/xhstt/FI-WP-06.xml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  auto x = ImportXhsttFile(path);
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  ASSERT_FALSE(x->solutions.empty());
  for (const XhsttSolution& s : x->solutions) {
    if (!s.has_report) continue;
    const XhsttCost c = EvaluateXhstt(*x, s.sub_events);
    EXPECT_LE(c.infeasibility, s.reported_infeasibility) << s.group;
    EXPECT_LE(c.objective, s.reported_objective) << s.group;
  }
}

}  // namespace
}  // namespace edugov::timetable
