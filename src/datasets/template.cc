#include "datasets/template.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "registry/registry.h"
#include "tabular/xlsx_writer.h"

namespace edugov::datasets {
namespace {

std::string Number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string TypeZh(const ColumnSchema& c) {
  switch (c.type) {
    case ColumnType::kInt: return "整数";
    case ColumnType::kDecimal: return "数字";
    case ColumnType::kText: return "文本";
    case ColumnType::kEnum: return "从下拉列表中选择";
    case ColumnType::kDate: return "日期，如 2025-09-01";
    case ColumnType::kTime: return "时间，如 16:30";
    case ColumnType::kBool: return "是 或 否";
    case ColumnType::kRef:
      switch (c.ref) {
        case RefKind::kClass: return "班级：本校班级名（如 七年级1班），或 班级编号，或 学校代码/班级名";
        case RefKind::kSchool: return "学校代码";
        case RefKind::kOrg: return "单位代码";
        case RefKind::kStaff: return "教职工编号";
        case RefKind::kNone: break;
      }
      break;
  }
  return "";
}

// The values a clerk picks from: the Chinese label where declared.
std::vector<std::string> Choices(const ColumnSchema& c) {
  if (c.type == ColumnType::kBool) return {"是", "否"};
  std::vector<std::string> out;
  for (size_t i = 0; i < c.enum_values.size(); ++i) {
    const bool labelled = i < c.enum_labels_zh.size() && !c.enum_labels_zh[i].empty();
    out.push_back(labelled ? c.enum_labels_zh[i] : c.enum_values[i]);
  }
  return out;
}

std::string Allowed(const ColumnSchema& c) {
  std::string s;
  if (c.type == ColumnType::kEnum || c.type == ColumnType::kBool) {
    for (const std::string& v : Choices(c)) s += (s.empty() ? "" : "、") + v;
    return s;
  }
  if (c.min && c.max) return Number(*c.min) + " 至 " + Number(*c.max);
  if (c.min) return "不小于 " + Number(*c.min);
  if (c.max) return "不大于 " + Number(*c.max);
  return "";
}

bool ImpliedBySchool(const ColumnSchema& c) {
  return c.type == ColumnType::kRef && (c.ref == RefKind::kSchool || c.ref == RefKind::kOrg);
}

}  // namespace

StatusOr<std::string> WriteImportTemplate(storage::Connection& conn, const accounts::Principal& principal,
                                          const DatasetSchema& schema) {
  if (principal.org_path.empty()) {
    return PermissionDeniedError("the user is bound to no org", "该用户未绑定单位，不能导入数据");
  }
  ASSIGN_OR_RETURN(std::optional<registry::Org> own, registry::LookupOrgUnscoped(conn, principal.org_id));
  const bool school = own && own->kind == registry::OrgKind::kSchool && own->path == principal.org_path;

  // The columns of the sheet: the schema's, less the implied school; plus
  // 学校代码 before a class column for users above a school.
  struct Out {
    const ColumnSchema* col = nullptr;  // null: the 学校代码 column
  };
  std::vector<Out> out;
  int class_column = -1;
  for (const ColumnSchema& c : schema.columns) {
    if (school && ImpliedBySchool(c)) continue;
    if (c.type == ColumnType::kRef && c.ref == RefKind::kClass) {
      if (!school) out.push_back({nullptr});
      if (class_column < 0) class_column = static_cast<int>(out.size());
    }
    out.push_back({&c});
  }

  std::vector<tabular::XlsxColumnSpec> specs;
  std::vector<std::vector<std::string>> notes = {{"列名", "字段", "必填", "填写要求", "允许的取值或范围"}};
  for (const Out& o : out) {
    tabular::XlsxColumnSpec spec;
    if (!o.col) {
      spec.header = "学校代码";
      spec.comment = "学校代码（选填）：班级列写班级名时，用它指明是哪所学校的班级";
      spec.number_format = "@";
      notes.push_back({"学校代码", "school_code", "选填", "学校代码；班级列写班级名时必填", ""});
      specs.push_back(std::move(spec));
      continue;
    }
    const ColumnSchema& c = *o.col;
    spec.header = c.label_zh;
    const std::string allowed = Allowed(c);
    spec.comment = c.label_zh + "（" + (c.required ? "必填" : "选填") + "）\n" + TypeZh(c);
    if (!allowed.empty()) spec.comment += "\n取值：" + allowed;
    if (c.type == ColumnType::kEnum || c.type == ColumnType::kBool) spec.choices = Choices(c);
    if (c.type == ColumnType::kDate) spec.number_format = "yyyy-mm-dd";
    if (c.type == ColumnType::kText || c.type == ColumnType::kRef || c.type == ColumnType::kTime) {
      spec.number_format = "@";
    }
    if (c.type == ColumnType::kRef && c.ref == RefKind::kClass) spec.width = 16;
    notes.push_back({c.label_zh, c.name, c.required ? "必填" : "选填", TypeZh(c), allowed});
    specs.push_back(std::move(spec));
  }
  notes.push_back({});
  if (school) {
    notes.push_back({"说明", "本模板为「" + own->name + "」生成：学校由导入账号确定，无需填写学校代码；"
                                                      "班级写本校班级名即可（如 七年级1班、初一(1)班、7年级1班）。"});
  } else {
    notes.push_back({"说明", "学校、单位写代码；班级写班级编号、「学校代码/班级名」，或在「学校代码」列写学校代码后写班级名。"});
  }
  notes.push_back({"", "表头请勿修改；第一个工作表之外的工作表不会被导入。同一关键字段的行再次导入会更新原有记录。"});

  ASSIGN_OR_RETURN(std::unique_ptr<tabular::XlsxWriter> book, tabular::XlsxWriter::Create());
  RETURN_IF_ERROR(book->AddSheet(schema.label_zh, specs));
  if (school && class_column >= 0) {
    std::vector<registry::Class> classes;
    RETURN_IF_ERROR(registry::ForEachClass(conn, principal.org_path, [&](const registry::Class& c) {
      if (c.school_id == own->id) classes.push_back(c);
    }));
    std::stable_sort(classes.begin(), classes.end(), [](const registry::Class& a, const registry::Class& b) {
      return a.grade < b.grade;
    });
    for (const registry::Class& c : classes) {
      std::vector<tabular::XlsxCell> row(specs.size());
      row[static_cast<size_t>(class_column)] = c.name;
      RETURN_IF_ERROR(book->AddRow(row));
    }
  }
  RETURN_IF_ERROR(book->AddTextSheet("填写说明", notes));
  return book->Finish();
}

}  // namespace edugov::datasets
