// /api/v1/findings: the findings store's scoped reads (rules::ListFindings,
// rules::SummarizeFindings) as JSON (findings_handlers.h lists the routes).
//
// The read cache (docs/architecture.md, "Findings read cache"): a page of
// findings is a function of the caller's org path, the query parameters and
// the stored findings and registry names. The serialized 200 answer is kept
// per (route, org path, query) — body and headers — and served while neither
// rules::FindingsGeneration() nor registry::RegistryGeneration() has moved
// since it was built and for at most kCacheTtl. Both counters live in the
// database and every write function of those stores bumps its own, so a
// write by any process — `edugov check` from cron, another server node —
// shows at once; the TTL bounds only a write that bypassed the stores (SQL
// typed by hand).
// Errors are never cached. A hit is served with the headers the answer was
// built with; the route builder then adds "Cache-Control: no-store" to hit
// and miss alike, so both are the same bytes. The key holds the org path itself, so a school
// is only ever served an answer built for its own subtree.
#include "http/findings_handlers.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/list_export.h"
#include "http/query_params.h"
#include "http/route.h"
#include "registry/registry.h"
#include "rules/findings_store.h"
#include "storage/database.h"

namespace edugov::http {
namespace {

using accounts::Principal;

constexpr PagingSpec kPaging{.default_limit = 50, .max_limit = 500, .max_offset = INT64_C(999999999999)};
constexpr size_t kMaxTextParam = 200;

// An optional free-text filter (rule id, clause): present → non-empty, short.
StatusOr<std::optional<std::string>> QueryText(const Request& req, std::string_view name) {
  auto text = req.Query(name);
  if (!text) return std::optional<std::string>();
  if (text->empty() || text->size() > kMaxTextParam) {
    const std::string n(name);
    return ParamError(name, n + " must be 1…" + std::to_string(kMaxTextParam) + " characters",
                      n + " 须为 1…" + std::to_string(kMaxTextParam) + " 个字符");
  }
  return text;
}

StatusOr<std::optional<std::string>> QueryStatus(const Request& req) {
  auto text = req.Query("status");
  if (!text) return std::optional<std::string>();
  if (*text != "open" && *text != "resolved") {
    return ParamError("status", "status must be open or resolved, not \"" + *text + "\"",
                      "status 须为 open 或 resolved，而不是“" + *text + "”");
  }
  return text;
}

// The findings filter from the query. Org ids are checked by the store
// (rules::FindingsFilter): unknown or outside the subtree → 404, wrong kind → 400.
StatusOr<rules::FindingsFilter> FilterFrom(const Request& req, bool full) {
  rules::FindingsFilter f;
  ASSIGN_OR_RETURN(f.status, QueryStatus(req));
  if (!full) return f;
  ASSIGN_OR_RETURN(f.rule_id, QueryText(req, "rule"));
  ASSIGN_OR_RETURN(f.clause, QueryText(req, "clause"));
  for (auto [name, id] : {std::pair{"township", &f.township_id}, std::pair{"school", &f.school_id}}) {
    if (!req.Query(name)) continue;
    ASSIGN_OR_RETURN(*id, QueryNumber(req, name, 0, 1, INT64_C(999999999999)));
  }
  return f;
}

nlohmann::json ParseStoredJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json() : j;
}

template <typename T>
nlohmann::json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json ItemJson(const rules::FindingView& f) {
  nlohmann::json evidence = ParseStoredJson(f.evidence_json);
  if (!evidence.is_object()) evidence = nlohmann::json::object();
  evidence["count"] = f.evidence_count;
  if (!evidence.contains("row_ids")) evidence["row_ids"] = nlohmann::json::array();
  nlohmann::json parameters = ParseStoredJson(f.parameters_json);
  if (!parameters.is_array()) parameters = nlohmann::json::array();
  return {
      {"id", f.id},
      {"rule", f.rule_id},
      {"clause", f.clause},
      {"severity", f.severity},
      {"entity", {{"type", f.entity_type}, {"id", f.entity_id}, {"name", OrNull(f.entity_name)}}},
      {"period", {{"kind", f.period_kind}, {"start", f.period_start}, {"end", f.period_end}}},
      {"measured", OrNull(f.measured)},
      {"threshold", OrNull(f.threshold)},
      {"comparison", f.comparison},
      {"parameters", std::move(parameters)},
      {"evidence", std::move(evidence)},
      {"status", f.status},
      {"opened_on", f.first_seen_on},
      {"last_seen_on", f.last_seen_on},
      {"resolved_on", OrNull(f.resolved_on)},
      {"times_reopened", f.times_reopened},
      {"township_id", OrNull(f.township_id)},
  };
}

// A class is named with its school ("江英学校 · 七年级1班" on the page): the
// list's class entities get entity.school {id, name} from the registry.
Status AddClassSchools(storage::Connection& conn, const std::vector<rules::FindingView>& findings,
                       nlohmann::json& items) {
  std::set<int64_t> class_ids;
  for (const rules::FindingView& f : findings) {
    if (f.entity_type == "class") class_ids.insert(f.entity_id);
  }
  if (class_ids.empty()) return OkStatus();
  ASSIGN_OR_RETURN(auto names, registry::ClassNames(conn, class_ids));
  for (nlohmann::json& item : items) {
    const nlohmann::json& e = item["entity"];
    if (e["type"] != "class") continue;
    auto it = names.find(e["id"].get<int64_t>());
    if (it == names.end()) continue;
    item["entity"]["school"] = {{"id", it->second.school_id}, {"name", it->second.school_name}};
  }
  return OkStatus();
}

StatusOr<nlohmann::json> ListFindings(RouteContext& c, storage::Connection& conn) {
  const int64_t offset = c.paging().offset;
  const int64_t limit = c.paging().limit;
  ASSIGN_OR_RETURN(rules::FindingsFilter filter, FilterFrom(c.req(), /*full=*/true));
  ASSIGN_OR_RETURN(rules::FindingsPage page, rules::ListFindings(conn, c.principal(), filter, offset, limit));
  nlohmann::json items = nlohmann::json::array();
  for (const rules::FindingView& f : page.items) items.push_back(ItemJson(f));
  RETURN_IF_ERROR(AddClassSchools(conn, page.items, items));
  return nlohmann::json{{"items", std::move(items)}, {"total", page.total}, {"offset", offset}, {"limit", limit}};
}

// The org one level below the caller's own on a finding's org path
// ("/1/2/5/" read by a township bound to /1/2/ → 5); the caller's own org
// for a finding about it or its own classes; nullopt for one outside or
// above (none is listed: reads are scoped).
std::optional<int64_t> UnitBelow(const std::string& org_path, const std::string& own_path, int64_t own_id) {
  if (!org_path.starts_with(own_path)) return std::nullopt;
  const std::string rest = org_path.substr(own_path.size());
  if (rest.empty()) return own_id;
  const size_t slash = rest.find('/');
  int64_t id = 0;
  for (char ch : rest.substr(0, slash)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    id = id * 10 + (ch - '0');
  }
  return id;
}

// ?by=unit: counts by clause × the org one level below the caller — the
// townships for the county, the schools (and its own campus) for a township —
// so a township's heat map has a column per school. Read through the scoped
// list (a subtree's findings, a few thousand at most), then named from the registry.
StatusOr<nlohmann::json> SummaryByUnit(RouteContext& c, storage::Connection& conn, const rules::FindingsFilter& filter) {
  const Principal& p = c.principal();
  struct Counts {
    int64_t open = 0, resolved = 0;
  };
  std::map<std::pair<std::string, int64_t>, Counts> cells;  // (clause, unit id; 0 = none)
  std::set<int64_t> units;
  constexpr int64_t kPage = 1000;
  for (int64_t offset = 0;; offset += kPage) {
    ASSIGN_OR_RETURN(rules::FindingsPage page, rules::ListFindings(conn, p, filter, offset, kPage));
    for (const rules::FindingView& f : page.items) {
      const int64_t unit = UnitBelow(f.org_path, p.org_path, p.org_id).value_or(0);
      if (unit) units.insert(unit);
      Counts& n = cells[{f.clause, unit}];
      (f.status == "open" ? n.open : n.resolved) += 1;
    }
    if (static_cast<int64_t>(page.items.size()) < kPage) break;
  }
  ASSIGN_OR_RETURN(auto names, registry::OrgNames(conn, units));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& [key, n] : cells) {
    nlohmann::json unit;
    if (key.second) {
      auto it = names.find(key.second);
      unit = {{"id", key.second}, {"name", it == names.end() ? nlohmann::json() : nlohmann::json(it->second)}};
    }
    items.push_back({{"clause", key.first},
                     {"unit", std::move(unit)},
                     {"open", n.open},
                     {"resolved", n.resolved},
                     {"total", n.open + n.resolved}});
  }
  return nlohmann::json{{"items", std::move(items)}, {"by", "unit"}};
}

