#include "timetable/checker.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

namespace edugov::timetable {
namespace {

// Deliberately straightforward (maps, full recomputation): the checker's job
// is to be obviously right, not fast; the solver has its own incremental
// evaluation.
class Checker {
 public:
  Checker(const Instance& inst, const Solution& sol) : in_(inst), sol_(sol) {
    ppd_ = inst.periods_per_day();
    breaks_ = BreakSlots(inst);
  }

  CheckReport Run() {
    CheckPlacements();
    CheckClashes();
    for (int c = 0; c < static_cast<int>(in_.constraints.size()); ++c) CheckConstraint(c);
    CheckBell();
    return std::move(rep_);
  }

 private:
  bool Placed(int a) const {
    if (a >= static_cast<int>(sol_.placements.size())) return false;
    int s = sol_.placements[a].start;
    return s >= 0 && s < in_.num_slots() && s % ppd_ + in_.activities[a].duration <= ppd_;
  }
  int Start(int a) const { return sol_.placements[a].start; }
  int Day(int a) const { return Start(a) / ppd_; }
  int Per(int a) const { return Start(a) % ppd_; }
  int End(int a) const { return Start(a) + in_.activities[a].duration; }  // exclusive
  // b starts right after a ends on the same day, break slots in between allowed.
  bool Follows(int a, int b) const {
    if (Day(a) != Day(b) || Start(b) < End(a)) return false;
    for (int s = End(a); s < Start(b); ++s)
      if (!breaks_[s]) return false;
    return true;
  }
  std::string Act(int a) const { return "activity " + std::to_string(in_.activities[a].id); }

  void Add(int constraint, std::string type, std::string what, std::string where,
           double count = 1.0, std::string clause = {}) {
    Violation v;
    v.constraint = constraint;
    v.type = std::move(type);
    v.what = std::move(what);
    v.where = std::move(where);
    if (constraint >= 0) {
      const Constraint& k = in_.constraints[constraint];
      v.hard = k.hard();
      v.cost = v.hard ? count : count * k.weight / 100.0;
      v.clause = clause.empty() ? k.clause : clause;
      if (!k.source.empty()) v.what += " [" + k.source + "]";
    } else {
      v.cost = count;
      v.clause = std::move(clause);
    }
    if (v.hard) rep_.hard_violations += static_cast<int>(count);
    else rep_.soft_cost += v.cost;
    rep_.violations.push_back(std::move(v));
  }

  void CheckPlacements() {
    for (int a = 0; a < static_cast<int>(in_.activities.size()); ++a) {
      if (!Placed(a)) {
        Add(-1, "Unplaced", Act(a) + " has no valid start (unplaced or runs past the day's end)", "");
        continue;
      }
      int r = sol_.placements[a].room;
      if (r >= static_cast<int>(in_.rooms.size())) {
        Add(-1, "BadRoom", Act(a) + " refers to room #" + std::to_string(r), "");
      } else if (r >= 0 && in_.rooms[r].capacity > 0 &&
                 in_.activities[a].num_students > in_.rooms[r].capacity) {
        Add(-1, "RoomCapacity",
            Act(a) + " has " + std::to_string(in_.activities[a].num_students) +
                " students, room holds " + std::to_string(in_.rooms[r].capacity),
            in_.rooms[r].name);
      }
    }
  }

  void CheckClashes() {
    std::map<std::pair<int, int>, int> teacher, subgroup, room;
    for (int a = 0; a < static_cast<int>(in_.activities.size()); ++a) {
      if (!Placed(a)) continue;
      const Activity& act = in_.activities[a];
      int r = sol_.placements[a].room;
      for (int s = Start(a); s < End(a); ++s) {
        for (int t : act.teachers) ++teacher[{t, s}];
        for (int g : act.subgroups) ++subgroup[{g, s}];
        if (r >= 0 && r < static_cast<int>(in_.rooms.size())) ++room[{r, s}];
      }
    }
    for (const auto& [key, n] : teacher)
      if (n > 1) Add(-1, "TeacherClash", "teacher " + in_.teachers[key.first].name + " has " +
                     std::to_string(n) + " activities at once", in_.SlotName(key.second), n - 1);
    for (const auto& [key, n] : subgroup)
      if (n > 1) Add(-1, "StudentsClash", "students " + in_.subgroup_names[key.first] + " have " +
                     std::to_string(n) + " activities at once", in_.SlotName(key.second), n - 1);
    for (const auto& [key, n] : room)
      if (n > 1) Add(-1, "RoomClash", "room " + in_.rooms[key.first].name + " holds " +
                     std::to_string(n) + " activities at once", in_.SlotName(key.second), n - 1);
  }

