#include "tabular/xlsx_reader.h"

#include <zip.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <pugixml.hpp>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "tabular/internal/read_file.h"

namespace edugov::tabular {

namespace {

constexpr int kMaxColumns = 16384;       // Excel's grid: A … XFD
constexpr int64_t kMaxRows = 1048576;
constexpr double kMaxSerial = 2958466;   // 10000-01-01
constexpr int64_t kNoRow = std::numeric_limits<int64_t>::max();

Status FileError(std::string en, std::string zh) {
  return InvalidArgumentError(std::move(en), std::move(zh)).WithField("file");
}

// ---- names and references -------------------------------------------------

// Element names compared without their namespace prefix: most writers use
// the default namespace, some (.NET's Open XML SDK) write <x:row>.
bool Is(pugi::xml_node node, const char* local) {
  const char* name = node.name();
  const char* colon = std::strchr(name, ':');
  return std::strcmp(colon ? colon + 1 : name, local) == 0;
}

pugi::xml_node Child(pugi::xml_node node, const char* local) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (Is(c, local)) return c;
  }
  return {};
}

std::string ColumnName(int column) {
  std::string s;
  for (int c = column + 1; c > 0; c = (c - 1) / 26) s.insert(s.begin(), char('A' + (c - 1) % 26));
  return s;
}

std::string CellName(int64_t row, int column) { return ColumnName(column) + std::to_string(row); }

// Parses "B7" into column 1 and row 7. Either part may be absent in a
// column-only or row-only reference; returns false for anything else.
bool ParseCellRef(const char* ref, int* column, int64_t* row) {
  int col = 0;
  const char* p = ref;
  while (*p >= 'A' && *p <= 'Z') {
    col = col * 26 + (*p - 'A' + 1);
    if (col > kMaxColumns) return false;
    ++p;
  }
  int64_t r = 0;
  const char* digits = p;
  while (*p >= '0' && *p <= '9') {
    r = r * 10 + (*p - '0');
    if (r > kMaxRows) return false;
    ++p;
  }
  if (*p != '\0' || (col == 0 && p == digits)) return false;
  *column = col - 1;
  *row = p == digits ? 0 : r;
  return true;
}

// Excel writes characters XML cannot hold as _xHHHH_ ("_x000D_" for CR).
void AppendDecoded(std::string& out, std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t at = s.find("_x", i);
    if (at == std::string_view::npos || at + 7 > s.size() || s[at + 6] != '_') {
      out.append(s.substr(i));
      return;
    }
    unsigned cp = 0;
    bool hex = true;
    for (size_t k = at + 2; k < at + 6; ++k) {
      const char c = s[k];
      const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                   : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (v < 0) hex = false;
      cp = cp * 16 + static_cast<unsigned>(v);
    }
    out.append(s.substr(i, at - i));
    if (!hex) {
      out.append("_x");
      i = at + 2;
      continue;
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | cp >> 6));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | cp >> 12));
      out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    i = at + 7;
  }
}

// The text of a string item (<si> or <is>): its <t>, or its rich-text runs'
// <r><t> joined. Phonetic guides (<rPh>) are not part of the value.
void AppendStringItem(std::string& out, pugi::xml_node item) {
  for (pugi::xml_node c = item.first_child(); c; c = c.next_sibling()) {
    if (Is(c, "t")) {
      AppendDecoded(out, c.text().get());
    } else if (Is(c, "r")) {
      if (pugi::xml_node t = Child(c, "t")) AppendDecoded(out, t.text().get());
    }
  }
}

// ---- dates ------------------------------------------------------------------

// Days since 1970-01-01 → civil date (H. Hinnant's algorithm).
void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yoe + era * 400 + (*m <= 2));
}

void Put2(char* p, int v) { p[0] = char('0' + v / 10 % 10), p[1] = char('0' + v % 10); }

// ---- zip ---------------------------------------------------------------------

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

Status EncryptedError() {
  return FileError(
      "the workbook is password-protected (encrypted) or is an old .xls file; remove the "
      "password in Excel (File → Info → Protect Workbook) and save it as \"Excel Workbook "
      "(*.xlsx)\"",
      "工作簿已加密（设置了打开密码），或是旧的 .xls 文件。请在 Excel 中取消密码"
      "（文件 → 信息 → 保护工作簿），并另存为“Excel 工作簿（*.xlsx）”");
}

Status DamagedError(const std::string& detail) {
  return FileError("the .xlsx file is damaged or truncated (" + detail +
                       "); save it again in Excel and re-import",
                   ".xlsx 文件已损坏或不完整（" + detail + "），请在 Excel 中重新保存后再导入");
}

