#include "tabular/encoding.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace edugov::tabular {

namespace {

constexpr std::string_view kBomUtf8 = "\xEF\xBB\xBF";
constexpr std::string_view kBomUtf16Le = "\xFF\xFE";
constexpr std::string_view kBomUtf16Be = "\xFE\xFF";

// Length of the longest well-formed UTF-8 prefix of `s`: s.size() if it is
// all valid, else the offset of the first bad byte.
size_t ValidUtf8Prefix(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // Most imported text is ASCII: test eight bytes at a time.
    if (i + 8 <= n) {
      uint64_t chunk;
      std::memcpy(&chunk, p + i, 8);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return n;
}

// A file that is nearly all well-formed UTF-8 — many multi-byte sequences,
// few broken ones — is UTF-8 that was damaged (truncated, spliced), not
// GBK: GBK text read as UTF-8 breaks every few characters. Reading such a
// file as GB18030 would turn every Chinese character into mojibake.
bool LooksLikeDamagedUtf8(std::string_view s) {
  size_t good = 0, bad = 0;
  size_t i = 0;
  while (i < s.size()) {
    const size_t ok = ValidUtf8Prefix(s.substr(i));
    for (size_t k = i; k < i + ok; ++k) {
      if ((static_cast<unsigned char>(s[k]) & 0xC0) == 0xC0) ++good;
    }
    i += ok;
    if (i < s.size()) {
      ++bad;
      ++i;  // resynchronise one byte on
    }
  }
  return good >= 8 * bad;
}

// 1-based row (line) of byte `offset`, counting CRLF, LF and CR as one break.
int64_t RowAt(std::string_view bytes, size_t offset) {
  int64_t row = 1;
  const size_t end = std::min(offset, bytes.size());
  for (size_t i = 0; i < end; ++i) {
    if (bytes[i] == '\n') {
      ++row;
    } else if (bytes[i] == '\r' && (i + 1 >= bytes.size() || bytes[i + 1] != '\n')) {
      ++row;
    }
  }
  return row;
}

int64_t RowAtUtf16(std::string_view bytes, size_t offset, bool little_endian) {
  int64_t row = 1;
  uint16_t prev = 0;
  for (size_t i = 0; i + 1 < bytes.size() && i < offset; i += 2) {
    const auto b0 = static_cast<unsigned char>(bytes[i]);
    const auto b1 = static_cast<unsigned char>(bytes[i + 1]);
    const uint16_t u = little_endian ? (b0 | b1 << 8) : (b1 | b0 << 8);
    if (u == '\n' && prev != '\r') ++row;
    if (u == '\r') ++row;
    prev = u;
  }
  return row;
}

Status InvalidBytes(Encoding encoding, size_t offset, int64_t row) {
  const std::string off = std::to_string(offset);
  const std::string r = std::to_string(row);
  const std::string name(EncodingName(encoding));
  return InvalidArgumentError(
             "invalid " + name + " byte sequence at byte offset " + off + " (row " + r +
                 "); the file is damaged or not in " + name,
             "第 " + r + " 行（字节偏移 " + off + "）有无效的 " + name +
                 " 字节序列，文件已损坏或不是 " + name + " 编码")
      .WithField("row " + r);
}

StatusOr<DecodedText> FromUtf8(std::string&& bytes, Encoding encoding, size_t skip) {
  const std::string_view body = std::string_view(bytes).substr(skip);
  const size_t bad = ValidUtf8Prefix(body);
  if (bad != body.size()) return InvalidBytes(Encoding::kUtf8, skip + bad, RowAt(bytes, skip + bad));
  return DecodedText(encoding, std::move(bytes), skip);
}

// Converts with glibc's iconv. On failure returns the byte offset of the
// first sequence iconv rejected (invalid, or incomplete at the end).
StatusOr<DecodedText> FromGb18030(const std::string& bytes, size_t* bad_offset) {
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return InternalError("iconv cannot convert GB18030 to UTF-8 on this system",
                         "本系统的 iconv 不支持 GB18030 转 UTF-8");
  }
  // GB18030 → UTF-8 grows at most 2× (a one-byte 0x80 → U+0080), mostly 1.5×.
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* outp = out.data();
  size_t out_left = out.size();
  const size_t rc = iconv(cd, &in, &in_left, &outp, &out_left);
  const int err = errno;
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1)) {
    *bad_offset = static_cast<size_t>(in - bytes.data());
    if (err == E2BIG) {  // cannot happen with the 2× buffer; keep it loud
      return InternalError("GB18030 conversion ran out of buffer", "GB18030 转换缓冲区不足");
    }
    return InvalidBytes(Encoding::kGb18030, *bad_offset, RowAt(bytes, *bad_offset));
  }
  out.resize(out.size() - out_left);
  return DecodedText(Encoding::kGb18030, std::move(out), 0);
}

