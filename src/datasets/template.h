// The import template of a dataset: an .xlsx workbook a clerk fills and
// uploads to POST /api/v1/datasets/{name}/import (docs/import.md).
//
//   ASSIGN_OR_RETURN(std::string xlsx, WriteImportTemplate(conn, principal, schema));
//
// Sheet 1 (the one the importer reads) has one header cell per column, in
// Chinese (the pack's label_zh, which the importer matches), each with a
// note saying what to write: the type, 必填/选填, the allowed values or the
// range. Enum columns carry a dropdown of their Chinese labels, bool columns
// 是/否. Sheet 2 填写说明 repeats the notes as a table.
//
// Who asks shapes it:
//   - a user bound to a school (the implied school, import.h): the school
//     or org column is left out — the rows are that school's — and, for a
//     dataset per class, the class column is pre-filled with the school's
//     classes as named in the registry (one row each, the rest blank);
//   - anyone else: every column, and before a class column a 学校代码
//     column, so classes can be written by name.
//
// Errors: kPermissionDenied when the principal is bound to no org; the
// registry's read errors; an internal error from the writer.
#pragma once

#include <string>

#include "accounts/principal.h"
#include "common/status.h"
#include "datasets/schema.h"
#include "storage/database.h"

namespace edugov::datasets {

StatusOr<std::string> WriteImportTemplate(storage::Connection& conn, const accounts::Principal& principal,
                                          const DatasetSchema& schema);

}  // namespace edugov::datasets
