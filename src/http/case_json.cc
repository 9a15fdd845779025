#include "http/case_json.h"

#include <sodium.h>

#include <regex>
#include <set>
#include <string_view>
#include <utility>

#include "accounts/users.h"

namespace edugov::http {
namespace {

using nlohmann::json;

std::string_view FieldTypeName(cases::FieldType t) {
  switch (t) {
    case cases::FieldType::kText: return "text";
    case cases::FieldType::kLongText: return "long_text";
    case cases::FieldType::kInt: return "int";
    case cases::FieldType::kDecimal: return "decimal";
    case cases::FieldType::kDate: return "date";
    case cases::FieldType::kBool: return "bool";
    case cases::FieldType::kEnum: return "enum";
    case cases::FieldType::kOrg: return "org";
    case cases::FieldType::kStaff: return "staff";
    case cases::FieldType::kPhone: return "phone";
  }
  return "text";
}

std::string RoleTokenName(const cases::RoleToken& r) {
  return r.department.empty() ? r.role : r.role + ":" + r.department;
}

json StringsJson(const std::vector<std::string>& v) {
  json out = json::array();
  for (const auto& s : v) out.push_back(s);
  return out;
}

json IdOrNull(int64_t id) { return id == 0 ? json() : json(id); }

json StateLabel(const cases::CaseType* type, const std::string& state) {
  const cases::StateSpec* s = type ? type->FindState(state) : nullptr;
  return s ? LabelJson(s->label) : LabelJson({state, state});
}

json TransitionLabel(const cases::CaseType* type, const std::string& transition) {
  const cases::TransitionSpec* t = type ? type->FindTransition(transition) : nullptr;
  return t ? LabelJson(t->label) : LabelJson({transition, transition});
}

// The label of a category key in the type's category field, or the key itself.
json CategoryLabel(const cases::CaseType* type, const std::string& key) {
  if (key.empty()) return json();
  if (type && !type->category_field.empty()) {
    if (const cases::FieldSpec* f = type->FindField(type->category_field)) {
      for (const auto& [k, label] : f->options) {
        if (k == key) return LabelJson(label);
      }
    }
  }
  return LabelJson({key, key});
}

// What a timeline entry without a transition is called.
cases::Label EventKindLabel(std::string_view kind) {
  if (kind == "open") return {"已受理", "received"};
  if (kind == "remind") return {"催办", "reminder"};
  if (kind == "escalate") return {"升级督办", "escalated"};
  if (kind == "deadline") return {"期限重算", "deadline recomputed"};
  if (kind == "merge") return {"合并办理", "merged"};
  if (kind == "rate") return {"满意度评价", "rated"};
  if (kind == "reopen") return {"重新办理", "reopened"};
  if (kind == "attach") return {"补充材料", "attachment added"};
  if (kind == "link") return {"关联案件", "linked"};
  if (kind == "comment") return {"备注", "comment"};
  return {std::string(kind), std::string(kind)};
}

// Who acted, in words: a person by display name, the system, the complainant.
json ActorLabel(const std::string& actor, const ActorNames& names) {
  if (actor == "system") return LabelJson({"系统", "System"});
  if (actor == "public") return LabelJson({"投诉人", "Complainant"});
  auto it = names.find(actor);
  const std::string& name = it == names.end() || it->second.empty() ? actor : it->second;
  return LabelJson({name, name});
}

std::string StringField(const json& fields, const char* name) {
  if (!fields.is_object()) return "";
  auto it = fields.find(name);
  return it != fields.end() && it->is_string() ? it->get<std::string>() : "";
}

// The first YYYY-MM-DD in `text` (the due day of a reminder recorded before
// reminders carried it as a field).
std::string DateIn(const std::string& text) {
  static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
  std::smatch m;
  return std::regex_search(text, m, kDate) ? m.str() : "";
}

// The clock's own events in words (cases/sweep.cc records their facts as
// fields: the due day; the step escalated to and the unit criticised; a
// provisional deadline's old and new due day once the notice is imported).
// Events written before that carry a bilingual comment with raw keys
// instead: their facts are read back from it and the case.
std::optional<cases::Label> ClockEventText(const cases::CaseEvent& e, const cases::CaseView& v) {
  if (e.actor != "system") return std::nullopt;
  if (e.kind == "remind") {
    std::string due = StringField(e.fields, "due");
    if (due.empty()) due = DateIn(e.comment);
    if (due.empty()) return cases::Label{"已逾期，催办", "Overdue: reminder sent"};
    return cases::Label{"已超过办理期限（" + due + "），催办", "Past its deadline (" + due + "): reminder sent"};
  }
  if (e.kind == "deadline") {
    // The notice decides 调休, which the provisional year could not know.
    const std::string from = StringField(e.fields, "from");
    const std::string to = StringField(e.fields, "to");
    const bool still = e.fields.is_object() && e.fields.value("provisional", false);
    const std::string from_zh = from.empty() ? "未定" : from, from_en = from.empty() ? "unknown" : from;
    const std::string to_zh = to.empty() ? "未定" : to, to_en = to.empty() ? "unknown" : to;
    cases::Label l = from == to
        ? cases::Label{"已导入国务院节假日安排通知，办理期限 " + to_zh + " 不变",
                       "The State Council's holiday notice was imported: the deadline " + to_en + " stands"}
        : cases::Label{"已导入国务院节假日安排通知，办理期限重新计算：" + from_zh + " → " + to_zh,
                       "The State Council's holiday notice was imported: deadline recomputed, " + from_en +
                           " → " + to_en};
    if (still) {
      l.zh += "（仍为暂定）";
      l.en += " (still provisional)";
    } else {
      l.zh += "，不再是暂定期限";
      l.en += "; no longer provisional";
    }
    return l;
  }
  if (e.kind == "escalate") {
    const std::string to = StringField(e.fields, "to");
    std::string who = StringField(e.fields, "criticised");
    if (who.empty()) {
      who = v.assignee_level == "department" && !v.assignee_department.empty()
                ? "department:" + v.assignee_department
                : v.assignee_level;
    }
    const cases::Label step = EscalationStepLabel(to);
    const cases::Label unit = EscalationStepLabel(who);
    if (to.empty()) return cases::Label{"逾期未办，升级督办", "Overdue: escalated"};
    return cases::Label{"逾期未办，升级至" + step.zh + "督办，对承办单位（" + unit.zh + "）书面批评",
                        "Overdue: escalated to " + step.en + "; written criticism of the assignee (" + unit.en +
                            ")"};
  }
  return std::nullopt;
}

json EventJson(const cases::CaseType* type, const cases::CaseView& v, const cases::CaseEvent& e,
               const ActorNames& names) {
  std::optional<cases::Label> text = ClockEventText(e, v);
  json j = {{"id", e.id},
            {"at", TimeJson(e.at_us)},
            {"actor", e.actor},
            {"actor_label", ActorLabel(e.actor, names)},
            {"kind", e.kind},
            {"transition", e.transition.empty() ? json() : json(e.transition)},
            {"from", e.from_state.empty() ? json() : json(e.from_state)},
            {"to", e.to_state.empty() ? json() : json(e.to_state)},
            // The clock's events are told in `text`; their stored comment (raw keys, both
            // languages run together, in events written before) is not shown.
            {"comment", text ? std::string() : e.comment},
            {"fields", e.fields.is_null() ? json::object() : e.fields},
            {"public", e.public_visible}};
  j["label"] = e.transition.empty() ? LabelJson(EventKindLabel(e.kind)) : TransitionLabel(type, e.transition);
  if (text) j["text"] = LabelJson(*text);
  return j;
}

Status FileError(size_t i, const std::string& filename, const std::string& en, const std::string& zh,
                 StatusCode code = StatusCode::kInvalidArgument) {
  const std::string field = "attachments[" + std::to_string(i) + "]";
  const std::string name = filename.empty() ? field : "“" + filename + "”";
  const std::string name_en = filename.empty() ? field : "\"" + filename + "\"";
  return Status(code, "attachment " + name_en + ": " + en, "附件" + name + "：" + zh, field);
}

// A name a browser offers: 1–200 bytes of UTF-8 without control characters
// or path separators (the engine stores it and serves it back in
// Content-Disposition, so nothing may smuggle a header or a path).
bool SafeFilename(std::string_view name) {
  if (name.empty() || name.size() > 200) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '"') return false;
  }
  return name != "." && name != "..";
}