StatusOr<DecodedText> FromUtf16(const std::string& bytes, bool little_endian, size_t skip) {
  const Encoding enc = little_endian ? Encoding::kUtf16Le : Encoding::kUtf16Be;
  if ((bytes.size() - skip) % 2 != 0) {
    const size_t off = bytes.size() - 1;
    return InvalidBytes(enc, off, RowAtUtf16(bytes, off, little_endian));
  }
  std::string out;
  out.reserve((bytes.size() - skip) * 3 / 2);
  auto unit = [&](size_t i) -> uint32_t {
    const auto b0 = static_cast<unsigned char>(bytes[i]);
    const auto b1 = static_cast<unsigned char>(bytes[i + 1]);
    return little_endian ? (b0 | b1 << 8) : (b1 | b0 << 8);
  };
  for (size_t i = skip; i < bytes.size(); i += 2) {
    uint32_t cp = unit(i);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      const uint32_t lo = i + 3 < bytes.size() ? unit(i + 2) : 0;
      if (lo < 0xDC00 || lo > 0xDFFF) return InvalidBytes(enc, i, RowAtUtf16(bytes, i, little_endian));
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return InvalidBytes(enc, i, RowAtUtf16(bytes, i, little_endian));
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | cp >> 6));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | cp >> 12));
      out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | cp >> 18));
      out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return DecodedText(enc, std::move(out), 0);
}

std::optional<Encoding> BomEncoding(std::string_view bytes) {
  if (bytes.starts_with(kBomUtf8)) return Encoding::kUtf8Bom;
  if (bytes.starts_with(kBomUtf16Le)) return Encoding::kUtf16Le;
  if (bytes.starts_with(kBomUtf16Be)) return Encoding::kUtf16Be;
  return std::nullopt;
}

size_t BomLength(Encoding e) {
  switch (e) {
    case Encoding::kUtf8Bom: return 3;
    case Encoding::kUtf16Le:
    case Encoding::kUtf16Be: return 2;
    default: return 0;
  }
}

// Without a BOM, NUL bytes mean UTF-16 without a BOM or a binary file (an
// .xlsx or .xls renamed to .csv): both valid "UTF-8" that would read as junk.
Status CheckNotBinary(std::string_view bytes) {
  const std::string_view head = bytes.substr(0, 4096);
  if (head.find('\0') == std::string_view::npos) return OkStatus();
  if (bytes.starts_with("PK\x03\x04") || bytes.starts_with("\xD0\xCF\x11\xE0")) {
    return InvalidArgumentError(
               "this is an Excel workbook, not a text (CSV) file; import it as .xlsx or save it "
               "as \"CSV UTF-8 (comma delimited)\"",
               "这是 Excel 工作簿而不是文本（CSV）文件，请按 .xlsx 导入，或另存为“CSV UTF-8（逗号分隔）”")
        .WithField("file");
  }
  return InvalidArgumentError(
             "the file contains NUL bytes: it is binary, or UTF-16 without a byte-order mark; "
             "save it as \"CSV UTF-8 (comma delimited)\" and import again",
             "文件含有 NUL 字节：它是二进制文件，或是没有字节顺序标记（BOM）的 UTF-16 文本。"
             "请另存为“CSV UTF-8（逗号分隔）”后重新导入")
      .WithField("file");
}

}  // namespace

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kUtf8: return "UTF-8";
    case Encoding::kUtf8Bom: return "UTF-8 (BOM)";
    case Encoding::kUtf16Le: return "UTF-16LE";
    case Encoding::kUtf16Be: return "UTF-16BE";
    case Encoding::kGb18030: return "GB18030";
  }
  return "?";
}

