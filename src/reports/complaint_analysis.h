// Complaint analysis (plan item 5): the periodic written report on the
// complaints (信访投诉举报) in the cases table — routine (over time),
// regional (by township and school, per 1,000 students) and topical (one
// category in depth) — with the weak links it finds and the rectification
// and accountability it recommends, in Chinese and English.
//
//   reports::ComplaintReportRequest req;
//   req.kind = reports::ReportKind::kRegional;
//   req.from = Date::FromYmd(2025, 1, 1);
//   req.to = Date::FromYmd(2025, 6, 30);
//   req.scope_org_id = township_id;     // point-to-point: only that part
//   ASSIGN_OR_RETURN(reports::ComplaintReport r, reports::AnalyzeComplaints(conn, req));
//   std::string html = reports::ReportHtml(r);   // report_formats.h
//
// What is read: complaints as figures (cases/case_figures.h: category, org,
// opened_at, state, due_at, closed_at, satisfaction, merged_into, ref) and
// the registry's orgs and students per school (registry/registry.h). Never
// the confidential column, the fields, the titles or the timeline: nothing
// in a report can identify a complainant, so a report may go to the school
// concerned.
//
// Deterministic: the same database, request and as_of give the same report
// (every list has a total order). Thread-safe (no shared state); `conn` is
// used only for the duration of the call and must not be shared meanwhile.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/status.h"
#include "storage/database.h"