std::string SizeText(size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  return std::to_string(bytes / 1024) + " KiB";
}

}  // namespace

cases::Label EscalationStepLabel(std::string_view token) {
  static const std::pair<std::string_view, cases::Label> kLevels[] = {
      {"school", {"学校", "the school"}},
      {"township", {"乡镇中心学校", "the township central school"}},
      {"department", {"局机关科室", "the bureau department"}},
      {"leadership", {"局领导", "the bureau leadership"}},
      {"bureau", {"县教育局", "the county bureau"}},
      {"public", {"投诉人", "the complainant"}},
  };
  static const std::pair<std::string_view, cases::Label> kDepartments[] = {
      {"supervision", {"局督导室", "the bureau's supervision office"}},
      {"petitions", {"局信访办", "the bureau's petitions office"}},
      {"discipline", {"局纪工委", "the bureau's discipline committee"}},
      {"hr", {"局组织人事股", "the bureau's human resources section"}},
      {"party", {"局党工委", "the bureau's party affairs committee"}},
      {"safety", {"局安全股", "the bureau's safety section"}},
      {"student_aid", {"局学生资助中心", "the bureau's student aid centre"}},
      {"basic_education", {"局基础教育股", "the bureau's basic education section"}},
      {"finance", {"局计划财务股", "the bureau's finance section"}},
  };
  std::string_view dept = token;
  if (token.starts_with("department:")) dept = token.substr(11);
  for (const auto& [key, label] : kDepartments) {
    if (key == dept) return label;
  }
  for (const auto& [key, label] : kLevels) {
    if (key == token) return label;
  }
  return {std::string(token), std::string(token)};
}

