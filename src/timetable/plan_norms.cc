#include "timetable/plan_norms.h"

#include <algorithm>
#include <climits>
#include <map>
#include <set>

namespace edugov::timetable {

namespace {

constexpr const char* kNumerals[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九"};

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The number just before the last "班", or 0.
int NumberBefore(const std::string& name, const std::string& marker) {
  size_t at = name.rfind(marker);
  if (at == std::string::npos) return 0;
  size_t b = at;
  while (b > 0 && name[b - 1] >= '0' && name[b - 1] <= '9') --b;
  if (b == at || at - b > 3) return 0;
  return std::stoi(name.substr(b, at - b));
}

bool IsPe(const Instance& in, const Activity& a, const PlanNorms& norms) {
  if (a.subject < 0) return false;
  const std::string& n = in.subjects[a.subject].name;
  return n == norms.pe_subject || n == "体育" || n == "体育与健康" || n == "PE" || n == "Physical Education";
}

bool Shares(const std::vector<int>& a, const std::vector<int>& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i == *j) return true;
    if (*i < *j) ++i;
    else ++j;
  }
  return false;
}

// Stage of a grade: 1–6 primary, 7–9 junior, 10–12 senior.
Stage StageOf(int grade) {
  return grade <= 0 ? Stage::kUnknown : grade <= 6 ? Stage::kPrimary : grade <= 9 ? Stage::kJunior : Stage::kSenior;
}

int PeMinimum(int grade, const PlanNorms& norms, std::string* parameter) {
  if (grade <= 2) {
    *parameter = "pe_grades_1_2";
    return norms.pe_grades_1_2;
  }
  if (grade <= 6) {
    *parameter = "pe_grades_3_6";
    return norms.pe_grades_3_6;
  }
  if (grade <= 9) {
    *parameter = "pe_junior";
    return norms.pe_junior;
  }
  *parameter = "pe_senior";
  return norms.pe_senior;
}

bool Fixed(const BellNorms& b, int p) {
  return std::find(b.fixed_periods.begin(), b.fixed_periods.end(), p) != b.fixed_periods.end();
}

}  // namespace

int ClassGrade(const StudentSet& set) {
  if (set.grade > 0) return set.grade;
  const std::string& n = set.name;
  // "7年级…", "12年级…"
  size_t at = n.find("年级");
  if (at != std::string::npos && at > 0 && at <= 2) {
    bool digits = std::all_of(n.begin(), n.begin() + at, [](char c) { return c >= '0' && c <= '9'; });
    if (digits) {
      int g = std::stoi(n.substr(0, at));
      return g >= 1 && g <= 12 ? g : 0;
    }
  }
  for (int g = 1; g <= 9; ++g) {
    if (n.rfind(std::string(kNumerals[g - 1]) + "年级", 0) == 0) return g;
  }
  for (int g = 1; g <= 3; ++g) {
    if (n.rfind(std::string("初") + kNumerals[g - 1], 0) == 0) return 6 + g;
    if (n.rfind(std::string("高") + kNumerals[g - 1], 0) == 0) return 9 + g;
  }
  return 0;
}

int ClassNumber(const std::string& name) { return NumberBefore(name, "班"); }

bool IsClass(const StudentSet& set) {
  return ClassGrade(set) > 0 && EndsWith(set.name, "班") && set.name.find("走班") == std::string::npos;
}