class Archive {
 public:
  static StatusOr<Archive> Open(const std::string& bytes, const XlsxOptions& options) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (src == nullptr) {
      zip_error_fini(&error);
      return InternalError("cannot create a zip source", "无法创建 zip 数据源");
    }
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &error);
    if (z == nullptr) {
      zip_source_free(src);
      const int code = zip_error_code_zip(&error);
      const std::string detail = zip_error_strerror(&error);
      zip_error_fini(&error);
      // A truncated .xlsx loses its central directory and looks like no zip
      // at all; its first local header still says it was one.
      if (code == ZIP_ER_NOZIP && !std::string_view(bytes).starts_with("PK\x03\x04")) {
        return FileError(
            "the file is not an .xlsx workbook (not a zip archive); save it in Excel as "
            "\"Excel Workbook (*.xlsx)\"",
            "文件不是 .xlsx 工作簿（不是 zip 压缩包），请在 Excel 中另存为“Excel 工作簿（*.xlsx）”");
      }
      return DamagedError(detail);
    }
    zip_error_fini(&error);
    Archive archive(z, options);
    // A workbook has tens of members; a zip of a hundred thousand empty ones
    // costs the central directory's parse and every name lookup.
    const zip_int64_t entries = zip_get_num_entries(z, 0);
    if (entries < 0 || static_cast<size_t>(entries) > options.max_entries) {
      return internal::OverLimitError(
          "file", "the .xlsx file has " + std::to_string(entries) + " members",
          ".xlsx 文件中有 " + std::to_string(entries) + " 个压缩成员", "max_entries",
          std::to_string(options.max_entries));
    }
    return archive;
  }

  bool Has(const std::string& name) const {
    return zip_name_locate(zip_.get(), name.c_str(), 0) >= 0;
  }

  // The unzipped bytes of part `name`; kNotFound if it is absent.
  StatusOr<std::string> Read(const std::string& name) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(zip_.get(), name.c_str(), 0, &st) != 0) {
      return NotFoundError("the .xlsx file has no " + name, ".xlsx 文件中没有 " + name)
          .WithField("file");
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
      return EncryptedError();
    }
    if (!(st.valid & ZIP_STAT_SIZE)) return DamagedError(name + ": size unknown");
    // The stated size is checked before anything is inflated; reading
    // below stops at it (a member longer than stated is "damaged").
    if (st.size > options_.max_part_bytes) {
      return internal::OverLimitError(
          "file", name + " unzips to " + std::to_string(st.size) + " bytes",
          name + " 解压后为 " + std::to_string(st.size) + " 字节", "max_part_bytes",
          std::to_string(options_.max_part_bytes));
    }
    if (st.size > options_.max_unzipped_bytes - std::min(unzipped_, options_.max_unzipped_bytes)) {
      return internal::OverLimitError(
          "file", "the workbook's members unzip to more than " +
                      std::to_string(options_.max_unzipped_bytes) + " bytes together",
          "工作簿各成员解压后合计超过 " + std::to_string(options_.max_unzipped_bytes) + " 字节",
          "max_unzipped_bytes", std::to_string(options_.max_unzipped_bytes));
    }
    constexpr uint64_t kRatioFrom = 1 << 20;
    if (st.size > kRatioFrom && (st.valid & ZIP_STAT_COMP_SIZE) &&
        static_cast<double>(st.size) >
            options_.max_ratio * static_cast<double>(std::max<uint64_t>(st.comp_size, 1))) {
      const std::string ratio = std::to_string(st.size / std::max<uint64_t>(st.comp_size, 1));
      return internal::OverLimitError(
          "file", name + " is compressed " + ratio + " to 1 (a zip bomb?)",
          name + " 的压缩比为 " + ratio + ":1（疑似压缩炸弹）", "max_ratio",
          std::to_string(static_cast<int64_t>(options_.max_ratio)));
    }
    unzipped_ += st.size;
    zip_file_t* f = zip_fopen(zip_.get(), name.c_str(), 0);
    if (f == nullptr) {
      return DamagedError(name + ": " + zip_strerror(zip_.get()));
    }
    std::string out(st.size, '\0');
    size_t done = 0;
    while (done < out.size()) {
      const zip_int64_t n = zip_fread(f, out.data() + done, out.size() - done);
      if (n <= 0) {
        const std::string detail = n < 0 ? zip_file_strerror(f) : "ends early";
        zip_fclose(f);
        return DamagedError(name + ": " + detail);
      }
      done += static_cast<size_t>(n);
    }
    // Reading to the end lets libzip check the CRC: a damaged member whose
    // size is intact fails here, not silently.
    char extra;
    const zip_int64_t tail = zip_fread(f, &extra, 1);
    std::string detail = tail < 0 ? zip_file_strerror(f) : "";
    const int rc = zip_fclose(f);
    if (tail != 0 || rc != 0) {
      if (detail.empty()) detail = rc != 0 ? zip_error_strerror(zip_get_error(zip_.get())) : "longer than stated";
      return DamagedError(name + ": " + detail);
    }
    return out;
  }

 private:
  Archive(zip_t* z, const XlsxOptions& options) : zip_(z), options_(options) {}
  std::unique_ptr<zip_t, ZipCloser> zip_;
  XlsxOptions options_;
  uint64_t unzipped_ = 0;  // stated sizes of the members read so far
};

