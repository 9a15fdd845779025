#include "calendar/working_calendar.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/yaml_error.h"

#include "calendar/statutory_holidays.h"

namespace edugov::calendar {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;
// China Standard Time is UTC+8 all year; there has been no daylight saving
// since 1991, so a fixed offset is exact for every date we can cover.
constexpr int64_t kShanghaiOffsetMicros = 8 * 3'600 * kMicrosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// 1-based, or 0 when unknown. yaml-cpp marks are 0-based, and asking a
// missing node (a key that is not there) for its mark throws.
int LineOf(const YAML::Node& node) {
  if (!node) return 0;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

Status BadAt(int line, const std::string& en, const std::string& zh) {
  if (line <= 0) return InvalidArgumentError(en, zh);
  const std::string at = std::to_string(line);
  return Status(StatusCode::kInvalidArgument, "line " + at + ": " + en,
                "第 " + at + " 行: " + zh, "line " + at);
}

// A scalar or nothing: yaml-cpp's as<std::string>() throws on maps and lists.
bool ScalarOf(const YAML::Node& node, std::string& out) {
  if (!node || !node.IsScalar()) return false;
  out = node.Scalar();
  return true;
}

StatusOr<std::vector<int>> ParseYears(const YAML::Node& node) {
  const int line = LineOf(node);
  if (!node || !node.IsSequence() || node.size() == 0) {
    return BadAt(line, "'years' must be a non-empty list of years, e.g. [2025, 2026]",
                 "'years' 必须是非空的年份列表, 例如 [2025, 2026]");
  }
  std::vector<int> years;
  for (const YAML::Node& y : node) {
    std::string text;
    int year = 0;
    const bool scalar = ScalarOf(y, text);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
    if (!scalar || ec != std::errc() || end != text.data() + text.size() || year < 1900 ||
        year > 2999) {
      return BadAt(LineOf(y), "'" + text + "' in 'years' is not a year",
                   "'years' 中的 '" + text + "' 不是年份");
    }
    if (std::find(years.begin(), years.end(), year) != years.end()) {
      return BadAt(LineOf(y), "year " + text + " is listed twice in 'years'",
                   "'years' 中年份 " + text + " 重复");
    }
    years.push_back(year);
  }
  std::sort(years.begin(), years.end());
  return years;
}

std::string JoinYears(const std::vector<int>& years) {
  std::string out;
  for (int y : years) out += (out.empty() ? "" : ", ") + std::to_string(y);
  return out;
}

// The statutory holidays of every year that may be provisional, computed once
// per process (a few milliseconds) and shared by every calendar.
const std::map<int32_t, CalendarDay>& StatutoryTable() {
  static const std::map<int32_t, CalendarDay> table = [] {
    std::map<int32_t, CalendarDay> t;
    for (int year = kStatutoryRulesFrom; year <= kLastProvisionalYear; ++year) {
      for (CalendarDay& d : StatutoryHolidays(year)) t.emplace(d.date.DaysSinceEpoch(), std::move(d));
    }
    return t;
  }();
  return table;
}

StatusOr<WorkingCalendar> LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (!in || !(text << in.rdbuf())) {
    return NotFoundError("cannot read working calendar '" + path + "'",
                         "无法读取工作日历文件 '" + path + "'");
  }
  StatusOr<WorkingCalendar> cal = WorkingCalendar::FromYaml(text.str());
  if (!cal.ok()) {
    const Status& s = cal.status();
    return Status(s.code(), path + ": " + s.message_en(), path + ": " + s.message_zh(), s.field());
  }
  return cal;
}

}  // namespace

std::string_view DayKindName(DayKind kind) {
  return kind == DayKind::kHoliday ? "holiday" : "workday";
}

