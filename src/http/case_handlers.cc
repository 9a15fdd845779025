// The signed-in case routes (case_handlers.h lists them): parse and check the
// input, one engine call, map the result. Scope, roles and confidentiality
// are the engine's (cases/engine.h); nothing here reads the case tables.
#include "http/case_handlers.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cases/engine.h"
#include "common/date.h"
#include "http/json_input.h"
#include "http/query_params.h"

namespace edugov::http {
namespace {

using accounts::Principal;
using nlohmann::json;

constexpr size_t kMaxTextParam = 200;

Status CasesDisabled() {
  return UnavailableError("case types are not loaded on this server (see edugov serve --cases-dir)",
                          "本服务未加载案件类型(见 edugov serve --cases-dir)");
}

StatusOr<std::string> QueryText(const Request& req, std::string_view name) {
  auto text = req.Query(name);
  if (!text) return std::string();
  if (text->size() > kMaxTextParam) {
    const std::string n(name);
    return ParamError(name, n + " must be at most " + std::to_string(kMaxTextParam) + " characters",
                      n + " 最多 " + std::to_string(kMaxTextParam) + " 个字符");
  }
  return *text;
}

// "1"/"true" → true, "0"/"false"/absent → false.
StatusOr<bool> QueryFlag(const Request& req, std::string_view name) {
  auto text = req.Query(name);
  if (!text || text->empty() || *text == "0" || *text == "false") return false;
  if (*text == "1" || *text == "true") return true;
  const std::string n(name);
  return ParamError(name, n + " must be 1 or 0, not \"" + *text + "\"", n + " 须为 1 或 0，而不是“" + *text + "”");
}

// Midnight Asia/Shanghai starting `date` (China has kept +08:00 all year since 1991).
int64_t StartOfDayUs(const Date& date) {
  return ToUnixMicros(ParseTimestamp(date.ToString() + "T00:00:00+08:00").value());
}

StatusOr<std::optional<Date>> QueryDate(const Request& req, std::string_view name) {
  auto text = req.Query(name);
  if (!text || text->empty()) return std::optional<Date>();
  auto d = Date::Parse(*text);
  if (!d.ok()) {
    const std::string n(name);
    return ParamError(name, n + " must be a date YYYY-MM-DD, not \"" + *text + "\"",
                      n + " 须为日期 YYYY-MM-DD，而不是“" + *text + "”");
  }
  return std::optional<Date>(*d);
}

StatusOr<cases::CaseFilter> ParseFilter(const Request& req, const cases::CaseTypeRegistry& types) {
  cases::CaseFilter f;
  ASSIGN_OR_RETURN(f.case_type, QueryText(req, "type"));
  if (!f.case_type.empty() && types.Find(f.case_type) == nullptr) {
    return ParamError("type", "unknown case type \"" + f.case_type + "\"", "未知的案件类型“" + f.case_type + "”");
  }
  ASSIGN_OR_RETURN(f.state, QueryText(req, "state"));
  ASSIGN_OR_RETURN(f.category, QueryText(req, "category"));
  ASSIGN_OR_RETURN(f.org_id, QueryNumber(req, "org", 0, 1, INT64_C(999999999999)));
  ASSIGN_OR_RETURN(f.overdue_only, QueryFlag(req, "overdue"));
  ASSIGN_OR_RETURN(f.open_only, QueryFlag(req, "open"));
  ASSIGN_OR_RETURN(f.assigned_to_me, QueryFlag(req, "mine"));
  ASSIGN_OR_RETURN(f.text, QueryText(req, "q"));
  ASSIGN_OR_RETURN(std::optional<Date> from, QueryDate(req, "from"));
  ASSIGN_OR_RETURN(std::optional<Date> to, QueryDate(req, "to"));
  if (from) f.opened_from_us = StartOfDayUs(*from);
  // Inclusive: everything before the next day's midnight.
  if (to) f.opened_to_us = StartOfDayUs(to->AddDays(1));
  if (from && to && *to < *from) {
    return ParamError("to", "to must not be before from", "to 不能早于 from");
  }
  ASSIGN_OR_RETURN(int64_t offset, QueryNumber(req, "offset", 0, 0, 1'000'000'000));
  ASSIGN_OR_RETURN(int64_t limit, QueryNumber(req, "limit", 50, 1, 500));
  f.offset = static_cast<int>(offset);
  f.limit = static_cast<int>(limit);
  return f;
}

// `fields` must be an object when present.
StatusOr<json> ObjectField(const JsonInput& in, std::string_view name) {
  if (!in.Has(name) || in.json()[std::string(name)].is_null()) return json::object();
  const json& v = in.json()[std::string(name)];
  if (!v.is_object()) {
    const std::string n(name);
    return ParamError(name, n + " must be an object", n + " 须为对象");
  }
  return v;
}

StatusOr<cases::OpenCaseRequest> ParseOpen(const Request& req, const cases::CaseTypeRegistry& types) {
  ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(req.body, {"type", "title", "org_id", "staff_id", "fields",
                                                             "comment", "attachments", "linked_from"}));
  cases::OpenCaseRequest r;
  ASSIGN_OR_RETURN(r.case_type, in.RequiredString("type"));
  if (types.Find(r.case_type) == nullptr) {
    return ParamError("type", "unknown case type \"" + r.case_type + "\"", "未知的案件类型“" + r.case_type + "”");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> title, in.OptionalString("title"));
  r.title = title.value_or("");
  ASSIGN_OR_RETURN(std::optional<int64_t> org_id, in.OptionalInt("org_id"));
  r.org_id = org_id.value_or(0);
  ASSIGN_OR_RETURN(std::optional<int64_t> staff_id, in.OptionalInt("staff_id"));
  r.staff_id = staff_id.value_or(0);
  ASSIGN_OR_RETURN(r.fields, ObjectField(in, "fields"));
  ASSIGN_OR_RETURN(std::optional<std::string> comment, in.OptionalString("comment"));
  r.comment = comment.value_or("");
  ASSIGN_OR_RETURN(std::optional<int64_t> linked_from, in.OptionalInt("linked_from"));
  r.linked_from_case_id = linked_from.value_or(0);
  if (r.org_id < 0 || r.staff_id < 0 || r.linked_from_case_id < 0) {
    const char* f = r.org_id < 0 ? "org_id" : r.staff_id < 0 ? "staff_id" : "linked_from";
    return ParamError(f, std::string(f) + " must be a positive id", std::string(f) + " 须为正整数编号");
  }
  ASSIGN_OR_RETURN(r.attachments,
                   ParseAttachments(in.Has("attachments") ? &in.json()["attachments"] : nullptr, kCaseAttachmentLimits));
  r.source_kind = "manual";
  return r;
}

StatusOr<cases::TransitionRequest> ParseTransition(const Request& req) {
  ASSIGN_OR_RETURN(JsonInput in,
                   JsonInput::Parse(req.body, {"transition", "version", "comment", "fields", "attachments"}));
  cases::TransitionRequest r;
  ASSIGN_OR_RETURN(r.transition, in.RequiredString("transition"));
  // A person always says which version they saw: 0 (skip the check) is the
  // system's alone, so a missing version is an error, not a silent overwrite.
  ASSIGN_OR_RETURN(int64_t version, in.RequiredInt("version"));
  if (version < 1 || version > INT32_MAX) {
    return ParamError("version", "version must be the case's version as last read (≥ 1)",
                      "version 须为最近读取时案件的版本号(≥ 1)");
  }
  r.version = static_cast<int>(version);
  ASSIGN_OR_RETURN(std::optional<std::string> comment, in.OptionalString("comment"));
  r.comment = comment.value_or("");
  ASSIGN_OR_RETURN(r.fields, ObjectField(in, "fields"));
  ASSIGN_OR_RETURN(r.attachments,
                   ParseAttachments(in.Has("attachments") ? &in.json()["attachments"] : nullptr, kCaseAttachmentLimits));
  return r;
}

// RFC 6266/5987: an ASCII fallback and the UTF-8 name percent-encoded.
std::string ContentDisposition(std::string_view disposition, const std::string& filename) {
  std::string ascii;
  std::string encoded;
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : filename) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '-' || c == '_';
    ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
    if (plain) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return std::string(disposition) + "; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

// Images and PDFs open in the browser; anything else downloads.
bool ShownInline(std::string_view content_type) {
  return content_type == "image/png" || content_type == "image/jpeg" || content_type == "image/gif" ||
         content_type == "image/webp" || content_type == "application/pdf";
}

// Case pages may carry a complainant's identity (for the petitions office):
// never kept by a browser or proxy cache.
Response NoStore(Response r) {
  r.AddHeader("Cache-Control", "no-store");
  return r;
}

#define CASES_OR_503(app, req) \
  if ((app).cases == nullptr) return ErrorResponse(CasesDisabled(), (req).lang)

#define PARSED_OR_RETURN(var, expr)                                           \
  auto var##_or = (expr);                                                     \
  if (!var##_or.ok()) return ErrorResponse(var##_or.status(), req.lang);  \
  auto& var = *var##_or

}  // namespace

void RegisterCaseHandlers(Router& router, App& app, const cases::CaseTypeRegistry& types) {
  if (app.cases == nullptr) return;
  const cases::CaseTypeRegistry* t = &types;

  router.Add(Method::kGet, "/api/v1/case-types", Authed(app, [t](Request&, const Principal&) {
               json items = json::array();
               for (const auto& type : t->types()) items.push_back(CaseTypeJson(type));
               return JsonResponse({{"items", std::move(items)}});
             }));

  router.Add(Method::kGet, "/api/v1/cases", Authed(app, [&app, t](Request& req, const Principal& p) -> Response {
               CASES_OR_503(app, req);
               PARSED_OR_RETURN(filter, ParseFilter(req, *t));
               PARSED_OR_RETURN(page, app.cases->List(cases::Actor::User(p), filter));
               json items = json::array();
               for (const auto& v : page.items) items.push_back(CaseSummaryJson(*t, v));
               return NoStore(JsonResponse({{"items", std::move(items)},
                                            {"total", page.total},
                                            {"offset", filter.offset},
                                            {"limit", filter.limit}}));
             }));

  router.Add(
      Method::kPost, "/api/v1/cases",
      Authed(app,
             [&app, t](Request& req, const Principal& p) -> Response {
               CASES_OR_503(app, req);
               PARSED_OR_RETURN(open, ParseOpen(req, *t));
               const cases::Actor actor = cases::Actor::User(p);
               PARSED_OR_RETURN(opened, app.cases->Open(actor, std::move(open)));
               // Answer with the case as the opener now sees it (timeline,
               // available transitions), which Open's summary does not carry.
               auto full = app.cases->Get(actor, opened.view.id);
               return NoStore(JsonResponse(CaseDetailJson(*t, full.ok() ? *full : opened.view), 201));
             }),
      RouteOptions{.max_body_bytes = kCaseBodyLimit});

  router.Add(Method::kGet, "/api/v1/cases/{id}",
             Authed(app, [&app, t](Request& req, const Principal& p) -> Response {
               CASES_OR_503(app, req);
               PARSED_OR_RETURN(id, ParseId(req.path_params["id"]));
               PARSED_OR_RETURN(view, app.cases->Get(cases::Actor::User(p), id));
               return NoStore(JsonResponse(CaseDetailJson(*t, view)));
             }));

  router.Add(
      Method::kPost, "/api/v1/cases/{id}/transitions",
      Authed(app,
             [&app, t](Request& req, const Principal& p) -> Response {
               CASES_OR_503(app, req);
               PARSED_OR_RETURN(id, ParseId(req.path_params["id"]));
               PARSED_OR_RETURN(tr, ParseTransition(req));
               PARSED_OR_RETURN(view, app.cases->Transition(cases::Actor::User(p), id, std::move(tr)));
               return NoStore(JsonResponse(CaseDetailJson(*t, view)));
             }),
      RouteOptions{.max_body_bytes = kCaseBodyLimit});

  router.Add(Method::kGet, "/api/v1/cases/{id}/attachments/{aid}",
             Authed(app, [&app](Request& req, const Principal& p) -> Response {
               CASES_OR_503(app, req);
               PARSED_OR_RETURN(id, ParseId(req.path_params["id"]));
               PARSED_OR_RETURN(aid, ParseId(req.path_params["aid"]));
               PARSED_OR_RETURN(file, app.cases->Attachment(cases::Actor::User(p), id, aid));
               Response r;
               r.content_type = file.first.content_type.empty() ? "application/octet-stream" : file.first.content_type;
               r.body = std::move(file.second);
               r.AddHeader("Content-Disposition",
                           ContentDisposition(ShownInline(r.content_type) ? "inline" : "attachment",
                                              file.first.filename));
               // Evidence and complainants' files: never in a shared cache.
               r.AddHeader("Cache-Control", "private, no-store");
               return r;
             }));

  router.Add(Method::kPost, "/api/v1/cases/{id}/links",
             Authed(app, [&app](Request& req, const Principal& p) -> Response {
               CASES_OR_503(app, req);
               PARSED_OR_RETURN(id, ParseId(req.path_params["id"]));
               PARSED_OR_RETURN(in, JsonInput::Parse(req.body, {"to", "kind"}));
               PARSED_OR_RETURN(to, in.RequiredInt("to"));
               PARSED_OR_RETURN(kind, in.OptionalString("kind"));
               if (to <= 0) {
                 return ErrorResponse(ParamError("to", "to must be a case id", "to 须为案件编号"), req.lang);
               }
               Status s = app.cases->Link(cases::Actor::User(p), id, to, kind.value_or("related"));
               return s.ok() ? NoContent() : ErrorResponse(s, req.lang);
             }));
}

}  // namespace edugov::http
