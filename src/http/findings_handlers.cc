// /api/v1/findings: reads of the findings table (migration 004), scoped by
// the materialised org path stored with each finding (findings_handlers.h
// lists the routes). rules/findings_store.h offers no scoped read, so the
// SQL is here; it is read-only and portable (SQLite and PostgreSQL).
//
// The read cache (docs/architecture.md, "Findings read cache"): a page of
// findings is a function of the caller's org path, the query parameters and
// the stored findings and registry names. The serialized 200 answer is kept
// per (route, org path, query) and served while neither
// rules::FindingsGeneration() nor registry::RegistryGeneration() has moved
// since it was built (both are bumped after every commit of a findings or
// registry write of this process) and for at most kCacheTtl (so findings
// written by another process — `edugov check` from cron — show within it).
// Errors are never cached. The key holds the org path itself, so a school
// is only ever served an answer built for its own subtree.
#include "http/findings_handlers.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/query_params.h"
#include "registry/registry.h"
#include "rules/findings_store.h"
#include "storage/database.h"

namespace edugov::http {
namespace {

using accounts::Principal;

constexpr int64_t kDefaultLimit = 50;
constexpr int64_t kMaxLimit = 500;
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

// The materialised path of the org named by query parameter `name`, which
// must be an org of `kind` inside the caller's subtree. Absent → nullopt.
// Not an id → 400; no such org or outside the subtree → 404 (the same
// answer, so the caller learns nothing about other orgs); wrong kind → 400.
StatusOr<std::optional<std::string>> QueryOrgPath(storage::Connection& conn, const Request& req,
                                                  const Principal& p, std::string_view name,
                                                  std::string_view kind, std::string_view kind_zh) {
  if (!req.Query(name)) return std::optional<std::string>();
  ASSIGN_OR_RETURN(int64_t id, QueryNumber(req, name, 0, 1, INT64_C(999999999999)));
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT kind, path FROM orgs WHERE id = $1", {storage::Value(id)}));
  const std::string n(name);
  if (rs.empty() || !p.CanSee(rs.GetText(0, 1))) {
    return Status(StatusCode::kNotFound, n + " " + std::to_string(id) + ": no such org in your scope",
                  n + " " + std::to_string(id) + "：您的管辖范围内没有该单位", n);
  }
  if (rs.GetText(0, 0) != kind) {
    return ParamError(name, n + " " + std::to_string(id) + " is not a " + std::string(kind),
                      n + " " + std::to_string(id) + " 不是" + std::string(kind_zh));
  }
  return std::optional<std::string>(rs.GetText(0, 1));
}

// WHERE clause and its parameters, shared by the list, its count and the summary.
struct Filter {
  std::string where;
  storage::Params params;

