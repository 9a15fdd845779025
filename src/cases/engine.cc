#include "cases/engine.h"

#include <algorithm>
#include <set>

#include "cases/internal/core.h"
#include "cases/internal/store.h"
#include "cases/internal/util.h"
#include "ledger/audit.h"
#include "ledger/sanctions.h"
#include "registry/registry.h"

namespace edugov::cases {
namespace {

using namespace internal;  // the engine's building blocks (internal/core.h)
using json = nlohmann::json;
using storage::Connection;
using storage::ResultSet;

// ---------------------------------------------------------------- view

// The text fields of `fields` through internal::RedactIdentity.
void RedactTypedText(const CaseType& type, const std::vector<std::string>& known, json& fields) {
  for (const FieldSpec& f : type.fields) {
    if ((f.type == FieldType::kText || f.type == FieldType::kLongText) && fields.contains(f.name) &&
        fields[f.name].is_string()) {
      fields[f.name] = internal::RedactIdentity(fields[f.name].get<std::string>(), known);
    }
  }
}

StatusOr<CaseView> BuildView(const EngineDeps& d, Connection& conn, const Actor& a,
                             const CaseType& type, const CaseRow& c, bool full) {
  CaseView v;
  v.id = c.id;
  v.ref = c.ref;
  v.case_type = c.case_type;
  v.state = c.state;
  v.title = c.title;
  v.category = c.category;
  v.org_id = c.org_id;
  v.org_name = c.org_name;
  v.township_id = c.township_id;
  v.staff_id = c.staff_id;
  v.assignee_level = c.assignee_level;
  v.assignee_org_id = c.assignee_org_id;
  v.assignee_department = c.assignee_department;
  v.escalation_level = c.escalation_level;
  v.opened_at_us = c.opened_at;
  v.state_entered_at_us = c.state_entered_at;
  v.due_at_us = c.due_at;
  v.deadline_unknown = c.deadline_unknown;
  v.deadline_provisional = c.deadline_provisional;
  const StateSpec* st = type.FindState(c.state);
  v.overdue = c.due_at && !(st && st->terminal) &&
              calendar::IsOverdue(FromUnixMicros(*c.due_at), d.clock->Now());
  if (v.overdue) {
    // Counted here, on the calendar the deadline was set on, so no client
    // needs a copy of the calendar (which would go stale each November).
    StatusOr<int> late = d.calendar->WorkingDaysBetween(calendar::ShanghaiDate(FromUnixMicros(*c.due_at)),
                                                        calendar::ShanghaiDate(d.clock->Now()));
    if (late.ok()) v.overdue_working_days = std::max(*late, 1);
  }
  v.closed_at_us = c.closed_at;
  v.fields = c.fields;
  const bool reader = IsConfidentialReader(a, type);
  if (reader) {
    ASSIGN_OR_RETURN(json secret, OpenSecret(d, c));
    v.confidential = secret;
  }
  // What the complainant typed — the complaint, a rating comment, a reopen
  // reason — reaches anyone but the complaint office with their own name and
  // phone and any phone-like number masked (docs/security.md).
  std::optional<std::vector<std::string>> known;
  if (a.kind == Actor::Kind::kUser && !reader && c.source_kind == "public") {
    ASSIGN_OR_RETURN(json secret, OpenSecret(d, c));
    known.emplace();
    for (const FieldSpec& f : type.fields) {
      if (f.confidential && secret.contains(f.name) && secret[f.name].is_string()) {
        known->push_back(secret[f.name].get<std::string>());
      }
    }
    RedactTypedText(type, *known, v.fields);
  }
  v.satisfaction = c.satisfaction;
  v.merged_into = c.merged_into;
  v.source_kind = c.source_kind;
  v.source_id = c.source_id;
  v.version = c.version;
  ASSIGN_OR_RETURN(ResultSet fr, conn.Query("SELECT finding_id FROM case_findings WHERE case_id = $1 ORDER BY finding_id", {c.id}));
  for (size_t i = 0; i < fr.size(); ++i) v.finding_ids.push_back(fr.GetInt(i, 0));
  if (!full) return v;

  ASSIGN_OR_RETURN(ResultSet ev,
                   conn.Query("SELECT id, at, actor, kind, transition, from_state, to_state, comment, "
                              "fields_json, visibility FROM case_events WHERE case_id = $1 ORDER BY id",
                              {c.id}));
  for (size_t i = 0; i < ev.size(); ++i) {
    CaseEvent e;
    e.id = ev.GetInt(i, 0);
    e.at_us = ev.GetInt(i, 1);
    e.actor = ev.GetText(i, 2);
    e.kind = ev.GetText(i, 3);
    e.transition = ev.GetText(i, 4);
    e.from_state = ev.GetText(i, 5);
    e.to_state = ev.GetText(i, 6);
    e.comment = ev.GetText(i, 7);
    e.fields = json::parse(ev.GetText(i, 8, "{}"), nullptr, false);
    if (!e.fields.is_object()) e.fields = json::object();
    e.public_visible = ev.GetText(i, 9) == "public";
    if (known && e.actor == "public") {
      e.comment = internal::RedactIdentity(e.comment, *known);
      RedactTypedText(type, *known, e.fields);
    }
    v.events.push_back(std::move(e));
  }
  ASSIGN_OR_RETURN(ResultSet at,
                   conn.Query("SELECT id, filename, content_type, size_bytes, sha256, confidential, "
                              "uploaded_by, uploaded_at, sealed_meta FROM case_attachments WHERE case_id = $1 "
                              "ORDER BY id",
                              {c.id}));
  for (size_t i = 0; i < at.size(); ++i) {
    AttachmentInfo info;
    info.id = at.GetInt(i, 0);
    info.content_type = at.GetText(i, 2);
    info.size_bytes = at.GetInt(i, 3);
    info.confidential = at.GetInt(i, 5) != 0;
    info.uploaded_by = at.GetText(i, 6);
    info.uploaded_at_us = at.GetInt(i, 7);
    if (info.confidential && !reader && a.kind != Actor::Kind::kSystem) continue;
    ASSIGN_OR_RETURN(AttachmentMeta meta, OpenAttachmentMeta(d, at, i, 1, 4, 8));
    info.filename = std::move(meta.filename);
    info.sha256 = std::move(meta.sha256);
    v.attachments.push_back(std::move(info));
  }
  ASSIGN_OR_RETURN(ResultSet ln,
                   conn.Query("SELECT l.other_case_id, o.ref, o.case_type, l.kind, o.org_path, o.created_by, 0 "
                              "FROM case_links l JOIN cases o ON o.id = l.other_case_id WHERE l.case_id = $1 "
                              "UNION ALL "
                              "SELECT l.case_id, o.ref, o.case_type, l.kind, o.org_path, o.created_by, 1 "
                              "FROM case_links l JOIN cases o ON o.id = l.case_id WHERE l.other_case_id = $1",
                              {c.id}));
  for (size_t i = 0; i < ln.size(); ++i) {
    CaseRow other;
    other.org_path = ln.GetText(i, 4);
    other.created_by = ln.GetInt(i, 5);
    if (!ActorCanSee(a, other) && a.kind != Actor::Kind::kSystem) continue;
    CaseLinkInfo l;
    l.other_case_id = ln.GetInt(i, 0);
    l.other_ref = ln.GetText(i, 1);
    l.other_type = ln.GetText(i, 2);
    l.kind = ln.GetText(i, 3);
    if (ln.GetInt(i, 6) == 1 && l.kind == "led_to") l.kind = "led_from";
    v.links.push_back(std::move(l));
  }
  std::sort(v.links.begin(), v.links.end(),
            [](const CaseLinkInfo& x, const CaseLinkInfo& y) { return x.other_case_id < y.other_case_id; });
  for (const TransitionSpec& tr : type.transitions) {
    if (!FromMatches(type, tr, c.state)) continue;
    ASSIGN_OR_RETURN(bool ok, HoldsAny(conn, a, tr.roles, c));
    if (ok) v.available_transitions.push_back(tr.id);
  }
  return v;
}

// ---------------------------------------------------------------- opening

StatusOr<std::string> NextRef(Connection& tx, const CaseType& type, int64_t now) {
  const int year = calendar::ShanghaiDate(FromUnixMicros(now)).year();
  ASSIGN_OR_RETURN(ResultSet rs,
                   tx.Query("INSERT INTO case_counters (prefix, year, last) VALUES ($1, $2, 1) "
                            "ON CONFLICT (prefix, year) DO UPDATE SET last = case_counters.last + 1 "
                            "RETURNING last",
                            {type.prefix, int64_t{year}}));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(rs.GetInt(0, 0)));
  return type.prefix + std::to_string(year) + "-" + buf;
}

struct OpenOverrides {
  std::string assignee_level;  // non-empty: instead of the initial state's rule
  std::string assignee_department;
  int64_t assignee_org_id = 0;
};

// Among the open cases of the same type, org and category opened in the
// last within_days days, the most similar one at or above the threshold.
StatusOr<std::optional<CaseRow>> FindRepeat(Connection& tx, const CaseType& type, const CaseRow& c,
                                            int64_t now) {
  if (!type.merge || c.org_id == 0 || !c.fields.contains(type.merge->text_field) ||
      !c.fields[type.merge->text_field].is_string()) {
    return std::optional<CaseRow>();
  }
  const std::string text = c.fields[type.merge->text_field].get<std::string>();
  ASSIGN_OR_RETURN(std::vector<CaseRow> candidates,
                   internal::QueryCases(tx,
                                        "WHERE c.case_type = $1 AND c.org_id = $2 AND c.category = $3 AND "
                                        "c.closed_at IS NULL AND c.merged_into IS NULL AND c.opened_at >= $4 "
                                        "ORDER BY c.id",
                                        {type.id, c.org_id, c.category,
                                         now - int64_t{type.merge->within_days} * kDayUs}));
  std::optional<CaseRow> best;
  double best_score = 0;
  for (CaseRow& other : candidates) {
    const StateSpec* s = type.FindState(other.state);
    if (!s || s->terminal || !other.fields.contains(type.merge->text_field) ||
        !other.fields[type.merge->text_field].is_string()) {
      continue;
    }
    const double score =
        internal::BigramJaccard(text, other.fields[type.merge->text_field].get<std::string>());
    if (score >= type.merge->threshold && score > best_score) {
      best_score = score;
      best = std::move(other);
    }
  }
  return best;
}

struct OpenResult {
  CaseRow row;
  std::string tracking_code;
};

StatusOr<OpenResult> OpenInTx(const EngineDeps& d, Connection& tx, const Actor& a,
                              const CaseType& type, OpenCaseRequest& req,
                              const std::vector<CheckedAttachment>& files,
                              const OpenOverrides& over) {
  const int64_t now = NowUs(d);
  CaseRow c;
  c.case_type = type.id;
  c.org_id = req.org_id;
  c.staff_id = req.staff_id;
  c.source_kind = a.kind == Actor::Kind::kPublic ? "public" : req.source_kind;
  c.source_id = req.source_id;
  c.created_by = ActorId(a);
  c.opened_at = c.state_entered_at = now;
  if (req.org_id != 0) {
    ASSIGN_OR_RETURN(std::optional<OrgInfo> o, internal::LoadOrg(tx, req.org_id));
    if (!o || (a.kind == Actor::Kind::kUser && !a.user->CanSee(o->path))) {
      return ReferenceNotFound("org_id", RefTarget::kOrg);
    }
    c.org_path = o->path;
    c.org_name = o->name;
    c.township_id = o->township_id;
  } else {
    ASSIGN_OR_RETURN(c.org_path, internal::CountyPath(tx));
  }
  if (req.staff_id != 0) {
    ASSIGN_OR_RETURN(bool may, MayReference(tx, a, RefTarget::kStaff, req.staff_id));
    if (!may) return ReferenceNotFound("staff_id", RefTarget::kStaff);
  }
  ASSIGN_OR_RETURN(SplitFields fs, NormalizeFields(tx, a, type, req.fields));
  MergeInto(c.fields, fs.plain);
  json secret = json::object();
  MergeInto(secret, fs.secret);
  for (const FieldSpec& f : type.fields) {
    if (f.required && !c.fields.contains(f.name) && !secret.contains(f.name)) {
      return InvalidArgumentError(f.name + " is required", f.label.zh + "（" + f.name + "）为必填项")
          .WithField("fields." + f.name);
    }
  }
  if (!secret.empty()) c.confidential = d.box->Seal(secret.dump(), *d.random);
  if (!type.category_field.empty() && c.fields.contains(type.category_field)) {
    c.category = c.fields[type.category_field].get<std::string>();
  }
  if (c.staff_id == 0 && c.org_id != 0 && !type.accountable_post.empty() &&
      std::find(type.accountable_categories.begin(), type.accountable_categories.end(), c.category) !=
          type.accountable_categories.end()) {
    // The unit's holder of the post (its lowest staff id when several).
    if (std::optional<registry::Post> post = registry::ParsePost(type.accountable_post)) {
      ASSIGN_OR_RETURN(std::vector<registry::StaffPost> holders,
                       registry::ListActiveStaffWithPostsUnscoped(tx, c.org_id, {*post}));
      if (!holders.empty()) c.staff_id = holders.front().staff_id;
    }
  }
  c.title = req.title;
  if (c.title.empty()) {
    c.title = type.label.zh;
    if (!c.category.empty()) c.title += "：" + EnumLabel(type, type.category_field, c.category);
    if (!c.org_name.empty()) c.title += "（" + c.org_name + "）";
  }
  if (c.title.size() > 300) {
    return InvalidArgumentError("title is longer than 300 bytes", "标题超过 300 字节").WithField("title");
  }
  ASSIGN_OR_RETURN(std::optional<CaseRow> repeat, FindRepeat(tx, type, c, now));
  c.state = repeat ? "merged" : type.states[0].id;
  if (repeat) c.merged_into = repeat->id;
  const StateSpec& st = *type.FindState(c.state);
  if (!over.assignee_level.empty()) {
    c.assignee_level = over.assignee_level;
    c.assignee_department = over.assignee_department;
    c.assignee_org_id = over.assignee_org_id;
  } else {
    const StateSpec& first = type.states[0];
    RETURN_IF_ERROR(ComputeAssignee(tx, first, c));
  }
  if (st.terminal) c.closed_at = now;
  RETURN_IF_ERROR(ComputeDue(d, type, c));
  ASSIGN_OR_RETURN(c.ref, NextRef(tx, type, now));
  OpenResult out;
  std::optional<std::string> hash;
  if (a.kind == Actor::Kind::kPublic) {
    out.tracking_code = internal::NewTrackingCode(*d.random);
    hash = internal::TrackingHash(out.tracking_code);
  }
  if (st.terminal && type.reopen_within_days > 0) c.reopen_until = now + type.reopen_within_days * kDayUs;
  ASSIGN_OR_RETURN(
      ResultSet ins,
      tx.Query("INSERT INTO cases (ref, case_type, state, title, category, org_id, org_path, "
               "township_id, staff_id, assignee_level, assignee_org_id, assignee_department, "
               "opened_at, state_entered_at, due_at, deadline_unknown, closed_at, fields_json, "
               "confidential, source_kind, source_id, tracking_hash, merged_into, reopen_until, "
               "created_by, version, updated_at, deadline_provisional) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
               "$10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, 1, $26, $27) "
               "RETURNING id",
               {c.ref, c.case_type, c.state, c.title, c.category, IdOrNull(c.org_id), c.org_path,
                IdOrNull(c.township_id), IdOrNull(c.staff_id), c.assignee_level,
                IdOrNull(c.assignee_org_id), c.assignee_department, now, now, OptInt(c.due_at),
                int64_t{c.deadline_unknown ? 1 : 0}, OptInt(c.closed_at), c.fields.dump(),
                c.confidential ? storage::Value(storage::Blob{*c.confidential}) : storage::Null(),
                c.source_kind, IdOrNull(c.source_id), hash ? storage::Value(*hash) : storage::Null(),
                OptInt(c.merged_into), OptInt(c.reopen_until), IdOrNull(c.created_by), now,
                int64_t{c.deadline_provisional ? 1 : 0}}));
  c.id = ins.GetInt(0, 0);
  ASSIGN_OR_RETURN(int64_t ev, AddEvent(tx, c.id, a, now,
                                        {.kind = "open", .to = c.state, .comment = req.comment,
                                         .fields = c.fields, .is_public = true}));
  RETURN_IF_ERROR(StoreAttachments(d, tx, c.id, ev, files, a.kind == Actor::Kind::kPublic, ActorName(a), now));
  for (int64_t f : req.finding_ids) {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO case_findings (case_id, finding_id) VALUES ($1, $2)", {c.id, f}));
  }
  if (req.linked_from_case_id != 0) {
    ASSIGN_OR_RETURN(std::optional<CaseRow> from, internal::LoadCase(tx, req.linked_from_case_id));
    if (!from || !ActorCanSee(a, *from)) {
      return InvalidArgumentError("linked_from: no such case", "linked_from：案件不存在").WithField("linked_from");
    }
    RETURN_IF_ERROR(tx.Execute("INSERT INTO case_links (case_id, other_case_id, kind, created_at) VALUES ($1, $2, 'led_to', $3)",
                               {from->id, c.id, now}));
    RETURN_IF_ERROR(AddEvent(tx, from->id, a, now, {.kind = "link", .comment = "→ " + c.ref}).status());
  }
  if (repeat) {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO case_links (case_id, other_case_id, kind, created_at) VALUES ($1, $2, 'merged', $3)",
                               {c.id, repeat->id, now}));
    RETURN_IF_ERROR(AddEvent(tx, repeat->id, Actor::System(), now,
                             {.kind = "merge", .comment = "重复投诉 " + c.ref + " 已并入本件 / repeat complaint " + c.ref + " merged into this case"})
                        .status());
    RETURN_IF_ERROR(NotifyAssignee(d, tx, *repeat, "assigned",
                                   "重复投诉 " + c.ref + " 已并入 " + repeat->ref,
                                   "Repeat complaint " + c.ref + " merged into " + repeat->ref));
  }
  RETURN_IF_ERROR(Audit(d, tx, a, "case.open", nullptr, c));
  if (!repeat) {
    RETURN_IF_ERROR(NotifyAssignee(d, tx, c, "assigned", "新案件 " + c.ref + "：" + c.title,
                                   "New case " + c.ref + ": " + c.title));
  }
  out.row = std::move(c);
  return out;
}