Instance WithPlanNorms(const Instance& in, const PlanNorms& norms, Stage stage) {
  Instance out = in;
  // PE: today's minimum per class, over its PE lessons, replacing any the
  // instance was built with.
  out.constraints.erase(std::remove_if(out.constraints.begin(), out.constraints.end(),
                                       [](const Constraint& k) {
                                         return k.type == ConstraintType::kWeeklyPeriods &&
                                                k.norm == NormCheck::kPeWeekly;
                                       }),
                        out.constraints.end());
  const bool first_lesson = norms.Judges(NormCheck::kFirstLesson);
  int earliest = INT_MAX;  // the most permissive first-lesson norm over the classes
  bool any_stage = false;
  for (int s = 0; s < static_cast<int>(out.student_sets.size()); ++s) {
    const StudentSet& set = out.student_sets[s];
    if (!IsClass(set)) continue;
    const int grade = ClassGrade(set);
    if (norms.Judges(NormCheck::kPeWeekly)) {
      Constraint pe;
      pe.type = ConstraintType::kWeeklyPeriods;
      pe.clause = norms.Clause(NormCheck::kPeWeekly);
      pe.norm = NormCheck::kPeWeekly;
      pe.student_sets = {s};
      for (int a = 0; a < static_cast<int>(out.activities.size()); ++a) {
        const Activity& act = out.activities[a];
        if (IsPe(out, act, norms) && Shares(act.subgroups, set.subgroups)) pe.activities.push_back(a);
      }
      std::string parameter;
      pe.value = PeMinimum(grade, norms, &parameter);
      pe.source = "plan norm: " + set.name + " PE >= " + std::to_string(pe.value) + "/week (" + parameter + ")";
      out.constraints.push_back(std::move(pe));
    }
    const Stage st = StageOf(grade);
    if (st == Stage::kPrimary) earliest = std::min(earliest, norms.first_lesson_primary), any_stage = true;
    if (st == Stage::kJunior) earliest = std::min(earliest, norms.first_lesson_junior), any_stage = true;
  }
  if (!any_stage && stage == Stage::kPrimary) earliest = norms.first_lesson_primary, any_stage = true;
  if (!any_stage && stage == Stage::kJunior) earliest = norms.first_lesson_junior, any_stage = true;
  // The bell norms: only a bell schedule with clock times can be judged.
  const bool timed = !out.periods.empty() && std::all_of(out.periods.begin(), out.periods.end(), [](const Period& p) {
    return p.start_minute >= 0 && p.end_minute >= 0;
  });
  if (timed) {
    BellNorms& b = out.bell;
    b.enabled = true;
    b.first_lesson_not_before = first_lesson && any_stage ? earliest : -1;
    b.min_break_minutes = norms.Judges(NormCheck::kBreaks) ? norms.min_break_minutes : 0;
    b.min_noon_minutes = norms.Judges(NormCheck::kNoonRest) ? norms.min_noon_minutes : 0;
    b.first_lesson_clause = norms.Clause(NormCheck::kFirstLesson);
    b.break_clause = norms.Clause(NormCheck::kBreaks);
    b.noon_clause = norms.Clause(NormCheck::kNoonRest);
    b.reserved_clause = norms.Clause(NormCheck::kReservedPeriods);
    if (b.morning_periods <= 0) {
      int best_gap = -1;
      int prev = -1;
      for (int p = 0; p < out.periods_per_day(); ++p) {
        if (Fixed(b, p)) continue;
        if (prev >= 0) {
          const int gap = out.periods[p].start_minute - out.periods[prev].end_minute;
          if (gap > best_gap) best_gap = gap, b.morning_periods = p;
        }
        prev = p;
      }
    }
  }
  return out;
}

