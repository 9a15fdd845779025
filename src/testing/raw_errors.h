// The fragments of library messages that must never reach a user (issue:
// "no raw library errors"): yaml-cpp's and nlohmann::json's wording, the
// ":0:0" of a null yaml-cpp mark, std::stoi's "stoi", a Status code name
// ("invalid_argument: ") leaking from ToString into a message.
//
//   EXPECT_EQ(RawLibraryFragment(s.message_en()), "") << s.message_en();
#pragma once

#include <string>
#include <string_view>

namespace edugov::testing {

// The first raw fragment found in `text`, or "" when there is none.
inline std::string RawLibraryFragment(std::string_view text) {
  static constexpr std::string_view kFragments[] = {
      "invalid node", "bad conversion", ":0:0", "invalid_argument:", "yaml-cpp", "operator[]",
      "map iterator", "[json.exception", "parse error at", "syntax error while parsing",
      "stoi", "stol", "stod", "basic_string", "pugixml", "end of map not found", "illegal map value",
      "key not found", "bad dereference"};
  for (std::string_view f : kFragments) {
    if (text.find(f) != std::string_view::npos) return std::string(f);
  }
  return {};
}

}  // namespace edugov::testing
