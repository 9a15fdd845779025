// The org tree: reads with subtree counts, and scoped writes.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "registry/internal/common.h"
#include "registry/json.h"
#include "registry/registry.h"

namespace edugov::registry {

using internal::FieldError;
using storage::Connection;
using storage::ResultSet;

namespace {

// Everything needed to count a subtree, fetched in three queries whatever
// its size (a province has ~16,000 orgs): per-org own counts, rolled up in
// memory by path. Cheaper than one COUNT query per child.
struct SubtreeOrg {
  int64_t id = 0;
  OrgKind kind = OrgKind::kSchool;
  std::optional<Stage> stage;
  std::string path;
  std::string name;
  int64_t classes = 0;
  int64_t students = 0;
  int64_t staff = 0;
};

StatusOr<std::vector<SubtreeOrg>> LoadSubtree(Connection& conn, const std::string& path) {
  const std::string pattern = path + "%";
  ASSIGN_OR_RETURN(ResultSet orgs,
                   conn.Query("SELECT id, kind, stage, path, name FROM orgs WHERE path LIKE $1",
                              {pattern}));
  std::vector<SubtreeOrg> out;
  out.reserve(orgs.size());
  std::unordered_map<int64_t, size_t> index;
  for (size_t r = 0; r < orgs.size(); ++r) {
    SubtreeOrg o;
    o.id = orgs.GetInt(r, 0);
    o.kind = ParseOrgKind(orgs.GetText(r, 1)).value_or(OrgKind::kSchool);
    if (auto s = orgs.GetOptionalText(r, 2)) o.stage = ParseStage(*s);
    o.path = orgs.GetText(r, 3);
    o.name = orgs.GetText(r, 4);
    out.push_back(std::move(o));
  }
  // Bytewise order whatever the database's collation: callers rely on a
  // subtree being one contiguous run.
  std::sort(out.begin(), out.end(),
            [](const SubtreeOrg& a, const SubtreeOrg& b) { return a.path < b.path; });
  for (size_t i = 0; i < out.size(); ++i) index[out[i].id] = i;
  ASSIGN_OR_RETURN(ResultSet classes,
                   conn.Query("SELECT c.school_id, COUNT(*), SUM(c.students) FROM classes c "
                              "JOIN orgs o ON o.id = c.school_id WHERE o.path LIKE $1 "
                              "GROUP BY c.school_id",
                              {pattern}));
  for (size_t r = 0; r < classes.size(); ++r) {
    auto it = index.find(classes.GetInt(r, 0));
    if (it == index.end()) continue;
    out[it->second].classes = classes.GetInt(r, 1);
    out[it->second].students = classes.GetInt(r, 2);
  }
  ASSIGN_OR_RETURN(ResultSet staff,
                   conn.Query("SELECT s.org_id, COUNT(*) FROM staff s "
                              "JOIN orgs o ON o.id = s.org_id WHERE o.path LIKE $1 "
                              "AND s.active = 1 GROUP BY s.org_id",
                              {pattern}));
  for (size_t r = 0; r < staff.size(); ++r) {
    auto it = index.find(staff.GetInt(r, 0));
    if (it == index.end()) continue;
    out[it->second].staff = staff.GetInt(r, 1);
  }
  return out;
}

void Add(Counts& c, const SubtreeOrg& o) {
  if (o.kind == OrgKind::kTownship) ++c.townships;
  if (o.stage) ++c.schools;
  c.classes += o.classes;
  c.students += o.students;
  c.staff += o.staff;
}

bool HasPrefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The id of the child of `parent_path` whose subtree holds `path`, or 0 when
// `path` is the parent itself.
int64_t ChildIdUnder(std::string_view parent_path, std::string_view path) {
  std::string_view rest = path.substr(parent_path.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return 0;
  int64_t id = 0;
  for (char c : rest.substr(0, slash)) id = id * 10 + (c - '0');
  return id;
}

// Breadcrumb: ancestors of `org` that the principal may see, root first.
StatusOr<std::vector<OrgRef>> Ancestors(Connection& conn, const accounts::Principal& principal,
                                        const Org& org) {
  std::vector<OrgRef> out;
  std::string_view p = org.path;
  std::vector<int64_t> ids;
  size_t i = 1;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) break;
    int64_t id = 0;
    for (char c : p.substr(i, j - i)) id = id * 10 + (c - '0');
    if (id != org.id) ids.push_back(id);
    i = j + 1;
  }
  for (int64_t id : ids) {
    ASSIGN_OR_RETURN(std::optional<Org> a, internal::LoadOrg(conn, id));
    if (a && principal.CanSee(a->path)) out.push_back({a->id, a->name, a->kind});
  }
  return out;
}

Status ValidateFlagsForKind(OrgKind kind, const OrgFlags& flags) {
  const bool is_school = kind == OrgKind::kTownship || kind == OrgKind::kSchool;
  if (!is_school && !(flags == OrgFlags{})) {
    return FieldError("flags", "only schools and township central schools have flags",
                      "只有学校和乡镇中心学校可以设置标识");
  }
  return OkStatus();
}

StatusOr<bool> CodeTaken(Connection& conn, std::string_view code, int64_t except_id) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT id FROM orgs WHERE code = $1 AND id <> $2",
                                            {std::string(code), except_id}));
  return !rs.empty();
}