StatusOr<nlohmann::json> Summary(RouteContext& c, storage::Connection& conn) {
  ASSIGN_OR_RETURN(rules::FindingsFilter filter, FilterFrom(c.req(), /*full=*/false));
  if (auto by = c.req().Query("by")) {
    if (*by == "unit") return SummaryByUnit(c, conn, filter);
    if (*by != "township") {
      return ParamError("by", "by must be township or unit, not \"" + *by + "\"",
                        "by 须为 township 或 unit，而不是“" + *by + "”");
    }
  }
  ASSIGN_OR_RETURN(std::vector<rules::FindingsSummaryRow> rows,
                   rules::SummarizeFindings(conn, c.principal(), filter.status));
  nlohmann::json items = nlohmann::json::array();
  for (const rules::FindingsSummaryRow& r : rows) {
    nlohmann::json township;
    if (r.township_id) township = {{"id", *r.township_id}, {"name", OrNull(r.township_name)}};
    items.push_back({{"clause", r.clause},
                     {"township", std::move(township)},
                     {"open", r.open},
                     {"resolved", r.resolved},
                     {"total", r.total}});
  }
  return nlohmann::json{{"items", std::move(items)}};
}

// How long a cached answer may be served without a generation bump: the
// bound on seeing findings written by another process.
constexpr std::chrono::milliseconds kCacheTtl{1000};
// Past this many entries (or bytes) the cache starts over: a bound on
// memory when many orgs and filters are read, not a tuning knob.
constexpr size_t kCacheMaxEntries = 20000;
constexpr size_t kCacheMaxBytes = size_t{64} << 20;

