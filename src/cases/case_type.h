// Case types are configuration: policy/cases/*.yaml declares each one's
// states, transitions, who may take them, required fields and evidence, time
// limits in working days, reminders and the escalation chain. The format is
// documented in docs/workflows.md; the engine (engine.h) runs any type.
//
//   ASSIGN_OR_RETURN(cases::CaseTypeRegistry types,
//                    cases::CaseTypeRegistry::LoadDir("policy/cases"));
//   const cases::CaseType* complaint = types.Find("complaint");
//
// A CaseTypeRegistry is an immutable value, safe to share between threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/principal.h"
#include "common/status.h"

namespace edugov::cases {

// A bilingual label; zh first, always present; en may be empty (falls back to zh).
struct Label {
  std::string zh;
  std::string en;
};

enum class FieldType { kText, kLongText, kInt, kDecimal, kDate, kBool, kEnum, kOrg, kStaff, kPhone };

struct FieldSpec {
  std::string name;  // [a-z_][a-z0-9_]*
  Label label;
  FieldType type = FieldType::kText;
  bool required = false;  // required when the case is opened
  // Sealed at rest (secretbox) and shown only to the type's confidential
  // readers; never in fields_json, events, audit entries, exports or logs.
  bool confidential = false;
  // kEnum: the allowed keys with their labels, in display order.
  std::vector<std::pair<std::string, Label>> options;
  // Approvals: once the case has entered this state the field is frozen; a
  // changed value sends the case back for approval (docs/workflows.md).
  std::string frozen_from_state;
};

// Who may take a transition. One token of the YAML `roles:` list:
//   "bureau_leader", "bureau_dept" (any department), "bureau_dept:petitions",
//   "township", "school", "teacher", "inspector", "public", "system".
// A user must also be able to see the case (its org lies in the user's
// subtree); "assignee" additionally requires the user to be at the case's
// current assignee level and, below the bureau, bound to the assignee org
// or an ancestor of it.
struct RoleToken {
  std::string role;        // as above, or "assignee"
  std::string department;  // for "bureau_dept:<department>"
};

struct TimeLimit {
  int working_days = 0;       // the state must be left within this many working days
  // Per-case overrides, first match wins: the value of an int field (a
  // rectification's own due_working_days), then a table keyed by an enum
  // field's value (a hazard's grade, an enquiry vs a complaint).
  std::string days_field;
  std::string by_field;
  std::map<std::string, int> by_value;
  int remind_after_days = 1;  // 催办: a reminder this many working days after the deadline (0: on it)
  int escalate_after_days = 5;  // escalate (and record 书面批评) this many working days after the reminder
};

struct StateSpec {
  std::string id;
  Label label;
  bool terminal = false;
  // Who must act while the case is in this state (empty: unchanged).
  std::string assignee_level;  // "school", "township", "department", "leadership"
  std::string assignee_department;  // for "department"
  std::optional<TimeLimit> time_limit;
  // For "school"/"township": the org field naming the unit that must act (a
  // complaint's lead unit); default the case's own org (its township).
  std::string assignee_org_field;
  // Shown on the public tracking page under this label (complaints).
  bool public_visible = true;
};

struct TransitionSpec {
  std::string id;
  Label label;
  std::vector<std::string> from;  // state ids; "*" any non-terminal state
  std::string to;
  std::vector<RoleToken> roles;
  std::vector<std::string> required_fields;  // must be set after this transition
  bool requires_comment = false;
  bool requires_evidence = false;  // at least one attachment on this transition
  // Named effects run in the transition's transaction: "sanction" (write the
  // sanctions ledger), "close", "extend" (adds the `extend_days` field to the
  // deadline), "freeze" (approvals), "open_case:<type>" (a linked case).
  std::vector<std::string> effects;
  // Whether the comment is shown on the public tracking page (the answer).
  bool public_comment = false;
};

struct CaseType {
  std::string id;      // "complaint", "rectification", "hazard", …
  std::string prefix;  // ref prefix, 2–4 capitals: "TS", "ZG"
  Label label;
  std::vector<FieldSpec> fields;
  std::vector<StateSpec> states;  // states[0] is the initial state
  std::vector<TransitionSpec> transitions;
  // The levels a case climbs when it is overdue, in order.
  std::vector<std::string> escalation_chain;  // e.g. school, township, department, leadership
  // Departments (of role bureau_dept) that may read confidential fields.
  std::vector<std::string> confidential_readers;
  // Roles that may open a case of this type ("public" for the intake page).
  std::vector<RoleToken> openers;
  // Complaints: days after closure the complainant may still rate or reopen.
  int reopen_within_days = 0;
  // kEnum field that holds the category shown in lists and reports, if any.
  std::string category_field;
  // Where a changed frozen field sends an approved case back (default states[0]).
  std::string frozen_change_state;
  // Repeated-complaint detection (merge: {within_days, threshold, text_field}):
  // a new case about the same org and category whose text is similar enough
  // to an open one of the last within_days days joins it, in state "merged".
  struct MergeRule {
    int within_days = 30;
    double threshold = 0.6;  // character-bigram Jaccard similarity
    std::string text_field = "text";
  };
  std::optional<MergeRule> merge;
  // A case of one of these categories names the org's holder of this post as
  // accountable (staff_id) when opened without one: meals → principal.
  std::vector<std::string> accountable_categories;
  std::string accountable_post;
  // Rectifications opened from findings: rule-id first segment → category.
  std::map<std::string, std::string> finding_categories;
  // What the analysis report on cases of this type (docs/reports.md) calls
  // rising and what deadlines it sets (report: in the type's YAML); unset
  // when the type has none. Every key is required and positive.
  struct ReportThresholds {
    int rectification_working_days = 0;  // a school's rectification the report orders
    int campaign_working_days = 0;       // a category-wide campaign
    int accountability_working_days = 0; // overdue cases: still open after this, a written criticism
    // Rising: at least min_count this period, at least min_ratio times the
    // previous period's, and at least min_increase more.
    int rising_min_count = 0;
    double rising_min_ratio = 0;
    int rising_min_increase = 0;
  };
  std::optional<ReportThresholds> report;

  const StateSpec* FindState(std::string_view id) const;
  const TransitionSpec* FindTransition(std::string_view id) const;
  const FieldSpec* FindField(std::string_view name) const;
};

class CaseTypeRegistry {
 public:
  // Reads every *.yaml file in `dir`. kInvalidArgument naming the file, line
  // and column for any error: unknown key, a transition to an unknown state,
  // a role token that does not exist, a time limit < 0, a duplicate id or
  // prefix, an unreachable state, a required field that is not declared.
  static StatusOr<CaseTypeRegistry> LoadDir(const std::string& dir);
  // One file's text (tests, `edugov cases validate`); `name` for messages.
  static StatusOr<CaseTypeRegistry> FromYaml(std::string_view text, std::string_view name);

  const CaseType* Find(std::string_view id) const;  // nullptr if unknown
  const std::vector<CaseType>& types() const { return types_; }

 private:
  std::vector<CaseType> types_;
};

}  // namespace edugov::cases
