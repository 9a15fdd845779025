// The timetabling model: plain data in, plain data out. An Instance says what
// has to be scheduled (activities) in which week (days x periods) under which
// constraints; a Solution says where each activity starts and in which room.
//
//   ASSIGN_OR_RETURN(Instance inst, ImportFet(path));       // fet_import.h
//   SolveResult r = Solve(inst, params);                     // solver.h
//   CheckReport rep = Check(inst, r.solution);               // checker.h
//
// Everything refers to everything else by index into the Instance's vectors,
// so an Instance can be copied, compared and serialised without pointer
// fix-ups. Names are kept for reports and export. Nothing here depends on
// where the data came from (FET, YAML, the generator).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edugov::timetable {

// The checks that judge the work plan's timetable norms (plan_norms.h). The
// policy pack's timetable_norms name each by the rule id its findings carry
// and give the clause it enforces; the code only knows how to judge it.
enum class NormCheck {
  kFirstLesson,      // tt.first_lesson: no lesson before the earliest start
  kBreaks,           // tt.breaks: every break at least the minimum
  kNoonRest,         // tt.noon_rest: lunch + rest at least the minimum
  kReservedPeriods,  // tt.reserved_periods: no lesson in 大课间 / eye-exercise slots
  kEyeExercises,     // tt.eye_exercises: eye-exercise slots reserved a day
  kLongBreak,        // tt.long_break: long breaks (大课间) reserved a day
  kPeWeekly,         // tt.pe_weekly: PE lessons a week, by grade band
  kCurriculum,       // tt.curriculum: every subject at its full weekly count
};
inline constexpr int kNumNormChecks = 8;
// The rule id of a check ("tt.pe_weekly"), and back; nullopt for an id no
// check has.
std::string_view NormCheckId(NormCheck check);
std::optional<NormCheck> NormCheckFromId(std::string_view id);

// A week is days x periods; slot = day * periods_per_day + period. Every day
// has the same periods (as in FET and in Chinese bell schedules).
struct Period {
  std::string name;
  // Clock times in minutes after midnight; -1 when unknown (FET files only
  // carry names). Plan norms about clock times (clause 25) need them.
  int start_minute = -1;
  int end_minute = -1;
};

enum class Stage { kUnknown, kPrimary, kJunior, kSenior };
std::string_view StageName(Stage stage);

enum class RoomKind { kOrdinary, kLab, kGym, kMusic, kComputer };
std::string_view RoomKindName(RoomKind kind);

struct Room {
  std::string name;
  RoomKind kind = RoomKind::kOrdinary;
  int capacity = 0;  // 0: unlimited / unknown
};

struct Teacher {
  std::string name;
};

struct Subject {
  std::string name;
  // A "main" subject (语文/数学/英语) that prefers morning periods.
  bool main = false;
};

// A named set of students: a class (FET year/group/subgroup, a Chinese 班级,
// or an elective teaching group). Clashes are decided on atomic subgroups:
// two activities clash when their students share a subgroup. A FET year with
// groups covers the subgroups of all its groups.
struct StudentSet {
  std::string name;
  int grade = 0;  // 1..12 when known, else 0
  Stage stage = Stage::kUnknown;
  int size = 0;   // number of students, 0 if unknown
  std::vector<int> subgroups;  // atomic subgroup indices, sorted, unique
};

// One lesson (or double lesson) to place: class-subject-teacher(s).
struct Activity {
  int id = 0;        // external id (FET Id); unique within the instance
  int group_id = 0;  // FET Activity_Group_Id: split parts of one weekly load
  int duration = 1;  // consecutive periods on one day, >= 1
  int subject = -1;  // index into Instance::subjects, -1 none
  std::vector<int> teachers;      // indices into Instance::teachers
  std::vector<int> student_sets;  // indices into Instance::student_sets
  std::vector<int> tags;          // indices into Instance::tags
  // Derived: union of the subgroups of student_sets, sorted unique. Filled
  // by FinalizeInstance().
  std::vector<int> subgroups;
  int num_students = 0;  // derived: students over its subgroups
};