// 200 answers (body and headers) by key; see the file comment. Thread-safe.
class ReadCache {
 public:
  struct Generations {
    uint64_t findings = 0;
    uint64_t registry = 0;
    bool operator==(const Generations&) const = default;
  };
  static StatusOr<Generations> Now(storage::Connection& conn) {
    ASSIGN_OR_RETURN(uint64_t findings, rules::FindingsGeneration(conn));
    ASSIGN_OR_RETURN(uint64_t registry, registry::RegistryGeneration(conn));
    return Generations{findings, registry};
  }

  // The answer cached under `key` if built at generations `gen` and still
  // current at `now`.
  std::shared_ptr<const Response> Get(const std::string& key, Generations gen, TimePoint now) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    if (it->second.gen == gen && now >= it->second.built_at && now - it->second.built_at < kCacheTtl) {
      return it->second.body;
    }
    bytes_ -= Size(*it->second.body) + key.size();
    map_.erase(it);
    return nullptr;
  }

  // `gen` and `built_at` must have been taken before the answer was read
  // from the store, so a write committed meanwhile leaves it stale.
  void Put(const std::string& key, Generations gen, TimePoint built_at, const Response& answer) {
    auto shared = std::make_shared<const Response>(Response{.status = answer.status,
                                                            .content_type = answer.content_type,
                                                            .headers = answer.headers,
                                                            .body = answer.body});
    const size_t size = Size(*shared);
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.size() >= kCacheMaxEntries || bytes_ + size + key.size() > kCacheMaxBytes) {
      map_.clear();
      bytes_ = 0;
    }
    auto [it, inserted] = map_.try_emplace(key);
    if (!inserted) bytes_ -= Size(*it->second.body) + key.size();
    it->second = Entry{gen, built_at, shared};
    bytes_ += size + key.size();
  }

 private:
  struct Entry {
    Generations gen;
    TimePoint built_at;
    std::shared_ptr<const Response> body;  // without a log note
  };
  static size_t Size(const Response& r) {
    size_t n = r.body.size() + r.content_type.size();
    for (const auto& [name, value] : r.headers) n += name.size() + value.size();
    return n;
  }
  std::mutex mu_;
  std::unordered_map<std::string, Entry> map_;
  size_t bytes_ = 0;
};

// "route NUL org-path NUL" then each query parameter as "<len>:name<len>:value"
// (the decoded map, sorted by name): the route and the org path hold no NUL,
// and the parameters are length-prefixed, so two requests that could be
// answered differently never share a key.
std::string CacheKey(std::string_view route, const Request& req, const Principal& p) {
  std::string key;
  key.reserve(64 + p.org_path.size());
  key.append(route).push_back('\0');
  key.append(p.org_path).push_back('\0');
  for (const auto& [name, value] : req.query) {
    key.append(std::to_string(name.size())).push_back(':');
    key.append(name);
    key.append(std::to_string(value.size())).push_back(':');
    key.append(value);
  }
  return key;
}

