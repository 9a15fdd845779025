// /api/v1/orgs, /classes, /staff and /registry/import: the registry over
// HTTP (docs/registry.md). Thin: parse and check input, one registry call,
// map the result. Scope and role are checked by the registry itself.
#include <cmath>

#include "http/app.h"
#include "http/json_input.h"
#include "http/list_export.h"
#include "http/route.h"
#include "registry/csv_import.h"
#include "registry/json.h"
#include "registry/registry.h"

namespace edugov::http {

namespace {

using registry::Org;

nlohmann::json OrgJson(const Org& org, const registry::Counts* counts) {
  nlohmann::json j = registry::ToJson(org);
  if (counts) j["counts"] = registry::ToJson(*counts);
  return j;
}

nlohmann::json DetailJson(const registry::OrgDetail& d) {
  nlohmann::json j = OrgJson(d.org, &d.counts);
  nlohmann::json ancestors = nlohmann::json::array();
  for (const auto& a : d.ancestors) {
    ancestors.push_back({{"id", a.id}, {"name", a.name}, {"kind", registry::OrgKindName(a.kind)}});
  }
  j["ancestors"] = std::move(ancestors);
  return j;
}

nlohmann::json StaffDetailJson(const registry::StaffDetail& d) {
  nlohmann::json j = registry::ToJson(d.staff);
  j["org_name"] = d.org_name;
  nlohmann::json postings = nlohmann::json::array();
  for (const auto& p : d.postings) postings.push_back(registry::ToJson(p));
  j["postings"] = std::move(postings);
  j["as_of"] = d.as_of.ToString();
  j["rural_years"] = std::round(d.rural_years * 100) / 100;
  return j;
}

nlohmann::json ReportJson(const registry::ImportReport& r) {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : r.errors) {
    errors.push_back({{"row", e.row},
                      {"column", e.column},
                      {"value", e.value},
                      {"message_zh", e.message_zh},
                      {"message_en", e.message_en}});
  }
  return {{"inserted", r.inserted}, {"updated", r.updated}, {"errors", std::move(errors)}};
}

// An enum field: absent → nullopt; present → parsed or an error naming it.
template <typename E, typename ParseFn>
StatusOr<std::optional<E>> OptionalEnum(const JsonInput& in, std::string_view name,
                                        ParseFn parse) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, in.OptionalString(name));
  if (!text) return std::optional<E>();
  std::optional<E> value = parse(*text);
  if (!value) {
    return FieldError(std::string(name), "unknown value \"" + *text + "\" for " + std::string(name),
                      "字段 " + std::string(name) + " 的取值“" + *text + "”无效");
  }
  return value;
}

StatusOr<std::optional<Date>> OptionalDate(const JsonInput& in, std::string_view name) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, in.OptionalString(name));
  if (!text) return std::optional<Date>();
  auto d = Date::Parse(*text);
  if (!d.ok()) {
    return FieldError(std::string(name), "expected a date YYYY-MM-DD, got \"" + *text + "\"",
                      "应为日期 YYYY-MM-DD，实为“" + *text + "”");
  }
  return std::optional<Date>(*d);
}

// "flags": {"rural": true, …}; unknown keys and non-booleans rejected.
Status ReadFlags(const JsonInput& in, registry::OrgPatch& patch) {
  if (!in.Has("flags")) return OkStatus();
  const nlohmann::json& flags = in.json()["flags"];
  if (!flags.is_object()) {
    return FieldError("flags", "flags must be an object", "flags 必须是对象");
  }
  for (const auto& [key, value] : flags.items()) {
    std::optional<bool>* slot = key == "rural"          ? &patch.rural
                                : key == "boarding"     ? &patch.boarding
                                : key == "standardised" ? &patch.standardised
                                : key == "canteen"      ? &patch.canteen
                                : key == "party_branch" ? &patch.party_branch
                                                        : nullptr;
    if (!slot) {
      return FieldError("flags." + key, "unknown field \"flags." + key + "\"",
                        "未知字段“flags." + key + "”");
    }
    if (!value.is_boolean()) {
      return FieldError("flags." + key, "flags." + key + " must be true or false",
                        "flags." + key + " 必须是 true 或 false");
    }
    *slot = value.get<bool>();
  }
  return OkStatus();
}

