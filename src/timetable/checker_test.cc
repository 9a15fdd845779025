#include "timetable/checker.h"

#include <gtest/gtest.h>

namespace edugov::timetable {
namespace {

// 2 days x 4 periods, two teachers, two classes, one room holding 30.
Instance Small() {
  Instance in;
  in.days = {"Mon", "Tue"};
  for (int p = 1; p <= 4; ++p) in.periods.push_back(Period{std::to_string(p)});
  in.teachers = {Teacher{"T0"}, Teacher{"T1"}};
  in.subjects = {Subject{"Math", true}, Subject{"PE"}};
  in.rooms = {Room{"R0", RoomKind::kOrdinary, 30}};
  in.student_sets = {StudentSet{"C0", 1, Stage::kPrimary, 25, {0}},
                     StudentSet{"C1", 1, Stage::kPrimary, 40, {1}}};
  in.num_subgroups = 2;
  in.subgroup_names = {"C0", "C1"};
  for (int i = 0; i < 4; ++i) {
    Activity a;
    a.id = i + 1;
    a.teachers = {i % 2};
    a.student_sets = {i / 2};
    a.subject = 0;
    in.activities.push_back(a);
  }
  FinalizeInstance(in);
  return in;
}

Solution At(std::vector<int> starts) {
  Solution s;
  for (int st : starts) s.placements.push_back(Placement{st, -1});
  return s;
}

int Count(const CheckReport& r, const std::string& type) {
  int n = 0;
  for (const Violation& v : r.violations) n += v.type == type;
  return n;
}

Constraint Make(ConstraintType type, std::vector<int> acts, double weight = 100) {
  Constraint k;
  k.type = type;
  k.activities = std::move(acts);
  k.weight = weight;
  return k;
}

TEST(CheckerTest, CleanSolutionHasNoViolations) {
  CheckReport r = Check(Small(), At({0, 1, 2, 3}));
  EXPECT_TRUE(r.feasible());
  EXPECT_EQ(r.soft_cost, 0);
  EXPECT_TRUE(r.violations.empty());
}

TEST(CheckerTest, TeacherAndStudentClashes) {
  // Activities 0 and 2 share teacher T0; 0 and 1 share class C0.
  CheckReport r = Check(Small(), At({0, 0, 0, 5}));
  EXPECT_EQ(Count(r, "TeacherClash"), 1);
  EXPECT_EQ(Count(r, "StudentsClash"), 1);
  EXPECT_EQ(r.hard_violations, 2);
}

TEST(CheckerTest, RoomClashAndCapacity) {
  Instance in = Small();
  Solution s = At({0, 1, 1, 3});
  s.placements[1].room = 0;
  s.placements[2].room = 0;  // C1 has 40 students, room holds 30
  CheckReport r = Check(in, s);
  EXPECT_EQ(Count(r, "RoomClash"), 1);
  EXPECT_EQ(Count(r, "RoomCapacity"), 1);
}

TEST(CheckerTest, UnplacedAndOverrunning) {
  Instance in = Small();
  in.activities[3].duration = 2;
  CheckReport r = Check(in, At({-1, 1, 2, 3}));  // 3 starts in period 4 of 4
  EXPECT_EQ(Count(r, "Unplaced"), 2);
}

TEST(CheckerTest, NotAvailableAndPreferredTimes) {
  Instance in = Small();
  Constraint na = Make(ConstraintType::kNotAvailableTimes, {0});
  na.slots = {0};
  Constraint pst = Make(ConstraintType::kPreferredStartingTimes, {1});
  pst.slots = {4};
  Constraint pts = Make(ConstraintType::kPreferredTimeSlots, {2}, 50);
  pts.slots = {7};
  in.constraints = {na, pst, pts};
  CheckReport r = Check(in, At({0, 1, 2, 3}));
  EXPECT_EQ(r.hard_violations, 2);
  EXPECT_DOUBLE_EQ(r.soft_cost, 0.5);
  EXPECT_EQ(Count(r, "NotAvailableTimes"), 1);
  EXPECT_EQ(Count(r, "PreferredStartingTimes"), 1);
  EXPECT_EQ(Count(r, "PreferredTimeSlots"), 1);
}

TEST(CheckerTest, MinDaysConsecutiveSameStartNotOverlapping) {
  Instance in = Small();
  Constraint md = Make(ConstraintType::kMinDaysBetweenActivities, {0, 1}, 95);
  md.value = 1;
  md.consecutive_if_same_day = true;
  in.constraints = {md, Make(ConstraintType::kTwoActivitiesConsecutive, {2, 3}),
                    Make(ConstraintType::kActivitiesSameStartingTime, {0, 3}),
                    Make(ConstraintType::kActivitiesNotOverlapping, {1, 2})};
  // 0 and 1 same day, not adjacent: two soft violations (0.95 each).
  // 2 at slot 1, 3 at slot 3: not consecutive. 0 and 3 differ. 1 and 2 overlap? no.
  CheckReport r = Check(in, At({0, 2, 1, 3}));
  EXPECT_EQ(Count(r, "MinDaysBetweenActivities"), 2);
  EXPECT_NEAR(r.soft_cost, 1.9, 1e-9);
  EXPECT_EQ(Count(r, "TwoActivitiesConsecutive"), 1);
  EXPECT_EQ(Count(r, "ActivitiesSameStartingTime"), 1);
  EXPECT_EQ(Count(r, "ActivitiesNotOverlapping"), 0);
}

TEST(CheckerTest, TeacherDailyContinuousAndGaps) {
  Instance in = Small();
  for (auto& a : in.activities) a.teachers = {0};
  for (auto& a : in.activities) a.student_sets = {static_cast<int>(&a - &in.activities[0]) % 2};
  FinalizeInstance(in);
  Constraint daily = Make(ConstraintType::kTeachersMaxHoursDaily, {});
  daily.teachers = {0};
  daily.value = 2;
  Constraint cont = daily;
  cont.type = ConstraintType::kTeachersMaxHoursContinuously;
  Constraint gaps = daily;
  gaps.type = ConstraintType::kTeachersMaxGapsPerDay;
  gaps.value = 0;
  in.constraints = {daily, cont, gaps};
  // Mon: periods 1,2,3 (3 in a row) ; Tue: periods 1 and 4 (2 gaps).
  CheckReport r = Check(in, At({0, 1, 2, 4}));
  r = Check(in, At({0, 1, 2, 4}));
  EXPECT_EQ(Count(r, "TeachersMaxHoursDaily"), 1);
  EXPECT_EQ(Count(r, "TeachersMaxHoursContinuously"), 1);
  EXPECT_EQ(Count(r, "TeachersMaxGapsPerDay"), 0);
  r = Check(in, At({0, 1, 4, 7}));
  EXPECT_EQ(Count(r, "TeachersMaxGapsPerDay"), 1);
  EXPECT_EQ(r.hard_violations, 2);  // the Tuesday gap of two periods
}

TEST(CheckerTest, EndStudentsDayAndRooms) {
  Instance in = Small();
  Constraint pr = Make(ConstraintType::kPreferredRooms, {1});
  pr.rooms = {0};
  in.constraints = {Make(ConstraintType::kActivitiesEndStudentsDay, {0}), pr};
  CheckReport r = Check(in, At({0, 1, 4, 5}));
  EXPECT_EQ(Count(r, "ActivitiesEndStudentsDay"), 1);
  EXPECT_EQ(Count(r, "PreferredRooms"), 1);
}

TEST(CheckerTest, WeeklyPeriodsCitesTheClause) {
  Instance in = Small();
  Constraint w = Make(ConstraintType::kWeeklyPeriods, {0, 1});
  w.value = 3;
  w.clause = "26";
  in.constraints = {w};
  CheckReport r = Check(in, At({0, 1, 2, 3}));
  ASSERT_EQ(Count(r, "WeeklyPeriods"), 1);
  EXPECT_EQ(r.violations[0].clause, "26");
  in.constraints[0].value = 2;  // more than the minimum is fine
  EXPECT_TRUE(Check(in, At({0, 1, 2, 3})).feasible());
}

// Each bell violation carries the clause the instance's bell norms name for
// it (the policy pack's, through WithPlanNorms).
TEST(CheckerTest, BellNormsCiteTheirClauses) {
  Instance in = Small();
  const int times[4][2] = {{7 * 60 + 50, 8 * 60 + 30}, {8 * 60 + 40, 9 * 60 + 20},
                           {9 * 60 + 50, 10 * 60 + 30}, {11 * 60 + 30, 12 * 60 + 10}};
  for (int p = 0; p < 4; ++p) {
    in.periods[p].start_minute = times[p][0];
    in.periods[p].end_minute = times[p][1];
  }
  in.bell.enabled = true;
  in.bell.first_lesson_not_before = 8 * 60 + 20;
  in.bell.min_break_minutes = 15;
  in.bell.min_noon_minutes = 90;
  in.bell.morning_periods = 3;
  in.bell.fixed_periods = {};
  in.bell.first_lesson_clause = in.bell.break_clause = in.bell.noon_clause = "25";
  in.bell.reserved_clause = "26";
  CheckReport r = Check(in, At({0, 1, 6, 7}));
  EXPECT_EQ(Count(r, "FirstLessonTooEarly"), 1);  // activity 1 at period 1 of Mon
  EXPECT_EQ(Count(r, "BreakTooShort"), 1);        // 10 min between periods 1 and 2
  EXPECT_EQ(Count(r, "NoonBreakTooShort"), 1);    // 60 min between 3 and 4
  for (const Violation& v : r.violations) EXPECT_EQ(v.clause, "25") << v.type;
  in.bell.fixed_periods = {2};
  r = Check(in, At({2, 5, 6, 7}));  // activities 0 and 2 in period 3
  EXPECT_EQ(Count(r, "FixedSlotUsed"), 2);
  for (const Violation& v : r.violations) {
    if (v.type == "FixedSlotUsed") {
      EXPECT_EQ(v.clause, "26");
    }
  }
}

}  // namespace
}  // namespace edugov::timetable

namespace edugov::timetable {
namespace {

// Regression: FET (6.8.5, Spain seed 1001..1006) places activity 6 right
// after the break that follows activity 1177 and calls that consecutive; so
// must we, or FET's valid timetables look broken.
TEST(CheckerTest, ConsecutiveAcrossABreakLikeFet) {
  Instance in = Small();
  Constraint brk = Make(ConstraintType::kNotAvailableTimes, {0, 1, 2, 3});
  brk.slots = {1, 5};  // period 2 is a break on both days
  in.constraints = {brk, Make(ConstraintType::kTwoActivitiesConsecutive, {0, 2})};
  EXPECT_TRUE(Check(in, At({0, 4, 2, 7})).feasible());    // 0 at p1, 2 at p3: only the break between
  EXPECT_FALSE(Check(in, At({0, 4, 3, 7})).feasible());   // p1 then p4: not consecutive
}

}  // namespace
}  // namespace edugov::timetable