Status CodeTakenError(std::string_view code) {
  return AlreadyExistsError("org code \"" + std::string(code) + "\" is already in use",
                            "单位代码“" + std::string(code) + "”已被使用")
      .WithField("code");
}

}  // namespace

Date ChinaDate(TimePoint t) {
  const int64_t secs = ToUnixMicros(t) / 1000000 + 8 * 3600;
  int64_t days = secs / 86400;
  if (secs % 86400 < 0) --days;
  return Date::FromDaysSinceEpoch(static_cast<int32_t>(days));
}

StatusOr<OrgDetail> GetOrg(Connection& conn, const accounts::Principal& principal,
                           int64_t org_id) {
  OrgDetail out;
  Status s = storage::RunInTransaction(conn, storage::TransactionMode::kRead,
                                       [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(out.org, internal::LoadVisibleOrg(tx, principal, org_id));
    ASSIGN_OR_RETURN(out.ancestors, Ancestors(tx, principal, out.org));
    ASSIGN_OR_RETURN(std::vector<SubtreeOrg> sub, LoadSubtree(tx, out.org.path));
    for (const SubtreeOrg& o : sub) Add(out.counts, o);
    return OkStatus();
  });
  RETURN_IF_ERROR(s);
  return out;
}

StatusOr<std::vector<OrgWithCounts>> ListChildren(Connection& conn,
                                                  const accounts::Principal& principal,
                                                  int64_t org_id) {
  std::vector<OrgWithCounts> out;
  Status s = storage::RunInTransaction(conn, storage::TransactionMode::kRead,
                                       [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Org parent, internal::LoadVisibleOrg(tx, principal, org_id));
    ASSIGN_OR_RETURN(ResultSet rs,
                     tx.Query("SELECT " + std::string(internal::kOrgColumns) +
                                  " FROM orgs WHERE parent_id = $1 ORDER BY code",
                              {org_id}));
    std::unordered_map<int64_t, size_t> index;
    for (size_t r = 0; r < rs.size(); ++r) {
      Org child = internal::OrgFromRow(rs, r);
      index[child.id] = out.size();
      out.push_back({std::move(child), {}});
    }
    ASSIGN_OR_RETURN(std::vector<SubtreeOrg> sub, LoadSubtree(tx, parent.path));
    for (const SubtreeOrg& o : sub) {
      auto it = index.find(ChildIdUnder(parent.path, o.path));
      if (it != index.end()) Add(out[it->second].counts, o);
    }
    return OkStatus();
  });
  RETURN_IF_ERROR(s);
  return out;
}

