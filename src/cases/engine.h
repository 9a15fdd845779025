// The workflow engine: opens cases of any configured type (case_type.h),
// moves them through their states on behalf of users, the public and the
// system, keeps each case's timeline, deadlines in working days, reminders
// and escalation, and enforces who may see and do what.
//
//   cases::CaseEngine engine({.db = db, .types = &types, .calendar = &cal,
//                             .clock = &clock, .random = &random, .box = &box,
//                             .notifier = &inbox});
//   ASSIGN_OR_RETURN(cases::OpenedCase opened, engine.Open(cases::Actor::Public(), {
//       .case_type = "complaint", .org_id = school_id,
//       .fields = {{"category", "meals"}, {"text", "…"}, {"name", "张三"}}}));
//   // opened.tracking_code goes to the complainant, once.
//   ASSIGN_OR_RETURN(cases::CaseView v, engine.Transition(cases::Actor::User(me),
//       opened.view.id, {.transition = "dispatch", .version = 1,
//                        .fields = {{"lead_org_id", school_id}}}));
//
// Every change runs in one write transaction together with its timeline
// event, its audit entry (ledger/audit.h, confidential values left out), its
// notices (notifier.h) and its effects (the sanctions ledger for a misconduct
// decision). Errors are values: kNotFound for a case the actor may not see
// (the same answer as for one that does not exist, so nothing leaks),
// kPermissionDenied for a transition the actor's role may not take (naming
// the transition and the roles that may), kFailedPrecondition for a
// transition not allowed from the current state, kInvalidArgument naming the
// field, kFailedPrecondition with field() "version" when `version` is stale
// (someone else acted first; common/status.h has no separate aborted code —
// both are 409 for HTTP).
//
// Thread-safe: a CaseEngine holds no mutable state of its own; everything it
// points at must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "accounts/principal.h"
#include "calendar/working_calendar.h"
#include "cases/case_type.h"
#include "cases/notifier.h"
#include "cases/secret_box.h"
#include "common/clock.h"
#include "common/random.h"
#include "storage/database.h"

namespace edugov::cases {

// Who acts. A user acts through their role and subtree; the public only
// through a tracking code (or opening a case of a type whose openers include
// "public"); the system for the clock sweep and the rules engine.
struct Actor {
  enum class Kind { kUser, kPublic, kSystem };
  Kind kind = Kind::kSystem;
  const accounts::Principal* user = nullptr;  // kUser; must outlive the call

