// The public complaint routes (public_complaint_handlers.h lists them). The
// order inside each handler is deliberate: the per-address limiter first (a
// refusal costs no parsing and no database), then the input, then one engine
// call. These routes are Public(), so the route builder adds no log note,
// and no handler adds one (RouteContext::LogNote) or logs anything itself, so
// nothing a complainant typed can reach the log; error messages never echo
// the name or the phone either.
#include "http/public_complaint_handlers.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cases/engine.h"
#include "http/case_handlers.h"
#include "http/case_json.h"
#include "http/json_input.h"
#include "http/rate_limiter.h"
#include "http/route.h"
#include "registry/registry.h"
#include "storage/database.h"

namespace edugov::http {
namespace {

using nlohmann::json;

// A complaint's own fields (policy/cases/complaint.yaml); the category field
// is whatever the type names as its category_field.
constexpr const char* kTextField = "text";
constexpr const char* kNameField = "name";
constexpr const char* kPhoneField = "phone";
constexpr const char* kAnonymousField = "anonymous";
constexpr const char* kKindField = "kind";

constexpr size_t kMaxTextBytes = 20'000;  // ~6,600 Chinese characters
constexpr size_t kMaxNameBytes = 100;
constexpr AttachmentLimits kPublicAttachmentLimits{.max_count = 3};

struct Shared {
  Shared(App& a, const cases::CaseTypeRegistry& t, const cases::CaseType& c, PublicComplaintOptions o)
      : app(a),
        types(t),
        complaint(c),
        intakes(*a.clock, {.capacity = std::max(1, o.intakes_per_hour),
                           .refill_every = std::chrono::microseconds(3'600'000'000LL / std::max(1, o.intakes_per_hour))}),
        lookups(*a.clock, {.capacity = std::max(1, o.lookups_per_minute),
                           .refill_every = std::chrono::microseconds(60'000'000LL / std::max(1, o.lookups_per_minute))}) {}
  App& app;
  const cases::CaseTypeRegistry& types;
  const cases::CaseType& complaint;
  RateLimiter intakes;
  RateLimiter lookups;
};

// 429 with Retry-After, or nullopt when the address still has a token.
std::optional<Response> Throttle(RateLimiter& limiter, const Request& req, bool intake) {
  RateLimiter::Decision d = limiter.Take(req.remote_address);
  if (d.allowed) return std::nullopt;
  const std::string secs = std::to_string(d.retry_after_seconds);
  Status s = intake ? ResourceExhaustedError(
                          "too many complaints from your network; please try again in " + secs +
                              " seconds, or call the 12345 hotline",
                          "您所在网络提交投诉过于频繁，请 " + secs + " 秒后再试，或拨打 12345 热线")
                    : ResourceExhaustedError("too many requests; please try again in " + secs + " seconds",
                                             "请求过于频繁，请 " + secs + " 秒后再试");
  Response r = ErrorResponse(s, req.lang);
  r.AddHeader("Retry-After", secs);
  return r;
}

const cases::FieldSpec* CategoryField(const cases::CaseType& type) {
  return type.category_field.empty() ? nullptr : type.FindField(type.category_field);
}

// Townships and their schools, by public name only. A township's own org is
// its central school (中心学校), so it is listed as the township's first school.
StatusOr<json> Townships(storage::Connection& conn) {
  ASSIGN_OR_RETURN(std::vector<registry::PublicTownship> directory, registry::ListPublicDirectory(conn));
  json townships = json::array();
  constexpr std::string_view kCentral = "中心学校";
  for (const registry::PublicTownship& t : directory) {
    std::string town = t.name;
    if (town.size() > kCentral.size() && town.ends_with(kCentral)) town.resize(town.size() - kCentral.size());
    json schools = json::array({{{"id", t.id}, {"name", t.name}}});
    for (const registry::OrgRef& s : t.schools) schools.push_back({{"id", s.id}, {"name", s.name}});
    townships.push_back({{"id", t.id}, {"name", std::move(town)}, {"schools", std::move(schools)}});
  }
  return townships;
}

// The school a complaint is about must be a school or a township's central school.
Status CheckSchool(storage::Connection& conn, int64_t school_id) {
  ASSIGN_OR_RETURN(bool target, registry::IsComplaintTarget(conn, school_id));
  if (!target) {
    return FieldError("school_id", "no such school: choose one from the list",
                      "没有该学校，请从列表中选择");
  }
  return OkStatus();
}

// A phone number as people write it: 5–20 characters of digits, +, - and
// spaces, at least 5 of them digits — the engine's own rule for a phone
// field, checked here first so that no message ever repeats what was typed.
bool PlausiblePhone(std::string_view phone) {
  if (phone.size() < 5 || phone.size() > 20) return false;
  int digits = 0;
  for (char c : phone) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c != '+' && c != ' ' && c != '-') {
      return false;
    }
  }
  return digits >= 5;
}

StatusOr<cases::OpenCaseRequest> ParseIntake(RouteContext& c, const Shared& sh) {
  const Request& req = c.req();
  ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(req.body, {"category", "kind", "school_id", "text", "anonymous",
                                                             "name", "phone", "attachments"}));
  cases::OpenCaseRequest r;
  r.case_type = sh.complaint.id;
  r.source_kind = "public";

