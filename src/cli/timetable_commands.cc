#include "cli/timetable_commands.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "common/status.h"
#include "timetable/checker.h"
#include "timetable/fet_export.h"
#include "timetable/fet_import.h"
#include "timetable/generator.h"
#include "timetable/html_export.h"
#include "timetable/solver.h"
#include "timetable/xlsx_export.h"
#include "timetable/yaml_io.h"

namespace edugov::cli {
namespace {

using namespace edugov::timetable;

int Fail(const Status& s) {
  Lang lang = LangFromEnvironment();
  std::fprintf(stderr, "edugov: %s %s\n", lang == Lang::kZh ? "错误:" : "error:", s.ToString(lang).c_str());
  return 1;
}

StatusOr<std::string> Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status(StatusCode::kNotFound, "cannot open " + path, "无法打开文件 " + path, path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Status Write(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) return Status(StatusCode::kUnavailable, "cannot write " + path, "无法写入文件 " + path, path);
  return OkStatus();
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// An instance from .fet or YAML; for .fet also the raw text (so exports keep
// the original file) and the locked placements.
struct Loaded {
  Instance instance;
  std::string fet_text;
  Solution locked;
};

StatusOr<Loaded> Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, Slurp(path));
  Loaded out;
  if (EndsWith(path, ".yaml") || EndsWith(path, ".yml")) {
    ASSIGN_OR_RETURN(out.instance, InstanceFromYaml(text));
    return out;
  }
  ASSIGN_OR_RETURN(FetImport imp, ImportFetString(text, std::filesystem::path(path).filename().string()));
  out.instance = std::move(imp.instance);
  out.locked = std::move(imp.locked);
  out.fet_text = std::move(text);
  return out;
}

void PrintViolations(const CheckReport& rep, size_t limit) {
  size_t shown = 0;
  for (const Violation& v : rep.violations) {
    if (shown++ >= limit) {
      std::printf("  … %zu more\n", rep.violations.size() - limit);
      break;
    }
    std::printf("  [%s]%s %s: %s%s%s\n", v.hard ? "hard" : "soft",
                v.clause.empty() ? "" : (" clause " + v.clause + " /第" + v.clause + "条").c_str(), v.type.c_str(),
                v.what.c_str(), v.where.empty() ? "" : " @ ", v.where.c_str());
  }
}

struct SolveOptions {
  std::string input, out = "timetable-out";
  double time_limit = 60;
  uint64_t seed = 1;
  int64_t work_limit = 0;
  bool first_complete = false;
  // What to write: any of fet, html, xlsx. The benchmark asks for fet only,
  // as fet-cl --htmllevel=0 writes only its XML.
  std::string formats = "fet,html,xlsx";
};

bool Wants(const std::string& formats, std::string_view f) {
  size_t start = 0;
  while (start <= formats.size()) {
    size_t comma = formats.find(',', start);
    if (comma == std::string::npos) comma = formats.size();
    if (std::string_view(formats).substr(start, comma - start) == f) return true;
    start = comma + 1;
  }
  return false;
}

int RunSolve(const SolveOptions& o) {
  auto loaded = Load(o.input);
  if (!loaded.ok()) return Fail(loaded.status());
  const Instance& in = loaded->instance;
  SolveParams p;
  p.seed = o.seed;
  p.time_limit_seconds = o.time_limit;
  p.work_limit = o.work_limit;
  p.stop_at_first_complete = o.first_complete;
  p.on_improvement = [](const Progress& pr) {
    // The line the benchmark reads for time-to-first-complete.
    std::printf("t=%.3f hard=%d soft=%.2f\n", pr.seconds, pr.hard, pr.soft);
    std::fflush(stdout);
  };
  SolveResult r = Solve(in, p);
  CheckReport rep = Check(in, r.solution);  // the referee, not the solver's own count
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  auto fet = ExportFet(in, r.solution, loaded->fet_text);
  if (!fet.ok()) return Fail(fet.status());
  if (Wants(o.formats, "fet")) {
    if (Status s = Write(o.out + "/timetable.fet", fet->xml); !s.ok()) return Fail(s);
  }
  if (Wants(o.formats, "html")) {
    if (Status s = Write(o.out + "/timetable.html", TimetableHtml(in, r.solution)); !s.ok()) return Fail(s);
  }
  if (Wants(o.formats, "xlsx")) {
    if (Status s = WriteTimetableXlsx(in, r.solution, o.out + "/timetables.xlsx"); !s.ok()) return Fail(s);
  }
  std::printf("done: seconds=%.3f work=%lld first_complete=%.3f hard=%d soft=%.2f (checker: hard=%d soft=%.2f)\n",
              r.seconds, static_cast<long long>(r.work), r.first_complete_seconds, r.hard, r.soft,
              rep.hard_violations, rep.soft_cost);
  std::printf("wrote %s in %s (%d locked starts)\n", o.formats.c_str(), o.out.c_str(),
              fet->locked_times);
  if (rep.hard_violations > 0) {
    std::printf("incomplete; constraints that conflict:\n");
    for (const std::string& c : r.conflicts) std::printf("  %s\n", c.c_str());
    PrintViolations(rep, 20);
    return 2;
  }
  return 0;
}

int RunCheck(const std::string& input, const std::string& timetable) {
  auto loaded = Load(input);
  if (!loaded.ok()) return Fail(loaded.status());
  Solution sol = loaded->locked;
  if (!timetable.empty()) {
    if (EndsWith(timetable, ".xml")) {
      auto text = Slurp(timetable);
      if (!text.ok()) return Fail(text.status());
      auto s = ReadFetActivitiesTimetable(loaded->instance, *text);
      if (!s.ok()) return Fail(s.status());
      sol = std::move(*s);
    } else {
      auto t = Load(timetable);
      if (!t.ok()) return Fail(t.status());
      if (t->locked.placements.size() != loaded->instance.activities.size()) {
        return Fail(InvalidArgumentError("the timetable has a different number of activities than the input",
                                         "课表的活动数与输入不一致"));
      }
      sol = std::move(t->locked);
    }
  }
  CheckReport rep = Check(loaded->instance, sol);
  std::printf("hard=%d soft=%.2f violations=%zu\n", rep.hard_violations, rep.soft_cost, rep.violations.size());
  PrintViolations(rep, 200);
  return rep.hard_violations == 0 ? 0 : 2;
}

struct GenerateOptions {
  std::string stage = "primary", curriculum, out;  // curriculum: by stage unless given
  int classes = 24, students = 0;
  uint64_t seed = 1;
};

int RunGenerate(const GenerateOptions& o) {
  std::string path = o.curriculum;
  if (path.empty()) {
    path = o.stage == "senior" ? "policy/curriculum/hunan-senior-example.yaml"
                               : "policy/curriculum/hunan-compulsory-example.yaml";
  }
  auto cur = LoadCurriculum(path);
  if (!cur.ok()) return Fail(cur.status());
  GeneratorParams gp;
  gp.stage = o.stage == "primary" ? Stage::kPrimary : o.stage == "junior" ? Stage::kJunior : Stage::kSenior;
  gp.classes = o.classes;
  gp.students = o.students;
  gp.seed = o.seed;
  auto in = GenerateSchool(gp, *cur);
  if (!in.ok()) return Fail(in.status());
  std::string yaml = InstanceToYaml(*in);
  if (o.out.empty() || o.out == "-") {
    std::fwrite(yaml.data(), 1, yaml.size(), stdout);
  } else if (Status s = Write(o.out, yaml); !s.ok()) {
    return Fail(s);
  } else {
    std::fprintf(stderr, "wrote %s: %zu activities, %zu teachers, %zu rooms, %zu constraints\n", o.out.c_str(),
                 in->activities.size(), in->teachers.size(), in->rooms.size(), in->constraints.size());
  }
  return 0;
}

}  // namespace