StatusOr<ActorNames> ResolveActorNames(storage::Connection& conn, const cases::CaseView& v) {
  std::set<std::string> wanted;
  for (const auto& e : v.events) wanted.insert(e.actor);
  for (const auto& a : v.attachments) wanted.insert(a.uploaded_by);
  ActorNames names;
  for (const std::string& username : wanted) {
    if (username.empty() || username == "system" || username == "public") continue;
    StatusOr<accounts::User> u = accounts::GetUserByUsername(conn, username);
    if (u.ok()) {
      names[username] = u->display_name;
    } else if (u.status().code() != StatusCode::kNotFound) {
      return u.status();
    }
  }
  return names;
}

json LabelJson(const cases::Label& label) {
  return {{"zh", label.zh}, {"en", label.en.empty() ? label.zh : label.en}};
}

json TimeJson(std::optional<int64_t> unix_us) {
  if (!unix_us) return json();
  return FormatTimestamp(FromUnixMicros(*unix_us));
}

json CaseTypeJson(const cases::CaseType& t) {
  json fields = json::array();
  for (const auto& f : t.fields) {
    json options = json::array();
    for (const auto& [key, label] : f.options) options.push_back({{"key", key}, {"label", LabelJson(label)}});
    json jf = {{"name", f.name},
               {"label", LabelJson(f.label)},
               {"type", FieldTypeName(f.type)},
               {"required", f.required},
               {"confidential", f.confidential},
               {"options", std::move(options)}};
    if (!f.frozen_from_state.empty()) jf["frozen_from_state"] = f.frozen_from_state;
    fields.push_back(std::move(jf));
  }
  json states = json::array();
  for (const auto& s : t.states) {
    json js = {{"id", s.id}, {"label", LabelJson(s.label)}, {"terminal", s.terminal}};
    if (s.time_limit) js["working_days"] = s.time_limit->working_days;
    states.push_back(std::move(js));
  }
  json transitions = json::array();
  for (const auto& tr : t.transitions) {
    json roles = json::array();
    for (const auto& r : tr.roles) roles.push_back(RoleTokenName(r));
    transitions.push_back({{"id", tr.id},
                           {"label", LabelJson(tr.label)},
                           {"from", StringsJson(tr.from)},
                           {"to", tr.to},
                           {"roles", std::move(roles)},
                           {"required_fields", StringsJson(tr.required_fields)},
                           {"requires_comment", tr.requires_comment},
                           {"requires_evidence", tr.requires_evidence}});
  }
  json openers = json::array();
  for (const auto& r : t.openers) openers.push_back(RoleTokenName(r));
  return {{"id", t.id},
          {"prefix", t.prefix},
          {"label", LabelJson(t.label)},
          {"category_field", t.category_field.empty() ? json() : json(t.category_field)},
          {"openers", std::move(openers)},
          {"fields", std::move(fields)},
          {"states", std::move(states)},
          {"transitions", std::move(transitions)}};
}

