// `edugov import`: see import_command.h and docs/datasets.md.
#include "cli/import_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "accounts/users.h"
#include "cli/cli_util.h"
#include "datasets/import.h"
#include "datasets/schema_file.h"
#include "datasets/store.h"
#include "rules/binder.h"
#include "rules/policy_parser.h"
#include "tabular/csv_reader.h"
#include "tabular/xlsx_reader.h"

namespace edugov::cli {
namespace {

// The pack's datasets as the rules binder leaves them (with the semesters a
// school-day rule's dataset carries).
StatusOr<std::vector<datasets::DatasetSchema>> LoadPackDatasets(const std::string& path) {
  ASSIGN_OR_RETURN(rules::ast::Pack ast, rules::ParsePolicyFile(path));
  ASSIGN_OR_RETURN(rules::bound::Pack pack, rules::Bind(ast));
  return std::move(pack.datasets);
}

struct ImportArgs {
  std::string dataset;
  std::string file;
  std::string db = DefaultDbUrl();
  std::string policy = "policy/anhua-2025.yaml";
  std::string as;  // username; empty: the command line's own identity
  std::string encoding = "auto";
  std::string sheet;
  std::string errors_out;  // default: FILE's name + ".errors.csv" in the current directory
};

bool IsXlsx(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".xlsx" || ext == ".xlsm";
}

// Data rows of a CSV file, by counting line ends (quoted line breaks make it
// an overestimate; good enough for a progress bar).
int64_t EstimateRows(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;
  std::vector<char> buf(1 << 20);
  int64_t lines = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) lines += buf[static_cast<size_t>(i)] == '\n';
  }
  return lines > 0 ? lines - 1 : 0;
}

