// Text encodings of imported files, and their conversion to UTF-8, the only
// encoding the rest of edugov sees. Chinese Excel saves "CSV" as GBK and
// "Unicode text" as UTF-16LE; web tools write UTF-8, sometimes with a BOM.
//
//   ASSIGN_OR_RETURN(DecodedText text, DecodeToUtf8(std::move(bytes)));
//   Parse(text.text());  // UTF-8, byte-order mark removed
//   Log(EncodingName(text.encoding()));
//
// Detection (no encoding forced): a byte-order mark decides (UTF-8,
// UTF-16LE, UTF-16BE); else text that is valid UTF-8 is UTF-8; else text that
// is valid GB18030 (a superset of GBK and GB2312) is GB18030 — unless it is
// almost all valid UTF-8 with a few broken bytes, which is a damaged UTF-8
// file and reported as such rather than silently read as mojibake.
// Rules and caveats: docs/tabular-formats.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace edugov::tabular {

enum class Encoding {
  kUtf8,     // without byte-order mark
  kUtf8Bom,  // EF BB BF, as Excel's "CSV UTF-8" writes
  kUtf16Le,  // FF FE, Excel's "Unicode text"
  kUtf16Be,  // FE FF
  kGb18030,  // also reads GBK and GB2312, Chinese Windows' "ANSI"
};

// "UTF-8", "UTF-8 (BOM)", "UTF-16LE", "UTF-16BE", "GB18030".
std::string_view EncodingName(Encoding encoding);
// Accepts the names above and common aliases, case-insensitively: "utf8",
// "gbk", "gb2312", "gb18030", "utf-16le", "utf-16be". nullopt if unknown.
std::optional<Encoding> ParseEncodingName(std::string_view name);

// Text converted to UTF-8. Move-only; text() stays valid while the object
// lives and is not moved from (moving keeps the text but may move its bytes).
class DecodedText {
 public:
  DecodedText(Encoding encoding, std::string utf8, size_t skip)
      : encoding_(encoding), bytes_(std::move(utf8)), skip_(skip) {}
  DecodedText(DecodedText&&) = default;
  DecodedText& operator=(DecodedText&&) = default;

  Encoding encoding() const { return encoding_; }
  // UTF-8 without byte-order mark.
  std::string_view text() const { return std::string_view(bytes_).substr(skip_); }
  // The same bytes, writable: readers unescape quoted CSV fields in place.
  char* mutable_data() { return bytes_.data() + skip_; }

 private:
  Encoding encoding_;
  std::string bytes_;  // UTF-8; starts with `skip_` bytes of BOM to ignore
  size_t skip_;
};

// Guesses the encoding of `bytes` by the rules above without converting.
// Returns kInvalidArgument (field "row N", message naming the byte offset)
// when no supported encoding fits.
StatusOr<Encoding> DetectEncoding(std::string_view bytes);

// Converts `bytes` to UTF-8: from `forced` if given (a BOM that contradicts
// it is an error), else from the detected encoding. UTF-8 input is not
// copied. Errors, kInvalidArgument with field "row N": a byte sequence
// invalid in the encoding (the message names the encoding, the 0-based byte
// offset in the file and the 1-based row, counted by line breaks); an odd
// number of bytes in UTF-16; an unpaired surrogate.
StatusOr<DecodedText> DecodeToUtf8(std::string&& bytes,
                                   std::optional<Encoding> forced = std::nullopt);

// True if `text` is well-formed UTF-8 (no overlongs, surrogates or code
// points past U+10FFFF).
bool IsValidUtf8(std::string_view text);

}  // namespace edugov::tabular
