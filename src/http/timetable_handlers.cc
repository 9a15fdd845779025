// /api/v1/timetable/*: thin wrappers over the timetabling library (parse
// the upload, one library call, map the result). See timetable_handlers.h.
#include "http/timetable_handlers.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>

#include <spdlog/spdlog.h>

#include "compliance/service.h"
#include "http/json_input.h"
#include "http/query_params.h"
#include "http/route.h"
#include "http/timetable_findings.h"
#include "registry/registry.h"
#include "rules/binder.h"
#include "rules/policy_parser.h"
#include "timetable/checker.h"
#include "timetable/fet_export.h"
#include "timetable/fet_import.h"
#include "timetable/generator.h"
#include "timetable/grid.h"
#include "timetable/job_pool.h"
#include "timetable/plan_norms.h"
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

// As JsonResponse does: invalid UTF-8 from an upload is replaced, not thrown.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

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
  // Hard violations per plan clause: every clause the instance's norms name
  // (0 when met), as the policy pack numbers them.
  std::map<std::string, int> hard_by_clause;
  for (const tt::Constraint& k : in.constraints)
    if (!k.clause.empty()) hard_by_clause[k.clause];
  if (in.bell.enabled) {
    for (const std::string* c : {&in.bell.first_lesson_clause, &in.bell.break_clause, &in.bell.noon_clause,
                                 &in.bell.reserved_clause})
      if (!c->empty()) hard_by_clause[*c];
  }
  for (const tt::Violation& v : rep.violations) {
    if (v.hard && !v.clause.empty()) ++hard_by_clause[v.clause];
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
          {"hard_by_clause", hard_by_clause},
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

// At most one request waits for its solve (the synchronous form of /solve
// and /generate), on a thread of the server's worker pool — the routes are
// heavy — so a waiter never holds an I/O thread but does hold a worker; the
// work itself runs on the job pool, and the asynchronous form (?async=1)
// holds neither.
class SyncWaitSlot {
 public:
  explicit SyncWaitSlot(std::atomic<int>& waiting) : waiting_(waiting) {
    int expected = 0;
    held_ = waiting_.compare_exchange_strong(expected, 1);
  }
  ~SyncWaitSlot() {
    if (held_) waiting_.store(0);
  }
  bool held() const { return held_; }

 private:
  std::atomic<int>& waiting_;
  bool held_ = false;
};

Response Busy(const Request& req) {
  Response r = ErrorResponse(Status(StatusCode::kUnavailable,
                                    "another timetable is being solved for a waiting request; try again in a few "
                                    "seconds, or submit it as a job (?async=1)",
                                    "正在为其他请求同步排课，请稍候几秒再试，或以后台任务方式提交（?async=1）"),
                             req.lang);
  r.AddHeader("Retry-After", "5");
  return r;
}

// What /check answers: the upload judged at today's plan norms (the policy
// pack's thresholds, applied by WithPlanNorms), and — when the check is for
// a school — the breaches stored as tt.* findings of that school.
struct CheckTarget {
  int64_t school_id = 0;  // 0: store nothing
  std::string file_name;
};

// The norms valid today of the pack in force — the compliance service's
// (serve --policy), so the timetable routes judge by the same pack as the
// sweep, reloaded with it. A pack that does not load leaves the routes that
// need it answering its error, the others (solve, export and jobs)
// unaffected.
StatusOr<TimetableNorms> NormsToday(App& app) {
  if (app.compliance == nullptr) {
    if (!app.compliance_status.ok()) return app.compliance_status;
    return Status(StatusCode::kUnavailable, "no policy pack is loaded: timetables cannot be judged",
                  "未加载政策包：无法校验课表");
  }
  const auto in_force = app.compliance->pack();  // held while its norms are read
  return NormsFromPack(in_force->pack().timetable_norms, registry::ChinaDate(app.clock->Now()));
}

StatusOr<std::string> CheckAndStore(App& app, const Principal& p, const Upload& up, const CheckTarget& target,
                                    const std::string& body) {
  const Date today = registry::ChinaDate(app.clock->Now());
  ASSIGN_OR_RETURN(const TimetableNorms norms, NormsToday(app));
  const tt::Instance normed = tt::WithPlanNorms(up.instance, norms.norms);
  json result = ResultJson(normed, up.locked);
  // Which thresholds judged it: the pack's values valid today.
  json used = json::array();
  for (const auto& u : norms.used) {
    const auto day = [](int32_t d, int32_t open) {
      return d == open ? std::string() : Date::FromDaysSinceEpoch(d).ToString();
    };
    used.push_back({{"name", u.name},
                    {"value", u.value},
                    {"valid_from", day(u.valid_from, rules::bound::kOpenFrom)},
                    {"valid_to", day(u.valid_to, rules::bound::kOpenTo)},
                    {"source", "policy pack"},
                    {"norm", u.norm_id}});
  }
  result["norms"] = std::move(used);
  result["findings"] = nullptr;
  if (target.school_id != 0) {
    const tt::CheckReport rep = tt::Check(normed, up.locked);
    const std::vector<tt::NormFinding> found = tt::PlanNormFindings(normed, up.locked, rep, norms.norms);
    ASSIGN_OR_RETURN(storage::ConnectionHandle conn, app.db->Acquire());
    ASSIGN_OR_RETURN(StoredTimetableFindings stored,
                     StoreTimetableFindings(*conn, p, target.school_id, normed, found, norms, body, target.file_name,
                                            today, *app.clock));
    result["findings"] = {{"school_id", stored.school_id},
                          {"upload", stored.upload},
                          {"opened", stored.summary.opened},
                          {"standing", stored.summary.standing},
                          {"reopened", stored.summary.reopened},
                          {"resolved", stored.summary.resolved},
                          {"open", stored.open}};
  }
  return Dump(result);
}

StatusOr<CheckTarget> ResolveCheckTarget(App& app, const Request& req, const Principal& p) {
  CheckTarget t;
  t.file_name = req.Query("file_name").value_or("upload");
  std::optional<int64_t> school;
  if (auto s = req.Query("school_id")) {
    auto id = ParseId(*s);
    if (!id.ok()) return FieldError("school_id", "school_id must be an org id", "school_id 必须是单位编号");
    school = *id;
  }
  if (!school && p.role != Role::kSchool) return t;
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, app.db->Acquire());
  ASSIGN_OR_RETURN(t.school_id, TimetableSchool(*conn, p, school));
  return t;
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
  if (req.Query("seed")) {
    // 0 is a seed like any other (the page's seed box starts there).
    ASSIGN_OR_RETURN(const int64_t seed, QueryNumber(req, "seed", 0, 0, 999'999'999'999));
    q.seed = static_cast<uint64_t>(seed);
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

// The job body of a solve: runs on a pool worker, stops early when the job
// is cancelled, publishes each improvement, and returns the answer as JSON
// text (serialised there, not on the I/O thread).
tt::JobFn SolveJob(std::shared_ptr<const tt::Instance> in, SolveQuery q) {
  return [in = std::move(in), q](tt::JobContext& ctx) -> StatusOr<std::string> {
    tt::SolveParams params;
    params.seed = q.seed;
    params.time_limit_seconds = q.time_limit;
    params.stop_at_first_complete = q.first_complete;
    params.cancel = ctx.cancel_flag();
    params.on_improvement = [&ctx](const tt::Progress& p) { ctx.Report(p); };
    const tt::SolveResult r = tt::Solve(*in, params);
    if (ctx.cancelled()) return std::string();
    json body = ResultJson(*in, r.solution);
    body["solve"] = SolveJson(r, q);
    return Dump(body);
  };
}

std::string Owner(const Principal& p) { return std::to_string(p.user_id); }

std::string JobPath(const std::string& id) { return "/api/v1/timetable/jobs/" + id; }

// A job as JSON text: {id, kind, state, queue_position, progress, times,
// result (done), error (failed / cancelled)}. The result is spliced in as
// the job's own JSON text rather than parsed and dumped again.
std::string JobBody(const tt::JobSnapshot& s, Lang lang) {
  json j = {{"id", s.id},
            {"kind", s.kind},
            {"state", tt::JobStateName(s.state)},
            {"queue_position", s.queue_position},
            {"href", JobPath(s.id)},
            {"submitted_at", FormatTimestamp(s.submitted_at)},
            {"started_at", s.started_at ? json(FormatTimestamp(*s.started_at)) : json()},
            {"finished_at", s.finished_at ? json(FormatTimestamp(*s.finished_at)) : json()}};
  if (s.progress.reported) {
    j["progress"] = {{"seconds", std::round(s.progress.seconds * 1000) / 1000},
                     {"work", s.progress.work},
                     {"hard", s.progress.hard},
                     {"soft", std::round(s.progress.soft * 100) / 100}};
  } else {
    j["progress"] = nullptr;
  }
  if (s.state == tt::JobState::kFailed || s.state == tt::JobState::kCancelled) {
    const Response e = ErrorResponse(s.error, lang);
    json err = json::parse(e.body, nullptr, false);
    j["error"] = err.is_object() && err.contains("error") ? err["error"] : json();
    j["error_status"] = e.status;
  }
  std::string out = Dump(j);
  if (s.state == tt::JobState::kDone) {
    out.pop_back();
    out += ",\"result\":";
    out += s.result.empty() ? std::string("null") : s.result;
    out += "}";
  }
  return out;
}

Response RawJson(std::string body, int status = 200) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response SubmitError(const Status& s, const Request& req) {
  Response r = ErrorResponse(s, req.lang);
  if (s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kResourceExhausted) {
    r.AddHeader("Retry-After", "10");
  }
  return r;
}

// ?async=1 → 202 with the job (poll its href); otherwise the request waits
// for the job on this worker thread (one such waiter at a time) and answers
// what the job answered.
Response RunJob(tt::JobPool& pool, std::atomic<int>& sync_waiting, const Request& req, const Principal& p,
                const std::string& kind, bool async, tt::JobFn fn) {
  if (async) {
    StatusOr<std::string> id = pool.Submit(Owner(p), kind, std::move(fn));
    if (!id.ok()) return SubmitError(id.status(), req);
    auto snap = pool.Get(*id, Owner(p));
    Response r = RawJson(snap ? JobBody(*snap, req.lang) : Dump(json{{"id", *id}}), 202);
    r.AddHeader("Location", JobPath(*id));
    return r;
  }
  SyncWaitSlot slot(sync_waiting);
  if (!slot.held()) return Busy(req);
  StatusOr<std::string> id = pool.Submit(Owner(p), kind, std::move(fn));
  if (!id.ok()) return SubmitError(id.status(), req);
  std::optional<tt::JobSnapshot> done = pool.Wait(*id, Owner(p));
  if (!done) return ErrorResponse(Status(StatusCode::kInternal, "the job vanished", "任务丢失"), req.lang);
  if (done->state == tt::JobState::kDone) return RawJson(std::move(done->result));
  return ErrorResponse(done->error, req.lang);
}

Status JobNotFound() {
  return Status(StatusCode::kNotFound, "no such timetable job (it may have expired after 10 minutes)",
                "没有该排课任务（任务完成 10 分钟后即不再保留）", "id");
}

bool AsyncRequested(const Request& req) {
  auto a = req.Query("async");
  return a && (*a == "1" || *a == "true");
}

struct GenerateInput {
  tt::GeneratorParams params;
  std::string stage;
  SolveQuery solve;
  bool async = false;
};

StatusOr<GenerateInput> ParseGenerate(std::string_view body) {
  ASSIGN_OR_RETURN(JsonInput in,
                   JsonInput::Parse(body, {"stage", "classes", "students", "seed", "time_limit", "first_complete", "async"}));
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
  ASSIGN_OR_RETURN(std::optional<bool> async, in.OptionalBool("async"));
  g.async = async.value_or(false);
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

void RegisterTimetableHandlers(Router& router, App& app, const std::string& curriculum_dir,
                               TimetableJobOptions jobs) {
  auto pool = std::make_shared<tt::JobPool>(
      tt::JobPoolOptions{.workers = jobs.workers, .max_queued = jobs.max_queued, .max_per_owner = jobs.max_per_owner},
      *app.clock, *app.random);
  auto sync_waiting = std::make_shared<std::atomic<int>>(0);
  RouteBuilder routes(router, app);

  if (app.compliance == nullptr) {
    spdlog::warn("timetable: no policy pack ({}); timetable checks and generation answer this error",
                 app.compliance_status.ToString());
  } else if (app.compliance->pack()->pack().timetable_norms.empty()) {
    spdlog::warn("timetable: policy pack {} has no timetable_norms; timetable checks and generation are refused",
                 app.compliance->policy_path());
  }

  routes.Post("/api/v1/timetable/check").Options({.max_body_bytes = kMaxUploadBytes, .heavy = true})
      .Raw([&app, pool, sync_waiting](RouteContext& c) -> StatusOr<Response> {
               Request& req = c.req();
               const Principal& p = c.principal();
               RETURN_IF_ERROR(CheckRole(p));
               ASSIGN_OR_RETURN(auto target, ResolveCheckTarget(app, req, p));
               ASSIGN_OR_RETURN(auto up, ReadUpload(req));
               if (!AsyncRequested(req)) {
                 // Import + check, no search: bounded by the 10 MiB body, so
                 // the synchronous form answers here, on the worker pool.
                 ASSIGN_OR_RETURN(auto body, CheckAndStore(app, p, up, target, req.body));
                 return RawJson(std::move(body));
               }
               auto shared = std::make_shared<Upload>(std::move(up));
               auto text = std::make_shared<std::string>(req.body);
               return RunJob(*pool, *sync_waiting, req, p, "check", true,
                             [&app, p, shared, target, text](tt::JobContext&) -> StatusOr<std::string> {
                               return CheckAndStore(app, p, *shared, target, *text);
                             });
             });

  routes.Post("/api/v1/timetable/solve").Options({.max_body_bytes = kMaxUploadBytes, .heavy = true, .reads_only = true})
      .Raw([pool, sync_waiting](RouteContext& c) -> StatusOr<Response> {
               Request& req = c.req();
               const Principal& p = c.principal();
               RETURN_IF_ERROR(CheckRole(p));
               ASSIGN_OR_RETURN(auto q, ParseSolveQuery(req));
               ASSIGN_OR_RETURN(auto up, ReadUpload(req));
               auto in = std::make_shared<const tt::Instance>(std::move(up.instance));
               return RunJob(*pool, *sync_waiting, req, p, "solve", AsyncRequested(req), SolveJob(in, q));
             });

  routes.Post("/api/v1/timetable/generate").Options({.heavy = true})
      .Raw([&app, pool, sync_waiting, curriculum_dir](RouteContext& c) -> StatusOr<Response> {
               Request& req = c.req();
               const Principal& p = c.principal();
               RETURN_IF_ERROR(CheckRole(p));
               ASSIGN_OR_RETURN(auto g, ParseGenerate(req.body));
               ASSIGN_OR_RETURN(auto norms, NormsToday(app));
               g.params.norms = norms.norms;
               const std::string path = curriculum_dir + (g.stage == "senior" ? "/hunan-senior-example.yaml"
                                                                               : "/hunan-compulsory-example.yaml");
               auto cur = tt::LoadCurriculum(path);
               if (!cur.ok()) {
                 return Status(StatusCode::kUnavailable,
                               "the curriculum table cannot be read: " + cur.status().message(Lang::kEn),
                               "无法读取课程设置表：" + cur.status().message(Lang::kZh), path);
               }
               ASSIGN_OR_RETURN(auto inst, tt::GenerateSchool(g.params, *cur));
               auto in = std::make_shared<const tt::Instance>(std::move(inst));
               return RunJob(*pool, *sync_waiting, req, p, "generate", g.async || AsyncRequested(req),
                             SolveJob(in, g.solve));
             });

  routes.Get("/api/v1/timetable/jobs/{id}")
      .Raw([pool](RouteContext& c) -> StatusOr<Response> {
               Request& req = c.req();
               const Principal& p = c.principal();
               RETURN_IF_ERROR(CheckRole(p));
               auto snap = pool->Get(c.PathText("id"), Owner(p));
               if (!snap) return JobNotFound();
               return RawJson(JobBody(*snap, req.lang));
             });

  routes.Delete("/api/v1/timetable/jobs/{id}")
      .Raw([pool](RouteContext& c) -> StatusOr<Response> {
               Request& req = c.req();
               const Principal& p = c.principal();
               RETURN_IF_ERROR(CheckRole(p));
               auto snap = pool->Cancel(c.PathText("id"), Owner(p));
               if (!snap) return JobNotFound();
               return RawJson(JobBody(*snap, req.lang));
             });

  routes.Post("/api/v1/timetable/export").Options({.max_body_bytes = kMaxExportBytes, .heavy = true, .reads_only = true})
      .Raw([](RouteContext& c) -> StatusOr<Response> {
               Request& req = c.req();
               const Principal& p = c.principal();
               RETURN_IF_ERROR(CheckRole(p));
               const std::string format = req.Query("format").value_or("xlsx");
               if (format != "xlsx" && format != "fet") {
                 return FieldError("format", "format must be xlsx or fet", "format 必须是 xlsx 或 fet");
               }
               ASSIGN_OR_RETURN(auto e, ParseExport(req.body));
               Response r;
               if (format == "xlsx") {
                 ASSIGN_OR_RETURN(auto bytes, tt::TimetableXlsx(e.instance, e.solution, {.school = e.school}));
                 r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                 r.body = std::move(bytes);
                 r.AddHeader("Content-Disposition", Attachment("timetables.xlsx"));
               } else {
                 ASSIGN_OR_RETURN(auto fet, tt::ExportFet(e.instance, e.solution));
                 r.content_type = "application/xml; charset=utf-8";
                 r.body = std::move(fet.xml);
                 r.AddHeader("Content-Disposition", Attachment("timetable.fet"));
               }
               return r;
             });
}

}  // namespace edugov::http
