// Staff, their posts and postings, and rural teaching years (plan item 21).
#include <algorithm>

#include "registry/internal/common.h"
#include "registry/json.h"
#include "registry/registry.h"

namespace edugov::registry {

using internal::FieldError;
using storage::Connection;
using storage::Params;
using storage::ResultSet;

namespace {

constexpr std::string_view kStaffColumns =
    "s.id, s.org_id, s.code, s.name, s.gender, s.birth_date, s.hired_on, s.hire_kind, s.active, "
    "s.synthetic";

Staff StaffFromRow(const ResultSet& rs, size_t r) {
  Staff s;
  s.id = rs.GetInt(r, 0);
  s.org_id = rs.GetInt(r, 1);
  s.code = rs.GetText(r, 2);
  s.name = rs.GetText(r, 3);
  s.gender = ParseGender(rs.GetText(r, 4)).value_or(Gender::kFemale);
  s.birth_date = internal::OptionalDateFrom(rs, r, 5);
  s.hired_on = internal::OptionalDateFrom(rs, r, 6);
  s.hire_kind = ParseHireKind(rs.GetText(r, 7)).value_or(HireKind::kOther);
  s.active = rs.GetInt(r, 8) != 0;
  s.synthetic = rs.GetInt(r, 9) != 0;
  return s;
}

// Fills `posts` of each staff member with one query.
Status LoadPosts(Connection& tx, std::vector<Staff>& staff) {
  if (staff.empty()) return OkStatus();
  std::string sql = "SELECT staff_id, post FROM staff_posts WHERE staff_id IN (";
  Params params;
  for (size_t i = 0; i < staff.size(); ++i) {
    if (i) sql += ", ";
    sql += "$" + std::to_string(i + 1);
    params.push_back(staff[i].id);
  }
  sql += ")";
  ASSIGN_OR_RETURN(ResultSet rs, tx.Query(sql, params));
  for (Staff& s : staff) s.posts.clear();
  for (size_t r = 0; r < rs.size(); ++r) {
    const int64_t id = rs.GetInt(r, 0);
    auto post = ParsePost(rs.GetText(r, 1));
    if (!post) continue;
    for (Staff& s : staff) {
      if (s.id == id) s.posts.push_back(*post);
    }
  }
  for (Staff& s : staff) std::sort(s.posts.begin(), s.posts.end());
  return OkStatus();
}

// The staff member (with posts) and their current org, if the principal may
// see that org.
StatusOr<std::pair<Staff, Org>> LoadVisibleStaff(Connection& tx,
                                                 const accounts::Principal& principal,
                                                 int64_t staff_id) {
  ASSIGN_OR_RETURN(ResultSet rs, tx.Query("SELECT " + std::string(kStaffColumns) +
                                              " FROM staff s WHERE s.id = $1",
                                          {staff_id}));
  if (rs.empty()) return internal::StaffNotFound(staff_id);
  std::vector<Staff> one{StaffFromRow(rs, 0)};
  ASSIGN_OR_RETURN(std::optional<Org> org, internal::LoadOrg(tx, one[0].org_id));
  if (!org || !principal.CanSee(org->path)) return internal::StaffNotFound(staff_id);
  RETURN_IF_ERROR(LoadPosts(tx, one));
  return std::make_pair(std::move(one[0]), *std::move(org));
}

Status NormalisePosts(std::vector<Post>& posts) {
  std::sort(posts.begin(), posts.end());
  posts.erase(std::unique(posts.begin(), posts.end()), posts.end());
  if (posts.empty()) {
    return FieldError("posts", "at least one post is required", "至少填写一个职务");
  }
  return OkStatus();
}

Status ValidateDates(const std::optional<Date>& birth, const std::optional<Date>& hired,
                     Date today) {
  if (birth && (birth->year() < 1930 || *birth > today)) {
    return FieldError("birth_date", "birth date is not plausible: " + birth->ToString(),
                      "出生日期不合理：" + birth->ToString());
  }
  if (hired && *hired > today) {
    return FieldError("hired_on", "hire date is in the future: " + hired->ToString(),
                      "入职日期晚于今天：" + hired->ToString());
  }
  if (birth && hired && *hired < *birth) {
    return FieldError("hired_on", "hire date is before the birth date",
                      "入职日期早于出生日期");
  }
  return OkStatus();
}

Status CheckCodeFree(Connection& tx, const std::string& code, int64_t except_id) {
  ASSIGN_OR_RETURN(ResultSet rs, tx.Query("SELECT id FROM staff WHERE code = $1 AND id <> $2",
                                          {code, except_id}));
  if (rs.empty()) return OkStatus();
  return AlreadyExistsError("staff number \"" + code + "\" is already in use",
                            "教职工编号“" + code + "”已被使用")
      .WithField("code");
}

Status WritePosts(Connection& tx, int64_t staff_id, const std::vector<Post>& posts) {
  RETURN_IF_ERROR(tx.Execute("DELETE FROM staff_posts WHERE staff_id = $1", {staff_id}));
  for (Post p : posts) {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO staff_posts (staff_id, post) VALUES ($1, $2)",
                               {staff_id, std::string(PostName(p))}));
  }
  return OkStatus();
}

