#include "http/route.h"

#include <cassert>
#include <strings.h>

#include "http/query_params.h"

namespace edugov::http {

namespace {

StatusOr<Paging> ParsePaging(const Request& req, const PagingSpec& spec) {
  Paging p;
  ASSIGN_OR_RETURN(p.offset, QueryNumber(req, "offset", 0, 0, spec.max_offset));
  ASSIGN_OR_RETURN(p.limit,
                   QueryNumber(req, "limit", spec.default_limit, spec.min_limit, spec.max_limit));
  return p;
}

}  // namespace

const accounts::Principal& RouteContext::principal() const {
  assert(principal_.has_value() && "principal() on a Public() route");
  return *principal_;
}

StatusOr<storage::Connection*> RouteContext::Conn() {
  if (!conn_) {
    ASSIGN_OR_RETURN(storage::ConnectionHandle handle, app_.db->Acquire());
    conn_.emplace(std::move(handle));
  }
  return &**conn_;
}

int64_t RouteContext::Id(std::string_view name) const {
  for (const auto& [n, v] : ids_) {
    if (n == name) return v;
  }
  assert(false && "Id() of a capture not declared with Ids()");
  return 0;
}

const std::string& RouteContext::PathText(std::string_view name) const {
  static const std::string kEmpty;
  auto it = req_.path_params.find(std::string(name));
  return it == req_.path_params.end() ? kEmpty : it->second;
}

const Paging& RouteContext::paging() const {
  assert(paging_.has_value() && "paging() on a route without Paged()");
  return *paging_;
}

const JsonInput& RouteContext::body() const {
  assert(body_.has_value() && "body() on a route without JsonBody()");
  return *body_;
}

void RouteContext::LogNote(std::string_view note) {
  if (!log_note_.empty()) log_note_ += ' ';
  log_note_ += note;
}

Route::Route(Router& router, App& app, Method method, std::string_view pattern)
    : router_(&router), app_(&app), method_(method), pattern_(pattern) {}

Route& Route::Public() {
  spec_.is_public = true;
  return *this;
}

Route& Route::Ids(std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) spec_.ids.emplace_back(n);
  return *this;
}

Route& Route::Paged(PagingSpec spec) {
  spec_.paging = spec;
  return *this;
}

Route& Route::JsonBody(std::initializer_list<std::string_view> allowed_fields) {
  spec_.json_fields.emplace();
  for (std::string_view f : allowed_fields) spec_.json_fields->emplace_back(f);
  return *this;
}

Route& Route::Returns(int http_status) {
  spec_.success_status = http_status;
  return *this;
}

Route& Route::Options(RouteOptions options) {
  options_ = options;
  return *this;
}

void Route::Json(JsonRouteHandler handler) {
  const int status = spec_.success_status;
  Register([handler = std::move(handler), status](RouteContext& c) -> StatusOr<Response> {
    ASSIGN_OR_RETURN(nlohmann::json body, handler(c));
    if (status == 204) return NoContent();
    return JsonResponse(body, status);
  });
}

void Route::Raw(RawRouteHandler handler) { Register(std::move(handler)); }

void Route::Register(RawRouteHandler handler) {
  App& app = *app_;
  Spec spec = spec_;
  // The filters, in the order route.h documents. Each step that can fail
  // returns a Status; the one mapper turns it into the answer.
  auto run = [&app, spec, handler = std::move(handler)](RouteContext& c) -> StatusOr<Response> {
    if (!spec.is_public) {
      ASSIGN_OR_RETURN(accounts::Principal p, AuthenticateRequest(app, c.req_));
      c.principal_ = std::move(p);
    }
    for (const std::string& name : spec.ids) {
      ASSIGN_OR_RETURN(int64_t id, ParseId(c.PathText(name), name));
      c.ids_.emplace_back(name, id);
    }
    if (spec.paging) {
      ASSIGN_OR_RETURN(Paging paging, ParsePaging(c.req_, *spec.paging));
      c.paging_ = paging;
    }
    if (spec.json_fields) {
      ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(c.req_.body, *spec.json_fields));
      c.body_.emplace(std::move(in));
    }
    return handler(c);
  };
  router_->Add(
      method_, pattern_,
      [&app, run = std::move(run)](Request& req) -> Response {
        RouteContext c(req, app);
        StatusOr<Response> result = run(c);
        // Release the connection before writing: the answer needs none.
        c.conn_.reset();
        Response res = result.ok() ? std::move(result).value() : ErrorResponse(result.status(), req.lang);
        bool has_cache_control = false;
        for (const auto& [name, value] : res.headers) {
          if (name.size() == 13 && strncasecmp(name.c_str(), "cache-control", 13) == 0) {
            has_cache_control = true;
          }
        }
        if (!has_cache_control) res.AddHeader("Cache-Control", "no-store");
        std::string note;
        if (c.principal_) note = "user=" + c.principal_->username;
        for (const std::string* part : {&res.log_note, &c.log_note_}) {
          if (part->empty()) continue;
          if (!note.empty()) note += ' ';
          note += *part;
        }
        res.log_note = std::move(note);
        return res;
      },
      options_);
}

}  // namespace edugov::http