// Parses `xml` in place (the buffer must outlive the document).
Status ParseXml(pugi::xml_document& doc, std::string& xml, const std::string& part,
                unsigned flags) {
  const pugi::xml_parse_result r = doc.load_buffer_inplace(xml.data(), xml.size(), flags);
  if (!r) {
    return DamagedError(part + ": malformed XML at byte " + std::to_string(r.offset) + ", " +
                        r.description());
  }
  return OkStatus();
}

// Resolves a relationship target against the xl/ folder the workbook's
// relationships are relative to ("worksheets/sheet1.xml", "/xl/…").
std::string ResolveTarget(std::string_view target) {
  if (target.starts_with('/')) return std::string(target.substr(1));
  std::string base = "xl/";
  while (target.starts_with("../")) {
    target.remove_prefix(3);
    base.clear();  // xl/../ is the package root
  }
  return base + std::string(target);
}

// ---- the source -----------------------------------------------------------------

struct Cell {
  std::string_view text;
  CellType type = CellType::kEmpty;
  bool formula = false;
  // When >= 0, text is scratch_[scratch_offset, +scratch_length): scratch
  // may still grow while the row is read, so views into it wait till the end.
  int64_t scratch_offset = -1;
};

struct MergeFill {
  CellRange range;
  std::string value;  // the top-left cell's text, once its row was read
  CellType type = CellType::kEmpty;
  bool formula = false;
};

class XlsxSourceImpl final : public XlsxSource {
 public:
  XlsxSourceImpl(std::string&& bytes, const XlsxOptions& options)
      : bytes_(std::move(bytes)), options_(options) {}