StatusOr<std::vector<Posting>> LoadPostings(Connection& tx, int64_t staff_id) {
  ASSIGN_OR_RETURN(ResultSet rs,
                   tx.Query("SELECT p.id, p.org_id, o.name, p.start_date, p.end_date, p.rural "
                            "FROM staff_postings p JOIN orgs o ON o.id = p.org_id "
                            "WHERE p.staff_id = $1 ORDER BY p.start_date, p.id",
                            {staff_id}));
  std::vector<Posting> out;
  for (size_t r = 0; r < rs.size(); ++r) {
    Posting p;
    p.id = rs.GetInt(r, 0);
    p.org_id = rs.GetInt(r, 1);
    p.org_name = rs.GetText(r, 2);
    p.start_date = internal::OptionalDateFrom(rs, r, 3).value_or(Date());
    p.end_date = internal::OptionalDateFrom(rs, r, 4);
    p.rural = rs.GetInt(r, 5) != 0;
    out.push_back(std::move(p));
  }
  return out;
}

StatusOr<int64_t> InsertPosting(Connection& tx, int64_t staff_id, const Org& org, Date start,
                                const std::optional<Date>& end, int64_t now) {
  ASSIGN_OR_RETURN(ResultSet rs,
                   tx.Query("INSERT INTO staff_postings (staff_id, org_id, start_date, end_date, "
                            "rural, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                            {staff_id, org.id, start.ToString(), internal::DateValue(end),
                             int64_t{org.flags.rural}, now}));
  return rs.GetInt(0, 0);
}

}  // namespace

double RuralTeachingYears(const std::vector<Posting>& postings, Date as_of) {
  std::vector<std::pair<int32_t, int32_t>> spans;
  for (const Posting& p : postings) {
    if (!p.rural) continue;
    const int32_t start = p.start_date.DaysSinceEpoch();
    int32_t end = p.end_date ? p.end_date->DaysSinceEpoch() : as_of.DaysSinceEpoch();
    end = std::min(end, as_of.DaysSinceEpoch());
    if (end > start) spans.emplace_back(start, end);
  }
  std::sort(spans.begin(), spans.end());
  int64_t days = 0;
  int32_t cur_start = 0, cur_end = 0;
  bool open = false;
  for (auto [s, e] : spans) {
    if (open && s <= cur_end) {
      cur_end = std::max(cur_end, e);
      continue;
    }
    if (open) days += cur_end - cur_start;
    cur_start = s;
    cur_end = e;
    open = true;
  }
  if (open) days += cur_end - cur_start;
  return static_cast<double>(days) / 365.25;
}

StatusOr<StaffPage> ListStaff(Connection& conn, const accounts::Principal& principal,
                              int64_t org_id, const StaffFilter& filter) {
  if (filter.offset < 0) {
    return FieldError("offset", "offset must not be negative", "offset 不能为负数");
  }
  if (filter.limit < 1 || filter.limit > 1000) {
    return FieldError("limit", "limit must be between 1 and 1000", "limit 必须在 1 到 1000 之间");
  }
  StaffPage out;
  Status s = storage::RunInTransaction(conn, storage::TransactionMode::kRead,
                                       [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Org org, internal::LoadVisibleOrg(tx, principal, org_id));
    std::string where = " FROM staff s JOIN orgs o ON o.id = s.org_id WHERE o.path LIKE $1";
    Params params{org.path + "%"};
    if (!filter.include_inactive) where += " AND s.active = 1";
    if (filter.post) {
      params.push_back(std::string(PostName(*filter.post)));
      where += " AND EXISTS (SELECT 1 FROM staff_posts p WHERE p.staff_id = s.id AND p.post = $" +
               std::to_string(params.size()) + ")";
    }
    ASSIGN_OR_RETURN(ResultSet count, tx.Query("SELECT COUNT(*)" + where, params));
    out.total = count.GetInt(0, 0);
    params.push_back(filter.limit);
    params.push_back(filter.offset);
    ASSIGN_OR_RETURN(ResultSet rs,
                     tx.Query("SELECT " + std::string(kStaffColumns) + where +
                                  " ORDER BY s.code LIMIT $" + std::to_string(params.size() - 1) +
                                  " OFFSET $" + std::to_string(params.size()),
                              params));
    for (size_t r = 0; r < rs.size(); ++r) out.items.push_back(StaffFromRow(rs, r));
    return LoadPosts(tx, out.items);
  });
  RETURN_IF_ERROR(s);
  return out;
}

