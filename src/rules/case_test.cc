// The declarative rule tests: every src/rules/testdata/*.case.yaml is one
// test — a policy (inline, or the real pack with a rule filter), a registry
// and dataset rows, an as-of date, and the expected findings, target
// progress or error. See src/rules/testdata/README.md.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "calendar/working_calendar.h"
#include "datasets/columnar.h"
#include "registry/registry.h"
#include "rules/binder.h"
#include "rules/evaluator.h"
#include "rules/policy_parser.h"

namespace edugov::rules {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> CaseFiles() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(EDUGOV_RULES_TESTDATA)) {
    std::string name = e.path().filename().string();
    if (name.ends_with(".case.yaml")) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

datasets::RegistryImage BuildRegistry(const YAML::Node& n, Date as_of) {
  datasets::RegistryImage r;
  r.as_of = as_of;
  // Sorted by path through indices: assigning a YAML::Node overwrites the
  // node it refers to, so std::sort must not move nodes around.
  std::vector<YAML::Node> nodes;
  for (const auto& o : n["orgs"]) nodes.push_back(o);
  std::vector<size_t> order(nodes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return nodes[a]["path"].as<std::string>() < nodes[b]["path"].as<std::string>();
  });
  for (size_t k : order) {
    const YAML::Node& o = nodes[k];
    const std::string path = o["path"].as<std::string>();
    r.org_id.push_back(o["id"].as<int64_t>());
    r.org_kind.push_back(static_cast<int8_t>(*registry::ParseOrgKind(o["kind"].as<std::string>())));
    r.org_code.push_back(o["code"] ? o["code"].as<std::string>() : "C" + o["id"].as<std::string>());
    r.org_name.push_back(o["name"] ? o["name"].as<std::string>() : "org" + o["id"].as<std::string>());
    r.org_path.push_back(path);
    r.org_stage.push_back(o["stage"] ? static_cast<int8_t>(*registry::ParseStage(o["stage"].as<std::string>()))
                                     : datasets::kNoStage);
    uint8_t flags = 0;
    for (const auto& f : o["flags"]) {
      std::string s = f.as<std::string>();
      if (s == "rural") flags |= datasets::kFlagRural;
      if (s == "boarding") flags |= datasets::kFlagBoarding;
      if (s == "standardised") flags |= datasets::kFlagStandardised;
      if (s == "canteen") flags |= datasets::kFlagCanteen;
      if (s == "party_branch") flags |= datasets::kFlagPartyBranch;
    }
    r.org_flags.push_back(flags);
  }
  std::unordered_map<int64_t, int32_t> idx;
  for (size_t i = 0; i < r.org_id.size(); ++i) idx[r.org_id[i]] = static_cast<int32_t>(i);
  for (const auto& c : n["classes"]) {
    r.class_id.push_back(c["id"].as<int64_t>());
    r.class_school.push_back(idx.at(c["school"].as<int64_t>()));
    r.class_grade.push_back(static_cast<int8_t>(c["grade"].as<int>()));
    r.class_name.push_back(c["name"] ? c["name"].as<std::string>() : "class" + c["id"].as<std::string>());
  }
  for (const auto& s : n["staff"]) {
    r.staff_id.push_back(s["id"].as<int64_t>());
    r.staff_org.push_back(idx.at(s["org"].as<int64_t>()));
    uint8_t posts = 0;
    for (const auto& p : s["posts"]) posts |= static_cast<uint8_t>(1u << static_cast<int>(*registry::ParsePost(p.as<std::string>())));
    r.staff_posts.push_back(posts);
    r.staff_rural_years.push_back(s["rural_years"] ? s["rural_years"].as<double>() : 0);
    r.staff_name.push_back("staff" + s["id"].as<std::string>());
  }
  datasets::FinishRegistryImage(r);
  return r;
}

