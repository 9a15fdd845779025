#include "common/yaml_error.h"


namespace edugov {

namespace {

struct Problem {
  std::string_view prefix;  // yaml-cpp's message starts with this
  std::string_view en;
  std::string_view zh;
};

// yaml-cpp's messages (yaml-cpp/exceptions.h, ErrorMsg) grouped by what the
// author of the file has to do about them.
constexpr Problem kProblems[] = {
    {"bad conversion", "the value has the wrong type (a number, true/false, text or list was expected)",
     "值的类型不对（应为数字、true/false、文本或列表）"},
    {"invalid node", "a required key is missing, or a list stands where a map belongs (or the reverse)",
     "缺少必需的键，或在应为映射处写了列表（或相反）"},
    {"key not found", "a required key is missing", "缺少必需的键"},
    {"operator[] call on a scalar", "a single value stands where a map of keys belongs",
     "应为键值映射，却只写了单个值"},
    {"bad dereference", "a value is missing", "缺少值"},
    {"invalid scalar", "a list or map stands where a single value belongs", "应为单个值，却写了列表或映射"},
    {"end of map not found", "a map is not closed (check the indentation)", "映射没有结束（请检查缩进）"},
    {"end of map flow not found", "a '{' has no matching '}'", "“{” 缺少对应的 “}”"},
    {"end of sequence not found", "a list is not closed (check the indentation)", "列表没有结束（请检查缩进）"},
    {"end of sequence flow not found", "a '[' has no matching ']'", "“[” 缺少对应的 “]”"},
    {"illegal map value", "a ':' where no key may start (quote the text or fix the indentation)",
     "此处不能出现 “:”（请给文本加引号或调整缩进）"},
    {"illegal map key", "a key where none may stand", "此处不能出现键"},
    {"illegal block entry", "a '- ' list entry where none may stand", "此处不能出现 “- ” 列表项"},
    {"block sequence entries are not allowed", "a '- ' list entry where none may stand",
     "此处不能出现 “- ” 列表项"},
    {"illegal flow end", "a ']' or '}' without its opening bracket", "多余的 “]” 或 “}”"},
    {"illegal tab", "a tab in the indentation (indent with spaces)", "缩进中有制表符（请用空格缩进）"},
    {"illegal EOF in scalar", "the file ends inside a quoted text", "文件在引号内的文本中结束"},
    {"end of string not found", "a quoted text has no closing quote", "引号内的文本缺少结束引号"},
    {"illegal character in scalar", "a character that is not allowed in a value", "值中有不允许的字符"},
    {"invalid character in single-quoted string", "a character that is not allowed in a quoted text",
     "引号内的文本中有不允许的字符"},
    {"illegal document indicator", "a '---' or '...' inside a value", "值中出现了 “---” 或 “...”"},
    {"unknown escape character", "an unknown '\\' escape in a quoted text", "引号内的文本中有未知的 “\\” 转义"},
    {"invalid unicode", "an invalid '\\u' escape", "无效的 “\\u” 转义"},
    {"bad character found while scanning hex", "an invalid '\\x' escape", "无效的 “\\x” 转义"},
    {"the referenced anchor is not defined", "an alias '*name' refers to no '&name'", "别名 “*名称” 没有对应的 “&名称”"},
    {"alias not found", "a '*' is not followed by a name", "“*” 后缺少名称"},
    {"anchor not found", "a '&' is not followed by a name", "“&” 后缺少名称"},
    {"illegal character found while scanning alias", "an alias name has a character not allowed there",
     "别名中有不允许的字符"},
    {"illegal character found while scanning anchor", "an anchor name has a character not allowed there",
     "锚点名称中有不允许的字符"},
    {"cannot assign", "a value has two anchors, tags or aliases", "一个值带有两个锚点、标签或别名"},
    {"aliases can't have any content", "an alias '*name' is followed by more content", "别名 “*名称” 后不能再有内容"},
    {"unexpected character in block scalar", "a '|' or '>' text block is malformed", "“|” 或 “>” 文本块格式错误"},
    {"cannot set zero indentation", "a '|' or '>' text block is malformed", "“|” 或 “>” 文本块格式错误"},
    {"bad file", "the file cannot be read", "无法读取文件"},
};

const Problem* Find(const YAML::Exception& e) {
  for (const Problem& p : kProblems) {
    if (std::string_view(e.msg).substr(0, p.prefix.size()) == p.prefix) return &p;
  }
  return nullptr;
}

// The key yaml-cpp names in "invalid node; first invalid key: \"k\"" and
// "key not found: k": a word of the document, safe to show.
std::string KeyNamed(const YAML::Exception& e) {
  const std::string_view msg(e.msg);
  if (size_t at = msg.find("first invalid key: \""); at != std::string_view::npos) {
    std::string_view key = msg.substr(at + 20);
    if (!key.empty() && key.back() == '"') key.remove_suffix(1);
    return std::string(key);
  }
  if (msg.rfind("key not found: ", 0) == 0) return std::string(msg.substr(15));
  return {};
}

}  // namespace

std::string YamlWhereEn(std::string_view file, const YAML::Mark& mark) {
  std::string out(file);
  if (mark.is_null() || mark.line < 0) return out;
  return out + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string YamlWhereZh(std::string_view file, const YAML::Mark& mark) {
  std::string out(file);
  if (mark.is_null() || mark.line < 0) return out;
  return out + " 第 " + std::to_string(mark.line + 1) + " 行第 " + std::to_string(mark.column + 1) + " 列";
}

std::string YamlProblemEn(const YAML::Exception& e) {
  const Problem* p = Find(e);
  std::string out = p ? std::string(p->en) : "the YAML is not well-formed here";
  if (std::string key = KeyNamed(e); !key.empty()) out += " (key '" + key + "')";
  return out;
}

std::string YamlProblemZh(const YAML::Exception& e) {
  const Problem* p = Find(e);
  std::string out = p ? std::string(p->zh) : "此处 YAML 格式错误";
  if (std::string key = KeyNamed(e); !key.empty()) out += "（键 “" + key + "”）";
  return out;
}

Status YamlError(std::string_view file, const YAML::Exception& e, std::string_view field,
                 const YAML::Mark& fallback) {
  const YAML::Mark& mark = e.mark.is_null() ? fallback : e.mark;
  std::string en = YamlWhereEn(file, mark) + ": ";
  std::string zh = YamlWhereZh(file, mark) + "：";
  if (!field.empty()) {
    en += std::string(field) + ": ";
    zh += std::string(field) + "：";
  }
  en += YamlProblemEn(e);
  zh += YamlProblemZh(e);
  return Status(StatusCode::kInvalidArgument, std::move(en), std::move(zh),
                field.empty() ? YamlWhereEn(file, mark) : std::string(field));
}

}  // namespace edugov