// ---------------------------------------------------------------- transitions

struct TransitionCtx {
  bool via_tracking_code = false;  // the public, already identified by its code
};

StatusOr<CaseRow> TransitionInTx(const EngineDeps& d, Connection& tx, const Actor& a, CaseRow c,
                                 const CaseType& type, const TransitionRequest& req,
                                 const std::vector<CheckedAttachment>& files, TransitionCtx ctx);

Status RunEffects(const EngineDeps& d, Connection& tx, const Actor& a, const CaseType& type,
                  const TransitionSpec& tr, CaseRow& c, const std::string& comment, int64_t now) {
  for (const std::string& e : tr.effects) {
    if (e == "sanction") {
      if (c.staff_id == 0) {
        return InvalidArgumentError("a sanction needs the staff member concerned (staff_id)",
                                    "作出处分需要指明当事教职工（staff_id）").WithField("staff_id");
      }
      ledger::SanctionEntry s;
      s.staff_id = c.staff_id;
      s.org_id = c.org_id;
      s.org_path = c.org_path;
      if (s.org_id == 0) {
        // A county-level case names no school, but the sanction still belongs
        // to where the person is posted: the ledger is scoped by that path and
        // that school's principal and party secretary are accountable.
        ASSIGN_OR_RETURN(std::optional<registry::Org> posted_at, registry::LookupStaffOrgUnscoped(tx, c.staff_id));
        if (!posted_at) {
          return InvalidArgumentError("staff member " + std::to_string(c.staff_id) + " is not in the registry",
                                      "教职工 " + std::to_string(c.staff_id) + " 不在人员名册中")
              .WithField("staff_id");
        }
        s.org_id = posted_at->id;
        s.org_path = posted_at->path;
      }
      s.case_id = c.id;
      s.measure = c.fields.value("measure", "");
      s.veto_year = static_cast<int>(c.fields.value("veto_year", int64_t{0}));
      s.reason = comment.empty() ? c.title : comment;
      s.decided_by = ActorName(a);
      ASSIGN_OR_RETURN(std::vector<registry::StaffPost> accountable,
                       registry::ListActiveStaffWithPostsUnscoped(
                           tx, s.org_id, {registry::Post::kPrincipal, registry::Post::kPartySecretary}));
      for (const registry::StaffPost& holder : accountable) {
        s.accountable.push_back({holder.staff_id, std::string(registry::PostName(holder.post))});
      }
      RETURN_IF_ERROR(ledger::AppendSanction(tx, s, *d.clock));
    } else if (e == "extend") {
      const int64_t days = c.fields.value("extend_days", int64_t{0});
      if (days <= 0 || days > 60) {
        return InvalidArgumentError("extend_days must be 1..60 working days",
                                    "延期天数（extend_days）应为 1–60 个工作日").WithField("fields.extend_days");
      }
      c.extended_days += static_cast<int>(days);
      c.fields.erase("extend_days");
      c.reminded_at.reset();
      c.escalated_at.reset();
      c.escalation_level = 0;
    } else if (e == "freeze") {
      json frozen = json::object();
      for (const FieldSpec& f : type.fields) {
        if (!f.frozen_from_state.empty() && c.fields.contains(f.name)) frozen[f.name] = c.fields[f.name];
      }
      c.frozen_json = frozen.dump();
    } else if (e.rfind("open_case:", 0) == 0) {
      const CaseType* other = d.types->Find(e.substr(10));
      if (!other) return InternalError("effect names unknown case type " + e.substr(10));
      OpenCaseRequest r;
      r.case_type = other->id;
      r.org_id = c.org_id;
      r.staff_id = c.staff_id;
      r.source_kind = c.case_type;
      r.source_id = c.id;
      r.linked_from_case_id = c.id;
      r.comment = "由 " + c.ref + " 转入 / from " + c.ref;
      json fields = json::object();
      for (const FieldSpec& f : other->fields) {
        const FieldSpec* mine = type.FindField(f.name);
        if (f.confidential || !c.fields.contains(f.name) || !mine || mine->confidential ||
            mine->type != f.type) {
          continue;
        }
        // An enum value is copied only if the other type knows it too.
        const json& value = c.fields[f.name];
        const bool fits = f.type != FieldType::kEnum ||
                          std::any_of(f.options.begin(), f.options.end(),
                                      [&](const auto& o) { return value.is_string() && o.first == value.get<std::string>(); });
        if (fits) fields[f.name] = value;
      }
      if (!other->category_field.empty() && !fields.contains(other->category_field)) {
        const FieldSpec* cf = other->FindField(other->category_field);
        for (const auto& [k, _] : cf->options) {
          if (k == c.category) fields[other->category_field] = k;
        }
        // Else an option named after the source's type ("complaint"), else "other".
        for (const char* fallback : {c.case_type.c_str(), "other"}) {
          for (const auto& [k, _] : cf->options) {
            if (!fields.contains(other->category_field) && k == fallback) fields[other->category_field] = k;
          }
        }
      }
      // Required fields the source cannot fill are left for the new case's
      // handlers: open it with what is known, skipping the required check by
      // filling text fields from the source's title.
      for (const FieldSpec& f : other->fields) {
        if (f.required && !fields.contains(f.name) &&
            (f.type == FieldType::kText || f.type == FieldType::kLongText)) {
          fields[f.name] = c.title;
        }
      }
      r.fields = fields;
      ASSIGN_OR_RETURN(OpenResult opened, OpenInTx(d, tx, Actor::System(), *other, r, {}, {}));
      (void)opened;
    }
  }
  return OkStatus();
}