  // Occupied periods of one day for a resource, as a bitmap.
  std::vector<int> DayProfile(const std::vector<int>& acts, int day) const {
    std::vector<int> used(ppd_, 0);
    for (int a : acts) {
      if (!Placed(a) || Day(a) != day) continue;
      for (int p = Per(a); p < Per(a) + in_.activities[a].duration; ++p) used[p] = 1;
    }
    return used;
  }
  static int MaxRun(const std::vector<int>& used, int limit, int* over) {
    int run = 0, best = 0;
    *over = 0;
    for (size_t p = 0; p <= used.size(); ++p) {
      if (p < used.size() && used[p]) { ++run; continue; }
      if (run > limit) ++*over;
      best = std::max(best, run);
      run = 0;
    }
    return best;
  }

  void CheckConstraint(int c) {
    const Constraint& k = in_.constraints[c];
    const std::string type(ConstraintTypeName(k.type));
    const int ndays = static_cast<int>(in_.days.size());
    auto placed = [&](std::vector<int> v) {
      v.erase(std::remove_if(v.begin(), v.end(), [&](int a) { return !Placed(a); }), v.end());
      return v;
    };
    auto in_set = [](const std::vector<int>& v, int x) {
      return std::find(v.begin(), v.end(), x) != v.end();
    };
    const std::vector<int> acts = placed(k.activities);
    switch (k.type) {
      case ConstraintType::kActivitiesNotOverlapping:
        for (size_t i = 0; i < acts.size(); ++i)
          for (size_t j = i + 1; j < acts.size(); ++j)
            if (Start(acts[i]) < End(acts[j]) && Start(acts[j]) < End(acts[i]))
              Add(c, type, Act(acts[i]) + " overlaps " + Act(acts[j]), in_.SlotName(Start(acts[i])));
        break;
      case ConstraintType::kActivitiesSameStartingTime:
        for (size_t i = 1; i < acts.size(); ++i)
          if (Start(acts[i]) != Start(acts[0]))
            Add(c, type, Act(acts[i]) + " does not start with " + Act(acts[0]),
                in_.SlotName(Start(acts[i])));
        break;
      case ConstraintType::kPreferredStartingTimes:
        for (int a : acts)
          if (!in_set(k.slots, Start(a)))
            Add(c, type, Act(a) + " starts outside its allowed starting times", in_.SlotName(Start(a)));
        break;
      case ConstraintType::kPreferredTimeSlots:
        for (int a : acts)
          for (int s = Start(a); s < End(a); ++s)
            if (!in_set(k.slots, s)) {
              Add(c, type, Act(a) + " occupies a slot outside its allowed slots", in_.SlotName(s));
              break;
            }
        break;
      case ConstraintType::kNotAvailableTimes:
        for (int a : acts)
          for (int s = Start(a); s < End(a); ++s)
            if (in_set(k.slots, s)) Add(c, type, Act(a) + " is in a not-available slot", in_.SlotName(s));
        break;
      case ConstraintType::kMinDaysBetweenActivities:
        for (size_t i = 0; i < acts.size(); ++i)
          for (size_t j = i + 1; j < acts.size(); ++j) {
            int a = acts[i], b = acts[j];
            if (std::abs(Day(a) - Day(b)) >= k.value) continue;
            Add(c, type, Act(a) + " and " + Act(b) + " are fewer than " + std::to_string(k.value) +
                             " days apart", in_.days[Day(a)] + "/" + in_.days[Day(b)]);
            if (k.consecutive_if_same_day && Day(a) == Day(b) && !Follows(a, b) && !Follows(b, a))
              Add(c, type, Act(a) + " and " + Act(b) + " share a day but are not consecutive",
                  in_.days[Day(a)]);
          }
        break;
      case ConstraintType::kTwoActivitiesConsecutive:
        if (acts.size() == 2 && !Follows(acts[0], acts[1]))
          Add(c, type, Act(acts[1]) + " does not follow " + Act(acts[0]) + " directly",
              in_.SlotName(Start(acts[0])));
        break;
      case ConstraintType::kActivitiesEndStudentsDay:
        for (int a : acts) {
          const auto& ga = in_.activities[a].subgroups;
          for (int b = 0; b < static_cast<int>(in_.activities.size()); ++b) {
            if (b == a || !Placed(b) || Day(b) != Day(a) || Start(b) < End(a)) continue;
            const auto& gb = in_.activities[b].subgroups;
            std::vector<int> common;
            std::set_intersection(ga.begin(), ga.end(), gb.begin(), gb.end(), std::back_inserter(common));
            if (!common.empty()) {
              Add(c, type, Act(a) + " is followed by " + Act(b) + " for the same students",
                  in_.SlotName(Start(b)));
              break;
            }
          }
        }
        break;
      case ConstraintType::kTeachersMaxHoursDaily:
      case ConstraintType::kTeachersMaxHoursContinuously:
      case ConstraintType::kTeachersMaxGapsPerDay:
        for (int t : k.teachers) {
          std::vector<int> mine;
          for (int a = 0; a < static_cast<int>(in_.activities.size()); ++a) {
            const Activity& act = in_.activities[a];
            if (!in_set(act.teachers, t) || (k.tag >= 0 && !in_set(act.tags, k.tag))) continue;
            mine.push_back(a);
          }
          for (int d = 0; d < ndays; ++d) CheckProfile(c, type, "teacher " + in_.teachers[t].name,
                                                      DayProfile(mine, d), d);
        }
        break;
      case ConstraintType::kStudentsMaxHoursDaily:
      case ConstraintType::kStudentsMaxHoursContinuously:
        for (int g : Atoms(k)) {
            std::vector<int> mine;
            for (int a = 0; a < static_cast<int>(in_.activities.size()); ++a)
              if (std::binary_search(in_.activities[a].subgroups.begin(),
                                     in_.activities[a].subgroups.end(), g) &&
                  (k.tag < 0 || in_set(in_.activities[a].tags, k.tag)))
                mine.push_back(a);
            for (int d = 0; d < ndays; ++d)
              CheckProfile(c, type, "students " + in_.subgroup_names[g], DayProfile(mine, d), d);
          }
        break;
      case ConstraintType::kPreferredRooms:
        for (int a : acts)
          if (!in_set(k.rooms, sol_.placements[a].room))
            Add(c, type, Act(a) + " is not in one of its required rooms",
                sol_.placements[a].room >= 0 ? in_.rooms[sol_.placements[a].room].name : "no room");
        break;
      case ConstraintType::kTeachersMaxGapsPerWeek:
      case ConstraintType::kTeachersMinHoursDaily:
      case ConstraintType::kTeachersMaxDaysPerWeek:
      case ConstraintType::kTeachersIntervalMaxDaysPerWeek:
      case ConstraintType::kTeachersMinDaysPerWeek:
        for (int t : k.teachers) {
          std::vector<int> mine;
          for (int a = 0; a < static_cast<int>(in_.activities.size()); ++a)
            if (in_set(in_.activities[a].teachers, t)) mine.push_back(a);
          CheckWeek(c, type, "teacher " + in_.teachers[t].name, mine, IgnoredFor(t, -1));
        }
        break;
      case ConstraintType::kStudentsMaxGapsPerWeek:
      case ConstraintType::kStudentsMaxGapsPerDay:
      case ConstraintType::kStudentsMinHoursDaily:
      case ConstraintType::kStudentsEarlyMaxBeginningsAtSecondHour:
      case ConstraintType::kStudentsIntervalMaxDaysPerWeek:
        for (int g : Atoms(k)) {
          std::vector<int> mine;
          for (int a = 0; a < static_cast<int>(in_.activities.size()); ++a)
            if (std::binary_search(in_.activities[a].subgroups.begin(), in_.activities[a].subgroups.end(), g))
              mine.push_back(a);
          CheckWeek(c, type, "students " + in_.subgroup_names[g], mine, IgnoredFor(-1, g));
        }
        break;
      case ConstraintType::kRoomNotAvailableTimes:
        for (int a = 0; a < static_cast<int>(in_.activities.size()); ++a) {
          if (!Placed(a) || !in_set(k.rooms, sol_.placements[a].room)) continue;
          for (int s = Start(a); s < End(a); ++s)
            if (in_set(k.slots, s))
              Add(c, type, Act(a) + " is in room " + in_.rooms[sol_.placements[a].room].name +
                               " while it is not available", in_.SlotName(s));
        }
        break;
      case ConstraintType::kActivitiesGrouped: {
        if (acts.size() != k.activities.size()) break;  // an unplaced one is reported already
        std::vector<int> order = acts;
        std::sort(order.begin(), order.end());
        bool grouped = false;
        do {
          bool ok = true;
          for (size_t i = 0; i + 1 < order.size(); ++i) ok = ok && Follows(order[i], order[i + 1]);
          grouped = grouped || ok;
        } while (!grouped && std::next_permutation(order.begin(), order.end()));
        if (!grouped) Add(c, type, "activities are not back to back on one day", in_.SlotName(Start(acts[0])));
        break;
      }
      case ConstraintType::kActivitiesSameStartingDay:
        for (size_t i = 0; i < acts.size(); ++i)
          for (size_t j = i + 1; j < acts.size(); ++j)
            if (Day(acts[i]) != Day(acts[j]))
              Add(c, type, Act(acts[j]) + " is not on the day of " + Act(acts[i]),
                  in_.days[Day(acts[i])] + "/" + in_.days[Day(acts[j])]);
        break;
      case ConstraintType::kActivitiesOccupyMaxTimeSlotsFromSelection: {
        std::set<int> occupied;
        for (int a : acts)
          for (int s = Start(a); s < End(a); ++s)
            if (in_set(k.slots, s)) occupied.insert(s);
        const int over = static_cast<int>(occupied.size()) - k.value;
        if (over > 0)
          Add(c, type, std::to_string(occupied.size()) + " of the selected slots are occupied, max " +
                           std::to_string(k.value), "", over);
        break;
      }
      case ConstraintType::kActivitiesSameStartingHour:
        for (size_t i = 0; i < acts.size(); ++i)
          for (size_t j = i + 1; j < acts.size(); ++j)
            if (Per(acts[i]) != Per(acts[j]))
              Add(c, type, Act(acts[j]) + " does not start at the period of " + Act(acts[i]),
                  in_.SlotName(Start(acts[i])) + "/" + in_.SlotName(Start(acts[j])));
        break;
      case ConstraintType::kMinGapsBetweenActivities:
        for (size_t i = 0; i < acts.size(); ++i)
          for (size_t j = i + 1; j < acts.size(); ++j) {
            int a = acts[i], b = acts[j];
            if (Day(a) != Day(b)) continue;
            if (Start(b) <= Start(a)) std::swap(a, b);  // ties: the later-listed first, as FET
            const int short_by = End(a) + k.value - Start(b);
            if (short_by > 0)
              Add(c, type, Act(a) + " and " + Act(b) + " have fewer than " + std::to_string(k.value) +
                               " periods between them", in_.days[Day(a)], short_by);
          }
        break;
      case ConstraintType::kWeeklyPeriods: {
        int total = 0;
        for (int a : k.activities) total += in_.activities[a].duration;
        if (total < k.value)
          Add(c, type, "weekly periods " + std::to_string(total) + ", at least " + std::to_string(k.value) +
                           " required", "");
        break;
      }
    }
  }