  Status Open() {
    if (bytes_.size() > options_.max_file_bytes) {
      return internal::TooLargeError("the file", "文件", bytes_.size(), options_.max_file_bytes);
    }
    // Encrypted .xlsx files and .xls files are OLE compound documents.
    if (std::string_view(bytes_).starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
      return EncryptedError();
    }
    if (bytes_.empty()) return FileError("the file is empty", "文件为空");
    ASSIGN_OR_RETURN(Archive archive, Archive::Open(bytes_, options_));

    if (!archive.Has("xl/workbook.xml")) {
      return FileError(
          "the file has no xl/workbook.xml: it is not an Excel workbook, or it is damaged",
          "文件中没有 xl/workbook.xml：它不是 Excel 工作簿，或已损坏");
    }
    ASSIGN_OR_RETURN(std::string workbook_xml, archive.Read("xl/workbook.xml"));
    pugi::xml_document workbook;
    RETURN_IF_ERROR(ParseXml(workbook, workbook_xml, "xl/workbook.xml", pugi::parse_default));
    const pugi::xml_node wb = workbook.first_child();
    if (pugi::xml_node pr = Child(wb, "workbookPr")) {
      const std::string_view v = pr.attribute("date1904").value();
      date1904_ = v == "1" || v == "true";
    }
    std::vector<std::string> sheet_rids;
    for (pugi::xml_node s = Child(Child(wb, "sheets"), "sheet"); s; s = s.next_sibling()) {
      if (!Is(s, "sheet")) continue;
      std::string rid;
      for (pugi::xml_attribute a = s.first_attribute(); a; a = a.next_attribute()) {
        const std::string_view n = a.name();
        if (n == "id" || n.ends_with(":id")) rid = a.value();
      }
      sheet_names_.push_back(s.attribute("name").value());
      sheet_rids.push_back(std::move(rid));
    }
    if (sheet_names_.empty()) {
      return FileError("the workbook has no worksheets", "工作簿中没有工作表");
    }
    size_t index = 0;
    if (!options_.sheet.empty()) {
      auto it = std::find(sheet_names_.begin(), sheet_names_.end(), options_.sheet);
      if (it == sheet_names_.end()) {
        std::string list;
        for (const std::string& n : sheet_names_) list += (list.empty() ? "\"" : ", \"") + n + "\"";
        return NotFoundError("the workbook has no sheet named \"" + options_.sheet +
                                 "\"; its sheets are " + list,
                             "工作簿中没有名为“" + options_.sheet + "”的工作表，现有工作表：" + list)
            .WithField("sheet");
      }
      index = static_cast<size_t>(it - sheet_names_.begin());
    }
    sheet_name_ = sheet_names_[index];

    // Relationships: the sheet's part, shared strings and styles.
    std::unordered_map<std::string, std::string> targets;  // rId → part
    std::string shared_part = "xl/sharedStrings.xml", styles_part = "xl/styles.xml";
    if (archive.Has("xl/_rels/workbook.xml.rels")) {
      ASSIGN_OR_RETURN(std::string rels_xml, archive.Read("xl/_rels/workbook.xml.rels"));
      pugi::xml_document rels;
      RETURN_IF_ERROR(ParseXml(rels, rels_xml, "xl/_rels/workbook.xml.rels", pugi::parse_default));
      for (pugi::xml_node r = rels.first_child().first_child(); r; r = r.next_sibling()) {
        const std::string part = ResolveTarget(r.attribute("Target").value());
        const std::string_view type = r.attribute("Type").value();
        targets[r.attribute("Id").value()] = part;
        if (type.ends_with("/sharedStrings")) shared_part = part;
        if (type.ends_with("/styles")) styles_part = part;
      }
    }
    std::string sheet_part;
    if (auto it = targets.find(sheet_rids[index]); it != targets.end()) {
      sheet_part = it->second;
    } else {
      sheet_part = "xl/worksheets/sheet" + std::to_string(index + 1) + ".xml";
    }
    if (!archive.Has(sheet_part)) {
      return NotFoundError("the worksheet \"" + sheet_name_ + "\" (" + sheet_part +
                               ") is missing from the file; it is damaged",
                           "文件中缺少工作表“" + sheet_name_ + "”（" + sheet_part + "），文件已损坏")
          .WithField("sheet");
    }

    if (archive.Has(shared_part)) RETURN_IF_ERROR(LoadSharedStrings(archive, shared_part));
    if (archive.Has(styles_part)) RETURN_IF_ERROR(LoadStyles(archive, styles_part));

    ASSIGN_OR_RETURN(sheet_xml_, archive.Read(sheet_part));
    // No parse_ws_pcdata: cell values worth keeping are never whitespace-only
    // text nodes outside <t>, and <t> is read through text(), which keeps it.
    RETURN_IF_ERROR(ParseXml(sheet_, sheet_xml_, sheet_part,
                             pugi::parse_minimal | pugi::parse_escapes | pugi::parse_ws_pcdata));
    const pugi::xml_node ws = sheet_.first_child();
    for (pugi::xml_node m = Child(Child(ws, "mergeCells"), "mergeCell"); m; m = m.next_sibling()) {
      if (!Is(m, "mergeCell")) continue;
      RETURN_IF_ERROR(AddMerge(m.attribute("ref").value()));
    }
    if (merged_.size() > options_.max_merged_ranges) {
      return internal::OverLimitError(
          "file", "the sheet has " + std::to_string(merged_.size()) + " merged ranges",
          "工作表中有 " + std::to_string(merged_.size()) + " 处合并单元格", "max_merged_ranges",
          std::to_string(options_.max_merged_ranges));
    }
    if (options_.merged == MergedCellPolicy::kReject && !merged_.empty()) {
      const std::string first = merged_[0].ToString();
      const std::string more = merged_.size() > 1
                                   ? " and " + std::to_string(merged_.size() - 1) + " more"
                                   : "";
      const std::string more_zh =
          merged_.size() > 1 ? " 等 " + std::to_string(merged_.size()) + " 处" : "";
      return InvalidArgumentError(
                 "the sheet \"" + sheet_name_ + "\" has merged cells (" + first + more +
                     "); unmerge them in Excel and fill in every cell",
                 "工作表“" + sheet_name_ + "”中有合并单元格（" + first + more_zh +
                     "），请在 Excel 中取消合并并填写每个单元格")
          .WithField(first);
    }
    if (options_.merged == MergedCellPolicy::kFill) {
      for (const CellRange& r : merged_) {
        // A filled range makes cells that are not in the file: bound it as
        // if they were.
        if (r.last_column >= options_.max_columns || r.last_row > options_.max_rows) {
          return internal::OverLimitError(
              r.ToString(), "the merged range " + r.ToString() + " reaches past the sheet's bounds",
              "合并单元格 " + r.ToString() + " 超出工作表的范围",
              "max_rows × max_columns",
              std::to_string(options_.max_rows) + " × " + std::to_string(options_.max_columns));
        }
        fills_.push_back(MergeFill{.range = r});
      }
      std::sort(fills_.begin(), fills_.end(), [](const MergeFill& a, const MergeFill& b) {
        return a.range.first_row < b.range.first_row;
      });
    }
    row_node_ = Child(Child(ws, "sheetData"), "row");
    return ReadHeader();
  }

  const std::vector<std::string>& header() const override { return header_; }
  int64_t header_row_number() const override { return header_row_; }
  const std::string& sheet_name() const override { return sheet_name_; }
  const std::vector<std::string>& sheet_names() const override { return sheet_names_; }
  bool date1904() const override { return date1904_; }
  const std::vector<CellRange>& merged_ranges() const override { return merged_; }
  CellType cell_type(size_t column) const override {
    return column < cells_.size() ? cells_[column].type : CellType::kEmpty;
  }
  bool cell_is_formula(size_t column) const override {
    return column < cells_.size() && cells_[column].formula;
  }

