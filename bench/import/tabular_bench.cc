// Rows per second of the tabular readers (docs/benchmarks.md §2: CSV import
// ≥ 1 M rows/s, XLSX ≥ 200 k rows/s, with validation on top). Reading only:
// these are the readers' share of the budget. Files are generated once per
// run into $TMPDIR; each iteration opens, decodes and reads every row, and
// touches every cell so nothing is optimised away.
//
//   cmake -B build-bench -G Ninja -DEDUGOV_BENCH=ON -DCMAKE_BUILD_TYPE=Release
//   ninja -C build-bench tabular_bench && build-bench/src/tabular/tabular_bench
//   (bench/import/readers.sh does this and writes bench/results/import-readers.md)
#include <benchmark/benchmark.h>
#include <iconv.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "tabular/csv_reader.h"
#include "tabular/xlsx_reader.h"

namespace edugov::tabular {
namespace {

std::string TempDir() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

// A student roster: 8 columns, Chinese text, a quoted field every row.
std::string MakeCsv(int rows) {
  std::string text = "学号,姓名,性别,学校,年级,班级,出生日期,身份证号\n";
  char line[256];
  for (int i = 0; i < rows; ++i) {
    const int n = std::snprintf(
        line, sizeof line, "%08d,学生%d,%s,\"安化县第%d中学, 本部\",%d,%d,2012-%02d-%02d,43092320120%07d\n",
        i, i, i % 2 ? "男" : "女", i % 40 + 1, i % 6 + 1, i % 12 + 1, i % 12 + 1, i % 28 + 1, i);
    text.append(line, static_cast<size_t>(n));
  }
  return text;
}

std::string ToGbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  std::string out(utf8.size() * 2, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* o = out.data();
  size_t out_left = out.size();
  iconv(cd, &in, &in_left, &o, &out_left);
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

const std::string& CsvPath(bool gbk) {
  static const std::string utf8_path = [] {
    const std::string p = TempDir() + "/tabular_bench_utf8.csv";
    std::ofstream(p, std::ios::binary) << MakeCsv(1000000);
    return p;
  }();
  static const std::string gbk_path = [] {
    const std::string p = TempDir() + "/tabular_bench_gbk.csv";
    std::ofstream(p, std::ios::binary) << ToGbk(MakeCsv(1000000));
    return p;
  }();
  return gbk ? gbk_path : utf8_path;
}

// Written as Excel does: shared strings (libxlsxwriter's default mode),
// dates in a date format, numbers.
const std::string& XlsxPath() {
  static const std::string path = [] {
    const std::string p = TempDir() + "/tabular_bench.xlsx";
    lxw_workbook* wb = workbook_new(p.c_str());
    lxw_worksheet* ws = workbook_add_worksheet(wb, "学生");
    lxw_format* date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    const char* header[] = {"学号", "姓名", "性别", "学校", "年级", "班级", "出生日期", "分数"};
    for (int c = 0; c < 8; ++c) worksheet_write_string(ws, 0, c, header[c], nullptr);
    char buf[64];
    for (int r = 1; r <= 200000; ++r) {
      std::snprintf(buf, sizeof buf, "%08d", r);
      worksheet_write_string(ws, r, 0, buf, nullptr);
      std::snprintf(buf, sizeof buf, "学生%d", r);
      worksheet_write_string(ws, r, 1, buf, nullptr);
      worksheet_write_string(ws, r, 2, r % 2 ? "男" : "女", nullptr);
      std::snprintf(buf, sizeof buf, "安化县第%d中学", r % 40 + 1);
      worksheet_write_string(ws, r, 3, buf, nullptr);
      worksheet_write_number(ws, r, 4, r % 6 + 1, nullptr);
      worksheet_write_number(ws, r, 5, r % 12 + 1, nullptr);
      worksheet_write_number(ws, r, 6, 40900 + r % 2000, date);
      worksheet_write_number(ws, r, 7, (r % 1000) / 10.0, nullptr);
    }
    workbook_close(wb);
    return p;
  }();
  return path;
}

void Drain(benchmark::State& state, RowSource& src) {
  Row row;
  int64_t rows = 0;
  size_t bytes = 0;
  for (;;) {
    auto more = src.Next(row);
    if (!more.ok()) {
      state.SkipWithError(more.status().ToString().c_str());
      return;
    }
    if (!*more) break;
    ++rows;
    for (std::string_view c : row.cells) bytes += c.size();
  }
  benchmark::DoNotOptimize(bytes);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows),
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.counters["rows"] = static_cast<double>(rows);
}

void BM_Csv(benchmark::State& state, bool gbk) {
  const std::string& path = CsvPath(gbk);
  for (auto _ : state) {
    auto src = OpenCsvFile(path);
    if (!src.ok()) {
      state.SkipWithError(src.status().ToString().c_str());
      return;
    }
    Drain(state, **src);
  }
}

void BM_Xlsx(benchmark::State& state) {
  const std::string& path = XlsxPath();
  for (auto _ : state) {
    auto src = OpenXlsxFile(path);
    if (!src.ok()) {
      state.SkipWithError(src.status().ToString().c_str());
      return;
    }
    Drain(state, **src);
  }
}

BENCHMARK_CAPTURE(BM_Csv, utf8_1M, false)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Csv, gbk_1M, true)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Xlsx)->Name("BM_Xlsx/200k")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace edugov::tabular

BENCHMARK_MAIN();