  ASSIGN_OR_RETURN(std::string category, in.RequiredString("category"));
  if (const cases::FieldSpec* cf = CategoryField(sh.complaint)) {
    bool known = false;
    for (const auto& [key, label] : cf->options) known = known || key == category;
    if (!known) {
      return FieldError("category", "unknown category \"" + category + "\"", "未知的投诉类别“" + category + "”");
    }
    r.fields[cf->name] = category;
  }

  // Optional: an enquiry (咨询) is answered sooner than a complaint.
  ASSIGN_OR_RETURN(std::optional<std::string> kind, in.OptionalString("kind"));
  if (kind) {
    const cases::FieldSpec* kf = sh.complaint.FindField(kKindField);
    bool known = false;
    if (kf) {
      for (const auto& [key, label] : kf->options) known = known || key == *kind;
    }
    if (!known) return FieldError("kind", "unknown kind \"" + *kind + "\"", "未知的诉求类型“" + *kind + "”");
    r.fields[kKindField] = *kind;
  }

  ASSIGN_OR_RETURN(r.org_id, in.RequiredInt("school_id"));
  if (r.org_id <= 0) return FieldError("school_id", "choose a school", "请选择学校");
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  RETURN_IF_ERROR(CheckSchool(*conn, r.org_id));
  c.ReleaseConn();  // the engine takes its own

  ASSIGN_OR_RETURN(std::string text, in.RequiredString("text"));
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return FieldError("text", "describe the matter", "请填写投诉内容");
  }
  if (text.size() > kMaxTextBytes) {
    return FieldError("text", "the text is too long (at most about 6,000 characters)",
                      "投诉内容过长(最多约 6000 字)");
  }
  r.fields[kTextField] = std::move(text);

  ASSIGN_OR_RETURN(std::optional<bool> anonymous, in.OptionalBool("anonymous"));
  ASSIGN_OR_RETURN(std::optional<std::string> name, in.OptionalString("name"));
  ASSIGN_OR_RETURN(std::optional<std::string> phone, in.OptionalString("phone"));
  const bool anon = anonymous.value_or(false);
  if (sh.complaint.FindField(kAnonymousField)) r.fields[kAnonymousField] = anon;
  // Anonymous: whatever name or phone came along is dropped, never stored.
  if (!anon) {
    if (!name || name->find_first_not_of(' ') == std::string::npos) {
      return FieldError("name", "your name is required (or choose anonymous)", "请填写姓名(或选择匿名)");
    }
    if (name->size() > kMaxNameBytes) return FieldError("name", "the name is too long", "姓名过长");
    if (!phone || !PlausiblePhone(*phone)) {
      return FieldError("phone", "a contact phone number is required (5–20 digits, +, - or spaces)",
                        "请填写有效的联系电话(5–20 位，可含数字、+、- 和空格)");
    }
    r.fields[kNameField] = *name;
    r.fields[kPhoneField] = *phone;
  }

  ASSIGN_OR_RETURN(r.attachments, ParseAttachments(in.Has("attachments") ? &in.json()["attachments"] : nullptr,
                                                   kPublicAttachmentLimits));
  return r;
}

StatusOr<json> FormJson(RouteContext& c, const Shared& sh) {
  json categories = json::array();
  if (const cases::FieldSpec* cf = CategoryField(sh.complaint)) {
    for (const auto& [key, label] : cf->options) categories.push_back({{"key", key}, {"label", LabelJson(label)}});
  }
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  ASSIGN_OR_RETURN(json townships, Townships(*conn));
  return json{{"categories", std::move(categories)},
              {"townships", std::move(townships)},
              {"max_attachment_bytes", kPublicAttachmentLimits.max_bytes},
              {"max_attachments", kPublicAttachmentLimits.max_count},
              {"max_total_attachment_bytes", kPublicAttachmentLimits.max_total_bytes},
              {"reopen_within_days", sh.complaint.reopen_within_days}};
}

}  // namespace

