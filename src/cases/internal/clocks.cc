#include "cases/internal/core.h"

#include <algorithm>

namespace edugov::cases::internal {

using json = nlohmann::json;
using storage::Connection;
using storage::ResultSet;

// The working days the case has to leave `state`: a per-case field, then a
// per-category table, then the state's own number; plus extensions.
std::optional<int> LimitDays(const StateSpec& s, const json& fields, int extended) {
  if (!s.time_limit) return std::nullopt;
  const TimeLimit& tl = *s.time_limit;
  int days = tl.working_days;
  if (!tl.days_field.empty() && fields.contains(tl.days_field) && fields[tl.days_field].is_number_integer()) {
    days = static_cast<int>(fields[tl.days_field].get<int64_t>());
  } else if (!tl.by_field.empty() && fields.contains(tl.by_field) && fields[tl.by_field].is_string()) {
    auto it = tl.by_value.find(fields[tl.by_field].get<std::string>());
    if (it != tl.by_value.end()) days = it->second;
  }
  return std::max(0, days + extended);
}

// Sets c.due_at / c.deadline_unknown / c.deadline_provisional for its
// current state. A year without a State Council notice is answered on the
// calendar's provisional year (the law's holidays, no 调休:
// working_calendar.h), so a December case gets a deadline in January, marked
// provisional so the UI says it may move and the sweep recomputes it once the
// notice is imported (RecomputeProvisionalDeadlines). Only a date the
// calendar cannot answer at all leaves the deadline unknown, never refusing
// the case.
Status ComputeDue(const EngineDeps& d, const CaseType& type, CaseRow& c) {
  c.due_at.reset();
  c.deadline_unknown = false;
  c.deadline_provisional = false;
  const StateSpec* s = type.FindState(c.state);
  if (!s || s->terminal) return OkStatus();
  std::optional<int> days = LimitDays(*s, c.fields, c.extended_days);
  if (!days) return OkStatus();
  StatusOr<calendar::Deadline> due = d.calendar->DeadlineOf(FromUnixMicros(c.state_entered_at), *days);
  if (due.ok()) {
    c.due_at = ToUnixMicros(due->at);
    c.deadline_provisional = due->provisional;
  } else if (due.status().code() == StatusCode::kFailedPrecondition) {
    c.deadline_unknown = true;
  } else {
    return due.status();
  }
  return OkStatus();
}

int64_t StartOfDayUs(Date d) {
  return int64_t{d.DaysSinceEpoch()} * kDayUs - kShanghaiOffsetUs;
}

// Sets who must act from the state's assignee rule. The level follows the
// kind of the unit named: a complaint dispatched to a township's own office
// is the township's to answer.
Status ComputeAssignee(Connection& conn, const StateSpec& s, CaseRow& c) {
  if (s.assignee_level.empty()) return OkStatus();
  c.assignee_level = s.assignee_level;
  c.assignee_department = s.assignee_department;
  c.assignee_org_id = 0;
  if (s.assignee_level == "school" || s.assignee_level == "township") {
    int64_t org = c.org_id;
    if (!s.assignee_org_field.empty() && c.fields.contains(s.assignee_org_field) &&
        c.fields[s.assignee_org_field].is_number_integer()) {
      org = c.fields[s.assignee_org_field].get<int64_t>();
    }
    ASSIGN_OR_RETURN(std::optional<OrgInfo> o, internal::LoadOrg(conn, org));
    if (!o) {
      // County-level case: the supervision department acts for it.
      c.assignee_level = "department";
      c.assignee_department = "supervision";
      return OkStatus();
    }
    if (s.assignee_level == "school") {
      c.assignee_level = o->kind == "township" ? "township" : "school";
      c.assignee_org_id = o->id;
    } else {
      c.assignee_org_id = o->township_id != 0 ? o->township_id : o->id;
    }
  }
  return OkStatus();
}

}  // namespace edugov::cases::internal
