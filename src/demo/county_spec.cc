#include "demo/county_spec.h"

#include <yaml-cpp/yaml.h>

#include "common/yaml_error.h"

#include <fstream>

namespace edugov::demo {

namespace {

// yaml-cpp reports problems by throwing; this file converts them at the
// boundary (status.h: exceptions never cross a module boundary).
struct SpecError {
  std::string key;
  std::string what;
};

YAML::Node Need(const YAML::Node& node, const std::string& key, const std::string& path) {
  if (!node || !node[key]) throw SpecError{path + key, "missing"};
  return node[key];
}

std::string Str(const YAML::Node& node, const std::string& key, const std::string& path) {
  YAML::Node n = Need(node, key, path);
  if (!n.IsScalar()) throw SpecError{path + key, "expected text"};
  return n.as<std::string>();
}

int64_t Int(const YAML::Node& node, const std::string& key, const std::string& path) {
  YAML::Node n = Need(node, key, path);
  try {
    return n.as<int64_t>();
  } catch (const YAML::Exception&) {
    throw SpecError{path + key, "expected an integer"};
  }
}

Range RangeOf(const YAML::Node& node, const std::string& key, const std::string& path) {
  YAML::Node n = Need(node, key, path);
  if (!n.IsSequence() || n.size() != 2) throw SpecError{path + key, "expected [min, max]"};
  Range r{n[0].as<int64_t>(), n[1].as<int64_t>()};
  if (r.first > r.second || r.first < 0) throw SpecError{path + key, "expected 0 <= min <= max"};
  return r;
}

std::vector<std::string> Strings(const YAML::Node& node, const std::string& key,
                                 const std::string& path) {
  YAML::Node n = Need(node, key, path);
  if (!n.IsSequence()) throw SpecError{path + key, "expected a list"};
  std::vector<std::string> out;
  for (const auto& item : n) out.push_back(item.as<std::string>());
  return out;
}

std::vector<std::pair<std::string, int64_t>> Weights(const YAML::Node& node,
                                                     const std::string& key,
                                                     const std::string& path) {
  YAML::Node n = Need(node, key, path);
  if (!n.IsMap()) throw SpecError{path + key, "expected a map of weights"};
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& kv : n) out.emplace_back(kv.first.as<std::string>(), kv.second.as<int64_t>());
  return out;
}

std::map<std::string, Range> Ranges(const YAML::Node& node, const std::string& key,
                                    const std::string& path) {
  YAML::Node n = Need(node, key, path);
  std::map<std::string, Range> out;
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>();
    out[k] = RangeOf(n, k, path + key + ".");
  }
  return out;
}

