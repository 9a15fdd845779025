#include "datasets/schema.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace edugov::datasets {
namespace {

constexpr std::string_view kReservedColumns[] = {"row_id", "org_path", "submitted_at"};

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  if (!(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// Scalar text of a node, or an error naming what was expected.
StatusOr<std::string> Scalar(const YAML::Node& node, std::string_view file, std::string_view what) {
  if (!node.IsScalar()) {
    return YamlError(node, file, std::string(what) + " must be a scalar",
                     std::string(what) + " 必须是标量值");
  }
  return node.Scalar();
}

StatusOr<bool> Bool(const YAML::Node& node, std::string_view file, std::string_view what) {
  ASSIGN_OR_RETURN(std::string s, Scalar(node, file, what));
  if (s == "true" || s == "yes") return true;
  if (s == "false" || s == "no") return false;
  return YamlError(node, file, std::string(what) + " must be true or false, got '" + s + "'",
                   std::string(what) + " 必须是 true 或 false，实际为 '" + s + "'");
}

Status CheckKeys(const YAML::Node& map, std::string_view file,
                 std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : map) {
    std::string k = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return YamlError(kv.first, file, "unknown key '" + k + "'", "未知的键 '" + k + "'");
    }
  }
  return OkStatus();
}

StatusOr<std::optional<double>> Bound(const YAML::Node& node, std::string_view file,
                                      ColumnType type, std::string_view what) {
  if (!node) return std::optional<double>();
  ASSIGN_OR_RETURN(std::string s, Scalar(node, file, what));
  if (type == ColumnType::kTime) {
    std::optional<int> m = ParseTimeOfDay(s);
    if (!m) {
      return YamlError(node, file, std::string(what) + " of a time column must be HH:MM",
                       std::string(what) + " 对时间列必须写作 HH:MM");
    }
    return std::optional<double>(*m);
  }
  if (type != ColumnType::kInt && type != ColumnType::kDecimal) {
    return YamlError(node, file, std::string(what) + " applies to int, decimal and time columns only",
                     std::string(what) + " 只适用于 int、decimal 和 time 列");
  }
  try {
    size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return std::optional<double>(v);
  } catch (const std::exception&) {
    return YamlError(node, file, std::string(what) + " must be a number, got '" + s + "'",
                     std::string(what) + " 必须是数字，实际为 '" + s + "'");
  }
}

StatusOr<ColumnSchema> ParseColumn(const YAML::Node& node, std::string_view file) {
  if (!node.IsMap()) {
    return YamlError(node, file, "a column must be a mapping", "列声明必须是映射");
  }
  RETURN_IF_ERROR(CheckKeys(node, file,
                            {"name", "label_zh", "type", "ref", "values", "required", "min", "max"}));
  ColumnSchema c;
  c.mark = MarkOf(node);
  if (!node["name"]) return YamlError(node, file, "a column needs a name", "列缺少 name");
  ASSIGN_OR_RETURN(c.name, Scalar(node["name"], file, "name"));
  if (!IsIdentifier(c.name)) {
    return YamlError(node["name"], file,
                     "column name '" + c.name + "' must match [a-z][a-z0-9_]* (at most 40)",
                     "列名 '" + c.name + "' 必须匹配 [a-z][a-z0-9_]*（不超过 40 个字符）");
  }
  for (std::string_view r : kReservedColumns) {
    if (c.name == r) {
      return YamlError(node["name"], file, "column name '" + c.name + "' is reserved",
                       "列名 '" + c.name + "' 是保留名");
    }
  }
  c.label_zh = c.name;
  if (node["label_zh"]) { ASSIGN_OR_RETURN(c.label_zh, Scalar(node["label_zh"], file, "label_zh")); }
  if (!node["type"]) {
    return YamlError(node, file, "column '" + c.name + "' needs a type", "列 '" + c.name + "' 缺少 type");
  }
  ASSIGN_OR_RETURN(std::string type, Scalar(node["type"], file, "type"));
  std::optional<ColumnType> t = ParseColumnType(type);
  if (!t) {
    return YamlError(node["type"], file,
                     "unknown column type '" + type +
                         "' (int, decimal, text, enum, date, time, bool, ref)",
                     "未知的列类型 '" + type + "'（int、decimal、text、enum、date、time、bool、ref）");
  }
  c.type = *t;
  if (c.type == ColumnType::kRef) {
    if (!node["ref"]) {
      return YamlError(node, file, "ref column '" + c.name + "' needs ref: school|class|staff|org",
                       "引用列 '" + c.name + "' 需要 ref: school|class|staff|org");
    }
    ASSIGN_OR_RETURN(std::string ref, Scalar(node["ref"], file, "ref"));
    std::optional<RefKind> r = ParseRefKind(ref);
    if (!r || *r == RefKind::kNone) {
      return YamlError(node["ref"], file, "unknown ref '" + ref + "' (school, class, staff, org)",
                       "未知的引用对象 '" + ref + "'（school、class、staff、org）");
    }
    c.ref = *r;
  } else if (node["ref"]) {
    return YamlError(node["ref"], file, "ref is only for type: ref", "ref 只用于 type: ref");
  }
  if (c.type == ColumnType::kEnum) {
    const YAML::Node& v = node["values"];
    if (!v || !v.IsSequence() || v.size() == 0) {
      return YamlError(v ? v : node, file, "enum column '" + c.name + "' needs a non-empty values list",
                       "枚举列 '" + c.name + "' 需要非空的 values 列表");
    }
    // A value is a scalar ("full") or a map with its Chinese label
    // ({value: full, label_zh: 全面检查}); the importer accepts either.
    // Values and labels share one namespace, so a cell never means two values.
    std::set<std::string> seen;
    for (const auto& e : v) {
      std::string s, label;
      if (e.IsMap()) {
        RETURN_IF_ERROR(CheckKeys(e, file, {"value", "label_zh"}));
        if (!e["value"]) {
          return YamlError(e, file, "an enum value written as a map needs value:",
                           "以映射书写的枚举值需要 value:");
        }
        ASSIGN_OR_RETURN(s, Scalar(e["value"], file, "enum value"));
        if (e["label_zh"]) { ASSIGN_OR_RETURN(label, Scalar(e["label_zh"], file, "label_zh")); }
      } else {
        ASSIGN_OR_RETURN(s, Scalar(e, file, "enum value"));
      }
      if (!seen.insert(s).second) {
        return YamlError(e, file, "duplicate enum value '" + s + "'", "重复的枚举值 '" + s + "'");
      }
      if (!label.empty() && label != s && !seen.insert(label).second) {
        return YamlError(e, file, "enum label '" + label + "' repeats a value or label of this column",
                         "枚举标签 '" + label + "' 与本列的其他取值或标签重复");
      }
      c.enum_values.push_back(s);
      c.enum_labels_zh.push_back(label);
    }
  } else if (node["values"]) {
    return YamlError(node["values"], file, "values is only for type: enum", "values 只用于 type: enum");
  }
  if (node["required"]) { ASSIGN_OR_RETURN(c.required, Bool(node["required"], file, "required")); }
  ASSIGN_OR_RETURN(c.min, Bound(node["min"], file, c.type, "min"));
  ASSIGN_OR_RETURN(c.max, Bound(node["max"], file, c.type, "max"));
  if (c.min && c.max && *c.min > *c.max) {
    return YamlError(node["min"], file, "min is greater than max", "min 大于 max");
  }
  return c;
}

StatusOr<DatasetSchema> ParseDataset(const YAML::Node& node, std::string_view file) {
  if (!node.IsMap()) return YamlError(node, file, "a dataset must be a mapping", "数据集声明必须是映射");
  RETURN_IF_ERROR(CheckKeys(node, file, {"name", "label_zh", "columns", "key", "period", "entity"}));
  DatasetSchema d;
  d.file = std::string(file);
  d.mark = MarkOf(node);
  if (!node["name"]) return YamlError(node, file, "a dataset needs a name", "数据集缺少 name");
  ASSIGN_OR_RETURN(d.name, Scalar(node["name"], file, "name"));
  if (!IsIdentifier(d.name)) {
    return YamlError(node["name"], file,
                     "dataset name '" + d.name + "' must match [a-z][a-z0-9_]* (at most 40)",
                     "数据集名 '" + d.name + "' 必须匹配 [a-z][a-z0-9_]*（不超过 40 个字符）");
  }
  d.label_zh = d.name;
  if (node["label_zh"]) { ASSIGN_OR_RETURN(d.label_zh, Scalar(node["label_zh"], file, "label_zh")); }
  const YAML::Node& cols = node["columns"];
  if (!cols || !cols.IsSequence() || cols.size() == 0) {
    return YamlError(cols ? cols : node, file, "dataset '" + d.name + "' needs a non-empty columns list",
                     "数据集 '" + d.name + "' 需要非空的 columns 列表");
  }
  for (const auto& cn : cols) {
    ASSIGN_OR_RETURN(ColumnSchema c, ParseColumn(cn, file));
    if (d.FindColumn(c.name)) {
      return YamlError(cn["name"], file, "duplicate column '" + c.name + "'", "重复的列 '" + c.name + "'");
    }
    d.columns.push_back(std::move(c));
  }
  // entity
  if (!node["entity"]) {
    return YamlError(node, file, "dataset '" + d.name + "' needs entity: <ref column>",
                     "数据集 '" + d.name + "' 需要 entity: <引用列>");
  }
  ASSIGN_OR_RETURN(d.entity_column, Scalar(node["entity"], file, "entity"));
  {
    const ColumnSchema* c = d.FindColumn(d.entity_column);
    if (!c) {
      return YamlError(node["entity"], file, "entity: no column '" + d.entity_column + "'",
                       "entity：没有列 '" + d.entity_column + "'");
    }
    if (c->type != ColumnType::kRef ||
        (c->ref != RefKind::kClass && c->ref != RefKind::kSchool && c->ref != RefKind::kOrg) ||
        !c->required) {
      return YamlError(node["entity"], file,
                       "entity column '" + d.entity_column + "' must be a required ref to class, school or org",
                       "entity 列 '" + d.entity_column + "' 必须是必填的 class、school 或 org 引用");
    }
  }
  if (!node["period"]) {
    return YamlError(node, file, "dataset '" + d.name + "' needs period: <date column>",
                     "数据集 '" + d.name + "' 需要 period: <日期列>");
  }
  ASSIGN_OR_RETURN(d.period_column, Scalar(node["period"], file, "period"));
  {
    const ColumnSchema* c = d.FindColumn(d.period_column);
    if (!c || c->type != ColumnType::kDate || !c->required) {
      return YamlError(node["period"], file,
                       "period column '" + d.period_column + "' must be a required date column",
                       "period 列 '" + d.period_column + "' 必须是必填的日期列");
    }
  }
  const YAML::Node& key = node["key"];
  if (!key || !key.IsSequence() || key.size() == 0) {
    return YamlError(key ? key : node, file, "dataset '" + d.name + "' needs a non-empty key list",
                     "数据集 '" + d.name + "' 需要非空的 key 列表");
  }
  for (const auto& kn : key) {
    ASSIGN_OR_RETURN(std::string k, Scalar(kn, file, "key column"));
    const ColumnSchema* c = d.FindColumn(k);
    if (!c) return YamlError(kn, file, "key: no column '" + k + "'", "key：没有列 '" + k + "'");
    if (!c->required) {
      return YamlError(kn, file, "key column '" + k + "' must be required", "key 列 '" + k + "' 必须是必填");
    }
    if (std::find(d.key.begin(), d.key.end(), k) != d.key.end()) {
      return YamlError(kn, file, "duplicate key column '" + k + "'", "重复的 key 列 '" + k + "'");
    }
    d.key.push_back(k);
  }
  return d;
}

}  // namespace

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kInt: return "int";
    case ColumnType::kDecimal: return "decimal";
    case ColumnType::kText: return "text";
    case ColumnType::kEnum: return "enum";
    case ColumnType::kDate: return "date";
    case ColumnType::kTime: return "time";
    case ColumnType::kBool: return "bool";
    case ColumnType::kRef: return "ref";
  }
  return "?";
}

