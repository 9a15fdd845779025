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

// Reads a grade at the front of `s`: 1…12 and the bytes it took, or 0.
std::pair<int, size_t> LeadingGrade(std::string_view s) {
  static constexpr std::string_view kNumerals[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九"};
  auto numeral = [&](std::string_view t) -> std::pair<int, size_t> {
    for (int i = 0; i < 9; ++i) {
      if (t.substr(0, kNumerals[i].size()) == kNumerals[i]) return {i + 1, kNumerals[i].size()};
    }
    if (!t.empty() && t[0] >= '1' && t[0] <= '9' && (t.size() < 2 || t[1] < '0' || t[1] > '9')) {
      return {t[0] - '0', 1};
    }
    return {0, 0};
  };
  constexpr std::string_view kJunior = "初", kSenior = "高", kGrade = "年级";
  if (s.substr(0, kJunior.size()) == kJunior || s.substr(0, kSenior.size()) == kSenior) {
    const bool junior = s.substr(0, kJunior.size()) == kJunior;
    auto [n, len] = numeral(s.substr(kJunior.size()));
    if (n < 1 || n > 3) return {0, 0};
    size_t used = kJunior.size() + len;
    if (s.substr(used, kGrade.size()) == kGrade) used += kGrade.size();
    return {n + (junior ? 6 : 9), used};
  }
  auto [n, len] = numeral(s);
  if (n == 0 || s.substr(len, kGrade.size()) != kGrade) return {0, 0};
  return {n, len + kGrade.size()};
}

}  // namespace

std::string CanonicalClassName(std::string_view name) {
  auto [grade, used] = LeadingGrade(name);
  if (grade == 0) return {};
  std::string_view rest = name.substr(used);
  for (std::string_view open : {"(", "（"}) {
    if (rest.substr(0, open.size()) == open) rest.remove_prefix(open.size());
  }
  int64_t number = 0;
  size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9' && digits < 4) {
    number = number * 10 + (rest[digits] - '0');
    ++digits;
  }
  if (digits == 0 || number == 0) return {};
  rest.remove_prefix(digits);
  for (std::string_view close : {")", "）"}) {
    if (rest.substr(0, close.size()) == close) rest.remove_prefix(close.size());
  }
  if (rest.substr(0, 3) == "班") rest.remove_prefix(3);
  if (!rest.empty()) return {};
  return std::to_string(grade) + "#" + std::to_string(number);
}

void RegistryLookup::AddClassName(int64_t school_id, const std::string& name, int64_t class_id) {
  class_by_school_name_.emplace(SchoolNameKey(school_id, name), class_id);
  std::string canon = CanonicalClassName(name);
  if (!canon.empty()) class_by_school_canon_.emplace(SchoolNameKey(school_id, canon), class_id);
}

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
      r.AddClassName(c.school_id, c.name, c.id);
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
  const std::string canon = CanonicalClassName(name);
  auto by_canon = [&]() -> int64_t {
    if (canon.empty()) return 0;
    auto it = class_by_school_canon_.find(SchoolNameKey(school_id, canon));
    return it == class_by_school_canon_.end() ? 0 : it->second;
  };
  if (!conn_) return by_canon();
  if (!OrgById(school_id)) return 0;
  registry::Class cls;
  if (Fetched(registry::LookupClassByNameUnscoped(*conn_, school_id, name), cls)) {
    AddClassName(school_id, cls.name, cls.id);
    classes_.try_emplace(cls.id, ClassEntry{school_id, &orgs_by_id_.at(school_id).path});
    return cls.id;
  }
  if (canon.empty()) return 0;
  if (int64_t id = by_canon(); id != 0) return id;
  // Not as written: read the school's classes once (a few dozen rows) to
  // match the name by its canonical form.
  if (canon_loaded_[school_id]) return 0;
  canon_loaded_[school_id] = true;
  const OrgEntry& school = orgs_by_id_.at(school_id);
  Status st = registry::ForEachClass(*conn_, school.path, [&](const registry::Class& c) {
    if (c.school_id != school_id) return;
    AddClassName(c.school_id, c.name, c.id);
    classes_.try_emplace(c.id, ClassEntry{school_id, &school.path});
  });
  if (!st.ok()) {
    if (status_.ok()) status_ = st;
    return 0;
  }
  return by_canon();
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
