// A hand-built county for the report tests: two townships, two schools,
// students in classes, and complaints inserted straight into the cases table
// (the figures are then known by construction). Test-only.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/date.h"
#include "reports/category_labels.h"
#include "storage/database.h"

namespace edugov::reports::testfix {

// Org ids: 1 county 安化县教育局 /1/; 2 township 东坪镇中心学校 /1/2/ (300
// students); 3 school 东坪镇一小 /1/2/3/ (500); 4 township 梅城镇中心学校
// /1/4/ (200); 5 school 梅城镇中学 /1/4/5/ (1000).
inline constexpr int64_t kCounty = 1, kDongping = 2, kDongpingPrimary = 3, kMeicheng = 4, kMeichengMiddle = 5;

inline int64_t At(const char* rfc3339) { return ToUnixMicros(ParseTimestamp(rfc3339).value()); }

inline Status BuildRegistry(storage::Connection& c) {
  const char* orgs[] = {
      "(1, NULL, 'county', 'C1', '安化县教育局', '/1/', NULL)",
      "(2, 1, 'township', 'T2', '东坪镇中心学校', '/1/2/', 'nine_year')",
      "(3, 2, 'school', 'S3', '东坪镇一小', '/1/2/3/', 'primary')",
      "(4, 1, 'township', 'T4', '梅城镇中心学校', '/1/4/', 'nine_year')",
      "(5, 4, 'school', 'S5', '梅城镇中学', '/1/4/5/', 'junior')",
  };
  for (const char* o : orgs) {
    auto r = c.Execute(std::string("INSERT INTO orgs (id, parent_id, kind, code, name, path, stage, created_at, "
                                   "updated_at) VALUES ") + std::string(o).insert(std::string(o).size() - 1, ", 0, 0"));
    if (!r.ok()) return r.status();
  }
  const char* classes[] = {"(2, 1, '1班', 300)", "(3, 1, '1班', 250)", "(3, 2, '1班', 250)", "(4, 1, '1班', 200)",
                           "(5, 7, '1班', 1000)"};
  for (const char* k : classes) {
    auto r = c.Execute(std::string("INSERT INTO classes (school_id, grade, name, students, created_at, updated_at) "
                                   "VALUES ") + std::string(k).insert(std::string(k).size() - 1, ", 0, 0"));
    if (!r.ok()) return r.status();
  }
  return OkStatus();
}

struct CaseRow {
  int64_t id;
  std::string category;
  int64_t org_id;  // 0: county-level
  std::string opened;  // RFC 3339
  std::string due;     // "" none
  std::string closed;  // "" open
  int satisfaction = 0;  // 0 none
  int64_t merged_into = 0;
  std::string case_type = "complaint";
};

inline Status InsertCase(storage::Connection& c, const CaseRow& k) {
  const std::string paths[] = {"/1/", "/1/", "/1/2/", "/1/2/3/", "/1/4/", "/1/4/5/"};
  char ref[32];
  std::snprintf(ref, sizeof ref, "TS2025-%06lld", static_cast<long long>(k.id));
  storage::Params p = {
      storage::Value(k.id),
      storage::Value(std::string(ref)),
      storage::Value(k.case_type),
      storage::Value(std::string(k.closed.empty() ? (k.merged_into ? "merged" : "handling") : "closed")),
      storage::Value(k.category),
      k.org_id ? storage::Value(k.org_id) : storage::Null(),
      storage::Value(paths[k.org_id]),
      storage::Value(At(k.opened.c_str())),
      k.due.empty() ? storage::Null() : storage::Value(At(k.due.c_str())),
      k.closed.empty() ? storage::Null() : storage::Value(At(k.closed.c_str())),
      k.satisfaction ? storage::Value(int64_t{k.satisfaction}) : storage::Null(),
      k.merged_into ? storage::Value(k.merged_into) : storage::Null(),
      // A sealed identity the report must never read.
      storage::Value(storage::Blob{"SECRET-张三-13800000000"}),
  };
  auto r = c.Execute(
      "INSERT INTO cases (id, ref, case_type, state, title, category, org_id, org_path, assignee_level, opened_at, "
      "state_entered_at, due_at, closed_at, satisfaction, merged_into, confidential, fields_json, updated_at) "
      "VALUES ($1, $2, $3, $4, '张三投诉:食堂饭菜变质', $5, $6, $7, 'school', $8, $8, $9, $10, $11, $12, $13, "
      "'{\"name\":\"张三\"}', $8)",
      p);
  return r.ok() ? OkStatus() : r.status();
}

// Period 2025-03-01…03-31 against 2025-01-29…02-28. Expected, county-wide:
//   current 8 received (meals 5 incl. 1 repeat, fees 2, other 1 county-level),
//   previous 3 (meals 1, fees 2); meals rising (5 vs 1);
//   school 3 rising (5 vs 1); overdue at 2025-04-01: case 7 (school 5) and
//   the old case 20 (school 3, opened 2024-12); satisfaction 5 and 2.
inline Status BuildCases(storage::Connection& c) {
  const CaseRow rows[] = {
      // previous period
      {101, "meals", 3, "2025-02-10T09:00:00+08:00", "", "2025-02-20T09:00:00+08:00"},
      {102, "illegal_fees", 5, "2025-02-11T09:00:00+08:00", "", "2025-02-21T09:00:00+08:00"},
      {103, "illegal_fees", 5, "2025-01-29T00:00:00+08:00", "", "2025-02-21T09:00:00+08:00"},
      // before both periods (not counted), still overdue
      {20, "milk", 3, "2024-12-01T09:00:00+08:00", "2024-12-20T00:00:00+08:00", ""},
      // current period
      {1, "meals", 3, "2025-03-01T00:00:00+08:00", "", "2025-03-10T09:00:00+08:00", 5},
      {2, "meals", 3, "2025-03-03T09:00:00+08:00", "2025-04-20T00:00:00+08:00", ""},
      {3, "meals", 3, "2025-03-04T09:00:00+08:00", "", "", 0, 2},  // repeat of 2
      {4, "meals", 3, "2025-03-20T09:00:00+08:00", "", "2025-03-25T09:00:00+08:00"},
      {5, "meals", 2, "2025-03-31T23:59:00+08:00", "", "2025-03-31T23:59:30+08:00"},
      {6, "illegal_fees", 5, "2025-03-05T09:00:00+08:00", "", "2025-03-15T09:00:00+08:00", 2},
      {7, "illegal_fees", 5, "2025-03-05T10:00:00+08:00", "2025-03-20T00:00:00+08:00", ""},
      {8, "other", 0, "2025-03-10T10:00:00+08:00", "", "2025-03-12T10:00:00+08:00"},
      // after the period, and not a complaint: never counted
      {9, "meals", 3, "2025-04-01T00:00:00+08:00", "", ""},
      {10, "meals", 3, "2025-03-05T09:00:00+08:00", "2025-03-06T00:00:00+08:00", "", 0, 0, "hazard"},
  };
  for (const CaseRow& k : rows) {
    Status s = InsertCase(c, k);
    if (!s.ok()) return s;
  }
  return OkStatus();
}

// The category labels of the repository's own policy/cases/complaint.yaml,
// as the CLI and the server pass them (reports/category_labels.h).
inline std::vector<std::pair<std::string, Bilingual>> PolicyCategories() {
  auto types = cases::CaseTypeRegistry::LoadDir(std::string(EDUGOV_SOURCE_DIR) + "/policy/cases");
  if (!types.ok()) return {};
  return ComplaintCategoryLabels(*types);
}

// The thresholds of the repository's own complaint case type (report:), as
// the CLI and the server pass them; unset (AnalyzeComplaints refuses) when
// the file cannot be read.
inline ComplaintThresholds PolicyThresholds() {
  auto types = cases::CaseTypeRegistry::LoadDir(std::string(EDUGOV_SOURCE_DIR) + "/policy/cases");
  if (!types.ok()) return {};
  auto t = ComplaintReportThresholds(*types);
  return t.ok() ? *t : ComplaintThresholds{};
}

}  // namespace edugov::reports::testfix
