// The model as YAML: the native input format of `edugov timetable solve`
// (FET files are the other). Written by the generator, readable and
// editable by hand. Cross-references are indices into the lists (teachers,
// subjects, rooms, student_sets, activities), clock times are "HH:MM",
// constraint types are ConstraintTypeName() strings. See docs/timetable.md.
//
//   std::string yaml = InstanceToYaml(inst);
//   ASSIGN_OR_RETURN(Instance back, InstanceFromYaml(yaml));
//
// Errors: kInvalidArgument naming `file`, the line and column and the field
// (e.g. "timetable.yaml:40:18: activities[12].teachers: …", in Chinese and
// English) for malformed YAML, wrong types, unknown types, or out-of-range
// indices. Thread-safe.
#pragma once

#include <string>

#include "common/status.h"
#include "timetable/model.h"

namespace edugov::timetable {

std::string InstanceToYaml(const Instance& inst);
// `file` names the text in errors: the path it was read from, or what the
// user sent it as.
StatusOr<Instance> InstanceFromYaml(const std::string& yaml, const std::string& file = "timetable.yaml");

}  // namespace edugov::timetable
