#include "datasets/internal/registry_lookup.h"

#include <utility>

namespace edugov::datasets::internal {
namespace {

using storage::ResultSet;

std::string SchoolNameKey(int64_t school_id, std::string_view name) {
  std::string k = std::to_string(school_id);
  k += '\x1f';
  k += name;
  return k;
}

}  // namespace

StatusOr<RegistryLookup> RegistryLookup::Preload(storage::Connection& conn, const std::string& subtree,
                                                 bool need_classes, bool need_staff) {
  RegistryLookup r;
  r.subtree_ = subtree;
  const std::string like = subtree + "%";
  ASSIGN_OR_RETURN(ResultSet orgs,
                   conn.Query("SELECT id, code, path, stage FROM orgs WHERE path LIKE $1", {like}));
  r.orgs_by_id_.reserve(orgs.size());
  r.org_by_code_.reserve(orgs.size());
  for (size_t i = 0; i < orgs.size(); ++i) {
    r.AddOrg(orgs.GetInt(i, 0), orgs.GetText(i, 1), orgs.GetText(i, 2), !orgs.IsNull(i, 3));
  }
  if (need_classes) {
    // By id, so that of two same-named classes (different grades) the older
    // one answers a "school/name" cell, as the on-demand lookup does.
    ASSIGN_OR_RETURN(ResultSet cls, conn.Query("SELECT c.id, c.school_id, c.name FROM classes c "
                                               "JOIN orgs o ON o.id = c.school_id WHERE o.path LIKE $1 "
                                               "ORDER BY c.id",
                                               {like}));
    r.classes_.reserve(cls.size());
    r.class_by_school_name_.reserve(cls.size());
    for (size_t i = 0; i < cls.size(); ++i) {
      const int64_t id = cls.GetInt(i, 0), school = cls.GetInt(i, 1);
      auto it = r.orgs_by_id_.find(school);
      if (it == r.orgs_by_id_.end()) continue;
      r.classes_.emplace(id, ClassEntry{school, &it->second.path});
      r.class_by_school_name_.emplace(SchoolNameKey(school, cls.GetText(i, 2)), id);
    }
  }
  if (need_staff) {
    ASSIGN_OR_RETURN(ResultSet st, conn.Query("SELECT s.id, s.code, o.path FROM staff s "
                                              "JOIN orgs o ON o.id = s.org_id WHERE o.path LIKE $1",
                                              {like}));
    for (size_t i = 0; i < st.size(); ++i) r.AddStaff(st.GetInt(i, 0), st.GetText(i, 1), st.GetText(i, 2));
  }
  return r;
}

RegistryLookup RegistryLookup::OnDemand(storage::Connection& conn, std::string subtree) {
  RegistryLookup r;
  r.conn_ = &conn;
  r.subtree_ = std::move(subtree);
  return r;
}

const OrgEntry* RegistryLookup::AddOrg(int64_t id, std::string code, std::string path, bool is_school) {
  if (!InSubtree(path)) return nullptr;
  org_by_code_.emplace(std::move(code), id);
  return &orgs_by_id_.try_emplace(id, OrgEntry{id, std::move(path), is_school}).first->second;
}

const StaffEntry* RegistryLookup::AddStaff(int64_t id, std::string code, std::string path) {
  if (!InSubtree(path)) return nullptr;
  staff_by_code_.emplace(std::move(code), id);
  return &staff_by_id_.try_emplace(id, StaffEntry{id, std::move(path)}).first->second;
}

bool RegistryLookup::Fetch(std::string_view sql, const storage::Params& params, ResultSet& out) {
  StatusOr<ResultSet> rs = conn_->Query(sql, params);
  if (!rs.ok()) {
    if (status_.ok()) status_ = rs.status();
    return false;
  }
  out = std::move(*rs);
  return !out.empty();
}

const OrgEntry* RegistryLookup::OrgByCode(std::string_view code) {
  if (auto it = org_by_code_.find(std::string(code)); it != org_by_code_.end()) {
    return &orgs_by_id_.at(it->second);
  }
  ResultSet rs;
  if (!conn_ || !Fetch("SELECT id, path, stage FROM orgs WHERE code = $1", {std::string(code)}, rs)) {
    return nullptr;
  }
  return AddOrg(rs.GetInt(0, 0), std::string(code), rs.GetText(0, 1), !rs.IsNull(0, 2));
}

const OrgEntry* RegistryLookup::OrgById(int64_t id) {
  if (auto it = orgs_by_id_.find(id); it != orgs_by_id_.end()) return &it->second;
  ResultSet rs;
  if (!conn_ || !Fetch("SELECT code, path, stage FROM orgs WHERE id = $1", {id}, rs)) return nullptr;
  return AddOrg(id, rs.GetText(0, 0), rs.GetText(0, 1), !rs.IsNull(0, 2));
}

const ClassEntry* RegistryLookup::ClassById(int64_t id) {
  if (auto it = classes_.find(id); it != classes_.end()) return &it->second;
  ResultSet rs;
  if (!conn_ || !Fetch("SELECT school_id FROM classes WHERE id = $1", {id}, rs)) return nullptr;
  const int64_t school = rs.GetInt(0, 0);
  const OrgEntry* org = OrgById(school);
  if (!org) return nullptr;
  return &classes_.try_emplace(id, ClassEntry{school, &org->path}).first->second;
}

int64_t RegistryLookup::ClassBySchoolName(int64_t school_id, std::string_view name) {
  std::string key = SchoolNameKey(school_id, name);
  if (auto it = class_by_school_name_.find(key); it != class_by_school_name_.end()) return it->second;
  ResultSet rs;
  if (!conn_ || !OrgById(school_id) ||
      !Fetch("SELECT id FROM classes WHERE school_id = $1 AND name = $2 ORDER BY id LIMIT 1",
             {school_id, std::string(name)}, rs)) {
    return 0;
  }
  const int64_t id = rs.GetInt(0, 0);
  class_by_school_name_.emplace(std::move(key), id);
  classes_.try_emplace(id, ClassEntry{school_id, &orgs_by_id_.at(school_id).path});
  return id;
}

const StaffEntry* RegistryLookup::StaffByCode(std::string_view code) {
  if (auto it = staff_by_code_.find(std::string(code)); it != staff_by_code_.end()) {
    return &staff_by_id_.at(it->second);
  }
  ResultSet rs;
  if (!conn_ || !Fetch("SELECT s.id, o.path FROM staff s JOIN orgs o ON o.id = s.org_id WHERE s.code = $1",
                       {std::string(code)}, rs)) {
    return nullptr;
  }
  return AddStaff(rs.GetInt(0, 0), std::string(code), rs.GetText(0, 1));
}

const StaffEntry* RegistryLookup::StaffById(int64_t id) {
  if (auto it = staff_by_id_.find(id); it != staff_by_id_.end()) return &it->second;
  ResultSet rs;
  if (!conn_ || !Fetch("SELECT s.code, o.path FROM staff s JOIN orgs o ON o.id = s.org_id WHERE s.id = $1",
                       {id}, rs)) {
    return nullptr;
  }
  return AddStaff(id, rs.GetText(0, 0), rs.GetText(0, 1));
}

}  // namespace edugov::datasets::internal