StatusOr<std::optional<std::vector<registry::Post>>> OptionalPosts(const JsonInput& in) {
  if (!in.Has("posts")) return std::optional<std::vector<registry::Post>>();
  const nlohmann::json& posts = in.json()["posts"];
  if (!posts.is_array()) {
    return FieldError("posts", "posts must be an array of strings", "posts 必须是字符串数组");
  }
  std::vector<registry::Post> out;
  for (const auto& p : posts) {
    std::optional<registry::Post> post;
    if (p.is_string()) post = registry::ParsePost(p.get<std::string>());
    if (!post) {
      return FieldError("posts", "unknown post " + p.dump(), "无效的职务 " + p.dump());
    }
    out.push_back(*post);
  }
  return std::optional<std::vector<registry::Post>>(std::move(out));
}

StatusOr<registry::NewOrg> ParseNewOrg(std::string_view body) {
  ASSIGN_OR_RETURN(JsonInput in,
                   JsonInput::Parse(body, {"parent_id", "kind", "code", "name", "stage", "flags"}));
  registry::NewOrg o;
  ASSIGN_OR_RETURN(o.parent_id, in.RequiredInt("parent_id"));
  ASSIGN_OR_RETURN(std::optional<registry::OrgKind> kind,
                   OptionalEnum<registry::OrgKind>(in, "kind", registry::ParseOrgKind));
  if (!kind) return FieldError("kind", "kind is required", "缺少字段 kind");
  o.kind = *kind;
  ASSIGN_OR_RETURN(o.code, in.RequiredString("code"));
  ASSIGN_OR_RETURN(o.name, in.RequiredString("name"));
  ASSIGN_OR_RETURN(o.stage, OptionalEnum<registry::Stage>(in, "stage", registry::ParseStage));
  registry::OrgPatch flags;
  RETURN_IF_ERROR(ReadFlags(in, flags));
  o.flags = {flags.rural.value_or(false), flags.boarding.value_or(false),
             flags.standardised.value_or(false), flags.canteen.value_or(false),
             flags.party_branch.value_or(false)};
  return o;
}

StatusOr<registry::OrgPatch> ParseOrgPatch(std::string_view body) {
  ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(body, {"code", "name", "stage", "flags"}));
  registry::OrgPatch p;
  ASSIGN_OR_RETURN(p.code, in.OptionalString("code"));
  ASSIGN_OR_RETURN(p.name, in.OptionalString("name"));
  ASSIGN_OR_RETURN(p.stage, OptionalEnum<registry::Stage>(in, "stage", registry::ParseStage));
  RETURN_IF_ERROR(ReadFlags(in, p));
  return p;
}

StatusOr<int> GradeField(const JsonInput& in, const std::optional<int64_t>& grade) {
  if (!grade || *grade < -2 || *grade > 12) {
    return FieldError("grade", "grade must be an integer from -2 to 12",
                      "年级必须是 -2 到 12 之间的整数");
  }
  return static_cast<int>(*grade);
}

StatusOr<registry::NewClass> ParseNewClass(std::string_view body) {
  ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(body, {"grade", "name", "students"}));
  registry::NewClass c;
  ASSIGN_OR_RETURN(int64_t grade, in.RequiredInt("grade"));
  ASSIGN_OR_RETURN(c.grade, GradeField(in, grade));
  ASSIGN_OR_RETURN(c.name, in.RequiredString("name"));
  ASSIGN_OR_RETURN(c.students, in.RequiredInt("students"));
  return c;
}

StatusOr<registry::ClassPatch> ParseClassPatch(std::string_view body) {
  ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(body, {"grade", "name", "students"}));
  registry::ClassPatch c;
  ASSIGN_OR_RETURN(std::optional<int64_t> grade, in.OptionalInt("grade"));
  if (grade) {
    ASSIGN_OR_RETURN(c.grade, GradeField(in, grade));
  }
  ASSIGN_OR_RETURN(c.name, in.OptionalString("name"));
  ASSIGN_OR_RETURN(c.students, in.OptionalInt("students"));
  return c;
}

StatusOr<JsonInput> ParseStaffBody(std::string_view body) {
  return JsonInput::Parse(body, {"code", "name", "gender", "birth_date", "hired_on", "hire_kind",
                                 "posts", "active"});
}

StatusOr<registry::NewStaff> ParseNewStaff(std::string_view body) {
  ASSIGN_OR_RETURN(JsonInput in, ParseStaffBody(body));
  registry::NewStaff s;
  ASSIGN_OR_RETURN(s.code, in.RequiredString("code"));
  ASSIGN_OR_RETURN(s.name, in.RequiredString("name"));
  ASSIGN_OR_RETURN(auto gender, OptionalEnum<registry::Gender>(in, "gender", registry::ParseGender));
  if (!gender) return FieldError("gender", "gender is required", "缺少字段 gender");
  s.gender = *gender;
  ASSIGN_OR_RETURN(s.birth_date, OptionalDate(in, "birth_date"));
  ASSIGN_OR_RETURN(s.hired_on, OptionalDate(in, "hired_on"));
  ASSIGN_OR_RETURN(auto hire_kind,
                   OptionalEnum<registry::HireKind>(in, "hire_kind", registry::ParseHireKind));
  s.hire_kind = hire_kind.value_or(registry::HireKind::kOther);
  ASSIGN_OR_RETURN(auto posts, OptionalPosts(in));
  if (!posts) return FieldError("posts", "posts is required", "缺少字段 posts");
  s.posts = *posts;
  ASSIGN_OR_RETURN(std::optional<bool> active, in.OptionalBool("active"));
  s.active = active.value_or(true);
  return s;
}