std::optional<Encoding> ParseEncodingName(std::string_view name) {
  std::string n;
  for (char c : name) {
    if (c == '-' || c == '_' || c == ' ') continue;
    n.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  if (n == "utf8") return Encoding::kUtf8;
  if (n == "utf8bom" || n == "utf8(bom)") return Encoding::kUtf8Bom;
  if (n == "utf16le" || n == "utf16") return Encoding::kUtf16Le;
  if (n == "utf16be") return Encoding::kUtf16Be;
  if (n == "gb18030" || n == "gbk" || n == "gb2312" || n == "cp936") return Encoding::kGb18030;
  return std::nullopt;
}

bool IsValidUtf8(std::string_view text) { return ValidUtf8Prefix(text) == text.size(); }

StatusOr<DecodedText> DecodeToUtf8(std::string&& bytes, std::optional<Encoding> forced) {
  const std::optional<Encoding> bom = BomEncoding(bytes);
  if (forced && bom) {
    const bool utf8_pair = (*forced == Encoding::kUtf8 || *forced == Encoding::kUtf8Bom) &&
                           *bom == Encoding::kUtf8Bom;
    if (!utf8_pair && *forced != *bom) {
      return InvalidArgumentError(
                 "the file starts with a " + std::string(EncodingName(*bom)) +
                     " byte-order mark but " + std::string(EncodingName(*forced)) +
                     " was asked for",
                 "文件以 " + std::string(EncodingName(*bom)) + " 字节顺序标记开头，但指定的编码是 " +
                     std::string(EncodingName(*forced)))
          .WithField("encoding");
    }
  }
  Encoding enc;
  if (bom) {
    enc = *bom;
  } else if (forced) {
    enc = *forced == Encoding::kUtf8Bom ? Encoding::kUtf8 : *forced;
  } else {
    RETURN_IF_ERROR(CheckNotBinary(bytes));
    const size_t bad = ValidUtf8Prefix(bytes);
    if (bad == bytes.size()) return DecodedText(Encoding::kUtf8, std::move(bytes), 0);
    const std::string off = std::to_string(bad);
    const std::string row = std::to_string(RowAt(bytes, bad));
    if (LooksLikeDamagedUtf8(bytes)) {
      return InvalidArgumentError(
                 "the file is UTF-8 but has an invalid byte sequence at byte offset " + off +
                     " (row " + row + "); it may be truncated or damaged",
                 "文件为 UTF-8 编码，但第 " + row + " 行（字节偏移 " + off +
                     "）有无效字节序列，文件可能已损坏或被截断")
          .WithField("row " + row);
    }
    size_t gb_bad = 0;
    StatusOr<DecodedText> gb = FromGb18030(bytes, &gb_bad);
    if (gb.ok() || gb.status().code() != StatusCode::kInvalidArgument) return gb;
    const std::string gb_off = std::to_string(gb_bad);
    const std::string gb_row = std::to_string(RowAt(bytes, gb_bad));
    return InvalidArgumentError(
               "the file is neither UTF-8 (invalid at byte offset " + off + ", row " + row +
                   ") nor GBK/GB18030 (invalid at byte offset " + gb_off + ", row " + gb_row +
                   "); save it as \"CSV UTF-8 (comma delimited)\" and import again",
               "文件既不是 UTF-8 编码（第 " + row + " 行，字节偏移 " + off +
                   " 处无效），也不是 GBK/GB18030 编码（第 " + gb_row + " 行，字节偏移 " + gb_off +
                   " 处无效）。请另存为“CSV UTF-8（逗号分隔）”后重新导入")
        .WithField("row " + gb_row);
  }
  const size_t skip = bom ? BomLength(*bom) : 0;
  switch (enc) {
    case Encoding::kUtf8:
    case Encoding::kUtf8Bom:
      return FromUtf8(std::move(bytes), enc, skip);
    case Encoding::kUtf16Le:
    case Encoding::kUtf16Be:
      return FromUtf16(bytes, enc == Encoding::kUtf16Le, skip);
    case Encoding::kGb18030: {
      size_t unused = 0;
      return FromGb18030(bytes, &unused);
    }
  }
  return InternalError("unknown encoding", "未知编码");
}

StatusOr<Encoding> DetectEncoding(std::string_view bytes) {
  if (auto bom = BomEncoding(bytes)) return *bom;
  ASSIGN_OR_RETURN(DecodedText text, DecodeToUtf8(std::string(bytes)));
  return text.encoding();
}

}  // namespace edugov::tabular
