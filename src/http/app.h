// What every handler module gets: the shared services, owned by whoever runs
// the server (src/cli/serve.cc), which outlives the router and the server.
#pragma once

#include <functional>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "http/request.h"
#include "http/router.h"
#include "storage/database.h"

namespace edugov::accounts {
class Authenticator;
}
namespace edugov::cases {
class CaseEngine;
}
namespace edugov::compliance {
class ComplianceService;
class SweepJobs;
}
namespace edugov::notify {
class TargetAllowList;
}

namespace edugov::http {

struct App {
  storage::Database* db = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  accounts::Authenticator* auth = nullptr;
  // The workflow engine (src/cases); null when the server runs without case types.
  cases::CaseEngine* cases = nullptr;
  // The compliance loop (src/compliance): the pack, sweeps, the form
  // re-check, rectifications from findings; null when the pack does not
  // load (the compliance and dataset routes then answer 503 with why).
  compliance::ComplianceService* compliance = nullptr;
  Status compliance_status;  // why `compliance` is null
  // Sweeps as jobs (立即检查, after imports, daily); null with `compliance`.
  compliance::SweepJobs* sweeps = nullptr;
  // Adds Secure to cookies; on when served over HTTPS (behind a TLS proxy).
  bool secure_cookies = false;
  // The database holds synthetic demo data (orgs marked synthetic); /health says so.
  bool demo_data = false;
  // Internal addresses a webhook may name (serve --webhook-allow); null: none.
  const notify::TargetAllowList* webhook_allow = nullptr;
};

// Registers each handler module's routes (one file per module).
void RegisterHealthHandlers(Router& router, App& app);
void RegisterAuthHandlers(Router& router, App& app);
void RegisterOrgHandlers(Router& router, App& app);    // src/http/org_handlers.cc
void RegisterUserHandlers(Router& router, App& app);
void RegisterAuditHandlers(Router& router, App& app);

}  // namespace edugov::http
