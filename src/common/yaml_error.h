// Turns yaml-cpp's exceptions into errors a user can act on. yaml-cpp speaks
// in its own terms ("bad conversion", "invalid node; this may result from
// using a map iterator…") and marks positions 0-based, with -1 (printed
// ":0:0") when it has none; none of that may reach a user. Every YAML loader
// catches YAML::Exception at its edge and returns YamlError(...):
//
//   try {
//     root = YAML::Load(text);
//     limit = root["limit"].as<int>();
//   } catch (const YAML::Exception& e) {
//     return YamlError(path, e, "limit");
//   }
//   // → "policy/draws.yaml:3:8: limit: the value has the wrong type (…)"
//   //   "policy/draws.yaml 第 3 行第 8 列：limit：值的类型不对（…）"
//
// Its own library (edugov_yaml_error) so edugov_common does not link yaml-cpp.
#pragma once

#include <string>
#include <string_view>

#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>

#include "common/status.h"

namespace edugov {

// "file:line:column", 1-based; "file" alone when the mark is null.
std::string YamlWhereEn(std::string_view file, const YAML::Mark& mark);
// "file 第 L 行第 C 列"; "file" alone when the mark is null.
std::string YamlWhereZh(std::string_view file, const YAML::Mark& mark);

// What went wrong, in words of the document rather than of yaml-cpp: one of
// a fixed set of sentences per language, never yaml-cpp's text.
std::string YamlProblemEn(const YAML::Exception& e);
std::string YamlProblemZh(const YAML::Exception& e);

// kInvalidArgument naming the file, the line and column and `field` (the key
// path being read, when the caller knows it), in Chinese and English.
// yaml-cpp has no position for some errors (a missing key: InvalidNode);
// `fallback` — the mark of the node being read, when the caller has one —
// stands in then. Status::field() is `field`, else "file:line:column".
Status YamlError(std::string_view file, const YAML::Exception& e, std::string_view field = {},
                 const YAML::Mark& fallback = YAML::Mark::null_mark());

}  // namespace edugov
