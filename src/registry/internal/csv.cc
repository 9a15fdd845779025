#include "registry/internal/csv.h"

#include "registry/internal/common.h"

namespace edugov::registry::internal {

namespace {
Status CsvError(int row, const std::string& en, const std::string& zh) {
  return InvalidArgumentError("CSV row " + std::to_string(row) + ": " + en,
                              "CSV 第 " + std::to_string(row) + " 行：" + zh)
      .WithField("row " + std::to_string(row));
}
}  // namespace

StatusOr<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (!IsValidUtf8(text)) {
    return InvalidArgumentError(
               "the file is not UTF-8 text (perhaps GBK, as Excel saves \"CSV\" on Chinese "
               "Windows); save it as \"CSV UTF-8 (comma delimited)\" and import again",
               "文件不是 UTF-8 编码（可能是 Excel 在中文 Windows 上默认保存的 GBK 编码）。"
               "请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后重新导入")
        .WithField("file");
  }
  std::vector<CsvRecord> out;
  CsvRecord rec;
  std::string field;
  int row = 1;
  rec.row = row;
  enum { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted } state = kFieldStart;
  auto end_record = [&] {
    rec.fields.push_back(std::move(field));
    field.clear();
    const bool blank = rec.fields.size() == 1 && rec.fields[0].empty();
    if (!blank) out.push_back(std::move(rec));
    rec = CsvRecord{};
    rec.row = ++row;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (state) {
      case kFieldStart:
      case kUnquoted:
        if (c == '"') {
          if (state == kUnquoted) {
            return CsvError(row, "a quote inside an unquoted field; quote the whole field",
                            "未加引号的字段中出现引号，请用引号括起整个字段");
          }
          state = kQuoted;
        } else if (c == ',') {
          rec.fields.push_back(std::move(field));
          field.clear();
          state = kFieldStart;
        } else if (c == '\r' || c == '\n') {
          if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
          end_record();
          state = kFieldStart;
        } else {
          field.push_back(c);
          state = kUnquoted;
        }
        break;
      case kQuoted:
        if (c == '"') {
          state = kQuoteInQuoted;
        } else {
          field.push_back(c);
        }
        break;
      case kQuoteInQuoted:
        if (c == '"') {
          field.push_back('"');
          state = kQuoted;
        } else if (c == ',') {
          rec.fields.push_back(std::move(field));
          field.clear();
          state = kFieldStart;
        } else if (c == '\r' || c == '\n') {
          if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
          end_record();
          state = kFieldStart;
        } else {
          return CsvError(row, "text after a closing quote", "右引号后还有其他字符");
        }
        break;
    }
  }
  if (state == kQuoted) {
    return CsvError(rec.row, "a quoted field is not closed", "引号字段没有结束引号");
  }
  if (state != kFieldStart || !rec.fields.empty()) end_record();
  return out;
}

}  // namespace edugov::registry::internal
