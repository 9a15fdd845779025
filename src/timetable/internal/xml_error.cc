#include "timetable/internal/xml_error.h"

#include <algorithm>

namespace edugov::timetable::internal {

std::string XmlProblemEn(pugi::xml_parse_status status) {
  switch (status) {
    case pugi::status_file_not_found: return "the file was not found";
    case pugi::status_io_error: return "the file could not be read";
    case pugi::status_out_of_memory: return "the file is too large to read";
    case pugi::status_unrecognized_tag: return "a '<' that starts no element";
    case pugi::status_bad_pi: return "a malformed '<?…?>' instruction";
    case pugi::status_bad_comment: return "a malformed '<!--…-->' comment";
    case pugi::status_bad_cdata: return "a malformed CDATA section";
    case pugi::status_bad_doctype: return "a malformed DOCTYPE";
    case pugi::status_bad_pcdata: return "malformed text between elements";
    case pugi::status_bad_start_element: return "a malformed start tag";
    case pugi::status_bad_attribute: return "a malformed attribute (name=\"value\")";
    case pugi::status_bad_end_element: return "a malformed end tag";
    case pugi::status_end_element_mismatch: return "an end tag that does not match its start tag, or a file cut short";
    case pugi::status_append_invalid_root:
    case pugi::status_no_document_element: return "no root element";
    default: return "the XML is not well-formed here";
  }
}

std::string XmlProblemZh(pugi::xml_parse_status status) {
  switch (status) {
    case pugi::status_file_not_found: return "找不到文件";
    case pugi::status_io_error: return "无法读取文件";
    case pugi::status_out_of_memory: return "文件过大，无法读取";
    case pugi::status_unrecognized_tag: return "“<” 后不是元素";
    case pugi::status_bad_pi: return "“<?…?>” 指令格式错误";
    case pugi::status_bad_comment: return "“<!--…-->” 注释格式错误";
    case pugi::status_bad_cdata: return "CDATA 段格式错误";
    case pugi::status_bad_doctype: return "DOCTYPE 格式错误";
    case pugi::status_bad_pcdata: return "元素之间的文本格式错误";
    case pugi::status_bad_start_element: return "开始标签格式错误";
    case pugi::status_bad_attribute: return "属性格式错误（应为 名称=\"值\"）";
    case pugi::status_bad_end_element: return "结束标签格式错误";
    case pugi::status_end_element_mismatch: return "结束标签与开始标签不匹配，或文件不完整";
    case pugi::status_append_invalid_root:
    case pugi::status_no_document_element: return "缺少根元素";
    default: return "此处 XML 格式错误";
  }
}

TextPosition PositionOf(std::string_view text, ptrdiff_t offset) {
  TextPosition p;
  const size_t end = std::min(static_cast<size_t>(std::max<ptrdiff_t>(offset, 0)), text.size());
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++p.column;
    }
  }
  return p;
}

}  // namespace edugov::timetable::internal