std::optional<ColumnType> ParseColumnType(std::string_view text) {
  for (ColumnType t : {ColumnType::kInt, ColumnType::kDecimal, ColumnType::kText, ColumnType::kEnum,
                       ColumnType::kDate, ColumnType::kTime, ColumnType::kBool, ColumnType::kRef}) {
    if (ColumnTypeName(t) == text) return t;
  }
  return std::nullopt;
}

std::string_view RefKindName(RefKind kind) {
  switch (kind) {
    case RefKind::kNone: return "";
    case RefKind::kSchool: return "school";
    case RefKind::kClass: return "class";
    case RefKind::kStaff: return "staff";
    case RefKind::kOrg: return "org";
  }
  return "";
}

std::optional<RefKind> ParseRefKind(std::string_view text) {
  for (RefKind k : {RefKind::kSchool, RefKind::kClass, RefKind::kStaff, RefKind::kOrg}) {
    if (RefKindName(k) == text) return k;
  }
  return std::nullopt;
}

int DatasetSchema::ColumnIndex(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

const ColumnSchema* DatasetSchema::FindColumn(std::string_view column) const {
  int i = ColumnIndex(column);
  return i < 0 ? nullptr : &columns[static_cast<size_t>(i)];
}

RefKind DatasetSchema::entity_kind() const {
  const ColumnSchema* c = FindColumn(entity_column);
  return c ? c->ref : RefKind::kNone;
}

std::string DatasetSchema::TableName() const { return "ds_" + name; }

SourceMark MarkOf(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  YAML::Mark m = node.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

Status YamlError(const YAML::Node& node, std::string_view file, std::string en, std::string zh) {
  SourceMark m = MarkOf(node);
  std::string where = std::string(file) + ":" + std::to_string(m.line) + ":" + std::to_string(m.column);
  return Status(StatusCode::kInvalidArgument, where + ": " + en, where + ": " + zh, where);
}

std::optional<int> ParseTimeOfDay(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (!digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  int h = (text[0] - '0') * 10 + (text[1] - '0');
  int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

StatusOr<std::vector<DatasetSchema>> ParseDatasets(const YAML::Node& datasets, std::string_view file) {
  std::vector<DatasetSchema> out;
  if (!datasets.IsDefined() || datasets.IsNull()) return out;
  if (!datasets.IsSequence()) {
    return YamlError(datasets, file, "datasets must be a list", "datasets 必须是列表");
  }
  for (const auto& n : datasets) {
    ASSIGN_OR_RETURN(DatasetSchema d, ParseDataset(n, file));
    for (const auto& prev : out) {
      if (prev.name == d.name) {
        return YamlError(n["name"], file, "duplicate dataset '" + d.name + "'",
                         "重复的数据集 '" + d.name + "'");
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace edugov::datasets
