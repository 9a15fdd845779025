// The engine's building blocks, shared by engine.cc (opening, transitions,
// views, the public side) and sweep.cc (reminders and escalation):
//   access.cc  who may see a case and take a transition
//   fields.cc  field values checked against their specs; attachments
//   clocks.cc  time limits, deadlines, assignees
//   ops.cc     the writes every change makes: event, row, audit, notice
// Everything here runs inside the caller's transaction on `tx`/`conn`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/engine.h"
#include "cases/internal/store.h"

namespace edugov::cases::internal {

constexpr int64_t kDayUs = 86'400'000'000LL;
constexpr int64_t kShanghaiOffsetUs = 8 * 3'600'000'000LL;

// ---- access.cc
// The one answer for a case the actor may not see and one that does not
// exist, so probing ids learns nothing; likewise for tracking codes.
Status CaseNotFound();
Status CodeNotFound();
// A reference in a write — org_id, staff_id, a field of type org or staff —
// that the actor may not name: one answer (kNotFound naming `field`, not the
// id) whether the target exists in another subtree or nowhere, so a write
// is no existence oracle.
enum class RefTarget { kOrg, kStaff };
Status ReferenceNotFound(const std::string& field, RefTarget target);
// Whether the actor may name org / staff member `id` in a write: a user one
// in their subtree (a staff member by the unit they belong to); the public
// and the system any that exists.
StatusOr<bool> MayReference(storage::Connection& conn, const Actor& a, RefTarget target, int64_t id);
int64_t NowUs(const EngineDeps& d);
std::string ActorName(const Actor& a);  // username, "public", "system"
int64_t ActorId(const Actor& a);        // 0 unless a user
std::string RoleTokenName(const RoleToken& t);
std::string RolesList(const std::vector<RoleToken>& roles);
// A bureau_dept user of one of the type's confidential_readers departments.
bool IsConfidentialReader(const Actor& a, const CaseType& t);
bool UserCanSee(const accounts::Principal& p, const CaseRow& c);
bool ActorCanSee(const Actor& a, const CaseRow& c);
StatusOr<std::string> OrgPath(storage::Connection& conn, int64_t org_id);
// Whether the actor holds the token (users must also see the case).
StatusOr<bool> Holds(storage::Connection& conn, const Actor& a, const RoleToken& t, const CaseRow& c);
StatusOr<bool> HoldsAny(storage::Connection& conn, const Actor& a, const std::vector<RoleToken>& roles,
                        const CaseRow& c);
bool FromMatches(const CaseType& type, const TransitionSpec& tr, const std::string& state);

// ---- fields.cc
struct SplitFields {
  nlohmann::json plain = nlohmann::json::object();
  nlohmann::json secret = nlohmann::json::object();  // the confidential ones
};
// Checks every given field against its spec (kInvalidArgument naming
// fields.<name>; an org or staff id the actor may not name: ReferenceNotFound
// on fields.<name>) and splits the confidential ones off; null or "" clears.
StatusOr<SplitFields> NormalizeFields(storage::Connection& conn, const Actor& a, const CaseType& type,
                                      const nlohmann::json& in);
// Applies `changes` to `target`; a null value erases the key.
void MergeInto(nlohmann::json& target, const nlohmann::json& changes);

struct CheckedAttachment {
  std::string filename;  // without any directory part
  std::string content_type;
  const std::string* bytes = nullptr;  // points into the request
};
// At most kMaxAttachments of at most kMaxAttachmentBytes each, of a sniffed
// image or PDF type; kInvalidArgument naming the file otherwise.
StatusOr<std::vector<CheckedAttachment>> CheckAttachments(const std::vector<AttachmentInput>& in);
// Inserts the files sealed with d.box: bytes, name and checksum
// (docs/security.md, "Identity sealed at rest").
Status StoreAttachments(const EngineDeps& d, storage::Connection& tx, int64_t case_id, int64_t event_id,
                        const std::vector<CheckedAttachment>& files, bool confidential,
                        const std::string& by, int64_t now);
struct AttachmentMeta {
  std::string filename;
  std::string sha256;
  bool sealed = false;  // false: a row from before migration 012, not sealed yet
};
// The name and checksum of case_attachments row `r` of `rs`, opened from
// its sealed_meta column when set (kInternal: wrong key or tampering).
StatusOr<AttachmentMeta> OpenAttachmentMeta(const EngineDeps& d, const storage::ResultSet& rs, size_t r,
                                            size_t filename_col, size_t sha256_col, size_t sealed_meta_col);

// ---- clocks.cc
// The working days allowed in state `s` for a case with these fields.
std::optional<int> LimitDays(const StateSpec& s, const nlohmann::json& fields, int extended);
// Sets c.due_at / c.deadline_unknown / c.deadline_provisional for c.state,
// entered at c.state_entered_at.
Status ComputeDue(const EngineDeps& d, const CaseType& type, CaseRow& c);
// 00:00 Asia/Shanghai of `d`, in microseconds since the epoch.
int64_t StartOfDayUs(Date d);
// Sets who must act from the state's assignee rule (unchanged if it has none).
Status ComputeAssignee(storage::Connection& conn, const StateSpec& s, CaseRow& c);

// ---- ops.cc
Status Notify(const EngineDeps& d, storage::Connection& tx, const CaseRow& c, const std::string& kind,
              const std::string& level, int64_t org, const std::string& dept, const std::string& zh,
              const std::string& en);
Status NotifyAssignee(const EngineDeps& d, storage::Connection& tx, const CaseRow& c,
                      const std::string& kind, const std::string& zh, const std::string& en);
// The audit entry's JSON of a case: never a confidential value.
nlohmann::json AuditJson(const CaseRow& c);
Status Audit(const EngineDeps& d, storage::Connection& tx, const Actor& a, const std::string& action,
             const CaseRow* before, const CaseRow& after);
struct EventIn {
  std::string kind, transition, from, to, comment;
  nlohmann::json fields = nlohmann::json::object();
  bool is_public = false;
};
StatusOr<int64_t> AddEvent(storage::Connection& tx, int64_t case_id, const Actor& a, int64_t now,
                           const EventIn& e);
storage::Value OptInt(const std::optional<int64_t>& v);
storage::Value IdOrNull(int64_t v);
// Writes every mutable column back, guarded by the version it was read at
// (c.version is the new one): kFailedPrecondition, field "version", if
// someone else wrote meanwhile.
Status UpdateRow(storage::Connection& tx, const CaseRow& c, int64_t now);
StatusOr<nlohmann::json> OpenSecret(const EngineDeps& d, const CaseRow& c);
std::string EnumLabel(const CaseType& t, const std::string& field, const std::string& key);

}  // namespace edugov::cases::internal
