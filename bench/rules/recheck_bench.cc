// bench/rules: the incremental check of docs/benchmarks.md §1 ("when one class
// submits one day: p99 ≤ 5 ms"), the live image (src/rules/live_image.h)
// side by side with the previous path that re-reads the registry and the
// touched school's rows from the store on every submission (RecheckSubmission).
//
//   recheck_bench --db sqlite:/tmp/county.db --days 80 --submissions 200 --runs 3 --out bench/results/X
//
// The store must hold a registry (`edugov migrate` + `edugov demo-data
// --scale county|city`). If ds_homework is empty it is filled with --days
// school days of homework for every class (one row per class and day,
// deterministic). Then, per run, --submissions form rows go through the real
// importer (one class, one day after the filled semester: a new row, or a
// correction when the pick repeats); each is re-checked by one path,
// alternating, so both see the same data and the same machine noise. Timed:
// for the live path apply + re-check + save; for the store path re-check +
// save (it has nothing to apply). The import itself is timed apart (the
// row's own write, common to both). Writes OUT.json and OUT.md.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "accounts/principal.h"
#include "datasets/import.h"
#include "datasets/schema_file.h"
#include "datasets/store.h"
#include "registry/registry.h"
#include "rules/live_image.h"
#include "rules/recheck.h"
#include "storage/database.h"

using namespace edugov;
using Clk = std::chrono::steady_clock;

namespace {

double Ms(Clk::time_point a, Clk::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}
// This thread's CPU time: what the work costs, apart from waiting for a
// core on a busy machine.
double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double Median(std::vector<double> v) { return Pct(std::move(v), 0.5); }

int Fail(const Status& s) {
  std::fprintf(stderr, "recheck_bench: %s\n", s.ToString().c_str());
  return 1;
}

struct Class {
  int64_t id;
  int grade;
  std::string path;
};

int Minutes(std::mt19937_64& rng, int grade) {
  const int r = static_cast<int>(rng() % 100);
  if (grade <= 2) return r < 3 ? 20 : 0;
  if (grade <= 6) return 30 + r * 40 / 100;
  return 60 + r * 50 / 100;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, out = "bench/results/rules-incremental", policy = "policy/anhua-2025.yaml", label;
  int days = 80, submissions = 200, runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--db") url = v;
    else if (k == "--days") days = std::stoi(v);
    else if (k == "--submissions") submissions = std::stoi(v);
    else if (k == "--runs") runs = std::stoi(v);
    else if (k == "--out") out = v;
    else if (k == "--policy") policy = v;
    else if (k == "--label") label = v;
  }
  if (url.empty()) {
    std::fprintf(stderr, "usage: recheck_bench --db URL [--days N] [--submissions N] [--runs N] [--out PREFIX]\n");
    return 2;
  }
  auto db = storage::Database::Open(url);
  if (!db.ok()) return Fail(db.status());
  auto handle = (*db)->Acquire();
  if (!handle.ok()) return Fail(handle.status());
  storage::Connection& conn = **handle;
  auto rechecker = rules::SubmissionRechecker::Load(policy);
  if (!rechecker.ok()) return Fail(rechecker.status());
  const rules::bound::Pack& pack = (*rechecker)->pack();
  if (auto s = datasets::EnsureDatasetTables(conn, pack.datasets); !s.ok()) return Fail(s);
  const datasets::DatasetSchema* homework = datasets::FindDataset(pack.datasets, "homework");
  if (!homework) return Fail(NotFoundError("no homework dataset", "无作业数据集"));

  auto cls = conn.Query("SELECT c.id, c.grade, o.path FROM classes c JOIN orgs o ON o.id = c.school_id ORDER BY c.id");
  if (!cls.ok()) return Fail(cls.status());
  std::vector<Class> classes;
  for (size_t r = 0; r < cls->size(); ++r) classes.push_back({cls->GetInt(r, 0), static_cast<int>(cls->GetInt(r, 1)), cls->GetText(r, 2)});
  if (classes.empty()) return Fail(FailedPreconditionError("no classes: run edugov demo-data first", "没有班级"));

