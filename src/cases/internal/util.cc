#include "cases/internal/util.h"

#include <sodium.h>

#include <algorithm>
#include <set>
#include <vector>

namespace edugov::cases::internal {
namespace {

constexpr const char* kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

std::string Hex(const unsigned char* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

// Code points of `s` without ASCII/CJK punctuation and whitespace, so
// "饭菜不卫生！" and "饭菜不卫生。" compare equal.
std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0 && i + 3 < s.size()) {
      cp = ((c & 7u) << 18) | ((s[i + 1] & 63u) << 12) | ((s[i + 2] & 63u) << 6) | (s[i + 3] & 63u);
      len = 4;
    } else if (c >= 0xE0 && i + 2 < s.size()) {
      cp = ((c & 15u) << 12) | ((s[i + 1] & 63u) << 6) | (s[i + 2] & 63u);
      len = 3;
    } else if (c >= 0xC0 && i + 1 < s.size()) {
      cp = ((c & 31u) << 6) | (s[i + 1] & 63u);
      len = 2;
    }
    i += len;
    const bool ascii_skip = cp < 0x80 && !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
                                           (cp >= 'A' && cp <= 'Z'));
    const bool cjk_punct = (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
                           (cp >= 0xFF1A && cp <= 0xFF20) || cp == 0x2026 || cp == 0x201C ||
                           cp == 0x201D || cp == 0x2018 || cp == 0x2019;
    if (ascii_skip || cjk_punct) continue;
    if (cp >= 'A' && cp <= 'Z') cp += 32;
    out.push_back(cp);
  }
  return out;
}

std::set<uint64_t> Bigrams(std::string_view s) {
  const std::vector<uint32_t> cps = CodePoints(s);
  std::set<uint64_t> out;
  for (size_t i = 0; i + 1 < cps.size(); ++i) out.insert((uint64_t{cps[i]} << 32) | cps[i + 1]);
  if (cps.size() == 1) out.insert(uint64_t{cps[0]} << 32);
  return out;
}

}  // namespace

std::string SniffContentType(std::string_view b) {
  auto starts = [&](std::string_view sig) { return b.substr(0, sig.size()) == sig; };
  if (starts(std::string_view("\x89PNG\r\n\x1a\n", 8))) return "image/png";
  if (starts(std::string_view("\xff\xd8\xff", 3))) return "image/jpeg";
  if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
  if (b.size() >= 12 && starts("RIFF") && b.substr(8, 4) == "WEBP") return "image/webp";
  if (starts("%PDF-")) return "application/pdf";
  return "";
}

std::string NewTrackingCode(Random& random) {
  unsigned char bytes[10];
  random.Fill(bytes, sizeof bytes);
  // 80 bits → 16 groups of 5.
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kCrockford[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

std::string NormalizeTrackingCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (c == 'I' || c == 'L') c = '1';
    if (c == 'O') c = '0';
    if (std::string_view(kCrockford).find(c) == std::string_view::npos) return "";
    out += c;
    if (out.size() > 16) return "";
  }
  return out.size() == 16 ? out : "";
}

std::string TrackingHash(std::string_view normalized_code) {
  unsigned char h[crypto_generichash_BYTES];  // 32: BLAKE2b-256
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(normalized_code.data()),
                     normalized_code.size(), nullptr, 0);
  return Hex(h, sizeof h);
}

double BigramJaccard(std::string_view a, std::string_view b) {
  const std::set<uint64_t> x = Bigrams(a), y = Bigrams(b);
  if (x.empty() && y.empty()) return 1;
  size_t common = 0;
  for (uint64_t g : x) common += y.count(g);
  return static_cast<double>(common) / static_cast<double>(x.size() + y.size() - common);
}

namespace {

// The digit at s[i], ASCII or full-width (U+FF10..U+FF19, EF BC 90..99):
// its byte length, 0 if none.
size_t DigitAt(std::string_view s, size_t i) {
  if (i < s.size() && s[i] >= '0' && s[i] <= '9') return 1;
  if (i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xEF && static_cast<unsigned char>(s[i + 1]) == 0xBC &&
      static_cast<unsigned char>(s[i + 2]) >= 0x90 && static_cast<unsigned char>(s[i + 2]) <= 0x99) {
    return 3;
  }
  return 0;
}

bool IsSeparator(char c) { return c == ' ' || c == '-' || c == '.'; }

}  // namespace

std::string RedactIdentity(std::string_view text, const std::vector<std::string>& known) {
  std::string s(text);
  for (const std::string& k : known) {
    // One character (a surname alone) would mask half the text.
    const auto chars = std::count_if(k.begin(), k.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; });
    if (chars < 2) continue;
    for (size_t at = s.find(k); at != std::string::npos; at = s.find(k, at + kRedacted.size())) {
      s.replace(at, k.size(), kRedacted);
    }
  }
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (DigitAt(s, i) == 0) {
      out += s[i++];
      continue;
    }
    // One run: digit groups joined by single separators.
    std::vector<int> groups;
    std::string digits;  // ASCII, for the mobile and landline shapes
    size_t j = i;
    for (;;) {
      int n = 0;
      while (size_t len = DigitAt(s, j)) {
        digits += len == 1 ? s[j] : static_cast<char>('0' + (static_cast<unsigned char>(s[j + 2]) - 0x90));
        j += len;
        ++n;
      }
      groups.push_back(n);
      if (j + 1 < s.size() && IsSeparator(s[j]) && DigitAt(s, j + 1) != 0) {
        ++j;
        continue;
      }
      break;
    }
    const bool mobile = digits.size() == 11 && digits[0] == '1' && digits[1] >= '3';
    const bool landline = digits.size() >= 10 && digits.size() <= 12 && digits[0] == '0';
    const bool long_group = *std::max_element(groups.begin(), groups.end()) >= 7;
    if (mobile || landline || long_group) {
      if (j < s.size() && (s[j] == 'X' || s[j] == 'x') && digits.size() >= 15) ++j;  // 身份证号 …X
      out += kRedacted;
    } else {
      out.append(s, i, j - i);
    }
    i = j;
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return Hex(h, sizeof h);
}

}  // namespace edugov::cases::internal
