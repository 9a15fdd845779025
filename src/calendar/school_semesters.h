// Semesters (学期) of a school year, declared by a policy pack or — for the
// years its declaration does not reach — computed PROVISIONALLY (暂定) by a
// documented rule, the way working_calendar.h answers a year without a State
// Council notice. A pack that opts in (`semesters: {declared: […],
// provisional: hunan}`, docs/policy-format.md "Semesters") keeps its declared
// semesters authoritative and gets the provisional ones after the last of
// them, so school days exist on any date the calendar answers.
//
//   std::vector<SchoolSemester> all = WithProvisionalSemesters(declared, ProvisionalRule::kHunan);
//   HunanAutumn(2026);  // 2026-autumn: 2026-09-01 .. 2027-01-22, provisional
//
// The Hunan rule (reproduces the Anhua pack's declared 2025-spring
// 2025-02-17..07-05 and 2025-autumn 2025-09-01..2026-01-23):
//   autumn of year Y: from 1 September (a weekend start changes nothing: a
//     weekend is no school day, so school begins the Monday after) to the
//     earlier of the Friday in 20–26 January of Y+1 and the Friday ten days
//     before the Monday of the week holding Spring Festival (春节) of Y+1 — so
//     winter holidays start 3–4 weeks before a late Spring Festival and about
//     two weeks before an early one;
//   spring of year Y: from the earlier of the Monday three weeks after the
//     Monday of Spring Festival's week and the first Monday of March, to the
//     first Saturday of July.
// Spring Festival is computed (lunisolar.h), never tabulated.
#pragma once

#include <string>
#include <vector>

#include "common/date.h"

namespace edugov::calendar {

struct SchoolSemester {
  std::string name;  // "2026-autumn", "2027-spring"
  Date from, to;     // inclusive
  bool provisional = false;
};

enum class ProvisionalRule { kNone, kHunan };

// "hunan" → kHunan, "none" → kNone (true); false for anything else.
bool ParseProvisionalRule(const std::string& text, ProvisionalRule* out);

// The rule's semesters of the school year starting in `year` (2025..2098).
SchoolSemester HunanAutumn(int year);
SchoolSemester HunanSpring(int year);

// `declared` (sorted by `from`, non-overlapping) followed, under kHunan, by
// the provisional semesters that start after the last declared one ends and
// whose dates the provisional China calendar answers (through
// kLastProvisionalYear); nothing is added before the declared ones or when
// `declared` is empty (the rule continues a pack's own calendar).
std::vector<SchoolSemester> WithProvisionalSemesters(std::vector<SchoolSemester> declared, ProvisionalRule rule);

}  // namespace edugov::calendar
