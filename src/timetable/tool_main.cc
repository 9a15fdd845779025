// edugov_timetable_tool: the `edugov timetable` subcommands as a standalone
// binary, for trying and benchmarking the solver without the full CLI.
//   edugov_timetable_tool timetable solve --input F.fet --time-limit 10 --seed 1 --out DIR
#include <CLI/CLI.hpp>

#include "cli/timetable_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"edugov timetabling tool", "edugov_timetable_tool"};
  app.require_subcommand(1);
  int exit_code = 0;
  edugov::cli::RegisterTimetableCommands(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
