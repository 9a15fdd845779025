// Who a notice reaches: the enabled users at a unit, of a bureau
// department, or with a role (notify/inbox_notifier.h fills their inboxes).
// Ids only, by id; nothing scoped — the notice's level and unit come from
// the workflow engine, which has already decided who must hear of the case.
//
// Thread-safety: no state; a Connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "accounts/principal.h"
#include "common/status.h"
#include "storage/database.h"

namespace edugov::accounts {

// Enabled users with `role` bound to exactly `org_id` (not to an org above
// or below it): a school's or a township's own accounts.
StatusOr<std::vector<int64_t>> EnabledUsersAt(storage::Connection& conn, Role role, int64_t org_id);

// Enabled bureau_dept users of `department` ("petitions", "supervision" …).
StatusOr<std::vector<int64_t>> EnabledUsersOfDepartment(storage::Connection& conn, std::string_view department);

// Enabled users with `role`, wherever they are bound.
StatusOr<std::vector<int64_t>> EnabledUsersWithRole(storage::Connection& conn, Role role);

}  // namespace edugov::accounts
