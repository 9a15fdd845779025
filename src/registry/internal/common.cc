#include "registry/internal/common.h"

#include <cstdio>
#include <string_view>

#include "ledger/audit.h"
#include "storage/generations.h"

namespace edugov::registry {
namespace {
constexpr std::string_view kRegistryStore = "registry";  // its row in store_generations
}  // namespace

StatusOr<uint64_t> RegistryGeneration(storage::Connection& conn) {
  return storage::ReadGeneration(conn, kRegistryStore);
}

}  // namespace edugov::registry

namespace edugov::registry::internal {

RegistryWriteScope::~RegistryWriteScope() {
  Status bumped = storage::BumpGeneration(conn_, kRegistryStore);
  if (!bumped.ok()) std::fprintf(stderr, "edugov registry: change counter not bumped: %s\n", bumped.ToString().c_str());
}

Status FieldError(std::string field, std::string en, std::string zh) {
  return InvalidArgumentError(std::move(en), std::move(zh)).WithField(std::move(field));
}

Status OrgNotFound(int64_t id) {
  return NotFoundError("org " + std::to_string(id) + " not found",
                       "未找到单位 " + std::to_string(id));
}
Status ClassNotFound(int64_t id) {
  return NotFoundError("class " + std::to_string(id) + " not found",
                       "未找到班级 " + std::to_string(id));
}
Status StaffNotFound(int64_t id) {
  return NotFoundError("staff member " + std::to_string(id) + " not found",
                       "未找到教职工 " + std::to_string(id));
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF are invalid.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

Status ValidateCode(std::string_view code, std::string_view field) {
  if (code.empty()) {
    return FieldError(std::string(field), "code is required", "代码不能为空");
  }
  if (code.size() > 32) {
    return FieldError(std::string(field), "code is longer than 32 characters",
                      "代码超过 32 个字符");
  }
  for (char c : code) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    c == '-' || c == '_';
    if (!ok) {
      return FieldError(std::string(field),
                        "code may contain only letters, digits, '-' and '_': \"" +
                            std::string(code) + "\"",
                        "代码只能包含字母、数字、“-”和“_”：“" + std::string(code) + "”");
    }
  }
  return OkStatus();
}

Status ValidateName(std::string_view name, std::string_view field) {
  if (!IsValidUtf8(name)) {
    return FieldError(std::string(field), "name is not valid UTF-8", "名称不是有效的 UTF-8 文本");
  }
  if (name.empty()) {
    return FieldError(std::string(field), "name is required", "名称不能为空");
  }
  if (name.front() == ' ' || name.back() == ' ') {
    return FieldError(std::string(field), "name has leading or trailing spaces",
                      "名称首尾不能有空格");
  }
  if (Utf8Length(name) > 100) {
    return FieldError(std::string(field), "name is longer than 100 characters",
                      "名称超过 100 个字");
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return FieldError(std::string(field), "name contains a control character",
                        "名称含有控制字符");
    }
  }
  return OkStatus();
}

Org OrgFromRow(const storage::ResultSet& rs, size_t r) {
  Org o;
  o.id = rs.GetInt(r, 0);
  o.parent_id = rs.GetOptionalInt(r, 1);
  o.kind = ParseOrgKind(rs.GetText(r, 2)).value_or(OrgKind::kSchool);
  o.code = rs.GetText(r, 3);
  o.name = rs.GetText(r, 4);
  o.path = rs.GetText(r, 5);
  if (auto stage = rs.GetOptionalText(r, 6)) o.stage = ParseStage(*stage);
  o.flags.rural = rs.GetInt(r, 7) != 0;
  o.flags.boarding = rs.GetInt(r, 8) != 0;
  o.flags.standardised = rs.GetInt(r, 9) != 0;
  o.flags.canteen = rs.GetInt(r, 10) != 0;
  o.flags.party_branch = rs.GetInt(r, 11) != 0;
  o.synthetic = rs.GetInt(r, 12) != 0;
  o.created_at_us = rs.GetInt(r, 13);
  o.updated_at_us = rs.GetInt(r, 14);
  return o;
}

StatusOr<std::optional<Org>> LoadOrg(storage::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(storage::ResultSet rs,
                   conn.Query("SELECT " + std::string(kOrgColumns) + " FROM orgs WHERE id = $1",
                              {id}));
  if (rs.empty()) return std::optional<Org>();
  return std::optional<Org>(OrgFromRow(rs, 0));
}

StatusOr<Org> LoadVisibleOrg(storage::Connection& conn, const accounts::Principal& principal,
                             int64_t id) {
  ASSIGN_OR_RETURN(std::optional<Org> org, LoadOrg(conn, id));
  if (!org || !principal.CanSee(org->path)) return OrgNotFound(id);
  return *std::move(org);
}

