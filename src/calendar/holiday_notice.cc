#include "calendar/holiday_notice.h"

#include <algorithm>
#include <map>
#include <optional>

namespace edugov::calendar {
namespace {

// ---------------------------------------------------------------------------
// Text: one normalised line at a time.

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// Full-width punctuation and digits to ASCII, ideographic spaces and all
// whitespace dropped: the notice is the same whichever the typist used.
std::string Normalize(std::string_view line) {
  static const std::vector<std::pair<std::string_view, std::string_view>> kMap = {
      {"（", "("}, {"）", ")"}, {"：", ":"}, {"，", ","}, {"。", "."}, {"；", ";"},
      {"　", ""},  {"〜", "~"}, {"～", "~"}, {"\xEF\xBB\xBF", ""},  // BOM
  };
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    // U+FF10..U+FF19, full-width digits: EF BC 90..99.
    if (c == 0xEF && i + 2 < line.size() && static_cast<unsigned char>(line[i + 1]) == 0xBC &&
        static_cast<unsigned char>(line[i + 2]) >= 0x90 && static_cast<unsigned char>(line[i + 2]) <= 0x99) {
      out += static_cast<char>('0' + (static_cast<unsigned char>(line[i + 2]) - 0x90));
      i += 3;
      continue;
    }
    bool mapped = false;
    for (const auto& [from, to] : kMap) {
      if (line.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        mapped = true;
        break;
      }
    }
    if (!mapped) out += line[i++];
  }
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  std::string out(s.substr(b, e - b));
  // Leading ideographic spaces (the notice's paragraph indent).
  while (out.rfind("　", 0) == 0) out.erase(0, 3);
  return out;
}

Status BadLine(int line, const std::string& text, const std::string& en, const std::string& zh) {
  const std::string at = std::to_string(line);
  return Status(StatusCode::kInvalidArgument, "line " + at + ": " + en + ": \"" + text + "\"",
                "第 " + at + " 行: " + zh + ":「" + text + "」", "line " + at);
}

// ---------------------------------------------------------------------------
// A cursor over one normalised sentence.

struct Cursor {
  std::string_view s;
  size_t i = 0;

