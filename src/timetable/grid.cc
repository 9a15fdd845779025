#include "timetable/grid.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>
#include <set>

namespace edugov::timetable {

std::string_view GridKindName(GridKind kind) {
  switch (kind) {
    case GridKind::kClass: return "class";
    case GridKind::kTeacher: return "teacher";
    case GridKind::kRoom: return "room";
  }
  return "class";
}

std::string ClockLabel(int minute) {
  if (minute < 0) return "";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minute / 60) % 100, minute % 60);
  return buf;
}

std::string ChineseDayName(const std::string& day) {
  static const std::array<const char*, 7> kZh = {"星期一", "星期二", "星期三", "星期四",
                                                 "星期五", "星期六", "星期日"};
  static const std::array<std::array<const char*, 4>, 7> kAliases = {{
      {"周一", "Monday", "Mon", "星期一"},
      {"周二", "Tuesday", "Tue", "星期二"},
      {"周三", "Wednesday", "Wed", "星期三"},
      {"周四", "Thursday", "Thu", "星期四"},
      {"周五", "Friday", "Fri", "星期五"},
      {"周六", "Saturday", "Sat", "星期六"},
      {"周日", "Sunday", "Sun", "星期日"},
  }};
  for (size_t d = 0; d < kAliases.size(); ++d) {
    for (const char* alias : kAliases[d]) {
      if (day == alias) return kZh[d];
    }
  }
  return day;
}

namespace {

std::string JoinNames(const std::vector<int>& idx, auto name_of) {
  std::string out;
  for (int i : idx) out += (out.empty() ? "" : ", ") + name_of(i);
  return out;
}

Grid EmptyGrid(const Instance& in, GridKind kind, std::string name, int index) {
  Grid g;
  g.kind = kind;
  g.name = std::move(name);
  g.index = index;
  g.cells.assign(in.days.size(), std::vector<std::vector<GridLesson>>(in.periods.size()));
  return g;
}

void Put(const Instance& in, Grid& g, const Placement& p, const Activity& act, const GridLesson& lesson) {
  const int ppd = in.periods_per_day();
  if (ppd == 0) return;
  const int day = p.start / ppd;
  if (day < 0 || day >= static_cast<int>(in.days.size())) return;
  for (int per = p.start % ppd; per < p.start % ppd + act.duration && per < ppd; ++per) {
    g.cells[day][per].push_back(lesson);
    ++g.lessons;
  }
}

}  // namespace

TimetableGrids BuildGrids(const Instance& in, const Solution& sol) {
  TimetableGrids out;
  const int ppd = in.periods_per_day();
  out.reserved_periods.assign(ppd, 0);
  for (int p : in.bell.fixed_periods) {
    if (p >= 0 && p < ppd) out.reserved_periods[p] = 1;
  }
  const std::vector<char> breaks = BreakSlots(in);
  for (int p = 0; p < ppd && !in.days.empty(); ++p) {
    bool all = true;
    for (size_t d = 0; d < in.days.size(); ++d) {
      const size_t slot = d * ppd + p;
      all = all && slot < breaks.size() && breaks[slot];
    }
    if (all) out.reserved_periods[p] = 1;
  }

  std::set<int> named_sets;
  for (const Activity& a : in.activities) named_sets.insert(a.student_sets.begin(), a.student_sets.end());
  std::vector<int> class_of_set(in.student_sets.size(), -1);
  for (int s : named_sets) {
    if (s < 0 || s >= static_cast<int>(in.student_sets.size())) continue;
    class_of_set[s] = static_cast<int>(out.classes.size());
    out.classes.push_back(EmptyGrid(in, GridKind::kClass, in.student_sets[s].name, s));
  }
  for (int t = 0; t < static_cast<int>(in.teachers.size()); ++t) {
    out.teachers.push_back(EmptyGrid(in, GridKind::kTeacher, in.teachers[t].name, t));
  }
  std::vector<int> grid_of_room(in.rooms.size(), -1);

  const int n = static_cast<int>(std::min(in.activities.size(), sol.placements.size()));
  for (int a = 0; a < n; ++a) {
    const Placement& p = sol.placements[a];
    if (p.start < 0) continue;
    const Activity& act = in.activities[a];
    GridLesson lesson;
    lesson.activity = a;
    if (act.subject >= 0 && act.subject < static_cast<int>(in.subjects.size())) {
      lesson.subject = in.subjects[act.subject].name;
    }
    lesson.teachers = JoinNames(act.teachers, [&](int t) { return in.teachers[t].name; });
    lesson.classes = JoinNames(act.student_sets, [&](int s) { return in.student_sets[s].name; });
    const bool has_room = p.room >= 0 && p.room < static_cast<int>(in.rooms.size());
    if (has_room) lesson.room = in.rooms[p.room].name;

    // Every class that shares students with the activity (its own sets and,
    // e.g., the administrative class of a moving-class group's students).
    for (int s : named_sets) {
      const auto& mine = in.student_sets[s].subgroups;
      std::vector<int> common;
      std::set_intersection(act.subgroups.begin(), act.subgroups.end(), mine.begin(), mine.end(),
                            std::back_inserter(common));
      const bool direct = std::find(act.student_sets.begin(), act.student_sets.end(), s) != act.student_sets.end();
      if (direct || !common.empty()) Put(in, out.classes[class_of_set[s]], p, act, lesson);
    }
    for (int t : act.teachers) {
      if (t >= 0 && t < static_cast<int>(out.teachers.size())) Put(in, out.teachers[t], p, act, lesson);
    }
    if (has_room) {
      if (grid_of_room[p.room] < 0) {
        grid_of_room[p.room] = static_cast<int>(out.rooms.size());
        out.rooms.push_back(EmptyGrid(in, GridKind::kRoom, in.rooms[p.room].name, p.room));
      }
      Put(in, out.rooms[grid_of_room[p.room]], p, act, lesson);
    }
  }
  std::sort(out.rooms.begin(), out.rooms.end(), [](const Grid& x, const Grid& y) { return x.index < y.index; });
  return out;
}

}  // namespace edugov::timetable
