// /api/v1/timetable/*: thin wrappers over the timetabling library (parse
// the upload, one library call, map the result). See timetable_handlers.h.
#include "http/timetable_handlers.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>

#include "http/json_input.h"
#include "timetable/checker.h"
#include "timetable/fet_export.h"
#include "timetable/fet_import.h"
#include "timetable/generator.h"
#include "timetable/grid.h"
#include "timetable/solver.h"
#include "timetable/xlsx_export.h"
#include "timetable/yaml_io.h"

namespace edugov::http {

namespace {

using accounts::Principal;
using accounts::Role;
using nlohmann::json;
namespace tt = edugov::timetable;

constexpr size_t kMaxUploadBytes = 10 * 1024 * 1024;
constexpr size_t kMaxExportBytes = 20 * 1024 * 1024;
constexpr double kMaxTimeLimit = 30;
constexpr double kDefaultTimeLimit = 10;
constexpr size_t kMaxViolations = 2000;  // the report lists at most this many
constexpr int64_t kMaxGeneratedClasses = 48;

Status FieldError(std::string field, std::string en, std::string zh) {
  return Status(StatusCode::kInvalidArgument, std::move(en), std::move(zh), std::move(field));
}

Status CheckRole(const Principal& p) {
  if (p.IsBureau() || p.role == Role::kTownship || p.role == Role::kSchool) return OkStatus();
  return PermissionDeniedError("timetables are for bureau, township and school accounts",
                               "排课功能仅向教育局、乡镇中心学校和学校账号开放");
}

// The instance in the body: FET XML or our YAML, by Content-Type, else by
// its first character. For a .fet also its locked times (the timetable).
struct Upload {
  tt::Instance instance;
  tt::Solution locked;
  bool fet = false;
};

StatusOr<Upload> ReadUpload(const Request& req) {
  const std::string type = req.Header("content-type");
  size_t first = req.body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return FieldError("body", "the body is empty: send a .fet file or an instance in YAML",
                      "请求体为空：请上传 .fet 文件或 YAML 格式的排课数据");
  }
  // A UTF-8 byte order mark is common in files saved on Windows.
  if (req.body.compare(first, 3, "\xEF\xBB\xBF") == 0) first = req.body.find_first_not_of(" \t\r\n", first + 3);
  bool fet = type.find("xml") != std::string::npos;
  if (type.find("yaml") == std::string::npos && !fet) fet = first != std::string::npos && req.body[first] == '<';
  Upload up;
  up.fet = fet;
  if (fet) {
    const std::string name = req.Query("file_name").value_or("upload.fet");
    ASSIGN_OR_RETURN(tt::FetImport imp, tt::ImportFetString(req.body, name));
    up.instance = std::move(imp.instance);
    up.locked = std::move(imp.locked);
  } else {
    ASSIGN_OR_RETURN(up.instance, tt::InstanceFromYaml(req.body));
  }
  if (up.locked.placements.size() != up.instance.activities.size()) {
    up.locked.placements.resize(up.instance.activities.size());
  }
  return up;
}

json PeriodsJson(const tt::Instance& in, const tt::TimetableGrids& g) {
  json periods = json::array();
  for (int p = 0; p < in.periods_per_day(); ++p) {
    const tt::Period& per = in.periods[p];
    periods.push_back({{"name", per.name},
                       {"start", tt::ClockLabel(per.start_minute)},
                       {"end", tt::ClockLabel(per.end_minute)},
                       {"reserved", p < static_cast<int>(g.reserved_periods.size()) && g.reserved_periods[p] != 0}});
  }
  return periods;
}

json InstanceJson(const tt::Instance& in, const tt::TimetableGrids& g) {
  json days = json::array();
  json days_zh = json::array();
  for (const std::string& d : in.days) {
    days.push_back(d);
    days_zh.push_back(tt::ChineseDayName(d));
  }
  return {{"name", in.name},
          {"days", std::move(days)},
          {"days_zh", std::move(days_zh)},
          {"periods", PeriodsJson(in, g)},
          {"counts",
           {{"activities", in.activities.size()},
            {"teachers", in.teachers.size()},
            {"classes", g.classes.size()},
            {"rooms", in.rooms.size()},
            {"constraints", in.constraints.size()}}}};
}

json GridJson(const tt::Grid& g) {
  json days = json::array();
  for (const auto& day : g.cells) {
    json periods = json::array();
    for (const auto& cell : day) {
      json lessons = json::array();
      for (const tt::GridLesson& l : cell) {
        lessons.push_back(
            {{"subject", l.subject}, {"teachers", l.teachers}, {"classes", l.classes}, {"room", l.room}});
      }
      periods.push_back(std::move(lessons));
    }
    days.push_back(std::move(periods));
  }
  return {{"name", g.name}, {"lessons", g.lessons}, {"cells", std::move(days)}};
}

json GridsJson(const std::vector<tt::Grid>& grids) {
  json out = json::array();
  for (const tt::Grid& g : grids) out.push_back(GridJson(g));
  return out;
}

json ReportJson(const tt::Instance& in, const tt::CheckReport& rep) {
  json violations = json::array();
  int hard_by_clause[3] = {0, 0, 0};
  for (const tt::Violation& v : rep.violations) {
    if (v.hard && (v.clause == "25" || v.clause == "26" || v.clause == "27")) ++hard_by_clause[v.clause[1] - '5'];
    if (violations.size() >= kMaxViolations) continue;
    std::string source;
    if (v.constraint >= 0 && v.constraint < static_cast<int>(in.constraints.size())) {
      source = in.constraints[v.constraint].source;
    }
    violations.push_back({{"constraint", v.constraint},
                          {"source", source},
                          {"type", v.type},
                          {"hard", v.hard},
                          {"cost", std::round(v.cost * 100) / 100},
                          {"what", v.what},
                          {"where", v.where},
                          {"clause", v.clause}});
  }
  return {{"hard", rep.hard_violations},
          {"soft", std::round(rep.soft_cost * 100) / 100},
          {"feasible", rep.feasible()},
          {"total_violations", rep.violations.size()},
          {"truncated", rep.violations.size() > kMaxViolations},
          {"hard_by_clause", {{"25", hard_by_clause[0]}, {"26", hard_by_clause[1]}, {"27", hard_by_clause[2]}}},
          {"violations", std::move(violations)}};
}

json PlacementsJson(const tt::Solution& sol) {
  json out = json::array();
  for (const tt::Placement& p : sol.placements) out.push_back(json::array({p.start, p.room}));
  return out;
}

// What check, solve and generate all answer: the instance, the referee's
// report, the grids, and what /export needs to rebuild the result.
json ResultJson(const tt::Instance& in, const tt::Solution& sol) {
  const tt::TimetableGrids grids = tt::BuildGrids(in, sol);
  const tt::CheckReport rep = tt::Check(in, sol);
  return {{"instance", InstanceJson(in, grids)},
          {"report", ReportJson(in, rep)},
          {"timetable",
           {{"classes", GridsJson(grids.classes)},
            {"teachers", GridsJson(grids.teachers)},
            {"rooms", GridsJson(grids.rooms)}}},
          {"placements", PlacementsJson(sol)},
          {"instance_yaml", tt::InstanceToYaml(in)}};
}

// One solve at a time: handlers run on the server's few I/O threads.
class SolveSlot {
 public:
  explicit SolveSlot(std::atomic<int>& running) : running_(running) {
    int expected = 0;
    held_ = running_.compare_exchange_strong(expected, 1);
  }
  ~SolveSlot() {
    if (held_) running_.store(0);
  }
  bool held() const { return held_; }