  StatusOr<bool> Next(Row& row) override {
    if (have_first_) {
      have_first_ = false;
      row.number = first_.number;
      row.cells.assign(first_.cells.begin(), first_.cells.end());
      cells_ = first_cells_;
      return true;
    }
    for (;;) {
      const int64_t xml_row = row_node_ ? XmlRowNumber(row_node_) : kNoRow;
      if (xml_row != kNoRow && xml_row <= last_row_) {
        return InvalidArgumentError(
                   "row " + std::to_string(xml_row) + " of the sheet is out of order or repeated",
                   "工作表第 " + std::to_string(xml_row) + " 行顺序错乱或重复")
            .WithField("row " + std::to_string(xml_row));
      }
      const int64_t target = std::min(xml_row, NextRowToFill());
      if (target == kNoRow) return false;
      if (target > options_.max_rows) {
        return internal::OverLimitError(
            "row " + std::to_string(target), "the sheet has rows past row " + std::to_string(options_.max_rows),
            "工作表的行数超过 " + std::to_string(options_.max_rows) + " 行", "max_rows",
            std::to_string(options_.max_rows));
      }
      cells_.clear();
      scratch_.clear();
      if (target == xml_row) {
        RETURN_IF_ERROR(ReadCells(row_node_, target));
        row_node_ = NextRowNode(row_node_);
      }
      last_row_ = target;
      if (!fills_.empty()) ApplyMerges(target);
      bool blank = true;
      row.number = target;
      row.cells.resize(cells_.size());
      for (size_t i = 0; i < cells_.size(); ++i) {
        Cell& c = cells_[i];
        if (c.scratch_offset >= 0) {
          c.text = std::string_view(scratch_).substr(static_cast<size_t>(c.scratch_offset),
                                                     c.text.size());
        }
        row.cells[i] = c.text;
        if (!c.text.empty()) blank = false;
      }
      if (!blank) return true;
    }
  }

 private:
  Status ReadHeader() {
    Row row;
    ASSIGN_OR_RETURN(bool any, Next(row));
    if (!any) {
      return FileError("the sheet \"" + sheet_name_ + "\" is empty: it has no rows",
                       "工作表“" + sheet_name_ + "”为空：没有任何数据行");
    }
    if (!options_.has_header) {
      // Keep the row: its views into scratch_ would die with the next row.
      // Copy its text so the first Next() can hand it out.
      first_texts_.assign(row.cells.begin(), row.cells.end());
      first_.number = row.number;
      first_.cells.assign(first_texts_.begin(), first_texts_.end());
      first_cells_ = cells_;
      for (size_t i = 0; i < first_cells_.size(); ++i) {
        first_cells_[i].text = first_texts_[i];
        first_cells_[i].scratch_offset = -1;
      }
      have_first_ = true;
      return OkStatus();
    }
    header_row_ = row.number;
    header_.assign(row.cells.begin(), row.cells.end());
    return OkStatus();
  }

  Status LoadSharedStrings(Archive& archive, const std::string& part) {
    ASSIGN_OR_RETURN(std::string xml, archive.Read(part));
    pugi::xml_document doc;
    RETURN_IF_ERROR(ParseXml(doc, xml, part,
                             pugi::parse_minimal | pugi::parse_escapes | pugi::parse_ws_pcdata));
    const pugi::xml_node sst = doc.first_child();
    // One buffer for all strings: a workbook can hold a million of them.
    std::vector<std::pair<size_t, size_t>> spans;
    for (pugi::xml_node si = sst.first_child(); si; si = si.next_sibling()) {
      if (!Is(si, "si")) continue;
      if (spans.size() >= options_.max_shared_strings) {
        return internal::OverLimitError(
            "file", part + " has more than " + std::to_string(options_.max_shared_strings) +
                        " shared strings",
            part + " 中的共享字符串超过 " + std::to_string(options_.max_shared_strings) + " 个",
            "max_shared_strings", std::to_string(options_.max_shared_strings));
      }
      const size_t start = shared_text_.size();
      AppendStringItem(shared_text_, si);
      if (shared_text_.size() - start > options_.max_cell_bytes) {
        // One long string referenced from a million cells is the cheapest
        // way to make every row of a small file huge.
        const std::string n = std::to_string(spans.size());
        return internal::OverLimitError(
            "file", "shared string " + n + " is " + std::to_string(shared_text_.size() - start) + " bytes long",
            "第 " + n + " 个共享字符串长 " + std::to_string(shared_text_.size() - start) + " 字节",
            "max_cell_bytes", std::to_string(options_.max_cell_bytes));
      }
      spans.emplace_back(start, shared_text_.size() - start);
    }
    shared_.reserve(spans.size());
    for (const auto& [off, len] : spans) shared_.emplace_back(shared_text_.data() + off, len);
    return OkStatus();
  }

  Status LoadStyles(Archive& archive, const std::string& part) {
    ASSIGN_OR_RETURN(std::string xml, archive.Read(part));
    pugi::xml_document doc;
    RETURN_IF_ERROR(ParseXml(doc, xml, part, pugi::parse_default));
    const pugi::xml_node ss = doc.first_child();
    std::unordered_map<unsigned, std::optional<DateStyle>> custom;
    for (pugi::xml_node f = Child(Child(ss, "numFmts"), "numFmt"); f; f = f.next_sibling()) {
      custom[f.attribute("numFmtId").as_uint()] =
          DateStyleOfFormat(f.attribute("formatCode").value());
    }
    for (pugi::xml_node xf = Child(Child(ss, "cellXfs"), "xf"); xf; xf = xf.next_sibling()) {
      if (!Is(xf, "xf")) continue;
      const unsigned id = xf.attribute("numFmtId").as_uint();
      auto it = custom.find(id);
      xf_dates_.push_back(it != custom.end() ? it->second : BuiltinDateStyle(id));
    }
    return OkStatus();
  }

