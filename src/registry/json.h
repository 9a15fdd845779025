// The JSON form of registry types, shared by the HTTP API and the audit
// ledger's before/after images (so what an auditor reads is what the API
// shows). Field names are documented in docs/registry.md.
#pragma once

#include <nlohmann/json.hpp>

#include "registry/registry.h"

namespace edugov::registry {

// {id, parent_id, kind, code, name, path, stage, flags:{…}, synthetic}
nlohmann::json ToJson(const Org& org);
// {townships, schools, classes, students, staff}
nlohmann::json ToJson(const Counts& counts);
// {id, school_id, grade, name, students}
nlohmann::json ToJson(const Class& cls);
// {id, org_id, code, name, gender, birth_date, hired_on, hire_kind, posts, active, synthetic}
nlohmann::json ToJson(const Staff& staff);
// {id, org_id, org_name, start_date, end_date, rural}
nlohmann::json ToJson(const Posting& posting);

}  // namespace edugov::registry
