// Dataset schemas: the tables of facts a policy pack declares (daily homework,
// inspections, parent trainings …) and that schools submit or the bureau
// imports. A schema is pure data; the store keeps each dataset in a table
// `ds_<name>` (layout in columnar.h), the rules engine binds rule columns
// against it, the importer validates rows against it.
//
//   YAML::Node pack = YAML::LoadFile("policy/anhua-2025.yaml");
//   ASSIGN_OR_RETURN(std::vector<DatasetSchema> ds,
//                    ParseDatasets(pack["datasets"], "policy/anhua-2025.yaml"));
//
// The YAML form (docs/policy-format.md):
//
//   datasets:
//     - name: homework                    # [a-z][a-z0-9_]*, at most 40 chars
//       label_zh: 每日作业公示
//       entity: class_id                  # the ref column that scopes a row
//       period: date                      # the date column a row belongs to
//       key: [class_id, date]             # unique per dataset
//       columns:
//         - {name: class_id, type: ref, ref: class, required: true, label_zh: 班级}
//         - {name: date, type: date, required: true, label_zh: 日期}
//         - {name: written_minutes, type: int, min: 0, max: 600, label_zh: 书面作业分钟}
//         - {name: phone_based, type: bool, label_zh: 手机布置}
//         - {name: kind, type: enum, values: [fee, canteen]}
//         - {name: mode, type: enum,          # a value may carry its zh label
//            values: [{value: full, label_zh: 全面检查}, {value: spot, label_zh: 抽查}]}
//
// Column names must not be one of the reserved store columns (row_id,
// org_path, submitted_at). The entity column is a required ref to class or
// school (org also accepted: a township or the county itself); the period
// column a required date; key columns exist and are required.
//
// Thread-safety: plain values; the parser holds no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace YAML {
class Node;
}

namespace edugov::datasets {

enum class ColumnType { kInt, kDecimal, kText, kEnum, kDate, kTime, kBool, kRef };
// What a ref column points at: classes.id, or orgs.id of a school (an org
// with a stage), any org, or staff.id.
enum class RefKind { kNone, kSchool, kClass, kStaff, kOrg };

// "int", "decimal", "text", "enum", "date", "time", "bool", "ref".
std::string_view ColumnTypeName(ColumnType type);
std::optional<ColumnType> ParseColumnType(std::string_view text);
// "school", "class", "staff", "org"; "" for kNone.
std::string_view RefKindName(RefKind kind);
std::optional<RefKind> ParseRefKind(std::string_view text);

// Where a declaration sits in its file: 1-based, 0 when unknown.
struct SourceMark {
  int line = 0;
  int column = 0;
};

struct ColumnSchema {
  std::string name;
  std::string label_zh;  // defaults to name
  ColumnType type = ColumnType::kText;
  RefKind ref = RefKind::kNone;          // set iff type == kRef
  std::vector<std::string> enum_values;  // non-empty iff type == kEnum
  // Parallel to enum_values: each value's Chinese label, "" when none was
  // declared. Input may give the label instead of the value; the store
  // keeps the value.
  std::vector<std::string> enum_labels_zh;
  bool required = false;
  // Inclusive bounds for int and decimal columns (and, in minutes since
  // midnight, for time columns written "HH:MM" in the YAML).
  std::optional<double> min;
  std::optional<double> max;
  SourceMark mark;
};

struct DatasetSchema {
  std::string name;
  std::string label_zh;  // defaults to name
  std::vector<ColumnSchema> columns;  // in declaration order = table order
  std::vector<std::string> key;       // column names
  std::string period_column;          // a date column
  std::string entity_column;          // a ref column (class, school or org)
  std::string file;                   // the file it was declared in
  SourceMark mark;
  // The pack's semesters (declared and provisional; days since the epoch,
  // inclusive, sorted) when a `days: school` rule reads this dataset — set by
  // the rules binder, empty otherwise. Imports flag a row dated outside all
  // of them (datasets/import.h, ImportOptions::semesters).
  std::vector<std::pair<int32_t, int32_t>> school_semesters;

  // Index into `columns`, or -1.
  int ColumnIndex(std::string_view column) const;
  const ColumnSchema* FindColumn(std::string_view column) const;
  // The column the entity column points at: kClass, kSchool or kOrg.
  RefKind entity_kind() const;
  // "ds_<name>".
  std::string TableName() const;
};

// Parses the `datasets:` sequence of a policy pack. On error returns
// kInvalidArgument whose message (zh and en) starts "FILE:LINE:COLUMN: " and
// whose field() is "FILE:LINE:COLUMN" of the offending node: unknown keys,
// bad names, duplicate datasets or columns, unknown types or ref kinds, enum
// without values, min > max, bad entity/period/key declarations. An undefined
// or null node yields an empty list.
StatusOr<std::vector<DatasetSchema>> ParseDatasets(const YAML::Node& datasets,
                                                   std::string_view file);

// Shared with the rules parser: the "FILE:LINE:COLUMN: " error for a YAML
// node (yaml-cpp marks are 0-based; ours are 1-based).
Status YamlError(const YAML::Node& node, std::string_view file, std::string en,
                 std::string zh);
SourceMark MarkOf(const YAML::Node& node);

// Minutes since midnight for "HH:MM" (00:00–23:59), or nullopt.
std::optional<int> ParseTimeOfDay(std::string_view text);

}  // namespace edugov::datasets