StatusOr<WorkingCalendar> WorkingCalendar::Load(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return LoadFile(path);

  // A directory: one file per notice (cn-2027.yaml from `edugov calendar
  // import`) beside older multi-year files; sorted so errors are stable.
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    return NotFoundError("no working calendar (*.yaml) in directory '" + path + "'",
                         "目录 '" + path + "' 中没有工作日历文件(*.yaml)");
  }
  WorkingCalendar all;
  std::map<int, std::string> year_file;
  std::map<int32_t, std::string> day_file;
  for (const std::string& file : files) {
    ASSIGN_OR_RETURN(WorkingCalendar one, LoadFile(file));
    for (int year : one.years_) {
      const auto [it, inserted] = year_file.emplace(year, file);
      if (!inserted) {
        const std::string y = std::to_string(year);
        return InvalidArgumentError(
            "year " + y + " is covered by both " + it->second + " and " + file +
                "; keep it in one file (docs/calendar.md)",
            y + " 年同时出现在 " + it->second + " 和 " + file + " 中,请只保留一处(见 docs/calendar.md)");
      }
      all.years_.push_back(year);
    }
    for (auto& [key, day] : one.days_) {
      const auto [it, inserted] = all.days_.emplace(key, day);
      if (!inserted && !(it->second.kind == day.kind)) {
        const std::string d = day.date.ToString();
        return InvalidArgumentError(
            d + " is a " + std::string(DayKindName(it->second.kind)) + " in " + day_file[key] +
                " but a " + std::string(DayKindName(day.kind)) + " in " + file,
            d + " 在 " + day_file[key] + " 与 " + file + " 中的类型不一致");
      }
      day_file.emplace(key, file);
    }
  }
  std::sort(all.years_.begin(), all.years_.end());
  return all;
}

StatusOr<WorkingCalendar> WorkingCalendar::FromYaml(std::string_view text) {
  // yaml-cpp reports by exception; they stop here (status.h).
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsMap()) {
      return BadAt(LineOf(root), "the working calendar must be a map with 'years' and 'days'",
                   "工作日历必须是包含 'years' 和 'days' 的映射");
    }
    for (const auto& kv : root) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (key != "years" && key != "days") {
        return BadAt(LineOf(kv.first), "unknown key '" + key + "', expected 'years' or 'days'",
                     "未知的键 '" + key + "',应为 'years' 或 'days'");
      }
    }

    WorkingCalendar cal;
    ASSIGN_OR_RETURN(cal.years_, ParseYears(root["years"]));

    const YAML::Node days = root["days"];
    if (!days || !days.IsSequence()) {
      return BadAt(LineOf(root), "'days' must be a list of {date, kind, name} entries",
                   "'days' 必须是 {date, kind, name} 条目的列表");
    }
    std::map<int32_t, int> line_of;  // for naming both lines of a duplicate
    for (size_t i = 0; i < days.size(); ++i) {
      const YAML::Node entry = days[i];
      const int line = LineOf(entry);
      const std::string where = "days[" + std::to_string(i) + "]";
      if (!entry.IsMap()) {
        return BadAt(line, where + " must be a map {date, kind, name}",
                     where + " 必须是 {date, kind, name} 映射");
      }
      for (const auto& kv : entry) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
        if (key != "date" && key != "kind" && key != "name") {
          return BadAt(line, where + ": unknown key '" + key + "', expected date, kind, name",
                       where + ": 未知的键 '" + key + "',应为 date、kind、name");
        }
      }
      std::string date_text, kind_text, name;
      if (!ScalarOf(entry["date"], date_text) || !ScalarOf(entry["kind"], kind_text) ||
          !ScalarOf(entry["name"], name) || name.empty()) {
        return BadAt(line, where + " needs a date, a kind and a non-empty name",
                     where + " 需要 date、kind 和非空的 name");
      }
      StatusOr<Date> date = Date::Parse(date_text);
      if (!date.ok()) {
        return BadAt(line, where + ": " + date.status().message_en(),
                     where + ": " + date.status().message_zh());
      }
      const std::string at = where + " (" + date_text + ")";
      CalendarDay day{.date = *date, .name = name};
      if (kind_text == "holiday") {
        day.kind = DayKind::kHoliday;
      } else if (kind_text == "workday") {
        day.kind = DayKind::kWorkday;
      } else {
        return BadAt(line, at + ": unknown kind '" + kind_text + "', expected holiday or workday",
                     at + ": 未知的类型 '" + kind_text + "',应为 holiday 或 workday");
      }
      // The December before a covered year is allowed: that year's 元旦 block
      // may begin in it (the 2019 notice gave 2018-12-30 and 31 off and made
      // 2018-12-29 a working Saturday).
      const auto covered = [&cal](int y) {
        return std::binary_search(cal.years_.begin(), cal.years_.end(), y);
      };
      if (!covered(date->year()) && !(date->month() == 12 && covered(date->year() + 1))) {
        return BadAt(line, at + " is outside the covered years (" + JoinYears(cal.years_) + ")",
                     at + " 不在 years 所列年份内(" + JoinYears(cal.years_) + ")");
      }
      // A make-up workday on Monday–Friday changes nothing, so it is almost
      // certainly a mistyped date; refusing it keeps the file honest.
      if (day.kind == DayKind::kWorkday && date->IsoWeekday() <= 5) {
        return BadAt(line, at + ": a make-up workday must be a Saturday or Sunday",
                     at + ": 调休上班日必须是周六或周日");
      }
      const auto [it, inserted] = line_of.emplace(date->DaysSinceEpoch(), line);
      if (!inserted) {
        return BadAt(line, at + " is already listed at line " + std::to_string(it->second),
                     at + " 已在第 " + std::to_string(it->second) + " 行列出");
      }
      cal.days_.emplace(date->DaysSinceEpoch(), std::move(day));
    }

    // A year in `years` with nothing listed has never happened (every year has
    // 春节); it means the year was declared but its data not entered.
    for (int year : cal.years_) {
      const int32_t first = Date::FromYmd(year, 1, 1).DaysSinceEpoch();
      const int32_t last = Date::FromYmd(year, 12, 31).DaysSinceEpoch();
      const auto it = cal.days_.lower_bound(first);
      if (it == cal.days_.end() || it->first > last) {
        return BadAt(LineOf(root["years"]),
                     "year " + std::to_string(year) + " is in 'years' but has no entries",
                     std::to_string(year) + " 年列在 'years' 中但没有任何条目");
      }
    }
    return cal;
  } catch (const YAML::Exception& e) {
    // Column too: yaml-cpp's own words never reach the user (yaml_error.h).
    if (e.mark.is_null()) return InvalidArgumentError(YamlProblemEn(e), YamlProblemZh(e));
    const std::string line = std::to_string(e.mark.line + 1), column = std::to_string(e.mark.column + 1);
    return Status(StatusCode::kInvalidArgument, "line " + line + ", column " + column + ": " + YamlProblemEn(e),
                  "第 " + line + " 行第 " + column + " 列: " + YamlProblemZh(e), "line " + line);
  }
}

