// Inspection plans and their draws in the database (tables draw_plans,
// draw_ledger, draw_ledger_head — migration 010; this module alone reads and
// writes them). A plan goes draft → committed → drawn:
//
//   ASSIGN_OR_RETURN(Plan plan, CreatePlan(conn, bureau, clock, policy, spec));
//   ASSIGN_OR_RETURN(plan, CommitPlan(conn, bureau, clock, SecureRandom(), policy, plan.id));
//   …  // the commitment is public; the draw time arrives
//   ASSIGN_OR_RETURN(plan, DrawPlan(conn, bureau, clock, plan.id));
//
// Commit freezes the pools — the schools of the bureau's subtree with their
// township, stage and risk grade (open findings, rules/findings_store.h) and
// the inspectors the plan names (registry staff, by code) with the schools
// where a posting of theirs ran within conflict_years (registry postings) —
// and stores a secret seed chosen by the system with its commitment. The
// draw reveals the seed and runs draw.h's RunDraw on the frozen inputs. Each
// step is a draws-ledger entry written in the step's own transaction
// (ledger/chain.h), so `edugov audit verify --ledger draws` proves no plan,
// commitment, pools or result was edited afterwards.
//
// Only bureau roles (局领导, 局股室) plan and draw (kPermissionDenied
// otherwise); a plan is visible to the bureau users whose subtree holds its
// scope. The published side (ListPublished, PublishedDocument) needs no
// principal and never shows a seed before the draw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "draws/draw.h"
#include "draws/draw_policy.h"
#include "ledger/audit.h"  // VerifyReport
#include "storage/database.h"

namespace edugov::draws {

struct PlanSpec {
  std::string name;
  int year = 0;
  int rate_percent = 0;  // 0: the policy's min_rate_percent
  std::optional<std::vector<std::string>> strata;  // unset: the policy's
  std::vector<std::string> inspector_codes;        // registry staff codes
  std::string draw_at;    // RFC 3339, in the future
  std::string announced;  // the value the bureau announces (e.g. a lottery number's source)
};

struct Plan {
  int64_t id = 0;
  std::string name;
  int year = 0;
  std::string scope_path;
  DrawParams params;
  std::vector<std::string> inspector_codes;
  int64_t draw_at_us = 0;
  std::string announced;
  std::string public_input;
  std::string status;      // draft | committed | drawn
  std::string commitment;  // set from commit
  std::string seed;        // set only once drawn
  std::string result_json; // set only once drawn (ResultJson)
  std::string created_by;
  int64_t created_at_us = 0;
  int64_t committed_at_us = 0;
  int64_t drawn_at_us = 0;
};

StatusOr<Plan> CreatePlan(storage::Connection& conn, const accounts::Principal& who, const Clock& clock,
                          const DrawPolicy& policy, const PlanSpec& spec);
// kFailedPrecondition unless the plan is a draft and its draw time is still
// ahead; the draw's quota errors (a stratum that cannot be filled) surface
// here, before anything is published.
StatusOr<Plan> CommitPlan(storage::Connection& conn, const accounts::Principal& who, const Clock& clock,
                          Random& random, const DrawPolicy& policy, int64_t plan_id);
// kFailedPrecondition unless the plan is committed and its draw time has come.
StatusOr<Plan> DrawPlan(storage::Connection& conn, const accounts::Principal& who, const Clock& clock,
                        int64_t plan_id);
// Plans within the caller's subtree, newest first; one plan (kNotFound otherwise).
StatusOr<std::vector<Plan>> ListPlans(storage::Connection& conn, const accounts::Principal& who);
StatusOr<Plan> GetPlan(storage::Connection& conn, const accounts::Principal& who, int64_t plan_id);

// Committed and drawn plans, newest draw time first, seeds only of drawn ones.
StatusOr<std::vector<Plan>> ListPublished(storage::Connection& conn);
// The inputs document of a committed or drawn plan (InputsJson, plus the seed
// and "result" once drawn): what `edugov draw verify` reads. kNotFound for a
// draft or an unknown id.
StatusOr<std::string> PublishedDocument(storage::Connection& conn, int64_t plan_id);

// Re-derives the draws ledger's chain and checks each committed or drawn
// plan's stored inputs and result against its ledger entries; names the
// first bad entry (or plan).
StatusOr<ledger::VerifyReport> VerifyDrawLedger(storage::Connection& conn);

}  // namespace edugov::draws
