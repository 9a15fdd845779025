// The demo county definition (demo/anhua-county.yaml) as plain data. Internal
// to src/demo.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace edugov::demo {

using Range = std::pair<int64_t, int64_t>;

struct TownshipSpec {
  std::string name;
  bool urban = false;
  std::string central_stage;
  int64_t schools = 0;  // besides the central school
};

struct NamedSchoolSpec {
  std::string name;
  std::string township;
  std::string stage;
  bool large = false;
};

struct CountySchoolSpec {
  std::string name;
  std::string synthetic_name;  // with "{county}"
  std::string stage;
};

struct CountySpec {
  // Province and city roots.
  std::string province_name, province_code, synthetic_city_name, city_name, city_code;
  int64_t province_cities = 0, province_counties = 0, city_counties = 0;

  std::string county_name, county_short_name, county_code;
  int64_t compulsory_schools = 0;
  std::vector<TownshipSpec> townships;
  std::vector<std::string> without_standard_boarding;
  std::vector<NamedSchoolSpec> named_schools;
  std::vector<CountySchoolSpec> county_schools;

  std::string synthetic_county_name;
  Range synthetic_townships, synthetic_size_percent, synthetic_without_boarding;
  int64_t synthetic_urban_townships = 0;

  std::vector<std::pair<std::string, int64_t>> stage_weights;
  std::map<std::string, Range> classes_per_grade;
  std::map<std::string, Range> class_size;
  Range staff_per_class_permille;
  int64_t min_staff_per_school = 0;
  std::map<std::string, int64_t> percent;
  Range career_years, leader_career_years;
  std::vector<std::pair<std::string, int64_t>> hire_kind_weights;

  std::vector<std::string> surnames, given_chars, place_syllables;
};

// Reads and checks the file; kInvalidArgument naming the key at fault,
// kNotFound when the file is missing.
StatusOr<CountySpec> LoadCountySpec(const std::string& path);

}  // namespace edugov::demo