  // The atomic subgroups a students constraint judges, each once (a FET
  // "all students" constraint names every set; a subgroup is in several).
  std::vector<int> Atoms(const Constraint& k) const {
    std::set<int> atoms;
    for (int s : k.student_sets) atoms.insert(in_.student_sets[s].subgroups.begin(), in_.student_sets[s].subgroups.end());
    return {atoms.begin(), atoms.end()};
  }

  // Per slot: 1 where FET does not count a free period as a gap nor as a
  // late start — break slots and the resource's own hard not-available
  // periods (teacher t, or subgroup g through any set that contains it).
  std::vector<char> IgnoredFor(int t, int g) const {
    std::vector<char> ignored = breaks_;
    for (const Constraint& k : in_.constraints) {
      if (k.type != ConstraintType::kNotAvailableTimes || !k.hard()) continue;
      bool mine = false;
      if (t >= 0) mine = std::find(k.teachers.begin(), k.teachers.end(), t) != k.teachers.end();
      for (int s : k.student_sets)
        if (g >= 0 && std::binary_search(in_.student_sets[s].subgroups.begin(), in_.student_sets[s].subgroups.end(), g))
          mine = true;
      if (!mine) continue;
      for (int s : k.slots) ignored[s] = 1;
    }
    return ignored;
  }