StatusOr<Overview> GetOverview(Connection& conn, const accounts::Principal& principal,
                               int64_t org_id) {
  Overview out;
  Status s = storage::RunInTransaction(conn, storage::TransactionMode::kRead,
                                       [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Org org, internal::LoadVisibleOrg(tx, principal, org_id));
    ASSIGN_OR_RETURN(std::vector<SubtreeOrg> sub, LoadSubtree(tx, org.path));
    // Sorted by path (bytewise, in LoadSubtree), a township's subtree is the
    // run of rows right after it that share its path as a prefix.
    std::map<Stage, StageSummary> stages;
    std::optional<size_t> township;
    std::string township_path;
    for (const SubtreeOrg& o : sub) {
      Add(out.total, o);
      if (o.kind == OrgKind::kTownship) {
        out.by_township.push_back({o.id, o.name, {}});
        township = out.by_township.size() - 1;
        township_path = o.path;
      } else if (township && !HasPrefix(o.path, township_path)) {
        township.reset();
      }
      if (township) Add(out.by_township[*township].counts, o);
      if (o.stage) {
        StageSummary& st = stages[*o.stage];
        st.stage = *o.stage;
        ++st.schools;
        st.classes += o.classes;
        st.students += o.students;
      }
    }
    for (auto& [stage, summary] : stages) out.by_stage.push_back(summary);
    return OkStatus();
  });
  RETURN_IF_ERROR(s);
  return out;
}

StatusOr<Org> internal::CreateOrgTx(Connection& conn, const accounts::Principal& principal,
                        const Clock& clock, const NewOrg& in) {
  Org created;
  Status s = [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Org parent, internal::LoadVisibleOrg(tx, principal, in.parent_id));
    RETURN_IF_ERROR(internal::CheckCanCreateOrg(principal, parent, in.kind));
    RETURN_IF_ERROR(internal::ValidateCode(in.code, "code"));
    RETURN_IF_ERROR(internal::ValidateName(in.name, "name"));
    RETURN_IF_ERROR(internal::CheckParentKind(parent.kind, in.kind));
    RETURN_IF_ERROR(internal::CheckStageForKind(in.kind, in.stage));
    RETURN_IF_ERROR(ValidateFlagsForKind(in.kind, in.flags));
    ASSIGN_OR_RETURN(bool taken, CodeTaken(tx, in.code, 0));
    if (taken) return CodeTakenError(in.code);

    const int64_t now = ToUnixMicros(clock.Now());
    // The path needs the id, which the database assigns: insert under a
    // placeholder path that is unique because codes are, then set it.
    ASSIGN_OR_RETURN(
        ResultSet rs,
        tx.Query("INSERT INTO orgs (parent_id, kind, code, name, path, stage, rural, boarding, "
                 "standardised, canteen, party_branch, synthetic, created_at, updated_at) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $12) "
                 "RETURNING id",
                 {parent.id, std::string(OrgKindName(in.kind)), in.code, in.name,
                  parent.path + "pending:" + in.code,
                  in.stage ? storage::Value(std::string(StageName(*in.stage))) : storage::Null(),
                  int64_t{in.flags.rural}, int64_t{in.flags.boarding},
                  int64_t{in.flags.standardised}, int64_t{in.flags.canteen},
                  int64_t{in.flags.party_branch}, now}));
    const int64_t id = rs.GetInt(0, 0);
    const std::string path = parent.path + std::to_string(id) + "/";
    RETURN_IF_ERROR(tx.Execute("UPDATE orgs SET path = $1 WHERE id = $2", {path, id}));
    ASSIGN_OR_RETURN(std::optional<Org> row, internal::LoadOrg(tx, id));
    created = *row;
    return internal::Audit(tx, principal, clock, "org.create", "org", id, nullptr,
                           ToJson(created));
  }(conn);
  RETURN_IF_ERROR(s);
  return created;
}

