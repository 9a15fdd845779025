// CaseEngine::SweepClocks: provisional deadlines counted again once the
// calendar has the year's notice, then reminders (催办) and escalation up the
// type's chain for overdue cases (docs/workflows.md, "Clocks").
#include "cases/engine.h"

#include "cases/internal/core.h"
#include "cases/internal/store.h"

namespace edugov::cases {

using namespace internal;  // NOLINT: the engine's building blocks
using storage::Connection;
using storage::ResultSet;

namespace {

std::string DayOf(const std::optional<int64_t>& due_at) {
  return due_at ? calendar::ShanghaiDate(FromUnixMicros(*due_at)).ToString() : "";
}

bool SameDeadline(const CaseRow& a, const CaseRow& b) {
  return a.due_at == b.due_at && a.deadline_provisional == b.deadline_provisional &&
         a.deadline_unknown == b.deadline_unknown;
}

// Open cases whose deadline was counted on a provisional year are counted
// again from the same start and working days. The calendar the engine holds
// is the one read at start (`edugov serve`) or for this run (`edugov cases
// sweep`), so once a new policy/calendar/cn-YYYY.yaml is there the answer
// changes and is written: the new due day, the flag (usually cleared), an
// event on the timeline (worded by http/case_json.cc) and an audit entry
// with the old and new deadline. While the year is still provisional the
// answer is the same and nothing is written: one read per sweep, no
// bookkeeping of which years were provisional when.
Status RecomputeProvisionalDeadlines(const EngineDeps& d, storage::Connection& conn, int64_t now,
                                     SweepReport& report) {
  ASSIGN_OR_RETURN(std::vector<CaseRow> rows,
                   QueryCases(conn, "WHERE c.closed_at IS NULL AND c.deadline_provisional = 1 ORDER BY c.id", {}));
  for (const CaseRow& row : rows) {
    const CaseType* type = d.types->Find(row.case_type);
    if (!type) continue;
    CaseRow probe = row;
    RETURN_IF_ERROR(ComputeDue(d, *type, probe));
    if (SameDeadline(probe, row)) continue;
    RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
      // Read again inside the transaction: a user may have moved the case
      // since the query above, and UpdateRow's version check guards the rest.
      ASSIGN_OR_RETURN(std::optional<CaseRow> fresh, internal::LoadCase(tx, row.id));
      if (!fresh || fresh->closed_at || !fresh->deadline_provisional) return OkStatus();
      const CaseRow before = *fresh;
      CaseRow c = std::move(*fresh);
      RETURN_IF_ERROR(ComputeDue(d, *type, c));
      if (SameDeadline(c, before)) return OkStatus();
      c.version += 1;
      RETURN_IF_ERROR(UpdateRow(tx, c, now));
      RETURN_IF_ERROR(AddEvent(tx, c.id, Actor::System(), now,
                               {.kind = "deadline",
                                .fields = {{"from", DayOf(before.due_at)},
                                           {"to", DayOf(c.due_at)},
                                           {"provisional", c.deadline_provisional}}})
                          .status());
      ++report.recomputed;
      return Audit(d, tx, Actor::System(), "case.deadline.recompute", &before, c);
    }));
  }
  return OkStatus();
}

}  // namespace