json CaseSummaryJson(const cases::CaseTypeRegistry& types, const cases::CaseView& v) {
  const cases::CaseType* type = types.Find(v.case_type);
  json org;
  if (v.org_id != 0) org = {{"id", v.org_id}, {"name", v.org_name}};
  return {{"id", v.id},
          {"ref", v.ref},
          {"type", v.case_type},
          {"state", v.state},
          {"state_label", StateLabel(type, v.state)},
          {"title", v.title},
          {"category", v.category.empty() ? json() : json(v.category)},
          {"category_label", CategoryLabel(type, v.category)},
          {"org", std::move(org)},
          {"township_id", IdOrNull(v.township_id)},
          {"assignee",
           {{"level", v.assignee_level},
            {"org_id", IdOrNull(v.assignee_org_id)},
            {"department", v.assignee_department.empty() ? json() : json(v.assignee_department)}}},
          {"escalation_level", v.escalation_level},
          {"opened_at", TimeJson(v.opened_at_us)},
          {"state_entered_at", TimeJson(v.state_entered_at_us)},
          {"due_at", TimeJson(v.due_at_us)},
          {"overdue", v.overdue},
          // The server counts, so the web UI needs no calendar of its own.
          {"overdue_working_days", v.overdue_working_days ? json(*v.overdue_working_days) : json()},
          {"deadline_unknown", v.deadline_unknown},
          // Counted on a provisional calendar year (no holiday notice yet): it
          // may move when the notice is imported (cases/sweep.cc recomputes it).
          {"deadline_provisional", v.deadline_provisional},
          {"closed_at", TimeJson(v.closed_at_us)},
          {"version", v.version}};
}

json CaseDetailJson(const cases::CaseTypeRegistry& types, const cases::CaseView& v, const ActorNames& names) {
  const cases::CaseType* type = types.Find(v.case_type);
  json j = CaseSummaryJson(types, v);
  j["fields"] = v.fields.is_null() ? json::object() : v.fields;
  // Only the engine decides who reads confidential fields; absent otherwise,
  // not null, so a client cannot even tell whether there were any.
  if (v.confidential) j["confidential"] = *v.confidential;
  j["staff_id"] = IdOrNull(v.staff_id);
  j["satisfaction"] = v.satisfaction ? json(*v.satisfaction) : json();
  j["merged_into"] = v.merged_into ? json(*v.merged_into) : json();
  j["source"] = {{"kind", v.source_kind}, {"id", IdOrNull(v.source_id)}};
  j["finding_ids"] = v.finding_ids;
  json events = json::array();
  for (const auto& e : v.events) events.push_back(EventJson(type, v, e, names));
  j["events"] = std::move(events);
  json attachments = json::array();
  for (const auto& a : v.attachments) {
    attachments.push_back({{"id", a.id},
                           {"filename", a.filename},
                           {"content_type", a.content_type},
                           {"size", a.size_bytes},
                           {"sha256", a.sha256},
                           {"confidential", a.confidential},
                           {"uploaded_by", a.uploaded_by},
                           {"uploaded_by_label", ActorLabel(a.uploaded_by, names)},
                           {"uploaded_at", TimeJson(a.uploaded_at_us)}});
  }
  j["attachments"] = std::move(attachments);
  json links = json::array();
  for (const auto& l : v.links) {
    links.push_back({{"case_id", l.other_case_id}, {"ref", l.other_ref}, {"type", l.other_type}, {"kind", l.kind}});
  }
  j["links"] = std::move(links);
  json available = json::array();
  for (const auto& id : v.available_transitions) available.push_back(id);
  j["available_transitions"] = std::move(available);
  return j;
}

json PublicCaseJson(const cases::CaseTypeRegistry& types, const cases::PublicCaseView& v) {
  const cases::CaseType* type = types.Find(v.case_type);
  json events = json::array();
  for (const auto& e : v.events) {
    events.push_back({{"at", TimeJson(e.at_us)},
                      {"kind", e.kind},
                      {"label", e.transition.empty() ? LabelJson(EventKindLabel(e.kind))
                                                     : TransitionLabel(type, e.transition)},
                      {"comment", e.comment}});
  }
  return {{"ref", v.ref},
          {"state", v.state},
          {"state_label", LabelJson(v.state_label)},
          {"category", v.category.empty() ? json() : json(v.category)},
          {"category_label", CategoryLabel(type, v.category)},
          {"school", v.org_name},
          {"opened_at", TimeJson(v.opened_at_us)},
          {"due_at", TimeJson(v.due_at_us)},
          {"deadline_provisional", v.deadline_provisional},
          {"closed_at", TimeJson(v.closed_at_us)},
          {"events", std::move(events)},
          {"answer", v.answer.empty() ? json() : json(v.answer)},
          {"satisfaction", v.satisfaction ? json(*v.satisfaction) : json()},
          {"can_rate", v.can_rate},
          {"can_reopen", v.can_reopen},
          {"merged_into_ref", v.merged_into_ref ? json(*v.merged_into_ref) : json()}};
}

