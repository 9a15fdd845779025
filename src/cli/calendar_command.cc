// `edugov calendar import NOTICE.txt --out policy/calendar/cn-YYYY.yaml
// [--replace]`: the State Council's holiday notice, as text, becomes the
// year's working-calendar file (docs/calendar.md), which the server picks up
// from policy/calendar/ at its next start.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "calendar/holiday_notice.h"
#include "calendar/statutory_holidays.h"
#include "calendar/working_calendar.h"
#include "cli/cli_util.h"
#include "cli/commands.h"

namespace edugov::cli {
namespace {

namespace fs = std::filesystem;

struct ImportOptions {
  std::string notice;
  std::string out;
  bool replace = false;
};

StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (!in || !(text << in.rdbuf())) {
    return NotFoundError("cannot read notice '" + path + "'", "无法读取通知文件 '" + path + "'");
  }
  return text.str();
}

// The calendar files beside --out that already cover `year`, other than
// --out itself, and whether --out covers it. A file there that does not load
// is reported: the server would refuse the directory anyway.
struct Existing {
  std::vector<std::string> others;  // other files covering the year
  std::set<int> other_years;        // every year those files cover
};

StatusOr<Existing> FindYear(const fs::path& out, int year) {
  Existing found;
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return found;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
    if (fs::equivalent(entry.path(), out, ec)) continue;
    ASSIGN_OR_RETURN(calendar::WorkingCalendar cal, calendar::WorkingCalendar::Load(entry.path().string()));
    const std::vector<int>& years = cal.years();
    if (std::find(years.begin(), years.end(), year) == years.end()) continue;
    found.others.push_back(entry.path().string());
    found.other_years.insert(years.begin(), years.end());
  }
  return found;
}

Status Import(const ImportOptions& o, Lang lang) {
  const bool zh = lang == Lang::kZh;
  ASSIGN_OR_RETURN(std::string text, ReadText(o.notice));
  StatusOr<calendar::HolidayNotice> parsed = calendar::ParseHolidayNotice(text);
  if (!parsed.ok()) {
    const Status& s = parsed.status();
    return Status(s.code(), o.notice + ": " + s.message_en(), o.notice + ": " + s.message_zh(), s.field());
  }
  const calendar::HolidayNotice& notice = *parsed;
  const std::string y = std::to_string(notice.year);
  const fs::path out(o.out);

  // A year already present asks for --replace, and is never in two files.
  std::error_code ec;
  ASSIGN_OR_RETURN(Existing existing, FindYear(out, notice.year));
  if (fs::exists(out, ec) && !o.replace) {
    return AlreadyExistsError(o.out + " already exists; pass --replace to overwrite it with the " + y + " notice",
                              o.out + " 已存在;如要用 " + y + " 年通知覆盖,请加 --replace");
  }
  if (fs::exists(out, ec)) {
    // Never let --replace drop other years: cn-2025-2026.yaml is not cn-2026.yaml.
    StatusOr<calendar::WorkingCalendar> current = calendar::WorkingCalendar::Load(o.out);
    if (current.ok() && current->years() != std::vector<int>{notice.year}) {
      return FailedPreconditionError(
          o.out + " holds other years than " + y + "; write the notice to its own file, e.g. cn-" + y + ".yaml",
          o.out + " 包含 " + y + " 年以外的年份;请写入单独的文件,如 cn-" + y + ".yaml");
    }
  }
  if (!existing.others.empty()) {
    const std::string& other = existing.others.front();
    if (!o.replace) {
      return AlreadyExistsError(y + " is already imported in " + other + "; pass --replace to replace it",
                                y + " 年已在 " + other + " 中;如要替换,请加 --replace");
    }
    if (existing.others.size() > 1 || existing.other_years.size() > 1) {
      return FailedPreconditionError(
          y + " is in " + other + " together with other years; remove " + y +
              " from that file by hand (docs/calendar.md), then import again",
          y + " 年与其他年份同在 " + other + " 中;请先手工从该文件删去 " + y +
              " 年(见 docs/calendar.md),再导入");
    }
  }

  const std::string yaml = calendar::HolidayNoticeYaml(notice, fs::path(o.notice).filename().string());
  // What we write must load: the same checks as at start-up.
  RETURN_IF_ERROR(calendar::WorkingCalendar::FromYaml(yaml).status());
  const fs::path tmp = out.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!(f << yaml) || !f.flush()) {
      return UnavailableError("cannot write " + tmp.string(), "无法写入 " + tmp.string());
    }
  }
  fs::rename(tmp, out, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return UnavailableError("cannot write " + o.out, "无法写入 " + o.out);
  }
  if (o.replace && !existing.others.empty()) {
    fs::remove(existing.others.front(), ec);  // the single-year file --out replaces
    std::printf(zh ? "已删除被替换的 %s\n" : "removed the replaced %s\n", existing.others.front().c_str());
  }

  int holidays = 0, workdays = 0;
  for (const calendar::CalendarDay& d : notice.Days()) {
    (d.kind == calendar::DayKind::kHoliday ? holidays : workdays) += 1;
  }
  std::printf(zh ? "%s:%d 年,%zu 项节日,放假 %d 天,调休上班 %d 天\n"
                 : "%s: %d, %zu festival(s), %d day(s) off, %d make-up working day(s)\n",
              o.out.c_str(), notice.year, notice.blocks.size(), holidays, workdays);
  // A cross-check, not a refusal: every day the law gives should be off in
  // the notice; one that is not is more likely a typo than a new policy.
  if (notice.year >= calendar::kStatutoryRulesFrom && notice.year <= 2200) {
    std::set<int32_t> off;
    for (const calendar::CalendarDay& d : notice.Days()) {
      if (d.kind == calendar::DayKind::kHoliday) off.insert(d.date.DaysSinceEpoch());
    }
    for (const calendar::CalendarDay& law : calendar::StatutoryHolidays(notice.year)) {
      if (off.contains(law.date.DaysSinceEpoch())) continue;
      std::fprintf(stderr,
                   zh ? "edugov: 注意:法定假日 %s(%s)在通知中不是放假日,请核对\n"
                      : "edugov: note: the statutory %s day %s is not a day off in the notice; please check\n",
                   zh ? law.date.ToString().c_str() : law.name.c_str(),
                   zh ? law.name.c_str() : law.date.ToString().c_str());
    }
  }
  return OkStatus();
}

}  // namespace

void RegisterCalendarCommands(CLI::App& app, int* exit_code) {
  auto* cal = app.add_subcommand("calendar", "Working-day calendar / 工作日历");
  cal->require_subcommand(1);
  auto o = std::make_shared<ImportOptions>();
  auto* import = cal->add_subcommand(
      "import", "Turn the State Council holiday notice (text) into a calendar file / 导入国务院节假日安排通知");
  import->add_option("notice", o->notice, "the notice as UTF-8 text (国务院办公厅关于YYYY年部分节假日安排的通知)")
      ->required();
  import->add_option("--out", o->out, "the file to write, e.g. policy/calendar/cn-2027.yaml")->required();
  import->add_flag("--replace", o->replace, "replace a year that is already imported / 替换已导入的年份");
  import->callback([o, exit_code] {
    const Status s = Import(*o, LangFromEnvironment());
    *exit_code = s.ok() ? 0 : ReportError(s);
  });
}

}  // namespace edugov::cli
