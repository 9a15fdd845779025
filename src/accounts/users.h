// User accounts: creation, listing, passwords, disabling, API tokens.
// Every function checks that `by` may manage the user (bureau leadership, for
// users inside its own org subtree; the command line acts as SystemPrincipal())
// and appends an audit entry in the same transaction as the change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/random.h"
#include "storage/database.h"

namespace edugov::accounts {

// The command line's identity: trusted, whole tree ("/"), audited as "cli".
Principal SystemPrincipal();

struct User {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  Role role = Role::kTeacher;
  std::string department;
  int64_t org_id = 0;
  std::string org_name;
  std::string org_kind;
  std::string org_path;
  bool disabled = false;
};

struct NewUser {
  std::string username;      // 3–32 of [a-z0-9._-], starting with a letter
  std::string display_name;  // 1–64 characters
  std::string role;          // RoleName()
  std::string department;    // required for bureau_dept, empty otherwise
  int64_t org_id = 0;        // the subtree the user is bound to
  std::string password;      // CheckPasswordPolicy()
};

// Validates, hashes the password and inserts. kInvalidArgument naming the
// field; kAlreadyExists for a taken username; kNotFound for an org outside
// `by`'s subtree; kPermissionDenied unless `by` is bureau leadership.
StatusOr<User> CreateUser(storage::Connection& conn, const Principal& by, const Clock& clock,
                          const NewUser& user);

// Users bound to orgs inside `by`'s subtree, ordered by username.
StatusOr<std::vector<User>> ListUsers(storage::Connection& conn, const Principal& by);

// Unscoped lookup for the command line and authentication. kNotFound.
StatusOr<User> GetUserByUsername(storage::Connection& conn, std::string_view username);

// Sets a new password (CheckPasswordPolicy), ends every session of the user
// and revokes every API token they own (audited as user.passwd with the
// number of tokens revoked). Anyone may change their own; user admins those
// in their subtree.
Status SetPassword(storage::Connection& conn, const Principal& by, const Clock& clock,
                   std::string_view username, std::string_view password);
// A signed-in user changes their own password, proving the old one.
// kUnauthenticated (field old_password) when it is wrong.
Status ChangeOwnPassword(storage::Connection& conn, const Principal& self, const Clock& clock,
                         std::string_view old_password, std::string_view new_password);
// Disables the user and ends all their sessions and API tokens.
Status DisableUser(storage::Connection& conn, const Principal& by, const Clock& clock,
                   int64_t user_id);

// Issues an API token for a machine client acting as `username`. The token
// is returned once and stored only as a hash. `ttl_days` 0 = no expiry.
StatusOr<std::string> CreateApiToken(storage::Connection& conn, const Principal& by,
                                     const Clock& clock, Random& random,
                                     std::string_view username, std::string_view name,
                                     int ttl_days);

// The Principal for a user record.
Principal PrincipalFor(const User& user);

}  // namespace edugov::accounts