StatusOr<CaseRow> TransitionInTx(const EngineDeps& d, Connection& tx, const Actor& a, CaseRow c,
                                 const CaseType& type, const TransitionRequest& req,
                                 const std::vector<CheckedAttachment>& files, TransitionCtx ctx) {
  const int64_t now = NowUs(d);
  if (!ctx.via_tracking_code && !ActorCanSee(a, c)) return CaseNotFound();
  const TransitionSpec* tr = type.FindTransition(req.transition);
  if (!tr) {
    return InvalidArgumentError("case type " + type.id + " has no transition '" + req.transition + "'",
                                type.label.zh + " 没有操作 '" + req.transition + "'")
        .WithField("transition");
  }
  ASSIGN_OR_RETURN(bool allowed, HoldsAny(tx, a, tr->roles, c));
  if (!allowed) {
    const std::string roles = RolesList(tr->roles);
    return Status(StatusCode::kPermissionDenied,
                  "your role may not take '" + tr->id + "' (" + (tr->label.en.empty() ? tr->label.zh : tr->label.en) +
                      "); allowed: " + roles,
                  "您的角色不能执行「" + tr->label.zh + "」（" + tr->id + "）；允许的角色：" + roles,
                  "transition");
  }
  if (!FromMatches(type, *tr, c.state)) {
    const StateSpec* s = type.FindState(c.state);
    return Status(StatusCode::kFailedPrecondition,
                  "'" + tr->id + "' is not possible in state " + c.state,
                  "案件当前状态为「" + (s ? s->label.zh : c.state) + "」，不能执行「" + tr->label.zh + "」",
                  "transition");
  }
  if (req.version != 0 && req.version != c.version) {
    return Status(StatusCode::kFailedPrecondition,
                  "the case was changed by someone else meanwhile (version " + std::to_string(c.version) +
                      ", you saw " + std::to_string(req.version) + "); reload it",
                  "案件已被他人修改（当前版本 " + std::to_string(c.version) + "，您看到的是 " +
                      std::to_string(req.version) + "），请刷新后重试",
                  "version");
  }
  const CaseRow before = c;
  ASSIGN_OR_RETURN(SplitFields fs, NormalizeFields(tx, a, type, req.fields));
  if (!fs.secret.empty()) {
    const bool may = a.kind != Actor::Kind::kUser || IsConfidentialReader(a, type);
    if (!may) {
      return Status(StatusCode::kPermissionDenied, "only the complaint handlers may set confidential fields",
                    "只有信访受理人员可以填写保密字段", "fields");
    }
    ASSIGN_OR_RETURN(json secret, OpenSecret(d, c));
    MergeInto(secret, fs.secret);
    c.confidential = d.box->Seal(secret.dump(), *d.random);
  }
  MergeInto(c.fields, fs.plain);
  if (tr->requires_comment && req.comment.empty()) {
    return InvalidArgumentError("'" + tr->id + "' needs a comment", "「" + tr->label.zh + "」需要填写说明")
        .WithField("comment");
  }
  if (tr->requires_evidence && files.empty()) {
    return InvalidArgumentError("'" + tr->id + "' needs evidence (at least one attachment)",
                                "「" + tr->label.zh + "」需要上传佐证材料（至少一个附件）")
        .WithField("attachments");
  }
  for (const std::string& f : tr->required_fields) {
    if (!c.fields.contains(f)) {
      const FieldSpec* spec = type.FindField(f);
      return InvalidArgumentError("'" + tr->id + "' needs field " + f,
                                  "「" + tr->label.zh + "」需要填写" + (spec ? spec->label.zh : f) + "（" + f + "）")
          .WithField("fields." + f);
    }
  }
  if (!type.category_field.empty() && c.fields.contains(type.category_field)) {
    c.category = c.fields[type.category_field].get<std::string>();
  }
  std::string to = tr->to.empty() ? c.state : tr->to;
  std::string comment = req.comment;
  // Approvals: a frozen field changed after approval sends the case back.
  bool refrozen = false;
  if (c.frozen_json) {
    const json frozen = json::parse(*c.frozen_json, nullptr, false);
    std::vector<std::string> changed;
    for (const FieldSpec& f : type.fields) {
      if (f.frozen_from_state.empty()) continue;
      const json now_v = c.fields.contains(f.name) ? c.fields[f.name] : json();
      const json then_v = frozen.is_object() && frozen.contains(f.name) ? frozen[f.name] : json();
      if (now_v != then_v) changed.push_back(f.label.zh);
    }
    if (!changed.empty()) {
      to = type.frozen_change_state.empty() ? type.states[0].id : type.frozen_change_state;
      c.frozen_json.reset();
      refrozen = true;
      std::string list;
      for (const std::string& s : changed) list += (list.empty() ? "" : "、") + s;
      comment = (comment.empty() ? "" : comment + "\n") + "已批准事项变更（" + list +
                "），需重新审批 / approved fields changed, approval needed again";
    }
  }
  const bool state_changed = to != c.state;
  const std::string from = c.state;
  c.state = to;
  const StateSpec& st = *type.FindState(to);
  if (state_changed) {
    c.state_entered_at = now;
    c.escalation_level = 0;
    c.reminded_at.reset();
    c.escalated_at.reset();
    c.extended_days = 0;
    RETURN_IF_ERROR(ComputeAssignee(tx, st, c));
    if (st.terminal) {
      c.closed_at = now;
      c.reopen_until = type.reopen_within_days > 0 ? std::optional<int64_t>(now + type.reopen_within_days * kDayUs)
                                                   : std::nullopt;
    } else {
      c.closed_at.reset();
    }
  }
  if (!refrozen) RETURN_IF_ERROR(RunEffects(d, tx, a, type, *tr, c, comment, now));
  RETURN_IF_ERROR(ComputeDue(d, type, c));
  c.version += 1;
  RETURN_IF_ERROR(UpdateRow(tx, c, now));
  ASSIGN_OR_RETURN(int64_t ev,
                   AddEvent(tx, c.id, a, now,
                            {.kind = "transition", .transition = tr->id, .from = from, .to = to,
                             .comment = comment, .fields = fs.plain,
                             .is_public = st.public_visible && (state_changed || tr->public_comment)}));
  RETURN_IF_ERROR(StoreAttachments(d, tx, c.id, ev, files, a.kind == Actor::Kind::kPublic, ActorName(a), now));
  RETURN_IF_ERROR(Audit(d, tx, a, "case.transition." + tr->id, &before, c));
  if (state_changed && st.terminal) {
    // Closed: the complaint office hears of its complaints; otherwise the
    // unit the case is about (the school whose rectification was signed off).
    const std::string dept = type.confidential_readers.empty() ? "" : type.confidential_readers[0];
    const std::string zh = c.ref + " 已办结：" + st.label.zh;
    const std::string en = c.ref + " closed: " + (st.label.en.empty() ? st.label.zh : st.label.en);
    if (!dept.empty()) {
      RETURN_IF_ERROR(Notify(d, tx, c, "closed", "department", 0, dept, zh, en));
    } else if (c.org_id != 0) {
      RETURN_IF_ERROR(Notify(d, tx, c, "closed", c.township_id == c.org_id ? "township" : "school",
                             c.org_id, "", zh, en));
    }
  } else if (state_changed || before.assignee_org_id != c.assignee_org_id) {
    RETURN_IF_ERROR(NotifyAssignee(d, tx, c, tr->public_comment ? "answered" : "assigned",
                                   c.ref + " " + tr->label.zh + "，请办理（" + st.label.zh + "）",
                                   c.ref + " " + (tr->label.en.empty() ? tr->id : tr->label.en) + ": please act"));
  }
  return c;
}