StatusOr<Org> CreateOrg(Connection& conn, const accounts::Principal& principal, const Clock& clock,
    const NewOrg& in) {
  internal::RegistryWriteScope registry_changed(conn);  // bumps RegistryGeneration() after the commit
  StatusOr<Org> out = InternalError("unreachable");
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    out = internal::CreateOrgTx(tx, principal, clock, in);
    return out.status();
  }));
  return out;
}

StatusOr<Org> internal::UpdateOrgTx(Connection& conn, const accounts::Principal& principal,
                        const Clock& clock, int64_t org_id, const OrgPatch& patch) {
  Org updated;
  Status s = [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Org before, internal::LoadVisibleOrg(tx, principal, org_id));
    RETURN_IF_ERROR(internal::CheckCanEditOrg(principal, before));
    Org after = before;
    if (patch.code) {
      RETURN_IF_ERROR(internal::ValidateCode(*patch.code, "code"));
      ASSIGN_OR_RETURN(bool taken, CodeTaken(tx, *patch.code, org_id));
      if (taken) return CodeTakenError(*patch.code);
      after.code = *patch.code;
    }
    if (patch.name) {
      RETURN_IF_ERROR(internal::ValidateName(*patch.name, "name"));
      after.name = *patch.name;
    }
    if (patch.stage) {
      RETURN_IF_ERROR(internal::CheckStageForKind(after.kind, patch.stage));
      // Existing classes must still fit the new stage.
      auto [lo, hi] = GradeRange(*patch.stage);
      ASSIGN_OR_RETURN(ResultSet bad,
                       tx.Query("SELECT COUNT(*) FROM classes WHERE school_id = $1 AND "
                                "(grade < $2 OR grade > $3)",
                                {org_id, int64_t{lo}, int64_t{hi}}));
      if (bad.GetInt(0, 0) > 0) {
        return FailedPreconditionError(
                   std::to_string(bad.GetInt(0, 0)) +
                       " classes have grades outside the new stage; change or delete them first",
                   "有 " + std::to_string(bad.GetInt(0, 0)) +
                       " 个班级的年级不属于新学段，请先修改或删除这些班级")
            .WithField("stage");
      }
      after.stage = patch.stage;
    }
    if (patch.rural) after.flags.rural = *patch.rural;
    if (patch.boarding) after.flags.boarding = *patch.boarding;
    if (patch.standardised) after.flags.standardised = *patch.standardised;
    if (patch.canteen) after.flags.canteen = *patch.canteen;
    if (patch.party_branch) after.flags.party_branch = *patch.party_branch;
    RETURN_IF_ERROR(ValidateFlagsForKind(after.kind, after.flags));
    after.updated_at_us = ToUnixMicros(clock.Now());
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE orgs SET code = $1, name = $2, stage = $3, rural = $4, boarding = $5, "
        "standardised = $6, canteen = $7, party_branch = $8, updated_at = $9 WHERE id = $10",
        {after.code, after.name,
         after.stage ? storage::Value(std::string(StageName(*after.stage))) : storage::Null(),
         int64_t{after.flags.rural}, int64_t{after.flags.boarding},
         int64_t{after.flags.standardised}, int64_t{after.flags.canteen},
         int64_t{after.flags.party_branch}, after.updated_at_us, org_id}));
    updated = after;
    return internal::Audit(tx, principal, clock, "org.update", "org", org_id, ToJson(before),
                           ToJson(after));
  }(conn);
  RETURN_IF_ERROR(s);
  return updated;
}

StatusOr<Org> UpdateOrg(Connection& conn, const accounts::Principal& principal, const Clock& clock,
    int64_t org_id, const OrgPatch& patch) {
  internal::RegistryWriteScope registry_changed(conn);  // bumps RegistryGeneration() after the commit
  StatusOr<Org> out = InternalError("unreachable");
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    out = internal::UpdateOrgTx(tx, principal, clock, org_id, patch);
    return out.status();
  }));
  return out;
}