  // Excel's built-in formats that show dates and times (ECMA-376 §18.8.30),
  // plus the zh-CN locale's built-ins 27–36 and 50–58, which Chinese Excel
  // writes without a <numFmt> entry.
  static std::optional<DateStyle> BuiltinDateStyle(unsigned id) {
    if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 ||
        (id >= 50 && id <= 54) || id == 57 || id == 58) {
      return DateStyle::kDate;
    }
    if (id == 22) return DateStyle::kDateTime;
    if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47) || id == 55 ||
        id == 56) {
      return DateStyle::kTime;
    }
    return std::nullopt;
  }

  Status AddMerge(std::string_view ref) {
    const size_t colon = ref.find(':');
    int c1, c2;
    int64_t r1, r2;
    const std::string a(ref.substr(0, colon));
    const std::string b(colon == std::string_view::npos ? a : std::string(ref.substr(colon + 1)));
    if (!ParseCellRef(a.c_str(), &c1, &r1) || !ParseCellRef(b.c_str(), &c2, &r2) || r1 == 0 ||
        r2 == 0) {
      return DamagedError("merged range \"" + std::string(ref) + "\" is not a cell range");
    }
    merged_.push_back(CellRange{.first_row = std::min(r1, r2), .last_row = std::max(r1, r2),
                                .first_column = std::min(c1, c2),
                                .last_column = std::max(c1, c2)});
    return OkStatus();
  }

  int64_t XmlRowNumber(pugi::xml_node row) const {
    const pugi::xml_attribute r = row.attribute("r");
    return r ? r.as_llong() : last_xml_row_ + 1;
  }

  static pugi::xml_node NextRowNode(pugi::xml_node row) {
    for (pugi::xml_node n = row.next_sibling(); n; n = n.next_sibling()) {
      if (Is(n, "row")) return n;
    }
    return {};
  }

  Status CellError(int64_t row, int column, const std::string& en, const std::string& zh) {
    const std::string where = column >= 0 ? CellName(row, column) : "row " + std::to_string(row);
    return InvalidArgumentError("cell " + where + ": " + en, "单元格 " + where + "：" + zh)
        .WithField("row " + std::to_string(row) +
                   (column >= 0 ? ", column " + std::to_string(column + 1) : ""));
  }

  Status ReadCells(pugi::xml_node row_node, int64_t row) {
    last_xml_row_ = row;
    if (row < 1 || row > kMaxRows) {
      return CellError(row, -1, "row number out of Excel's range", "行号超出 Excel 的范围");
    }
    int column = -1;
    for (pugi::xml_node c = row_node.first_child(); c; c = c.next_sibling()) {
      if (!Is(c, "c")) continue;
      if (pugi::xml_attribute r = c.attribute("r")) {
        int64_t ref_row = 0;
        if (!ParseCellRef(r.value(), &column, &ref_row) || (ref_row != 0 && ref_row != row)) {
          return CellError(row, -1, "cell reference \"" + std::string(r.value()) + "\" is not valid",
                           "单元格引用“" + std::string(r.value()) + "”无效");
        }
      } else {
        ++column;
      }
      if (column >= kMaxColumns) {
        return CellError(row, -1, "more than 16384 columns", "超过 16384 列");
      }
      if (column >= options_.max_columns) {
        return internal::OverLimitError(
            "row " + std::to_string(row) + ", column " + std::to_string(column + 1),
            "cell " + CellName(row, column) + " is past column " + std::to_string(options_.max_columns),
            "单元格 " + CellName(row, column) + " 超过第 " + std::to_string(options_.max_columns) + " 列",
            "max_columns", std::to_string(options_.max_columns));
      }
      if (static_cast<size_t>(column) >= cells_.size()) cells_.resize(column + 1);
      RETURN_IF_ERROR(ReadCell(c, row, column, cells_[column]));
      if (cells_[column].text.size() > options_.max_cell_bytes) {
        return internal::OverLimitError(
            "row " + std::to_string(row) + ", column " + std::to_string(column + 1),
            "cell " + CellName(row, column) + " is " + std::to_string(cells_[column].text.size()) +
                " bytes long",
            "单元格 " + CellName(row, column) + " 长 " + std::to_string(cells_[column].text.size()) + " 字节",
            "max_cell_bytes", std::to_string(options_.max_cell_bytes));
      }
    }
    return OkStatus();
  }

  Status ReadCell(pugi::xml_node c, int64_t row, int column, Cell& cell) {
    std::string_view t = c.attribute("t").value();
    pugi::xml_node v, is;
    for (pugi::xml_node k = c.first_child(); k; k = k.next_sibling()) {
      if (Is(k, "v")) v = k;
      else if (Is(k, "f")) cell.formula = true;
      else if (Is(k, "is")) is = k;
    }
    const char* value = v.text().get();
    if (t == "s") {
      char* end = nullptr;
      const unsigned long idx = std::strtoul(value, &end, 10);
      if (end == value || *end != '\0' || idx >= shared_.size()) {
        return CellError(row, column,
                         "refers to shared string " + std::string(value) + ", but the file has " +
                             std::to_string(shared_.size()),
                         "引用了第 " + std::string(value) + " 个共享字符串，但文件中只有 " +
                             std::to_string(shared_.size()) + " 个");
      }
      cell.text = shared_[idx];
      cell.type = CellType::kString;
    } else if (t == "inlineStr" || (t.empty() && is)) {
      const size_t start = scratch_.size();
      AppendStringItem(scratch_, is);
      SetScratch(cell, start, CellType::kString);
    } else if (t == "str") {
      cell.text = value;  // a formula's text result
      cell.type = CellType::kString;
      if (cell.text.find("_x") != std::string_view::npos) {
        const size_t start = scratch_.size();
        AppendDecoded(scratch_, value);
        SetScratch(cell, start, CellType::kString);
      }
    } else if (t == "b") {
      if (*value == '\0') return OkStatus();
      cell.text = value[0] == '1' ? "TRUE" : "FALSE";
      cell.type = CellType::kBool;
    } else if (t == "e") {
      cell.text = value;
      cell.type = CellType::kError;
    } else if (t == "d") {  // ISO 8601 date (strict OOXML); keep the date part's text
      cell.text = value;
      cell.type = CellType::kDate;
    } else {  // "n" or absent: a number
      if (*value == '\0') return OkStatus();
      cell.text = value;
      cell.type = CellType::kNumber;
      const unsigned style = c.attribute("s").as_uint();
      if (style < xf_dates_.size() && xf_dates_[style]) {
        char* end = nullptr;
        const double serial = std::strtod(value, &end);
        if (end != value && *end == '\0') {
          if (auto text = ExcelSerialToText(serial, date1904_, *xf_dates_[style])) {
            const size_t start = scratch_.size();
            scratch_ += *text;
            SetScratch(cell, start, CellType::kDate);
          }
        }
      }
    }
    return OkStatus();
  }

  void SetScratch(Cell& cell, size_t start, CellType type) {
    cell.scratch_offset = static_cast<int64_t>(start);
    // Only the length matters until the row is done (see Cell).
    cell.text = std::string_view(scratch_.data(), scratch_.size() - start);
    cell.type = type;
  }

  // ---- merged ranges under kFill --------------------------------------------
  // fills_ is sorted by first row; [0, next_fill_) have started. Rows of a
  // range below its first may be absent from the XML (nothing but merged
  // cells in them), so they are produced here.

  int64_t NextRowToFill() const {
    int64_t best = kNoRow;
    for (size_t i = 0; i < next_fill_; ++i) {
      if (fills_[i].range.last_row > last_row_) return last_row_ + 1;
    }
    if (next_fill_ < fills_.size()) {
      const CellRange& r = fills_[next_fill_].range;
      if (r.last_row > r.first_row) best = std::max(last_row_ + 1, r.first_row + 1);
    }
    return best;
  }

  void ApplyMerges(int64_t row) {
    while (next_fill_ < fills_.size() && fills_[next_fill_].range.first_row <= row) ++next_fill_;
    for (size_t i = 0; i < next_fill_; ++i) {
      MergeFill& f = fills_[i];
      const CellRange& r = f.range;
      if (row > r.last_row) continue;
      if (row == r.first_row) {
        if (static_cast<size_t>(r.first_column) < cells_.size()) {
          Cell& top_left = cells_[r.first_column];
          f.value = top_left.scratch_offset >= 0
                        ? scratch_.substr(static_cast<size_t>(top_left.scratch_offset),
                                          top_left.text.size())
                        : std::string(top_left.text);
          f.type = top_left.type;
          f.formula = top_left.formula;
        }
      }
      if (f.value.empty()) continue;
      if (cells_.size() <= static_cast<size_t>(r.last_column)) cells_.resize(r.last_column + 1);
      for (int col = r.first_column; col <= r.last_column; ++col) {
        if (row == r.first_row && col == r.first_column) continue;
        Cell& c = cells_[col];
        if (!c.text.empty()) continue;  // Excel keeps no value there; never overwrite one
        c = Cell{.text = f.value, .type = f.type, .formula = f.formula};
      }
    }
  }

  std::string bytes_;  // the .xlsx file
  XlsxOptions options_;
  bool date1904_ = false;
  std::vector<std::string> sheet_names_;
  std::string sheet_name_;
  std::string shared_text_;                // all shared strings, back to back
  std::vector<std::string_view> shared_;   // into shared_text_
  std::vector<std::optional<DateStyle>> xf_dates_;  // by cell style index
  std::string sheet_xml_;                  // parsed in place by sheet_
  pugi::xml_document sheet_;
  std::vector<CellRange> merged_;
  std::vector<MergeFill> fills_;  // kFill only; never resized after Open()
  size_t next_fill_ = 0;
  pugi::xml_node row_node_;       // the next <row> to read
  int64_t last_row_ = 0;          // the last row produced
  int64_t last_xml_row_ = 0;      // the last <row> read
  std::vector<Cell> cells_;       // the current row
  std::string scratch_;           // text made for the current row
  std::vector<std::string> header_;
  int64_t header_row_ = 0;
  Row first_;  // without a header: the first row, with its own copy of the text
  std::vector<std::string> first_texts_;
  std::vector<Cell> first_cells_;
  bool have_first_ = false;
};

}  // namespace