// Constraint kinds, normalised: FET's many filters (by teacher, students,
// subject, tag) are resolved to explicit activity lists at import, so the
// checker and the solver only see these shapes.
enum class ConstraintType {
  // Listed activities must not overlap in time.
  kActivitiesNotOverlapping,
  // Listed activities start in the same slot.
  kActivitiesSameStartingTime,
  // Each listed activity starts at one of `slots`.
  kPreferredStartingTimes,
  // Every period occupied by each listed activity is in `slots`.
  kPreferredTimeSlots,
  // No listed activity occupies any of `slots` (not-available times, breaks).
  kNotAvailableTimes,
  // Listed activities lie on days at least `value` apart, pairwise; a pair on
  // one day counts once per missing day. With consecutive_if_same_day, a
  // same-day pair must also be adjacent (FET semantics).
  kMinDaysBetweenActivities,
  // activities[1] starts right after activities[0] ends, on the same day.
  kTwoActivitiesConsecutive,
  // No listed activity is followed, on its day, by another activity of any
  // of its subgroups (it ends the students' day).
  kActivitiesEndStudentsDay,
  // Each teacher in `teachers` teaches at most `value` periods a day
  // (counting only activities with tag `tag` if tag >= 0).
  kTeachersMaxHoursDaily,
  // ... at most `value` periods in a row.
  kTeachersMaxHoursContinuously,
  // Each listed student set has at most `value` periods a day (counting
  // only activities with tag `tag` if tag >= 0).
  kStudentsMaxHoursDaily,
  // ... at most `value` periods in a row.
  kStudentsMaxHoursContinuously,
  // Each teacher in `teachers` has at most `value` idle periods a day
  // between the first and last lesson.
  kTeachersMaxGapsPerDay,
  // Each listed activity is held in one of `rooms`.
  kPreferredRooms,
  // The listed activities (one class's lessons of one subject) add up to at
  // least `value` periods a week: the curriculum in full, no cutting (clause
  // 27), or the PE minimum (clause 26). Placement cannot fix it; it checks
  // that the instance itself honours the plan.
  kWeeklyPeriods,
  // --- FET types of the fet-data examples (issue 16). "Idle" periods below
  // are FET's gaps: free periods between a resource's first and last lesson
  // of a day that are neither break slots (BreakSlots) nor the resource's
  // own hard not-available periods.
  // Each teacher in `teachers`: idle periods over the week at most `value`;
  // each idle period over it is one violation.
  kTeachersMaxGapsPerWeek,
  // Each atomic subgroup of `student_sets`: idle periods over the week at
  // most `value`; one violation per idle period over it.
  kStudentsMaxGapsPerWeek,
  // ... idle periods a day at most `value`; one violation per period over.
  kStudentsMaxGapsPerDay,
  // Each teacher in `teachers`: on every day they teach, at least `value`
  // periods; one violation per short day (and per empty day unless
  // allow_empty_days).
  kTeachersMinHoursDaily,
  // The same for each atomic subgroup of `student_sets`.
  kStudentsMinHoursDaily,
  // Each teacher in `teachers` teaches on at most `value` days; one
  // violation per day over.
  kTeachersMaxDaysPerWeek,
  // Each atomic subgroup of `student_sets` starts every day at its first
  // available period (not a break, not not-available), except on at most
  // `value` days when it starts at the second: one violation per day over
  // `value`, and one per day that starts later than the second.
  kStudentsEarlyMaxBeginningsAtSecondHour,
  // No activity is held in a room of `rooms` during `slots`; one violation
  // per activity and occupied slot.
  kRoomNotAvailableTimes,
  // The 2 or 3 listed activities are on one day, back to back in some
  // order (breaks between allowed); one violation if not.
  kActivitiesGrouped,
  // The listed activities start on the same day; one violation per pair on
  // different days.
  kActivitiesSameStartingDay,
  // The listed activities together occupy at most `value` of `slots`; one
  // violation per occupied slot over it.
  kActivitiesOccupyMaxTimeSlotsFromSelection,
  // Each teacher in `teachers` has lessons in the periods
  // [interval_begin, interval_end) of at most `value` days; one violation
  // per day over.
  kTeachersIntervalMaxDaysPerWeek,
  // The same for each atomic subgroup of `student_sets`.
  kStudentsIntervalMaxDaysPerWeek,
  // Each teacher in `teachers` teaches on at least `value` days; one
  // violation per day short (a teacher with fewer lessons than `value` can
  // never meet it: FET refuses such a file, the solver names it).
  kTeachersMinDaysPerWeek,
  // Any two listed activities on one day have at least `value` periods
  // between the end of the earlier-starting one and the start of the other
  // (break periods count, as FET counts hours); each pair on one day costs
  // the periods it is short by (end + value - start, FET's count).
  kMinGapsBetweenActivities,
  // The listed activities start at the same period of the day (any day);
  // one violation per pair at different periods.
  kActivitiesSameStartingHour,
};
std::string_view ConstraintTypeName(ConstraintType type);