std::vector<NormFinding> PlanNormFindings(const Instance& normed, const Solution& sol, const CheckReport& rep,
                                          const PlanNorms& norms) {
  // (rule, class) → finding; std::map keeps the order deterministic.
  std::map<std::pair<std::string, int>, NormFinding> out;
  auto slot_of = [&](int a) {
    return a >= 0 && a < static_cast<int>(sol.placements.size()) ? sol.placements[a].start : -1;
  };
  auto classes_of = [&](int a) {
    std::vector<int> cls;
    for (int s = 0; s < static_cast<int>(normed.student_sets.size()); ++s)
      if (IsClass(normed.student_sets[s]) && Shares(normed.activities[a].subgroups, normed.student_sets[s].subgroups))
        cls.push_back(s);
    return cls;
  };
  // Only checks the norms declare report; each under the pack's clause.
  NormFinding ignored;
  auto entry = [&](NormCheck check, int set, const std::string& cmp, double threshold, const std::string& parameter,
                   double measured) -> NormFinding& {
    if (!norms.Judges(check)) return ignored = NormFinding{};
    const std::string rule(NormCheckId(check));
    auto [it, fresh] = out.try_emplace({rule, set});
    NormFinding& f = it->second;
    if (fresh) {
      f.rule_id = rule;
      f.clause = norms.Clause(check);
      f.student_set = set;
      f.comparison = cmp;
      f.threshold = threshold;
      f.parameter = parameter;
      f.measured = measured;
    }
    return f;
  };
  const BellNorms& b = normed.bell;
  const std::string first_param =
      b.first_lesson_not_before == norms.first_lesson_primary ? "first_lesson_primary" : "first_lesson_junior";

  for (const Violation& v : rep.violations) {
    const std::string detail = v.what + (v.where.empty() ? "" : " @ " + v.where);
    if (v.type == "FirstLessonTooEarly" && v.activity >= 0) {
      const int start = slot_of(v.activity);
      const int minute = start >= 0 ? normed.periods[start % normed.periods_per_day()].start_minute : -1;
      for (int s : classes_of(v.activity)) {
        NormFinding& f = entry(NormCheck::kFirstLesson, s, ">=", b.first_lesson_not_before, first_param, minute);
        f.measured = std::min(f.measured, static_cast<double>(minute));
        f.details.push_back(detail);
        if (start >= 0) f.slots.push_back(start);
      }
    } else if (v.type == "FixedSlotUsed" && v.activity >= 0) {
      for (int s : classes_of(v.activity)) {
        NormFinding& f = entry(NormCheck::kReservedPeriods, s, "<=", 0, "", 0);
        f.measured += 1;
        f.details.push_back(detail);
        if (slot_of(v.activity) >= 0) f.slots.push_back(slot_of(v.activity));
      }
    } else if (v.type == "BreakTooShort" || v.type == "NoonBreakTooShort") {
      const bool noon = v.type == "NoonBreakTooShort";
      // The shortest such gap is the measured value; the checker names each pair.
      int shortest = INT_MAX;
      int prev = -1;
      for (int p = 0; p < normed.periods_per_day(); ++p) {
        if (Fixed(b, p)) continue;
        if (prev >= 0) {
          const bool is_noon = b.morning_periods > 0 && prev < b.morning_periods && p >= b.morning_periods;
          if (is_noon == noon) shortest = std::min(shortest, normed.periods[p].start_minute - normed.periods[prev].end_minute);
        }
        prev = p;
      }
      NormFinding& f = entry(noon ? NormCheck::kNoonRest : NormCheck::kBreaks, -1, ">=",
                             noon ? b.min_noon_minutes : b.min_break_minutes,
                             noon ? "min_noon_minutes" : "min_break_minutes", shortest);
      f.details.push_back(detail);
    } else if (v.constraint >= 0 && normed.constraints[v.constraint].type == ConstraintType::kWeeklyPeriods &&
               normed.constraints[v.constraint].norm) {
      const Constraint& k = normed.constraints[v.constraint];
      int total = 0;
      for (int a : k.activities) total += normed.activities[a].duration;
      if (*k.norm == NormCheck::kPeWeekly) {
        const int s = k.student_sets.empty() ? -1 : k.student_sets[0];
        std::string parameter;
        if (s >= 0) PeMinimum(ClassGrade(normed.student_sets[s]), norms, &parameter);
        NormFinding& f = entry(NormCheck::kPeWeekly, s, ">=", k.value, parameter, total);
        f.details.push_back(detail);
        for (int a : k.activities)
          if (slot_of(a) >= 0) f.slots.push_back(slot_of(a));
      } else if (*k.norm == NormCheck::kCurriculum) {
        std::set<int> cls;
        for (int a : k.activities)
          for (int s : classes_of(a)) cls.insert(s);
        if (cls.empty()) cls.insert(-1);
        for (int s : cls) {
          NormFinding& f = entry(NormCheck::kCurriculum, s, "<=", 0, "", 0);
          f.measured += k.value - total;  // lessons cut
          f.details.push_back(detail);
        }
      }
    }
  }
  // The reserved daily slots: a timed bell schedule (the one the bell norms
  // judge) must reserve the eye exercises and the long break.
  // Counted from the bell schedule itself — no lesson placement matters.
  if (b.enabled) {
    int eye = 0, long_break = 0;
    std::vector<std::string> names;
    for (int p : b.fixed_periods) {
      if (p < 0 || p >= normed.periods_per_day()) continue;
      const std::string& n = normed.periods[p].name;
      if (n.find("眼保健操") != std::string::npos) ++eye;
      if (n.find("大课间") != std::string::npos) ++long_break;
    }
    auto reserved = [&](NormCheck check, int have, int need, const char* parameter, const char* what) {
      if (!norms.Judges(check) || have >= need) return;
      NormFinding& f = entry(check, -1, ">=", need, parameter, have);
      f.details.push_back("the bell schedule reserves " + std::to_string(have) + " " + what + " period(s) a day; " +
                          std::to_string(need) + " required");
    };
    reserved(NormCheck::kEyeExercises, eye, norms.eye_exercises_per_day, "eye_exercises_per_day", "眼保健操");
    reserved(NormCheck::kLongBreak, long_break, norms.long_breaks_per_day, "long_breaks_per_day", "大课间");
  }

  std::vector<NormFinding> list;
  for (auto& [key, f] : out) {
    std::sort(f.slots.begin(), f.slots.end());
    f.slots.erase(std::unique(f.slots.begin(), f.slots.end()), f.slots.end());
    list.push_back(std::move(f));
  }
  return list;
}

}  // namespace edugov::timetable