// A YAML scalar as the value stored in ds_<name> for a column of `type`.
storage::Value StoredValue(const YAML::Node& v, datasets::ColumnType type) {
  if (!v || v.IsNull() || v.Scalar() == "~") return storage::Null();
  const std::string s = v.Scalar();
  switch (type) {
    case datasets::ColumnType::kInt: case datasets::ColumnType::kRef: return int64_t{std::stoll(s)};
    case datasets::ColumnType::kDecimal: return std::stod(s);
    case datasets::ColumnType::kBool: return int64_t{s == "true" || s == "1" ? 1 : 0};
    default: return s;
  }
}

std::string Describe(const Finding& f) {
  std::ostringstream o;
  o << f.rule_id << " " << f.entity_type << ":" << f.entity_id << " " << f.period_start << " measured="
    << f.measured;
  return o.str();
}

class RuleCaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RuleCaseTest, Holds) {
  const fs::path path = fs::path(EDUGOV_RULES_TESTDATA) / GetParam();
  YAML::Node c = YAML::LoadFile(path.string());
  // The policy: inline text, or a file relative to the source tree.
  StatusOr<ast::Pack> ast = c["policy_file"]
      ? ParsePolicyFile(std::string(EDUGOV_SOURCE_DIR) + "/" + c["policy_file"].as<std::string>())
      : ParsePolicy(c["policy"].as<std::string>(), "case.yaml");
  // An inline pack has no directory beside it: school days come from the
  // shipped calendar (a file pack reads the one beside it).
  if (ast.ok() && !c["policy_file"] && !c["no_calendar"]) {
    auto cal = calendar::WorkingCalendar::Load(std::string(EDUGOV_SOURCE_DIR) + "/policy/calendar");
    ASSERT_TRUE(cal.ok()) << cal.status().ToString();
    ast->calendar = std::make_shared<const calendar::WorkingCalendar>(std::move(*cal));
  }
  StatusOr<bound::Pack> pack = ast.ok() ? Bind(*ast) : StatusOr<bound::Pack>(ast.status());
  if (c["expect_error"]) {
    ASSERT_FALSE(pack.ok()) << "expected an error";
    for (const auto& needle : c["expect_error"]) {
      EXPECT_NE(pack.status().message_en().find(needle.as<std::string>()), std::string::npos)
          << pack.status().message_en();
    }
    return;
  }
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  if (c["rules"]) {
    std::set<std::string> keep;
    for (const auto& r : c["rules"]) keep.insert(r.as<std::string>());
    std::erase_if(pack->rules, [&](const bound::Rule& r) { return !keep.count(r.id); });
    std::erase_if(pack->targets, [&](const bound::Target& t) { return !keep.count(t.id); });
    ASSERT_EQ(pack->rules.size() + pack->targets.size(), keep.size()) << "unknown rule in `rules:`";
  }
  Date as_of = *Date::Parse(c["as_of"].as<std::string>());
  datasets::ColumnarImage image = datasets::EmptyImage(pack->datasets, BuildRegistry(c["registry"], as_of));
  if (c["rows"]) {
    for (const auto& ds : c["rows"]) {
      const std::string name = ds.first.as<std::string>();
      const datasets::DatasetImage* di = image.Find(name);
      ASSERT_NE(di, nullptr) << name;
      const YAML::Node& table = ds.second;
      // First line: the header (row_id and columns in any order).
      std::vector<std::string> header;
      for (const auto& h : table[0]) header.push_back(h.as<std::string>());
      std::vector<datasets::IngestedRow> rows;
      for (size_t i = 1; i < table.size(); ++i) {
        datasets::IngestedRow row;
        row.values.assign(di->schema.columns.size(), storage::Null());
        for (size_t k = 0; k < header.size(); ++k) {
          if (header[k] == "row_id") { row.row_id = table[i][k].as<int64_t>(); continue; }
          int col = di->schema.ColumnIndex(header[k]);
          ASSERT_GE(col, 0) << header[k];
          row.values[static_cast<size_t>(col)] =
              StoredValue(table[i][k], di->schema.columns[static_cast<size_t>(col)].type);
        }
        rows.push_back(std::move(row));
      }
      Status s = datasets::Append(image, name, rows);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }
  CompileOptions options{as_of, {}};
  for (const auto& w : c["what_if"]) options.overrides[w.first.as<std::string>()] = w.second.as<double>();
  StatusOr<CheckResult> result = Evaluate(*pack, image, options);
  if (c["expect_eval_error"]) {
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.status().message_en().find(c["expect_eval_error"].as<std::string>()), std::string::npos)
        << result.status().message_en();
    return;
  }
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // Findings: compared as a set of "rule type:id period_start measured".
  std::multiset<std::string> got, want;
  for (const auto& f : result->findings) got.insert(Describe(f));
  for (const auto& e : c["expect"]["findings"]) {
    Finding f;
    f.rule_id = e["rule"].as<std::string>();
    std::string ent = e["entity"].as<std::string>();
    f.entity_type = ent.substr(0, ent.find(':'));
    f.entity_id = std::stoll(ent.substr(ent.find(':') + 1));
    f.period_start = e["period"] ? e["period"].as<std::string>() : "";
    f.measured = e["measured"].as<double>();
    want.insert(Describe(f));
  }
  EXPECT_EQ(std::vector<std::string>(got.begin(), got.end()), std::vector<std::string>(want.begin(), want.end()));
  // Optional details of findings, by index in evaluation order.
  if (c["expect"]["details"]) {
    for (const auto& d : c["expect"]["details"]) {
      size_t i = d["index"].as<size_t>();
      ASSERT_LT(i, result->findings.size());
      const Finding& f = result->findings[i];
      if (d["evidence"]) {
        std::vector<int64_t> ev;
        for (const auto& x : d["evidence"]) ev.push_back(x.as<int64_t>());
        EXPECT_EQ(f.evidence_row_ids, ev) << Describe(f);
      }
      if (d["threshold"]) {
        EXPECT_DOUBLE_EQ(f.threshold, d["threshold"].as<double>()) << Describe(f);
      }
      if (d["parameter_valid_from"]) {
        ASSERT_EQ(f.parameters.size(), 1u);
        EXPECT_EQ(Date::FromDaysSinceEpoch(f.parameters[0].valid_from).ToString(),
                  d["parameter_valid_from"].as<std::string>());
      }
      if (d["period_end"]) {
        EXPECT_EQ(f.period_end, d["period_end"].as<std::string>());
      }
      if (d["period_label"]) {
        EXPECT_EQ(f.period_label, d["period_label"].as<std::string>());
      }
      if (d["township_id"]) {
        EXPECT_EQ(f.township_id, d["township_id"].as<int64_t>());
      }
    }
  }
  std::multiset<std::string> got_t, want_t;
  for (const auto& t : result->targets) {
    std::ostringstream o;
    // A named org the registry lacks reads "org:<code>" (evaluator.h).
    o << t.target_id << " " << t.entity_type << ":"
      << (t.unresolved_org_code.empty() ? std::to_string(t.entity_id) : t.unresolved_org_code) << " " << t.measured
      << " " << TargetStatusName(t.status);
    got_t.insert(o.str());
  }
  for (const auto& e : c["expect"]["targets"]) {
    std::ostringstream o;
    o << e["target"].as<std::string>() << " " << e["entity"].as<std::string>() << " " << e["measured"].as<double>()
      << " " << e["status"].as<std::string>();
    want_t.insert(o.str());
  }
  EXPECT_EQ(std::vector<std::string>(got_t.begin(), got_t.end()),
            std::vector<std::string>(want_t.begin(), want_t.end()));
}

INSTANTIATE_TEST_SUITE_P(Cases, RuleCaseTest, ::testing::ValuesIn(CaseFiles()), [](const auto& info) {
  std::string n = info.param.substr(0, info.param.size() - std::string(".case.yaml").size());
  for (char& ch : n) if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

}  // namespace
}  // namespace edugov::rules