bool WorkingCalendar::Covers(Date date) const {
  return std::binary_search(years_.begin(), years_.end(), date.year());
}

bool WorkingCalendar::IsProvisional(int year) const {
  return provisional_ && year >= kStatutoryRulesFrom && year <= kLastProvisionalYear &&
         !std::binary_search(years_.begin(), years_.end(), year);
}

bool WorkingCalendar::Answers(Date date) const {
  return Covers(date) || IsProvisional(date.year());
}

WorkingCalendar WorkingCalendar::WithoutProvisional() const {
  WorkingCalendar strict = *this;
  strict.provisional_ = false;
  return strict;
}

std::vector<CalendarDay> WorkingCalendar::Entries() const {
  std::vector<CalendarDay> out;
  out.reserve(days_.size());
  for (const auto& [days, day] : days_) out.push_back(day);
  return out;
}

Status WorkingCalendar::CheckCovered(Date date) const {
  if (Answers(date)) return OkStatus();
  const std::string d = date.ToString(), y = std::to_string(date.year()),
                    covered = JoinYears(years_);
  const std::string range_en =
      provisional_ ? ", provisional " + std::to_string(kStatutoryRulesFrom) + "–" +
                         std::to_string(kLastProvisionalYear)
                   : "";
  const std::string range_zh =
      provisional_ ? ",并按放假办法暂定 " + std::to_string(kStatutoryRulesFrom) + "–" +
                         std::to_string(kLastProvisionalYear) + " 年"
                   : "";
  return FailedPreconditionError(
      d + " is outside the working calendar (covers " + covered + range_en +
          "); import the State Council holiday arrangement for " + y +
          " (edugov calendar import, docs/calendar.md)",
      d + " 超出工作日历范围(已有 " + covered + " 年" + range_zh + "),请导入国务院 " + y +
          " 年节假日安排(edugov calendar import,见 docs/calendar.md)");
}