// ---------------------------------------------------------------- public side

StatusOr<CaseRow> FindByCode(Connection& conn, std::string_view code) {
  const std::string norm = internal::NormalizeTrackingCode(code);
  if (norm.empty()) return CodeNotFound();
  ASSIGN_OR_RETURN(std::vector<CaseRow> rows,
                   internal::QueryCases(conn, "WHERE c.tracking_hash = $1", {internal::TrackingHash(norm)}));
  if (rows.empty()) return CodeNotFound();
  return std::move(rows.front());
}

const TransitionSpec* PublicReopen(const CaseType& type, const CaseRow& c) {
  for (const TransitionSpec& tr : type.transitions) {
    if (tr.id != "reopen" || !FromMatches(type, tr, c.state)) continue;
    for (const RoleToken& t : tr.roles) {
      if (t.role == "public") return &tr;
    }
  }
  return nullptr;
}

StatusOr<PublicCaseView> BuildPublicView(const EngineDeps& d, Connection& conn, const CaseType& type,
                                         const CaseRow& c) {
  PublicCaseView v;
  v.ref = c.ref;
  v.case_type = c.case_type;
  v.state = c.state;
  if (const StateSpec* s = type.FindState(c.state)) v.state_label = s->label;
  v.category = c.category;
  v.org_name = c.org_name;
  v.opened_at_us = c.opened_at;
  v.due_at_us = c.due_at;
  v.deadline_provisional = c.deadline_provisional;
  v.closed_at_us = c.closed_at;
  v.satisfaction = c.satisfaction;
  ASSIGN_OR_RETURN(ResultSet ev,
                   conn.Query("SELECT id, at, actor, kind, transition, from_state, to_state, comment "
                              "FROM case_events WHERE case_id = $1 AND visibility = 'public' ORDER BY id",
                              {c.id}));
  for (size_t i = 0; i < ev.size(); ++i) {
    CaseEvent e;
    e.id = ev.GetInt(i, 0);
    e.at_us = ev.GetInt(i, 1);
    const std::string actor = ev.GetText(i, 2);
    e.actor = actor == "public" ? "public" : "教育局";
    e.kind = ev.GetText(i, 3);
    e.transition = ev.GetText(i, 4);
    e.from_state = ev.GetText(i, 5);
    e.to_state = ev.GetText(i, 6);
    e.public_visible = true;
    const TransitionSpec* tr = e.transition.empty() ? nullptr : type.FindTransition(e.transition);
    const bool show_comment = (tr && tr->public_comment) || e.kind == "rate" || (tr && tr->id == "reopen");
    if (show_comment) e.comment = ev.GetText(i, 7);
    if (tr && tr->public_comment && !e.comment.empty()) v.answer = e.comment;
    v.events.push_back(std::move(e));
  }
  const int64_t now = NowUs(d);
  const bool within = c.closed_at && c.reopen_until && now <= *c.reopen_until;
  const StateSpec* st = type.FindState(c.state);
  v.can_rate = within && st && st->terminal && c.state != "merged" && !c.satisfaction;
  v.can_reopen = within && PublicReopen(type, c) != nullptr;
  if (c.merged_into) {
    ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT ref FROM cases WHERE id = $1", {*c.merged_into}));
    if (!rs.empty()) v.merged_into_ref = rs.GetText(0, 0);
  }
  return v;
}

Status CheckLimit(int limit) {
  if (limit < 1 || limit > 500) {
    return InvalidArgumentError("limit must be 1..500", "limit 应为 1–500").WithField("limit");
  }
  return OkStatus();
}

std::string EscapeLike(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

}  // namespace

CaseEngine::CaseEngine(EngineDeps deps) : deps_(deps) {}

