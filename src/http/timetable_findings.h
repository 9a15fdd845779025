// The bridge from the timetable checker to the policy engine's findings
// (docs/timetable.md, "Findings"): when a school checks its timetable
// through the API, the plan-norm breaches (clauses 25–27) are stored in the
// `findings` table with rule ids tt.*, one per class (or per school for the
// bell schedule), scoped to that school and idempotent — a re-check updates
// standing findings and resolves the ones no longer broken.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "rules/ast.h"
#include "rules/bound.h"
#include "rules/findings_store.h"
#include "storage/database.h"
#include "timetable/generator.h"
#include "timetable/plan_norms.h"

namespace edugov::http {

// The rule ids this bridge writes (every timetable check's, whether the
// pack judges it today or not); a re-check resolves only these, and only
// within the school.
const std::vector<std::string>& TimetableRuleIds();

// The plan norms' thresholds and clauses on `day`, and where each came from.
struct TimetableNorms {
  timetable::PlanNorms norms;
  // One per threshold the pack has a value for on `day`, named as in the
  // pack's timetable_norms ("min_pe_lessons_grades_3_6"), with the validity
  // of the value used.
  struct Used {
    std::string field;  // the PlanNorms field ("pe_grades_3_6")
    std::string name;   // the pack's parameter name
    double value = 0;
    int32_t valid_from = rules::bound::kOpenFrom;
    int32_t valid_to = rules::bound::kOpenTo;
    std::string norm_id;    // the pack's norm ("tt-pe-weekly")
    std::string source_zh;  // the plan's sentence it quotes
  };
  std::vector<Used> used;
  // One per check the pack judges, in the pack's order.
  struct Rule {
    std::string id;      // "tt.pe_weekly"
    std::string clause;  // the norm's clause
    std::string norm_id;
    std::string title_zh;
    std::string source_zh;
  };
  std::vector<Rule> rules;
};

// The norms valid on `day` from a pack's timetable_norms section
// (rules::ast::Pack::timetable_norms, typed and checked by the parser).
// Each norm's `rules` become judged checks under its clause; its
// parameters fill the thresholds:
//   min_pe_lessons_grades_1_2, min_pe_lessons_grades_3_6,
//   min_pe_lessons_junior, min_pe_lessons_senior  (lessons a week, tt.pe_weekly)
//   first_lesson_not_before_primary,
//   first_lesson_not_before_junior      (minutes after midnight, tt.first_lesson)
//   min_break_minutes (tt.breaks), min_noon_rest_minutes (tt.noon_rest)
//   eye_exercises_per_day (tt.eye_exercises), long_breaks_per_day (tt.long_break)
// kFailedPrecondition when the section is empty, or a judged check's
// parameter is missing from the pack or has no value valid on `day` — the
// message and field() name the parameter. Nothing has a default: the pack
// is the one place the plan's numbers live. Pure; also used by `edugov
// timetable check|generate`.
StatusOr<TimetableNorms> NormsFromPack(const std::vector<rules::ast::TimetableNorm>& pack_norms, Date day);

// The pack at `policy_path` parsed (and bound, so a pack `edugov policy
// validate` refuses is refused here too), its timetable_norms returned.
// The parser's errors name FILE:LINE:COLUMN.
StatusOr<std::vector<rules::ast::TimetableNorm>> LoadTimetableNorms(const std::string& policy_path);

// Which school a check is for: a school account's own org; a bureau or
// township account may name one in its subtree (school_id). 0: none (the
// check stores nothing). kNotFound for an org outside the caller's subtree
// or unknown, kInvalidArgument for one that is not a school.
StatusOr<int64_t> TimetableSchool(storage::Connection& conn, const accounts::Principal& p,
                                  std::optional<int64_t> school_id);

struct StoredTimetableFindings {
  int64_t school_id = 0;
  std::string upload;  // the upload's fingerprint (16 hex digits of FNV-1a)
  rules::SaveSummary summary;
  int64_t open = 0;  // tt.* findings open for the school after the save
};

// Stores `findings` (PlanNormFindings of `normed`) for `school_id` in one
// transaction with its audit record: classes matched by grade and number to
// the school's registry classes become class findings, the rest (and the
// bell schedule) school findings. `upload_body` is fingerprinted for the
// evidence.
StatusOr<StoredTimetableFindings> StoreTimetableFindings(
    storage::Connection& conn, const accounts::Principal& actor, int64_t school_id,
    const timetable::Instance& normed, const std::vector<timetable::NormFinding>& findings,
    const TimetableNorms& norms, const std::string& upload_body, const std::string& file_name, Date as_of,
    const Clock& clock);

}  // namespace edugov::http
