// Full dataset import throughput (docs/benchmarks.md §2): generated homework
// files through datasets::Import — read, decode, validate every cell
// (types, ranges, class references in scope, in-file duplicates), upsert,
// quarantine, audit, one transaction — into a fresh database.
//
//   import_bench DB_URL [CSV_ROWS=1000000] [XLSX_ROWS=200000]
//
// DB_URL: "sqlite:/tmp/x.db" (created fresh: delete it first) or a
// postgresql:// URL of an empty database. Prints one markdown table row per
// run on stdout; bench/import/run.sh collects them into bench/results/import.md.
#include <xlsxwriter.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/date.h"
#include "datasets/import.h"
#include "datasets/schema.h"
#include "datasets/store.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "tabular/csv_reader.h"
#include "tabular/xlsx_reader.h"

namespace edugov {
namespace {

constexpr const char* kPack = R"(
- name: homework
  label_zh: 每日作业公示
  entity: class_id
  period: date
  key: [class_id, date]
  columns:
    - {name: class_id, type: ref, ref: class, required: true, label_zh: 班级}
    - {name: date, type: date, required: true, label_zh: 日期}
    - {name: written_minutes, type: int, required: true, min: 0, max: 600, label_zh: 书面作业分钟}
    - {name: phone_based, type: bool, label_zh: 手机布置}
    - {name: subject, type: enum, values: [chinese, math, english, other], label_zh: 学科}
    - {name: published_at, type: time, label_zh: 公示时间}
- name: homework_xlsx
  entity: class_id
  period: date
  key: [class_id, date]
  columns:
    - {name: class_id, type: ref, ref: class, required: true, label_zh: 班级}
    - {name: date, type: date, required: true, label_zh: 日期}
    - {name: written_minutes, type: int, required: true, min: 0, max: 600, label_zh: 书面作业分钟}
    - {name: phone_based, type: bool, label_zh: 手机布置}
    - {name: subject, type: enum, values: [chinese, math, english, other], label_zh: 学科}
    - {name: published_at, type: time, label_zh: 公示时间}
)";
constexpr int kTownships = 20, kSchoolsPer = 10, kClassesPer = 20;  // 4000 classes

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}
template <typename T>
T Check(StatusOr<T> s, const char* what) {
  Check(s.status(), what);
  return std::move(*s);
}

// A county: /1/, townships /1/t/, schools /1/t/s/ with 20 classes each.
std::vector<int64_t> SeedRegistry(storage::Connection& conn) {
  std::vector<storage::Params> orgs, classes;
  std::vector<int64_t> class_ids;
  orgs.push_back({int64_t{1}, storage::Null(), std::string("county"), std::string("C1"),
                  std::string("县教育局"), std::string("/1/"), storage::Null(), int64_t{0}, int64_t{0}});
  int64_t id = 2, class_id = 1;
  for (int t = 0; t < kTownships; ++t) {
    const int64_t tid = id++;
    const std::string tpath = "/1/" + std::to_string(tid) + "/";
    orgs.push_back({tid, int64_t{1}, std::string("township"), "C" + std::to_string(tid),
                    "乡镇" + std::to_string(t), tpath, std::string("primary"), int64_t{0}, int64_t{0}});
    for (int s = 0; s < kSchoolsPer; ++s) {
      const int64_t sid = id++;
      orgs.push_back({sid, tid, std::string("school"), "C" + std::to_string(sid),
                      "学校" + std::to_string(sid), tpath + std::to_string(sid) + "/",
                      std::string("primary"), int64_t{0}, int64_t{0}});
      for (int c = 0; c < kClassesPer; ++c) {
        classes.push_back({class_id, sid, int64_t{3 + c % 4},
                           std::to_string(c) + "班", int64_t{0}, int64_t{0}});
        class_ids.push_back(class_id++);
      }
    }
  }
  Check(storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
          RETURN_IF_ERROR(tx.BulkInsert("orgs", {"id", "parent_id", "kind", "code", "name", "path", "stage",
                                                 "created_at", "updated_at"},
                                        orgs));
          return tx.BulkInsert("classes", {"id", "school_id", "grade", "name", "created_at", "updated_at"},
                               classes);
        }),
        "seed");
  return class_ids;
}

struct Cell {
  std::string class_id, date, minutes, phone, subject, time;
};

