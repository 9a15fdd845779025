// Stage 1: a policy pack's YAML text → ast::Pack. Checks the shape only
// (known keys, required keys, scalars vs lists); names and types are the
// binder's job. Errors are kInvalidArgument, "FILE:LINE:COLUMN: …" in zh and
// en, field() = "FILE:LINE:COLUMN". Stateless; thread-safe.
//
//   ASSIGN_OR_RETURN(ast::Pack pack, ParsePolicyFile("policy/anhua-2025.yaml"));
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "rules/ast.h"

namespace edugov::rules {

// `file` is only used in error messages and DatasetSchema::file.
StatusOr<ast::Pack> ParsePolicy(std::string_view yaml_text, std::string_view file);
// Reads the file (kNotFound if it cannot be read) and parses it.
StatusOr<ast::Pack> ParsePolicyFile(const std::string& path);

}  // namespace edugov::rules
