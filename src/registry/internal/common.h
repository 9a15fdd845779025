// Helpers shared by the registry's .cc files: row mapping, scope and role
// checks, input validation and the audit call. Not part of the registry's
// contract; include only from src/registry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/status.h"
#include "registry/registry.h"
#include "storage/database.h"

namespace edugov::registry::internal {

// Bumps RegistryGeneration() when it goes out of scope: declared first in
// every registry write function, so the bump comes after the write's
// transaction has committed (or failed — an extra bump costs only a reload),
// in a statement of its own on the same connection. A reader that notes the
// generation before it reads the registry and finds it unchanged later knows
// its copy is current. A failed bump is logged: copies then stay stale until
// their own bound (the live image's next day, the findings cache's TTL).
class RegistryWriteScope {
 public:
  explicit RegistryWriteScope(storage::Connection& conn) : conn_(conn) {}
  RegistryWriteScope(const RegistryWriteScope&) = delete;
  RegistryWriteScope& operator=(const RegistryWriteScope&) = delete;
  ~RegistryWriteScope();

 private:
  storage::Connection& conn_;
};

// kInvalidArgument naming `field`.
Status FieldError(std::string field, std::string en, std::string zh);

// The one "not found" for orgs, used alike for missing and out-of-scope ones
// so that the two cannot be told apart.
Status OrgNotFound(int64_t id);
Status ClassNotFound(int64_t id);
Status StaffNotFound(int64_t id);

// Codes: 1..32 of [0-9A-Za-z_-]. Names: valid UTF-8, 1..100 characters, no
// control characters, no leading or trailing space.
Status ValidateCode(std::string_view code, std::string_view field);
Status ValidateName(std::string_view name, std::string_view field);
bool IsValidUtf8(std::string_view text);
size_t Utf8Length(std::string_view text);

// The column list OrgFromRow expects, in order.
inline constexpr std::string_view kOrgColumns =
    "id, parent_id, kind, code, name, path, stage, rural, boarding, standardised, canteen, "
    "party_branch, synthetic, created_at, updated_at";
Org OrgFromRow(const storage::ResultSet& rs, size_t r);

// The org by id regardless of scope, or nullopt.
StatusOr<std::optional<Org>> LoadOrg(storage::Connection& conn, int64_t id);
// The org if it exists and the principal may see it; OrgNotFound otherwise.
StatusOr<Org> LoadVisibleOrg(storage::Connection& conn, const accounts::Principal& principal,
                             int64_t id);

// Role checks; call after scope is established (kPermissionDenied).
// Org rows: bureau roles anywhere in scope; a township on schools strictly
// below itself; nobody else.
Status CheckCanEditOrg(const accounts::Principal& principal, const Org& org);
Status CheckCanCreateOrg(const accounts::Principal& principal, const Org& parent, OrgKind kind);
// Classes and staff of `org`: any role that may edit the registry.
Status CheckCanEditMembers(const accounts::Principal& principal, const Org& org);

// Structural rules of the tree (kInvalidArgument naming "kind" / "stage").
Status CheckParentKind(OrgKind parent, OrgKind child);
Status CheckStageForKind(OrgKind kind, const std::optional<Stage>& stage);
// kInvalidArgument naming "grade" unless the grade suits the org's stage.
Status CheckGradeForOrg(const Org& org, int grade);

// Appends the audit entry for a registry change; `before`/`after` null for
// create/delete.
Status Audit(storage::Connection& tx, const accounts::Principal& principal, const Clock& clock,
             std::string action, std::string entity, int64_t entity_id,
             const nlohmann::json& before, const nlohmann::json& after);

std::optional<Date> OptionalDateFrom(const storage::ResultSet& rs, size_t r, size_t c);
storage::Value DateValue(const std::optional<Date>& d);

}  // namespace edugov::registry::internal

namespace edugov::registry::internal {

// The write functions of registry.h without their own transaction: they run
// inside the caller's write transaction `tx` (the CSV import runs a whole
// file in one). Same checks, same audit entries.
StatusOr<Org> CreateOrgTx(storage::Connection& tx, const accounts::Principal& principal,
                          const Clock& clock, const NewOrg& org);
StatusOr<Org> UpdateOrgTx(storage::Connection& tx, const accounts::Principal& principal,
                          const Clock& clock, int64_t org_id, const OrgPatch& patch);
StatusOr<Class> CreateClassTx(storage::Connection& tx, const accounts::Principal& principal,
                              const Clock& clock, int64_t school_id, const NewClass& cls);
StatusOr<Class> UpdateClassTx(storage::Connection& tx, const accounts::Principal& principal,
                              const Clock& clock, int64_t class_id, const ClassPatch& patch);
StatusOr<Staff> CreateStaffTx(storage::Connection& tx, const accounts::Principal& principal,
                              const Clock& clock, int64_t org_id, const NewStaff& staff);
StatusOr<Staff> UpdateStaffTx(storage::Connection& tx, const accounts::Principal& principal,
                              const Clock& clock, int64_t staff_id, const StaffPatch& patch);
StatusOr<Posting> AddPostingTx(storage::Connection& tx, const accounts::Principal& principal,
                               const Clock& clock, int64_t staff_id, const NewPosting& posting);

}  // namespace edugov::registry::internal
