#include "http/user_json.h"

namespace edugov::http {

nlohmann::json UserJson(const accounts::User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"display_name", u.display_name},
          {"role", accounts::RoleName(u.role)},
          {"department", u.department},
          {"org_id", u.org_id},
          {"org_name", u.org_name},
          {"org_kind", u.org_kind},
          {"disabled", u.disabled}};
}

}  // namespace edugov::http
