// Classes of a school: scoped reads and writes.
#include "registry/internal/common.h"
#include "registry/json.h"
#include "registry/registry.h"

namespace edugov::registry {

using internal::FieldError;
using storage::Connection;
using storage::ResultSet;

namespace {

constexpr std::string_view kClassColumns = "id, school_id, grade, name, students";

Class ClassFromRow(const ResultSet& rs, size_t r) {
  return {rs.GetInt(r, 0), rs.GetInt(r, 1), static_cast<int>(rs.GetInt(r, 2)), rs.GetText(r, 3),
          rs.GetInt(r, 4)};
}

// The class and its school, if the principal may see the school.
StatusOr<std::pair<Class, Org>> LoadVisibleClass(Connection& tx,
                                                 const accounts::Principal& principal,
                                                 int64_t class_id) {
  ASSIGN_OR_RETURN(ResultSet rs, tx.Query("SELECT " + std::string(kClassColumns) +
                                              " FROM classes WHERE id = $1",
                                          {class_id}));
  if (rs.empty()) return internal::ClassNotFound(class_id);
  Class c = ClassFromRow(rs, 0);
  ASSIGN_OR_RETURN(std::optional<Org> school, internal::LoadOrg(tx, c.school_id));
  if (!school || !principal.CanSee(school->path)) return internal::ClassNotFound(class_id);
  return std::make_pair(std::move(c), *std::move(school));
}

Status ValidateClassFields(const Org& school, int grade, const std::string& name,
                           int64_t students) {
  RETURN_IF_ERROR(internal::CheckGradeForOrg(school, grade));
  RETURN_IF_ERROR(internal::ValidateName(name, "name"));
  if (students < 0 || students > 200) {
    return FieldError("students", "students must be between 0 and 200",
                      "学生人数必须在 0 到 200 之间");
  }
  return OkStatus();
}

Status CheckUniqueName(Connection& tx, int64_t school_id, int grade, const std::string& name,
                       int64_t except_id) {
  ASSIGN_OR_RETURN(ResultSet rs,
                   tx.Query("SELECT id FROM classes WHERE school_id = $1 AND grade = $2 AND "
                            "name = $3 AND id <> $4",
                            {school_id, int64_t{grade}, name, except_id}));
  if (rs.empty()) return OkStatus();
  return AlreadyExistsError("the school already has a class \"" + name + "\" in grade " +
                                std::to_string(grade),
                            "该校该年级已有班级“" + name + "”")
      .WithField("name");
}

}  // namespace

StatusOr<std::vector<Class>> ListClasses(Connection& conn, const accounts::Principal& principal,
                                         int64_t school_id) {
  std::vector<Class> out;
  Status s = storage::RunInTransaction(conn, storage::TransactionMode::kRead,
                                       [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Org school, internal::LoadVisibleOrg(tx, principal, school_id));
    ASSIGN_OR_RETURN(ResultSet rs, tx.Query("SELECT " + std::string(kClassColumns) +
                                                " FROM classes WHERE school_id = $1 "
                                                "ORDER BY grade, name",
                                            {school.id}));
    for (size_t r = 0; r < rs.size(); ++r) out.push_back(ClassFromRow(rs, r));
    return OkStatus();
  });
  RETURN_IF_ERROR(s);
  return out;
}

StatusOr<Class> internal::CreateClassTx(Connection& conn, const accounts::Principal& principal,
                            const Clock& clock, int64_t school_id, const NewClass& in) {
  Class created;
  Status s = [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Org school, internal::LoadVisibleOrg(tx, principal, school_id));
    RETURN_IF_ERROR(internal::CheckCanEditMembers(principal, school));
    RETURN_IF_ERROR(ValidateClassFields(school, in.grade, in.name, in.students));
    RETURN_IF_ERROR(CheckUniqueName(tx, school_id, in.grade, in.name, 0));
    const int64_t now = ToUnixMicros(clock.Now());
    ASSIGN_OR_RETURN(ResultSet rs,
                     tx.Query("INSERT INTO classes (school_id, grade, name, students, synthetic, "
                              "created_at, updated_at) VALUES ($1, $2, $3, $4, 0, $5, $5) "
                              "RETURNING id",
                              {school_id, int64_t{in.grade}, in.name, in.students, now}));
    created = {rs.GetInt(0, 0), school_id, in.grade, in.name, in.students};
    return internal::Audit(tx, principal, clock, "class.create", "class", created.id, nullptr,
                           ToJson(created));
  }(conn);
  RETURN_IF_ERROR(s);
  return created;
}

StatusOr<Class> CreateClass(Connection& conn, const accounts::Principal& principal, const Clock& clock,
    int64_t school_id, const NewClass& in) {
  internal::RegistryWriteScope registry_changed(conn);  // bumps RegistryGeneration() after the commit
  StatusOr<Class> out = InternalError("unreachable");
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    out = internal::CreateClassTx(tx, principal, clock, school_id, in);
    return out.status();
  }));
  return out;
}

StatusOr<Class> internal::UpdateClassTx(Connection& conn, const accounts::Principal& principal,
                            const Clock& clock, int64_t class_id, const ClassPatch& patch) {
  Class updated;
  Status s = [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(auto found, LoadVisibleClass(tx, principal, class_id));
    auto& [before, school] = found;
    RETURN_IF_ERROR(internal::CheckCanEditMembers(principal, school));
    Class after = before;
    if (patch.grade) after.grade = *patch.grade;
    if (patch.name) after.name = *patch.name;
    if (patch.students) after.students = *patch.students;
    RETURN_IF_ERROR(ValidateClassFields(school, after.grade, after.name, after.students));
    RETURN_IF_ERROR(CheckUniqueName(tx, school.id, after.grade, after.name, class_id));
    RETURN_IF_ERROR(tx.Execute("UPDATE classes SET grade = $1, name = $2, students = $3, "
                               "updated_at = $4 WHERE id = $5",
                               {int64_t{after.grade}, after.name, after.students,
                                ToUnixMicros(clock.Now()), class_id}));
    updated = after;
    return internal::Audit(tx, principal, clock, "class.update", "class", class_id,
                           ToJson(before), ToJson(after));
  }(conn);
  RETURN_IF_ERROR(s);
  return updated;
}

StatusOr<Class> UpdateClass(Connection& conn, const accounts::Principal& principal, const Clock& clock,
    int64_t class_id, const ClassPatch& patch) {
  internal::RegistryWriteScope registry_changed(conn);  // bumps RegistryGeneration() after the commit
  StatusOr<Class> out = InternalError("unreachable");
  RETURN_IF_ERROR(storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    out = internal::UpdateClassTx(tx, principal, clock, class_id, patch);
    return out.status();
  }));
  return out;
}

Status DeleteClass(Connection& conn, const accounts::Principal& principal, const Clock& clock,
                   int64_t class_id) {
  internal::RegistryWriteScope registry_changed(conn);  // bumps RegistryGeneration() after the commit
  return storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(auto found, LoadVisibleClass(tx, principal, class_id));
    auto& [before, school] = found;
    RETURN_IF_ERROR(internal::CheckCanEditMembers(principal, school));
    RETURN_IF_ERROR(tx.Execute("DELETE FROM classes WHERE id = $1", {class_id}));
    return internal::Audit(tx, principal, clock, "class.delete", "class", class_id,
                           ToJson(before), nullptr);
  });
}

}  // namespace edugov::registry