StatusOr<registry::StaffPatch> ParseStaffPatch(std::string_view body) {
  ASSIGN_OR_RETURN(JsonInput in, ParseStaffBody(body));
  registry::StaffPatch s;
  ASSIGN_OR_RETURN(s.code, in.OptionalString("code"));
  ASSIGN_OR_RETURN(s.name, in.OptionalString("name"));
  ASSIGN_OR_RETURN(s.gender, OptionalEnum<registry::Gender>(in, "gender", registry::ParseGender));
  // Dates: absent → unchanged, null → cleared.
  for (std::string_view field : {"birth_date", "hired_on"}) {
    auto& slot = field == "birth_date" ? s.birth_date : s.hired_on;
    if (in.json().contains(field)) {
      ASSIGN_OR_RETURN(slot, OptionalDate(in, field));
    }
  }
  ASSIGN_OR_RETURN(s.hire_kind,
                   OptionalEnum<registry::HireKind>(in, "hire_kind", registry::ParseHireKind));
  ASSIGN_OR_RETURN(s.posts, OptionalPosts(in));
  ASSIGN_OR_RETURN(s.active, in.OptionalBool("active"));
  return s;
}

StatusOr<registry::NewPosting> ParseNewPosting(std::string_view body) {
  ASSIGN_OR_RETURN(JsonInput in, JsonInput::Parse(body, {"org_id", "start_date", "end_date"}));
  registry::NewPosting p;
  ASSIGN_OR_RETURN(p.org_id, in.RequiredInt("org_id"));
  ASSIGN_OR_RETURN(std::optional<Date> start, OptionalDate(in, "start_date"));
  if (!start) return FieldError("start_date", "start_date is required", "缺少字段 start_date");
  p.start_date = *start;
  ASSIGN_OR_RETURN(p.end_date, OptionalDate(in, "end_date"));
  return p;
}

StatusOr<registry::StaffFilter> ParseStaffFilter(const Request& req, const Paging& paging) {
  registry::StaffFilter f;
  if (auto post = req.Query("post"); post && !post->empty()) {
    f.post = registry::ParsePost(*post);
    if (!f.post) return FieldError("post", "unknown post \"" + *post + "\"", "无效的职务“" + *post + "”");
  }
  if (auto inactive = req.Query("include_inactive")) f.include_inactive = *inactive == "true";
  f.offset = paging.offset;
  f.limit = paging.limit;
  return f;
}

nlohmann::json OverviewJson(const registry::Overview& o) {
  nlohmann::json towns = nlohmann::json::array();
  for (const auto& t : o.by_township) {
    towns.push_back({{"org_id", t.org_id},
                     {"name", t.name},
                     {"schools", t.counts.schools},
                     {"classes", t.counts.classes},
                     {"students", t.counts.students},
                     {"staff", t.counts.staff}});
  }
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : o.by_stage) {
    stages.push_back({{"stage", registry::StageName(s.stage)},
                      {"schools", s.schools},
                      {"classes", s.classes},
                      {"students", s.students}});
  }
  return {{"total", registry::ToJson(o.total)},
          {"by_township", std::move(towns)},
          {"by_stage", std::move(stages)}};
}

template <typename T, typename ToJsonFn>
nlohmann::json Items(const std::vector<T>& rows, ToJsonFn&& to_json) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : rows) items.push_back(to_json(r));
  return {{"items", std::move(items)}};
}

}  // namespace