namespace {
Status ReadOnlyRole() {
  return PermissionDeniedError("your role may not change the registry",
                               "您的角色无权修改学校名册");
}
}  // namespace

Status CheckCanEditOrg(const accounts::Principal& principal, const Org& org) {
  if (principal.IsBureau()) return OkStatus();
  if (principal.role == accounts::Role::kTownship && org.kind == OrgKind::kSchool &&
      org.path != principal.org_path) {
    return OkStatus();
  }
  if (!principal.CanEditRegistry()) return ReadOnlyRole();
  return PermissionDeniedError(
      "only the level above may change this org's details; ask the township or the bureau",
      "单位信息（含标识）只能由上级修改，请联系乡镇中心学校或教育局");
}

Status CheckCanCreateOrg(const accounts::Principal& principal, const Org& parent, OrgKind kind) {
  if (principal.IsBureau()) return OkStatus();
  if (principal.role == accounts::Role::kTownship) {
    if (kind == OrgKind::kSchool) return OkStatus();
    return PermissionDeniedError("a township may create schools only",
                                 "乡镇中心学校只能新建学校");
  }
  if (!principal.CanEditRegistry()) return ReadOnlyRole();
  return PermissionDeniedError("a school may not create orgs", "学校无权新建单位");
}

Status CheckCanEditMembers(const accounts::Principal& principal, const Org& org) {
  if (!principal.CanEditRegistry()) return ReadOnlyRole();
  return OkStatus();
}

Status CheckParentKind(OrgKind parent, OrgKind child) {
  bool ok = false;
  switch (child) {
    case OrgKind::kProvince: ok = false; break;
    case OrgKind::kCity: ok = parent == OrgKind::kProvince; break;
    case OrgKind::kCounty: ok = parent == OrgKind::kProvince || parent == OrgKind::kCity; break;
    case OrgKind::kTownship: ok = parent == OrgKind::kCounty; break;
    case OrgKind::kSchool: ok = parent == OrgKind::kCounty || parent == OrgKind::kTownship; break;
  }
  if (ok) return OkStatus();
  return FieldError("kind",
                    "a " + std::string(OrgKindName(child)) + " cannot be placed under a " +
                        std::string(OrgKindName(parent)),
                    "“" + std::string(OrgKindName(child)) + "”类单位不能隶属于“" +
                        std::string(OrgKindName(parent)) + "”类单位");
}

Status CheckStageForKind(OrgKind kind, const std::optional<Stage>& stage) {
  const bool is_school = kind == OrgKind::kTownship || kind == OrgKind::kSchool;
  if (is_school && !stage) {
    return FieldError("stage", "a school or township central school needs a stage",
                      "学校和乡镇中心学校必须填写学段");
  }
  if (!is_school && stage) {
    return FieldError("stage", "only schools and township central schools have a stage",
                      "只有学校和乡镇中心学校有学段");
  }
  return OkStatus();
}

Status CheckGradeForOrg(const Org& org, int grade) {
  if (!org.stage) {
    return FieldError("grade", "classes belong to schools; this org has no stage",
                      "班级只能属于学校，该单位没有学段");
  }
  auto [lo, hi] = GradeRange(*org.stage);
  if (grade < lo || grade > hi) {
    return FieldError("grade",
                      "grade " + std::to_string(grade) + " does not exist at a " +
                          std::string(StageName(*org.stage)) + " school (allowed " +
                          std::to_string(lo) + ".." + std::to_string(hi) + ")",
                      "年级 " + std::to_string(grade) + " 不属于" +
                          std::string(StageLabelZh(*org.stage)) + "学段（允许 " +
                          std::to_string(lo) + "–" + std::to_string(hi) + "）");
  }
  return OkStatus();
}

Status Audit(storage::Connection& tx, const accounts::Principal& principal, const Clock& clock,
             std::string action, std::string entity, int64_t entity_id,
             const nlohmann::json& before, const nlohmann::json& after) {
  ledger::AuditEntry e;
  e.actor_user_id = principal.user_id;
  e.actor = principal.username;
  e.action = std::move(action);
  e.entity = std::move(entity);
  e.entity_id = std::to_string(entity_id);
  if (!before.is_null()) e.before = before.dump();
  if (!after.is_null()) e.after = after.dump();
  return ledger::AppendAudit(tx, e, clock);
}

std::optional<Date> OptionalDateFrom(const storage::ResultSet& rs, size_t r, size_t c) {
  auto text = rs.GetOptionalText(r, c);
  if (!text) return std::nullopt;
  auto d = Date::Parse(*text);
  if (!d.ok()) return std::nullopt;
  return *d;
}

storage::Value DateValue(const std::optional<Date>& d) {
  if (!d) return storage::Null();
  return d->ToString();
}

}  // namespace edugov::registry::internal