  static Actor User(const accounts::Principal& p) { return {Kind::kUser, &p}; }
  static Actor Public() { return {Kind::kPublic, nullptr}; }
  static Actor System() { return {Kind::kSystem, nullptr}; }
};

struct AttachmentInput {
  std::string filename;
  std::string bytes;  // raw; the content type is sniffed from them
};

struct AttachmentInfo {
  int64_t id = 0;
  std::string filename;
  std::string content_type;
  int64_t size_bytes = 0;
  std::string sha256;
  bool confidential = false;
  std::string uploaded_by;
  int64_t uploaded_at_us = 0;
};

struct CaseEvent {
  int64_t id = 0;
  int64_t at_us = 0;
  std::string actor;  // username, "public", "system"; "public" also hides a named complainant
  std::string kind;   // "open", "transition", "comment", "remind", "escalate", "link", "attach", "merge", "rate", "reopen"
  std::string transition;
  std::string from_state;
  std::string to_state;
  std::string comment;
  nlohmann::json fields = nlohmann::json::object();
  bool public_visible = false;
};

struct CaseLinkInfo {
  int64_t other_case_id = 0;
  std::string other_ref;
  std::string other_type;
  std::string kind;  // "led_to", "led_from", "merged", "related"
};

// A case as one actor may see it.
struct CaseView {
  int64_t id = 0;
  std::string ref;
  std::string case_type;
  std::string state;
  std::string title;
  std::string category;
  int64_t org_id = 0;  // 0: county-level
  std::string org_name;
  int64_t township_id = 0;
  int64_t staff_id = 0;
  std::string assignee_level;
  int64_t assignee_org_id = 0;
  std::string assignee_department;
  int escalation_level = 0;
  int64_t opened_at_us = 0;
  int64_t state_entered_at_us = 0;
  std::optional<int64_t> due_at_us;
  bool deadline_unknown = false;
  // due_at rests on a provisional calendar year (no State Council notice yet):
  // it may move when the notice is imported, and the clock sweep recomputes it.
  bool deadline_provisional = false;
  bool overdue = false;  // due_at < now and the state is not terminal
  // When overdue: working days from the day after the due day to today (at
  // least 1); absent when the calendar cannot answer those days.
  std::optional<int> overdue_working_days;
  std::optional<int64_t> closed_at_us;
  nlohmann::json fields = nlohmann::json::object();
  // Present only for the type's confidential readers.
  std::optional<nlohmann::json> confidential;
  std::optional<int> satisfaction;
  std::optional<int64_t> merged_into;
  std::string source_kind;
  int64_t source_id = 0;
  std::vector<int64_t> finding_ids;
  int version = 1;
  // Filled by Get (not by List):
  std::vector<CaseEvent> events;
  std::vector<AttachmentInfo> attachments;  // confidential ones only for readers
  std::vector<CaseLinkInfo> links;
  std::vector<std::string> available_transitions;  // the actor may take these now
};

struct OpenCaseRequest {
  std::string case_type;
  std::string title;   // empty: derived from the type and fields
  int64_t org_id = 0;  // the school/township concerned; 0: county-level
  int64_t staff_id = 0;
  nlohmann::json fields = nlohmann::json::object();  // confidential ones included; the engine seals them
  std::string comment;
  std::string source_kind = "manual";
  int64_t source_id = 0;
  std::vector<int64_t> finding_ids;
  std::vector<AttachmentInput> attachments;
  // Optional link from an existing case ("a complaint led to this misconduct case").
  int64_t linked_from_case_id = 0;
};

struct OpenedCase {
  CaseView view;
  // Only for a case opened by Actor::Public(): 16 characters of Crockford
  // base32 (80 random bits), shown to the complainant once, stored hashed.
  std::string tracking_code;
  // A repeated complaint about a matter already open joins that case:
  // merged_into is its id (the new case is kept, in state "merged").
  std::optional<int64_t> merged_into;
};

struct TransitionRequest {
  std::string transition;
  int version = 0;  // the version the actor saw; 0 skips the check (system)
  std::string comment;
  nlohmann::json fields = nlohmann::json::object();
  std::vector<AttachmentInput> attachments;
};

struct CaseFilter {
  std::string case_type;
  std::string state;
  std::string category;
  int64_t org_id = 0;  // cases about this org's subtree (must be visible)
  bool overdue_only = false;
  bool open_only = false;
  bool assigned_to_me = false;  // at the actor's level and org
  std::string text;             // substring of ref or title
  int64_t opened_from_us = 0;
  int64_t opened_to_us = 0;
  int offset = 0;
  int limit = 50;  // 1..500
};

struct CasePage {
  std::vector<CaseView> items;
  int64_t total = 0;
};

// What the public may see of a complaint through its tracking code: never a
// school-internal comment, never who handled it.
struct PublicCaseView {
  std::string ref;
  std::string case_type;
  std::string state;
  Label state_label;
  std::string category;
  std::string org_name;
  int64_t opened_at_us = 0;
  std::optional<int64_t> due_at_us;
  bool deadline_provisional = false;  // as CaseView
  std::optional<int64_t> closed_at_us;
  std::vector<CaseEvent> events;  // public-visible only; actor blanked to "教育局"/"school"
  std::string answer;             // the last public comment
  std::optional<int> satisfaction;
  bool can_rate = false;
  bool can_reopen = false;
  std::optional<std::string> merged_into_ref;
};

struct SweepReport {
  int reminded = 0;
  int escalated = 0;
  int deadline_unknown = 0;  // cases whose deadline the calendar cannot say
  // Provisional deadlines counted again because the calendar has learnt the
  // year (a notice imported): each audited and on the case's timeline.
  int recomputed = 0;
};

struct EngineDeps {
  storage::Database* db = nullptr;
  const CaseTypeRegistry* types = nullptr;
  const calendar::WorkingCalendar* calendar = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  const SecretBox* box = nullptr;
  Notifier* notifier = nullptr;  // may be null: no notices
};

class CaseEngine {
 public:
  explicit CaseEngine(EngineDeps deps);

  StatusOr<OpenedCase> Open(const Actor& actor, OpenCaseRequest request);
  StatusOr<CaseView> Transition(const Actor& actor, int64_t case_id, TransitionRequest request);
  StatusOr<CaseView> Get(const Actor& actor, int64_t case_id);
  StatusOr<CasePage> List(const Actor& actor, const CaseFilter& filter);
  // An attachment's bytes, if the actor may see it (kNotFound otherwise).
  StatusOr<std::pair<AttachmentInfo, std::string>> Attachment(const Actor& actor, int64_t case_id,
                                                              int64_t attachment_id);

  // Seals every attachment stored in clear (rows written before migration
  // 012): bytes, file name and checksum, in batches of a few rows, each batch
  // one transaction with an audit entry ("case.attachments.seal").
  // Idempotent; `edugov serve` calls it on start. Returns how many it sealed.
  StatusOr<int64_t> SealClearAttachments();

  // The public side of a complaint. A malformed or unknown code → kNotFound
  // with the same message (forged codes learn nothing).
  StatusOr<PublicCaseView> Track(std::string_view tracking_code);
  // satisfaction 1..5 after closure, within reopen_within_days.
  StatusOr<PublicCaseView> Rate(std::string_view tracking_code, int satisfaction, std::string comment);
  StatusOr<PublicCaseView> Reopen(std::string_view tracking_code, std::string reason);