void RegisterPublicComplaintHandlers(Router& router, App& app, const cases::CaseTypeRegistry& types,
                                     PublicComplaintOptions options) {
  if (app.cases == nullptr) return;
  const cases::CaseType* complaint = types.Find(kComplaintCaseType);
  if (complaint == nullptr) return;
  // Owned by the handlers (and so by the router) through the captures.
  auto sh = std::make_shared<Shared>(app, types, *complaint, options);

  RouteBuilder routes(router, app);
  routes.Get("/api/v1/public/complaint-form").Public().Raw([sh](RouteContext& c) -> StatusOr<Response> {
    if (auto refused = Throttle(sh->lookups, c.req(), false)) return std::move(*refused);
    ASSIGN_OR_RETURN(json form, FormJson(c, *sh));
    Response r = JsonResponse(form);
    r.AddHeader("Cache-Control", "no-cache");
    return r;
  });

  routes.Post("/api/v1/public/complaints").Public().Options({.max_body_bytes = kCaseBodyLimit})
      .Raw([sh](RouteContext& c) -> StatusOr<Response> {
        if (auto refused = Throttle(sh->intakes, c.req(), true)) return std::move(*refused);
        ASSIGN_OR_RETURN(cases::OpenCaseRequest intake, ParseIntake(c, *sh));
        ASSIGN_OR_RETURN(auto opened, sh->app.cases->Open(cases::Actor::Public(), std::move(intake)));
        json merged_ref;
        if (opened.merged_into) {
          // The complainant follows the case theirs joined, under its number.
          auto tracked = sh->app.cases->Track(opened.tracking_code);
          if (tracked.ok() && tracked->merged_into_ref) merged_ref = *tracked->merged_into_ref;
        }
        return JsonResponse({{"tracking_code", opened.tracking_code},
                             {"ref", opened.view.ref},
                             {"due_at", TimeJson(opened.view.due_at_us)},
                             {"merged_into_ref", std::move(merged_ref)}},
                            201);
      });

  routes.Get("/api/v1/public/complaints/{code}").Public().Raw([sh](RouteContext& c) -> StatusOr<Response> {
    if (auto refused = Throttle(sh->lookups, c.req(), false)) return std::move(*refused);
    ASSIGN_OR_RETURN(auto view, sh->app.cases->Track(c.PathText("code")));
    return JsonResponse(PublicCaseJson(sh->types, view));
  });

  // Rating and reopening parse their bodies after the limiter: a refusal
  // costs no parsing.
  routes.Post("/api/v1/public/complaints/{code}/rating").Public().Raw([sh](RouteContext& c) -> StatusOr<Response> {
    if (auto refused = Throttle(sh->lookups, c.req(), false)) return std::move(*refused);
    ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(c.req().body, {"satisfaction", "comment"}));
    ASSIGN_OR_RETURN(int64_t satisfaction, in.RequiredInt("satisfaction"));
    if (satisfaction < 1 || satisfaction > 5) {
      return FieldError("satisfaction", "satisfaction must be 1 to 5", "满意度须为 1–5");
    }
    ASSIGN_OR_RETURN(std::optional<std::string> comment, in.OptionalString("comment"));
    if (comment && comment->size() > kMaxTextBytes) {
      return FieldError("comment", "the comment is too long", "评价内容过长");
    }
    ASSIGN_OR_RETURN(auto view, sh->app.cases->Rate(c.PathText("code"), static_cast<int>(satisfaction),
                                                    comment.value_or("")));
    return JsonResponse(PublicCaseJson(sh->types, view));
  });

  routes.Post("/api/v1/public/complaints/{code}/reopen").Public().Raw([sh](RouteContext& c) -> StatusOr<Response> {
    if (auto refused = Throttle(sh->lookups, c.req(), false)) return std::move(*refused);
    ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(c.req().body, {"reason"}));
    ASSIGN_OR_RETURN(std::string reason, in.RequiredString("reason"));
    if (reason.find_first_not_of(" \t\r\n") == std::string::npos) {
      return FieldError("reason", "say why the matter is not resolved", "请说明未解决的原因");
    }
    if (reason.size() > kMaxTextBytes) return FieldError("reason", "the reason is too long", "原因过长");
    ASSIGN_OR_RETURN(auto view, sh->app.cases->Reopen(c.PathText("code"), reason));
    return JsonResponse(PublicCaseJson(sh->types, view));
  });
}

}  // namespace edugov::http
