// The JSON shapes of the case routes (case_handlers.h, public_complaint_handlers.h)
// and the one reader of uploaded attachments both share. Pure functions of
// their arguments; thread-safe. What a view holds is already filtered for its
// reader by the engine (cases/engine.h): these functions add nothing the view
// does not carry — in particular `confidential` appears only when the engine
// filled it, and the public view never names who handled a case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/case_type.h"
#include "cases/engine.h"
#include "common/status.h"
#include "http/request.h"
#include "storage/database.h"

namespace edugov::http {

// {zh, en}; en falls back to zh so clients never show an empty label.
nlohmann::json LabelJson(const cases::Label& label);
// RFC 3339 in +08:00, or null for an absent time.
nlohmann::json TimeJson(std::optional<int64_t> unix_us);

// GET /case-types item: {id, prefix, label, fields, states, transitions, …}.
nlohmann::json CaseTypeJson(const cases::CaseType& type);
// A case as listed: {id, ref, type, state, state_label, title, category,
// org, assignee, escalation_level, opened_at, due_at, overdue,
// overdue_working_days, deadline_unknown, deadline_provisional, closed_at,
// version}.
nlohmann::json CaseSummaryJson(const cases::CaseTypeRegistry& types, const cases::CaseView& v);
// Display names of the people on a case's timeline and attachments, by
// username ("dudao" → "督导室李主任"). Usernames the accounts store does not
// know are absent.
using ActorNames = std::map<std::string, std::string>;
// The display names of every actor and uploader `v` names (one accounts read
// per distinct username; "system" and "public" are not people).
StatusOr<ActorNames> ResolveActorNames(storage::Connection& conn, const cases::CaseView& v);

// The summary plus fields, confidential (readers only), timeline,
// attachments, links and the transitions the reader may take now.
// Each event carries `actor_label` {zh, en} — the person's display name from
// `names` (the username when absent), 系统/System, 投诉人/Complainant — and,
// for the clock's own events (催办, 升级督办, 期限重算), `text` {zh, en}: what happened
// in words, with levels and departments named, never a raw key.
nlohmann::json CaseDetailJson(const cases::CaseTypeRegistry& types, const cases::CaseView& v,
                              const ActorNames& names = {});

// Words for a role level or escalation step of a case type: "township" →
// {乡镇中心学校, township central school}; "department:supervision" →
// {局督导室, the bureau's supervision office}; an unknown token is returned as is.
cases::Label EscalationStepLabel(std::string_view token);
// What a complainant sees through the tracking code.
nlohmann::json PublicCaseJson(const cases::CaseTypeRegistry& types, const cases::PublicCaseView& v);

struct AttachmentLimits {
  size_t max_count = 5;
  size_t max_bytes = 5 * 1024 * 1024;        // per file, decoded (the engine's own limit too)
  size_t max_total_bytes = 6 * 1024 * 1024;  // all files of one request, decoded
};

// Reads `attachments: [{filename, content_base64}]` (absent or null: none).
// content_base64 is standard base64; a data: URL prefix ("data:image/png;base64,")
// and whitespace are tolerated. Errors name the field ("attachments[1]") and
// the file: kInvalidArgument for a malformed entry, a bad filename, empty or
// undecodable content; kResourceExhausted for too many files, a file over
// max_bytes or files over max_total_bytes together, naming the field, which
// ErrorResponse (error_mapping.cc) answers 413.
StatusOr<std::vector<cases::AttachmentInput>> ParseAttachments(const nlohmann::json* value,
                                                               const AttachmentLimits& limits);


}  // namespace edugov::http