void RegisterOrgHandlers(Router& router, App& app) {
  using Json = StatusOr<nlohmann::json>;
  const Clock& clock = *app.clock;
  RouteBuilder routes(router, app);

  routes.Get("/api/v1/orgs/{id}").Ids({"id"}).Json([](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto detail, registry::GetOrg(*conn, c.principal(), c.Id()));
    return DetailJson(detail);
  });

  routes.Get("/api/v1/orgs/{id}/children").Ids({"id"}).Json([](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto children, registry::ListChildren(*conn, c.principal(), c.Id()));
    return Items(children, [](const auto& ch) { return OrgJson(ch.org, &ch.counts); });
  });

  routes.Get("/api/v1/orgs/{id}/overview").Ids({"id"}).Json([](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto overview, registry::GetOverview(*conn, c.principal(), c.Id()));
    return OverviewJson(overview);
  });

  routes.Get("/api/v1/orgs/{id}/classes").Ids({"id"}).Json([](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto classes, registry::ListClasses(*conn, c.principal(), c.Id()));
    return Items(classes, [](const registry::Class& cl) { return registry::ToJson(cl); });
  });

  // The registry accepts 1…1000 staff per page (registry.h StaffFilter).
  routes.Get("/api/v1/orgs/{id}/staff").Ids({"id"}).Paged({.default_limit = 50, .max_limit = 1000})
      .Json([](RouteContext& c) -> Json {
        ASSIGN_OR_RETURN(registry::StaffFilter filter, ParseStaffFilter(c.req(), c.paging()));
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        ASSIGN_OR_RETURN(registry::StaffPage page, registry::ListStaff(*conn, c.principal(), c.Id(), filter));
        nlohmann::json j = Items(page.items, [](const registry::Staff& s) { return registry::ToJson(s); });
        j["total"] = page.total;
        return j;
      });

  // 导出 of the two lists above (their filters, their scope).
  routes.Get("/api/v1/orgs/{id}/classes/export.xlsx").Ids({"id"}).Options({.heavy = true, .reads_only = true})
      .Raw([](RouteContext& c) -> StatusOr<Response> {
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        ASSIGN_OR_RETURN(auto classes, registry::ListClasses(*conn, c.principal(), c.Id()));
        return ExportXlsx(c, {"班级名单", "classes"},
                          {JsonColumn("班级编号", "Class ID", "/id", 10), JsonColumn("年级", "Grade", "/grade", 8),
                           JsonColumn("班级", "Class", "/name", 16), JsonColumn("学生数", "Students", "/students", 10)},
                          [&](int64_t offset, int64_t limit) -> StatusOr<nlohmann::json> {
                            nlohmann::json items = nlohmann::json::array();
                            for (int64_t i = offset; i < offset + limit && i < static_cast<int64_t>(classes.size()); ++i) {
                              items.push_back(registry::ToJson(classes[static_cast<size_t>(i)]));
                            }
                            return items;
                          });
      });
  routes.Get("/api/v1/orgs/{id}/staff/export.xlsx").Ids({"id"}).Options({.heavy = true, .reads_only = true})
      .Raw([](RouteContext& c) -> StatusOr<Response> {
        ASSIGN_OR_RETURN(registry::StaffFilter filter, ParseStaffFilter(c.req(), Paging{0, 500}));
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        auto zh = [](std::string_view pointer, std::initializer_list<std::pair<std::string_view, std::string_view>> names) {
          return [pointer = std::string(pointer), names = std::vector(names)](const nlohmann::json& item, Lang lang) -> tabular::XlsxCell {
            const nlohmann::json::json_pointer ptr(pointer);
            if (!item.contains(ptr) || item.at(ptr).is_null()) return std::monostate{};
            auto one = [&](const std::string& v) {
              if (lang == Lang::kZh) {
                for (const auto& [key, label] : names) if (key == v) return std::string(label);
              }
              return v;
            };
            const nlohmann::json& v = item.at(ptr);
            if (!v.is_array()) return one(v.get<std::string>());
            std::string s;
            for (const auto& e : v) s += (s.empty() ? "" : lang == Lang::kZh ? "、" : ", ") + one(e.get<std::string>());
            return s;
          };
        };
        std::vector<ExportColumn> columns = {
            JsonColumn("教职工编号", "Staff code", "/code", 14),
            JsonColumn("姓名", "Name", "/name", 10),
            {"性别", "Gender", zh("/gender", {{"male", "男"}, {"female", "女"}}), 6},
            JsonColumn("出生日期", "Birth date", "/birth_date", 12),
            JsonColumn("入职日期", "Hired on", "/hired_on", 12),
            {"用工类型", "Hire kind", zh("/hire_kind", {{"funded_normal", "统招"}, {"special_post", "特岗教师"},
                                                         {"shortage_talent", "紧缺人才"}, {"transfer", "调入"},
                                                         {"national_programme", "公费师范生"}, {"substitute", "代课"},
                                                         {"other", "其他"}}), 12},
            {"岗位", "Posts", zh("/posts", {{"principal", "校长"}, {"party_secretary", "党组织书记"},
                                            {"vice_principal", "副校长"}, {"teacher", "教师"},
                                            {"substitute_teacher", "代课教师"}, {"staff", "职工"}}), 16},
            JsonColumn("在岗", "Active", "/active", 6)};
        return ExportXlsx(c, {"教职工名单", "staff"}, columns,
                          [&](int64_t offset, int64_t limit) -> StatusOr<nlohmann::json> {
                            filter.offset = offset;
                            filter.limit = limit;
                            ASSIGN_OR_RETURN(registry::StaffPage page,
                                             registry::ListStaff(*conn, c.principal(), c.Id(), filter));
                            nlohmann::json items = nlohmann::json::array();
                            for (const registry::Staff& s : page.items) items.push_back(registry::ToJson(s));
                            return items;
                          });
      });

  routes.Get("/api/v1/staff/{id}").Ids({"id"}).Json([&clock](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(auto staff, registry::GetStaff(*conn, c.principal(), clock, c.Id()));
    return StaffDetailJson(staff);
  });

  routes.Post("/api/v1/orgs").Returns(201).Json([&clock](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(registry::NewOrg in, ParseNewOrg(c.req().body));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(Org org, registry::CreateOrg(*conn, c.principal(), clock, in));
    return OrgJson(org, nullptr);
  });

  routes.Patch("/api/v1/orgs/{id}").Ids({"id"}).Json([&clock](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(registry::OrgPatch patch, ParseOrgPatch(c.req().body));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(Org org, registry::UpdateOrg(*conn, c.principal(), clock, c.Id(), patch));
    return OrgJson(org, nullptr);
  });

  routes.Delete("/api/v1/orgs/{id}").Ids({"id"}).Returns(204).Json([&clock](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    RETURN_IF_ERROR(registry::DeleteOrg(*conn, c.principal(), clock, c.Id()));
    return nlohmann::json();
  });

  routes.Post("/api/v1/orgs/{id}/classes").Ids({"id"}).Returns(201).Json([&clock](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(registry::NewClass in, ParseNewClass(c.req().body));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(registry::Class cl, registry::CreateClass(*conn, c.principal(), clock, c.Id(), in));
    return registry::ToJson(cl);
  });

  routes.Patch("/api/v1/classes/{id}").Ids({"id"}).Json([&clock](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(registry::ClassPatch patch, ParseClassPatch(c.req().body));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(registry::Class cl, registry::UpdateClass(*conn, c.principal(), clock, c.Id(), patch));
    return registry::ToJson(cl);
  });

  routes.Delete("/api/v1/classes/{id}").Ids({"id"}).Returns(204).Json([&clock](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    RETURN_IF_ERROR(registry::DeleteClass(*conn, c.principal(), clock, c.Id()));
    return nlohmann::json();
  });

  routes.Post("/api/v1/orgs/{id}/staff").Ids({"id"}).Returns(201).Json([&clock](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(registry::NewStaff in, ParseNewStaff(c.req().body));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(registry::Staff staff, registry::CreateStaff(*conn, c.principal(), clock, c.Id(), in));
    return registry::ToJson(staff);
  });

  routes.Patch("/api/v1/staff/{id}").Ids({"id"}).Json([&clock](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(registry::StaffPatch patch, ParseStaffPatch(c.req().body));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(registry::Staff staff, registry::UpdateStaff(*conn, c.principal(), clock, c.Id(), patch));
    return registry::ToJson(staff);
  });

  routes.Post("/api/v1/staff/{id}/postings").Ids({"id"}).Returns(201).Json([&clock](RouteContext& c) -> Json {
    ASSIGN_OR_RETURN(registry::NewPosting in, ParseNewPosting(c.req().body));
    ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
    ASSIGN_OR_RETURN(registry::Posting posting, registry::AddPosting(*conn, c.principal(), clock, c.Id(), in));
    return registry::ToJson(posting);
  });

  // 200 when every row imported, 422 with the rows' errors otherwise.
  routes.Post("/api/v1/registry/import").Options({.max_body_bytes = 20 * 1024 * 1024})
      .Raw([&clock](RouteContext& c) -> StatusOr<Response> {
        const std::string kind_text = c.req().Query("kind").value_or("");
        const auto kind = registry::ParseImportKind(kind_text);
        if (!kind) {
          return FieldError("kind", "kind must be orgs, classes or staff", "kind 必须是 orgs、classes 或 staff");
        }
        ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
        ASSIGN_OR_RETURN(registry::ImportReport report,
                         registry::ImportRegistryCsv(*conn, c.principal(), clock, *kind, c.req().body));
        return JsonResponse(ReportJson(report), report.ok() ? 200 : 422);
      });
}

}  // namespace edugov::http
