// Compiled only with the timetable module (src/http/CMakeLists.txt defines
// EDUGOV_HTTP_HAVE_TIMETABLE then; its glob takes every file of this folder).
#ifdef EDUGOV_HTTP_HAVE_TIMETABLE
#include "http/timetable_findings.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "ledger/audit.h"
#include "registry/registry.h"
#include "rules/binder.h"
#include "rules/policy_parser.h"

namespace edugov::http {

namespace tt = edugov::timetable;
using nlohmann::json;

const std::vector<std::string>& TimetableRuleIds() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> out;
    for (int c = 0; c < tt::kNumNormChecks; ++c) out.emplace_back(tt::NormCheckId(static_cast<tt::NormCheck>(c)));
    return out;
  }();
  return ids;
}

namespace {

// The pack's parameter names, the PlanNorms members they fill and the check
// that needs them.
struct Param {
  const char* field;
  const char* name;
  int tt::PlanNorms::*member;
  tt::NormCheck check;
};

constexpr Param kParams[] = {
    {"pe_grades_1_2", "min_pe_lessons_grades_1_2", &tt::PlanNorms::pe_grades_1_2, tt::NormCheck::kPeWeekly},
    {"pe_grades_3_6", "min_pe_lessons_grades_3_6", &tt::PlanNorms::pe_grades_3_6, tt::NormCheck::kPeWeekly},
    {"pe_junior", "min_pe_lessons_junior", &tt::PlanNorms::pe_junior, tt::NormCheck::kPeWeekly},
    {"pe_senior", "min_pe_lessons_senior", &tt::PlanNorms::pe_senior, tt::NormCheck::kPeWeekly},
    {"first_lesson_primary", "first_lesson_not_before_primary", &tt::PlanNorms::first_lesson_primary,
     tt::NormCheck::kFirstLesson},
    {"first_lesson_junior", "first_lesson_not_before_junior", &tt::PlanNorms::first_lesson_junior,
     tt::NormCheck::kFirstLesson},
    {"min_break_minutes", "min_break_minutes", &tt::PlanNorms::min_break_minutes, tt::NormCheck::kBreaks},
    {"min_noon_minutes", "min_noon_rest_minutes", &tt::PlanNorms::min_noon_minutes, tt::NormCheck::kNoonRest},
    {"eye_exercises_per_day", "eye_exercises_per_day", &tt::PlanNorms::eye_exercises_per_day,
     tt::NormCheck::kEyeExercises},
    {"long_breaks_per_day", "long_breaks_per_day", &tt::PlanNorms::long_breaks_per_day, tt::NormCheck::kLongBreak},
};

std::string Fingerprint(const std::string& body) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : body) h = (h ^ c) * 1099511628211ULL;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// The reserved-slot checks are about the bell schedule's furniture, not the
// pupils' hours: minor; the rest major.
std::string Severity(const std::string& rule) {
  const auto check = tt::NormCheckFromId(rule);
  const bool minor = check == tt::NormCheck::kReservedPeriods || check == tt::NormCheck::kEyeExercises ||
                     check == tt::NormCheck::kLongBreak;
  return minor ? "minor" : "major";
}

std::string DayText(int32_t d, bool open) { return open ? std::string() : Date::FromDaysSinceEpoch(d).ToString(); }

}  // namespace

StatusOr<TimetableNorms> NormsFromPack(const std::vector<rules::ast::TimetableNorm>& pack_norms, Date day) {
  if (pack_norms.empty()) {
    return Status(StatusCode::kFailedPrecondition,
                  "the policy pack has no timetable_norms: timetables cannot be judged without the plan's norms",
                  "政策包没有 timetable_norms：缺少工作要点的课表规范，无法校验课表", "timetable_norms");
  }
  TimetableNorms out;
  for (const auto& norm : pack_norms) {
    for (const auto& rule : norm.rules) {
      const auto check = tt::NormCheckFromId(rule.text);
      if (!check) continue;  // the parser admits only known checks
      out.norms.clauses[static_cast<int>(*check)] = norm.clause.text;
      out.rules.push_back({rule.text, norm.clause.text, norm.id.text, norm.title_zh, norm.source_zh});
    }
  }
  for (const Param& p : kParams) {
    const rules::ast::TimetableNormParameter* found = nullptr;
    const rules::ast::TimetableNorm* owner = nullptr;
    for (const auto& norm : pack_norms)
      for (const auto& param : norm.parameters)
        if (param.name.text == p.name) found = &param, owner = &norm;  // the parser keeps each name once
    const auto* v = found ? found->At(day.DaysSinceEpoch()) : nullptr;
    if (v == nullptr) {
      if (!out.norms.Judges(p.check)) continue;
      const std::string check(tt::NormCheckId(p.check));
      const std::string name = p.name;
      if (found == nullptr) {
        return Status(StatusCode::kFailedPrecondition,
                      "the policy pack judges " + check + " but has no timetable norm parameter " + name,
                      "政策包声明了课表检查 " + check + "，但缺少课表规范参数 " + name, name);
      }
      return Status(StatusCode::kFailedPrecondition,
                    "timetable norm parameter " + name + " (" + owner->id.text + ") has no value valid on " +
                        day.ToString(),
                    "课表规范参数 " + name + "（" + owner->id.text + "）在 " + day.ToString() + " 没有有效取值", name);
    }
    out.norms.*p.member = static_cast<int>(v->value);
    out.used.push_back({.field = p.field,
                        .name = p.name,
                        .value = v->value,
                        .valid_from = v->valid_from,
                        .valid_to = v->valid_to,
                        .norm_id = owner->id.text,
                        .source_zh = owner->source_zh});
  }
  RETURN_IF_ERROR(tt::CheckPlanNorms(out.norms));
  return out;
}

