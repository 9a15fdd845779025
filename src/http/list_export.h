// 导出: a list route's rows as an .xlsx download, with the same filters and
// the same scoping as the list itself (docs/import.md, "Exports").
//
//   routes.Get("/api/v1/findings/export.xlsx").Options({.heavy = true}).Raw([](RouteContext& c) {
//     return ExportXlsx(c, {"问题清单", "findings"}, columns,
//                       [&](int64_t offset, int64_t limit) -> StatusOr<nlohmann::json> {
//                         ... the list's own store call for one page → its JSON items ...
//                       });
//   });
//
// The rows are read page by page (500 at a time) through the list's own
// scoped store call and written as they come by a streaming workbook
// (tabular::XlsxWriter, constant memory): a county's 100 000 findings cost
// the memory of one page, not of the list. At most kMaxExportRows rows; the
// answer's X-Export-Rows says how many were written and X-Export-Truncated
// is set when the cap cut the list.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "http/request.h"
#include "http/route.h"
#include "tabular/xlsx_writer.h"

namespace edugov::http {

inline constexpr int64_t kMaxExportRows = 200'000;

struct ExportColumn {
  std::string zh;
  std::string en;
  // The cell of one JSON item of the list.
  std::function<tabular::XlsxCell(const nlohmann::json& item, Lang lang)> cell;
  double width = 0;
};

// A column reading the value at a JSON pointer ("/entity/name"): numbers as
// numbers, booleans as 是/否 (yes/no), a {zh, en} label in the request's
// language, arrays joined by "、", null or absent as blank.
ExportColumn JsonColumn(std::string zh, std::string en, std::string pointer, double width = 0);
// The same cell reading on its own.
tabular::XlsxCell JsonCell(const nlohmann::json& item, const std::string& pointer, Lang lang);

struct ExportName {
  std::string zh;  // the sheet and file name in Chinese ("问题清单")
  std::string en;  // the ASCII file name stem ("findings")
};

// One page of the list's items (a JSON array): fewer than `limit` ends it.
using ExportPageFn = std::function<StatusOr<nlohmann::json>(int64_t offset, int64_t limit)>;

// "attachment; filename=…; filename*=UTF-8''…" (RFC 6266/5987): the
// UTF-8 name for browsers, the ASCII one for the rest.
std::string AttachmentDisposition(const std::string& utf8, const std::string& ascii);

StatusOr<Response> ExportXlsx(RouteContext& c, const ExportName& name, const std::vector<ExportColumn>& columns,
                              const ExportPageFn& page);

}  // namespace edugov::http