CountySpec Parse(const YAML::Node& root) {
  CountySpec s;
  const YAML::Node province = Need(root, "province", "");
  s.province_name = Str(province, "name", "province.");
  s.province_code = Str(province, "code", "province.");
  s.province_cities = Int(province, "cities", "province.");
  s.province_counties = Int(province, "counties", "province.");
  s.synthetic_city_name = Str(province, "synthetic_city_name", "province.");
  const YAML::Node city = Need(root, "city", "");
  s.city_name = Str(city, "name", "city.");
  s.city_code = Str(city, "code", "city.");
  s.city_counties = Int(city, "counties", "city.");

  const YAML::Node county = Need(root, "county", "");
  s.county_name = Str(county, "name", "county.");
  s.county_short_name = Str(county, "short_name", "county.");
  s.county_code = Str(county, "code", "county.");
  s.compulsory_schools = Int(county, "compulsory_schools", "county.");
  for (const auto& t : Need(county, "townships", "county.")) {
    s.townships.push_back({Str(t, "name", "county.townships[]."), t["urban"].as<bool>(false),
                           Str(t, "central_stage", "county.townships[]."),
                           Int(t, "schools", "county.townships[].")});
  }
  s.without_standard_boarding =
      Strings(county, "townships_without_standard_boarding", "county.");
  for (const auto& n : Need(county, "named_schools", "county.")) {
    s.named_schools.push_back({Str(n, "name", "county.named_schools[]."),
                               Str(n, "township", "county.named_schools[]."),
                               Str(n, "stage", "county.named_schools[]."),
                               n["large"].as<bool>(false)});
  }
  for (const auto& n : Need(county, "county_schools", "county.")) {
    s.county_schools.push_back({Str(n, "name", "county.county_schools[]."),
                                Str(n, "synthetic_name", "county.county_schools[]."),
                                Str(n, "stage", "county.county_schools[].")});
  }
  const YAML::Node syn = Need(root, "synthetic_counties", "");
  s.synthetic_county_name = Str(syn, "name", "synthetic_counties.");
  s.synthetic_townships = RangeOf(syn, "townships", "synthetic_counties.");
  s.synthetic_size_percent = RangeOf(syn, "size_percent", "synthetic_counties.");
  s.synthetic_urban_townships = Int(syn, "urban_townships", "synthetic_counties.");
  s.synthetic_without_boarding = RangeOf(syn, "without_standard_boarding", "synthetic_counties.");

  const YAML::Node p = Need(root, "parameters", "");
  s.stage_weights = Weights(p, "stage_weights", "parameters.");
  s.classes_per_grade = Ranges(p, "classes_per_grade", "parameters.");
  s.class_size = Ranges(p, "class_size", "parameters.");
  s.staff_per_class_permille = RangeOf(p, "staff_per_class_permille", "parameters.");
  s.min_staff_per_school = Int(p, "min_staff_per_school", "parameters.");
  for (const auto& kv : Need(p, "percent", "parameters.")) {
    s.percent[kv.first.as<std::string>()] = kv.second.as<int64_t>();
  }
  s.career_years = RangeOf(p, "career_years", "parameters.");
  s.leader_career_years = RangeOf(p, "leader_career_years", "parameters.");
  s.hire_kind_weights = Weights(p, "hire_kind_weights", "parameters.");

  const YAML::Node names = Need(root, "names", "");
  s.surnames = Strings(names, "surnames", "names.");
  s.given_chars = Strings(names, "given_chars", "names.");
  s.place_syllables = Strings(names, "place_syllables", "names.");

  // Cross-checks the generator relies on.
  for (const char* k : {"rural", "rural_central", "urban", "urban_central", "large", "senior",
                        "vocational", "kindergarten"}) {
    if (!s.classes_per_grade.count(k)) throw SpecError{std::string("parameters.classes_per_grade.") + k, "missing"};
  }
  for (const char* k : {"rural", "rural_central", "urban", "senior", "kindergarten"}) {
    if (!s.class_size.count(k)) throw SpecError{std::string("parameters.class_size.") + k, "missing"};
  }
  for (const char* k : {"party_branch", "same_secretary", "canteen", "rural_boarding",
                        "standardised", "leader_rural_compliant", "male_leader", "male_teacher",
                        "substitute_teacher", "support_staff"}) {
    if (!s.percent.count(k)) throw SpecError{std::string("parameters.percent.") + k, "missing"};
  }
  if (s.townships.empty()) throw SpecError{"county.townships", "empty"};
  if (s.surnames.empty() || s.given_chars.empty() || s.place_syllables.size() < 6) {
    throw SpecError{"names", "name lists are too short"};
  }
  for (const auto& n : s.named_schools) {
    bool found = false;
    for (const auto& t : s.townships) found |= t.name == n.township;
    if (!found) throw SpecError{"county.named_schools." + n.name, "unknown township " + n.township};
  }
  return s;
}

}  // namespace

StatusOr<CountySpec> LoadCountySpec(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return NotFoundError("demo county file not found: " + path, "找不到示例县定义文件：" + path);
  }
  try {
    return Parse(YAML::Load(in));
  } catch (const SpecError& e) {
    return InvalidArgumentError(path + ": " + e.key + ": " + e.what,
                                path + "：" + e.key + "：" + e.what)
        .WithField(e.key);
  } catch (const YAML::Exception& e) {
    return YamlError(path, e);
  }
}

}  // namespace edugov::demo