StatusOr<std::vector<rules::ast::TimetableNorm>> LoadTimetableNorms(const std::string& policy_path) {
  ASSIGN_OR_RETURN(rules::ast::Pack ast, rules::ParsePolicyFile(policy_path));
  RETURN_IF_ERROR(rules::Bind(ast).status());
  return std::move(ast.timetable_norms);
}

StatusOr<int64_t> TimetableSchool(storage::Connection& conn, const accounts::Principal& p,
                                  std::optional<int64_t> school_id) {
  int64_t id = 0;
  if (school_id) {
    id = *school_id;
  } else if (p.role == accounts::Role::kSchool) {
    id = p.org_id;
  } else {
    return int64_t{0};
  }
  StatusOr<registry::Org> org = registry::FindOrg(conn, p, id);
  if (!org.ok() && org.status().code() != StatusCode::kNotFound) return org.status();
  if (!org.ok()) {
    return Status(StatusCode::kNotFound, "no such school in your area: " + std::to_string(id),
                  "您的管辖范围内没有该学校：" + std::to_string(id), "school_id");
  }
  if (org->kind != registry::OrgKind::kSchool) {
    return Status(StatusCode::kInvalidArgument, "org " + std::to_string(id) + " is not a school",
                  "单位 " + std::to_string(id) + " 不是学校", "school_id");
  }
  return id;
}