  bool Done() const { return i >= s.size(); }
  bool Eat(std::string_view word) {
    if (s.substr(i, word.size()) != word) return false;
    i += word.size();
    return true;
  }
  bool AtDigit() const { return !Done() && s[i] >= '0' && s[i] <= '9'; }
  std::optional<int> Number() {
    if (!AtDigit()) return std::nullopt;
    int n = 0;
    while (AtDigit() && n < 100000) n = n * 10 + (s[i++] - '0');
    return n;
  }
  std::string_view Rest() const { return s.substr(std::min(i, s.size())); }
};

// A date as the notice writes it: [YYYY年]M月D日, or D日 alone after a
// range's 至 (same month). Fields not written are left at 0.
struct RawDate {
  int year = 0, month = 0, day = 0;
  int weekday = 0;        // 1 = Monday … 7 = Sunday, from the brackets; 0 = none
  std::string as_written;
};

bool ParseRawDate(Cursor& c, RawDate& out) {
  const size_t start = c.i;
  Cursor probe = c;
  std::optional<int> n = probe.Number();
  if (!n) return false;
  if (probe.Eat("年")) {
    out.year = *n;
    n = probe.Number();
    if (!n) return false;
  }
  if (probe.Eat("月")) {
    out.month = *n;
    n = probe.Number();
    if (!n) return false;
  }
  if (!probe.Eat("日")) return false;
  out.day = *n;
  c = probe;
  // "(周四)", "(星期二)", "(农历除夕、周二)": the weekday, whatever else is there.
  if (c.Eat("(")) {
    const size_t close = c.s.find(')', c.i);
    if (close == std::string_view::npos) return false;
    const std::string_view inside = c.s.substr(c.i, close - c.i);
    static const char* kDays[] = {"一", "二", "三", "四", "五", "六", "日"};
    for (std::string_view prefix : {"星期", "周", "礼拜"}) {
      const size_t at = inside.find(prefix);
      if (at == std::string_view::npos) continue;
      const std::string_view rest = inside.substr(at + prefix.size());
      for (int d = 0; d < 7; ++d) {
        if (rest.rfind(kDays[d], 0) == 0) out.weekday = d + 1;
      }
      if (rest.rfind("天", 0) == 0) out.weekday = 7;
      if (out.weekday) break;
    }
    c.i = close + 1;
  }
  out.as_written = std::string(c.s.substr(start, c.i - start));
  return true;
}

const char* kWeekdayZh[] = {"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"};
const char* kWeekdayEn[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

// Items are numbered 一、二、… 十、十一、…
bool StartsWithItemNumber(std::string_view line, size_t& after) {
  static const std::string_view kNumerals[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
  size_t i = 0;
  bool any = false;
  for (bool more = true; more;) {
    more = false;
    for (std::string_view n : kNumerals) {
      if (line.substr(i, n.size()) == n) {
        i += n.size();
        any = more = true;
        break;
      }
    }
  }
  if (!any || line.substr(i, 3) != "、") return false;
  after = i + 3;
  return true;
}

// The notice's year from its title ("关于2027年部分节假日安排") or, failing
// that, its opening ("现将2027年元旦、春节…").
std::optional<int> FindYear(const std::vector<std::string>& lines, std::string& title) {
  for (std::string_view marker : {"年部分节假日安排", "年元旦"}) {
    for (const std::string& line : lines) {
      const size_t at = line.find(marker);
      if (at == std::string::npos || at < 4) continue;
      const std::string digits = line.substr(at - 4, 4);
      if (std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        if (marker == std::string_view("年部分节假日安排")) title = line;
        return std::stoi(digits);
      }
    }
  }
  return std::nullopt;
}

// Splits at '.' and ';' (。；), never inside brackets.
std::vector<std::string_view> Sentences(std::string_view body) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= body.size(); ++i) {
    const char ch = i < body.size() ? body[i] : '.';
    if (ch == '(') ++depth;
    if (ch == ')' && depth > 0) --depth;
    if ((ch == '.' || ch == ';') && depth == 0) {
      if (i > start) out.push_back(body.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

class ItemParser {
 public:
  ItemParser(int year, int line, std::string text) : year_(year), line_(line), text_(std::move(text)) {}

  StatusOr<NoticeBlock> Parse(std::string_view normalized, size_t body_at) {
    NoticeBlock block{.line = line_, .text = text_};
    const size_t colon = normalized.find(':', body_at);
    if (colon == std::string_view::npos || colon == body_at) {
      return Bad("no festival name followed by ':' (e.g. 一、元旦：…)",
                 "缺少节日名称及其后的冒号(如 一、元旦：…)");
    }
    block.name = std::string(normalized.substr(body_at, colon - body_at));
    bool have_holiday = false;
    for (std::string_view sentence : Sentences(normalized.substr(colon + 1))) {
      if (sentence.find("放假") != std::string_view::npos) {
        if (have_holiday) {
          return Bad("two holiday (放假) sentences in one item", "同一项中有两处放假安排");
        }
        RETURN_IF_ERROR(ParseHoliday(sentence, block));
        have_holiday = true;
      } else if (sentence.find("上班") != std::string_view::npos) {
        if (!have_holiday) {
          return Bad("make-up working days (上班) before the holiday (放假)", "调休上班日出现在放假安排之前");
        }
        RETURN_IF_ERROR(ParseWorkdays(sentence, block));
      }
      // Anything else ("不调休", "鼓励各单位…安排职工在除夕休息") changes no day.
    }
    if (!have_holiday) {
      return Bad("no holiday dates (…放假) in this item", "该项没有放假日期(…放假)");
    }
    return block;
  }

 private:
  Status Bad(const std::string& en, const std::string& zh) const { return BadLine(line_, text_, en, zh); }

  // The Date of `raw`, filling unwritten fields from `year` / `month`.
  StatusOr<Date> Resolve(const RawDate& raw, int year, int month) const {
    const int y = raw.year ? raw.year : year, m = raw.month ? raw.month : month;
    if (!IsValidYmd(y, m, raw.day)) {
      return Bad("'" + raw.as_written + "' is not a valid date in " + std::to_string(y),
                 "'" + raw.as_written + "' 不是 " + std::to_string(y) + " 年的有效日期");
    }
    const Date d = Date::FromYmd(y, m, raw.day);
    if (raw.weekday && raw.weekday != d.IsoWeekday()) {
      return Bad(d.ToString() + " is a " + kWeekdayEn[d.IsoWeekday()] + ", but the notice says " +
                     kWeekdayZh[raw.weekday],
                 d.ToString() + " 是" + kWeekdayZh[d.IsoWeekday()] + ",通知却写作" + kWeekdayZh[raw.weekday]);
    }
    if (d.year() != year_ && !(d.year() == year_ - 1 && d.month() == 12)) {
      return Bad(d.ToString() + " is not in the notice's year " + std::to_string(year_),
                 d.ToString() + " 不在通知所属的 " + std::to_string(year_) + " 年");
    }
    return d;
  }

  Status ParseHoliday(std::string_view sentence, NoticeBlock& block) {
    Cursor c{sentence};
    RawDate from, to;
    if (!ParseRawDate(c, from) || (!from.month)) {
      return Bad("cannot read the first day off (expected M月D日 before 放假)",
                 "无法识别放假的起始日期(应为 M月D日)");
    }
    bool range = false;
    if (c.Eat("至") || c.Eat("~") || c.Eat("-") || c.Eat("到")) {
      if (!ParseRawDate(c, to)) {
        return Bad("cannot read the last day off after 至", "无法识别“至”之后的放假结束日期");
      }
      range = true;
    }
    if (!c.Eat("放假")) {
      return Bad("expected 放假 after the dates, found '" + std::string(c.Rest()) + "'",
                 "日期之后应为“放假”,实际为 '" + std::string(c.Rest()) + "'");
    }
    // Years: as written; otherwise the notice's year, except that a range
    // running backwards (12月31日至1月2日) starts in the year before.
    int from_year = from.year ? from.year : year_;
    if (range && !from.year && !to.year) {
      const int to_month = to.month ? to.month : from.month;
      if (to_month < from.month) from_year = year_ - 1;
    }
    ASSIGN_OR_RETURN(block.first, Resolve(from, from_year, from.month));
    if (range) {
      const int to_year = to.year ? to.year : (to.month && to.month < block.first.month() ? block.first.year() + 1
                                                                                        : block.first.year());
      ASSIGN_OR_RETURN(block.last, Resolve(to, to_year, to.month ? to.month : block.first.month()));
    } else {
      block.last = block.first;
    }
    const int days = block.last.DaysSinceEpoch() - block.first.DaysSinceEpoch() + 1;
    if (days < 1 || days > 16) {
      return Bad("the holiday runs from " + block.first.ToString() + " to " + block.last.ToString() +
                     ", which is not a holiday block",
                 "放假从 " + block.first.ToString() + " 到 " + block.last.ToString() + ",不是有效的假期");
    }
    // "共8天" or "放假1天".
    Cursor rest{sentence, c.i};
    std::optional<int> stated = rest.Number();
    if (stated && !rest.Eat("天")) stated.reset();
    const size_t gong = sentence.find("共");
    if (!stated && gong != std::string_view::npos) {
      Cursor g{sentence, gong + std::string_view("共").size()};
      stated = g.Number();
      if (stated && !g.Eat("天")) {
        return Bad("expected 共N天", "应为“共N天”");
      }
    }
    if (stated) {
      block.stated_days = *stated;
      if (*stated != days) {
        return Bad("the notice says " + std::to_string(*stated) + " days but " + block.first.ToString() +
                       " to " + block.last.ToString() + " is " + std::to_string(days),
                   "通知写共 " + std::to_string(*stated) + " 天,但 " + block.first.ToString() + " 至 " +
                       block.last.ToString() + " 是 " + std::to_string(days) + " 天");
      }
    }
    return OkStatus();
  }

  Status ParseWorkdays(std::string_view sentence, NoticeBlock& block) {
    Cursor c{sentence};
    int month = 0;
    for (;;) {
      RawDate raw;
      if (!ParseRawDate(c, raw) || (!raw.month && !month)) {
        return Bad("cannot read the make-up working days (expected M月D日（周六）、…上班)",
                   "无法识别调休上班日期(应为 M月D日（周六）、…上班)");
      }
      month = raw.month ? raw.month : month;
      // A bare December date in an item whose block began last December is
      // last year's (元旦 blocks that start before New Year).
      const int year = raw.year ? raw.year
                                : (month == 12 && block.first.year() == year_ - 1 ? year_ - 1 : year_);
      ASSIGN_OR_RETURN(Date d, Resolve(raw, year, month));
      if (d.IsoWeekday() <= 5) {
        return Bad(d.ToString() + " is a " + kWeekdayEn[d.IsoWeekday()] +
                       "; a make-up working day must be a Saturday or Sunday",
                   d.ToString() + " 是" + kWeekdayZh[d.IsoWeekday()] + ",调休上班日必须是周六或周日");
      }
      block.workdays.push_back(d);
      if (c.Eat("上班")) break;
      if (!(c.Eat("、") || c.Eat(",") || c.Eat("和") || c.Eat("及"))) {
        return Bad("expected 、 or 上班 after " + raw.as_written + ", found '" + std::string(c.Rest()) + "'",
                   raw.as_written + " 之后应为“、”或“上班”,实际为 '" + std::string(c.Rest()) + "'");
      }
    }
    return OkStatus();
  }

  int year_;
  int line_;
  std::string text_;
};

}  // namespace

std::vector<CalendarDay> HolidayNotice::Days() const {
  std::vector<CalendarDay> out;
  for (const NoticeBlock& b : blocks) {
    for (Date d = b.first; d <= b.last; d = d.AddDays(1)) {
      out.push_back({.date = d, .kind = DayKind::kHoliday, .name = b.name});
    }
    for (Date d : b.workdays) out.push_back({.date = d, .kind = DayKind::kWorkday, .name = b.name});
  }
  std::sort(out.begin(), out.end(), [](const CalendarDay& a, const CalendarDay& b) { return a.date < b.date; });
  return out;
}

StatusOr<HolidayNotice> ParseHolidayNotice(std::string_view text) {
  if (!ValidUtf8(text)) {
    return InvalidArgumentError("the notice is not UTF-8 text (save it as UTF-8 and try again)",
                                "通知不是 UTF-8 文本(请另存为 UTF-8 后重试)");
  }
  std::vector<std::string> raw_lines, lines;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    raw_lines.push_back(Trim(text.substr(start, end - start)));
    lines.push_back(Normalize(raw_lines.back()));
    start = end + 1;
  }
  HolidayNotice notice;
  std::optional<int> year = FindYear(lines, notice.title);
  if (!year || *year < 2000 || *year > 2200) {
    return InvalidArgumentError(
        "cannot find the notice's year: expected a title like 国务院办公厅关于2027年部分节假日安排的通知",
        "找不到通知的年份:应有类似“国务院办公厅关于2027年部分节假日安排的通知”的标题");
  }
  notice.year = *year;
  std::map<int32_t, int> seen;  // date -> line, across items
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t body_at = 0;
    if (!StartsWithItemNumber(lines[i], body_at)) continue;
    const int line = static_cast<int>(i) + 1;
    ASSIGN_OR_RETURN(NoticeBlock block, ItemParser(notice.year, line, raw_lines[i]).Parse(lines[i], body_at));
    std::vector<Date> dates = block.workdays;
    for (Date d = block.first; d <= block.last; d = d.AddDays(1)) dates.push_back(d);
    for (Date d : dates) {
      const auto [it, inserted] = seen.emplace(d.DaysSinceEpoch(), line);
      if (!inserted) {
        return BadLine(line, raw_lines[i], d.ToString() + " is already given at line " + std::to_string(it->second),
                       d.ToString() + " 已在第 " + std::to_string(it->second) + " 行出现");
      }
    }
    notice.blocks.push_back(std::move(block));
  }
  if (notice.blocks.empty()) {
    return InvalidArgumentError("no holiday items found (lines like 一、元旦：1月1日（周五）放假…)",
                                "未找到任何节假日条目(形如 一、元旦：1月1日（周五）放假… 的行)");
  }
  return notice;
}

std::string HolidayNoticeYaml(const HolidayNotice& notice, std::string_view source) {
  const std::string y = std::to_string(notice.year);
  std::string out;
  out += "# China's working-day calendar for " + y + " (Asia/Shanghai), imported by\n";
  out += "# `edugov calendar import` from " + std::string(source) + ".\n";
  if (!notice.title.empty()) out += "# Source: " + notice.title + "\n";
  out += "# Format and rules: docs/calendar.md. Check each block against the notice's\n";
  out += "# line above it; a clerk may correct this file: it is data read at start-up.\n\n";
  out += "years: [" + y + "]\n\ndays:\n";
  for (size_t b = 0; b < notice.blocks.size(); ++b) {
    const NoticeBlock& block = notice.blocks[b];
    if (b > 0) out += "\n";
    out += "  # " + block.text + "\n";
    std::vector<CalendarDay> days = HolidayNotice{.year = notice.year, .blocks = {block}}.Days();
    // A name with YAML's flow indicators in it is quoted; the usual ones
    // (元旦, 国庆节、中秋节) are written bare, as in the hand-made files.
    const bool quote = block.name.find_first_of(",:{}[]#&*!|>'\"%@`") != std::string::npos;
    std::string name = block.name;
    if (quote) {
      name.clear();
      for (char ch : block.name) name += (ch == '"' || ch == '\\') ? std::string("\\") + ch : std::string(1, ch);
      name = "\"" + name + "\"";
    }
    for (const CalendarDay& d : days) {
      out += "  - {date: " + d.date.ToString() + ", kind: " + std::string(DayKindName(d.kind)) +
             ", name: " + name + "}\n";
    }
  }
  return out;
}

}  // namespace edugov::calendar
