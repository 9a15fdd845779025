// The bridge from the timetable checker to the policy engine's findings
// (docs/timetable.md, "Findings"): when a school checks its timetable
// through the API, the plan-norm breaches (clauses 25–27) are stored in the
// `findings` table with rule ids tt.*, one per class (or per school for the
// bell schedule), scoped to that school and idempotent — a re-check updates
// standing findings and resolves the ones no longer broken.
#pragma once

#include <cstdint>
#include <memory>
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

// The rule ids this bridge writes; a re-check resolves only these, and only
// within the school.
const std::vector<std::string>& TimetableRuleIds();

// The plan norms' thresholds on `day`, and where each came from.
struct TimetableNorms {
  timetable::PlanNorms norms;
  // One per threshold, named as in the pack's timetable_norms
  // ("min_pe_lessons_grades_3_6"), with the validity of the value used; a
  // parameter the pack does not have (or has no value for on `day`) keeps
  // the work plan's default with open validity and `from_pack = false`.
  struct Used {
    std::string field;  // the PlanNorms field ("pe_grades_3_6")
    std::string name;   // the pack's parameter name
    double value = 0;
    int32_t valid_from = rules::bound::kOpenFrom;
    int32_t valid_to = rules::bound::kOpenTo;
    bool from_pack = false;
    std::string norm_id;    // the pack's norm ("tt-pe-weekly"), when from_pack
    std::string source_zh;  // the plan's sentence it quotes, when from_pack
  };
  std::vector<Used> used;
};

// The thresholds valid on `day` from a pack's timetable_norms section
// (rules::ast::Pack::timetable_norms, typed and checked by the parser;
// empty: no pack, or a pack without the section):
//   min_pe_lessons_grades_1_2, min_pe_lessons_grades_3_6,
//   min_pe_lessons_junior, min_pe_lessons_senior  (lessons a week, clause 26)
//   first_lesson_not_before_primary,
//   first_lesson_not_before_junior      (minutes after midnight, clause 25)
//   min_break_minutes, min_noon_rest_minutes     (clause 25)
//   eye_exercises_per_day, long_breaks_per_day   (reserved slots, clause 26)
// Pure; also used by `edugov timetable check --policy`.
TimetableNorms NormsFromPack(const std::vector<rules::ast::TimetableNorm>& pack_norms, Date day);

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
