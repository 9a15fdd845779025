// The 作业公示 routes (homework_board_handlers.h lists them): JSON in and out
// around one Board call each. The public routes take the per-address
// limiter first (a refusal costs no database), add no log note and never
// echo the token into an error.
#include "http/homework_board_handlers.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "homework_board/board.h"
#include "homework_board/qr.h"
#include "http/dataset_handlers.h"
#include "http/json_input.h"
#include "http/query_params.h"
#include "http/rate_limiter.h"
#include "http/route.h"

namespace edugov::http {
namespace {

using homework_board::Board;
using nlohmann::json;

struct Shared {
  Shared(App& a, HomeworkBoardOptions o)
      : app(a),
        board(homework_board::BoardOptions{.clock = a.clock, .random = a.random, .compliance = a.compliance}),
        reads(*a.clock, {.capacity = std::max(1, o.public_reads_per_minute),
                         .refill_every = std::chrono::microseconds(60'000'000LL / std::max(1, o.public_reads_per_minute))}) {}
  App& app;
  Board board;
  RateLimiter reads;
};

std::string PublicPath(const std::string& token) { return "/public/homework/" + token; }

// The link a QR code carries: this server as the client reached it.
std::string PublicUrl(const Request& req, const App& app, const std::string& token) {
  std::string proto = req.Header("x-forwarded-proto");
  if (proto != "http" && proto != "https") proto = app.secure_cookies ? "https" : "http";
  std::string host = req.Header("host");
  if (host.empty() || host.find_first_of("/\\\"<> ") != std::string::npos) host = "localhost";
  return proto + "://" + host + PublicPath(token);
}

std::string EscapeHtml(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
  return out;
}

json EntryJson(const homework_board::Entry& e, bool with_author) {
  json j = {{"id", e.id},           {"class_id", e.class_id}, {"date", e.date.ToString()},
            {"subject", e.subject}, {"content", e.content},   {"minutes", e.minutes},
            {"written", e.written}};
  if (with_author) j["entered_by"] = e.entered_by;
  return j;
}

json DayJson(const homework_board::PublicDay& d) {
  json items = json::array();
  for (const auto& e : d.entries) items.push_back(EntryJson(e, false));
  return {{"date", d.date.ToString()}, {"entries", std::move(items)}, {"written_minutes", d.written_minutes},
          {"total_minutes", d.total_minutes}};
}

json SaveJson(const homework_board::SaveResult& r, Lang lang) {
  json out = {{"written_total", r.written_total}, {"dataset_row_id", r.dataset_row_id},
              {"recheck", RecheckJson(r.recheck, lang)}};
  if (r.entry) out["entry"] = EntryJson(*r.entry, true);
  return out;
}

Status NeedsPack(const App& app) {
  if (app.compliance) return OkStatus();
  return app.compliance_status.ok() ? UnavailableError("no policy pack", "未加载政策包") : app.compliance_status;
}

StatusOr<Date> DateParam(const Request& req, std::string_view name, Date fallback) {
  std::optional<std::string> text = req.Query(name);
  if (!text || text->empty()) return fallback;
  StatusOr<Date> d = Date::Parse(*text);
  if (!d.ok()) return ParamError(name, "must be a date YYYY-MM-DD", "须为日期 YYYY-MM-DD");
  return *d;
}

std::optional<Response> Throttle(RateLimiter& limiter, const Request& req) {
  RateLimiter::Decision d = limiter.Take(req.remote_address);
  if (d.allowed) return std::nullopt;
  const std::string secs = std::to_string(d.retry_after_seconds);
  Response r = ErrorResponse(ResourceExhaustedError("too many requests; please try again in " + secs + " seconds",
                                                    "请求过于频繁，请 " + secs + " 秒后再试"),
                             req.lang);
  r.AddHeader("Retry-After", secs);
  return r;
}

// A4, two columns by three rows of cards: the class, its QR code and link.
std::string QrSheet(const std::vector<homework_board::BoardClass>& classes, const Request& req, const App& app) {
  std::string school = classes.empty() ? "" : classes[0].school_name;
  std::string html =
      "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" + EscapeHtml(school) +
      " 作业公示二维码</title><style>"
      "@page{size:A4;margin:12mm}body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;margin:0}"
      "h1{font-size:16pt;text-align:center;margin:0 0 4mm}"
      ".grid{display:grid;grid-template-columns:1fr 1fr;gap:6mm}"
      ".card{border:1px dashed #999;padding:5mm;text-align:center;break-inside:avoid;height:78mm;box-sizing:border-box}"
      ".card h2{font-size:15pt;margin:0 0 2mm}.card svg{width:48mm;height:48mm}"
      ".hint{font-size:9pt;color:#333}.url{font-size:7pt;color:#666;word-break:break-all}"
      "</style></head><body><h1>" +
      EscapeHtml(school) + " · 各班每日作业公示（家长扫码查看）</h1><div class=\"grid\">";
  for (const auto& c : classes) {
    const std::string url = PublicUrl(req, app, c.token);
    StatusOr<std::string> svg = homework_board::QrSvg(url, 4);
    html += "<div class=\"card\" data-class-id=\"" + std::to_string(c.class_id) + "\"><h2>" + EscapeHtml(c.name) +
            "</h2>" + (svg.ok() ? *svg : "") + "<div class=\"hint\">微信扫码查看本班今日、本周作业</div><div class=\"url\">" +
            EscapeHtml(url) + "</div></div>";
  }
  html += "</div></body></html>";
  return html;
}

}  // namespace

void RegisterHomeworkBoardHandlers(Router& router, App& app, HomeworkBoardOptions options) {
  auto shared = std::make_shared<Shared>(app, options);
  RouteBuilder routes(router, app);

  routes.Get("/api/v1/homework-board/classes").Json([shared](RouteContext& c) -> StatusOr<json> {
    RETURN_IF_ERROR(NeedsPack(shared->app));
    std::optional<int64_t> school_id;
    if (auto text = c.req().Query("school_id"); text && !text->empty()) {
      ASSIGN_OR_RETURN(int64_t id, ParseId(*text, "school_id"));
      school_id = id;
    }
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto classes, shared->board.ListClasses(*conn, c.principal(), school_id));
    json items = json::array();
    for (const auto& b : classes) {
      items.push_back({{"id", b.class_id},       {"school_id", b.school_id}, {"school_name", b.school_name},
                       {"grade", b.grade},       {"name", b.name},           {"token", b.token},
                       {"public_path", PublicPath(b.token)}, {"teachers", b.teachers}});
    }
    return json{{"items", std::move(items)}, {"today", shared->app.compliance->Today().ToString()}};
  });