  // School days: weekdays from 2025-09-01.
  std::vector<Date> school_days;
  for (Date d = Date::FromYmd(2025, 9, 1); static_cast<int>(school_days.size()) < days + 10; d = d.AddDays(1)) {
    const int wd = (d.DaysSinceEpoch() + 3) % 7;  // 0 = Monday (1970-01-01 was a Thursday)
    if (wd < 5) school_days.push_back(d);
  }
  std::mt19937_64 rng(1);
  auto count = conn.Query("SELECT COUNT(*) FROM ds_homework");
  if (!count.ok()) return Fail(count.status());
  int64_t rows = count->GetInt(0, 0);
  double fill_s = 0;
  if (rows == 0) {
    const auto t0 = Clk::now();
    Status s = storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
      int64_t row_id = 1;
      std::string sql;
      storage::Params params;
      auto flush = [&]() -> Status {
        if (params.empty()) return OkStatus();
        Status st = tx.Execute("INSERT INTO ds_homework (row_id, org_path, submitted_at, class_id, date, "
                               "written_minutes, phone_based) VALUES " + sql, params).status();
        sql.clear();
        params.clear();
        return st;
      };
      for (int d = 0; d < days; ++d) {
        for (const Class& c : classes) {
          const size_t b = params.size();
          sql += std::string(sql.empty() ? "" : ", ") + "($" + std::to_string(b + 1) + ", $" + std::to_string(b + 2) +
                 ", 0, $" + std::to_string(b + 3) + ", $" + std::to_string(b + 4) + ", $" + std::to_string(b + 5) +
                 ", $" + std::to_string(b + 6) + ")";
          params.emplace_back(row_id++);
          params.emplace_back(c.path);
          params.emplace_back(c.id);
          params.emplace_back(school_days[static_cast<size_t>(d)].ToString());
          params.emplace_back(int64_t{Minutes(rng, c.grade)});
          params.emplace_back(int64_t{rng() % 200 == 0 ? 1 : 0});
          if (params.size() >= 600) RETURN_IF_ERROR(flush());
        }
      }
      return flush();
    });
    if (!s.ok()) return Fail(s);
    fill_s = Ms(t0, Clk::now()) / 1000;
    rows = static_cast<int64_t>(days) * static_cast<int64_t>(classes.size());
  }

  // As of two weeks after the submitted days: every week judged.
  const Date as_of = school_days.back().AddDays(14);
  FakeClock clock(TimePoint(std::chrono::seconds(static_cast<int64_t>(as_of.DaysSinceEpoch()) * 86400 + 4 * 3600)));
  const accounts::Principal bureau{.user_id = 1, .username = "bench", .role = accounts::Role::kBureauLeader,
                                   .org_id = 1, .org_path = "/"};
  auto root = conn.Query("SELECT id, path FROM orgs WHERE parent_id IS NULL ORDER BY path LIMIT 1");
  if (!root.ok() || root->empty()) return Fail(InternalError("no root org", "无根机构"));
  accounts::Principal who = bureau;
  who.org_id = root->GetInt(0, 0);
  who.org_path = root->GetText(0, 1);

  // Cold: the live image's first load.
  const auto tl = Clk::now();
  if (auto s = (*rechecker)->live().Apply(conn, as_of, "homework", {}); !s.ok()) return Fail(s);
  // An empty Apply does not load: force it through a real (already stored) row.
  {
    auto one = conn.Query("SELECT row_id, class_id, date, written_minutes, phone_based FROM ds_homework "
                          "ORDER BY row_id LIMIT 1");
    if (!one.ok()) return Fail(one.status());
    datasets::IngestedRow r{one->GetInt(0, 0), {one->at(0, 1), one->at(0, 2), one->at(0, 3), one->at(0, 4)}};
    if (auto s = (*rechecker)->live().Apply(conn, as_of, "homework", {r}); !s.ok()) return Fail(s);
  }
  const double load_ms = Ms(tl, Clk::now());
  const rules::LiveImage::Stats st = (*rechecker)->live().GetStats();

  struct Run {
    std::vector<double> live_cpu, store_cpu;
    std::vector<double> live, store, import, live_eval, live_save, store_eval, store_save;
    int64_t live_rows_read = 0, store_rows_read = 0;
  };
  std::vector<Run> all;
  for (int run = 0; run < runs; ++run) {
    Run R;
    for (int i = 0; i < submissions; ++i) {
      const Class& c = classes[rng() % classes.size()];
      const Date day = school_days[static_cast<size_t>(days) + rng() % 10];
      datasets::MemoryRowSource source({"class_id", "date", "written_minutes", "phone_based"},
                                       {{std::to_string(c.id), day.ToString(),
                                         std::to_string(Minutes(rng, c.grade) + (rng() % 10 == 0 ? 100 : 0)), "0"}});
      datasets::ImportOptions options{.file_name = "web form", .format = "form", .collect_landed = true};
      const auto ti = Clk::now();
      auto report = datasets::Import(conn, who, clock, *homework, source, options, nullptr);
      R.import.push_back(Ms(ti, Clk::now()));
      if (!report.ok()) return Fail(report.status());
      if (report->rows_ok != 1) return Fail(InternalError("row rejected: " + (report->problems.empty() ? std::string() : report->problems[0].reason_en), "行被拒"));
      if (i % 2 == 0) {
        const double c0 = CpuMs();
        const auto t0 = Clk::now();
        auto s = (*rechecker)->Recheck(conn, clock, "homework", report->landed);
        R.live.push_back(Ms(t0, Clk::now()));
        R.live_cpu.push_back(CpuMs() - c0);
        if (!s.ok()) return Fail(s.status());
        R.live_rows_read += s->rows_read;
        R.live_eval.push_back(static_cast<double>(s->evaluate_us) / 1000);
        R.live_save.push_back(static_cast<double>(s->save_us) / 1000);
      } else {
        const double c0 = CpuMs();
        const auto t0 = Clk::now();
        auto s = rules::RecheckSubmission(conn, pack, "homework", report->landed, as_of, clock);
        R.store.push_back(Ms(t0, Clk::now()));
        R.store_cpu.push_back(CpuMs() - c0);
        if (!s.ok()) return Fail(s.status());
        R.store_rows_read += s->rows_read;
        R.store_eval.push_back(static_cast<double>(s->evaluate_us) / 1000);
        R.store_save.push_back(static_cast<double>(s->save_us) / 1000);
        // Keep the live image current (untimed: this submission was the store path's).
        if (auto a = (*rechecker)->live().Apply(conn, as_of, "homework", report->landed); !a.ok()) return Fail(a);
      }
    }
    all.push_back(std::move(R));
  }

  std::vector<double> lp50, lp99, sp50, sp99, ip50;
  nlohmann::json jruns = nlohmann::json::array();
  for (const Run& R : all) {
    lp50.push_back(Pct(R.live, 0.5));
    lp99.push_back(Pct(R.live, 0.99));
    sp50.push_back(Pct(R.store, 0.5));
    sp99.push_back(Pct(R.store, 0.99));
    ip50.push_back(Pct(R.import, 0.5));
    jruns.push_back({{"live_p50_ms", lp50.back()}, {"live_p99_ms", lp99.back()}, {"store_p50_ms", sp50.back()},
                     {"store_p99_ms", sp99.back()}, {"import_p50_ms", ip50.back()},
                     {"live_p90_ms", Pct(R.live, 0.9)}, {"live_p95_ms", Pct(R.live, 0.95)},
                     {"live_cpu_p50_ms", Pct(R.live_cpu, 0.5)}, {"live_cpu_p99_ms", Pct(R.live_cpu, 0.99)},
                     {"store_cpu_p50_ms", Pct(R.store_cpu, 0.5)}, {"store_cpu_p99_ms", Pct(R.store_cpu, 0.99)},
                     {"live_evaluate_p50_ms", Pct(R.live_eval, 0.5)}, {"live_evaluate_p99_ms", Pct(R.live_eval, 0.99)},
                     {"live_save_p50_ms", Pct(R.live_save, 0.5)}, {"live_save_p99_ms", Pct(R.live_save, 0.99)},
                     {"store_evaluate_p50_ms", Pct(R.store_eval, 0.5)}, {"store_save_p50_ms", Pct(R.store_save, 0.5)},
                     {"live_rows_read_per_check", R.live.empty() ? 0 : R.live_rows_read / static_cast<int64_t>(R.live.size())},
                     {"store_rows_read_per_check", R.store.empty() ? 0 : R.store_rows_read / static_cast<int64_t>(R.store.size())}});
  }
  const double L50 = Median(lp50), L99 = Median(lp99), S50 = Median(sp50), S99 = Median(sp99);
  nlohmann::json j = {{"label", label},
                      {"db", url.substr(0, url.find(':'))},
                      {"classes", classes.size()},
                      {"homework_rows", rows},
                      {"fill_s", fill_s},
                      {"live_load_ms", load_ms},
                      {"live_rows_held", st.rows},
                      {"submissions_per_run", submissions},
                      {"runs", jruns},
                      {"median_live_p50_ms", L50},
                      {"median_live_p99_ms", L99},
                      {"median_store_p50_ms", S50},
                      {"median_store_p99_ms", S99},
                      {"ratio_p50", L50 > 0 ? S50 / L50 : 0},
                      {"ratio_p99", L99 > 0 ? S99 / L99 : 0},
                      {"median_import_p50_ms", Median(ip50)}};
  std::ofstream(out + ".json") << j.dump(2) << "\n";
  char line[512];
  std::string md;
  std::snprintf(line, sizeof line,
                "| %s | %s | %zu | %lld | %.0f | %.2f / %.2f | %.2f / %.2f | %.0f× / %.0f× | %.2f |\n",
                label.c_str(), url.substr(0, url.find(':')).c_str(), classes.size(), static_cast<long long>(rows),
                load_ms, L50, L99, S50, S99, L50 > 0 ? S50 / L50 : 0, L99 > 0 ? S99 / L99 : 0, Median(ip50));
  md = line;
  std::ofstream(out + ".md") << md;
  std::fputs(md.c_str(), stdout);
  for (const auto& r : jruns) std::printf("  run: %s\n", r.dump().c_str());
  return 0;
}
