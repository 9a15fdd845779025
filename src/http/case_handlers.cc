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
#include "http/list_export.h"
#include "http/query_params.h"
#include "http/route.h"

namespace edugov::http {
namespace {

using accounts::Principal;
using nlohmann::json;

constexpr size_t kMaxTextParam = 200;

// A case's detail with its people shown by display name (case_json.h).
StatusOr<json> DetailWithNames(RouteContext& c, const cases::CaseTypeRegistry& types, const cases::CaseView& v) {
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(ActorNames names, ResolveActorNames(*conn, v));
  return CaseDetailJson(types, v, names);
}

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

StatusOr<cases::OpenCaseRequest> ParseOpen(const JsonInput& in, const cases::CaseTypeRegistry& types) {
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

StatusOr<cases::TransitionRequest> ParseTransition(const JsonInput& in) {
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

// The engine, or 503 when this server runs without case types. (Routes are
// registered only with an engine; the check keeps a null from ever being
// dereferenced.)
StatusOr<cases::CaseEngine*> Engine(RouteContext& c) {
  if (c.app().cases == nullptr) return CasesDisabled();
  return c.app().cases;
}

}  // namespace

// Case pages may carry a complainant's identity (for the petitions office):
// never kept by a browser or proxy cache — the route builder's no-store.
void RegisterCaseHandlers(Router& router, App& app, const cases::CaseTypeRegistry& types) {
  if (app.cases == nullptr) return;
  const cases::CaseTypeRegistry* t = &types;
  RouteBuilder routes(router, app);

  routes.Get("/api/v1/case-types").Json([t](RouteContext&) -> StatusOr<json> {
    json items = json::array();
    for (const auto& type : t->types()) items.push_back(CaseTypeJson(type));
    return json{{"items", std::move(items)}};
  });

  routes.Get("/api/v1/cases").Paged({.default_limit = 50, .max_limit = 500, .max_offset = 1'000'000'000})
      .Json([t](RouteContext& c) -> StatusOr<json> {
        ASSIGN_OR_RETURN(cases::CaseEngine * engine, Engine(c));
        ASSIGN_OR_RETURN(cases::CaseFilter filter, ParseFilter(c.req(), *t));
        filter.offset = static_cast<int>(c.paging().offset);
        filter.limit = static_cast<int>(c.paging().limit);
        ASSIGN_OR_RETURN(auto page, engine->List(cases::Actor::User(c.principal()), filter));
        json items = json::array();
        for (const auto& v : page.items) items.push_back(CaseSummaryJson(*t, v));
        return json{{"items", std::move(items)},
                    {"total", page.total},
                    {"offset", filter.offset},
                    {"limit", filter.limit}};
      });

  // 导出: the list's filters and scope, every page of it, as .xlsx.
  routes.Get("/api/v1/cases/export.xlsx").Options({.heavy = true, .reads_only = true}).Raw([t](RouteContext& c) -> StatusOr<Response> {
    ASSIGN_OR_RETURN(cases::CaseEngine * engine, Engine(c));
    ASSIGN_OR_RETURN(cases::CaseFilter filter, ParseFilter(c.req(), *t));
    auto type_label = [t](const json& item, Lang lang) -> tabular::XlsxCell {
      const cases::CaseType* type = t->Find(item.value("type", ""));
      if (!type) return item.value("type", "");
      return lang == Lang::kEn && !type->label.en.empty() ? type->label.en : type->label.zh;
    };
    std::vector<ExportColumn> columns = {
        JsonColumn("编号", "Number", "/ref", 16),
        {"类型", "Type", type_label, 12},
        JsonColumn("标题", "Title", "/title", 36),
        JsonColumn("状态", "State", "/state_label", 10),
        JsonColumn("类别", "Category", "/category_label", 12),
        JsonColumn("单位", "Org", "/org/name", 20),
        JsonColumn("受理时间", "Opened at", "/opened_at", 20),
        JsonColumn("办理期限", "Due at", "/due_at", 20),
        JsonColumn("已逾期", "Overdue", "/overdue", 8),
        JsonColumn("督办层级", "Escalation level", "/escalation_level", 8),
        JsonColumn("办结时间", "Closed at", "/closed_at", 20)};
    return ExportXlsx(c, {"案件清单", "cases"}, columns, [&](int64_t offset, int64_t limit) -> StatusOr<json> {
      filter.offset = static_cast<int>(offset);
      filter.limit = static_cast<int>(limit);
      ASSIGN_OR_RETURN(auto page, engine->List(cases::Actor::User(c.principal()), filter));
      json items = json::array();
      for (const auto& v : page.items) items.push_back(CaseSummaryJson(*t, v));
      return items;
    });
  });

  routes.Post("/api/v1/cases")
      .JsonBody({"type", "title", "org_id", "staff_id", "fields", "comment", "attachments", "linked_from"})
      .Returns(201)
      .Options({.max_body_bytes = kCaseBodyLimit})
      .Json([t](RouteContext& c) -> StatusOr<json> {
        ASSIGN_OR_RETURN(cases::CaseEngine * engine, Engine(c));
        ASSIGN_OR_RETURN(cases::OpenCaseRequest open, ParseOpen(c.body(), *t));
        const cases::Actor actor = cases::Actor::User(c.principal());
        ASSIGN_OR_RETURN(auto opened, engine->Open(actor, std::move(open)));
        // Answer with the case as the opener now sees it (timeline,
        // available transitions), which Open's summary does not carry.
        auto full = engine->Get(actor, opened.view.id);
        return DetailWithNames(c, *t, full.ok() ? *full : opened.view);
      });

  routes.Get("/api/v1/cases/{id}").Ids({"id"}).Json([t](RouteContext& c) -> StatusOr<json> {
    ASSIGN_OR_RETURN(cases::CaseEngine * engine, Engine(c));
    ASSIGN_OR_RETURN(auto view, engine->Get(cases::Actor::User(c.principal()), c.Id()));
    return DetailWithNames(c, *t, view);
  });

  routes.Post("/api/v1/cases/{id}/transitions").Ids({"id"})
      .JsonBody({"transition", "version", "comment", "fields", "attachments"})
      .Options({.max_body_bytes = kCaseBodyLimit})
      .Json([t](RouteContext& c) -> StatusOr<json> {
        ASSIGN_OR_RETURN(cases::CaseEngine * engine, Engine(c));
        ASSIGN_OR_RETURN(cases::TransitionRequest tr, ParseTransition(c.body()));
        ASSIGN_OR_RETURN(auto view, engine->Transition(cases::Actor::User(c.principal()), c.Id(), std::move(tr)));
        return DetailWithNames(c, *t, view);
      });

  routes.Get("/api/v1/cases/{id}/attachments/{aid}").Ids({"id", "aid"})
      .Raw([](RouteContext& c) -> StatusOr<Response> {
        ASSIGN_OR_RETURN(cases::CaseEngine * engine, Engine(c));
        ASSIGN_OR_RETURN(auto file, engine->Attachment(cases::Actor::User(c.principal()), c.Id("id"), c.Id("aid")));
        Response r;
        r.content_type = file.first.content_type.empty() ? "application/octet-stream" : file.first.content_type;
        r.body = std::move(file.second);
        r.AddHeader("Content-Disposition",
                    ContentDisposition(ShownInline(r.content_type) ? "inline" : "attachment", file.first.filename));
        // Evidence and complainants' files: never in a shared cache.
        r.AddHeader("Cache-Control", "private, no-store");
        return r;
      });

  routes.Post("/api/v1/cases/{id}/links").Ids({"id"}).JsonBody({"to", "kind"}).Returns(204)
      .Json([](RouteContext& c) -> StatusOr<json> {
        ASSIGN_OR_RETURN(cases::CaseEngine * engine, Engine(c));
        ASSIGN_OR_RETURN(int64_t to, c.body().RequiredInt("to"));
        ASSIGN_OR_RETURN(std::optional<std::string> kind, c.body().OptionalString("kind"));
        if (to <= 0) return ParamError("to", "to must be a case id", "to 须为案件编号");
        RETURN_IF_ERROR(engine->Link(cases::Actor::User(c.principal()), c.Id(), to, kind.value_or("related")));
        return json();
      });
}

}  // namespace edugov::http