StatusOr<StoredTimetableFindings> StoreTimetableFindings(
    storage::Connection& conn, const accounts::Principal& actor, int64_t school_id, const tt::Instance& normed,
    const std::vector<tt::NormFinding>& findings, const TimetableNorms& norms, const std::string& upload_body,
    const std::string& file_name, Date as_of, const Clock& clock) {
  StoredTimetableFindings out;
  out.school_id = school_id;
  out.upload = Fingerprint(upload_body);
  Status s = storage::RunInTransaction(conn, [&](storage::Connection& tx) -> Status {
    // The school and its township (the parent, when it is one): the
    // findings' org path and township. Unscoped: a school account cannot
    // see its township, yet its findings are counted under it.
    ASSIGN_OR_RETURN(std::optional<registry::Org> school, registry::LookupOrgUnscoped(tx, school_id));
    if (!school) return Status(StatusCode::kNotFound, "no such school", "没有该学校", "school_id");
    const std::string path = school->path;
    int64_t township = 0;
    if (school->parent_id) {
      ASSIGN_OR_RETURN(std::optional<registry::Org> parent, registry::LookupOrgUnscoped(tx, *school->parent_id));
      if (parent && parent->kind == registry::OrgKind::kTownship) township = parent->id;
    }

    // The school's registry classes by (grade, number): "七年级1班" ↔ "7年级1班".
    // (Unscoped, in this transaction: the caller checked the school
    // against the actor through TimetableSchool.)
    ASSIGN_OR_RETURN(std::vector<registry::Class> classes, registry::ListClassesUnscoped(tx, school_id));
    std::map<std::pair<int, int>, std::pair<int64_t, std::string>> registry;
    for (const registry::Class& c : classes) {
      const int number = tt::ClassNumber(c.name);
      if (number > 0) registry[{c.grade, number}] = {c.id, c.name};
    }

    // One finding per (rule, entity): classes the registry does not know
    // fall to the school, the worst of them measured.
    struct Entity {
      rules::Finding f;
      std::vector<std::string> classes;
      std::vector<std::string> details;
      std::vector<int> slots;
    };
    std::map<std::tuple<std::string, std::string, int64_t>, Entity> merged;
    for (const tt::NormFinding& nf : findings) {
      std::string type = "school";
      int64_t entity = school_id;
      std::string class_name;
      if (nf.student_set >= 0) {
        const tt::StudentSet& set = normed.student_sets[nf.student_set];
        class_name = set.name;
        auto it = registry.find({tt::ClassGrade(set), tt::ClassNumber(set.name)});
        if (it != registry.end()) {
          type = "class";
          entity = it->second.first;
        }
      }
      auto [it, fresh] = merged.try_emplace({nf.rule_id, type, entity});
      Entity& e = it->second;
      rules::Finding& f = e.f;
      const bool worse = nf.comparison == ">=" ? nf.measured < f.measured : nf.measured > f.measured;
      if (fresh) {
        f.rule_id = nf.rule_id;
        f.clause = nf.clause;
        f.severity = Severity(nf.rule_id);
        f.entity_type = type;
        f.entity_id = entity;
        f.org_path = path;
        f.township_id = township;
        f.period_kind = "none";
        f.measured = nf.measured;
        f.threshold = nf.threshold;
        f.comparison = nf.comparison;
        f.evidence_dataset = "timetable";
        for (const auto& u : norms.used) {
          if (u.field != nf.parameter) continue;
          rules::plan::ParamUse pu;
          pu.name = u.name;
          pu.value = u.value;
          pu.valid_from = u.valid_from;
          pu.valid_to = u.valid_to;
          f.parameters.push_back(pu);
        }
      } else if (worse) {
        f.measured = nf.measured;
      }
      if (!class_name.empty()) e.classes.push_back(class_name);
      e.details.insert(e.details.end(), nf.details.begin(), nf.details.end());
      e.slots.insert(e.slots.end(), nf.slots.begin(), nf.slots.end());
    }
    std::vector<rules::Finding> list;
    for (auto& [k, e] : merged) {
      std::sort(e.slots.begin(), e.slots.end());
      e.slots.erase(std::unique(e.slots.begin(), e.slots.end()), e.slots.end());
      e.f.evidence_count = static_cast<int64_t>(e.details.size());
      for (size_t i = 0; i < e.slots.size() && i < rules::kMaxEvidenceRows; ++i) e.f.evidence_row_ids.push_back(e.slots[i]);
      list.push_back(e.f);
    }
    ASSIGN_OR_RETURN(out.summary,
                     rules::SaveFindingsInTransaction(tx, list, as_of, clock,
                                                      {.rule_ids = TimetableRuleIds(), .org_path_prefix = path}));
    // The store keeps {dataset, row_ids}; the timetable's evidence says more:
    // which upload, which classes, which slots, what the checker said.
    for (auto& [k, e] : merged) {
      json slots = json::array();
      for (size_t i = 0; i < e.slots.size() && i < rules::kMaxEvidenceRows; ++i) {
        slots.push_back({{"slot", e.slots[i]}, {"label", normed.SlotName(e.slots[i])}});
      }
      json details = json::array();
      for (size_t i = 0; i < e.details.size() && i < 20; ++i) details.push_back(e.details[i]);
      json params = json::array();
      for (const auto& pu : e.f.parameters) {
        for (const auto& u : norms.used) {
          if (u.name != pu.name) continue;
          params.push_back({{"name", u.name},
                            {"value", u.value},
                            {"valid_from", DayText(u.valid_from, u.valid_from == rules::bound::kOpenFrom)},
                            {"valid_to", DayText(u.valid_to, u.valid_to == rules::bound::kOpenTo)},
                            {"source", "policy pack"},
                            {"norm", u.norm_id},
                            {"source_zh", u.source_zh}});
        }
      }
      const json evidence = {{"dataset", "timetable"},
                             {"upload", out.upload},
                             {"file_name", file_name},
                             {"classes", e.classes},
                             {"row_ids", e.f.evidence_row_ids},
                             {"slots", std::move(slots)},
                             {"violations", std::move(details)}};
      RETURN_IF_ERROR(rules::ReplaceFindingJsonInTransaction(
          tx, {.rule_id = e.f.rule_id, .entity_type = e.f.entity_type, .entity_id = e.f.entity_id}, evidence.dump(),
          params.dump()));
    }
    ASSIGN_OR_RETURN(out.open, rules::CountOpenFindingsAt(tx, "tt.", path));
    const json after = {{"upload", out.upload},
                        {"file_name", file_name},
                        {"opened", out.summary.opened},
                        {"standing", out.summary.standing},
                        {"reopened", out.summary.reopened},
                        {"resolved", out.summary.resolved}};
    return ledger::AppendAudit(tx,
                               {.actor_user_id = actor.user_id,
                                .actor = actor.username,
                                .action = "timetable.check",
                                .entity = "org",
                                .entity_id = std::to_string(school_id),
                                .after = after.dump()},
                               clock);
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace edugov::http

#endif  // EDUGOV_HTTP_HAVE_TIMETABLE
