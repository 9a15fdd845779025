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

StatusOr<ComplaintThresholds> ComplaintReportThresholds(const cases::CaseTypeRegistry& types) {
  const cases::CaseType* complaint = types.Find("complaint");
  if (complaint == nullptr || !complaint->report) {
    return Status(StatusCode::kFailedPrecondition,
                  "the complaint case type has no report: section (the report's thresholds)",
                  "投诉案件类型缺少 report: 配置(分析报告的阈值)", "report");
  }
  const cases::CaseType::ReportThresholds& r = *complaint->report;
  return ComplaintThresholds{.rectification_working_days = r.rectification_working_days,
                             .campaign_working_days = r.campaign_working_days,
                             .accountability_working_days = r.accountability_working_days,
                             .rising_min_count = r.rising_min_count,
                             .rising_min_ratio = r.rising_min_ratio,
                             .rising_min_increase = r.rising_min_increase};
}

}  // namespace edugov::reports