StatusOr<SweepReport> CaseEngine::SweepClocks() {
  SweepReport report;
  const int64_t now = NowUs(deps_);
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  // First, so a deadline the notice moved earlier is reminded on this run.
  RETURN_IF_ERROR(RecomputeProvisionalDeadlines(deps_, *conn, now, report));
  ASSIGN_OR_RETURN(ResultSet ids,
                   conn->Query("SELECT id FROM cases WHERE closed_at IS NULL AND "
                               "((due_at IS NOT NULL AND due_at < $1) OR deadline_unknown = 1) ORDER BY id",
                               {now}));
  for (size_t i = 0; i < ids.size(); ++i) {
    const int64_t id = ids.GetInt(i, 0);
    RETURN_IF_ERROR(storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
      ASSIGN_OR_RETURN(std::optional<CaseRow> row, internal::LoadCase(tx, id));
      if (!row || row->closed_at) return OkStatus();
      CaseRow c = std::move(*row);
      const CaseType* type = deps_.types->Find(c.case_type);
      if (!type) return OkStatus();
      const StateSpec* st = type->FindState(c.state);
      if (!st || st->terminal || !st->time_limit) return OkStatus();
      const CaseRow before = c;
      bool changed = false;
      if (c.deadline_unknown) {
        // The calendar may have learnt the year since.
        RETURN_IF_ERROR(ComputeDue(deps_, *type, c));
        if (c.deadline_unknown) {
          ++report.deadline_unknown;
          return OkStatus();
        }
        changed = true;
      }
      if (!c.due_at || !calendar::IsOverdue(FromUnixMicros(*c.due_at), FromUnixMicros(now))) {
        if (changed) {
          c.version += 1;
          RETURN_IF_ERROR(UpdateRow(tx, c, now));
          RETURN_IF_ERROR(Audit(deps_, tx, Actor::System(), "case.deadline", &before, c));
        }
        return OkStatus();
      }
      const TimeLimit& tl = *st->time_limit;
      const Date due_day = calendar::ShanghaiDate(FromUnixMicros(*c.due_at));
      // The reminder falls due at the start of the remind_after_days-th
      // working day after the due day (0: as soon as the deadline passes).
      int64_t remind_at = *c.due_at + 1'000'000;
      Date remind_day = due_day;
      if (tl.remind_after_days > 0) {
        StatusOr<Date> rd = deps_.calendar->AddWorkingDays(due_day, tl.remind_after_days);
        if (!rd.ok()) {
          ++report.deadline_unknown;
          return OkStatus();
        }
        remind_day = *rd;
        remind_at = StartOfDayUs(remind_day);
      }
      if (!c.reminded_at && now >= remind_at) {
        c.reminded_at = now;
        changed = true;
        ++report.reminded;
        RETURN_IF_ERROR(AddEvent(tx, c.id, Actor::System(), now,
                                 // The facts as fields; the HTTP layer words them in each
                                 // language (http/case_json.cc).
                                 {.kind = "remind", .fields = {{"due", due_day.ToString()}}}).status());
        RETURN_IF_ERROR(NotifyAssignee(deps_, tx, c, "reminder", "催办：" + c.ref + " 已超过办理期限 " + due_day.ToString(),
                                       "Reminder: " + c.ref + " is past its deadline " + due_day.ToString()));
      }
      // Escalation k climbs to the k-th level above the assignee,
      // escalate_after_days working days after the previous step.
      if (c.reminded_at) {
        int start = -1;
        for (size_t k = 0; k < type->escalation_chain.size(); ++k) {
          const std::string& tok = type->escalation_chain[k];
          if (tok == c.assignee_level || (c.assignee_level == "department" && tok == "department:" + c.assignee_department)) {
            start = static_cast<int>(k);
          }
        }
        while (start + c.escalation_level + 1 < static_cast<int>(type->escalation_chain.size())) {
          const int next = c.escalation_level + 1;
          StatusOr<Date> ed = tl.escalate_after_days > 0
                                  ? deps_.calendar->AddWorkingDays(remind_day, tl.escalate_after_days * next)
                                  : StatusOr<Date>(remind_day);
          if (!ed.ok()) break;
          const int64_t at = tl.escalate_after_days > 0 ? StartOfDayUs(*ed) : remind_at;
          if (now < at) break;
          const std::string tok = type->escalation_chain[start + next];
          std::string level = tok, dept;
          if (tok.rfind("department:", 0) == 0) {
            level = "department";
            dept = tok.substr(11);
          }
          int64_t org = 0;
          if (level == "school") org = c.org_id;
          if (level == "township") org = c.township_id;
          c.escalation_level = next;
          c.escalated_at = now;
          changed = true;
          ++report.escalated;
          RETURN_IF_ERROR(AddEvent(tx, c.id, Actor::System(), now,
                                   // 升级督办 with 书面批评 of the assignee: the step and the unit
                                   // criticised as fields, worded by http/case_json.cc.
                                   {.kind = "escalate",
                                    .fields = {{"escalation_level", next},
                                               {"to", tok},
                                               {"criticised", c.assignee_level == "department"
                                                                  ? "department:" + c.assignee_department
                                                                  : c.assignee_level}}}).status());
          RETURN_IF_ERROR(Notify(deps_, tx, c, "escalated", level, org, dept,
                                 "升级督办：" + c.ref + " 逾期未办（" + c.title + "）",
                                 "Escalated: " + c.ref + " is overdue (" + c.title + ")"));
        }
      }
      if (!changed) return OkStatus();
      c.version += 1;
      RETURN_IF_ERROR(UpdateRow(tx, c, now));
      return Audit(deps_, tx, Actor::System(), "case.sweep", &before, c);
    }));
  }
  return report;
}


}  // namespace edugov::cases