  routes.Get("/api/v1/homework-board/classes/{id}/entries").Ids({"id"}).Json([shared](RouteContext& c) -> StatusOr<json> {
    RETURN_IF_ERROR(NeedsPack(shared->app));
    const Date today = shared->app.compliance->Today();
    ASSIGN_OR_RETURN(Date from, DateParam(c.req(), "from", today));
    ASSIGN_OR_RETURN(Date to, DateParam(c.req(), "to", from));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto entries, shared->board.ListEntries(*conn, c.principal(), c.Id(), from, to));
    json items = json::array();
    for (const auto& e : entries) items.push_back(EntryJson(e, true));
    return json{{"today", today.ToString()}, {"items", std::move(items)}};
  });

  routes.Post("/api/v1/homework-board/classes/{id}/entries")
      .Ids({"id"})
      .JsonBody({"date", "subject", "content", "minutes", "written"})
      .Json([shared](RouteContext& c) -> StatusOr<json> {
        RETURN_IF_ERROR(NeedsPack(shared->app));
        const JsonInput& in = c.body();
        ASSIGN_OR_RETURN(std::optional<std::string> date_text, in.OptionalString("date"));
        Date date = shared->app.compliance->Today();
        if (date_text) {
          StatusOr<Date> d = Date::Parse(*date_text);
          if (!d.ok()) return FieldError("date", "date: YYYY-MM-DD", "日期格式须为 YYYY-MM-DD");
          date = *d;
        }
        ASSIGN_OR_RETURN(std::string subject, in.RequiredString("subject"));
        ASSIGN_OR_RETURN(std::string content, in.RequiredString("content"));
        ASSIGN_OR_RETURN(int64_t minutes, in.RequiredInt("minutes"));
        ASSIGN_OR_RETURN(std::optional<bool> written, in.OptionalBool("written"));
        if (minutes < 0 || minutes > homework_board::kMaxEntryMinutes) {
          return FieldError("minutes", "minutes must be between 0 and 300", "预计用时须在 0 至 300 分钟之间");
        }
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        ASSIGN_OR_RETURN(auto r, shared->board.SaveEntry(*conn, c.principal(),
                                                         {.class_id = c.Id(), .date = date, .subject = subject,
                                                          .content = content, .minutes = static_cast<int>(minutes),
                                                          .written = written.value_or(true)}));
        return SaveJson(r, c.lang());
      });

  routes.Delete("/api/v1/homework-board/classes/{id}/entries/{entry_id}")
      .Ids({"id", "entry_id"})
      .Json([shared](RouteContext& c) -> StatusOr<json> {
        RETURN_IF_ERROR(NeedsPack(shared->app));
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        ASSIGN_OR_RETURN(auto r, shared->board.DeleteEntry(*conn, c.principal(), c.Id(), c.Id("entry_id")));
        return SaveJson(r, c.lang());
      });

  routes.Post("/api/v1/homework-board/classes/{id}/link").Ids({"id"}).Json([shared](RouteContext& c) -> StatusOr<json> {
    RETURN_IF_ERROR(NeedsPack(shared->app));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(std::string token, shared->board.RotateLink(*conn, c.principal(), c.Id()));
    return json{{"token", token}, {"public_path", PublicPath(token)}};
  });

  routes.Put("/api/v1/homework-board/classes/{id}/teachers")
      .Ids({"id"})
      .JsonBody({"teachers"})
      .Returns(204)
      .Json([shared](RouteContext& c) -> StatusOr<json> {
        RETURN_IF_ERROR(NeedsPack(shared->app));
        ASSIGN_OR_RETURN(json body, ParseJsonObject(c.req().body));
        std::vector<std::string> names;
        if (!body.contains("teachers") || !body["teachers"].is_array()) {
          return FieldError("teachers", "teachers: a list of usernames", "teachers 须为用户名列表");
        }
        for (const json& n : body["teachers"]) {
          if (!n.is_string()) return FieldError("teachers", "teachers: a list of usernames", "teachers 须为用户名列表");
          names.push_back(n.get<std::string>());
        }
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        RETURN_IF_ERROR(shared->board.SetTeachers(*conn, c.principal(), c.Id(), names));
        return json();
      });

  routes.Get("/api/v1/homework-board/qr-sheet").Raw([shared](RouteContext& c) -> StatusOr<Response> {
    RETURN_IF_ERROR(NeedsPack(shared->app));
    std::optional<int64_t> school_id;
    if (auto text = c.req().Query("school_id"); text && !text->empty()) {
      ASSIGN_OR_RETURN(int64_t id, ParseId(*text, "school_id"));
      school_id = id;
    }
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto classes, shared->board.ListClasses(*conn, c.principal(), school_id));
    Response res;
    res.content_type = "text/html; charset=utf-8";
    res.body = QrSheet(classes, c.req(), shared->app);
    return res;
  });

  routes.Get("/api/v1/public/homework/{token}").Public().Raw([shared](RouteContext& c) -> StatusOr<Response> {
    if (auto refused = Throttle(shared->reads, c.req())) return *refused;
    RETURN_IF_ERROR(NeedsPack(shared->app));
    ASSIGN_OR_RETURN(Date day, DateParam(c.req(), "date", shared->app.compliance->Today()));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto page, shared->board.PublicView(*conn, c.PathText("token"), day));
    json week = json::array();
    for (const auto& d : page.week) week.push_back(DayJson(d));
    json out = {{"school_name", page.school_name},
                {"class_name", page.class_name},
                {"grade", page.grade},
                {"today", page.today.ToString()},
                {"day", DayJson(page.day)},
                {"week", std::move(week)},
                {"week_average_written", page.week_average_written},
                {"norm", nullptr}};
    if (page.norm) {
      out["norm"] = {{"rule", page.norm->rule_id}, {"title_zh", page.norm->title_zh},
                     {"max_minutes", page.norm->max_minutes}, {"weekly_average", page.norm->weekly_average}};
    }
    return JsonResponse(out);
  });

  routes.Get("/api/v1/public/homework/{token}/qr.svg").Public().Raw([shared](RouteContext& c) -> StatusOr<Response> {
    if (auto refused = Throttle(shared->reads, c.req())) return *refused;
    RETURN_IF_ERROR(NeedsPack(shared->app));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    // Only a live token has a code: a rotated one is 404 here too.
    RETURN_IF_ERROR(shared->board.PublicView(*conn, c.PathText("token"), std::nullopt).status());
    ASSIGN_OR_RETURN(std::string svg, homework_board::QrSvg(PublicUrl(c.req(), shared->app, c.PathText("token")), 6));
    Response res;
    res.content_type = "image/svg+xml";
    res.body = std::move(svg);
    return res;
  });
}

}  // namespace edugov::http
