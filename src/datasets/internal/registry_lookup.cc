#include "datasets/internal/registry_lookup.h"

#include <utility>

#include "registry/registry.h"

namespace edugov::datasets::internal {
namespace {

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
  // The registry's bulk reads, one query per table, limited to the subtree.
  RETURN_IF_ERROR(registry::ForEachOrg(conn, subtree, [&](const registry::Org& o) {
    r.AddOrg(o.id, o.code, o.path, o.stage.has_value());
  }));
  if (need_classes) {
    // By id, so that of two same-named classes (different grades) the older
    // one answers a "school/name" cell, as the on-demand lookup does.
    RETURN_IF_ERROR(registry::ForEachClass(conn, subtree, [&](const registry::Class& c) {
      auto it = r.orgs_by_id_.find(c.school_id);
      if (it == r.orgs_by_id_.end()) return;
      r.classes_.emplace(c.id, ClassEntry{c.school_id, &it->second.path});
      r.class_by_school_name_.emplace(SchoolNameKey(c.school_id, c.name), c.id);
    }));
  }
  if (need_staff) {
    RETURN_IF_ERROR(registry::ForEachStaff(conn, subtree, [&](const registry::StaffRecord& s) {
      auto it = r.orgs_by_id_.find(s.org_id);
      if (it != r.orgs_by_id_.end()) r.AddStaff(s.id, s.code, it->second.path);
    }));
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

template <typename T>
bool RegistryLookup::Fetched(StatusOr<std::optional<T>> found, T& out) {
  if (!found.ok()) {
    if (status_.ok()) status_ = found.status();
    return false;
  }
  if (!*found) return false;
  out = std::move(**found);
  return true;
}

const OrgEntry* RegistryLookup::OrgByCode(std::string_view code) {
  if (auto it = org_by_code_.find(std::string(code)); it != org_by_code_.end()) {
    return &orgs_by_id_.at(it->second);
  }
  registry::Org org;
  if (!conn_ || !Fetched(registry::LookupOrgByCodeUnscoped(*conn_, code), org)) return nullptr;
  return AddOrg(org.id, std::string(code), std::move(org.path), org.stage.has_value());
}

const OrgEntry* RegistryLookup::OrgById(int64_t id) {
  if (auto it = orgs_by_id_.find(id); it != orgs_by_id_.end()) return &it->second;
  registry::Org org;
  if (!conn_ || !Fetched(registry::LookupOrgUnscoped(*conn_, id), org)) return nullptr;
  return AddOrg(id, std::move(org.code), std::move(org.path), org.stage.has_value());
}

const ClassEntry* RegistryLookup::ClassById(int64_t id) {
  if (auto it = classes_.find(id); it != classes_.end()) return &it->second;
  registry::Class cls;
  if (!conn_ || !Fetched(registry::LookupClassUnscoped(*conn_, id), cls)) return nullptr;
  const OrgEntry* org = OrgById(cls.school_id);
  if (!org) return nullptr;
  return &classes_.try_emplace(id, ClassEntry{cls.school_id, &org->path}).first->second;
}

int64_t RegistryLookup::ClassBySchoolName(int64_t school_id, std::string_view name) {
  std::string key = SchoolNameKey(school_id, name);
  if (auto it = class_by_school_name_.find(key); it != class_by_school_name_.end()) return it->second;
  registry::Class cls;
  if (!conn_ || !OrgById(school_id) ||
      !Fetched(registry::LookupClassByNameUnscoped(*conn_, school_id, name), cls)) {
    return 0;
  }
  class_by_school_name_.emplace(std::move(key), cls.id);
  classes_.try_emplace(cls.id, ClassEntry{school_id, &orgs_by_id_.at(school_id).path});
  return cls.id;
}

// A staff member is in the subtree when the org of their current posting
// is: one query for the staff row, the org then from OrgById (remembered).
const StaffEntry* RegistryLookup::StaffByCode(std::string_view code) {
  if (auto it = staff_by_code_.find(std::string(code)); it != staff_by_code_.end()) {
    return &staff_by_id_.at(it->second);
  }
  registry::StaffRecord staff;
  if (!conn_ || !Fetched(registry::LookupStaffRecordByCodeUnscoped(*conn_, code), staff)) return nullptr;
  const OrgEntry* org = OrgById(staff.org_id);
  if (!org) return nullptr;
  return AddStaff(staff.id, std::string(code), org->path);
}

const StaffEntry* RegistryLookup::StaffById(int64_t id) {
  if (auto it = staff_by_id_.find(id); it != staff_by_id_.end()) return &it->second;
  registry::StaffRecord staff;
  if (!conn_ || !Fetched(registry::LookupStaffRecordUnscoped(*conn_, id), staff)) return nullptr;
  const OrgEntry* org = OrgById(staff.org_id);
  if (!org) return nullptr;
  return AddStaff(id, std::move(staff.code), org->path);
}

}  // namespace edugov::datasets::internal
