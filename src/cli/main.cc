// edugov: the command line. `edugov --help` lists the subcommands; each has
// its own --help. Exit code 0 only on success; errors are one line, in
// Chinese or English by LANG.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/import_command.h"
#include "cli/policy_commands.h"
#if __has_include("cli/timetable_commands.h")
#include "cli/timetable_commands.h"
#define EDUGOV_HAVE_TIMETABLE 1
#endif

int main(int argc, char** argv) {
  CLI::App app{"edugov — 教育治理平台 (Anhua County work plan, executable)", "edugov"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "edugov 0.1.0");
  int exit_code = 0;
  edugov::cli::RegisterServeCommand(app, &exit_code);
  edugov::cli::RegisterMigrateCommand(app, &exit_code);
  edugov::cli::RegisterDemoDataCommand(app, &exit_code);
  edugov::cli::RegisterUserCommands(app, &exit_code);
  edugov::cli::RegisterAuditCommands(app, &exit_code);
  edugov::cli::RegisterImportCommand(app, &exit_code);
  edugov::cli::RegisterPolicyCommands(app, &exit_code);
  edugov::cli::RegisterReportCommands(app, &exit_code);
  edugov::cli::RegisterCaseCommands(app, &exit_code);
  edugov::cli::RegisterCalendarCommands(app, &exit_code);
  edugov::cli::RegisterDrawCommands(app, &exit_code);
  edugov::cli::RegisterPointsCommands(app, &exit_code);
  edugov::cli::RegisterBackupCommands(app, &exit_code);
#ifdef EDUGOV_HAVE_TIMETABLE
  edugov::cli::RegisterTimetableCommands(app, &exit_code);
#endif
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
