// Printable timetables: one HTML page with a table per class (every student
// set that some activity names directly) and per teacher; days across,
// periods (with clock times when known) down. Self-contained (inline CSS),
// UTF-8, page breaks between tables for printing. Thread-safe.
#pragma once

#include <string>

#include "timetable/model.h"

namespace edugov::timetable {

std::string TimetableHtml(const Instance& inst, const Solution& sol);

}  // namespace edugov::timetable
