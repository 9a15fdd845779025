// Stage 2: ast::Pack → bound::Pack. Resolves every name against the pack's
// dataset schemas and the registry's vocabulary (stages, grades, flags,
// posts) and types every constant. Errors (kInvalidArgument, zh+en,
// "FILE:LINE:COLUMN: …", field() = "FILE:LINE:COLUMN"): unknown dataset or
// column, type mismatch (a text value for an int column, an enum value not
// declared, sum over a text column), overlapping parameter validity dates,
// unknown grade (outside -2..12 or the scope's stages), duplicate rule ids,
// unknown stages/flags/posts/periods/aggregates/operators, a semester period
// without semesters. Org codes in scopes are resolved later, by the compiler,
// against the registry image. Stateless; thread-safe.
#pragma once

#include "common/status.h"
#include "rules/ast.h"
#include "rules/bound.h"

namespace edugov::rules {

StatusOr<bound::Pack> Bind(const ast::Pack& pack);

}  // namespace edugov::rules