namespace edugov::reports {

enum class ReportKind { kRoutine, kRegional, kTopical };
// "routine", "regional", "topical".
std::optional<ReportKind> ParseReportKind(std::string_view text);
std::string_view ReportKindName(ReportKind kind);

struct Bilingual {
  std::string zh;
  std::string en;
};

// What the report calls rising and the deadlines its recommendations set —
// the complaint case type's `report:` (policy/cases/complaint.yaml, read by
// ComplaintReportThresholds in category_labels.h). No defaults: every value
// must be set (positive).
struct ComplaintThresholds {
  int rectification_working_days = 0;   // a school's rectification
  int campaign_working_days = 0;        // a category-wide campaign
  int accountability_working_days = 0;  // overdue: written criticism when still open after this
  // Rising: at least rising_min_count this period, at least
  // rising_min_ratio times the previous period's and rising_min_increase more.
  int rising_min_count = 0;
  double rising_min_ratio = 0;
  int rising_min_increase = 0;
};

struct ComplaintReportRequest {
  ReportKind kind = ReportKind::kRoutine;
  Date from;  // first day, China Standard Time
  Date to;    // last day (inclusive); to >= from, at most 3 years after from
  // The category analysed in depth; required for kTopical, ignored otherwise.
  std::string topic;
  // Point-to-point: the org (county, township or school) whose part the
  // report covers; 0: the whole tree (the root org).
  int64_t scope_org_id = 0;
  // "Now" for overdue: cases whose deadline passed before this instant and
  // that were not closed by then. Unset: the end of `to` (00:00 of to + 1).
  std::optional<int64_t> as_of_us;
  // Category labels (key → label) from the complaint case type
  // (reports/category_labels.h); a key not listed is shown as the key itself.
  std::vector<std::pair<std::string, Bilingual>> categories;
  ComplaintThresholds thresholds;
};

// One period's figures for a group of complaints.
struct Counts {
  int64_t received = 0;  // complaints opened in the period, repeats included
  int64_t repeats = 0;   // of those, merged into an earlier complaint (merged_into set)
  int64_t closed = 0;    // closed by as_of
  int64_t open = 0;      // not closed by as_of (repeats excluded: they live in their target)
  int64_t overdue = 0;   // open and past their deadline at as_of
  int64_t rated = 0;     // with a satisfaction rating
  int64_t satisfied = 0; // rated 4 or 5
  double satisfaction_avg = 0;  // mean rating, 0 when none rated
};

struct Unit {
  int64_t org_id = 0;  // 0: county-level complaints (no org)
  std::string name;
  std::string kind;    // "township", "school", "county"
  int64_t township_id = 0;
  std::string township_name;
  int64_t students = 0;
  Counts current;
  int64_t previous_received = 0;
  // received per 1,000 students in the current period; nullopt when the
  // unit has no students on record (a rate would be meaningless).
  std::optional<double> rate_per_1000;
};

struct CategoryRow {
  std::string key;
  Bilingual label;
  int64_t current = 0;
  int64_t previous = 0;
  std::vector<int64_t> by_month;  // parallel to ComplaintReport::months
};

struct CaseRef {
  int64_t id = 0;
  std::string ref;
  std::string category;
  int64_t org_id = 0;
  std::string org_name;
  int64_t township_id = 0;
  std::string opened_on;  // YYYY-MM-DD
  std::string due_on;     // YYYY-MM-DD; empty when none
  int64_t days_overdue = 0;  // whole calendar days past due at as_of
};

struct WeakLink {
  enum class Kind { kSchoolRising, kCategoryRising, kRepeats, kOverdue };
  Kind kind = Kind::kSchoolRising;
  int64_t org_id = 0;  // the school (or township) concerned; 0 for a county-wide category
  std::string org_name;
  int64_t township_id = 0;
  std::string category;  // kCategoryRising; the dominant category otherwise
  int64_t current = 0;   // rising: this period; repeats/overdue: how many
  int64_t previous = 0;
  std::vector<std::string> refs;  // the cases behind it (repeats: the targets; overdue: the cases)
  Bilingual text;
};

struct Recommendation {
  enum class Kind { kRectification, kAccountability };
  Kind kind = Kind::kRectification;
  int64_t org_id = 0;  // who must act; 0: the bureau
  std::string org_name;
  int64_t township_id = 0;
  int due_working_days = 0;  // the deadline the bureau sets for the rectification
  Bilingual text;
};

struct TopicSection {
  std::string key;
  Bilingual label;
  Counts current;
  int64_t previous = 0;
  std::vector<int64_t> by_month;       // parallel to months
  std::vector<Unit> by_school;         // schools with ≥1 complaint of the topic, most first
  std::vector<CaseRef> repeat_targets; // complaints others merged into (one row per repeat)
  std::vector<CaseRef> overdue;
  std::vector<int64_t> satisfaction_histogram;  // [0] = rated 1 … [4] = rated 5
};

// One unit's part for point-to-point feedback (反馈): its own figures, its
// weak links and what it must do; nothing about other units.
struct Feedback {
  Unit unit;
  std::vector<WeakLink> weak_links;
  std::vector<Recommendation> recommendations;
};

struct ComplaintReport {
  ReportKind kind = ReportKind::kRoutine;
  Date from, to, previous_from, previous_to;
  int64_t as_of_us = 0;
  int64_t scope_org_id = 0;
  std::string scope_name;  // e.g. "安化县教育局", "东坪镇中心学校"
  std::string scope_kind;  // org kind of the scope
  bool county_wide = true; // the scope is the county (or above): distribution list applies
  Bilingual title;

  Counts current;
  int64_t previous_received = 0;
  int64_t students = 0;
  std::optional<double> rate_per_1000;

  std::vector<std::string> months;      // "2025-01" … covered by [from, to]
  std::vector<CategoryRow> categories;  // every category with ≥1 complaint in either period, most first
  std::vector<Unit> townships;          // regional: every township in scope, highest rate first
  std::vector<Unit> schools;            // regional: schools with complaints in either period, highest rate first
  std::optional<TopicSection> topic;    // kTopical

  std::vector<WeakLink> weak_links;
  std::vector<Recommendation> recommendations;
  std::vector<Feedback> feedback;       // per township, then per school, with anything to say

  ComplaintThresholds thresholds;  // the request's, for the report's notes

  // The distribution (报送/抄送) when county_wide.
  std::vector<Bilingual> send_to;
  std::vector<Bilingual> copy_to;
};

// Builds the report. kInvalidArgument naming the field for a bad period
// (to < from, longer than three years) or a missing/unknown topic for
// kTopical; kFailedPrecondition naming the threshold
// ("thresholds.rising_min_count") when one is unset; kNotFound for a
// scope_org_id that does not exist. Reads inside
// one read transaction when `conn` is not already in one.
StatusOr<ComplaintReport> AnalyzeComplaints(storage::Connection& conn, const ComplaintReportRequest& request);

}  // namespace edugov::reports