void RegisterTimetableCommands(CLI::App& app, int* exit_code) {
  CLI::App* tt = app.add_subcommand("timetable", "排课：求解、校验、生成 / timetabling: solve, check, generate");
  tt->require_subcommand(1);

  auto so = std::make_shared<SolveOptions>();
  CLI::App* solve = tt->add_subcommand("solve", "求解课表 / build a timetable (.fet or .yaml input)");
  solve->add_option("--input", so->input, "instance: .fet (FET 5/6) or .yaml (ours)")->required();
  solve->add_option("--time-limit", so->time_limit, "seconds (safety net; default 60)");
  solve->add_option("--seed", so->seed, "random seed (default 1)");
  solve->add_option("--work-limit", so->work_limit, "deterministic work units (0: none); repeatable runs");
  solve->add_option("--out", so->out, "output directory (timetable.fet, timetable.html, timetables.xlsx)");
  solve->add_option("--formats", so->formats, "what to write: any of fet,html,xlsx (default all)")
      ->check([](const std::string& v) -> std::string {
        size_t start = 0;
        while (start <= v.size()) {
          size_t comma = v.find(',', start);
          if (comma == std::string::npos) comma = v.size();
          std::string_view f = std::string_view(v).substr(start, comma - start);
          if (f != "fet" && f != "html" && f != "xlsx") {
            return "unknown format '" + std::string(f) + "' (fet, html, xlsx)";
          }
          start = comma + 1;
        }
        return {};
      });
  solve->add_flag("--first-complete", so->first_complete, "stop at the first complete timetable");
  solve->callback([so, exit_code] { *exit_code = RunSolve(*so); });

  auto input = std::make_shared<std::string>();
  auto timetable = std::make_shared<std::string>();
  CLI::App* check = tt->add_subcommand("check", "校验课表 / check a timetable against every rule");
  check->add_option("--input", *input, "instance (.fet or .yaml); a .fet's locked times are the timetable")
      ->required();
  check->add_option("--timetable", *timetable,
                    "timetable: a .fet with locked times (ours or FET's *_data_and_timetable.fet) or FET's "
                    "*_activities.xml");
  check->callback([input, timetable, exit_code] { *exit_code = RunCheck(*input, *timetable); });

  auto go = std::make_shared<GenerateOptions>();
  CLI::App* gen = tt->add_subcommand("generate", "生成示例学校 / generate a Chinese school instance (YAML)");
  gen->add_option("--stage", go->stage, "primary | junior | senior")
      ->check(CLI::IsMember({"primary", "junior", "senior"}));
  gen->add_option("--classes", go->classes, "number of classes (default 24)");
  gen->add_option("--students", go->students, "total students (default 45 per class)");
  gen->add_option("--seed", go->seed, "random seed (default 1)");
  gen->add_option("--curriculum", go->curriculum,
                  "curriculum table YAML (default: policy/curriculum/hunan-{compulsory,senior}-example.yaml)");
  gen->add_option("--out", go->out, "output file (default stdout)");
  gen->callback([go, exit_code] { *exit_code = RunGenerate(*go); });
}

}  // namespace edugov::cli