  // (emplace with in_place_type: GCC 12 warns maybe-uninitialized when a
  // storage::Value temporary is moved into the vector.)
  void Add(std::string_view column_op, const std::string& v) {
    params.emplace_back(std::in_place_type<std::string>, v);
    where += " AND " + std::string(column_op) + " $" + std::to_string(params.size());
  }
};

StatusOr<Filter> BuildFilter(storage::Connection& conn, const Request& req, const Principal& p,
                             bool full) {
  if (p.org_path.empty()) {
    return Status(StatusCode::kPermissionDenied, "your account is bound to no org", "您的账号未绑定单位");
  }
  Filter f;
  f.where = "f.org_path LIKE $1";
  f.params.emplace_back(std::in_place_type<std::string>, p.org_path + "%");
  ASSIGN_OR_RETURN(std::optional<std::string> status, QueryStatus(req));
  if (status) f.Add("f.status =", *status);
  if (!full) return f;
  ASSIGN_OR_RETURN(std::optional<std::string> rule, QueryText(req, "rule"));
  if (rule) f.Add("f.rule_id =", *rule);
  ASSIGN_OR_RETURN(std::optional<std::string> clause, QueryText(req, "clause"));
  if (clause) f.Add("f.clause =", *clause);
  ASSIGN_OR_RETURN(std::optional<std::string> township,
                   QueryOrgPath(conn, req, p, "township", "township", "乡镇"));
  if (township) f.Add("f.org_path LIKE", *township + "%");
  ASSIGN_OR_RETURN(std::optional<std::string> school, QueryOrgPath(conn, req, p, "school", "school", "学校"));
  if (school) f.Add("f.org_path LIKE", *school + "%");
  return f;
}

nlohmann::json ParseStoredJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json() : j;
}

nlohmann::json OptionalReal(const storage::ResultSet& rs, size_t r, size_t c) {
  return rs.IsNull(r, c) ? nlohmann::json() : nlohmann::json(rs.GetDouble(r, c));
}

nlohmann::json OptionalText(const storage::ResultSet& rs, size_t r, size_t c) {
  auto t = rs.GetOptionalText(r, c);
  return t ? nlohmann::json(*t) : nlohmann::json();
}

StatusOr<nlohmann::json> ListFindings(storage::Connection& conn, const Request& req, const Principal& p) {
  ASSIGN_OR_RETURN(int64_t offset, QueryNumber(req, "offset", 0, 0, INT64_C(999999999999)));
  ASSIGN_OR_RETURN(int64_t limit, QueryNumber(req, "limit", kDefaultLimit, 1, kMaxLimit));
  ASSIGN_OR_RETURN(Filter f, BuildFilter(conn, req, p, /*full=*/true));

  ASSIGN_OR_RETURN(storage::ResultSet count,
                   conn.Query("SELECT COUNT(*) FROM findings f WHERE " + f.where, f.params));
  const int64_t total = count.GetInt(0, 0);

  storage::Params params = f.params;
  params.emplace_back(std::in_place_type<int64_t>, limit);
  params.emplace_back(std::in_place_type<int64_t>, offset);
  const std::string n = std::to_string(params.size());
  const std::string sql =
      "SELECT f.id, f.rule_id, f.clause, f.severity, f.entity_type, f.entity_id, "
      "COALESCE(o.name, c.name, s.name), f.period_kind, f.period_start, f.period_end, f.measured, "
      "f.threshold, f.comparison, f.parameters_json, f.evidence_json, f.evidence_count, f.status, "
      "f.first_seen_on, f.last_seen_on, f.resolved_on, f.times_reopened, f.township_id "
      "FROM findings f "
      "LEFT JOIN orgs o ON f.entity_type IN ('school', 'township', 'county', 'org') AND o.id = f.entity_id "
      "LEFT JOIN classes c ON f.entity_type = 'class' AND c.id = f.entity_id "
      "LEFT JOIN staff s ON f.entity_type = 'staff' AND s.id = f.entity_id "
      "WHERE " + f.where + " ORDER BY f.id LIMIT $" + std::to_string(params.size() - 1) + " OFFSET $" + n;
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(sql, params));

  nlohmann::json items = nlohmann::json::array();
  for (size_t i = 0; i < rs.size(); ++i) {
    nlohmann::json evidence = ParseStoredJson(rs.GetText(i, 14));
    if (!evidence.is_object()) evidence = nlohmann::json::object();
    evidence["count"] = rs.GetInt(i, 15);
    if (!evidence.contains("row_ids")) evidence["row_ids"] = nlohmann::json::array();
    nlohmann::json parameters = ParseStoredJson(rs.GetText(i, 13));
    if (!parameters.is_array()) parameters = nlohmann::json::array();
    items.push_back({
        {"id", rs.GetInt(i, 0)},
        {"rule", rs.GetText(i, 1)},
        {"clause", rs.GetText(i, 2)},
        {"severity", rs.GetText(i, 3)},
        {"entity", {{"type", rs.GetText(i, 4)}, {"id", rs.GetInt(i, 5)}, {"name", OptionalText(rs, i, 6)}}},
        {"period", {{"kind", rs.GetText(i, 7)}, {"start", rs.GetText(i, 8)}, {"end", rs.GetText(i, 9)}}},
        {"measured", OptionalReal(rs, i, 10)},
        {"threshold", OptionalReal(rs, i, 11)},
        {"comparison", rs.GetText(i, 12)},
        {"parameters", std::move(parameters)},
        {"evidence", std::move(evidence)},
        {"status", rs.GetText(i, 16)},
        {"opened_on", rs.GetText(i, 17)},
        {"last_seen_on", rs.GetText(i, 18)},
        {"resolved_on", OptionalText(rs, i, 19)},
        {"times_reopened", rs.GetInt(i, 20)},
        {"township_id", rs.IsNull(i, 21) ? nlohmann::json() : nlohmann::json(rs.GetInt(i, 21))},
    });
  }
  return nlohmann::json{{"items", std::move(items)}, {"total", total}, {"offset", offset}, {"limit", limit}};
}