  // Links two cases the actor may both see.
  Status Link(const Actor& actor, int64_t from_case_id, int64_t to_case_id, std::string kind);

  // First, every open case whose deadline is provisional is counted again
  // on the calendar (which may have learnt the year since: a new notice
  // imported); a changed deadline is written, audited ("case.deadline.recompute",
  // old and new due_at) and added to the timeline (event kind "deadline",
  // fields {from, to, provisional}). Then reminders and escalations due at
  // clock->Now(): each overdue case gets one
  // reminder (催办) remind_after_days after its deadline and climbs one level
  // of its type's escalation chain escalate_after_days after that, each an
  // event, a notice and an audit entry. Idempotent: running it twice at the
  // same time changes nothing the second time.
  StatusOr<SweepReport> SweepClocks();

  // ---- rectifications from findings (docs/workflows.md, "Rectifications
  // from findings"). The policy engine owns the findings; it hands the
  // engine what it knows of them and the engine keeps the cases in step.
  //
  // A rule's `case:` spec: at which level the rectification is assigned and
  // how many working days it has (the type's `due_working_days` field).
  struct FindingCaseSpec {
    std::string assignee;  // "school", "township" or "county"
    int due_working_days = 0;
  };
  // One stored finding as the loop needs it.
  struct FindingState {
    int64_t id = 0;
    std::string rule_id;
    std::string rule_title_zh;  // the rule's title in the pack ("" when it left the pack)
    std::string clause;
    std::string status;  // open | resolved | withdrawn (its rule left the pack)
    // The unit the finding is about: a school or township (a class's
    // school, a staff member's org); 0 for the county or everything.
    int64_t org_id = 0;
    int64_t staff_id = 0;  // a finding about one staff member
    // One line for the case timeline, e.g. "七年级1班 2025-11-10 起的一周：日均 120（上限 90）".
    std::string summary_zh;
  };
  struct SyncOptions {
    // Units with an active school account: a rectification for a school
    // outside this set goes to its township (nobody at the school could
    // answer it). Empty set with `know_accounts` false: assume every school.
    std::set<int64_t> orgs_with_accounts;
    bool know_accounts = false;
  };
  struct SyncReport {
    int opened = 0;     // new rectifications
    int linked = 0;     // findings added to an existing rectification
    int to_verify = 0;  // open → awaiting verification: the data shows it fixed
    int regressed = 0;  // awaiting verification → open: the problem is back
    int reopened = 0;   // closed → open: the problem recurred
    int withdrawn = 0;  // cancelled: every finding's rule left the pack
  };
  // Keeps rectifications in step with `findings` (every stored finding of
  // the rules in `specs` — findings of other rules are ignored):
  //  - open findings of one rule about one unit form a group; a group with
  //    no rectification gets one (assigned per the spec, due in its working
  //    days, linked to every open finding of the group); a group that has
  //    one gets its new findings linked to it — never a second case;
  //  - a rectification in the first state whose findings are all resolved
  //    moves to verification by the system transition `data_fixed`, the
  //    resolved findings quoted as evidence; a verifier closes it;
  //  - one awaiting verification whose findings are open again goes back
  //    (`data_regressed`); a closed one whose finding reopens is reopened
  //    (`data_reopened`);
  //  - one whose findings are all withdrawn is cancelled (`rule_withdrawn`).
  // A transition the rectification type does not declare is skipped. Each
  // change is its own transaction with its event, audit entry and notices;
  // an error stops the sync with what was done so far committed.
  // Idempotent: a second call with the same findings changes nothing.
  StatusOr<SyncReport> SyncRectifications(const std::vector<FindingState>& findings,
                                          const std::map<std::string, FindingCaseSpec>& specs,
                                          const SyncOptions& options);
  // Opens the rectification of one finding by hand (发起整改 on a finding's
  // page), as `actor` (who must see the finding's unit). kAlreadyExists with
  // field "case:<id>" when the finding has a rectification that was not
  // cancelled (an open one, or one a verifier closed) — the caller shows it.
  StatusOr<CaseView> OpenRectificationForFinding(const Actor& actor, const FindingState& finding,
                                                 const FindingCaseSpec& spec);
  // The rectification linked to a finding (the most recent), if any.
  struct LinkedCase {
    int64_t id = 0;
    std::string ref, state;
    Label state_label;
  };
  StatusOr<std::optional<LinkedCase>> RectificationOf(int64_t finding_id);
  // Cases of `case_type` not closed about `org_path`'s subtree (target
  // indicator open_cases). kInvalidArgument for an unknown case type.
  StatusOr<int64_t> CountOpen(std::string_view case_type, std::string_view org_path);

  // The case types the engine runs (labels for reports and forms); the
  // registry outlives the engine (EngineDeps).
  const CaseTypeRegistry& types() const { return *deps_.types; }

 private:
  EngineDeps deps_;
};

}  // namespace edugov::cases