// The answer of `fn` for this caller and query, from the cache when current.
using ReadFn = StatusOr<nlohmann::json> (*)(RouteContext&, storage::Connection&);
StatusOr<Response> Read(ReadCache& cache, std::string_view route, RouteContext& c, ReadFn fn) {
  const std::string key = CacheKey(route, c.req(), c.principal());
  const TimePoint now = c.app().clock->Now();
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  // Noted before the store is read: a write committed meanwhile leaves
  // what is read below stale, and the next request sees the counter moved.
  ASSIGN_OR_RETURN(const ReadCache::Generations gen, ReadCache::Now(*conn));
  if (std::shared_ptr<const Response> hit = cache.Get(key, gen, now)) return *hit;
  ASSIGN_OR_RETURN(nlohmann::json body, fn(c, *conn));
  Response res = JsonResponse(body);
  // Any 200, whatever its headers: a hit is served with the same ones.
  if (res.status == 200) cache.Put(key, gen, now, res);
  return res;
}

// 导出 of the findings list: the list's filters, its scope, its JSON items.
std::vector<ExportColumn> FindingColumns() {
  auto status = [](const nlohmann::json& item, Lang lang) -> tabular::XlsxCell {
    const std::string s = item.value("status", "");
    if (lang == Lang::kEn) return s;
    return std::string(s == "open" ? "未解决" : s == "resolved" ? "已解决" : s);
  };
  auto period = [](const nlohmann::json& item, Lang) -> tabular::XlsxCell {
    const nlohmann::json& p = item["period"];
    const std::string start = p.value("start", ""), end = p.value("end", "");
    return start == end ? start : start + " ~ " + end;
  };
  return {JsonColumn("编号", "ID", "/id", 8),
          JsonColumn("条款", "Clause", "/clause", 8),
          JsonColumn("规则", "Rule", "/rule", 28),
          JsonColumn("对象", "Entity", "/entity/name", 20),
          JsonColumn("所属学校", "School", "/entity/school/name", 20),
          {"周期", "Period", period, 24},
          JsonColumn("实测值", "Measured", "/measured", 10),
          JsonColumn("阈值", "Threshold", "/threshold", 10),
          JsonColumn("比较", "Comparison", "/comparison", 8),
          {"状态", "Status", status, 8},
          JsonColumn("首次发现", "Opened on", "/opened_on", 12),
          JsonColumn("最近发现", "Last seen on", "/last_seen_on", 12),
          JsonColumn("解决日期", "Resolved on", "/resolved_on", 12)};
}

StatusOr<Response> ExportFindings(RouteContext& c) {
  ASSIGN_OR_RETURN(rules::FindingsFilter filter, FilterFrom(c.req(), /*full=*/true));
  ASSIGN_OR_RETURN(storage::Connection * conn, c.Conn());
  return ExportXlsx(c, {"问题清单", "findings"}, FindingColumns(),
                    [&](int64_t offset, int64_t limit) -> StatusOr<nlohmann::json> {
                      ASSIGN_OR_RETURN(rules::FindingsPage page,
                                       rules::ListFindings(*conn, c.principal(), filter, offset, limit));
                      nlohmann::json items = nlohmann::json::array();
                      for (const rules::FindingView& f : page.items) items.push_back(ItemJson(f));
                      RETURN_IF_ERROR(AddClassSchools(*conn, page.items, items));
                      return items;
                    });
}

}  // namespace

void RegisterFindingsHandlers(Router& router, App& app) {
  // Shared by both routes (the key names the route); lives as long as the
  // handlers that hold it.
  auto cache = std::make_shared<ReadCache>();
  RouteBuilder routes(router, app);
  routes.Get("/api/v1/findings").Paged(kPaging).Raw([cache](RouteContext& c) {
    return Read(*cache, "list", c, ListFindings);
  });
  // Not cached: a download, read once.
  routes.Get("/api/v1/findings/export.xlsx").Options({.heavy = true, .reads_only = true}).Raw(ExportFindings);
  routes.Get("/api/v1/findings/summary").Raw([cache](RouteContext& c) {
    return Read(*cache, "summary", c, Summary);
  });
}

}  // namespace edugov::http
