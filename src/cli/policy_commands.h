// `edugov policy validate` and `edugov check`: the policy pack and the rules
// engine on the command line (src/rules, docs/policy-format.md).
//
//   edugov policy validate policy/anhua-2025.yaml
//   edugov check --policy policy/anhua-2025.yaml --as-of 2025-12-31 --db sqlite:var/edugov.db
//   edugov check --as-of 2025-12-31 --what-if max_avg_minutes_primary=50
//
// Exit codes: validate — 0 valid, 1 invalid (the error names FILE:LINE:COLUMN);
// check — 0 ran (findings or not), 1 bad input, database or policy error.
// `check` writes findings (idempotently, rules/findings_store.h) unless
// --what-if is given, which writes nothing.
#pragma once

#include <CLI/CLI.hpp>

namespace edugov::cli {

// Adds `policy validate` and `check` to `app`; the one that runs stores its
// exit code in *exit_code, which must outlive app.parse().
void RegisterPolicyCommands(CLI::App& app, int* exit_code);

}  // namespace edugov::cli