  // The weekly FET limits of one teacher or subgroup, from its lessons
  // `mine` (FET's counting, see model.h).
  void CheckWeek(int c, const std::string& type, const std::string& who, const std::vector<int>& mine,
                 const std::vector<char>& ignored) {
    const Constraint& k = in_.constraints[c];
    const int ndays = static_cast<int>(in_.days.size());
    int week_gaps = 0, busy_days = 0, second_hour_starts = 0, interval_days = 0;
    for (int d = 0; d < ndays; ++d) {
      const std::vector<int> used = DayProfile(mine, d);
      auto free_period = [&](int p) { return !ignored[d * ppd_ + p]; };  // counts as a period at all
      const int hours = static_cast<int>(std::count(used.begin(), used.end(), 1));
      busy_days += hours > 0;
      if (k.interval_end > 0 &&
          std::find(used.begin() + k.interval_begin, used.begin() + k.interval_end, 1) != used.begin() + k.interval_end)
        ++interval_days;
      // Gaps: free countable periods between the first and the last lesson.
      int gaps = 0, pending = 0;
      bool started = false;
      for (int p = 0; p < ppd_; ++p) {
        if (used[p]) { gaps += started ? pending : 0; pending = 0; started = true; }
        else if (started && free_period(p)) ++pending;
      }
      week_gaps += gaps;
      switch (k.type) {
        case ConstraintType::kStudentsMaxGapsPerDay:
          if (gaps > k.value)
            Add(c, type, who + " has " + std::to_string(gaps) + " idle periods, max " + std::to_string(k.value),
                in_.days[d], gaps - k.value);
          break;
        case ConstraintType::kTeachersMinHoursDaily:
        case ConstraintType::kStudentsMinHoursDaily:
          if ((hours > 0 && hours < k.value) || (hours == 0 && !k.allow_empty_days))
            Add(c, type, who + " has " + std::to_string(hours) + " periods, min " + std::to_string(k.value), in_.days[d]);
          break;
        case ConstraintType::kStudentsEarlyMaxBeginningsAtSecondHour: {
          // The day's first countable period, then whether the lessons
          // start there, at the next countable one, or later.
          int p = 0;
          while (p < ppd_ && !free_period(p)) ++p;
          if (p == ppd_ || hours == 0) break;
          if (used[p]) break;
          int countable_free = 1;
          for (++p; p < ppd_ && !used[p]; ++p) countable_free += free_period(p);
          if (p == ppd_) break;  // lessons only in uncountable periods
          ++second_hour_starts;
          if (countable_free > 1)
            Add(c, type, who + " starts later than the second period", in_.days[d]);
          break;
        }
        default:
          break;
      }
    }
    if (k.type == ConstraintType::kTeachersMaxGapsPerWeek || k.type == ConstraintType::kStudentsMaxGapsPerWeek) {
      if (week_gaps > k.value)
        Add(c, type, who + " has " + std::to_string(week_gaps) + " idle periods a week, max " + std::to_string(k.value),
            "", week_gaps - k.value);
    } else if (k.type == ConstraintType::kTeachersMaxDaysPerWeek) {
      if (busy_days > k.value)
        Add(c, type, who + " works on " + std::to_string(busy_days) + " days, max " + std::to_string(k.value), "",
            busy_days - k.value);
    } else if (k.type == ConstraintType::kTeachersIntervalMaxDaysPerWeek ||
               k.type == ConstraintType::kStudentsIntervalMaxDaysPerWeek) {
      if (interval_days > k.value)
        Add(c, type, who + " has lessons in periods " + in_.periods[k.interval_begin].name + ".." +
                         in_.periods[k.interval_end - 1].name + " on " + std::to_string(interval_days) +
                         " days, max " + std::to_string(k.value), "", interval_days - k.value);
    } else if (k.type == ConstraintType::kTeachersMinDaysPerWeek) {
      if (busy_days < k.value)
        Add(c, type, who + " works on " + std::to_string(busy_days) + " days, min " + std::to_string(k.value), "",
            k.value - busy_days);
    } else if (k.type == ConstraintType::kStudentsEarlyMaxBeginningsAtSecondHour) {
      if (second_hour_starts > k.value)
        Add(c, type, who + " starts late on " + std::to_string(second_hour_starts) + " days, max " +
                         std::to_string(k.value), "", second_hour_starts - k.value);
    }
  }

