// The shipped pack's timetable norms (policy/anhua-2025.yaml,
// timetable_norms) for the unit tests that do not link the pack parser.
// pack_norms_test checks that NormsFromPack of the shipped pack gives
// exactly these, so they cannot drift from the pack.
#pragma once

#include "timetable/generator.h"

namespace edugov::timetable::testing {

inline PlanNorms AnhuaNorms() {
  PlanNorms n;
  n.first_lesson_primary = 8 * 60 + 20;
  n.first_lesson_junior = 8 * 60;
  n.min_break_minutes = 15;
  n.min_noon_minutes = 90;
  n.pe_grades_1_2 = 4;
  n.pe_grades_3_6 = 3;
  n.pe_junior = 3;
  n.pe_senior = 2;
  n.eye_exercises_per_day = 2;
  n.long_breaks_per_day = 1;
  auto set = [&](NormCheck c, const char* clause) { n.clauses[static_cast<int>(c)] = clause; };
  set(NormCheck::kFirstLesson, "25");
  set(NormCheck::kBreaks, "25");
  set(NormCheck::kNoonRest, "25");
  set(NormCheck::kPeWeekly, "26");
  set(NormCheck::kEyeExercises, "26");
  set(NormCheck::kLongBreak, "26");
  set(NormCheck::kReservedPeriods, "26");
  set(NormCheck::kCurriculum, "27");
  return n;
}

}  // namespace edugov::timetable::testing