StatusOr<OpenedCase> CaseEngine::Open(const Actor& actor, OpenCaseRequest request) {
  const CaseType* type = deps_.types->Find(request.case_type);
  if (!type) {
    return InvalidArgumentError("unknown case type '" + request.case_type + "'",
                                "未知的案件类型 '" + request.case_type + "'")
        .WithField("case_type");
  }
  ASSIGN_OR_RETURN(std::vector<CheckedAttachment> files, CheckAttachments(request.attachments));
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  OpenResult result;
  OpenedCase out;
  Status s = storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
    // Openers: checked against a case about the requested org.
    CaseRow probe;
    probe.created_by = ActorId(actor);
    if (request.org_id != 0) {
      ASSIGN_OR_RETURN(std::optional<OrgInfo> o, internal::LoadOrg(tx, request.org_id));
      if (!o || (actor.kind == Actor::Kind::kUser && !actor.user->CanSee(o->path))) {
        return ReferenceNotFound("org_id", RefTarget::kOrg);
      }
      probe.org_path = o->path;
    } else {
      ASSIGN_OR_RETURN(probe.org_path, internal::CountyPath(tx));
    }
    bool may = actor.kind == Actor::Kind::kSystem;
    for (const RoleToken& t : type->openers) {
      if (may) break;
      if (t.role == "assignee") continue;
      if (actor.kind == Actor::Kind::kUser && actor.user->role == accounts::Role::kTeacher &&
          t.role == "teacher") {
        may = actor.user->CanSee(probe.org_path);
        continue;
      }
      ASSIGN_OR_RETURN(may, Holds(tx, actor, t, probe));
    }
    if (!may) {
      return Status(StatusCode::kPermissionDenied,
                    "your role may not open a " + type->id + " case; allowed: " + RolesList(type->openers),
                    "您的角色不能新建「" + type->label.zh + "」；允许的角色：" + RolesList(type->openers),
                    "case_type");
    }
    ASSIGN_OR_RETURN(result, OpenInTx(deps_, tx, actor, *type, request, files, {}));
    return OkStatus();
  });
  RETURN_IF_ERROR(s);
  out.tracking_code = result.tracking_code;
  out.merged_into = result.row.merged_into;
  ASSIGN_OR_RETURN(std::optional<CaseRow> row, internal::LoadCase(*conn, result.row.id));
  if (!row) return InternalError("opened case vanished");
  // The public sees what a non-reader sees of its own case.
  Actor viewer = actor.kind == Actor::Kind::kPublic ? Actor::System() : actor;
  ASSIGN_OR_RETURN(out.view, BuildView(deps_, *conn, viewer, *type, *row, true));
  if (actor.kind == Actor::Kind::kPublic) {
    out.view.confidential.reset();
    out.view.available_transitions.clear();
  }
  return out;
}

StatusOr<CaseView> CaseEngine::Transition(const Actor& actor, int64_t case_id, TransitionRequest request) {
  ASSIGN_OR_RETURN(std::vector<CheckedAttachment> files, CheckAttachments(request.attachments));
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  const CaseType* type = nullptr;
  CaseRow after;
  RETURN_IF_ERROR(storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<CaseRow> row, internal::LoadCase(tx, case_id));
    if (!row || !ActorCanSee(actor, *row)) return CaseNotFound();
    type = deps_.types->Find(row->case_type);
    if (!type) return InternalError("case of unknown type " + row->case_type);
    ASSIGN_OR_RETURN(after, TransitionInTx(deps_, tx, actor, std::move(*row), *type, request, files, {}));
    return OkStatus();
  }));
  ASSIGN_OR_RETURN(std::optional<CaseRow> row, internal::LoadCase(*conn, case_id));
  return BuildView(deps_, *conn, actor, *type, *row, true);
}

StatusOr<CaseView> CaseEngine::Get(const Actor& actor, int64_t case_id) {
  if (actor.kind == Actor::Kind::kPublic) return CaseNotFound();
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  CaseView v;
  RETURN_IF_ERROR(storage::RunInTransaction(*conn, storage::TransactionMode::kRead, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<CaseRow> row, internal::LoadCase(tx, case_id));
    if (!row || !ActorCanSee(actor, *row)) return CaseNotFound();
    const CaseType* type = deps_.types->Find(row->case_type);
    if (!type) return CaseNotFound();
    ASSIGN_OR_RETURN(v, BuildView(deps_, tx, actor, *type, *row, true));
    return OkStatus();
  }));
  return v;
}

StatusOr<CasePage> CaseEngine::List(const Actor& actor, const CaseFilter& f) {
  if (actor.kind == Actor::Kind::kPublic) {
    return PermissionDeniedError("the public cannot list cases", "公众不能查看案件列表");
  }
  RETURN_IF_ERROR(CheckLimit(f.limit));
  if (f.offset < 0) return InvalidArgumentError("offset must be >= 0", "offset 不能为负").WithField("offset");
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  CasePage page;
  RETURN_IF_ERROR(storage::RunInTransaction(*conn, storage::TransactionMode::kRead, [&](Connection& tx) -> Status {
    std::string where = "WHERE 1 = 1";
    storage::Params params;
    auto add = [&](const std::string& cond, storage::Value v) {
      params.push_back(std::move(v));
      std::string c = cond;
      const size_t pos = c.find('?');
      c.replace(pos, 1, "$" + std::to_string(params.size()));
      where += " AND " + c;
    };
    if (actor.kind == Actor::Kind::kUser) {
      const accounts::Principal& p = *actor.user;
      if (p.role == accounts::Role::kTeacher) {
        add("c.created_by = ?", p.user_id);
      } else {
        add("c.org_path LIKE ? ESCAPE '\\'", EscapeLike(p.org_path) + "%");
      }
      if (f.assigned_to_me) {
        switch (p.role) {
          case accounts::Role::kBureauLeader: where += " AND c.assignee_level = 'leadership'"; break;
          case accounts::Role::kBureauDept:
            where += " AND c.assignee_level = 'department'";
            add("c.assignee_department = ?", p.department);
            break;
          case accounts::Role::kTownship:
            where += " AND c.assignee_level = 'township'";
            add("c.assignee_org_id = ?", p.org_id);
            break;
          case accounts::Role::kSchool:
            where += " AND c.assignee_level = 'school'";
            add("c.assignee_org_id = ?", p.org_id);
            break;
          default: where += " AND 1 = 0"; break;
        }
      }
    }
    if (!f.case_type.empty()) add("c.case_type = ?", f.case_type);
    if (!f.state.empty()) add("c.state = ?", f.state);
    if (!f.category.empty()) add("c.category = ?", f.category);
    if (f.org_id != 0) {
      ASSIGN_OR_RETURN(std::optional<OrgInfo> o, internal::LoadOrg(tx, f.org_id));
      // An org outside the actor's subtree answers as one that does not exist.
      if (!o || (actor.kind == Actor::Kind::kUser && !actor.user->CanSee(o->path))) {
        return ReferenceNotFound("org", RefTarget::kOrg);
      }
      add("c.org_path LIKE ? ESCAPE '\\'", EscapeLike(o->path) + "%");
    }
    if (f.open_only || f.overdue_only) where += " AND c.closed_at IS NULL";
    if (f.overdue_only) {
      // Whole seconds, as calendar::IsOverdue: 23:59:59.x is still on time.
      add("c.due_at < ?", (NowUs(deps_) / 1'000'000) * 1'000'000 - 999'999);
    }
    if (!f.text.empty()) {
      const std::string pat = "%" + EscapeLike(f.text) + "%";
      params.push_back(pat);
      const std::string n = "$" + std::to_string(params.size());
      where += " AND (c.ref LIKE " + n + " ESCAPE '\\' OR c.title LIKE " + n + " ESCAPE '\\')";
    }
    if (f.opened_from_us != 0) add("c.opened_at >= ?", f.opened_from_us);
    if (f.opened_to_us != 0) add("c.opened_at < ?", f.opened_to_us);
    ASSIGN_OR_RETURN(ResultSet cnt, tx.Query("SELECT COUNT(*) FROM cases c " + where, params));
    page.total = cnt.GetInt(0, 0);
    storage::Params p2 = params;
    p2.push_back(int64_t{f.limit});
    p2.push_back(int64_t{f.offset});
    ASSIGN_OR_RETURN(std::vector<CaseRow> rows,
                     internal::QueryCases(tx, where + " ORDER BY c.opened_at DESC, c.id DESC LIMIT $" +
                                                  std::to_string(params.size() + 1) + " OFFSET $" +
                                                  std::to_string(params.size() + 2),
                                          p2));
    for (CaseRow& row : rows) {
      const CaseType* type = deps_.types->Find(row.case_type);
      if (!type) continue;
      ASSIGN_OR_RETURN(CaseView v, BuildView(deps_, tx, actor, *type, row, false));
      page.items.push_back(std::move(v));
    }
    return OkStatus();
  }));
  return page;
}

StatusOr<std::pair<AttachmentInfo, std::string>> CaseEngine::Attachment(const Actor& actor, int64_t case_id,
                                                                        int64_t attachment_id) {
  if (actor.kind == Actor::Kind::kPublic) return NotFoundError("no such attachment", "附件不存在");
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  ASSIGN_OR_RETURN(std::optional<CaseRow> row, internal::LoadCase(*conn, case_id));
  if (!row || !ActorCanSee(actor, *row)) return NotFoundError("no such attachment", "附件不存在");
  const CaseType* type = deps_.types->Find(row->case_type);
  if (!type) return NotFoundError("no such attachment", "附件不存在");
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn->Query("SELECT id, filename, content_type, size_bytes, sha256, confidential, "
                               "uploaded_by, uploaded_at, bytes, sealed_meta FROM case_attachments "
                               "WHERE id = $1 AND case_id = $2",
                               {attachment_id, case_id}));
  if (rs.empty()) return NotFoundError("no such attachment", "附件不存在");
  AttachmentInfo info;
  info.id = rs.GetInt(0, 0);
  info.content_type = rs.GetText(0, 2);
  info.size_bytes = rs.GetInt(0, 3);
  info.confidential = rs.GetInt(0, 5) != 0;
  info.uploaded_by = rs.GetText(0, 6);
  info.uploaded_at_us = rs.GetInt(0, 7);
  if (info.confidential && actor.kind != Actor::Kind::kSystem && !IsConfidentialReader(actor, *type)) {
    return NotFoundError("no such attachment", "附件不存在");
  }
  ASSIGN_OR_RETURN(AttachmentMeta meta, OpenAttachmentMeta(deps_, rs, 0, 1, 4, 9));
  info.filename = std::move(meta.filename);
  info.sha256 = std::move(meta.sha256);
  if (!meta.sealed) return std::make_pair(info, rs.GetBlob(0, 8));
  ASSIGN_OR_RETURN(std::string bytes, deps_.box->Open(rs.GetBlob(0, 8)));
  return std::make_pair(info, std::move(bytes));
}