// Row i: class i % classes, day i / classes; every 1000th row is bad.
Cell MakeRow(const std::vector<int64_t>& classes, int64_t i, int64_t day0) {
  static const char* kSubjects[] = {"chinese", "math", "english", "other"};
  const size_t n = classes.size();
  const int64_t c = classes[static_cast<size_t>(i) % n];
  const int64_t day = i / static_cast<int64_t>(n);
  return {std::to_string(c), Date::FromDaysSinceEpoch(static_cast<int32_t>(day0 + day)).ToString(),
          i % 1000 == 999 ? "abc" : std::to_string((c * 7 + day * 13) % 120),
          i % 50 == 0 ? "是" : "否", kSubjects[i % 4], "16:30"};
}

std::string MakeCsv(const std::vector<int64_t>& classes, int64_t rows, int64_t day0) {
  std::string out = "班级,日期,书面作业分钟,手机布置,学科,公示时间\n";
  out.reserve(static_cast<size_t>(rows) * 44);
  for (int64_t i = 0; i < rows; ++i) {
    Cell r = MakeRow(classes, i, day0);
    out += r.class_id + ',' + r.date + ',' + r.minutes + ',' + r.phone + ',' + r.subject + ',' + r.time + '\n';
  }
  return out;
}

void MakeXlsx(const std::string& path, const std::vector<int64_t>& classes, int64_t rows, int64_t day0) {
  lxw_workbook_options opts = {.constant_memory = LXW_TRUE, .tmpdir = nullptr};
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &opts);
  lxw_worksheet* ws = workbook_add_worksheet(wb, "作业");
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd");
  const char* header[] = {"班级", "日期", "书面作业分钟", "手机布置", "学科", "公示时间"};
  for (int c = 0; c < 6; ++c) worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), header[c], nullptr);
  for (int64_t i = 0; i < rows; ++i) {
    Cell r = MakeRow(classes, i, day0);
    const lxw_row_t row = static_cast<lxw_row_t>(i + 1);
    worksheet_write_number(ws, row, 0, std::stod(r.class_id), nullptr);
    Date d = Date::Parse(r.date).value();
    lxw_datetime dt = {d.year(), d.month(), d.day(), 0, 0, 0};
    worksheet_write_datetime(ws, row, 1, &dt, date);
    if (r.minutes == "abc") {
      worksheet_write_string(ws, row, 2, "abc", nullptr);
    } else {
      worksheet_write_number(ws, row, 2, std::stod(r.minutes), nullptr);
    }
    worksheet_write_string(ws, row, 3, r.phone.c_str(), nullptr);
    worksheet_write_string(ws, row, 4, r.subject.c_str(), nullptr);
    worksheet_write_string(ws, row, 5, r.time.c_str(), nullptr);
  }
  workbook_close(wb);
}