  void CheckProfile(int c, const std::string& type, const std::string& who,
                    const std::vector<int>& used, int day) {
    const Constraint& k = in_.constraints[c];
    const std::string where = in_.days[day];
    int hours = static_cast<int>(std::count(used.begin(), used.end(), 1));
    if (k.type == ConstraintType::kTeachersMaxHoursDaily || k.type == ConstraintType::kStudentsMaxHoursDaily) {
      if (hours > k.value)
        Add(c, type, who + " has " + std::to_string(hours) + " periods, max " + std::to_string(k.value), where);
    } else if (k.type == ConstraintType::kTeachersMaxHoursContinuously ||
               k.type == ConstraintType::kStudentsMaxHoursContinuously) {
      int over = 0;
      int best = MaxRun(used, k.value, &over);
      if (over > 0)
        Add(c, type, who + " has " + std::to_string(best) + " periods in a row, max " +
                         std::to_string(k.value), where, over);
    } else if (k.type == ConstraintType::kTeachersMaxGapsPerDay && hours > 0) {
      auto first = std::find(used.begin(), used.end(), 1) - used.begin();
      auto last = used.rend() - std::find(used.rbegin(), used.rend(), 1);
      int gaps = static_cast<int>(last - first) - hours;
      // Reserved periods (大课间, eye exercises) inside the span are not idle time.
      if (in_.bell.enabled)
        for (int p : in_.bell.fixed_periods) gaps -= p > first && p < last - 1 && !used[p];
      if (gaps > k.value)
        Add(c, type, who + " has " + std::to_string(gaps) + " idle periods, max " + std::to_string(k.value),
            where, gaps - k.value);
    }
  }