std::string CellRange::ToString() const {
  const std::string a = CellName(first_row, first_column);
  if (first_row == last_row && first_column == last_column) return a;
  return a + ":" + CellName(last_row, last_column);
}

std::optional<std::string> ExcelSerialToText(double serial, bool date1904, DateStyle style) {
  if (!std::isfinite(serial) || serial < 0 || serial >= kMaxSerial) return std::nullopt;
  const auto total = static_cast<int64_t>(std::llround(serial * 86400.0));
  const int64_t days = total / 86400;
  const int64_t secs = total % 86400;
  char buf[20];
  auto put_time = [&](char* p) {
    Put2(p, static_cast<int>(secs / 3600));
    p[2] = ':';
    Put2(p + 3, static_cast<int>(secs / 60 % 60));
    p[5] = ':';
    Put2(p + 6, static_cast<int>(secs % 60));
  };
  if (style == DateStyle::kTime && days == 0) {
    put_time(buf);
    return std::string(buf, 8);
  }
  int y, m, d;
  if (date1904) {
    CivilFromDays(days - 24107, &y, &m, &d);  // serial 0 = 1904-01-01
  } else if (days == 0) {
    return std::nullopt;
  } else if (days == 60) {
    y = 1900, m = 2, d = 29;  // Lotus 1-2-3's leap day that never was
  } else {
    // Serial 1 = 1900-01-01; from 61 on, one less for the phantom leap day.
    CivilFromDays(days - (days < 60 ? 25568 : 25569), &y, &m, &d);
  }
  if (y > 9999) return std::nullopt;
  Put2(buf, y / 100);
  Put2(buf + 2, y % 100);
  buf[4] = '-';
  Put2(buf + 5, m);
  buf[7] = '-';
  Put2(buf + 8, d);
  if (style == DateStyle::kDate && secs == 0) return std::string(buf, 10);
  buf[10] = ' ';
  put_time(buf + 11);
  return std::string(buf, 19);
}

