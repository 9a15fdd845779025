// A ComplaintReport (complaint_analysis.h) as JSON, a printable Chinese A4
// HTML page, an Excel workbook and a PDF.
//
//   std::string html = reports::ReportHtml(report);
//   ASSIGN_OR_RETURN(std::string pdf, reports::HtmlToPdf(html));  // ≈ 2–5 s
//   ASSIGN_OR_RETURN(std::string xlsx, reports::ReportXlsx(report));
//
// All are pure functions of the report (deterministic, thread-safe), except
// that ReportXlsx and HtmlToPdf go through a private temporary directory,
// which they remove.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "reports/complaint_analysis.h"

namespace edugov::reports {

// Every figure of the report (report_json.cc); the shape is documented in
// docs/reports.md and served by GET /api/v1/reports/complaints?format=json.
nlohmann::json ReportJson(const ComplaintReport& report);

// A self-contained UTF-8 page (inline CSS, CSS bar charts, no JavaScript):
// header with the distribution list, the sections of the report's kind, the
// weak links, the recommendations and the point-to-point feedback sections,
// laid out for A4 printing (report_html.cc).
std::string ReportHtml(const ComplaintReport& report);

// One sheet per section: 概况, 分类别, 按月, 分乡镇, 分学校, 专题 (topical),
// 薄弱环节, 整改问责建议, 点对点反馈 (report_xlsx.cc). kUnavailable when the
// temporary file cannot be written.
StatusOr<std::string> ReportXlsx(const ComplaintReport& report);

struct PdfOptions {
  // The headless browser; empty: $EDUGOV_CHROMIUM, else /usr/bin/chromium.
  std::string chromium;
  int timeout_seconds = 120;
};

// Prints `html` to A4 PDF with headless Chromium (report_pdf.cc). Chinese
// needs a CJK font installed (fonts-noto-cjk or fonts-wqy-microhei), or it
// prints as boxes. kUnavailable, saying what to install, when the browser is
// missing; kInternal with Chromium's exit status and last output when it
// fails or times out. Blocks the calling thread for the print (seconds),
// and first for its turn: one print per four cores (at least one) at a time.
StatusOr<std::string> HtmlToPdf(const std::string& html, const PdfOptions& options = {});

// The browser HtmlToPdf would run, or "" when none is installed.
std::string FindChromium(const PdfOptions& options = {});

}  // namespace edugov::reports