 private:
  std::atomic<int>& running_;
  bool held_ = false;
};

Response Busy(const Request& req) {
  Response r = ErrorResponse(Status(StatusCode::kUnavailable,
                                    "another timetable is being solved; try again in a few seconds",
                                    "正在为其他请求排课，请稍候几秒再试"),
                             req.lang);
  r.AddHeader("Retry-After", "5");
  return r;
}

struct SolveQuery {
  double time_limit = kDefaultTimeLimit;
  uint64_t seed = 1;
  bool first_complete = false;
};

StatusOr<double> TimeLimit(std::optional<double> v) {
  if (!v) return kDefaultTimeLimit;
  if (!std::isfinite(*v) || *v <= 0 || *v > kMaxTimeLimit) {
    return FieldError("time_limit", "time_limit must be a number of seconds from 0 to 30",
                      "time_limit 必须是 0 到 30 之间的秒数");
  }
  return *v;
}

StatusOr<SolveQuery> ParseSolveQuery(const Request& req) {
  SolveQuery q;
  std::optional<double> limit;
  if (auto t = req.Query("time_limit")) {
    char* end = nullptr;
    const double v = std::strtod(t->c_str(), &end);
    limit = (t->empty() || *end) ? -1.0 : v;
  }
  ASSIGN_OR_RETURN(q.time_limit, TimeLimit(limit));
  if (auto s = req.Query("seed")) {
    auto id = ParseId(*s);
    if (!id.ok()) return FieldError("seed", "seed must be a non-negative integer", "seed 必须是非负整数");
    q.seed = static_cast<uint64_t>(*id);
  }
  if (auto f = req.Query("first_complete")) q.first_complete = *f == "1" || *f == "true";
  return q;
}

json SolveJson(const tt::SolveResult& r, const SolveQuery& q) {
  return {{"seconds", std::round(r.seconds * 1000) / 1000},
          {"first_complete_seconds", std::round(r.first_complete_seconds * 1000) / 1000},
          {"time_limit", q.time_limit},
          {"seed", q.seed},
          {"hard", r.hard},
          {"soft", std::round(r.soft * 100) / 100},
          {"conflicts", r.conflicts}};
}

Response SolveAndAnswer(const Request& req, const tt::Instance& in, const SolveQuery& q) {
  tt::SolveParams params;
  params.seed = q.seed;
  params.time_limit_seconds = q.time_limit;
  params.stop_at_first_complete = q.first_complete;
  const tt::SolveResult r = tt::Solve(in, params);
  json body = ResultJson(in, r.solution);
  body["solve"] = SolveJson(r, q);
  return JsonResponse(body);
}

struct GenerateInput {
  tt::GeneratorParams params;
  std::string stage;
  SolveQuery solve;
};

StatusOr<GenerateInput> ParseGenerate(std::string_view body) {
  ASSIGN_OR_RETURN(JsonInput in,
                   JsonInput::Parse(body, {"stage", "classes", "students", "seed", "time_limit", "first_complete"}));
  GenerateInput g;
  ASSIGN_OR_RETURN(std::optional<std::string> stage, in.OptionalString("stage"));
  g.stage = stage.value_or("junior");
  if (g.stage == "primary") {
    g.params.stage = tt::Stage::kPrimary;
  } else if (g.stage == "junior") {
    g.params.stage = tt::Stage::kJunior;
  } else if (g.stage == "senior") {
    g.params.stage = tt::Stage::kSenior;
  } else {
    return FieldError("stage", "stage must be primary, junior or senior", "stage 必须是 primary、junior 或 senior");
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> classes, in.OptionalInt("classes"));
  g.params.classes = static_cast<int>(classes.value_or(6));
  if (classes && (*classes < 1 || *classes > kMaxGeneratedClasses)) {
    return FieldError("classes", "classes must be from 1 to 48", "班级数必须在 1 到 48 之间");
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> students, in.OptionalInt("students"));
  if (students && (*students < 0 || *students > 5000)) {
    return FieldError("students", "students must be from 0 to 5000", "学生数必须在 0 到 5000 之间");
  }
  g.params.students = static_cast<int>(students.value_or(0));
  ASSIGN_OR_RETURN(std::optional<int64_t> seed, in.OptionalInt("seed"));
  if (seed && *seed < 0) return FieldError("seed", "seed must be a non-negative integer", "seed 必须是非负整数");
  g.params.seed = static_cast<uint64_t>(seed.value_or(1));
  g.solve.seed = g.params.seed;
  std::optional<double> limit;
  if (in.Has("time_limit")) {
    const json& t = in.json()["time_limit"];
    limit = t.is_number() ? t.get<double>() : -1.0;
  }
  ASSIGN_OR_RETURN(g.solve.time_limit, TimeLimit(limit));
  ASSIGN_OR_RETURN(std::optional<bool> first, in.OptionalBool("first_complete"));
  g.solve.first_complete = first.value_or(false);
  return g;
}

struct ExportInput {
  tt::Instance instance;
  tt::Solution solution;
  std::string school;
};

StatusOr<ExportInput> ParseExport(std::string_view body) {
  ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(body, {"instance_yaml", "placements", "school"}));
  ExportInput e;
  ASSIGN_OR_RETURN(std::string yaml, in.RequiredString("instance_yaml"));
  ASSIGN_OR_RETURN(e.instance, tt::InstanceFromYaml(yaml));
  ASSIGN_OR_RETURN(std::optional<std::string> school, in.OptionalString("school"));
  e.school = school.value_or("");
  const json& pl = in.json().contains("placements") ? in.json()["placements"] : json();
  if (!pl.is_array() || pl.size() != e.instance.activities.size()) {
    return FieldError("placements", "placements must be an array of [start, room], one per activity",
                      "placements 必须是 [起始时段, 教室] 的数组，每个活动一项");
  }
  const int slots = e.instance.num_slots();
  const int rooms = static_cast<int>(e.instance.rooms.size());
  for (size_t i = 0; i < pl.size(); ++i) {
    const json& p = pl[i];
    const std::string field = "placements[" + std::to_string(i) + "]";
    if (!p.is_array() || p.size() != 2 || !p[0].is_number_integer() || !p[1].is_number_integer()) {
      return FieldError(field, field + " must be [start, room]", field + " 必须是 [起始时段, 教室]");
    }
    tt::Placement pl_i{p[0].get<int>(), p[1].get<int>()};
    if (pl_i.start < -1 || pl_i.start >= slots || pl_i.room < -1 || pl_i.room >= rooms) {
      return FieldError(field, field + " is out of range", field + " 超出范围");
    }
    e.solution.placements.push_back(pl_i);
  }
  return e;
}