StatusOr<int64_t> CaseEngine::SealClearAttachments() {
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  int64_t sealed = 0;
  // Small batches: at most 5 MiB an attachment, so a batch stays a few tens
  // of MiB in memory and one short write transaction.
  constexpr int kBatch = 8;
  for (;;) {
    int64_t done = 0;
    RETURN_IF_ERROR(storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
      ASSIGN_OR_RETURN(ResultSet rs, tx.Query("SELECT id, filename, sha256, bytes FROM case_attachments "
                                              "WHERE sealed_meta IS NULL ORDER BY id LIMIT $1",
                                              {int64_t{kBatch}}));
      for (size_t i = 0; i < rs.size(); ++i) {
        const json meta = {{"name", rs.GetText(i, 1)}, {"sha256", rs.GetText(i, 2)}};
        RETURN_IF_ERROR(tx.Execute(
            "UPDATE case_attachments SET bytes = $1, sealed_meta = $2, filename = '', sha256 = '' "
            "WHERE id = $3 AND sealed_meta IS NULL",
            {storage::Blob{deps_.box->Seal(rs.GetBlob(i, 3), *deps_.random)},
             storage::Blob{deps_.box->Seal(meta.dump(), *deps_.random)}, rs.GetInt(i, 0)}));
      }
      done = static_cast<int64_t>(rs.size());
      if (done == 0) return OkStatus();
      return ledger::AppendAudit(tx, {.actor_user_id = 0, .actor = "system", .action = "case.attachments.seal",
                                      .entity = "case_attachment", .entity_id = std::to_string(rs.GetInt(0, 0)),
                                      .after = json{{"sealed", done}, {"last_id", rs.GetInt(rs.size() - 1, 0)}}.dump()},
                                 *deps_.clock);
    }));
    sealed += done;
    if (done < kBatch) break;
  }
  if (sealed > 0 && deps_.db->backend() == storage::Backend::kSqlite) {
    // The clear bytes live on in the WAL's old frames and in the main file's
    // old page images until a checkpoint writes the sealed pages over them;
    // TRUNCATE also empties the WAL (freed pages are zeroed: secure_delete).
    RETURN_IF_ERROR(conn->Query("PRAGMA wal_checkpoint(TRUNCATE)").status());
  }
  return sealed;
}

StatusOr<PublicCaseView> CaseEngine::Track(std::string_view tracking_code) {
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  ASSIGN_OR_RETURN(CaseRow row, FindByCode(*conn, tracking_code));
  const CaseType* type = deps_.types->Find(row.case_type);
  if (!type) return CodeNotFound();
  return BuildPublicView(deps_, *conn, *type, row);
}

StatusOr<PublicCaseView> CaseEngine::Rate(std::string_view tracking_code, int satisfaction, std::string comment) {
  if (satisfaction < 1 || satisfaction > 5) {
    return InvalidArgumentError("satisfaction must be 1..5", "满意度应为 1–5").WithField("satisfaction");
  }
  if (comment.size() > 2000) {
    return InvalidArgumentError("comment is longer than 2000 bytes", "评价超过 2000 字节").WithField("comment");
  }
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  const CaseType* type = nullptr;
  CaseRow row;
  RETURN_IF_ERROR(storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(row, FindByCode(tx, tracking_code));
    type = deps_.types->Find(row.case_type);
    if (!type) return CodeNotFound();
    ASSIGN_OR_RETURN(PublicCaseView pv, BuildPublicView(deps_, tx, *type, row));
    if (!pv.can_rate) {
      return FailedPreconditionError(
          "this complaint cannot be rated now (only once, after closure, within " +
              std::to_string(type->reopen_within_days) + " days)",
          "该投诉现在不能评价（办结后 " + std::to_string(type->reopen_within_days) + " 日内可评价一次）");
    }
    const CaseRow before = row;
    const int64_t now = NowUs(deps_);
    row.satisfaction = satisfaction;
    row.version += 1;
    RETURN_IF_ERROR(UpdateRow(tx, row, now));
    RETURN_IF_ERROR(AddEvent(tx, row.id, Actor::Public(), now,
                             {.kind = "rate", .comment = comment,
                              .fields = {{"satisfaction", satisfaction}}, .is_public = true})
                        .status());
    RETURN_IF_ERROR(Audit(deps_, tx, Actor::Public(), "case.rate", &before, row));
    const std::string dept = type->confidential_readers.empty() ? "" : type->confidential_readers[0];
    if (!dept.empty()) {
      RETURN_IF_ERROR(Notify(deps_, tx, row, "rated", "department", 0, dept,
                             row.ref + " 投诉人评价：" + std::to_string(satisfaction) + " 分",
                             row.ref + " rated " + std::to_string(satisfaction) + "/5"));
    }
    return OkStatus();
  }));
  return BuildPublicView(deps_, *conn, *type, row);
}

StatusOr<PublicCaseView> CaseEngine::Reopen(std::string_view tracking_code, std::string reason) {
  if (reason.empty()) return InvalidArgumentError("a reason is required", "请填写重新办理的理由").WithField("reason");
  if (reason.size() > 4000) return InvalidArgumentError("reason is longer than 4000 bytes", "理由超过 4000 字节").WithField("reason");
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  const CaseType* type = nullptr;
  CaseRow row;
  RETURN_IF_ERROR(storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(row, FindByCode(tx, tracking_code));
    type = deps_.types->Find(row.case_type);
    if (!type) return CodeNotFound();
    const int64_t now = NowUs(deps_);
    const TransitionSpec* tr = PublicReopen(*type, row);
    if (!tr || !row.reopen_until || now > *row.reopen_until) {
      return FailedPreconditionError(
          "this complaint cannot be reopened now (only after closure, within " +
              std::to_string(type->reopen_within_days) + " days)",
          "该投诉现在不能申请重新办理（办结后 " + std::to_string(type->reopen_within_days) + " 日内可申请）");
    }
    ASSIGN_OR_RETURN(row, TransitionInTx(deps_, tx, Actor::Public(), row, *type,
                                         {.transition = tr->id, .comment = reason}, {},
                                         {.via_tracking_code = true}));
    return OkStatus();
  }));
  ASSIGN_OR_RETURN(std::optional<CaseRow> fresh, internal::LoadCase(*conn, row.id));
  return BuildPublicView(deps_, *conn, *type, *fresh);
}

