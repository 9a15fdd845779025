#include "tabular/csv_reader.h"

#include <array>
#include <cstring>
#include <utility>

#include "tabular/internal/read_file.h"

namespace edugov::tabular {

namespace {

// How far into the file delimiter detection looks: the header row of any
// real export fits, and a file without line breaks is not scanned twice.
constexpr size_t kDetectWindow = 64 * 1024;

char DetectDelimiter(std::string_view text) {
  const std::string_view head = text.substr(0, kDetectWindow);
  size_t counts[3] = {0, 0, 0};
  bool quoted = false;
  for (char c : head) {
    if (c == '"') {
      quoted = !quoted;  // "" inside quotes toggles twice: still quoted
    } else if (!quoted) {
      if (c == '\n' || c == '\r') break;
      if (c == ',') ++counts[0];
      if (c == ';') ++counts[1];
      if (c == '\t') ++counts[2];
    }
  }
  char best = ',';
  size_t best_count = counts[0];
  if (counts[1] > best_count) best = ';', best_count = counts[1];
  if (counts[2] > best_count) best = '\t';
  return best;
}

// 1-based line of byte `offset`, CRLF, LF and CR each ending one line.
// Only computed for error messages.
int64_t LineAt(std::string_view text, size_t offset) {
  int64_t line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
    } else if (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')) {
      ++line;
    }
  }
  return line;
}

class CsvSourceImpl final : public CsvSource {
 public:
  CsvSourceImpl(DecodedText text, char delimiter, const CsvOptions& options)
      : options_(options),
        text_(std::move(text)),
        data_(text_.mutable_data()),
        size_(text_.text().size()),
        delimiter_(delimiter) {
    special_.fill(false);
    special_[static_cast<unsigned char>(delimiter)] = true;
    special_['\n'] = special_['\r'] = special_['"'] = true;
  }

  const std::vector<std::string>& header() const override { return header_; }
  int64_t header_row_number() const override { return header_row_; }
  Encoding encoding() const override { return text_.encoding(); }
  char delimiter() const override { return delimiter_; }

  StatusOr<bool> Next(Row& row) override {
    if (have_first_) {
      have_first_ = false;
      row.number = first_.number;
      row.cells.assign(first_.cells.begin(), first_.cells.end());
      return true;
    }
    for (;;) {
      if (pos_ >= size_) return false;
      ASSIGN_OR_RETURN(bool blank, ParseRecord(row));
      if (!blank) return true;
    }
  }

  Status ReadHeader(bool has_header) {
    Row row;
    ASSIGN_OR_RETURN(bool any, Next(row));
    if (!any) {
      return InvalidArgumentError("the file is empty: it has no rows",
                                  "文件为空：没有任何数据行")
          .WithField("file");
    }
    if (!has_header) {
      // The first row is data. Keep it rather than parse it again: its
      // quoted fields were already unescaped in place. Its views stay valid
      // because later records only rewrite bytes after it.
      first_ = std::move(row);
      have_first_ = true;
      return OkStatus();
    }
    header_row_ = row.number;
    header_.assign(row.cells.begin(), row.cells.end());
    return OkStatus();
  }

 private:
  // Parses the record at pos_ into `row`; returns whether all its cells are
  // empty (a blank line, or ",,," as Excel writes an empty row).
  StatusOr<bool> ParseRecord(Row& row) {
    char* const d = data_;
    const size_t n = size_;
    size_t i = pos_;
    row.number = ++record_;
    row.cells.clear();
    if (record_ > options_.max_rows) {
      return LimitError(0, "the file has more than " + std::to_string(options_.max_rows) + " records",
                        "文件超过 " + std::to_string(options_.max_rows) + " 行", "max_rows",
                        std::to_string(options_.max_rows));
    }
    bool blank = true;
    for (;;) {
      if (i < n && d[i] == '"') {
        const size_t open = i;
        const size_t start = ++i;
        size_t w = start;  // write position: shifts left once "" is unescaped
        bool shifted = false;
        for (;;) {
          const void* q = i < n ? std::memchr(d + i, '"', n - i) : nullptr;
          if (q == nullptr) {
            return RowError(row.cells.size(), "a quoted field is not closed (it opens on line " +
                                                  std::to_string(LineAt(text_.text(), open)) + ")",
                            "引号字段没有结束引号（从第 " +
                                std::to_string(LineAt(text_.text(), open)) + " 行开始）");
          }
          const size_t qi = static_cast<size_t>(static_cast<const char*>(q) - d);
          if (shifted) std::memmove(d + w, d + i, qi - i);
          w += qi - i;
          i = qi + 1;
          if (i < n && d[i] == '"') {  // "" is one quote
            d[w++] = '"';
            shifted = true;
            ++i;
            continue;
          }
          break;
        }
        row.cells.emplace_back(d + start, w - start);
        RETURN_IF_ERROR(CheckCell(row));
        if (w > start) blank = false;
        if (i >= n) break;
        if (d[i] == delimiter_) {
          ++i;
          continue;
        }
        if (d[i] == '\n' || d[i] == '\r') {
          i = SkipLineEnd(i);
          break;
        }
        return RowError(row.cells.size() - 1, "text after a closing quote; quote the whole field",
                        "右引号后还有其他字符，请用引号括起整个字段");
      }
      const size_t start = i;
      while (i < n && !special_[static_cast<unsigned char>(d[i])]) ++i;
      if (i < n && d[i] == '"') {
        return RowError(row.cells.size(),
                        "a quote inside an unquoted field; quote the whole field and double the "
                        "quotes inside it",
                        "未加引号的字段中出现引号，请用引号括起整个字段，并把其中的引号写两遍");
      }
      row.cells.emplace_back(d + start, i - start);
      RETURN_IF_ERROR(CheckCell(row));
      if (i > start) blank = false;
      if (i >= n) break;
      if (d[i] == delimiter_) {
        ++i;
        continue;
      }
      i = SkipLineEnd(i);
      break;
    }
    pos_ = i;
    return blank;
  }

