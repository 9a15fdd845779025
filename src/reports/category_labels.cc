#include "reports/category_labels.h"

namespace edugov::reports {

std::vector<std::pair<std::string, Bilingual>> ComplaintCategoryLabels(
    const cases::CaseTypeRegistry& types) {
  std::vector<std::pair<std::string, Bilingual>> out;
  const cases::CaseType* complaint = types.Find("complaint");
  if (complaint == nullptr || complaint->category_field.empty()) return out;
  const cases::FieldSpec* field = complaint->FindField(complaint->category_field);
  if (field == nullptr) return out;
  for (const auto& [key, label] : field->options) {
    out.push_back({key, {label.zh, label.en.empty() ? label.zh : label.en}});
  }
  return out;
}

}  // namespace edugov::reports
