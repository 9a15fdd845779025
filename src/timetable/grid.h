// A timetable laid out for people: one grid (days x periods) per class, per
// teacher and per room, each cell listing the lessons there. The printable
// outputs (XLSX) and the web API (src/http/timetable_handlers.cc) read these
// instead of walking placements themselves.
//
//   TimetableGrids g = BuildGrids(inst, sol);
//   for (const Grid& cls : g.classes) {
//     const auto& monday_first = cls.cells[0][0];   // lessons, usually 0 or 1
//   }
//
// Classes are the student sets that some activity names directly (a Chinese
// 班级, an elective teaching group, a FET year/group/subgroup); a class's
// grid shows every activity that shares students with it, so a class sees
// its moving-class (走班) blocks too. Unplaced activities appear nowhere.
// Thread-safe; the result owns its strings.
#pragma once

#include <string>
#include <vector>

#include "timetable/model.h"

namespace edugov::timetable {

struct GridLesson {
  int activity = -1;      // index into Instance::activities
  std::string subject;    // "" when the activity has none
  std::string teachers;   // "张三, 李四"
  std::string classes;    // "7年级1班"
  std::string room;       // "" when no room is assigned
};

enum class GridKind { kClass, kTeacher, kRoom };
std::string_view GridKindName(GridKind kind);  // "class", "teacher", "room"

struct Grid {
  GridKind kind = GridKind::kClass;
  std::string name;
  int index = -1;  // into student_sets, teachers or rooms
  // cells[day][period]: the lessons covering that period (a double lesson
  // appears in both of its periods).
  std::vector<std::vector<std::vector<GridLesson>>> cells;
  int lessons = 0;  // periods taught (a double lesson counts 2)
};

struct TimetableGrids {
  std::vector<Grid> classes;
  std::vector<Grid> teachers;
  std::vector<Grid> rooms;  // only rooms some placement uses
  // Per period of the day: true when it is reserved every day (大课间,
  // eye exercises: BellNorms::fixed_periods) or a break for everyone.
  std::vector<char> reserved_periods;
};

// `sol.placements` may be shorter than the activities (missing = unplaced).
TimetableGrids BuildGrids(const Instance& inst, const Solution& sol);

// "HH:MM", or "" for a negative minute.
std::string ClockLabel(int minute);

// The Chinese name of a day for printed timetables: 周一/Monday/Mon → 星期一
// (… 星期日); any other name is returned unchanged.
std::string ChineseDayName(const std::string& day);

}  // namespace edugov::timetable
