// The JSON form of a user account, the same for /me, /auth/login and /users.
#pragma once

#include <nlohmann/json.hpp>

#include "accounts/users.h"

namespace edugov::http {

// {id, username, display_name, role, department, org_id, org_name, org_kind, disabled}
nlohmann::json UserJson(const accounts::User& user);

}  // namespace edugov::http