bool WorkingCalendar::IsWorkingCovered(Date date) const {
  const int32_t key = date.DaysSinceEpoch();
  const auto it = days_.find(key);
  if (it != days_.end()) return it->second.kind == DayKind::kWorkday;
  if (!Covers(date) && StatutoryTable().contains(key)) return false;  // provisional year
  return date.IsoWeekday() <= 5;
}

StatusOr<bool> WorkingCalendar::IsWorkingDay(Date date) const {
  RETURN_IF_ERROR(CheckCovered(date));
  return IsWorkingCovered(date);
}

StatusOr<Date> WorkingCalendar::NextWorkingDay(Date date) const {
  return AddWorkingDays(date, 1);
}

StatusOr<Date> WorkingCalendar::AddWorkingDays(Date start, int n) const {
  if (n < 0) {
    return InvalidArgumentError("working days must be >= 0, got " + std::to_string(n),
                                "工作日数必须 >= 0,实际为 " + std::to_string(n));
  }
  RETURN_IF_ERROR(CheckCovered(start));
  Date d = start;
  if (n == 0) {
    while (!IsWorkingCovered(d)) {
      d = d.AddDays(1);
      RETURN_IF_ERROR(CheckCovered(d));
    }
    return d;
  }
  // The longest run of non-working days is a holiday block plus weekends
  // (~10 days), so this walks at most about 1.5 * n days.
  for (int counted = 0; counted < n;) {
    d = d.AddDays(1);
    RETURN_IF_ERROR(CheckCovered(d));
    if (IsWorkingCovered(d)) ++counted;
  }
  return d;
}

StatusOr<int> WorkingCalendar::WorkingDaysBetween(Date a, Date b) const {
  if (b < a) {
    ASSIGN_OR_RETURN(int n, WorkingDaysBetween(b, a));
    return -n;
  }
  RETURN_IF_ERROR(CheckCovered(a));
  int n = 0;
  for (Date d = a.AddDays(1); d <= b; d = d.AddDays(1)) {
    RETURN_IF_ERROR(CheckCovered(d));
    if (IsWorkingCovered(d)) ++n;
  }
  return n;
}

StatusOr<TimePoint> WorkingCalendar::DeadlineAt(TimePoint received, int working_days) const {
  ASSIGN_OR_RETURN(Deadline due, DeadlineOf(received, working_days));
  return due.at;
}

StatusOr<Deadline> WorkingCalendar::DeadlineOf(TimePoint received, int working_days) const {
  const Date start = ShanghaiDate(received);
  Deadline out;
  ASSIGN_OR_RETURN(out.day, AddWorkingDays(start, working_days));
  // The last whole second of the due day in local time, as UTC.
  const int64_t end_of_day = (static_cast<int64_t>(out.day.DaysSinceEpoch()) + 1) * kMicrosPerDay -
                             kShanghaiOffsetMicros - kMicrosPerSecond;
  out.at = FromUnixMicros(end_of_day);
  for (int y = start.year(); y <= out.day.year(); ++y) out.provisional = out.provisional || IsProvisional(y);
  return out;
}

Date ShanghaiDate(TimePoint t) {
  return Date::FromDaysSinceEpoch(
      static_cast<int32_t>(FloorDiv(ToUnixMicros(t) + kShanghaiOffsetMicros, kMicrosPerDay)));
}

bool IsOverdue(TimePoint deadline, TimePoint now) {
  return FloorDiv(ToUnixMicros(now), kMicrosPerSecond) >
         FloorDiv(ToUnixMicros(deadline), kMicrosPerSecond);
}

}  // namespace edugov::calendar