// This process's CPU seconds (the machine is shared: wall time suffers
// first, CPU time shows the importer's own cost; the database server's CPU
// is not included for PostgreSQL).
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void Report(const char* backend, const char* what, const datasets::ImportReport& r, double secs,
            double cpu) {
  std::printf("| %s | %s | %lld | %lld | %lld | %.2f s | %.0f | %.2f s | %.0f |\n", backend, what,
              static_cast<long long>(r.rows_total), static_cast<long long>(r.rows_ok),
              static_cast<long long>(r.rows_rejected), secs, static_cast<double>(r.rows_total) / secs,
              cpu, static_cast<double>(r.rows_total) / cpu);
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: import_bench DB_URL [CSV_ROWS] [XLSX_ROWS]\n");
    return 2;
  }
  const std::string url = argv[1];
  const int64_t csv_rows = argc > 2 ? std::stoll(argv[2]) : 1000000;
  const int64_t xlsx_rows = argc > 3 ? std::stoll(argv[3]) : 200000;
  auto db = Check(storage::Database::Open(url), "open");
  auto conn = Check(db->Acquire(), "acquire");
  Check(storage::Migrate(*conn, RealClock()).status(), "migrate");
  const std::vector<int64_t> classes = SeedRegistry(*conn);
  auto schemas = Check(datasets::ParseDatasets(YAML::Load(kPack), "bench"), "pack");
  Check(datasets::EnsureDatasetTables(*conn, schemas), "tables");
  const char* backend = db->backend() == storage::Backend::kSqlite ? "SQLite" : "PostgreSQL";
  accounts::Principal bureau{.user_id = 1, .username = "bench", .role = accounts::Role::kBureauLeader,
                             .org_id = 1, .org_path = "/1/"};
  const int64_t day0 = Date::FromYmd(2025, 9, 1).DaysSinceEpoch();
  using Clock = std::chrono::steady_clock;

  {  // CSV into an empty table.
    std::string csv = MakeCsv(classes, csv_rows, day0);
    const auto t0 = Clock::now();
    const double c0 = CpuSeconds();
    auto src = Check(tabular::OpenCsvBytes(std::move(csv)), "csv");
    auto r = Check(datasets::Import(*conn, bureau, RealClock(), schemas[0], *src,
                                    {.file_name = "bench.csv", .format = "csv", .encoding = "UTF-8"}, nullptr),
                   "import csv");
    Report(backend, "CSV, empty table (bulk load)", r, std::chrono::duration<double>(Clock::now() - t0).count(),
           CpuSeconds() - c0);
  }
  // ONLY_BULK=1: stop after the first run (for a profile of the bulk load).
  if (std::getenv("ONLY_BULK") != nullptr) return 0;
  {  // The same CSV again: every key exists, every row is an update.
    std::string csv = MakeCsv(classes, csv_rows, day0);
    const auto t0 = Clock::now();
    const double c0 = CpuSeconds();
    auto src = Check(tabular::OpenCsvBytes(std::move(csv)), "csv");
    auto r = Check(datasets::Import(*conn, bureau, RealClock(), schemas[0], *src,
                                    {.file_name = "bench.csv", .format = "csv", .encoding = "UTF-8"}, nullptr),
                   "import csv again");
    Report(backend, "CSV again, 1 M-row table (every row an update)", r, std::chrono::duration<double>(Clock::now() - t0).count(),
           CpuSeconds() - c0);
  }
  const std::string path = (std::filesystem::temp_directory_path() / "edugov_import_bench.xlsx").string();
  if (std::getenv("NO_XLSX") == nullptr) {
  MakeXlsx(path, classes, xlsx_rows, day0 + 400);
  {  // XLSX into its own empty table (bulk load).
    const auto t0 = Clock::now();
    const double c0 = CpuSeconds();
    auto src = Check(tabular::OpenXlsxFile(path), "xlsx");
    auto r = Check(datasets::Import(*conn, bureau, RealClock(), schemas[1], *src,
                                    {.file_name = "bench.xlsx", .format = "xlsx"}, nullptr),
                   "import xlsx");
    Report(backend, "XLSX, empty table", r, std::chrono::duration<double>(Clock::now() - t0).count(),
           CpuSeconds() - c0);
  }
  {  // The same XLSX, later days, into the 1 M-row table (upserts of new keys).
    const auto t0 = Clock::now();
    const double c0 = CpuSeconds();
    auto src = Check(tabular::OpenXlsxFile(path), "xlsx");
    auto r = Check(datasets::Import(*conn, bureau, RealClock(), schemas[0], *src,
                                    {.file_name = "bench.xlsx", .format = "xlsx"}, nullptr),
                   "import xlsx");
    Report(backend, "XLSX, new rows into the 1 M-row table", r, std::chrono::duration<double>(Clock::now() - t0).count(),
           CpuSeconds() - c0);
    std::filesystem::remove(path);
  }
  }  // NO_XLSX=1: straight to the form rows (a profile of them)
  {  // Web-form rows, one import each (the teacher's daily homework form),
     // into the 1.2 M-row table: imports row, row, audit entry, one
     // transaction (and one commit) per row. Later days: all inserts.
    constexpr int64_t kForms = 2000;
    datasets::ImportReport total;
    const auto t0 = Clock::now();
    const double c0 = CpuSeconds();
    for (int64_t i = 0; i < kForms; ++i) {
      Cell r = MakeRow(classes, i, day0 + 2000);
      datasets::MemoryRowSource form({"class_id", "date", "written_minutes", "phone_based"},
                                     {{r.class_id, r.date, r.minutes == "abc" ? "30" : r.minutes, r.phone}});
      auto one = Check(datasets::Import(*conn, bureau, RealClock(), schemas[0], form,
                                        {.file_name = "web form", .format = "form", .collect_landed = true},
                                        nullptr),
                       "import form row");
      total.rows_total += one.rows_total;
      total.rows_ok += one.rows_ok;
      total.rows_rejected += one.rows_rejected;
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    Report(backend, "form rows, one import (and commit) each, into the 1.2 M-row table", total, secs,
           CpuSeconds() - c0);
    std::fprintf(stderr, "%s form row: %.0f µs wall, %.0f µs CPU per row\n", backend, secs / kForms * 1e6,
                 (CpuSeconds() - c0) / kForms * 1e6);
  }
  return 0;
}

}  // namespace
}  // namespace edugov

int main(int argc, char** argv) { return edugov::Main(argc, argv); }
