#include "timetable/model.h"

#include <algorithm>

namespace edugov::timetable {

std::string_view StageName(Stage stage) {
  switch (stage) {
    case Stage::kPrimary: return "primary";
    case Stage::kJunior: return "junior";
    case Stage::kSenior: return "senior";
    case Stage::kUnknown: break;
  }
  return "unknown";
}

std::string_view RoomKindName(RoomKind kind) {
  switch (kind) {
    case RoomKind::kOrdinary: return "ordinary";
    case RoomKind::kLab: return "lab";
    case RoomKind::kGym: return "gym";
    case RoomKind::kMusic: return "music";
    case RoomKind::kComputer: return "computer";
  }
  return "ordinary";
}

namespace {
constexpr std::string_view kNormCheckIds[kNumNormChecks] = {
    "tt.first_lesson",   "tt.breaks",   "tt.noon_rest",  "tt.reserved_periods",
    "tt.eye_exercises",  "tt.long_break", "tt.pe_weekly", "tt.curriculum"};
}  // namespace

std::string_view NormCheckId(NormCheck check) { return kNormCheckIds[static_cast<int>(check)]; }

std::optional<NormCheck> NormCheckFromId(std::string_view id) {
  for (int i = 0; i < kNumNormChecks; ++i)
    if (kNormCheckIds[i] == id) return static_cast<NormCheck>(i);
  return std::nullopt;
}

std::string_view ConstraintTypeName(ConstraintType type) {
  switch (type) {
    case ConstraintType::kActivitiesNotOverlapping: return "ActivitiesNotOverlapping";
    case ConstraintType::kActivitiesSameStartingTime: return "ActivitiesSameStartingTime";
    case ConstraintType::kPreferredStartingTimes: return "PreferredStartingTimes";
    case ConstraintType::kPreferredTimeSlots: return "PreferredTimeSlots";
    case ConstraintType::kNotAvailableTimes: return "NotAvailableTimes";
    case ConstraintType::kMinDaysBetweenActivities: return "MinDaysBetweenActivities";
    case ConstraintType::kTwoActivitiesConsecutive: return "TwoActivitiesConsecutive";
    case ConstraintType::kActivitiesEndStudentsDay: return "ActivitiesEndStudentsDay";
    case ConstraintType::kTeachersMaxHoursDaily: return "TeachersMaxHoursDaily";
    case ConstraintType::kTeachersMaxHoursContinuously: return "TeachersMaxHoursContinuously";
    case ConstraintType::kStudentsMaxHoursDaily: return "StudentsMaxHoursDaily";
    case ConstraintType::kStudentsMaxHoursContinuously: return "StudentsMaxHoursContinuously";
    case ConstraintType::kTeachersMaxGapsPerDay: return "TeachersMaxGapsPerDay";
    case ConstraintType::kPreferredRooms: return "PreferredRooms";
    case ConstraintType::kWeeklyPeriods: return "WeeklyPeriods";
    case ConstraintType::kTeachersMaxGapsPerWeek: return "TeachersMaxGapsPerWeek";
    case ConstraintType::kStudentsMaxGapsPerWeek: return "StudentsMaxGapsPerWeek";
    case ConstraintType::kStudentsMaxGapsPerDay: return "StudentsMaxGapsPerDay";
    case ConstraintType::kTeachersMinHoursDaily: return "TeachersMinHoursDaily";
    case ConstraintType::kStudentsMinHoursDaily: return "StudentsMinHoursDaily";
    case ConstraintType::kTeachersMaxDaysPerWeek: return "TeachersMaxDaysPerWeek";
    case ConstraintType::kStudentsEarlyMaxBeginningsAtSecondHour: return "StudentsEarlyMaxBeginningsAtSecondHour";
    case ConstraintType::kRoomNotAvailableTimes: return "RoomNotAvailableTimes";
    case ConstraintType::kActivitiesGrouped: return "ActivitiesGrouped";
    case ConstraintType::kActivitiesSameStartingDay: return "ActivitiesSameStartingDay";
    case ConstraintType::kActivitiesOccupyMaxTimeSlotsFromSelection: return "ActivitiesOccupyMaxTimeSlotsFromSelection";
    case ConstraintType::kTeachersIntervalMaxDaysPerWeek: return "TeachersIntervalMaxDaysPerWeek";
    case ConstraintType::kStudentsIntervalMaxDaysPerWeek: return "StudentsIntervalMaxDaysPerWeek";
    case ConstraintType::kTeachersMinDaysPerWeek: return "TeachersMinDaysPerWeek";
    case ConstraintType::kMinGapsBetweenActivities: return "MinGapsBetweenActivities";
    case ConstraintType::kActivitiesSameStartingHour: return "ActivitiesSameStartingHour";
  }
  return "?";
}

std::string Instance::SlotName(int slot) const {
  const int ppd = periods_per_day();
  if (slot < 0 || ppd == 0 || slot >= num_slots()) return "slot " + std::to_string(slot);
  return days[slot / ppd] + " " + periods[slot % ppd].name;
}

std::vector<char> BreakSlots(const Instance& inst) {
  std::vector<char> brk(inst.num_slots(), 0);
  for (const Constraint& k : inst.constraints)
    if (k.type == ConstraintType::kNotAvailableTimes && k.hard() && !inst.activities.empty() &&
        k.activities.size() == inst.activities.size())
      for (int s : k.slots)
        if (s >= 0 && s < inst.num_slots()) brk[s] = 1;
  if (inst.bell.enabled)
    for (int p : inst.bell.fixed_periods)
      for (size_t d = 0; d < inst.days.size(); ++d) brk[d * inst.periods.size() + p] = 1;
  return brk;
}

void FinalizeInstance(Instance& inst) {
  for (Activity& a : inst.activities) {
    a.subgroups.clear();
    a.num_students = 0;
    for (int s : a.student_sets) {
      const StudentSet& set = inst.student_sets[s];
      a.subgroups.insert(a.subgroups.end(), set.subgroups.begin(), set.subgroups.end());
      a.num_students += set.size;
    }
    std::sort(a.subgroups.begin(), a.subgroups.end());
    a.subgroups.erase(std::unique(a.subgroups.begin(), a.subgroups.end()), a.subgroups.end());
    if (inst.subgroup_sizes.size() == static_cast<size_t>(inst.num_subgroups)) {
      a.num_students = 0;
      for (int g : a.subgroups) a.num_students += inst.subgroup_sizes[g];
    }
  }
}

}  // namespace edugov::timetable
