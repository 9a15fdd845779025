// Reads FET's .fet XML (FET 5.x / 6.x) into the timetabling model.
//
//   StatusOr<FetImport> imp = ImportFetFile("school.fet");
//   if (!imp.ok()) { ... imp.status().ToString() ... }
//   const Instance& inst = imp->instance;
//
// Supported: days, hours, subjects, activity tags, teachers, the students
// tree (years / groups / subgroups), rooms, active activities, and the time
// and space constraint types listed in docs/timetable.md (everything the
// development set uses). FET's filtered constraints (by teacher, students,
// subject, tag) are resolved to explicit activity lists.
//
// Errors (kInvalidArgument, message in zh and en, field = "line N"):
// malformed or truncated XML; a reference to an unknown teacher, subject,
// students set, tag, room, day, hour or activity id; a duration < 1 or longer
// than a day. Unknown constraint types are never dropped: the error lists
// every unknown type name with its count. Inactive activities and
// constraints are skipped and counted. Thread-safe (no shared state).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "timetable/model.h"

namespace edugov::timetable {

struct FetImport {
  Instance instance;
  int inactive_activities = 0;
  int inactive_constraints = 0;
  // Active constraints that match no activity (e.g. a tag no activity has):
  // inert in FET too, so not stored.
  int empty_constraints = 0;
  // Active constraints by FET element name, including the basic compulsory
  // ones that the model implies and does not store.
  std::map<std::string, int> constraint_counts;
  // Starts and rooms the file pins with Permanently_Locked constraints (as
  // in FET's <name>_data_and_timetable.fet and our own export); -1 where
  // nothing is locked. Lets `check` judge an exported timetable.
  Solution locked;
};

StatusOr<FetImport> ImportFetFile(const std::string& path);
// `name` labels the instance and prefixes error messages.
StatusOr<FetImport> ImportFetString(std::string_view xml, std::string name);

// Reads the `<name>_activities.xml` that FET writes next to its timetables
// (Id, Day, Hour, Room per activity) as a Solution of `inst`, so FET's
// results can be judged by our checker. Activities absent from the file stay
// unplaced; unknown ids, days, hours or rooms are errors.
StatusOr<Solution> ReadFetActivitiesTimetable(const Instance& inst, std::string_view xml);

}  // namespace edugov::timetable
