// pugixml's parse failures in the user's words: pugixml describes them in
// its own English ("Error parsing start element tag"), which must not reach
// a user (issue 15). Used by the .fet and XHSTT importers and the .fet
// export's re-read of the original file.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <pugixml.hpp>

namespace edugov::timetable::internal {

// One sentence per language for a parse status, never pugixml's text.
std::string XmlProblemEn(pugi::xml_parse_status status);
std::string XmlProblemZh(pugi::xml_parse_status status);

// 1-based line and column (in characters, not UTF-8 bytes) of byte `offset`.
struct TextPosition {
  int line = 1;
  int column = 1;
};
TextPosition PositionOf(std::string_view text, ptrdiff_t offset);

}  // namespace edugov::timetable::internal
