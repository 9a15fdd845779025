// `edugov report complaints`: the complaint analysis report (docs/reports.md)
// written to a file as HTML, PDF or XLSX (or JSON).
#include <cstdio>
#include <fstream>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/case_services.h"
#include "common/clock.h"
#include "reports/category_labels.h"
#include "reports/complaint_analysis.h"
#include "reports/report_formats.h"

namespace edugov::cli {

namespace {

struct ReportArgs {
  std::string db = DefaultDbUrl();
  std::string kind = "routine";
  std::string from;
  std::string to;
  std::string topic;
  int64_t scope = 0;
  std::string format = "html";
  std::string out;
  std::string as_of;
  std::string cases_dir = kDefaultCasesDir;
};

Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
  f.close();
  if (!f) return Status(StatusCode::kUnavailable, "cannot write " + path, "无法写入 " + path, "--out");
  return OkStatus();
}

Status Run(const ReportArgs& a) {
  reports::ComplaintReportRequest req;
  auto kind = reports::ParseReportKind(a.kind);
  if (!kind) {
    return Status(StatusCode::kInvalidArgument, "--kind must be routine, regional or topical, not '" + a.kind + "'",
                  "--kind 须为 routine、regional 或 topical,而不是 '" + a.kind + "'", "--kind");
  }
  req.kind = *kind;
  if (a.format != "html" && a.format != "pdf" && a.format != "xlsx" && a.format != "json") {
    return Status(StatusCode::kInvalidArgument, "--format must be html, pdf, xlsx or json, not '" + a.format + "'",
                  "--format 须为 html、pdf、xlsx 或 json,而不是 '" + a.format + "'", "--format");
  }
  auto from = Date::Parse(a.from);
  if (!from.ok()) return Status(from.status()).WithField("--from");
  auto to = Date::Parse(a.to);
  if (!to.ok()) return Status(to.status()).WithField("--to");
  req.from = *from;
  req.to = *to;
  req.topic = a.topic;
  req.scope_org_id = a.scope;
  // Category labels and thresholds are the complaint case type's
  // (policy/cases/complaint.yaml).
  ASSIGN_OR_RETURN(cases::CaseTypeRegistry types, cases::CaseTypeRegistry::LoadDir(a.cases_dir));
  req.categories = reports::ComplaintCategoryLabels(types);
  ASSIGN_OR_RETURN(req.thresholds, reports::ComplaintReportThresholds(types));
  if (!a.as_of.empty()) {
    ASSIGN_OR_RETURN(TimePoint t, ParseTimestamp(a.as_of));
    req.as_of_us = ToUnixMicros(t);
  } else {
    // A report on a period still running counts overdue cases as of now.
    const int64_t now = ToUnixMicros(RealClock().Now());
    const int64_t end = (static_cast<int64_t>(to->AddDays(1).DaysSinceEpoch()) * 86400 - 8 * 3600) * 1000000;
    if (now < end) req.as_of_us = now;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db, OpenDatabase(a.db, /*require_current_schema=*/true));
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, db->Acquire());
  ASSIGN_OR_RETURN(reports::ComplaintReport report, reports::AnalyzeComplaints(*conn, req));
  std::string bytes;
  if (a.format == "html") {
    bytes = reports::ReportHtml(report);
  } else if (a.format == "json") {
    bytes = reports::ReportJson(report).dump(2) + "\n";
  } else if (a.format == "xlsx") {
    ASSIGN_OR_RETURN(bytes, reports::ReportXlsx(report));
  } else {
    ASSIGN_OR_RETURN(bytes, reports::HtmlToPdf(reports::ReportHtml(report)));
  }
  RETURN_IF_ERROR(WriteFile(a.out, bytes));
  std::printf("edugov: %s (%s, %s): %lld complaints, %zu weak links, %zu recommendations → %s\n",
              report.title.zh.c_str(), a.kind.c_str(), a.format.c_str(),
              static_cast<long long>(report.current.received), report.weak_links.size(),
              report.recommendations.size(), a.out.c_str());
  return OkStatus();
}

}  // namespace

void RegisterReportCommands(CLI::App& app, int* exit_code) {
  auto* report = app.add_subcommand("report", "Analysis reports / 分析报告");
  report->require_subcommand(1);
  auto a = std::make_shared<ReportArgs>();
  auto* cmd = report->add_subcommand(
      "complaints", "Complaint analysis: routine, regional or topical / 信访投诉举报分析报告");
  cmd->add_option("--db", a->db, "sqlite:PATH or postgresql://…");
  cmd->add_option("--kind", a->kind, "routine | regional | topical");
  cmd->add_option("--from", a->from, "first day, YYYY-MM-DD")->required();
  cmd->add_option("--to", a->to, "last day, YYYY-MM-DD (inclusive)")->required();
  cmd->add_option("--topic", a->topic, "the complaint category of a topical report (e.g. meals)");
  cmd->add_option("--scope", a->scope, "org id: only this township's or school's part (point-to-point)");
  cmd->add_option("--format", a->format, "html | pdf | xlsx | json");
  cmd->add_option("--out", a->out, "the file to write")->required();
  cmd->add_option("--cases-dir", a->cases_dir, "case types, for category labels (default policy/cases)");
  cmd->add_option("--as-of", a->as_of, "count overdue cases as of this instant (RFC 3339); default: the period's end, or now");
  cmd->callback([a, exit_code] {
    Status s = Run(*a);
    *exit_code = s.ok() ? 0 : ReportError(s);
  });
}

}  // namespace edugov::cli
