// GET /api/v1/reports/complaints (report_handlers.h): parse, scope to the
// caller's subtree (through the registry), analyse (src/reports), render;
// a PDF printed before from the very same page comes from memory.
#include "http/report_handlers.h"

#include <string>
#include <string_view>

#include "cases/engine.h"
#include "http/query_params.h"
#include "http/route.h"
#include "registry/registry.h"
#include "reports/category_labels.h"
#include "reports/complaint_analysis.h"
#include "reports/pdf_cache.h"
#include "reports/report_formats.h"

namespace edugov::http {
namespace {

using accounts::Principal;

// The process's printed reports, by the page printed (reports/pdf_cache.h:
// the analysis runs on every request, so the data is always read fresh,
// and only an identical page — same data, scope, period and as-of — is
// served from memory). 64 MiB: some thirty county-wide yearly reports.
reports::PdfCache& PrintedPdfs() {
  static reports::PdfCache cache({.max_bytes = 64 << 20});
  return cache;
}

StatusOr<Date> QueryDate(const Request& req, const std::string& name) {
  auto text = req.Query(name);
  if (!text || text->empty()) {
    return ParamError(name, name + " is required (YYYY-MM-DD)", name + " 为必填项(YYYY-MM-DD)");
  }
  auto d = Date::Parse(*text);
  if (!d.ok()) return Status(d.status()).WithField(name);
  return *d;
}

// The org the report covers: the caller's own org, or `scope` inside it.
StatusOr<int64_t> ScopeOrg(storage::Connection& conn, const Request& req, const Principal& p) {
  auto text = req.Query("scope");
  if (!text) return p.org_id;
  int64_t id = 0;
  bool ok = !text->empty() && text->size() <= 12;
  for (char c : *text) {
    if (c < '0' || c > '9') ok = false;
    id = id * 10 + (c - '0');
  }
  if (!ok || id <= 0) {
    return ParamError("scope", "scope must be an org id, not \"" + *text + "\"",
                      "scope 须为单位 id,而不是“" + *text + "”");
  }
  auto org = registry::FindOrg(conn, p, id);  // scoped: kNotFound outside the subtree
  if (org.ok()) return id;
  if (org.status().code() != StatusCode::kNotFound) return org.status();
  return Status(StatusCode::kNotFound, "scope " + *text + ": no such org in your scope",
                "scope " + *text + ":您的管辖范围内没有该单位", "scope");
}

StatusOr<Response> Report(RouteContext& c) {
  const Principal& p = c.principal();
  App& app = c.app();
  const Request& req = c.req();
  if (p.role == accounts::Role::kTeacher || p.org_path.empty()) {
    return Status(StatusCode::kPermissionDenied,
                  "complaint reports are for the bureau, townships and schools, not teachers",
                  "信访投诉分析报告仅供教育局、乡镇中心学校和学校查阅,教师无权查看");
  }
  reports::ComplaintReportRequest r;
  const std::string kind_text = req.Query("kind").value_or("routine");
  auto kind = reports::ParseReportKind(kind_text);
  if (!kind) {
    return ParamError("kind", "kind must be routine, regional or topical, not \"" + kind_text + "\"",
                      "kind 须为 routine、regional 或 topical,而不是“" + kind_text + "”");
  }
  const std::string format = req.Query("format").value_or("json");
  if (format != "json" && format != "html" && format != "pdf" && format != "xlsx") {
    return ParamError("format", "format must be json, html, pdf or xlsx, not \"" + format + "\"",
                      "format 须为 json、html、pdf 或 xlsx,而不是“" + format + "”");
  }
  r.kind = *kind;
  ASSIGN_OR_RETURN(r.from, QueryDate(req, "from"));
  ASSIGN_OR_RETURN(r.to, QueryDate(req, "to"));
  r.topic = req.Query("topic").value_or("");
  // Labels and thresholds are the complaint case type's; a server without
  // case types has no complaints to analyse.
  if (app.cases == nullptr) {
    return Status(StatusCode::kFailedPrecondition,
                  "complaint reports need the case types (serve --cases-dir)",
                  "信访投诉分析报告需要案件类型配置(serve --cases-dir)", "cases_dir");
  }
  r.categories = reports::ComplaintCategoryLabels(app.cases->types());
  ASSIGN_OR_RETURN(r.thresholds, reports::ComplaintReportThresholds(app.cases->types()));
  // A period still running is reported as of the start of the current
  // minute, not the microsecond: the page then names a whole minute, and
  // everyone opening the same report in that minute gets the same bytes —
  // one print (PdfCache below) instead of one each.
  const int64_t now = ToUnixMicros(app.clock->Now());
  const int64_t end = (static_cast<int64_t>(r.to.AddDays(1).DaysSinceEpoch()) * 86400 - 8 * 3600) * 1000000;
  constexpr int64_t kMinuteUs = 60'000'000;
  if (now < end) r.as_of_us = now - now % kMinuteUs;

  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(r.scope_org_id, ScopeOrg(*conn, req, p));
  ASSIGN_OR_RETURN(reports::ComplaintReport report, reports::AnalyzeComplaints(*conn, r));
  c.ReleaseConn();  // the print below takes seconds: give the connection back first

  const std::string name = "complaints-" + kind_text + "-" + r.from.ToString() + "_" + r.to.ToString();
  Response resp;
  if (format == "json") {
    resp = JsonResponse(reports::ReportJson(report));
  } else if (format == "html") {
    resp.content_type = "text/html; charset=utf-8";
    resp.body = reports::ReportHtml(report);
  } else if (format == "xlsx") {
    ASSIGN_OR_RETURN(resp.body, reports::ReportXlsx(report));
    resp.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    resp.AddHeader("Content-Disposition", "attachment; filename=\"" + name + ".xlsx\"");
  } else {
    ASSIGN_OR_RETURN(reports::PdfCache::Printed pdf, PrintedPdfs().Print(reports::ReportHtml(report)));
    resp.body = *pdf.pdf;
    const std::string_view source = reports::PdfSourceName(pdf.source);
    resp.AddHeader("X-Report-Cache", std::string(source));
    c.LogNote("pdf=" + std::string(source));
    resp.content_type = "application/pdf";
    resp.AddHeader("Content-Disposition", "attachment; filename=\"" + name + ".pdf\"");
  }
  return resp;
}

}  // namespace

void RegisterReportHandlers(Router& router, App& app) {
  // Heavy: a year of cases analysed, then HTML, XLSX or a PDF printed by
  // Chromium (seconds) — on the worker pool, never on an I/O thread.
  RouteBuilder(router, app).Get("/api/v1/reports/complaints").Options({.heavy = true, .reads_only = true}).Raw(Report);
}

}  // namespace edugov::http
