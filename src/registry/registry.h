// The registry: the org tree (province → city → county bureau → township
// central school → school), classes, staff and their postings — the facts
// the plan's rules and targets are evaluated against (docs/registry.md).
//
//   ASSIGN_OR_RETURN(registry::OrgDetail org, registry::GetOrg(*conn, principal, 37));
//   ASSIGN_OR_RETURN(registry::Class c, registry::CreateClass(*conn, principal, clock, 37,
//       {.grade = 7, .name = "七年级3班", .students = 42}));
//
// Every function checks the principal itself:
//   - scope: an org (class, staff member) outside the principal's subtree is
//     kNotFound with the same message as one that does not exist, so the
//     caller learns nothing about it;
//   - role: bureau roles edit everything in their subtree; a township edits
//     the schools below it (not itself); a school edits its own classes and
//     staff but not org rows (its own flags included); teachers and
//     inspectors only read (kPermissionDenied).
// Input errors are kInvalidArgument naming the field (Status::field()), in
// Chinese and English. Writes run in one write transaction together with
// their audit entry (ledger::AppendAudit, before/after as JSON); the
// connection must not be inside a transaction already.
//
// Thread-safety: the functions hold no state; a Connection is used by one
// thread at a time (storage/database.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "storage/database.h"

namespace edugov::registry {

// ---------------------------------------------------------------- enums
// Each enum has a stable snake_case name (stored in the database and used in
// JSON) and a parser that also accepts the Chinese label clerks write
// ("小学", "校长") — the CSV import relies on that.

enum class OrgKind { kProvince, kCity, kCounty, kTownship, kSchool };
enum class Stage {
  kKindergarten,        // 幼儿园, grades -2..0 (小班, 中班, 大班)
  kPrimary,             // 小学, 1..6
  kNineYear,            // 九年一贯制, 1..9
  kJunior,              // 初中, 7..9
  kCompleteSecondary,   // 完全中学, 7..12
  kSenior,              // 高中, 10..12
  kVocational,          // 职业学校, 10..12
  kSpecial,             // 特殊教育学校, 1..12
};
enum class Post {
  kPrincipal,          // 校长
  kPartySecretary,     // 党组织书记
  kVicePrincipal,      // 副校长
  kTeacher,            // 教师
  kSubstituteTeacher,  // 代课教师
  kStaff,              // 职工
};
enum class HireKind {
  kFundedNormal,        // 公费/统招
  kSpecialPost,         // 特岗教师
  kShortageTalent,      // 紧缺人才引进
  kTransfer,            // 调入
  kNationalProgramme,   // 国家/省公费师范生等计划
  kSubstitute,          // 代课
  kOther,
};
enum class Gender { kMale, kFemale };

std::string_view OrgKindName(OrgKind kind);
std::optional<OrgKind> ParseOrgKind(std::string_view text);
std::string_view StageName(Stage stage);
std::string_view StageLabelZh(Stage stage);
std::optional<Stage> ParseStage(std::string_view text);
std::string_view PostName(Post post);
std::optional<Post> ParsePost(std::string_view text);
std::string_view HireKindName(HireKind kind);
std::optional<HireKind> ParseHireKind(std::string_view text);
std::string_view GenderName(Gender gender);
std::optional<Gender> ParseGender(std::string_view text);

// The grades a school of `stage` may have, inclusive.
std::pair<int, int> GradeRange(Stage stage);
// Primary, nine-year, junior and special schools: the plan's "义务教育学校".
bool IsCompulsory(Stage stage);

// ---------------------------------------------------------------- types

struct OrgFlags {
  bool rural = false;
  bool boarding = false;
  bool standardised = false;
  bool canteen = false;
  bool party_branch = false;
  friend bool operator==(const OrgFlags&, const OrgFlags&) = default;
};

struct Org {
  int64_t id = 0;
  std::optional<int64_t> parent_id;  // nullopt for the root
  OrgKind kind = OrgKind::kSchool;
  std::string code;
  std::string name;
  std::string path;  // "/1/4/37/"
  std::optional<Stage> stage;  // set for townships and schools only
  OrgFlags flags;
  bool synthetic = false;  // demo data
  int64_t created_at_us = 0;
  int64_t updated_at_us = 0;
};

// Counts over an org's subtree, the org itself included. `schools` counts
// every org with a stage, so a township central school counts as a school.
// `staff` counts active staff only.
struct Counts {
  int64_t townships = 0;
  int64_t schools = 0;
  int64_t classes = 0;
  int64_t students = 0;
  int64_t staff = 0;
};

struct OrgRef {
  int64_t id = 0;
  std::string name;
  OrgKind kind = OrgKind::kSchool;
};

struct OrgDetail {
  Org org;
  // From the root of the principal's subtree down to the parent (not beyond
  // what the principal may see), for a breadcrumb.
  std::vector<OrgRef> ancestors;
  Counts counts;
};

struct OrgWithCounts {
  Org org;
  Counts counts;
};

struct TownshipSummary {
  int64_t org_id = 0;
  std::string name;
  Counts counts;
};
struct StageSummary {
  Stage stage = Stage::kPrimary;
  int64_t schools = 0;
  int64_t classes = 0;
  int64_t students = 0;
};
struct Overview {
  Counts total;
  std::vector<TownshipSummary> by_township;  // in path order
  std::vector<StageSummary> by_stage;        // in Stage order, non-empty only
};

struct Class {
  int64_t id = 0;
  int64_t school_id = 0;
  int grade = 0;
  std::string name;
  int64_t students = 0;
};

struct Staff {
  int64_t id = 0;
  int64_t org_id = 0;  // the current posting's org
  std::string code;
  std::string name;
  Gender gender = Gender::kFemale;
  std::optional<Date> birth_date;
  std::optional<Date> hired_on;
  HireKind hire_kind = HireKind::kOther;
  std::vector<Post> posts;  // in Post order, no duplicates
  bool active = true;
  bool synthetic = false;
};

// A posting covers [start_date, end_date); end_date is nullopt while it is
// the current one. `rural` was copied from the org when it was recorded.
struct Posting {
  int64_t id = 0;
  int64_t org_id = 0;
  std::string org_name;
  Date start_date;
  std::optional<Date> end_date;
  bool rural = false;
};

struct StaffDetail {
  Staff staff;
  std::string org_name;
  std::vector<Posting> postings;  // oldest first
  Date as_of;                     // today in China, from the clock
  double rural_years = 0;         // RuralTeachingYears(postings, as_of)
};

// ---------------------------------------------------------------- generation
// The registry's change counter, bumped after every registry write commits
// (org, class, staff, posting created/changed/deleted; a CSV import).
// Caches of registry-derived data (rules/live_image.h, the findings read
// cache) note it before they read and reload when it moved. It lives in
// the database (storage/generations.h), so a write by another process —
// `edugov registry import`, a second server node — moves it too.
StatusOr<uint64_t> RegistryGeneration(storage::Connection& conn);

// ---------------------------------------------------------------- reads

// The org with its breadcrumb and subtree counts.
StatusOr<OrgDetail> GetOrg(storage::Connection& conn, const accounts::Principal& principal,
                           int64_t org_id);

// The org's direct children, by code, each with its subtree counts.
StatusOr<std::vector<OrgWithCounts>> ListChildren(storage::Connection& conn,
                                                  const accounts::Principal& principal,
                                                  int64_t org_id);

// Counts of the org's subtree by township and by stage. Schools directly
// under a county (senior high schools, kindergartens) appear in `by_stage`
// and `total` but in no township row.
StatusOr<Overview> GetOverview(storage::Connection& conn, const accounts::Principal& principal,
                               int64_t org_id);

// The classes of one school (or township central school), by grade and name.
StatusOr<std::vector<Class>> ListClasses(storage::Connection& conn,
                                         const accounts::Principal& principal, int64_t school_id);

struct StaffFilter {
  std::optional<Post> post;  // only staff holding this post
  bool include_inactive = false;
  int64_t offset = 0;  // >= 0
  int64_t limit = 50;  // 1..1000
};
struct StaffPage {
  std::vector<Staff> items;  // by code
  int64_t total = 0;         // matching staff, ignoring offset and limit
};

// Staff whose current org lies in the subtree of `org_id`.
StatusOr<StaffPage> ListStaff(storage::Connection& conn, const accounts::Principal& principal,
                              int64_t org_id, const StaffFilter& filter);

// One staff member with all postings and rural teaching years as of today
// (by `clock`). Visible when their current org is; the postings then show
// every org they worked at, by name, even outside the principal's subtree.
StatusOr<StaffDetail> GetStaff(storage::Connection& conn, const accounts::Principal& principal,
                               const Clock& clock, int64_t staff_id);

// ---------------------------------------------------------------- for other modules
// The registry owns orgs, classes and staff: other modules that need a fact
// about them (is this id a school in my subtree? what is this class
// called?) ask here instead of querying the tables.

// The org `org_id` if the principal may see it — no breadcrumb, no counts:
// the cheap check of an id handed to another module (a findings filter, a
// timetable upload's school). kNotFound, same as GetOrg, otherwise.
StatusOr<Org> FindOrg(storage::Connection& conn, const accounts::Principal& principal, int64_t org_id);

// A class's name with its school's, for labels.
struct ClassName {
  std::string name;  // "七年级3班"
  int64_t school_id = 0;
  std::string school_name;
};

// Names by id, for labelling rows the caller has already been allowed to
// read (a finding in its subtree, a dataset row in its subtree): not scoped,
// because the label belongs to the row being shown — a staff member who has
// since moved away keeps their name on last term's rows. Ids that do not
// exist are absent from the map. Any number of ids (queried in chunks).
StatusOr<std::map<int64_t, std::string>> OrgNames(storage::Connection& conn, const std::set<int64_t>& ids);
StatusOr<std::map<int64_t, ClassName>> ClassNames(storage::Connection& conn, const std::set<int64_t>& ids);
StatusOr<std::map<int64_t, std::string>> StaffNames(storage::Connection& conn, const std::set<int64_t>& ids);

// The orgs with these ids, unscoped, for a module whose own rows hold org
// ids and which checks the paths itself (accounts: the org each user is
// bound to). Ids that do not exist are absent. Any number of ids.
StatusOr<std::map<int64_t, Org>> OrgsByIdUnscoped(storage::Connection& conn, const std::set<int64_t>& ids);

// An org with the township it belongs to: the org itself when it is a
// township, its parent when it is a school under a township, else 0 (the
// county and above, a school directly under the county). Cases are filed
// and counted by it.
struct OrgWithTownship {
  Org org;
  int64_t township_id = 0;
};
StatusOr<std::optional<OrgWithTownship>> LookupOrgWithTownshipUnscoped(storage::Connection& conn,
                                                                       int64_t org_id);

// The root of the tree (the lowest id among orgs without a parent), and the
// county (the lowest-id org of kind county): where county-wide reports and
// cases about no particular unit belong. nullopt in an empty registry.
StatusOr<std::optional<Org>> LookupRootOrgUnscoped(storage::Connection& conn);
StatusOr<std::optional<Org>> LookupCountyUnscoped(storage::Connection& conn);

// One row of the staff table, without posts and postings: what a module
// that only refers to staff (by id or code) needs to know about them.
struct StaffRecord {
  int64_t id = 0;
  int64_t org_id = 0;  // the current posting's org
  std::string code;
  std::string name;
  bool active = true;
};
// nullopt when there is no such staff member (unscoped: the caller checks
// the org's path).
StatusOr<std::optional<StaffRecord>> LookupStaffRecordUnscoped(storage::Connection& conn, int64_t staff_id);
StatusOr<std::optional<StaffRecord>> LookupStaffRecordByCodeUnscoped(storage::Connection& conn,
                                                                     std::string_view code);
// The org of the staff member's current posting; nullopt when there is no
// such staff member. Where a sanction against them belongs.
StatusOr<std::optional<Org>> LookupStaffOrgUnscoped(storage::Connection& conn, int64_t staff_id);

// Active staff whose current org is `org_id` and who hold one of `posts`,
// one entry per (staff member, post), ordered by the post's stored name
// (PostName) and then staff id: who is accountable for a unit (its
// principal, its party secretary).
struct StaffPost {
  int64_t staff_id = 0;
  Post post = Post::kTeacher;
};
StatusOr<std::vector<StaffPost>> ListActiveStaffWithPostsUnscoped(storage::Connection& conn, int64_t org_id,
                                                                  const std::vector<Post>& posts);

// A class by id, and the class of `school_id` called `name` (the lowest id
// when two grades share a name); nullopt when there is none.
StatusOr<std::optional<Class>> LookupClassUnscoped(storage::Connection& conn, int64_t class_id);
StatusOr<std::optional<Class>> LookupClassByNameUnscoped(storage::Connection& conn, int64_t school_id,
                                                         std::string_view name);

// Students per school (the sum of its classes' students) for every school
// in the subtree `subtree` ("/1/4/"; "" for the whole registry) that has
// classes: the denominator of rates per 1,000 students.
StatusOr<std::map<int64_t, int64_t>> StudentsBySchoolUnscoped(storage::Connection& conn,
                                                              std::string_view subtree);

// ---------------------------------------------------------------- bulk reads
// The registry table by table, for in-memory images built at county to
// province scale (the rules engine's columnar image, datasets/columnar.h; a
// dataset import's reference lookups): one query per call, each row handed
// to `fn` as it is mapped, nothing scoped (the caller decides what the rows
// are for). `subtree` is a materialised path ("/1/4/") that keeps only rows
// inside it — for classes the school's path, for staff their current org's
// — or "" for the whole registry. Rows come in id order.
Status ForEachOrg(storage::Connection& conn, std::string_view subtree, const std::function<void(const Org&)>& fn);
Status ForEachClass(storage::Connection& conn, std::string_view subtree,
                    const std::function<void(const Class&)>& fn);
// Active and inactive staff alike (StaffRecord::active says which).
Status ForEachStaff(storage::Connection& conn, std::string_view subtree,
                    const std::function<void(const StaffRecord&)>& fn);
// Every (staff member, post) of the whole registry; posts the enum does
// not know are skipped.
Status ForEachStaffPost(storage::Connection& conn, const std::function<void(const StaffPost&)>& fn);
// RuralTeachingYears as of `as_of` for every staff member with a rural
// posting, by staff id (staff without one have 0 years and are not called).
Status ForEachRuralTeachingYears(storage::Connection& conn, Date as_of,
                                 const std::function<void(int64_t staff_id, double years)>& fn);

// ---------------------------------------------------------------- writes

struct NewOrg {
  int64_t parent_id = 0;
  OrgKind kind = OrgKind::kSchool;
  std::string code;
  std::string name;
  std::optional<Stage> stage;  // required for township and school, else forbidden
  OrgFlags flags;
};
// Creates a child of `parent_id`. Kinds nest province → city → county →
// township → school; a school may also sit directly under a county. Roots are
// created only by the demo generator or the command line.
// kAlreadyExists (field "code") when the code is taken.
StatusOr<Org> CreateOrg(storage::Connection& conn, const accounts::Principal& principal,
                        const Clock& clock, const NewOrg& org);

// Fields left nullopt are unchanged. Kind and parent cannot change (moving a
// subtree would rewrite its paths; not supported yet).
struct OrgPatch {
  std::optional<std::string> code;
  std::optional<std::string> name;
  std::optional<Stage> stage;
  std::optional<bool> rural;
  std::optional<bool> boarding;
  std::optional<bool> standardised;
  std::optional<bool> canteen;
  std::optional<bool> party_branch;
};
StatusOr<Org> UpdateOrg(storage::Connection& conn, const accounts::Principal& principal,
                        const Clock& clock, int64_t org_id, const OrgPatch& patch);

// Deletes an org with no children, classes, staff or postings; otherwise
// kFailedPrecondition saying what is left.
Status DeleteOrg(storage::Connection& conn, const accounts::Principal& principal,
                 const Clock& clock, int64_t org_id);

struct NewClass {
  int grade = 0;
  std::string name;
  int64_t students = 0;
};
// The grade must suit the school's stage (GradeRange); (grade, name) is
// unique per school (kAlreadyExists, field "name").
StatusOr<Class> CreateClass(storage::Connection& conn, const accounts::Principal& principal,
                            const Clock& clock, int64_t school_id, const NewClass& cls);

struct ClassPatch {
  std::optional<int> grade;
  std::optional<std::string> name;
  std::optional<int64_t> students;
};
StatusOr<Class> UpdateClass(storage::Connection& conn, const accounts::Principal& principal,
                            const Clock& clock, int64_t class_id, const ClassPatch& patch);
Status DeleteClass(storage::Connection& conn, const accounts::Principal& principal,
                   const Clock& clock, int64_t class_id);

struct NewStaff {
  std::string code;
  std::string name;
  Gender gender = Gender::kFemale;
  std::optional<Date> birth_date;
  std::optional<Date> hired_on;  // also the start of the first posting (today if unset)
  HireKind hire_kind = HireKind::kOther;
  std::vector<Post> posts;  // at least one
  bool active = true;
};
// Creates a staff member at `org_id` with an open posting there.
StatusOr<Staff> CreateStaff(storage::Connection& conn, const accounts::Principal& principal,
                            const Clock& clock, int64_t org_id, const NewStaff& staff);

// Fields left nullopt are unchanged; the org changes only through AddPosting.
struct StaffPatch {
  std::optional<std::string> code;
  std::optional<std::string> name;
  std::optional<Gender> gender;
  std::optional<std::optional<Date>> birth_date;  // {nullopt}: clear it
  std::optional<std::optional<Date>> hired_on;
  std::optional<HireKind> hire_kind;
  std::optional<std::vector<Post>> posts;
  std::optional<bool> active;
};
StatusOr<Staff> UpdateStaff(storage::Connection& conn, const accounts::Principal& principal,
                            const Clock& clock, int64_t staff_id, const StaffPatch& patch);

struct NewPosting {
  int64_t org_id = 0;
  Date start_date;
  // Set: a past posting, recorded for history only. Unset: the new current
  // posting — the open one is closed at start_date and the staff member
  // moves to org_id (which must be in the principal's subtree too).
  std::optional<Date> end_date;
};
StatusOr<Posting> AddPosting(storage::Connection& conn, const accounts::Principal& principal,
                             const Clock& clock, int64_t staff_id, const NewPosting& posting);

// ---------------------------------------------------------------- pure helpers

// Years spent at rural postings up to `as_of` (exclusive): the union of the
// rural postings' day ranges — overlapping postings count once, open ones run
// to as_of, days after as_of are ignored — divided by 365.25.
double RuralTeachingYears(const std::vector<Posting>& postings, Date as_of);

// The calendar date in China (UTC+8, no daylight saving) at `t`.
Date ChinaDate(TimePoint t);

// ---------------------------------------------------------------- unscoped
// For the command line and the demo generator only: no principal, no scope.

// The org with that code, or nullopt.
StatusOr<std::optional<Org>> LookupOrgByCodeUnscoped(storage::Connection& conn,
                                                     std::string_view code);
// Orgs with exactly that name (names are not unique), by path.
StatusOr<std::vector<Org>> LookupOrgsByNameUnscoped(storage::Connection& conn,
                                                    std::string_view name);
// The org with that id, or nullopt.
StatusOr<std::optional<Org>> LookupOrgUnscoped(storage::Connection& conn, int64_t org_id);
// The org a command-line argument names: the lowest id among orgs whose code
// is `id_or_code` or whose id, in decimal, is; nullopt when none.
StatusOr<std::optional<int64_t>> ResolveOrgIdOrCodeUnscoped(storage::Connection& conn,
                                                            std::string_view id_or_code);
// The classes of `school_id` by grade and name, with no scope and no
// transaction of its own: for a caller inside its write transaction that
// has already checked the school against its principal (a timetable
// upload matching its classes to the registry's).
StatusOr<std::vector<Class>> ListClassesUnscoped(storage::Connection& conn, int64_t school_id);
// Whether any org is synthetic (generated by `edugov demo-data`).
StatusOr<bool> HasSyntheticData(storage::Connection& conn);

// ---------------------------------------------------------------- for the HTTP layer
// Facts the public complaint form and the sanctions pages need, so that no
// handler queries the registry's tables.

// Whether staff member `staff_id` exists and their current org lies in the
// principal's subtree (false for both "no such staff" and "not yours", so a
// caller answering 404 leaks nothing).
StatusOr<bool> StaffVisible(storage::Connection& conn, const accounts::Principal& principal,
                            int64_t staff_id);

// The public directory of the complaint form (no login, so unscoped, names
// only): every township with its schools by name. `name` is the township
// org's own name (its central school, "东坪镇中心学校").
struct PublicTownship {
  int64_t id = 0;
  std::string name;
  std::vector<OrgRef> schools;  // kind school, by name then id; kind is kSchool
};
StatusOr<std::vector<PublicTownship>> ListPublicDirectory(storage::Connection& conn);

// Whether `org_id` is a place a parent may complain about: a school or a
// township (its central school). False for unknown ids.
StatusOr<bool> IsComplaintTarget(storage::Connection& conn, int64_t org_id);

}  // namespace edugov::registry