StatusOr<StaffDetail> GetStaff(Connection& conn, const accounts::Principal& principal,
                               const Clock& clock, int64_t staff_id) {
  StaffDetail out;
  Status s = storage::RunInTransaction(conn, storage::TransactionMode::kRead,
                                       [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(auto found, LoadVisibleStaff(tx, principal, staff_id));
    out.staff = std::move(found.first);
    out.org_name = found.second.name;
    ASSIGN_OR_RETURN(out.postings, LoadPostings(tx, staff_id));
    return OkStatus();
  });
  RETURN_IF_ERROR(s);
  out.as_of = ChinaDate(clock.Now());
  out.rural_years = RuralTeachingYears(out.postings, out.as_of);
  return out;
}

StatusOr<Staff> internal::CreateStaffTx(Connection& conn, const accounts::Principal& principal,
                            const Clock& clock, int64_t org_id, const NewStaff& in) {
  Staff created;
  Status s = [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Org org, internal::LoadVisibleOrg(tx, principal, org_id));
    RETURN_IF_ERROR(internal::CheckCanEditMembers(principal, org));
    RETURN_IF_ERROR(internal::ValidateCode(in.code, "code"));
    RETURN_IF_ERROR(internal::ValidateName(in.name, "name"));
    const Date today = ChinaDate(clock.Now());
    RETURN_IF_ERROR(ValidateDates(in.birth_date, in.hired_on, today));
    std::vector<Post> posts = in.posts;
    RETURN_IF_ERROR(NormalisePosts(posts));
    RETURN_IF_ERROR(CheckCodeFree(tx, in.code, 0));
    const int64_t now = ToUnixMicros(clock.Now());
    ASSIGN_OR_RETURN(
        ResultSet rs,
        tx.Query("INSERT INTO staff (org_id, code, name, gender, birth_date, hired_on, hire_kind, "
                 "active, synthetic, created_at, updated_at) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9) RETURNING id",
                 {org_id, in.code, in.name, std::string(GenderName(in.gender)),
                  internal::DateValue(in.birth_date), internal::DateValue(in.hired_on),
                  std::string(HireKindName(in.hire_kind)), int64_t{in.active}, now}));
    created = {rs.GetInt(0, 0), org_id,     in.code,      in.name,   in.gender, in.birth_date,
               in.hired_on,     in.hire_kind, posts,      in.active, false};
    RETURN_IF_ERROR(WritePosts(tx, created.id, posts));
    RETURN_IF_ERROR(
        InsertPosting(tx, created.id, org, in.hired_on.value_or(today), std::nullopt, now)
            .status());
    return internal::Audit(tx, principal, clock, "staff.create", "staff", created.id, nullptr,
                           ToJson(created));
  }(conn);
  RETURN_IF_ERROR(s);
  return created;
}

StatusOr<Staff> CreateStaff(Connection& conn, const accounts::Principal& principal, const Clock& clock,
    int64_t org_id, const NewStaff& in) {
  internal::RegistryWriteScope registry_changed(conn);  // bumps RegistryGeneration() after the commit
  StatusOr<Staff> out = InternalError("unreachable");
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    out = internal::CreateStaffTx(tx, principal, clock, org_id, in);
    return out.status();
  }));
  return out;
}

StatusOr<Staff> internal::UpdateStaffTx(Connection& conn, const accounts::Principal& principal,
                            const Clock& clock, int64_t staff_id, const StaffPatch& patch) {
  Staff updated;
  Status s = [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(auto found, LoadVisibleStaff(tx, principal, staff_id));
    const Staff& before = found.first;
    RETURN_IF_ERROR(internal::CheckCanEditMembers(principal, found.second));
    Staff after = before;
    if (patch.code) {
      RETURN_IF_ERROR(internal::ValidateCode(*patch.code, "code"));
      RETURN_IF_ERROR(CheckCodeFree(tx, *patch.code, staff_id));
      after.code = *patch.code;
    }
    if (patch.name) {
      RETURN_IF_ERROR(internal::ValidateName(*patch.name, "name"));
      after.name = *patch.name;
    }
    if (patch.gender) after.gender = *patch.gender;
    if (patch.birth_date) after.birth_date = *patch.birth_date;
    if (patch.hired_on) after.hired_on = *patch.hired_on;
    if (patch.hire_kind) after.hire_kind = *patch.hire_kind;
    if (patch.active) after.active = *patch.active;
    if (patch.posts) {
      after.posts = *patch.posts;
      RETURN_IF_ERROR(NormalisePosts(after.posts));
    }
    RETURN_IF_ERROR(ValidateDates(after.birth_date, after.hired_on, ChinaDate(clock.Now())));
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE staff SET code = $1, name = $2, gender = $3, birth_date = $4, hired_on = $5, "
        "hire_kind = $6, active = $7, updated_at = $8 WHERE id = $9",
        {after.code, after.name, std::string(GenderName(after.gender)),
         internal::DateValue(after.birth_date), internal::DateValue(after.hired_on),
         std::string(HireKindName(after.hire_kind)), int64_t{after.active},
         ToUnixMicros(clock.Now()), staff_id}));
    if (after.posts != before.posts) RETURN_IF_ERROR(WritePosts(tx, staff_id, after.posts));
    updated = after;
    return internal::Audit(tx, principal, clock, "staff.update", "staff", staff_id,
                           ToJson(before), ToJson(after));
  }(conn);
  RETURN_IF_ERROR(s);
  return updated;
}

