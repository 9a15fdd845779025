#include "registry/json.h"

namespace edugov::registry {
namespace {

nlohmann::json OptionalDate(const std::optional<Date>& d) {
  return d ? nlohmann::json(d->ToString()) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json ToJson(const Org& org) {
  return {
      {"id", org.id},
      {"parent_id", org.parent_id ? nlohmann::json(*org.parent_id) : nlohmann::json(nullptr)},
      {"kind", OrgKindName(org.kind)},
      {"code", org.code},
      {"name", org.name},
      {"path", org.path},
      {"stage", org.stage ? nlohmann::json(StageName(*org.stage)) : nlohmann::json(nullptr)},
      {"flags",
       {{"rural", org.flags.rural},
        {"boarding", org.flags.boarding},
        {"standardised", org.flags.standardised},
        {"canteen", org.flags.canteen},
        {"party_branch", org.flags.party_branch}}},
      {"synthetic", org.synthetic},
  };
}

nlohmann::json ToJson(const Counts& c) {
  return {{"townships", c.townships},
          {"schools", c.schools},
          {"classes", c.classes},
          {"students", c.students},
          {"staff", c.staff}};
}

nlohmann::json ToJson(const Class& c) {
  return {{"id", c.id},
          {"school_id", c.school_id},
          {"grade", c.grade},
          {"name", c.name},
          {"students", c.students}};
}

nlohmann::json ToJson(const Staff& s) {
  nlohmann::json posts = nlohmann::json::array();
  for (Post p : s.posts) posts.push_back(PostName(p));
  return {{"id", s.id},
          {"org_id", s.org_id},
          {"code", s.code},
          {"name", s.name},
          {"gender", GenderName(s.gender)},
          {"birth_date", OptionalDate(s.birth_date)},
          {"hired_on", OptionalDate(s.hired_on)},
          {"hire_kind", HireKindName(s.hire_kind)},
          {"posts", std::move(posts)},
          {"active", s.active},
          {"synthetic", s.synthetic}};
}

nlohmann::json ToJson(const Posting& p) {
  return {{"id", p.id},
          {"org_id", p.org_id},
          {"org_name", p.org_name},
          {"start_date", p.start_date.ToString()},
          {"end_date", OptionalDate(p.end_date)},
          {"rural", p.rural}};
}

}  // namespace edugov::registry