Status DeleteOrg(Connection& conn, const accounts::Principal& principal, const Clock& clock,
                 int64_t org_id) {
  internal::RegistryWriteScope registry_changed(conn);  // bumps RegistryGeneration() after the commit
  return storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Org org, internal::LoadVisibleOrg(tx, principal, org_id));
    RETURN_IF_ERROR(internal::CheckCanEditOrg(principal, org));
    if (principal.org_id == org_id) {
      return PermissionDeniedError("you cannot delete the org you belong to",
                                   "不能删除自己所属的单位");
    }
    struct Check {
      const char* sql;
      const char* en;
      const char* zh;
    };
    static constexpr Check kChecks[] = {
        {"SELECT COUNT(*) FROM orgs WHERE parent_id = $1", "child orgs", "个下级单位"},
        {"SELECT COUNT(*) FROM classes WHERE school_id = $1", "classes", "个班级"},
        {"SELECT COUNT(*) FROM staff WHERE org_id = $1", "staff members", "名教职工"},
        {"SELECT COUNT(*) FROM staff_postings WHERE org_id = $1", "postings in staff histories",
         "条教职工任职记录"},
    };
    for (const Check& c : kChecks) {
      ASSIGN_OR_RETURN(ResultSet rs, tx.Query(c.sql, {org_id}));
      if (const int64_t n = rs.GetInt(0, 0); n > 0) {
        return FailedPreconditionError(
            "org " + std::to_string(org_id) + " still has " + std::to_string(n) + " " + c.en +
                "; only an empty org can be deleted",
            "该单位仍有 " + std::to_string(n) + " " + c.zh + "，只能删除空单位");
      }
    }
    RETURN_IF_ERROR(tx.Execute("DELETE FROM orgs WHERE id = $1", {org_id}));
    return internal::Audit(tx, principal, clock, "org.delete", "org", org_id, ToJson(org),
                           nullptr);
  });
}

StatusOr<std::optional<Org>> LookupOrgByCodeUnscoped(Connection& conn, std::string_view code) {
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.Query("SELECT " + std::string(internal::kOrgColumns) +
                                  " FROM orgs WHERE code = $1",
                              {std::string(code)}));
  if (rs.empty()) return std::optional<Org>();
  return std::optional<Org>(internal::OrgFromRow(rs, 0));
}

StatusOr<std::vector<Org>> LookupOrgsByNameUnscoped(Connection& conn, std::string_view name) {
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.Query("SELECT " + std::string(internal::kOrgColumns) +
                                  " FROM orgs WHERE name = $1 ORDER BY path",
                              {std::string(name)}));
  std::vector<Org> out;
  for (size_t r = 0; r < rs.size(); ++r) out.push_back(internal::OrgFromRow(rs, r));
  return out;
}

}  // namespace edugov::registry

namespace edugov::registry {

StatusOr<std::vector<PublicTownship>> ListPublicDirectory(Connection& conn) {
  ASSIGN_OR_RETURN(ResultSet rs,
                   conn.Query("SELECT t.id, t.name, s.id, s.name FROM orgs t "
                              "LEFT JOIN orgs s ON s.parent_id = t.id AND s.kind = 'school' "
                              "WHERE t.kind = 'township' ORDER BY t.path, s.name, s.id"));
  std::vector<PublicTownship> out;
  for (size_t i = 0; i < rs.size(); ++i) {
    const int64_t tid = rs.GetInt(i, 0);
    if (out.empty() || out.back().id != tid) out.push_back({tid, rs.GetText(i, 1), {}});
    if (!rs.IsNull(i, 2)) out.back().schools.push_back({rs.GetInt(i, 2), rs.GetText(i, 3), OrgKind::kSchool});
  }
  return out;
}

StatusOr<bool> IsComplaintTarget(Connection& conn, int64_t org_id) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT kind FROM orgs WHERE id = $1", {org_id}));
  return !rs.empty() && (rs.GetText(0, 0) == "school" || rs.GetText(0, 0) == "township");
}

}  // namespace edugov::registry
