// The registry as the importer sees it: orgs, classes and staff inside the
// importing user's subtree, looked up by the codes and ids a row carries.
// Anything outside the subtree reads as absent (so nothing leaks).
//
// Two ways to fill it:
//   - Preload: the whole subtree in three queries (the registry's bulk
//     reads, registry.h), once per import — what a file of thousands of
//     rows needs (validation then never touches the store; the lookups are
//     const hash probes, safe from the producer thread while the
//     connection is used by another).
//   - OnDemand: nothing up front; each entry is fetched by an indexed lookup
//     of the registry the first time a row names it (a staff member's org by
//     a second one, unless already known) and remembered for the rest of the
//     import — what a web form's single row needs (loading a county's 4 000
//     classes for one row cost 40–80 ms; a point lookup costs microseconds).
//     Reads run on the import's own transaction, so they see the registry
//     as of that transaction: no cache to invalidate.
//
// Thread-safety: one thread at a time. Preloaded lookups never write and
// never use the connection; OnDemand ones use it and fill their maps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "storage/database.h"

namespace edugov::datasets::internal {

struct OrgEntry {
  int64_t id = 0;
  std::string path;
  bool is_school = false;  // has a stage
};
struct ClassEntry {
  int64_t school_id = 0;
  const std::string* path = nullptr;  // the school's path, owned by the lookup
};
// A class name as schools write it, reduced to "<grade>#<number>" so that
// 七年级1班, 7年级1班, 初一(1)班, 初一（01）班 and 七年级1 all read the same
// (grades 一…九/1…9 + 年级, 初一…初三 = 7…9, 高一…高三 = 10…12); "" when
// the name has no such shape (it is then matched as written only).
std::string CanonicalClassName(std::string_view name);

struct StaffEntry {
  int64_t id = 0;
  std::string path;  // of the org the person is posted at
};

class RegistryLookup {
 public:
  // The subtree under `subtree` (a materialised path "/1/4/", non-empty).
  static StatusOr<RegistryLookup> Preload(storage::Connection& conn, const std::string& subtree,
                                          bool need_classes, bool need_staff);
  // `conn` must outlive the lookup; a failed query makes that lookup return
  // "absent" and is kept in status(), which the caller must check before
  // trusting a negative answer.
  static RegistryLookup OnDemand(storage::Connection& conn, std::string subtree);

  RegistryLookup(RegistryLookup&&) = default;
  RegistryLookup& operator=(RegistryLookup&&) = default;

  // Each returns null (or 0) when absent or outside the subtree. Pointers
  // stay valid for the lookup's lifetime.
  const OrgEntry* OrgByCode(std::string_view code);
  const OrgEntry* OrgById(int64_t id);
  const ClassEntry* ClassById(int64_t id);
  // By the name as registered, else by CanonicalClassName (初一(1)班 finds
  // 七年级1班); 0 when neither matches.
  int64_t ClassBySchoolName(int64_t school_id, std::string_view name);
  const StaffEntry* StaffByCode(std::string_view code);
  const StaffEntry* StaffById(int64_t id);

  // OK, or the first error of an on-demand query.
  const Status& status() const { return status_; }

 private:
  RegistryLookup() = default;
  bool InSubtree(std::string_view path) const { return path.substr(0, subtree_.size()) == subtree_; }
  const OrgEntry* AddOrg(int64_t id, std::string code, std::string path, bool is_school);
  const StaffEntry* AddStaff(int64_t id, std::string code, std::string path);
  // The answer of an on-demand registry lookup: true with `out` set when
  // found; false when absent, or on error (recorded in status_).
  template <typename T>
  bool Fetched(StatusOr<std::optional<T>> found, T& out);

  storage::Connection* conn_ = nullptr;  // set iff on demand
  std::string subtree_;
  Status status_;
  std::unordered_map<std::string, int64_t> org_by_code_;
  std::unordered_map<int64_t, OrgEntry> orgs_by_id_;
  std::unordered_map<int64_t, ClassEntry> classes_;
  std::unordered_map<std::string, int64_t> class_by_school_name_;  // "<school id>\x1f<name>"
  std::unordered_map<std::string, int64_t> class_by_school_canon_;  // "<school id>\x1f<canonical>"
  std::unordered_map<int64_t, bool> canon_loaded_;  // on demand: schools whose classes were all read
  void AddClassName(int64_t school_id, const std::string& name, int64_t class_id);
  std::unordered_map<std::string, int64_t> staff_by_code_;
  std::unordered_map<int64_t, StaffEntry> staff_by_id_;
};

}  // namespace edugov::datasets::internal