std::optional<DateStyle> DateStyleOfFormat(std::string_view code) {
  // Only the first section (positive numbers) decides.
  bool date = false, time = false, month = false;
  bool in_quotes = false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (in_quotes) {
      if (c == '"') in_quotes = false;
      continue;
    }
    switch (c) {
      case '"': in_quotes = true; break;
      case '\\':
      case '_':
      case '*': ++i; break;  // escaped character, padding, fill
      case ';': i = code.size(); break;
      case '[': {
        const size_t close = code.find(']', i);
        const std::string_view inside = code.substr(i + 1, close == std::string_view::npos ? 0 : close - i - 1);
        // [h], [mm], [ss]: elapsed time; anything else is colour or locale.
        if (!inside.empty() && inside.find_first_not_of("hHmMsS") == std::string_view::npos) {
          time = true;
        }
        if (close == std::string_view::npos) return std::nullopt;
        i = close;
        break;
      }
      case 'y': case 'Y': case 'd': case 'D': date = true; break;
      case 'h': case 'H': case 's': case 'S': time = true; break;
      case 'm': case 'M': month = true; break;
      default: break;
    }
  }
  if (month && !time) date = true;  // "mmm-yy"; with h or s, m is minutes
  if (date && time) return DateStyle::kDateTime;
  if (date) return DateStyle::kDate;
  if (time) return DateStyle::kTime;
  return std::nullopt;
}

StatusOr<std::unique_ptr<XlsxSource>> OpenXlsxBytes(std::string&& bytes,
                                                    const XlsxOptions& options) {
  auto source = std::make_unique<XlsxSourceImpl>(std::move(bytes), options);
  RETURN_IF_ERROR(source->Open());
  return std::unique_ptr<XlsxSource>(std::move(source));
}

StatusOr<std::unique_ptr<XlsxSource>> OpenXlsxFile(const std::string& path,
                                                   const XlsxOptions& options) {
  ASSIGN_OR_RETURN(std::string bytes, internal::ReadWholeFile(path, options.max_file_bytes));
  return OpenXlsxBytes(std::move(bytes), options);
}

}  // namespace edugov::tabular