// "attachment; filename=…; filename*=UTF-8''…" for an ASCII name.
std::string Attachment(const std::string& name) {
  return "attachment; filename=\"" + name + "\"; filename*=UTF-8''" + name;
}

}  // namespace

#define TT_PARSED(var, expr)                                   \
  auto var##_or = (expr);                                      \
  if (!var##_or.ok()) return ErrorResponse(var##_or.status(), req.lang); \
  auto& var = *var##_or

void RegisterTimetableHandlers(Router& router, App& app, const std::string& curriculum_dir) {
  auto solving = std::make_shared<std::atomic<int>>(0);

  router.Add(Method::kPost, "/api/v1/timetable/check",
             Authed(app, [](Request& req, const Principal& p) -> Response {
               if (Status s = CheckRole(p); !s.ok()) return ErrorResponse(s, req.lang);
               TT_PARSED(up, ReadUpload(req));
               return JsonResponse(ResultJson(up.instance, up.locked));
             }),
             RouteOptions{.max_body_bytes = kMaxUploadBytes});

  router.Add(Method::kPost, "/api/v1/timetable/solve",
             Authed(app, [solving](Request& req, const Principal& p) -> Response {
               if (Status s = CheckRole(p); !s.ok()) return ErrorResponse(s, req.lang);
               TT_PARSED(q, ParseSolveQuery(req));
               TT_PARSED(up, ReadUpload(req));
               SolveSlot slot(*solving);
               if (!slot.held()) return Busy(req);
               return SolveAndAnswer(req, up.instance, q);
             }),
             RouteOptions{.max_body_bytes = kMaxUploadBytes});

  router.Add(Method::kPost, "/api/v1/timetable/generate",
             Authed(app, [solving, curriculum_dir](Request& req, const Principal& p) -> Response {
               if (Status s = CheckRole(p); !s.ok()) return ErrorResponse(s, req.lang);
               TT_PARSED(g, ParseGenerate(req.body));
               const std::string path = curriculum_dir + (g.stage == "senior" ? "/hunan-senior-example.yaml"
                                                                               : "/hunan-compulsory-example.yaml");
               auto cur = tt::LoadCurriculum(path);
               if (!cur.ok()) {
                 return ErrorResponse(Status(StatusCode::kUnavailable,
                                             "the curriculum table cannot be read: " + cur.status().message(Lang::kEn),
                                             "无法读取课程设置表：" + cur.status().message(Lang::kZh), path),
                                      req.lang);
               }
               TT_PARSED(inst, tt::GenerateSchool(g.params, *cur));
               SolveSlot slot(*solving);
               if (!slot.held()) return Busy(req);
               return SolveAndAnswer(req, inst, g.solve);
             }));

  router.Add(Method::kPost, "/api/v1/timetable/export",
             Authed(app, [](Request& req, const Principal& p) -> Response {
               if (Status s = CheckRole(p); !s.ok()) return ErrorResponse(s, req.lang);
               const std::string format = req.Query("format").value_or("xlsx");
               if (format != "xlsx" && format != "fet") {
                 return ErrorResponse(FieldError("format", "format must be xlsx or fet", "format 必须是 xlsx 或 fet"),
                                      req.lang);
               }
               TT_PARSED(e, ParseExport(req.body));
               Response r;
               if (format == "xlsx") {
                 TT_PARSED(bytes, tt::TimetableXlsx(e.instance, e.solution, {.school = e.school}));
                 r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                 r.body = std::move(bytes);
                 r.AddHeader("Content-Disposition", Attachment("timetables.xlsx"));
               } else {
                 TT_PARSED(fet, tt::ExportFet(e.instance, e.solution));
                 r.content_type = "application/xml; charset=utf-8";
                 r.body = std::move(fet.xml);
                 r.AddHeader("Content-Disposition", Attachment("timetable.fet"));
               }
               return r;
             }),
             RouteOptions{.max_body_bytes = kMaxExportBytes});
}

#undef TT_PARSED

}  // namespace edugov::http
