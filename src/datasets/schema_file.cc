#include "datasets/schema_file.h"

#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "common/yaml_error.h"

namespace edugov::datasets {

StatusOr<std::vector<DatasetSchema>> LoadDatasetSchemas(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status(StatusCode::kNotFound, "policy pack not found: " + path, "找不到政策包文件：" + path,
                  "--policy");
  }
  YAML::Node pack;
  try {
    pack = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return ::edugov::YamlError(path, e);
  }
  if (!pack.IsMap()) return ParseDatasets(YAML::Node(), path);
  return ParseDatasets(pack["datasets"], path);
}

const DatasetSchema* FindDataset(const std::vector<DatasetSchema>& schemas, std::string_view name) {
  for (const DatasetSchema& s : schemas) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Status UnknownDatasetError(const std::vector<DatasetSchema>& schemas, std::string_view name) {
  std::string known;
  for (const DatasetSchema& s : schemas) known += (known.empty() ? "" : ", ") + s.name;
  if (known.empty()) known = "-";
  return Status(StatusCode::kNotFound,
                "unknown dataset '" + std::string(name) + "' (declared: " + known + ")",
                "未知的数据集「" + std::string(name) + "」（已声明：" + known + "）", "dataset");
}

}  // namespace edugov::datasets
