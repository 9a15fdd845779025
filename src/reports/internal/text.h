// Small wording and number helpers shared by the report writers. Internal to
// src/reports.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "common/clock.h"
#include "reports/complaint_analysis.h"

namespace edugov::reports::internal {

inline std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

inline std::string RateText(const std::optional<double>& rate) { return rate ? Fixed(*rate, 2) : "—"; }

inline std::string AvgText(const Counts& c) { return c.rated ? Fixed(c.satisfaction_avg, 2) : "—"; }

inline std::string SatisfiedText(const Counts& c) {
  return c.rated ? Fixed(static_cast<double>(c.satisfied) * 100.0 / static_cast<double>(c.rated), 1) + "%" : "—";
}

// "+25%", "-10%", "新增" (none before), "持平".
inline std::string ChangeText(int64_t cur, int64_t prev) {
  if (prev == 0) return cur == 0 ? "持平" : "新增";
  if (cur == prev) return "持平";
  return (cur > prev ? "+" : "") + Fixed((static_cast<double>(cur) - static_cast<double>(prev)) * 100.0 /
                                             static_cast<double>(prev), 0) + "%";
}

inline const char* KindZh(ReportKind k) {
  switch (k) {
    case ReportKind::kRoutine: return "常规分析";
    case ReportKind::kRegional: return "区域分析";
    case ReportKind::kTopical: return "专题分析";
  }
  return "";
}

inline const char* WeakLinkKindZh(WeakLink::Kind k) {
  switch (k) {
    case WeakLink::Kind::kSchoolRising: return "学校投诉上升";
    case WeakLink::Kind::kCategoryRising: return "类别投诉上升";
    case WeakLink::Kind::kRepeats: return "重复投诉";
    case WeakLink::Kind::kOverdue: return "超期未办结";
  }
  return "";
}

inline const char* WeakLinkKindKey(WeakLink::Kind k) {
  switch (k) {
    case WeakLink::Kind::kSchoolRising: return "school_rising";
    case WeakLink::Kind::kCategoryRising: return "category_rising";
    case WeakLink::Kind::kRepeats: return "repeats";
    case WeakLink::Kind::kOverdue: return "overdue";
  }
  return "";
}

inline const char* RecommendationKindZh(Recommendation::Kind k) {
  return k == Recommendation::Kind::kRectification ? "整改" : "问责";
}

inline const char* RecommendationKindKey(Recommendation::Kind k) {
  return k == Recommendation::Kind::kRectification ? "rectification" : "accountability";
}

inline std::string AsOfText(int64_t us) { return FormatTimestamp(FromUnixMicros(us)); }

}  // namespace edugov::reports::internal
