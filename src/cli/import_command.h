// `edugov import DATASET FILE`: a CSV or XLSX file into a dataset declared in
// the policy pack, with a progress bar on a terminal and a summary. Exit
// codes: 0 every row landed; 2 some rows were rejected (the good ones
// landed; the annotated error file is written); 1 nothing was imported.
#pragma once

#include <CLI/CLI.hpp>

namespace edugov::cli {

void RegisterImportCommand(CLI::App& app, int* exit_code);

}  // namespace edugov::cli