struct Constraint {
  ConstraintType type = ConstraintType::kActivitiesNotOverlapping;
  // FET weight percentage: 100 is hard; below 100 a soft constraint whose
  // violations cost `weight / 100` each (so soft costs stay comparable with
  // FET's conflict totals).
  double weight = 100.0;
  std::vector<int> activities;  // indices into Instance::activities
  std::vector<int> slots;
  std::vector<int> teachers;
  std::vector<int> student_sets;
  std::vector<int> rooms;
  int tag = -1;
  int value = 0;
  bool consecutive_if_same_day = false;
  // Min-hours-daily: a day without lessons is allowed (FET's
  // Allow_Empty_Days); when false an empty day is a violation too.
  bool allow_empty_days = true;
  // Interval-max-days: the periods [interval_begin, interval_end) of a day.
  int interval_begin = 0;
  int interval_end = 0;
  // Where it came from, for reports: "ConstraintMinDaysBetweenActivities
  // (line 40112)" or "plan norm: PE 4/week".
  std::string source;
  // The work-plan clause it enforces, as the policy pack numbers it; empty
  // if none. Shown in reports only: `norm` says what the constraint is.
  std::string clause;
  // The plan-norm check this constraint implements (kPeWeekly,
  // kCurriculum), if any: WithPlanNorms replaces the PE minimums by it.
  std::optional<NormCheck> norm;

  bool hard() const { return weight >= 100.0; }
};

// A school-level norm that constrains the bell schedule itself rather than
// where lessons go: checked by the checker on the Instance. A threshold of
// -1 / 0 judges nothing.
struct BellNorms {
  bool enabled = false;
  int first_lesson_not_before = -1;  // minutes after midnight
  int min_break_minutes = 0;         // between consecutive lessons
  int min_noon_minutes = 0;          // lunch + rest, between morning and afternoon
  int morning_periods = 0;           // periods before the noon break
  // Periods reserved every day (大课间, eye exercises): no lesson may use them.
  std::vector<int> fixed_periods;
  // The plan's clause each bell check reports its violations under (from
  // the policy pack through PlanNorms); empty if none.
  std::string first_lesson_clause;
  std::string break_clause;
  std::string noon_clause;
  std::string reserved_clause;
};

struct Instance {
  std::string name;
  std::vector<std::string> days;
  std::vector<Period> periods;  // per day
  std::vector<Teacher> teachers;
  std::vector<Subject> subjects;
  std::vector<std::string> tags;
  std::vector<Room> rooms;
  std::vector<StudentSet> student_sets;
  int num_subgroups = 0;
  std::vector<std::string> subgroup_names;  // size num_subgroups
  // Students per atomic subgroup (FET counts a mixed activity's students
  // as the sum over its subgroups). Empty: use the student sets' sizes.
  std::vector<int> subgroup_sizes;
  std::vector<Activity> activities;
  std::vector<Constraint> constraints;
  BellNorms bell;

  int periods_per_day() const { return static_cast<int>(periods.size()); }
  int num_slots() const { return static_cast<int>(days.size() * periods.size()); }
  // "Mon 3" style label of a slot, for reports.
  std::string SlotName(int slot) const;
};

// Per slot: 1 if no activity may be there at all — a hard not-available
// constraint that covers every activity (FET's break times) or a reserved
// bell period. FET treats two lessons separated only by such slots as
// consecutive, and so do we.
std::vector<char> BreakSlots(const Instance& inst);

// Fills derived fields (Activity::subgroups, num_students). Call after
// building or editing an Instance by hand.
void FinalizeInstance(Instance& inst);

// Where one activity is: its start slot and its room (-1: none needed or
// not placed). start == -1 means unplaced.
struct Placement {
  int start = -1;
  int room = -1;
};

struct Solution {
  std::vector<Placement> placements;  // parallel to Instance::activities
};

}  // namespace edugov::timetable
