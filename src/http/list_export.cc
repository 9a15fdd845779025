#include "http/list_export.h"

#include <utility>

namespace edugov::http {
namespace {

constexpr int64_t kExportPage = 500;

}  // namespace

std::string AttachmentDisposition(const std::string& utf8, const std::string& ascii) {
  static const char* kHex = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char ch : utf8) {
    const bool plain = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                       ch == '.' || ch == '-' || ch == '_';
    if (plain) {
      encoded += static_cast<char>(ch);
    } else {
      encoded += '%';
      encoded += kHex[ch >> 4];
      encoded += kHex[ch & 15];
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

tabular::XlsxCell JsonCell(const nlohmann::json& item, const std::string& pointer, Lang lang) {
  const nlohmann::json::json_pointer ptr(pointer);
  if (!item.contains(ptr)) return std::monostate{};
  const nlohmann::json& v = item.at(ptr);
  if (v.is_null()) return std::monostate{};
  if (v.is_boolean()) return std::string(v.get<bool>() ? (lang == Lang::kZh ? "是" : "yes") : (lang == Lang::kZh ? "否" : "no"));
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("zh")) {
    const char* key = lang == Lang::kZh || !v.contains("en") ? "zh" : "en";
    return v[key].is_string() ? v[key].get<std::string>() : v[key].dump();
  }
  if (v.is_array()) {
    std::string s;
    for (const nlohmann::json& e : v) {
      s += (s.empty() ? "" : (lang == Lang::kZh ? "、" : ", ")) + (e.is_string() ? e.get<std::string>() : e.dump());
    }
    return s;
  }
  return v.dump();
}

ExportColumn JsonColumn(std::string zh, std::string en, std::string pointer, double width) {
  return {std::move(zh), std::move(en),
          [pointer = std::move(pointer)](const nlohmann::json& item, Lang lang) { return JsonCell(item, pointer, lang); },
          width};
}

StatusOr<Response> ExportXlsx(RouteContext& c, const ExportName& name, const std::vector<ExportColumn>& columns,
                              const ExportPageFn& page) {
  const Lang lang = c.lang();
  ASSIGN_OR_RETURN(std::unique_ptr<tabular::XlsxWriter> book, tabular::XlsxWriter::Create({.streaming = true}));
  std::vector<tabular::XlsxColumnSpec> specs;
  for (const ExportColumn& col : columns) {
    specs.push_back({.header = lang == Lang::kZh ? col.zh : col.en, .width = col.width});
  }
  RETURN_IF_ERROR(book->AddSheet(lang == Lang::kZh ? name.zh : name.en, specs));
  bool truncated = false;
  std::vector<tabular::XlsxCell> row(columns.size());
  for (int64_t offset = 0;; offset += kExportPage) {
    ASSIGN_OR_RETURN(nlohmann::json items, page(offset, kExportPage));
    if (!items.is_array()) break;
    for (const nlohmann::json& item : items) {
      if (book->rows() >= kMaxExportRows) {
        truncated = true;
        break;
      }
      for (size_t i = 0; i < columns.size(); ++i) row[i] = columns[i].cell(item, lang);
      RETURN_IF_ERROR(book->AddRow(row));
    }
    if (truncated || static_cast<int64_t>(items.size()) < kExportPage) break;
  }
  const int64_t rows = book->rows();
  // The rows are read: the workbook is closed without the connection.
  c.ReleaseConn();
  ASSIGN_OR_RETURN(std::string bytes, book->Finish());
  Response res;
  res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  res.body = std::move(bytes);
  res.AddHeader("Content-Disposition", AttachmentDisposition(name.zh + ".xlsx", name.en + ".xlsx"));
  res.AddHeader("X-Export-Rows", std::to_string(rows));
  if (truncated) res.AddHeader("X-Export-Truncated", "1");
  c.LogNote("export_rows=" + std::to_string(rows));
  return res;
}

}  // namespace edugov::http
