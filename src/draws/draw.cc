#include "draws/draw.h"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "draws/prng.h"

namespace edugov::draws {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kHexDigits = "0123456789abcdef";

std::string Hex(const uint8_t* bytes, size_t n) {
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHexDigits[bytes[i] >> 4]);
    out.push_back(kHexDigits[bytes[i] & 15]);
  }
  return out;
}

std::string Netstring(std::string_view s) {
  return std::to_string(s.size()) + ":" + std::string(s);
}

// Canonical text: no whitespace, keys in insertion order, UTF-8 as is
// (invalid bytes replaced rather than thrown on: the pools come from the
// registry, which only holds UTF-8).
std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status Bad(std::string field, std::string en, std::string zh) {
  return Status(StatusCode::kInvalidArgument, "draw: " + en, "抽查:" + zh, std::move(field));
}

Json ParamsJson(const DrawParams& p) {
  Json j;
  j["rate_percent"] = p.rate_percent;
  j["team_size"] = p.team_size;
  j["conflict_years"] = p.conflict_years;
  j["strata"] = p.strata;
  return j;
}

Json SchoolsJson(const std::vector<PoolSchool>& schools) {
  Json arr = Json::array();
  for (const PoolSchool& s : schools) {
    Json o;
    o["code"] = s.code;
    o["name"] = s.name;
    o["township"] = s.township;
    o["stage"] = s.stage;
    o["risk"] = s.risk;
    arr.push_back(std::move(o));
  }
  return arr;
}

Json InspectorsJson(const std::vector<PoolInspector>& inspectors) {
  Json arr = Json::array();
  for (const PoolInspector& i : inspectors) {
    Json o;
    o["key"] = i.key;
    o["name"] = i.name;
    o["conflicts"] = i.conflicts;
    arr.push_back(std::move(o));
  }
  return arr;
}

Json ResultBody(const DrawResult& r) {
  Json j;
  j["format"] = kResultFormat;
  j["plan"] = r.plan;
  j["year"] = r.year;
  j["commitment"] = r.commitment;
  j["seed"] = r.seed;
  Json strata = Json::array();
  for (const StratumQuota& q : r.strata) {
    Json o;
    o["stratum"] = q.stratum;
    o["schools"] = q.schools;
    o["quota"] = q.quota;
    strata.push_back(std::move(o));
  }
  j["strata"] = std::move(strata);
  Json assignments = Json::array();
  for (const Assignment& a : r.assignments) {
    Json o;
    o["stratum"] = a.stratum;
    o["school"] = {{"code", a.school_code}, {"name", a.school_name}};
    Json team = Json::array();
    for (const DrawnInspector& i : a.inspectors) team.push_back({{"key", i.key}, {"name", i.name}});
    o["inspectors"] = std::move(team);
    assignments.push_back(std::move(o));
  }
  j["assignments"] = std::move(assignments);
  return j;
}