Status CaseEngine::Link(const Actor& actor, int64_t from_case_id, int64_t to_case_id, std::string kind) {
  if (kind != "led_to" && kind != "related") {
    return InvalidArgumentError("link kind must be led_to or related", "关联类型应为 led_to 或 related").WithField("kind");
  }
  if (from_case_id == to_case_id) {
    return InvalidArgumentError("a case cannot be linked to itself", "案件不能关联自身").WithField("to");
  }
  if (actor.kind == Actor::Kind::kPublic) return CaseNotFound();
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  return storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<CaseRow> a, internal::LoadCase(tx, from_case_id));
    ASSIGN_OR_RETURN(std::optional<CaseRow> b, internal::LoadCase(tx, to_case_id));
    if (!a || !b || !ActorCanSee(actor, *a) || !ActorCanSee(actor, *b)) return CaseNotFound();
    if (actor.kind == Actor::Kind::kUser && actor.user->role == accounts::Role::kTeacher) {
      return PermissionDeniedError("teachers may not link cases", "教师不能关联案件");
    }
    const int64_t now = NowUs(deps_);
    ASSIGN_OR_RETURN(ResultSet ex, tx.Query("SELECT 1 FROM case_links WHERE case_id = $1 AND other_case_id = $2 AND kind = $3",
                                            {a->id, b->id, kind}));
    if (!ex.empty()) return OkStatus();
    RETURN_IF_ERROR(tx.Execute("INSERT INTO case_links (case_id, other_case_id, kind, created_at) VALUES ($1, $2, $3, $4)",
                               {a->id, b->id, kind, now}));
    RETURN_IF_ERROR(AddEvent(tx, a->id, actor, now, {.kind = "link", .comment = kind + " → " + b->ref}).status());
    RETURN_IF_ERROR(AddEvent(tx, b->id, actor, now, {.kind = "link", .comment = kind + " ← " + a->ref}).status());
    return ledger::AppendAudit(tx, {.actor_user_id = ActorId(actor), .actor = ActorName(actor),
                                    .action = "case.link", .entity = "case",
                                    .entity_id = std::to_string(a->id),
                                    .after = json{{"to", b->id}, {"kind", kind}}.dump()},
                               *deps_.clock);
  });
}


// ---------------------------------------------------------------- rectifications from findings

namespace {

using FindingState = CaseEngine::FindingState;
using FindingCaseSpec = CaseEngine::FindingCaseSpec;

// A rectification's group: the rule and the unit (0: the county).
using GroupKey = std::pair<std::string, int64_t>;

// The longest key of the type's finding_categories that starts the rule id.
std::string FindingCategory(const CaseType& type, const std::string& rule) {
  std::string category = "other";
  size_t best = 0;
  for (const auto& [prefix, cat] : type.finding_categories) {
    if (prefix.size() > best && rule.rfind(prefix, 0) == 0) {
      best = prefix.size();
      category = cat;
    }
  }
  return category;
}

// The unit a rule's rectification is about: the finding's own unit, or its
// township when the spec assigns townships. County-level units become 0.
StatusOr<int64_t> GroupOrg(Connection& conn, const FindingState& f, const FindingCaseSpec& spec) {
  if (f.org_id == 0) return int64_t{0};
  ASSIGN_OR_RETURN(std::optional<OrgInfo> o, internal::LoadOrg(conn, f.org_id));
  if (!o || o->kind == "county" || o->kind == "city" || o->kind == "province") return int64_t{0};
  if (spec.assignee == "township" && o->township_id != 0) return o->township_id;
  return o->id;
}

// Opens one rectification about `org` for `findings` (all of one rule) in `tx`.
StatusOr<CaseRow> OpenGroupInTx(const EngineDeps& d, Connection& tx, const Actor& actor, const CaseType& type,
                                const std::string& rule, const std::string& clause, int64_t org,
                                const std::vector<const FindingState*>& findings, const FindingCaseSpec& spec,
                                const CaseEngine::SyncOptions& options) {
  OpenCaseRequest req;
  req.case_type = type.id;
  req.source_kind = "finding";
  req.source_id = findings.front()->id;
  req.org_id = org;
  for (const FindingState* f : findings) req.finding_ids.push_back(f->id);
  req.staff_id = findings.size() == 1 ? findings.front()->staff_id : 0;
  OpenOverrides over;
  std::optional<OrgInfo> unit;
  if (org != 0) {
    ASSIGN_OR_RETURN(unit, internal::LoadOrg(tx, org));
  }
  // A county-level rule (the bureau must act, e.g. inspect every canteen)
  // is still about the school the finding names; the supervision office acts.
  if (spec.assignee == "county" || org == 0) {
    over.assignee_level = "department";
    over.assignee_department = "supervision";
  } else if (unit && unit->kind != "township" && options.know_accounts && !options.orgs_with_accounts.count(org) &&
             unit->township_id != 0) {
    // Nobody at the school can sign in to answer: its township does.
    over.assignee_level = "township";
    over.assignee_org_id = unit->township_id;
  }
  json fields = json::object();
  if (!type.category_field.empty()) fields[type.category_field] = FindingCategory(type, rule);
  if (type.FindField("description")) {
    std::string text = "第 " + clause + " 条（规则 " + rule + "）发现问题：";
    for (const FindingState* f : findings) text += "\n· " + (f->summary_zh.empty() ? "#" + std::to_string(f->id) : f->summary_zh);
    if (text.size() > 3500) text = text.substr(0, text.rfind('\n', 3500)) + "\n……";
    fields["description"] = text;
  }
  if (type.FindField("due_working_days") && spec.due_working_days > 0) fields["due_working_days"] = spec.due_working_days;
  req.fields = fields;
  // The plan's words in the title (what a principal reads in 待办); the rule
  // id stays in the description for whoever needs to find the rule.
  const std::string& named = findings.front()->rule_title_zh;
  req.title = "整改：" + (named.empty() ? "第 " + clause + " 条 " + rule : named);
  if (unit) req.title += "（" + unit->name + "）";
  ASSIGN_OR_RETURN(OpenResult r, OpenInTx(d, tx, actor, type, req, {}, over));
  return r.row;
}

}  // namespace