  // The cell just added against max_cell_bytes and max_columns.
  Status CheckCell(const Row& row) {
    if (row.cells.size() > options_.max_columns) {
      return LimitError(row.cells.size() - 1,
                        "the record has more than " + std::to_string(options_.max_columns) + " columns",
                        "该行超过 " + std::to_string(options_.max_columns) + " 列", "max_columns",
                        std::to_string(options_.max_columns));
    }
    if (row.cells.back().size() > options_.max_cell_bytes) {
      const std::string n = std::to_string(row.cells.back().size());
      return LimitError(row.cells.size() - 1, "the cell is " + n + " bytes long",
                        "单元格长 " + n + " 字节", "max_cell_bytes",
                        std::to_string(options_.max_cell_bytes));
    }
    return OkStatus();
  }

  // As RowError, for a bound (kResourceExhausted naming it).
  Status LimitError(size_t column, const std::string& en, const std::string& zh,
                    std::string_view bound, const std::string& value) {
    pos_ = size_;
    const std::string r = std::to_string(record_);
    const std::string c = std::to_string(column + 1);
    return internal::OverLimitError("row " + r + ", column " + c,
                                    "CSV row " + r + ", column " + c + ": " + en,
                                    "CSV 第 " + r + " 行第 " + c + " 列：" + zh, bound, value);
  }

  size_t SkipLineEnd(size_t i) const {
    if (data_[i] == '\r' && i + 1 < size_ && data_[i + 1] == '\n') return i + 2;
    return i + 1;
  }

  // An error in the current record at 0-based `column`; leaves the source
  // at the end so a caller that reads on gets no half-parsed rows.
  Status RowError(size_t column, const std::string& en, const std::string& zh) {
    pos_ = size_;
    const std::string r = std::to_string(record_);
    const std::string c = std::to_string(column + 1);
    std::string name;
    if (column < header_.size() && !header_[column].empty()) name = " (" + header_[column] + ")";
    return InvalidArgumentError("CSV row " + r + ", column " + c + name + ": " + en,
                                "CSV 第 " + r + " 行第 " + c + " 列" + name + "：" + zh)
        .WithField("row " + r + ", column " + c);
  }

  CsvOptions options_;
  DecodedText text_;
  char* data_;  // text_'s UTF-8 bytes, unescaped in place as rows are read
  size_t size_;
  char delimiter_;
  std::array<bool, 256> special_;  // bytes that end an unquoted run
  size_t pos_ = 0;                 // start of the next record
  int64_t record_ = 0;             // records started so far, blank ones too
  std::vector<std::string> header_;
  int64_t header_row_ = 0;
  Row first_;  // without a header: the first row, already parsed
  bool have_first_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<CsvSource>> OpenCsvBytes(std::string&& bytes, const CsvOptions& options) {
  if (options.delimiter != '\0' && options.delimiter != ',' && options.delimiter != ';' &&
      options.delimiter != '\t') {
    return InvalidArgumentError("the CSV delimiter must be ',' ';' or a tab",
                                "CSV 分隔符只能是逗号、分号或制表符")
        .WithField("delimiter");
  }
  if (bytes.size() > options.max_file_bytes) {
    return internal::TooLargeError("the file", "文件", bytes.size(), options.max_file_bytes);
  }
  if (bytes.empty()) {
    return InvalidArgumentError("the file is empty: it has no rows", "文件为空：没有任何数据行")
        .WithField("file");
  }
  ASSIGN_OR_RETURN(DecodedText text, DecodeToUtf8(std::move(bytes), options.encoding));
  const char delimiter =
      options.delimiter != '\0' ? options.delimiter : DetectDelimiter(text.text());
  auto source = std::make_unique<CsvSourceImpl>(std::move(text), delimiter, options);
  RETURN_IF_ERROR(source->ReadHeader(options.has_header));
  return std::unique_ptr<CsvSource>(std::move(source));
}

StatusOr<std::unique_ptr<CsvSource>> OpenCsvFile(const std::string& path,
                                                 const CsvOptions& options) {
  ASSIGN_OR_RETURN(std::string bytes, internal::ReadWholeFile(path, options.max_file_bytes));
  return OpenCsvBytes(std::move(bytes), options);
}

}  // namespace edugov::tabular