StatusOr<Staff> UpdateStaff(Connection& conn, const accounts::Principal& principal, const Clock& clock,
    int64_t staff_id, const StaffPatch& patch) {
  internal::RegistryWriteScope registry_changed(conn);  // bumps RegistryGeneration() after the commit
  StatusOr<Staff> out = InternalError("unreachable");
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    out = internal::UpdateStaffTx(tx, principal, clock, staff_id, patch);
    return out.status();
  }));
  return out;
}

StatusOr<Posting> internal::AddPostingTx(Connection& conn, const accounts::Principal& principal,
                             const Clock& clock, int64_t staff_id, const NewPosting& in) {
  Posting created;
  Status s = [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(auto found, LoadVisibleStaff(tx, principal, staff_id));
    RETURN_IF_ERROR(internal::CheckCanEditMembers(principal, found.second));
    ASSIGN_OR_RETURN(Org org, internal::LoadVisibleOrg(tx, principal, in.org_id));
    const Date today = ChinaDate(clock.Now());
    if (in.start_date > today) {
      return FieldError("start_date", "a posting cannot start in the future",
                        "任职开始日期不能晚于今天");
    }
    if (in.end_date && *in.end_date <= in.start_date) {
      return FieldError("end_date", "end_date must be after start_date",
                        "结束日期必须晚于开始日期");
    }
    if (in.end_date && *in.end_date > today) {
      return FieldError("end_date", "a past posting cannot end in the future",
                        "历史任职的结束日期不能晚于今天");
    }
    ASSIGN_OR_RETURN(std::vector<Posting> postings, LoadPostings(tx, staff_id));
    const nlohmann::json before = ToJson(found.first);
    const int64_t now = ToUnixMicros(clock.Now());
    if (!in.end_date) {
      for (const Posting& p : postings) {
        if (p.end_date) continue;
        if (in.start_date <= p.start_date) {
          return FieldError("start_date",
                            "the new posting must start after the current one (" +
                                p.start_date.ToString() + ")",
                            "新任职的开始日期必须晚于当前任职的开始日期（" +
                                p.start_date.ToString() + "）");
        }
        RETURN_IF_ERROR(tx.Execute("UPDATE staff_postings SET end_date = $1 WHERE id = $2",
                                   {in.start_date.ToString(), p.id}));
      }
      RETURN_IF_ERROR(tx.Execute("UPDATE staff SET org_id = $1, updated_at = $2 WHERE id = $3",
                                 {org.id, now, staff_id}));
    }
    ASSIGN_OR_RETURN(int64_t id, InsertPosting(tx, staff_id, org, in.start_date, in.end_date, now));
    created = {id, org.id, org.name, in.start_date, in.end_date, org.flags.rural};
    Staff moved = found.first;
    if (!in.end_date) moved.org_id = org.id;
    nlohmann::json after = ToJson(moved);
    after["posting"] = ToJson(created);
    return internal::Audit(tx, principal, clock, "staff.posting", "staff", staff_id, before,
                           after);
  }(conn);
  RETURN_IF_ERROR(s);
  return created;
}

StatusOr<Posting> AddPosting(Connection& conn, const accounts::Principal& principal, const Clock& clock,
    int64_t staff_id, const NewPosting& in) {
  internal::RegistryWriteScope registry_changed(conn);  // bumps RegistryGeneration() after the commit
  StatusOr<Posting> out = InternalError("unreachable");
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    out = internal::AddPostingTx(tx, principal, clock, staff_id, in);
    return out.status();
  }));
  return out;
}

}  // namespace edugov::registry

namespace edugov::registry {

StatusOr<bool> StaffVisible(Connection& conn, const accounts::Principal& principal, int64_t staff_id) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT o.path FROM staff s JOIN orgs o ON o.id = s.org_id "
                                            "WHERE s.id = $1",
                                            {staff_id}));
  return !rs.empty() && principal.CanSee(rs.GetText(0, 0));
}

}  // namespace edugov::registry
