// `edugov timetable …`: solve, check and generate school timetables.
//
//   edugov timetable solve --input school.fet --time-limit 60 --seed 1 --out out/
//   edugov timetable check --input school.fet [--timetable out/timetable.fet]
//   edugov timetable generate --stage primary --classes 24 --seed 1 --out school.yaml
//
// Exit codes: 0 success (solve: a complete timetable; check: no hard
// violation); 1 bad input or I/O error (one line, zh or en by LANG); 2 the
// timetable is incomplete (solve) or violates a hard rule (check).
#pragma once

#include <CLI/CLI.hpp>

namespace edugov::cli {

// Adds the `timetable` subcommand and its three subcommands to `app`; the
// chosen one stores its exit code in *exit_code. `exit_code` must outlive
// app.parse().
void RegisterTimetableCommands(CLI::App& app, int* exit_code);

}  // namespace edugov::cli