// The stratum key of a school: the chosen dimensions' values joined by " / ".
std::string StratumOf(const PoolSchool& s, const std::vector<std::string>& dims) {
  if (dims.empty()) return "all";
  std::string key;
  for (const std::string& d : dims) {
    if (!key.empty()) key += " / ";
    key += d == "township" ? s.township : d == "stage" ? s.stage : s.risk;
  }
  return key;
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// ---- parsing helpers: each names the field it reads.

StatusOr<std::string> Text(const nlohmann::json& o, const std::string& key, const std::string& path,
                           bool required = true) {
  if (!o.contains(key)) {
    if (!required) return std::string();
    return Bad(path + key, "field '" + path + key + "' is missing", "缺少字段“" + path + key + "”");
  }
  if (!o[key].is_string()) {
    return Bad(path + key, "field '" + path + key + "' must be a string",
               "字段“" + path + key + "”须为字符串");
  }
  return o[key].get<std::string>();
}

StatusOr<int> Int(const nlohmann::json& o, const std::string& key, const std::string& path) {
  if (!o.contains(key) || !o[key].is_number_integer()) {
    return Bad(path + key, "field '" + path + key + "' must be an integer",
               "字段“" + path + key + "”须为整数");
  }
  const int64_t v = o[key].get<int64_t>();
  if (v < 0 || v > 1'000'000) {
    return Bad(path + key, "field '" + path + key + "' is out of range",
               "字段“" + path + key + "”超出范围");
  }
  return static_cast<int>(v);
}

StatusOr<std::vector<std::string>> TextList(const nlohmann::json& o, const std::string& key,
                                            const std::string& path) {
  if (!o.contains(key) || !o[key].is_array()) {
    return Bad(path + key, "field '" + path + key + "' must be an array of strings",
               "字段“" + path + key + "”须为字符串数组");
  }
  std::vector<std::string> out;
  for (const auto& v : o[key]) {
    if (!v.is_string()) {
      return Bad(path + key, "field '" + path + key + "' must be an array of strings",
                 "字段“" + path + key + "”须为字符串数组");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

Status CheckParams(const DrawParams& p) {
  if (p.rate_percent < 1 || p.rate_percent > 100) {
    return Bad("params.rate_percent", "rate_percent must be between 1 and 100",
               "抽查比例 rate_percent 须在 1 到 100 之间");
  }
  if (p.team_size < 1 || p.team_size > 20) {
    return Bad("params.team_size", "team_size must be between 1 and 20",
               "每校检查人数 team_size 须在 1 到 20 之间");
  }
  if (p.conflict_years < 0 || p.conflict_years > 50) {
    return Bad("params.conflict_years", "conflict_years must be between 0 and 50",
               "回避年限 conflict_years 须在 0 到 50 之间");
  }
  static const std::vector<std::string> kOrder = {"township", "stage", "risk"};
  size_t next = 0;
  for (const std::string& d : p.strata) {
    auto it = std::find(kOrder.begin() + static_cast<std::ptrdiff_t>(next), kOrder.end(), d);
    if (it == kOrder.end()) {
      return Bad("params.strata",
                 "strata must be a subset of township, stage, risk in that order (got '" + d + "')",
                 "分层维度 strata 须取自 township、stage、risk 且按此顺序(“" + d + "”不符)");
    }
    next = static_cast<size_t>(it - kOrder.begin()) + 1;
  }
  return OkStatus();
}

}  // namespace

// ---------------------------------------------------------------- PRNG

Sha256Stream::Sha256Stream(std::string_view seed, std::string_view public_input,
                           std::string_view pools) {
  const std::string material = Netstring(seed) + Netstring(public_input) + Netstring(pools);
  crypto_hash_sha256(key_.data(), reinterpret_cast<const unsigned char*>(material.data()),
                     material.size());
}

uint64_t Sha256Stream::Next() {
  if (word_ == 4) {
    uint8_t buf[40];
    std::copy(key_.begin(), key_.end(), buf);
    for (int b = 0; b < 8; ++b) buf[32 + b] = static_cast<uint8_t>(counter_ >> (56 - 8 * b));
    crypto_hash_sha256(block_.data(), buf, sizeof buf);
    ++counter_;
    word_ = 0;
  }
  uint64_t w = 0;
  for (int b = 0; b < 8; ++b) w = (w << 8) | block_[static_cast<size_t>(word_ * 8 + b)];
  ++word_;
  return w;
}

uint64_t Sha256Stream::Below(uint64_t n) {
  const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
  uint64_t w = Next();
  while (w < threshold) w = Next();
  return w % n;
}

// ---------------------------------------------------------------- draw

std::string Sha256Hex(std::string_view bytes) {
  uint8_t h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return Hex(h, sizeof h);
}

std::string PublicInput(std::string_view draw_at, std::string_view announced) {
  return "draw_at=" + std::string(draw_at) + "\nannounced=" + std::string(announced);
}

std::string Commitment(std::string_view seed_hex, std::string_view public_input) {
  return Sha256Hex(std::string(seed_hex) + std::string(public_input));
}

Status CheckSeed(const DrawInputs& in) {
  if (in.seed.size() != 64 || !IsLowerHex(in.seed)) {
    return Bad("seed", "the seed must be 64 lowercase hex characters",
               "种子 seed 须为 64 位小写十六进制字符");
  }
  if (Commitment(in.seed, in.public_input) != in.commitment) {
    return Bad("seed",
               "the revealed seed does not open the commitment " + in.commitment +
                   ": SHA-256(seed ‖ public input) differs",
               "公开的种子与事先公布的承诺值 " + in.commitment +
                   " 不符:SHA-256(种子 ‖ 公开输入)不一致");
  }
  return OkStatus();
}

std::string CanonicalPools(const DrawInputs& in) {
  Json j;
  j["params"] = ParamsJson(in.params);
  j["schools"] = SchoolsJson(in.schools);
  j["inspectors"] = InspectorsJson(in.inspectors);
  return Dump(j);
}

StatusOr<DrawResult> RunDraw(const DrawInputs& in) {
  RETURN_IF_ERROR(CheckParams(in.params));
  RETURN_IF_ERROR(CheckSeed(in));
  if (in.schools.empty()) {
    return Bad("schools", "the schools' pool is empty", "被抽查学校名录为空");
  }
  if (in.inspectors.empty()) {
    return Bad("inspectors", "the inspectors' pool is empty", "检查人员名录为空");
  }
  const size_t team = static_cast<size_t>(in.params.team_size);
  if (in.inspectors.size() < team) {
    return Bad("inspectors",
               "the inspectors' pool has " + std::to_string(in.inspectors.size()) +
                   " people, fewer than a team of " + std::to_string(team),
               "检查人员名录仅 " + std::to_string(in.inspectors.size()) + " 人,少于每校 " +
                   std::to_string(team) + " 人的检查组");
  }

  // Who may inspect each school (inspector indices, in key order).
  std::map<std::string, std::vector<size_t>> eligible;
  for (const PoolSchool& s : in.schools) {
    std::vector<size_t>& list = eligible[s.code];
    for (size_t i = 0; i < in.inspectors.size(); ++i) {
      const auto& c = in.inspectors[i].conflicts;
      if (!std::binary_search(c.begin(), c.end(), s.code)) list.push_back(i);
    }
  }

  std::map<std::string, std::vector<const PoolSchool*>> strata;  // key order
  for (const PoolSchool& s : in.schools) strata[StratumOf(s, in.params.strata)].push_back(&s);

  Sha256Stream rng(in.seed, in.public_input, CanonicalPools(in));
  DrawResult r{.plan = in.plan, .year = in.year, .commitment = in.commitment, .seed = in.seed};
  std::vector<const PoolSchool*> drawn;
  std::vector<std::string> drawn_stratum;
  for (auto& [key, schools] : strata) {
    const int64_t n = static_cast<int64_t>(schools.size());
    const int64_t quota = std::max<int64_t>(1, (n * in.params.rate_percent + 99) / 100);
    std::vector<const PoolSchool*> candidates;
    for (const PoolSchool* s : schools) {
      if (eligible[s->code].size() >= team) candidates.push_back(s);
    }
    if (static_cast<int64_t>(candidates.size()) < quota) {
      return Status(StatusCode::kFailedPrecondition,
                    "draw: stratum '" + key + "': the quota of " + std::to_string(quota) + " of " +
                        std::to_string(n) + " schools cannot be met — only " +
                        std::to_string(candidates.size()) + " have " + std::to_string(team) +
                        " inspectors free of conflicts of interest",
                    "抽查:分层“" + key + "”须抽 " + std::to_string(quota) + " 所(共 " +
                        std::to_string(n) + " 所),但仅 " + std::to_string(candidates.size()) +
                        " 所学校有 " + std::to_string(team) + " 名无回避关系的检查人员,无法完成配额",
                    "strata");
    }
    rng.Shuffle(candidates);
    r.strata.push_back({.stratum = key, .schools = n, .quota = quota});
    for (int64_t i = 0; i < quota; ++i) {
      drawn.push_back(candidates[static_cast<size_t>(i)]);
      drawn_stratum.push_back(key);
    }
  }

  // Teams: the eligible inspectors shuffled, then the least loaded first
  // (a stable sort keeps the shuffle's order among equals).
  std::vector<int64_t> load(in.inspectors.size(), 0);
  for (size_t d = 0; d < drawn.size(); ++d) {
    std::vector<size_t> pick = eligible[drawn[d]->code];
    rng.Shuffle(pick);
    std::stable_sort(pick.begin(), pick.end(), [&](size_t a, size_t b) { return load[a] < load[b]; });
    Assignment a{.stratum = drawn_stratum[d], .school_code = drawn[d]->code,
                 .school_name = drawn[d]->name};
    for (size_t t = 0; t < team; ++t) {
      const PoolInspector& insp = in.inspectors[pick[t]];
      a.inspectors.push_back({.key = insp.key, .name = insp.name});
      ++load[pick[t]];
    }
    r.assignments.push_back(std::move(a));
  }
  return r;
}

std::string InputsJson(const DrawInputs& in, bool with_seed) {
  Json j;
  j["format"] = kInputsFormat;
  j["plan"] = in.plan;
  j["year"] = in.year;
  j["params"] = ParamsJson(in.params);
  j["public_input"] = in.public_input;
  j["commitment"] = in.commitment;
  j["pools_sha256"] = Sha256Hex(CanonicalPools(in));
  if (with_seed) j["seed"] = in.seed;
  j["schools"] = SchoolsJson(in.schools);
  j["inspectors"] = InspectorsJson(in.inspectors);
  return Dump(j);
}

std::string ResultJson(const DrawResult& r) { return Dump(ResultBody(r)); }

StatusOr<DrawInputs> ParseInputs(std::string_view json_text) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Bad("inputs", "the inputs are not a JSON object", "抽查输入不是 JSON 对象");
  }
  ASSIGN_OR_RETURN(std::string format, Text(j, "format", ""));
  if (format != kInputsFormat) {
    return Bad("format", "format must be '" + std::string(kInputsFormat) + "', got '" + format + "'",
               "格式 format 须为“" + std::string(kInputsFormat) + "”,实为“" + format + "”");
  }
  DrawInputs in;
  ASSIGN_OR_RETURN(in.plan, Text(j, "plan", ""));
  ASSIGN_OR_RETURN(in.year, Int(j, "year", ""));
  if (!j.contains("params") || !j["params"].is_object()) {
    return Bad("params", "field 'params' must be an object", "字段“params”须为对象");
  }
  const auto& p = j["params"];
  ASSIGN_OR_RETURN(in.params.rate_percent, Int(p, "rate_percent", "params."));
  ASSIGN_OR_RETURN(in.params.team_size, Int(p, "team_size", "params."));
  ASSIGN_OR_RETURN(in.params.conflict_years, Int(p, "conflict_years", "params."));
  ASSIGN_OR_RETURN(in.params.strata, TextList(p, "strata", "params."));
  RETURN_IF_ERROR(CheckParams(in.params));
  ASSIGN_OR_RETURN(in.public_input, Text(j, "public_input", ""));
  ASSIGN_OR_RETURN(in.commitment, Text(j, "commitment", ""));
  ASSIGN_OR_RETURN(in.seed, Text(j, "seed", "", /*required=*/false));

  if (!j.contains("schools") || !j["schools"].is_array()) {
    return Bad("schools", "field 'schools' must be an array", "字段“schools”须为数组");
  }
  std::set<std::string> codes;
  for (size_t i = 0; i < j["schools"].size(); ++i) {
    const auto& o = j["schools"][i];
    const std::string path = "schools[" + std::to_string(i) + "].";
    if (!o.is_object()) return Bad(path, "must be an object", "须为对象");
    PoolSchool s;
    ASSIGN_OR_RETURN(s.code, Text(o, "code", path));
    ASSIGN_OR_RETURN(s.name, Text(o, "name", path));
    ASSIGN_OR_RETURN(s.township, Text(o, "township", path));
    ASSIGN_OR_RETURN(s.stage, Text(o, "stage", path));
    ASSIGN_OR_RETURN(s.risk, Text(o, "risk", path));
    if (!codes.insert(s.code).second) {
      return Bad(path + "code", "school code '" + s.code + "' appears twice",
                 "学校代码“" + s.code + "”重复");
    }
    in.schools.push_back(std::move(s));
  }
  if (!j.contains("inspectors") || !j["inspectors"].is_array()) {
    return Bad("inspectors", "field 'inspectors' must be an array", "字段“inspectors”须为数组");
  }
  std::set<std::string> keys;
  for (size_t i = 0; i < j["inspectors"].size(); ++i) {
    const auto& o = j["inspectors"][i];
    const std::string path = "inspectors[" + std::to_string(i) + "].";
    if (!o.is_object()) return Bad(path, "must be an object", "须为对象");
    PoolInspector insp;
    ASSIGN_OR_RETURN(insp.key, Text(o, "key", path));
    ASSIGN_OR_RETURN(insp.name, Text(o, "name", path));
    ASSIGN_OR_RETURN(insp.conflicts, TextList(o, "conflicts", path));
    std::sort(insp.conflicts.begin(), insp.conflicts.end());
    insp.conflicts.erase(std::unique(insp.conflicts.begin(), insp.conflicts.end()),
                         insp.conflicts.end());
    if (!keys.insert(insp.key).second) {
      return Bad(path + "key", "inspector '" + insp.key + "' appears twice",
                 "检查人员“" + insp.key + "”重复");
    }
    in.inspectors.push_back(std::move(insp));
  }
  std::sort(in.schools.begin(), in.schools.end(),
            [](const PoolSchool& a, const PoolSchool& b) { return a.code < b.code; });
  std::sort(in.inspectors.begin(), in.inspectors.end(),
            [](const PoolInspector& a, const PoolInspector& b) { return a.key < b.key; });
  if (j.contains("pools_sha256") && j["pools_sha256"].is_string() &&
      j["pools_sha256"].get<std::string>() != Sha256Hex(CanonicalPools(in))) {
    return Bad("pools_sha256",
               "the pools do not match pools_sha256: the schools, inspectors or parameters were changed",
               "名录与 pools_sha256 不符:学校、检查人员或参数已被改动");
  }
  return in;
}

StatusOr<std::string> VerifyPublished(std::string_view json_text) {
  ASSIGN_OR_RETURN(DrawInputs in, ParseInputs(json_text));
  if (in.seed.empty()) {
    return Bad("seed", "the inputs carry no seed: the draw has not been made yet",
               "输入中没有种子 seed:尚未开奖(抽取)");
  }
  ASSIGN_OR_RETURN(DrawResult r, RunDraw(in));
  std::string text = ResultJson(r);
  // Parsed in document order, so a result published as ResultJson wrote it
  // re-dumps to the same bytes.
  Json doc = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object() && doc.contains("result") && Dump(doc["result"]) != text) {
    return Status(StatusCode::kFailedPrecondition,
                  "draw: the published result differs from the re-run draw",
                  "抽查:公布的结果与重新运行的抽取结果不一致", "result");
  }
  return text;
}

}  // namespace edugov::draws