StatusOr<CaseEngine::SyncReport> CaseEngine::SyncRectifications(const std::vector<FindingState>& findings,
                                                                const std::map<std::string, FindingCaseSpec>& specs,
                                                                const SyncOptions& options) {
  SyncReport report;
  const CaseType* type = deps_.types->Find("rectification");
  if (!type) {
    return FailedPreconditionError("no case type 'rectification' is configured",
                                   "未配置「整改」案件类型（rectification）");
  }
  if (specs.empty()) return report;
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());

  std::map<int64_t, const FindingState*> by_id;
  for (const FindingState& f : findings) {
    if (specs.count(f.rule_id)) by_id[f.id] = &f;
  }
  // Every rectification linked to findings, with its links and the status
  // each link had when last looked at.
  struct Link {
    const FindingState* finding = nullptr;
    std::string seen;  // "open" when never looked at
  };
  struct Linked {
    int64_t id = 0;
    std::string state;
    int64_t org_id = 0;
    std::vector<Link> links;
    bool recurred = false;  // a finding opened (again) since the last look
  };
  std::map<int64_t, Linked> cases;
  std::map<int64_t, int64_t> case_of_finding;  // finding → its newest case
  {
    ASSIGN_OR_RETURN(ResultSet rs, conn->Query("SELECT c.id, c.state, c.org_id, cf.finding_id, cf.status_seen "
                                               "FROM cases c JOIN case_findings cf ON cf.case_id = c.id "
                                               "WHERE c.case_type = $1 ORDER BY c.id, cf.finding_id",
                                               {type->id}));
    for (size_t i = 0; i < rs.size(); ++i) {
      auto f = by_id.find(rs.GetInt(i, 3));
      if (f == by_id.end()) continue;  // a finding of a rule without a case spec
      Linked& c = cases[rs.GetInt(i, 0)];
      c.id = rs.GetInt(i, 0);
      c.state = rs.GetText(i, 1);
      c.org_id = rs.IsNull(i, 2) ? 0 : rs.GetInt(i, 2);
      auto seen = rs.GetOptionalText(i, 4);
      c.links.push_back({f->second, seen ? *seen : "open"});
      case_of_finding[f->first] = c.id;  // ascending case ids: the newest wins
    }
  }
  // The case a group reuses: its newest one that was not cancelled.
  std::map<GroupKey, int64_t> case_of_group;
  for (const auto& [id, c] : cases) {
    if (c.state == "cancelled") continue;
    case_of_group[{c.links.front().finding->rule_id, c.org_id}] = id;
  }

  auto has_transition = [&](std::string_view id) {
    for (const TransitionSpec& t : type->transitions) {
      if (t.id == id) return true;
    }
    return false;
  };
  auto move = [&](int64_t case_id, const char* transition, std::string comment) -> Status {
    if (!has_transition(transition)) return OkStatus();
    auto r = Transition(Actor::System(), case_id, {.transition = transition, .comment = std::move(comment)});
    // Another writer moved it meanwhile (a verifier closed it): leave it.
    if (!r.ok() && r.status().code() == StatusCode::kFailedPrecondition) return OkStatus();
    return r.status();
  };
  auto line = [](const FindingState* f) { return f->summary_zh.empty() ? "#" + std::to_string(f->id) : f->summary_zh; };

  // 1. Unlinked open findings: into their group's case, or a new one.
  std::map<GroupKey, std::vector<const FindingState*>> unlinked;
  std::map<GroupKey, std::string> clause_of;
  for (const auto& [id, f] : by_id) {
    if (f->status != "open" || case_of_finding.count(id)) continue;
    ASSIGN_OR_RETURN(int64_t org, GroupOrg(*conn, *f, specs.at(f->rule_id)));
    unlinked[{f->rule_id, org}].push_back(f);
    clause_of[{f->rule_id, org}] = f->clause;
  }
  for (auto& [key, group] : unlinked) {
    auto existing = case_of_group.find(key);
    if (existing == case_of_group.end()) {
      RETURN_IF_ERROR(storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
        ASSIGN_OR_RETURN(CaseRow row, OpenGroupInTx(deps_, tx, Actor::System(), *type, key.first, clause_of[key],
                                                    key.second, group, specs.at(key.first), options));
        return tx.Execute("UPDATE case_findings SET status_seen = 'open' WHERE case_id = $1", {row.id}).status();
      }));
      ++report.opened;
      continue;
    }
    Linked& c = cases[existing->second];
    RETURN_IF_ERROR(storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
      std::string text;
      for (const FindingState* f : group) {
        RETURN_IF_ERROR(tx.Execute("INSERT INTO case_findings (case_id, finding_id, status_seen) VALUES ($1, $2, 'open')",
                                   {c.id, f->id}));
        text += "\n· " + line(f);
      }
      RETURN_IF_ERROR(AddEvent(tx, c.id, Actor::System(), NowUs(deps_),
                               {.kind = "link", .comment = "新发现的同类问题并入本整改 / new findings linked:" + text})
                          .status());
      json ids = json::array();
      for (const FindingState* f : group) ids.push_back(f->id);
      return ledger::AppendAudit(tx, {.actor_user_id = 0, .actor = "system", .action = "case.link_findings",
                                      .entity = "case", .entity_id = std::to_string(c.id),
                                      .after = json{{"finding_ids", ids}}.dump()},
                                 *deps_.clock);
    }));
    report.linked += static_cast<int>(group.size());
    for (const FindingState* f : group) c.links.push_back({f, "open"});
    c.recurred = true;  // a new violation of the group
  }

  // 2. Each linked case against what changed since the last look.
  for (auto& [id, c] : cases) {
    int open = 0, resolved = 0, withdrawn = 0;
    std::string fixed_text, open_text;
    std::vector<const Link*> changed;
    for (const Link& l : c.links) {
      const FindingState* f = l.finding;
      if (f->status == "open") {
        ++open;
        open_text += "\n· " + line(f);
        if (l.seen != "open") c.recurred = true;
      } else if (f->status == "withdrawn") {
        ++withdrawn;
      } else {
        ++resolved;
        fixed_text += "\n· " + line(f);
      }
      if (l.seen != f->status) changed.push_back(&l);
    }
    const bool first_state = c.state == type->states.front().id;
    if (open == 0 && resolved == 0 && withdrawn > 0 && c.state != "cancelled" && c.state != "closed") {
      RETURN_IF_ERROR(move(id, "rule_withdrawn", "规则已从政策包中撤销，问题不再判定 / the rule was withdrawn from the policy pack"));
      ++report.withdrawn;
    } else if (open == 0 && resolved > 0 && first_state) {
      RETURN_IF_ERROR(move(id, "data_fixed",
                           "新数据复查：问题已整改，待核验 / new data shows the problem fixed; please verify" + fixed_text));
      ++report.to_verify;
    } else if (c.recurred && c.state == "submitted") {
      RETURN_IF_ERROR(move(id, "data_regressed", "新数据复查：问题仍存在 / the data shows the problem again" + open_text));
      ++report.regressed;
    } else if (c.recurred && c.state == "closed") {
      RETURN_IF_ERROR(move(id, "data_reopened", "问题复发，重新整改 / the problem recurred" + open_text));
      ++report.reopened;
    }
    if (!changed.empty()) {
      RETURN_IF_ERROR(storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
        for (const Link* l : changed) {
          RETURN_IF_ERROR(tx.Execute("UPDATE case_findings SET status_seen = $3 WHERE case_id = $1 AND finding_id = $2",
                                     {c.id, l->finding->id, l->finding->status}));
        }
        return OkStatus();
      }));
    }
  }
  return report;
}

StatusOr<CaseView> CaseEngine::OpenRectificationForFinding(const Actor& actor, const FindingState& finding,
                                                           const FindingCaseSpec& spec) {
  const CaseType* type = deps_.types->Find("rectification");
  if (!type) {
    return FailedPreconditionError("no case type 'rectification' is configured",
                                   "未配置「整改」案件类型（rectification）");
  }
  if (actor.kind == Actor::Kind::kPublic) return CaseNotFound();
  if (finding.status != "open") {
    return FailedPreconditionError("the finding is resolved: nothing to rectify", "该问题已整改，无需发起整改");
  }
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  int64_t case_id = 0;
  Status s = storage::RunInTransaction(*conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(ResultSet linked,
                     tx.Query("SELECT c.id, c.ref FROM case_findings cf JOIN cases c ON c.id = cf.case_id "
                              "WHERE cf.finding_id = $1 AND c.state <> 'cancelled' ORDER BY c.id DESC",
                              {finding.id}));
    if (!linked.empty()) {
      case_id = linked.GetInt(0, 0);
      return Status(StatusCode::kAlreadyExists, "the finding has a rectification already: " + linked.GetText(0, 1),
                    "该问题已有整改案件：" + linked.GetText(0, 1), "case");
    }
    ASSIGN_OR_RETURN(int64_t org, GroupOrg(tx, finding, spec));
    // The actor must hold an opener role for the unit (as Open checks).
    CaseRow probe;
    probe.org_id = org;
    if (org != 0) {
      ASSIGN_OR_RETURN(probe.org_path, OrgPath(tx, org));
    } else {
      ASSIGN_OR_RETURN(probe.org_path, internal::CountyPath(tx));
    }
    bool may = actor.kind == Actor::Kind::kSystem;
    for (const RoleToken& t : type->openers) {
      if (may) break;
      if (t.role == "assignee") continue;
      ASSIGN_OR_RETURN(may, Holds(tx, actor, t, probe));
    }
    if (!may) {
      return Status(StatusCode::kPermissionDenied,
                    "your role may not open a rectification here; allowed: " + RolesList(type->openers),
                    "您的角色不能在此发起整改；允许的角色：" + RolesList(type->openers), "case_type");
    }
    ASSIGN_OR_RETURN(CaseRow row, OpenGroupInTx(deps_, tx, actor, *type, finding.rule_id, finding.clause, org,
                                                {&finding}, spec, {}));
    case_id = row.id;
    return OkStatus();
  });
  if (!s.ok()) {
    if (s.code() == StatusCode::kAlreadyExists) {
      return Status(StatusCode::kAlreadyExists, s.message_en(), s.message_zh(), "case:" + std::to_string(case_id));
    }
    return s;
  }
  return Get(Actor::System(), case_id);
}

StatusOr<std::optional<CaseEngine::LinkedCase>> CaseEngine::RectificationOf(int64_t finding_id) {
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  ASSIGN_OR_RETURN(ResultSet rs, conn->Query("SELECT c.id, c.ref, c.state, c.case_type FROM case_findings cf "
                                             "JOIN cases c ON c.id = cf.case_id WHERE cf.finding_id = $1 "
                                             "ORDER BY c.id DESC LIMIT 1",
                                             {finding_id}));
  if (rs.empty()) return std::optional<LinkedCase>();
  LinkedCase out{.id = rs.GetInt(0, 0), .ref = rs.GetText(0, 1), .state = rs.GetText(0, 2)};
  if (const CaseType* t = deps_.types->Find(rs.GetText(0, 3))) {
    if (const StateSpec* st = t->FindState(out.state)) out.state_label = st->label;
  }
  return std::optional<LinkedCase>(out);
}

StatusOr<int64_t> CaseEngine::CountOpen(std::string_view case_type, std::string_view org_path) {
  if (!deps_.types->Find(case_type)) {
    return Status(StatusCode::kInvalidArgument,
                  "target indicator open_cases: unknown case type '" + std::string(case_type) + "'",
                  "目标指标 open_cases：未知的案件类型 '" + std::string(case_type) + "'", "open_cases");
  }
  ASSIGN_OR_RETURN(storage::ConnectionHandle conn, deps_.db->Acquire());
  ASSIGN_OR_RETURN(ResultSet rs, conn->Query("SELECT CAST(COUNT(*) AS BIGINT) FROM cases WHERE case_type = $1 "
                                             "AND closed_at IS NULL AND org_path LIKE $2",
                                             {std::string(case_type), std::string(org_path) + "%"}));
  return rs.size() ? rs.GetInt(0, 0) : int64_t{0};
}

}  // namespace edugov::cases
