#include "datasets/internal/values.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/date.h"

namespace edugov::datasets::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Reads 1..max_digits decimal digits at text[pos]; advances pos.
bool ReadDigits(std::string_view text, size_t& pos, size_t min_digits, size_t max_digits,
                int& out) {
  size_t start = pos;
  int v = 0;
  while (pos < text.size() && pos - start < max_digits && text[pos] >= '0' && text[pos] <= '9') {
    v = v * 10 + (text[pos] - '0');
    ++pos;
  }
  if (pos - start < min_digits) return false;
  out = v;
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  for (;;) {
    if (!text.empty() && IsSpace(text.front())) {
      text.remove_prefix(1);
    } else if (text.starts_with(kIdeographicSpace)) {
      text.remove_prefix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  for (;;) {
    if (!text.empty() && IsSpace(text.back())) {
      text.remove_suffix(1);
    } else if (text.ends_with(kIdeographicSpace)) {
      text.remove_suffix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  return text;
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && end == text.data() + text.size()) return v;
  // Excel may store a whole number as "42.0" or "4.2E1".
  std::optional<double> d = ParseDecimal(text);
  if (!d || *d != std::floor(*d) || std::fabs(*d) > 9.0e15) return std::nullopt;
  return static_cast<int64_t>(*d);
}

std::optional<double> ParseDecimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v,
                                   std::chars_format::general);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<int32_t> ParseDateDays(std::string_view text) {
  size_t pos = 0;
  int y = 0, m = 0, d = 0;
  if (!ReadDigits(text, pos, 4, 4, y)) return std::nullopt;
  if (pos >= text.size()) return std::nullopt;
  const char sep = text[pos];
  if (sep != '-' && sep != '/' && sep != '.') return std::nullopt;
  ++pos;
  if (!ReadDigits(text, pos, 1, 2, m)) return std::nullopt;
  if (pos >= text.size() || text[pos] != sep) return std::nullopt;
  ++pos;
  if (!ReadDigits(text, pos, 1, 2, d)) return std::nullopt;
  std::string_view rest = text.substr(pos);
  if (!rest.empty() && rest != " 00:00:00" && rest != " 0:00:00" && rest != " 00:00") {
    return std::nullopt;
  }
  if (!IsValidYmd(y, m, d)) return std::nullopt;
  return Date::FromYmd(y, m, d).DaysSinceEpoch();
}

std::optional<int> ParseTimeMinutes(std::string_view text) {
  size_t pos = 0;
  int h = 0, m = 0;
  if (!ReadDigits(text, pos, 1, 2, h)) return std::nullopt;
  if (pos >= text.size() || (text[pos] != ':' && text.substr(pos, 3) != "\xEF\xBC\x9A")) {
    return std::nullopt;
  }
  pos += text[pos] == ':' ? 1 : 3;  // ':' or the full-width '：'
  if (!ReadDigits(text, pos, 2, 2, m)) return std::nullopt;
  std::string_view rest = text.substr(pos);
  if (!rest.empty() && rest != ":00") return std::nullopt;
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::optional<bool> ParseBoolean(std::string_view text) {
  static constexpr std::string_view kTrue[] = {"是", "1", "true", "yes", "y", "对"};
  static constexpr std::string_view kFalse[] = {"否", "0", "false", "no", "n", "错"};
  for (std::string_view t : kTrue) {
    if (EqualsIgnoreCase(text, t)) return true;
  }
  for (std::string_view f : kFalse) {
    if (EqualsIgnoreCase(text, f)) return false;
  }
  return std::nullopt;
}

std::string FormatTime(int minutes) {
  const int h = (minutes / 60) % 100, m = minutes % 60;
  std::string out(5, ':');
  out[0] = static_cast<char>('0' + h / 10);
  out[1] = static_cast<char>('0' + h % 10);
  out[3] = static_cast<char>('0' + m / 10);
  out[4] = static_cast<char>('0' + m % 10);
  return out;
}

std::string FormatDate(int32_t days) {
  // By hand rather than Date::ToString's snprintf: this runs once per date
  // cell of every imported row.
  const Date d = Date::FromDaysSinceEpoch(days);
  int y = d.year();
  if (y < 0 || y > 9999) return d.ToString();
  const int m = d.month(), day = d.day();
  std::string out(10, '-');
  out[0] = static_cast<char>('0' + y / 1000);
  out[1] = static_cast<char>('0' + y / 100 % 10);
  out[2] = static_cast<char>('0' + y / 10 % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[8] = static_cast<char>('0' + day / 10);
  out[9] = static_cast<char>('0' + day % 10);
  return out;
}

}  // namespace edugov::datasets::internal