class ProgressBar {
 public:
  ProgressBar(bool enabled, int64_t total) : enabled_(enabled), total_(total),
                                             start_(std::chrono::steady_clock::now()) {}
  void Update(int64_t done) {
    if (!enabled_) return;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    if (total_ > 0) {
      const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
      const int width = 30, filled = static_cast<int>(frac * width);
      std::string bar(static_cast<size_t>(filled), '#');
      bar.append(static_cast<size_t>(width - filled), '.');
      std::fprintf(stderr, "\r  [%s] %3.0f%%  %lld 行  %.0f 行/秒 ", bar.c_str(), frac * 100,
                   static_cast<long long>(done), rate);
    } else {
      std::fprintf(stderr, "\r  %lld 行  %.0f 行/秒 ", static_cast<long long>(done), rate);
    }
    std::fflush(stderr);
  }
  void Done() {
    if (enabled_) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_;
  int64_t total_;
  std::chrono::steady_clock::time_point start_;
};

int Run(const ImportArgs& a) {
  const Lang lang = LangFromEnvironment();
  const bool zh = lang == Lang::kZh;
  // The bound pack, not just its datasets: a dataset its school-day rules
  // read carries the semesters, so rows outside them are flagged.
  auto schemas = LoadPackDatasets(a.policy);
  if (!schemas.ok()) return ReportError(schemas.status());
  const datasets::DatasetSchema* schema = datasets::FindDataset(*schemas, a.dataset);
  if (!schema) return ReportError(datasets::UnknownDatasetError(*schemas, a.dataset));

  auto db = OpenDatabase(a.db, /*require_current_schema=*/true);
  if (!db.ok()) return ReportError(db.status());
  auto conn = (*db)->Acquire();
  if (!conn.ok()) return ReportError(conn.status());
  if (Status s = datasets::EnsureDatasetTables(**conn, {*schema}); !s.ok()) return ReportError(s);

  accounts::Principal principal = accounts::SystemPrincipal();
  if (!a.as.empty()) {
    auto user = accounts::GetUserByUsername(**conn, a.as);
    if (!user.ok()) return ReportError(Status(user.status()).WithField("--as"));
    principal = accounts::PrincipalFor(*user);
  }

  std::unique_ptr<tabular::RowSource> source;
  datasets::ImportOptions options;
  options.file_name = std::filesystem::path(a.file).filename().string();
  int64_t estimate = 0;
  if (IsXlsx(a.file)) {
    tabular::XlsxOptions xo;
    xo.sheet = a.sheet;
    auto xlsx = tabular::OpenXlsxFile(a.file, xo);
    if (!xlsx.ok()) return ReportError(xlsx.status());
    options.format = "xlsx";
    source = std::move(*xlsx);
  } else {
    tabular::CsvOptions co;
    if (a.encoding != "auto") {
      co.encoding = tabular::ParseEncodingName(a.encoding);
      if (!co.encoding) {
        return ReportError(Status(StatusCode::kInvalidArgument,
                                  "--encoding must be auto, utf-8 or gbk, not '" + a.encoding + "'",
                                  "--encoding 须为 auto、utf-8 或 gbk，而不是「" + a.encoding + "」",
                                  "--encoding"));
      }
    }
    auto csv = tabular::OpenCsvFile(a.file, co);
    if (!csv.ok()) return ReportError(csv.status());
    options.format = "csv";
    options.encoding = std::string(tabular::EncodingName((*csv)->encoding()));
    source = std::move(*csv);
  }
  const bool tty = isatty(fileno(stderr));
  if (tty && options.format == "csv") estimate = EstimateRows(a.file);
  ProgressBar bar(tty, estimate);
  options.max_report_problems = 10;

  const auto start = std::chrono::steady_clock::now();
  auto report = datasets::Import(**conn, principal, RealClock(), *schema, *source, options,
                                 [&bar](int64_t done) { bar.Update(done); });
  bar.Done();
  if (!report.ok()) return ReportError(report.status());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto& r = *report;
  if (zh) {
    std::printf("导入「%s」（%s）→ 导入记录 %lld：共 %lld 行，成功 %lld 行（新增 %lld，更新 %lld），"
                "拒绝 %lld 行，用时 %.2f 秒。\n",
                schema->label_zh.c_str(), options.file_name.c_str(), static_cast<long long>(r.import_id),
                static_cast<long long>(r.rows_total), static_cast<long long>(r.rows_ok),
                static_cast<long long>(r.rows_inserted), static_cast<long long>(r.rows_updated),
                static_cast<long long>(r.rows_rejected), secs);
  } else {
    std::printf("import %lld into %s (%s): %lld rows, %lld landed (%lld new, %lld updated), "
                "%lld rejected, in %.2f s.\n",
                static_cast<long long>(r.import_id), schema->name.c_str(), options.file_name.c_str(),
                static_cast<long long>(r.rows_total), static_cast<long long>(r.rows_ok),
                static_cast<long long>(r.rows_inserted), static_cast<long long>(r.rows_updated),
                static_cast<long long>(r.rows_rejected), secs);
  }
  if (!r.ignored_columns.empty()) {
    std::string cols;
    for (const std::string& c : r.ignored_columns) cols += (cols.empty() ? "" : ", ") + c;
    std::printf(zh ? "  已忽略未声明的列：%s\n" : "  ignored undeclared columns: %s\n", cols.c_str());
  }
  // Kept but worth a look (a row outside every semester: 不在任何学期内).
  if (r.rows_warned > 0) {
    std::printf(zh ? "  %lld 行已保存但需注意：\n" : "  %lld row(s) kept with a warning:\n",
                static_cast<long long>(r.rows_warned));
    for (size_t i = 0; i < std::min<size_t>(r.warnings.size(), 5); ++i) {
      const datasets::ImportProblem& w = r.warnings[i];
      std::printf(zh ? "  第 %lld 行 %s：%s\n" : "  row %lld %s: %s\n", static_cast<long long>(w.row_number),
                  w.column.c_str(), (zh ? w.reason_zh : w.reason_en).c_str());
    }
  }
  if (r.rows_rejected == 0) return 0;

  const size_t shown = std::min<size_t>(r.problems.size(), 5);
  for (size_t i = 0; i < shown; ++i) {
    const datasets::ImportProblem& p = r.problems[i];
    const std::string& reason = zh ? p.reason_zh : p.reason_en;
    if (zh) {
      std::printf("  第 %lld 行%s%s：%s\n", static_cast<long long>(p.row_number),
                  p.column.empty() ? "" : " ", p.column.c_str(), reason.c_str());
    } else {
      std::printf("  row %lld%s%s: %s\n", static_cast<long long>(p.row_number),
                  p.column.empty() ? "" : " ", p.column.c_str(), reason.c_str());
    }
  }
  const std::string out = !a.errors_out.empty()
                              ? a.errors_out
                              : std::filesystem::path(a.file).stem().string() + ".errors.csv";
  auto annotated = datasets::WriteAnnotatedCsv(**conn, principal, r.import_id);
  if (!annotated.ok()) return ReportError(annotated.status());
  std::ofstream f(out, std::ios::binary);
  f << *annotated;
  if (!f) {
    return ReportError(Status(StatusCode::kUnavailable, "cannot write " + out, "无法写入 " + out, "--errors"));
  }
  std::printf(zh ? "  被拒绝的行及原因已写入 %s（修改后可重新导入；也可通过 GET /api/v1/imports/%lld/errors.csv 下载）\n"
                 : "  the rejected rows with reasons are in %s (fix and import again; also at "
                   "GET /api/v1/imports/%lld/errors.csv)\n",
              out.c_str(), static_cast<long long>(r.import_id));
  return 2;
}

}  // namespace

void RegisterImportCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "import", "import a CSV or XLSX file into a dataset (导入数据文件); exit 2 if rows were rejected");
  cmd->add_option("DATASET", args->dataset, "the dataset's name in the policy pack")->required();
  cmd->add_option("FILE", args->file, "a .csv (UTF-8, GBK, UTF-16) or .xlsx file")->required();
  cmd->add_option("--db", args->db, "database URL (sqlite:PATH or postgresql://…)");
  cmd->add_option("--policy", args->policy, "the policy pack declaring the datasets");
  cmd->add_option("--as", args->as, "import as this user (their org subtree); default: the command line");
  cmd->add_option("--encoding", args->encoding, "CSV encoding: auto, utf-8 or gbk");
  cmd->add_option("--sheet", args->sheet, "XLSX worksheet name (default: the first)");
  cmd->add_option("--errors", args->errors_out,
                  "where to write the annotated error file (default: FILE's name + .errors.csv)");
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace edugov::cli
