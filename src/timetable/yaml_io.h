// The model as YAML: the native input format of `edugov timetable solve`
// (FET files are the other). Written by the generator, readable and
// editable by hand. Cross-references are indices into the lists (teachers,
// subjects, rooms, student_sets, activities), clock times are "HH:MM",
// constraint types are ConstraintTypeName() strings. See docs/timetable.md.
//
//   std::string yaml = InstanceToYaml(inst);
//   ASSIGN_OR_RETURN(Instance back, InstanceFromYaml(yaml));
//
// Errors: kInvalidArgument naming the field (e.g. "activities[12].teachers")
// for malformed YAML, unknown types, or out-of-range indices. Thread-safe.
#pragma once

#include <string>

#include "common/status.h"
#include "timetable/model.h"

namespace edugov::timetable {

std::string InstanceToYaml(const Instance& inst);
StatusOr<Instance> InstanceFromYaml(const std::string& yaml);

}  // namespace edugov::timetable