StatusOr<nlohmann::json> Summary(storage::Connection& conn, const Request& req, const Principal& p) {
  ASSIGN_OR_RETURN(Filter f, BuildFilter(conn, req, p, /*full=*/false));
  const std::string sql =
      "SELECT f.clause, f.township_id, t.name, "
      "CAST(SUM(CASE WHEN f.status = 'open' THEN 1 ELSE 0 END) AS BIGINT), "
      "CAST(SUM(CASE WHEN f.status = 'resolved' THEN 1 ELSE 0 END) AS BIGINT), CAST(COUNT(*) AS BIGINT) "
      "FROM findings f LEFT JOIN orgs t ON t.id = f.township_id "
      "WHERE " + f.where + " GROUP BY f.clause, f.township_id, t.name ORDER BY f.clause, f.township_id";
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(sql, f.params));
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = 0; i < rs.size(); ++i) {
    nlohmann::json township;
    if (!rs.IsNull(i, 1)) township = {{"id", rs.GetInt(i, 1)}, {"name", OptionalText(rs, i, 2)}};
    items.push_back({{"clause", rs.GetText(i, 0)},
                     {"township", std::move(township)},
                     {"open", rs.GetInt(i, 3)},
                     {"resolved", rs.GetInt(i, 4)},
                     {"total", rs.GetInt(i, 5)}});
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

// Serialized 200 answers by key; see the file comment. Thread-safe.
class ReadCache {
 public:
  struct Generations {
    uint64_t findings = 0;
    uint64_t registry = 0;
    bool operator==(const Generations&) const = default;
  };
  static Generations Now() { return {rules::FindingsGeneration(), registry::RegistryGeneration()}; }

  // The body cached under `key` if still current at `now`.
  std::shared_ptr<const std::string> Get(const std::string& key, TimePoint now) {
    const Generations gen = Now();
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    if (it->second.gen == gen && now >= it->second.built_at && now - it->second.built_at < kCacheTtl) {
      return it->second.body;
    }
    bytes_ -= it->second.body->size() + key.size();
    map_.erase(it);
    return nullptr;
  }

  // `gen` and `built_at` must have been taken before the answer was read
  // from the store, so a write committed meanwhile leaves it stale.
  void Put(const std::string& key, Generations gen, TimePoint built_at, std::string body) {
    auto shared = std::make_shared<const std::string>(std::move(body));
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.size() >= kCacheMaxEntries || bytes_ + shared->size() + key.size() > kCacheMaxBytes) {
      map_.clear();
      bytes_ = 0;
    }
    auto [it, inserted] = map_.try_emplace(key);
    if (!inserted) bytes_ -= it->second.body->size() + key.size();
    it->second = Entry{gen, built_at, shared};
    bytes_ += shared->size() + key.size();
  }

 private:
  struct Entry {
    Generations gen;
    TimePoint built_at;
    std::shared_ptr<const std::string> body;
  };
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

template <typename Fn>
Response Read(App& app, ReadCache& cache, std::string_view route, const Request& req, const Principal& p,
              Fn&& fn) {
  const std::string key = CacheKey(route, req, p);
  const TimePoint now = app.clock->Now();
  if (std::shared_ptr<const std::string> hit = cache.Get(key, now)) {
    Response res;
    res.body = *hit;
    return res;
  }
  const ReadCache::Generations gen = ReadCache::Now();  // before the store is read
  auto conn = app.db->Acquire();
  if (!conn.ok()) return ErrorResponse(conn.status(), req.lang);
  StatusOr<nlohmann::json> body = fn(**conn, req, p);
  if (!body.ok()) return ErrorResponse(body.status(), req.lang);
  Response res = JsonResponse(*body);
  if (res.status == 200 && res.headers.empty()) cache.Put(key, gen, now, res.body);
  return res;
}

}  // namespace

void RegisterFindingsHandlers(Router& router, App& app) {
  // Shared by both routes (the key names the route); lives as long as the
  // handlers that hold it.
  auto cache = std::make_shared<ReadCache>();
  router.Add(Method::kGet, "/api/v1/findings", Authed(app, [&app, cache](Request& req, const Principal& p) {
               return Read(app, *cache, "list", req, p, ListFindings);
             }));
  router.Add(Method::kGet, "/api/v1/findings/summary",
             Authed(app, [&app, cache](Request& req, const Principal& p) {
               return Read(app, *cache, "summary", req, p, Summary);
             }));
}

}  // namespace edugov::http