StatusOr<std::vector<cases::AttachmentInput>> ParseAttachments(const json* value,
                                                               const AttachmentLimits& limits) {
  std::vector<cases::AttachmentInput> out;
  size_t total = 0;
  if (value == nullptr || value->is_null()) return out;
  if (!value->is_array()) {
    return Status(StatusCode::kInvalidArgument, "attachments must be an array of {filename, content_base64}",
                  "attachments 须为 {filename, content_base64} 的数组", "attachments");
  }
  if (value->size() > limits.max_count) {
    const std::string n = std::to_string(limits.max_count);
    return Status(StatusCode::kResourceExhausted, "at most " + n + " attachments", "附件最多 " + n + " 个",
                  "attachments");
  }
  for (size_t i = 0; i < value->size(); ++i) {
    const json& a = (*value)[i];
    if (!a.is_object()) return FileError(i, "", "must be an object {filename, content_base64}", "须为对象 {filename, content_base64}");
    for (const auto& [key, unused] : a.items()) {
      if (key != "filename" && key != "content_base64") {
        return FileError(i, "", "unknown field \"" + key + "\"", "未知字段“" + key + "”");
      }
    }
    if (!a.contains("filename") || !a["filename"].is_string()) {
      return FileError(i, "", "filename is required", "缺少文件名 filename");
    }
    std::string filename = a["filename"].get<std::string>();
    if (!SafeFilename(filename)) {
      return FileError(i, "", "the file name must be 1–200 characters without control characters, quotes, / or \\",
                       "文件名须为 1–200 个字符，且不含控制字符、引号、/ 或 \\");
    }
    if (!a.contains("content_base64") || !a["content_base64"].is_string()) {
      return FileError(i, filename, "content_base64 is required", "缺少文件内容 content_base64");
    }
    std::string_view b64 = a["content_base64"].get_ref<const std::string&>();
    if (b64.starts_with("data:")) {
      size_t comma = b64.find(',');
      if (comma == std::string_view::npos || b64.substr(0, comma).find(";base64") == std::string_view::npos) {
        return FileError(i, filename, "the data: URL is not base64", "data: URL 不是 base64 编码");
      }
      b64.remove_prefix(comma + 1);
    }
    // Reject a clearly oversize file before decoding it: 3 bytes per 4
    // characters, with a tenth more for line breaks.
    if (b64.size() > (limits.max_bytes + 3) / 3 * 4 * 11 / 10 + 16) {
      const std::string mb = SizeText(limits.max_bytes);
      return FileError(i, filename, "larger than the limit of " + mb, "超过大小上限 " + mb,
                       StatusCode::kResourceExhausted);
    }
    std::string bytes(b64.size() / 4 * 3 + 3, '\0');
    size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), b64.data(), b64.size(),
                          " \t\r\n", &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
      return FileError(i, filename, "content_base64 is not valid base64", "content_base64 不是有效的 base64 编码");
    }
    bytes.resize(len);
    if (bytes.empty()) return FileError(i, filename, "the file is empty", "文件为空");
    if (bytes.size() > limits.max_bytes) {
      const std::string mb = SizeText(limits.max_bytes);
      return FileError(i, filename, "larger than the limit of " + mb, "超过大小上限 " + mb,
                       StatusCode::kResourceExhausted);
    }
    total += bytes.size();
    if (total > limits.max_total_bytes) {
      const std::string mb = SizeText(limits.max_total_bytes);
      return FileError(i, filename, "the attachments together are larger than " + mb,
                       "附件合计超过 " + mb, StatusCode::kResourceExhausted);
    }
    out.push_back({std::move(filename), std::move(bytes)});
  }
  return out;
}

}  // namespace edugov::http
