// Writes a timetable as a FET file with every placed activity's start
// (and room) locked, so FET (or our importer) reproduces it exactly and a
// school can keep editing it in FET.
//
//   ASSIGN_OR_RETURN(std::string xml, ExportFet(inst, sol, original_xml));
//
// Locks are ConstraintActivityPreferredStartingTime and
// ConstraintActivityPreferredRoom, weight 100, Permanently_Locked true (what
// FET itself writes into <name>_data_and_timetable.fet).
//
// With `original_fet` (the .fet the instance was imported from) the output
// is that file plus the locks, so everything FET knows that the model does
// not (comments, buildings, inactive items) survives. Without it the file is
// generated from the model: the students tree is rebuilt from the student
// sets (a set not contained in another is a year; contained sets are its
// groups; atomic subgroups are subgroups), and each constraint is written as
// the FET type the importer maps to the same model constraint. Constraints
// FET has no type for (kWeeklyPeriods, the bell norms) or refuses (soft
// teacher-gap limits) are left out and counted in `skipped`. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "timetable/model.h"

namespace edugov::timetable {

struct FetExport {
  std::string xml;
  int locked_times = 0;
  int locked_rooms = 0;
  int skipped = 0;  // model constraints with no FET equivalent
};

// `sol` must have one placement per activity; unplaced ones are not locked.
// Fails (kInvalidArgument) if `original_fet` does not parse.
StatusOr<FetExport> ExportFet(const Instance& inst, const Solution& sol,
                              std::string_view original_fet = {});

}  // namespace edugov::timetable