  // The plan's norms on the bell schedule itself, and the fixed daily slots
  // (大课间, eye exercises) that no lesson may take; each violation carries
  // the clause the bell norms name for it.
  void CheckBell() {
    const BellNorms& b = in_.bell;
    if (!b.enabled) return;
    auto fixed = [&](int p) {
      return std::find(b.fixed_periods.begin(), b.fixed_periods.end(), p) != b.fixed_periods.end();
    };
    int prev = -1;
    for (int p = 0; p < ppd_; ++p) {
      if (fixed(p)) continue;
      const Period& per = in_.periods[p];
      if (b.first_lesson_not_before >= 0 && per.start_minute >= 0 && per.start_minute < b.first_lesson_not_before) {
        for (int a = 0; a < static_cast<int>(in_.activities.size()); ++a)
          if (Placed(a) && Per(a) <= p && p < Per(a) + in_.activities[a].duration) {
            Add(-1, "FirstLessonTooEarly", Act(a) + " is taught before the earliest allowed start",
                in_.SlotName(Start(a)), 1, b.first_lesson_clause);
            rep_.violations.back().activity = a;
          }
      }
      if (prev >= 0 && per.start_minute >= 0 && in_.periods[prev].end_minute >= 0) {
        int gap = per.start_minute - in_.periods[prev].end_minute;
        bool noon = b.morning_periods > 0 && prev < b.morning_periods && p >= b.morning_periods;
        int need = noon ? b.min_noon_minutes : b.min_break_minutes;
        if (gap < need)
          Add(-1, noon ? "NoonBreakTooShort" : "BreakTooShort",
              "only " + std::to_string(gap) + " min between " + in_.periods[prev].name + " and " +
                  per.name + ", need " + std::to_string(need),
              "bell schedule", 1, noon ? b.noon_clause : b.break_clause);
      }
      prev = p;
    }
    for (int a = 0; a < static_cast<int>(in_.activities.size()); ++a) {
      if (!Placed(a)) continue;
      for (int p = Per(a); p < Per(a) + in_.activities[a].duration; ++p)
        if (fixed(p)) {
          Add(-1, "FixedSlotUsed", Act(a) + " takes a reserved daily slot (" + in_.periods[p].name + ")",
              in_.SlotName(Start(a)), 1, b.reserved_clause);
          rep_.violations.back().activity = a;
        }
    }
  }

  const Instance& in_;
  const Solution& sol_;
  int ppd_ = 0;
  std::vector<char> breaks_;
  CheckReport rep_;
};

}  // namespace

CheckReport Check(const Instance& inst, const Solution& sol) { return Checker(inst, sol).Run(); }

}  // namespace edugov::timetable
