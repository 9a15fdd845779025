// Registration of the `edugov` subcommands, one function per file. Each adds
// its subcommand to `app`; when the subcommand runs it stores its exit code
// in *exit_code (0 only on success).
#pragma once

#include <CLI/CLI.hpp>

namespace edugov::cli {

void RegisterServeCommand(CLI::App& app, int* exit_code);      // serve_command.cc
void RegisterMigrateCommand(CLI::App& app, int* exit_code);    // db_commands.cc
void RegisterDemoDataCommand(CLI::App& app, int* exit_code);   // demo_command.cc
void RegisterUserCommands(CLI::App& app, int* exit_code);      // user_commands.cc
void RegisterAuditCommands(CLI::App& app, int* exit_code);     // db_commands.cc
void RegisterReportCommands(CLI::App& app, int* exit_code);    // report_command.cc
void RegisterCaseCommands(CLI::App& app, int* exit_code);      // case_commands.cc
void RegisterCalendarCommands(CLI::App& app, int* exit_code);  // calendar_command.cc
void RegisterDrawCommands(CLI::App& app, int* exit_code);      // draw_command.cc
void RegisterPointsCommands(CLI::App& app, int* exit_code);    // points_command.cc
void RegisterBackupCommands(CLI::App& app, int* exit_code);    // backup_command.cc

}  // namespace edugov::cli
