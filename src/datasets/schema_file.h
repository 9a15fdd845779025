// Loading the dataset schemas of a policy pack file — the `datasets:`
// section, parsed by ParseDatasets (schema.h) — for the command line and the
// server, which both start from a file path.
//
//   ASSIGN_OR_RETURN(std::vector<DatasetSchema> schemas,
//                    LoadDatasetSchemas("policy/anhua-2025.yaml"));
//   const DatasetSchema* hw = FindDataset(schemas, "homework");
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "datasets/schema.h"

namespace edugov::datasets {

// Reads `path` and parses its `datasets:` section. kNotFound when the file
// does not exist; kInvalidArgument for YAML that does not parse (with line
// and column) or a bad declaration (ParseDatasets' errors).
StatusOr<std::vector<DatasetSchema>> LoadDatasetSchemas(const std::string& path);

// The schema named `name`, or nullptr. The pointer is into `schemas`.
const DatasetSchema* FindDataset(const std::vector<DatasetSchema>& schemas, std::string_view name);

// kNotFound for an unknown dataset, listing the declared ones.
Status UnknownDatasetError(const std::vector<DatasetSchema>& schemas, std::string_view name);

}  // namespace edugov::datasets
