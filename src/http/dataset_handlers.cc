// /api/v1/datasets and /api/v1/imports: thin — parse the request, call one
// datasets:: function, map the result (dataset_handlers.h lists the routes).
#include "http/dataset_handlers.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>

#include <spdlog/spdlog.h>

#include "datasets/import.h"
#include "datasets/schema_file.h"
#include "datasets/store.h"
#include "datasets/template.h"
#include "http/json_input.h"
#include "http/list_export.h"
#include "http/route.h"
#include "compliance/service.h"
#include "compliance/sweep_jobs.h"
#include "http/sweep_handlers.h"
#include "tabular/csv_reader.h"
#include "tabular/xlsx_reader.h"

namespace edugov::http {
namespace {

using accounts::Principal;
using datasets::DatasetSchema;

constexpr std::string_view kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
constexpr size_t kMaxUploadBytes = 50 * 1024 * 1024;

// The schemas, loaded once at registration; a dataset's table is created on
// its first use (EnsureDatasetTables is idempotent, the set saves the query).
struct DatasetState {
  Status load_status;
  std::vector<DatasetSchema> schemas;
  std::mutex mutex;
  std::set<std::string> ensured;  // guarded by mutex
};

Status Unavailable(const DatasetState& state) {
  return UnavailableError("datasets are unavailable: " + state.load_status.message_en(),
                          "数据集不可用：" + state.load_status.message_zh());
}

// The dataset named in the path with its table in place, or the error.
StatusOr<const DatasetSchema*> Resolve(DatasetState& state, storage::Connection& conn,
                                       const std::string& name) {
  if (!state.load_status.ok()) return Unavailable(state);
  const DatasetSchema* schema = datasets::FindDataset(state.schemas, name);
  if (!schema) return datasets::UnknownDatasetError(state.schemas, name);
  std::lock_guard<std::mutex> lock(state.mutex);
  if (!state.ensured.count(name)) {
    RETURN_IF_ERROR(datasets::EnsureDatasetTables(conn, {*schema}));
    state.ensured.insert(name);
  }
  return schema;
}

nlohmann::json ReportJson(const datasets::ImportReport& r) {
  nlohmann::json problems = nlohmann::json::array();
  for (const datasets::ImportProblem& p : r.problems) {
    problems.push_back({{"row", p.row_number}, {"column", p.column}, {"value", p.value},
                        {"reason_zh", p.reason_zh}, {"reason_en", p.reason_en}});
  }
  nlohmann::json j = {{"import_id", r.import_id},         {"dataset", r.dataset},
                      {"status", r.status},               {"rows_total", r.rows_total},
                      {"rows_ok", r.rows_ok},             {"rows_inserted", r.rows_inserted},
                      {"rows_updated", r.rows_updated},   {"rows_rejected", r.rows_rejected},
                      {"problems", std::move(problems)},  {"ignored_columns", r.ignored_columns}};
  if (r.rows_rejected > 0) {
    j["errors_url"] = "/api/v1/imports/" + std::to_string(r.import_id) + "/errors.csv";
  }
  return j;
}

nlohmann::json RecordJson(const datasets::ImportRecord& r) {
  return {{"id", r.id},
          {"dataset", r.dataset},
          {"file_name", r.file_name},
          {"encoding", r.encoding},
          {"format", r.format},
          {"rows_total", r.rows_total},
          {"rows_ok", r.rows_ok},
          {"rows_updated", r.rows_updated},
          {"rows_rejected", r.rows_rejected},
          {"actor", r.actor},
          {"started_at_us", r.started_at_us},
          {"finished_at_us", r.finished_at_us},
          {"status", r.status}};
}

nlohmann::json SchemaJson(const DatasetSchema& s) {
  nlohmann::json cols = nlohmann::json::array();
  for (const datasets::ColumnSchema& c : s.columns) {
    nlohmann::json col = {{"name", c.name},
                          {"label_zh", c.label_zh},
                          {"type", datasets::ColumnTypeName(c.type)},
                          {"required", c.required}};
    if (c.type == datasets::ColumnType::kRef) col["ref"] = datasets::RefKindName(c.ref);
    if (!c.enum_values.empty()) col["values"] = c.enum_values;
    // Parallel to values, "" where none is declared; only when some are.
    if (std::any_of(c.enum_labels_zh.begin(), c.enum_labels_zh.end(), [](const std::string& l) { return !l.empty(); })) {
      col["value_labels_zh"] = c.enum_labels_zh;
    }
    if (c.min) col["min"] = *c.min;
    if (c.max) col["max"] = *c.max;
    cols.push_back(std::move(col));
  }
  return {{"name", s.name},          {"label_zh", s.label_zh}, {"key", s.key},
          {"period", s.period_column}, {"entity", s.entity_column}, {"columns", std::move(cols)}};
}

// The media type without parameters, lower-cased.
std::string MediaType(const Request& req) {
  std::string t = req.Header("content-type");
  t = t.substr(0, t.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

// A JSON form value as the text a file cell would hold.
StatusOr<std::string> CellText(const std::string& key, const nlohmann::json& v) {
  if (v.is_null()) return std::string();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "1" : "0");
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return v.dump();
  return FieldError(key, key + " must be a string, number, boolean or null",
                    key + " 须为字符串、数字、布尔值或 null");
}

// 200 with the report, or 422 when rows were rejected (the report names them).
StatusOr<Response> Import(DatasetState& state, RouteContext& c) {
  App& app = c.app();
  Request& req = c.req();
  const Principal& p = c.principal();
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(const DatasetSchema* schema, Resolve(state, *conn, c.PathText("name")));

  const std::string type = MediaType(req);
  datasets::ImportOptions options;
  options.file_name = req.Query("file_name").value_or("upload");
  std::unique_ptr<tabular::RowSource> source;
  if (type == kXlsxType) {
    tabular::XlsxOptions xo;
    xo.sheet = req.Query("sheet").value_or("");
    ASSIGN_OR_RETURN(source, tabular::OpenXlsxBytes(std::move(req.body), xo));
    options.format = "xlsx";
  } else if (type == "text/csv" || type == "application/csv" || type == "text/plain") {
    tabular::CsvOptions co;
    const std::string enc = req.Query("encoding").value_or("auto");
    if (enc != "auto") {
      co.encoding = tabular::ParseEncodingName(enc);
      if (!co.encoding) {
        return FieldError("encoding", "encoding must be auto, utf-8 or gbk", "encoding 须为 auto、utf-8 或 gbk");
      }
    }
    ASSIGN_OR_RETURN(auto csv, tabular::OpenCsvBytes(std::move(req.body), co));
    options.format = "csv";
    options.encoding = std::string(tabular::EncodingName(csv->encoding()));
    source = std::move(csv);
  } else {
    return FieldError("Content-Type",
                      "Content-Type must be text/csv or " + std::string(kXlsxType) + ", not '" + type + "'",
                      "Content-Type 须为 text/csv 或 XLSX（" + std::string(kXlsxType) + "），而不是「" + type + "」");
  }
  options.collect_landed = app.compliance != nullptr;  // to keep the live image current
  ASSIGN_OR_RETURN(datasets::ImportReport report,
                   datasets::Import(*conn, p, *app.clock, *schema, *source, options, nullptr));
  // Committed: the rows go into the re-check's live image (rules/live_image.h)
  // — a failure only costs a reload on next use — and a sweep that starts
  // after this commit judges them (the answer names its job).
  nlohmann::json out = ReportJson(report);
  if (app.compliance && !report.landed.empty()) {
    if (Status s = app.compliance->Ingested(*conn, schema->name, report.landed); !s.ok()) {
      spdlog::warn("live image after import {}: {}", report.import_id, s.ToString());
    }
    report.landed = {};
    if (app.sweeps && app.compliance->ReadsDataset(schema->name)) {
      auto [job, joined] = app.sweeps->StartAfterWrite(compliance::SweepJobs::Trigger::kImport,
                                                       p.display_name.empty() ? p.username : p.display_name);
      out["sweep"] = SweepJobJson(job, c.lang());
    }
  }
  c.LogNote("import=" + std::to_string(report.import_id));
  return JsonResponse(out, report.rows_rejected == 0 ? 200 : 422);
}

}  // namespace

// The re-check's outcome for the form's answer: counts, the open finding
// ids, the groups still running (a week not over yet: 进行中, with where it
// is heading) and the rectifications it moved; or {error} (logged) when it
// failed — the row has landed either way.
nlohmann::json RecheckJson(const StatusOr<compliance::SubmitResult>& r, Lang lang) {
  if (!r.ok()) {
    spdlog::warn("re-check after a form row failed: {}", r.status().ToString());
    return {{"error", lang == Lang::kZh ? r.status().message_zh() : r.status().message_en()}};
  }
  const rules::RecheckSummary& s = r->recheck;
  nlohmann::json running = nlohmann::json::array();
  for (const compliance::InProgressGroup& g : r->in_progress) {
    running.push_back({{"rule", g.rule->id},
                       {"clause", g.rule->clause},
                       {"title_zh", g.rule->title_zh},
                       {"entity", {{"type", g.group.entity_type}, {"id", g.group.entity_id}, {"name", g.group.entity_name}}},
                       {"period_kind", g.group.period_kind},
                       {"period_label", g.group.period_label},
                       {"period_start", g.group.period_start},
                       {"period_end", g.group.period_end},
                       {"aggregate", g.rule->check.aggregate == rules::bound::Aggregate::kAvg ? "avg"
                                     : g.rule->check.aggregate == rules::bound::Aggregate::kSum ? "sum"
                                     : g.rule->check.aggregate == rules::bound::Aggregate::kCount ? "count"
                                                                                                 : "other"},
                       {"measured", g.group.measured},
                       {"projected", g.projected},
                       {"threshold", g.group.threshold},
                       {"comparison", g.group.comparison},
                       {"at_risk", g.at_risk},
                       {"days_elapsed", g.days_elapsed},
                       {"days_total", g.days_total}});
  }
  return {{"rules", s.rules},
          {"opened", s.opened},
          {"standing", s.standing},
          {"reopened", s.reopened},
          {"resolved", s.resolved},
          {"open_finding_ids", s.open_finding_ids},
          {"in_progress", std::move(running)},
          {"cases", {{"opened", r->cases.opened}, {"linked", r->cases.linked}, {"to_verify", r->cases.to_verify}}}};
}

namespace {

// 201 with the new row, 200 when it updated one, 422 with the report when
// the row was rejected.
StatusOr<Response> AddRow(DatasetState& state, RouteContext& c) {
  App& app = c.app();
  const Principal& p = c.principal();
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(const DatasetSchema* schema, Resolve(state, *conn, c.PathText("name")));
  // The fields are the dataset's columns, so the body is read here rather
  // than declared with JsonBody().
  ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(c.req().body));
  std::vector<std::string> header, cells;
  for (const auto& [key, value] : body.items()) {
    if (!schema->FindColumn(key) && key != "school_code") {
      return FieldError(key, "unknown field " + key + " for dataset " + schema->name,
                        "数据集「" + schema->label_zh + "」没有字段 " + key);
    }
    ASSIGN_OR_RETURN(std::string text, CellText(key, value));
    header.push_back(key);
    cells.push_back(std::move(text));
  }
  datasets::MemoryRowSource source(std::move(header), {std::move(cells)});
  datasets::ImportOptions options{.file_name = "web form", .format = "form", .collect_landed = true};
  ASSIGN_OR_RETURN(datasets::ImportReport report,
                   datasets::Import(*conn, p, *app.clock, *schema, source, options, nullptr));
  if (report.rows_ok == 0) return JsonResponse(ReportJson(report), 422);
  const int64_t row_id = report.landed.empty() ? 0 : report.landed[0].row_id;
  nlohmann::json out = {
      {"row_id", row_id}, {"import_id", report.import_id}, {"updated", report.rows_updated > 0}};
  // The row has committed; its findings are re-checked now so the UI shows them at once.
  if (app.compliance) {
    out["recheck"] = RecheckJson(app.compliance->Submit(*conn, p, schema->name, report.landed), c.lang());
  }
  return JsonResponse(out, report.rows_updated > 0 ? 200 : 201);
}

}  // namespace

void RegisterDatasetHandlers(Router& router, App& app) {
  auto state = std::make_shared<DatasetState>();
  // The schemas of the pack the compliance service loaded (once per process).
  if (app.compliance) {
    state->schemas = app.compliance->pack()->pack().datasets;
    spdlog::info("datasets: {} declared in {}", state->schemas.size(), app.compliance->policy_path());
  } else {
    state->load_status = app.compliance_status.ok() ? UnavailableError("no policy pack", "未加载政策包")
                                                    : app.compliance_status;
    spdlog::warn("datasets unavailable: {}", state->load_status.ToString());
  }

  RouteBuilder routes(router, app);
  routes.Get("/api/v1/datasets").Json([state](RouteContext&) -> StatusOr<nlohmann::json> {
    if (!state->load_status.ok()) return Unavailable(*state);
    nlohmann::json items = nlohmann::json::array();
    for (const DatasetSchema& s : state->schemas) items.push_back(SchemaJson(s));
    return nlohmann::json{{"items", std::move(items)}};
  });
  routes.Post("/api/v1/datasets/{name}/import")
      .Options({.max_body_bytes = kMaxUploadBytes, .heavy = true})
      .Raw([state](RouteContext& c) { return Import(*state, c); });
  // The import template (datasets/template.h): Chinese headers with notes,
  // dropdowns, and for a school its own classes.
  routes.Get("/api/v1/datasets/{name}/template.xlsx").Raw([state](RouteContext& c) -> StatusOr<Response> {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(const DatasetSchema* schema, Resolve(*state, *conn, c.PathText("name")));
    ASSIGN_OR_RETURN(std::string xlsx, datasets::WriteImportTemplate(*conn, c.principal(), *schema));
    Response res;
    res.content_type = std::string(kXlsxType);
    res.body = std::move(xlsx);
    res.AddHeader("Content-Disposition", AttachmentDisposition(schema->label_zh + "-导入模板.xlsx",
                                                            schema->name + "-template.xlsx"));
    return res;
  });
  routes.Post("/api/v1/datasets/{name}/rows").Raw([state](RouteContext& c) { return AddRow(*state, c); });
  routes.Get("/api/v1/imports/{id}").Ids({"id"}).Json([](RouteContext& c) -> StatusOr<nlohmann::json> {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(datasets::ImportRecord rec, datasets::GetImport(*conn, c.principal(), c.Id()));
    return RecordJson(rec);
  });
  routes.Get("/api/v1/imports/{id}/errors.csv").Ids({"id"}).Raw([](RouteContext& c) -> StatusOr<Response> {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(std::string csv, datasets::WriteAnnotatedCsv(*conn, c.principal(), c.Id()));
    Response res;
    res.content_type = "text/csv; charset=utf-8";
    res.body = std::move(csv);
    res.AddHeader("Content-Disposition",
                  "attachment; filename=\"import-" + std::to_string(c.Id()) + "-errors.csv\"");
    return res;
  });
}

}  // namespace edugov::http
