// Where the complaint report's category labels and thresholds come from: the
// complaint case type (policy/cases/complaint.yaml), the one place they are
// kept. Callers that build a ComplaintReportRequest (the CLI, the HTTP
// handler) pass these as request.categories and request.thresholds; a
// category key the case type does not name is shown as-is.
//
//   req.categories = reports::ComplaintCategoryLabels(services->types());
//   ASSIGN_OR_RETURN(req.thresholds, reports::ComplaintReportThresholds(services->types()));
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cases/case_type.h"
#include "reports/complaint_analysis.h"

namespace edugov::reports {

// The options of the "complaint" type's category field (its category_field),
// in the type's order, each with zh and en labels (en falls back to zh).
// Empty when `types` has no complaint type or it declares no category field.
std::vector<std::pair<std::string, Bilingual>> ComplaintCategoryLabels(
    const cases::CaseTypeRegistry& types);

// The "complaint" type's report: section. kFailedPrecondition (field
// "report") when `types` has no complaint type or it has no report: section.
StatusOr<ComplaintThresholds> ComplaintReportThresholds(const cases::CaseTypeRegistry& types);

}  // namespace edugov::reports
