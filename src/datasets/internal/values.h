// Parsing one cell of an imported row into its stored form (the store layout
// in columnar.h). Pure functions, no allocation except for the normalised
// text they return; the importer calls them once per cell, so they are kept
// simple and branch-light.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edugov::datasets::internal {

// Removes leading and trailing ASCII whitespace and U+3000 (the ideographic
// space Chinese keyboards type).
std::string_view Trim(std::string_view text);

// "42", "-7", "+3", and "42.0" / "4.2E1" as Excel stores whole numbers;
// nullopt for anything else or a value outside int64.
std::optional<int64_t> ParseInteger(std::string_view text);
// A finite decimal number: "3.5", "-0.25", "1E-3"; nullopt otherwise.
std::optional<double> ParseDecimal(std::string_view text);
// Days since 1970-01-01 for "YYYY-MM-DD", "YYYY/M/D", "YYYY.M.D" (how
// Chinese Excel shows dates when saved as CSV) and the XLSX reader's
// "YYYY-MM-DD 00:00:00"; nullopt for a malformed or impossible date.
std::optional<int32_t> ParseDateDays(std::string_view text);
// Minutes since midnight for "H:MM", "HH:MM" and "HH:MM:00" (the XLSX
// reader's times); nullopt otherwise.
std::optional<int> ParseTimeMinutes(std::string_view text);
// 是/否, true/false (any case), 1/0, yes/no, y/n, 对/错; nullopt otherwise.
std::optional<bool> ParseBoolean(std::string_view text);

// "HH:MM" for minutes since midnight.
std::string FormatTime(int minutes);
// "YYYY-MM-DD" for days since 1970-01-01.
std::string FormatDate(int32_t days);

}  // namespace edugov::datasets::internal
