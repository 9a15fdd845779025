#include "datasets/import.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "datasets/internal/registry_lookup.h"
#include "datasets/internal/values.h"
#include "datasets/store.h"
#include "ledger/audit.h"
#include "registry/registry.h"

namespace edugov::datasets {
namespace {

using storage::Backend;
using storage::Connection;
using storage::Params;
using storage::ResultSet;
using storage::Value;

constexpr int64_t kProgressEvery = 8192;
constexpr size_t kBatchRows = 4096;
// A MemoryRowSource of at most this many rows takes the small path (Import).
constexpr size_t kSmallBatchRows = 64;
constexpr std::string_view kStagingTable = "edugov_import_staging";


bool AsciiEqualIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string FormatNumber(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

using internal::ClassEntry;
using internal::OrgEntry;
using internal::RegistryLookup;
using internal::StaffEntry;

// ------------------------------------------------------------ header

struct Binding {
  int source = -1;  // column of the source row, -1 when absent
};

struct HeaderMap {
  std::vector<Binding> columns;  // parallel to schema.columns
  int school_code_source = -1;   // an undeclared 学校代码 / school_code column
  std::vector<std::string> ignored;
};

// A school or org reference a school user may leave out: it is the
// importer's own school (Import, "implied school").
bool ImpliedBySchool(const ColumnSchema& col) {
  return col.type == ColumnType::kRef && (col.ref == RefKind::kSchool || col.ref == RefKind::kOrg);
}

StatusOr<HeaderMap> MapHeader(const DatasetSchema& schema, const std::vector<std::string>& header,
                              bool implied_school) {
  HeaderMap map;
  map.columns.resize(schema.columns.size());
  for (size_t h = 0; h < header.size(); ++h) {
    const std::string_view cell = internal::Trim(header[h]);
    if (cell.empty()) continue;
    int found = -1;
    for (size_t c = 0; c < schema.columns.size(); ++c) {
      const ColumnSchema& col = schema.columns[c];
      if (AsciiEqualIgnoreCase(cell, col.name) || cell == col.label_zh) {
        found = static_cast<int>(c);
        break;
      }
    }
    if (found < 0) {
      if ((cell == "学校代码" || AsciiEqualIgnoreCase(cell, "school_code")) &&
          map.school_code_source < 0) {
        map.school_code_source = static_cast<int>(h);
      } else {
        map.ignored.emplace_back(cell);
      }
      continue;
    }
    Binding& b = map.columns[static_cast<size_t>(found)];
    if (b.source >= 0) {
      const ColumnSchema& col = schema.columns[static_cast<size_t>(found)];
      return InvalidArgumentError(
                 "the header names column " + col.name + " twice (columns " +
                     std::to_string(b.source + 1) + " and " + std::to_string(h + 1) + ")",
                 "表头中「" + col.label_zh + "」出现了两次（第 " + std::to_string(b.source + 1) +
                     " 列和第 " + std::to_string(h + 1) + " 列）")
          .WithField("header");
    }
    b.source = static_cast<int>(h);
  }
  std::string missing_en, missing_zh;
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    const ColumnSchema& col = schema.columns[c];
    if (col.required && map.columns[c].source < 0 && !(implied_school && ImpliedBySchool(col))) {
      missing_en += (missing_en.empty() ? "" : ", ") + col.name;
      missing_zh += (missing_zh.empty() ? "" : "、") + col.label_zh;
    }
  }
  if (!missing_en.empty()) {
    return InvalidArgumentError("the header lacks the required column(s) " + missing_en +
                                    " of dataset " + schema.name,
                                "表头缺少数据集「" + schema.label_zh + "」的必填列：" + missing_zh)
        .WithField("header");
  }
  return map;
}

// ------------------------------------------------------------ validation

struct Problem {
  int column = -1;  // source column, -1 for the whole row
  std::string value;
  std::string zh;
  std::string en;
};

// Validates one source row into the stored values of a dataset row.
class RowValidator {
 public:
  RowValidator(const DatasetSchema& schema, const HeaderMap& header, RegistryLookup& maps)
      : schema_(schema), header_(header), maps_(maps) {
    for (size_t c = 0; c < schema.columns.size(); ++c) {
      const ColumnSchema& col = schema.columns[c];
      if (col.type == ColumnType::kRef && col.ref == RefKind::kClass) {
        class_columns_.push_back(c);
      } else {
        other_columns_.push_back(c);
      }
    }
    entity_ = schema.ColumnIndex(schema.entity_column);
  }

  // Fills values (the declared columns only, parallel to schema.columns) and
  // org_path; returns false with problems when the row is bad.
  bool Validate(const tabular::Row& row, std::vector<Value>& values, std::string& org_path,
                std::vector<Problem>& problems) {
    problems.clear();
    school_context_ = 0;
    school_context_column_ = -1;
    for (size_t c : other_columns_) ValidateCell(row, c, values[c], problems);
    // A school user's rows are about its own school unless a cell says
    // otherwise (a 学校代码 column or cell naming another school still fails
    // as outside the area).
    const bool school_code_given =
        header_.school_code_source >= 0 &&
        !internal::Trim(row.cell(static_cast<size_t>(header_.school_code_source))).empty();
    if (school_context_ == 0 && implied_school_ != 0 && !school_code_given) school_context_ = implied_school_;
    if (school_context_ == 0 && header_.school_code_source >= 0) {
      std::string_view code = internal::Trim(row.cell(static_cast<size_t>(header_.school_code_source)));
      if (!code.empty()) {
        const OrgEntry* org = maps_.OrgByCode(code);
        if (org == nullptr) {
          problems.push_back({header_.school_code_source, std::string(code),
                              "学校代码「" + std::string(code) + "」不存在或不在您的管辖范围内",
                              "unknown school code \"" + std::string(code) +
                                  "\", or a school outside your area"});
        } else {
          school_context_ = org->id;
          school_context_column_ = header_.school_code_source;
        }
      }
    }
    for (size_t c : class_columns_) ValidateCell(row, c, values[c], problems);
    if (!problems.empty()) return false;
    org_path.clear();
    if (entity_ >= 0) {
      const Value& e = values[static_cast<size_t>(entity_)];
      if (const int64_t* id = std::get_if<int64_t>(&e)) org_path = PathOfRef(schema_.columns[static_cast<size_t>(entity_)].ref, *id);
    }
    if (org_path.empty()) {
      // No entity value (an optional entity is not allowed by the schema,
      // but stay safe): the row belongs to the importer's own org.
      org_path = own_path_;
    }
    return true;
  }

  void set_own_path(std::string path) { own_path_ = std::move(path); }
  // The importer's org when it is a school (0 otherwise): a school/org column
  // left out or empty is that school, and class names are that school's.
  void set_implied_school(int64_t id) { implied_school_ = id; }

 private:
  std::string PathOfRef(RefKind kind, int64_t id) {
    switch (kind) {
      case RefKind::kClass: {
        const ClassEntry* c = maps_.ClassById(id);
        return c == nullptr ? std::string() : *c->path;
      }
      case RefKind::kSchool:
      case RefKind::kOrg: {
        const OrgEntry* o = maps_.OrgById(id);
        return o == nullptr ? std::string() : o->path;
      }
      case RefKind::kStaff: {
        const StaffEntry* s = maps_.StaffById(id);
        return s == nullptr ? std::string() : s->path;
      }
      case RefKind::kNone:
        break;
    }
    return {};
  }

  void ValidateCell(const tabular::Row& row, size_t c, Value& out, std::vector<Problem>& problems) {
    const ColumnSchema& col = schema_.columns[c];
    const int source = header_.columns[c].source;
    std::string_view cell = source < 0 ? std::string_view() : internal::Trim(row.cell(static_cast<size_t>(source)));
    if (cell.empty() && implied_school_ != 0 && ImpliedBySchool(col)) {
      out = implied_school_;
      if (school_context_ == 0) school_context_ = implied_school_;
      return;
    }
    if (cell.empty()) {
      out = std::monostate{};
      if (col.required) {
        problems.push_back({source, "", "必填项「" + col.label_zh + "」为空",
                            "required value " + col.name + " is missing"});
      }
      return;
    }
    auto bad = [&](std::string zh, std::string en) {
      problems.push_back({source, std::string(cell), std::move(zh), std::move(en)});
    };
    auto check_range = [&](double v, const std::string& shown) -> bool {
      if (col.min && v < *col.min) {
        bad("「" + col.label_zh + "」的值 " + shown + " 小于最小值 " + FormatNumber(*col.min),
            col.name + " " + shown + " is below the minimum " + FormatNumber(*col.min));
        return false;
      }
      if (col.max && v > *col.max) {
        bad("「" + col.label_zh + "」的值 " + shown + " 大于最大值 " + FormatNumber(*col.max),
            col.name + " " + shown + " is above the maximum " + FormatNumber(*col.max));
        return false;
      }
      return true;
    };
    switch (col.type) {
      case ColumnType::kInt: {
        std::optional<int64_t> v = internal::ParseInteger(cell);
        if (!v) return bad("「" + col.label_zh + "」应为整数", col.name + " is not a whole number");
        if (*v < std::numeric_limits<int32_t>::min() + 1 || *v > std::numeric_limits<int32_t>::max()) {
          return bad("「" + col.label_zh + "」的数值超出范围", col.name + " is out of range");
        }
        if (!check_range(static_cast<double>(*v), std::to_string(*v))) return;
        out = *v;
        return;
      }
      case ColumnType::kDecimal: {
        std::optional<double> v = internal::ParseDecimal(cell);
        if (!v) return bad("「" + col.label_zh + "」应为数字", col.name + " is not a number");
        if (!check_range(*v, std::string(cell))) return;
        out = *v;
        return;
      }
      case ColumnType::kText:
        out = std::string(cell);
        return;
      case ColumnType::kEnum: {
        for (size_t i = 0; i < col.enum_values.size(); ++i) {
          const std::string& v = col.enum_values[i];
          const std::string* label = i < col.enum_labels_zh.size() ? &col.enum_labels_zh[i] : nullptr;
          if (AsciiEqualIgnoreCase(cell, v) || (label && !label->empty() && cell == *label)) {
            out = v;
            return;
          }
        }
        // "全面检查（full）、抽查（spot）" — the label a clerk knows, the value a
        // script writes; either is accepted.
        std::string allowed_zh, allowed_en;
        for (size_t i = 0; i < col.enum_values.size(); ++i) {
          const std::string& v = col.enum_values[i];
          const std::string label = i < col.enum_labels_zh.size() ? col.enum_labels_zh[i] : std::string();
          allowed_zh += (allowed_zh.empty() ? "" : "、") + (label.empty() ? v : label + "（" + v + "）");
          allowed_en += (allowed_en.empty() ? "" : ", ") + (label.empty() ? v : v + " (" + label + ")");
        }
        return bad("「" + col.label_zh + "」应为以下取值之一：" + allowed_zh,
                   col.name + " must be one of: " + allowed_en);
      }
      case ColumnType::kDate: {
        std::optional<int32_t> d = internal::ParseDateDays(cell);
        if (!d) {
          return bad("「" + col.label_zh + "」不是有效日期（应为 YYYY-MM-DD）",
                     col.name + " is not a valid date (YYYY-MM-DD)");
        }
        // Already in the stored form (the XLSX reader's and most files'):
        // keep the text instead of formatting the day number back.
        const bool canonical = cell.size() == 10 && cell[4] == '-' && cell[7] == '-';
        out = canonical ? std::string(cell) : internal::FormatDate(*d);
        return;
      }
      case ColumnType::kTime: {
        std::optional<int> m = internal::ParseTimeMinutes(cell);
        if (!m) {
          return bad("「" + col.label_zh + "」不是有效时间（应为 HH:MM）",
                     col.name + " is not a valid time (HH:MM)");
        }
        std::string shown = internal::FormatTime(*m);
        if (!check_range(*m, shown)) return;
        out = std::move(shown);
        return;
      }
      case ColumnType::kBool: {
        std::optional<bool> b = internal::ParseBoolean(cell);
        if (!b) return bad("「" + col.label_zh + "」应为 是 或 否", col.name + " must be yes or no (是/否)");
        out = int64_t{*b ? 1 : 0};
        return;
      }
      case ColumnType::kRef:
        return ValidateRef(col, source, cell, out, problems);
    }
  }

  void ValidateRef(const ColumnSchema& col, int source, std::string_view cell, Value& out,
                   std::vector<Problem>& problems) {
    auto bad = [&](std::string zh, std::string en) {
      problems.push_back({source, std::string(cell), std::move(zh), std::move(en)});
    };
    const std::string text(cell);
    switch (col.ref) {
      case RefKind::kSchool:
      case RefKind::kOrg: {
        const OrgEntry* org = maps_.OrgByCode(text);
        if (org == nullptr) {
          return bad("单位代码「" + text + "」不存在或不在您的管辖范围内",
                     "unknown org code \"" + text + "\", or an org outside your area");
        }
        if (col.ref == RefKind::kSchool && !org->is_school) {
          return bad("「" + text + "」不是学校", "\"" + text + "\" is not a school");
        }
        out = org->id;
        if (col.ref == RefKind::kSchool && school_context_ == 0) {
          school_context_ = org->id;
          school_context_column_ = source;
        }
        return;
      }
      case RefKind::kStaff: {
        const StaffEntry* staff = maps_.StaffByCode(text);
        if (staff == nullptr) {
          return bad("教职工编号「" + text + "」不存在或不在您的管辖范围内",
                     "unknown staff code \"" + text + "\", or a person outside your area");
        }
        out = staff->id;
        return;
      }
      case RefKind::kClass: {
        int64_t class_id = 0;
        int64_t named_school = 0;  // a school named in the cell itself
        const bool digits = std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
        const size_t slash = text.find('/');
        if (digits) {
          std::optional<int64_t> id = internal::ParseInteger(text);
          if (id && maps_.ClassById(*id) != nullptr) class_id = *id;
        } else if (slash != std::string::npos) {
          const OrgEntry* school = maps_.OrgByCode(std::string_view(text).substr(0, slash));
          if (school != nullptr) {
            named_school = school->id;
            class_id = maps_.ClassBySchoolName(school->id, internal::Trim(std::string_view(text).substr(slash + 1)));
          }
        } else if (school_context_ != 0) {
          class_id = maps_.ClassBySchoolName(school_context_, text);
        } else {
          return bad("无法确定班级「" + text + "」所属学校：请写成「学校代码/班级名」，或增加「学校代码」列",
                     "cannot tell which school class \"" + text +
                         "\" belongs to: write SCHOOLCODE/class name, or add a school_code column");
        }
        if (class_id == 0) {
          return bad("班级「" + text + "」不存在或不在您的管辖范围内",
                     "unknown class \"" + text + "\", or a class outside your area");
        }
        const int64_t school = maps_.ClassById(class_id)->school_id;
        if (school_context_ != 0 && school != school_context_ && (digits || named_school != 0)) {
          return bad("班级「" + text + "」不属于本行填写的学校",
                     "class \"" + text + "\" belongs to another school than the row's school");
        }
        out = class_id;
        return;
      }
      case RefKind::kNone:
        break;
    }
    bad("未知的引用类型", "unknown reference kind");
  }

  const DatasetSchema& schema_;
  const HeaderMap& header_;
  RegistryLookup& maps_;
  std::vector<size_t> class_columns_;
  std::vector<size_t> other_columns_;
  int entity_ = -1;
  std::string own_path_;
  int64_t implied_school_ = 0;
  int64_t school_context_ = 0;
  int school_context_column_ = -1;
};

// The keys seen so far in one file: an open-addressing table whose slots
// hold the packed key itself when it is short (a class id and a date: 21
// bytes), so a probe touches one cache line — no node allocation per row as
// an unordered_map<string, …> would need, no second miss into an arena
// (long keys, rare, still go to one). 0 marks an empty slot's hash.
class KeySet {
 public:
  // Records `key` for `row` and returns `row`, or returns the row that
  // recorded the same key first.
  int64_t InsertOrFind(std::string_view key, int64_t row) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    const uint64_t h = Hash(key) | 1;
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.hash == 0) {
        s.hash = h;
        s.row = row;
        s.length = static_cast<uint32_t>(key.size());
        if (key.size() <= kInline) {
          std::memcpy(s.bytes, key.data(), key.size());
        } else {
          const uint64_t offset = arena_.size();
          std::memcpy(s.bytes, &offset, sizeof offset);
          arena_.append(key);
        }
        ++size_;
        return row;
      }
      if (s.hash == h && s.length == key.size() && KeyOf(s) == key) return s.row;
    }
  }

 private:
  static constexpr size_t kInline = 20;
  struct Slot {
    uint64_t hash = 0;
    int64_t row = 0;
    uint32_t length = 0;
    char bytes[kInline] = {};  // the key, or its uint64 offset into arena_
  };
  static_assert(sizeof(Slot) == 40);

  std::string_view KeyOf(const Slot& s) const {
    if (s.length <= kInline) return {s.bytes, s.length};
    uint64_t offset = 0;
    std::memcpy(&offset, s.bytes, sizeof offset);
    return std::string_view(arena_).substr(offset, s.length);
  }
  // A word-at-a-time multiplicative hash: keys are a few machine words.
  static uint64_t Hash(std::string_view key) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ key.size();
    size_t i = 0;
    for (; i + 8 <= key.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, key.data() + i, 8);
      h = (h ^ w) * 0xFF51AFD7ED558CCDull;
      h ^= h >> 32;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, key.data() + i, key.size() - i);
    h = (h ^ tail) * 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 29);
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.hash == 0) continue;
      size_t i = s.hash & mask;
      while (slots_[i].hash != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::string arena_;
  size_t size_ = 0;
};

// The key of a row packed into bytes: an int64 or double as its 8 raw bytes,
// text as its length (one byte, or 0xFF and four) and its bytes. Key columns
// are required and typed by the schema, so equal packings mean equal keys;
// a class id and a date pack into 19 bytes and stay inline in the KeySet.
void KeyOf(const std::vector<size_t>& key_columns, const std::vector<Value>& values, std::string& out) {
  out.clear();
  for (size_t c : key_columns) {
    const Value& v = values[c];
    if (const int64_t* i = std::get_if<int64_t>(&v)) {
      out.append(reinterpret_cast<const char*>(i), sizeof *i);
    } else if (const std::string* s = std::get_if<std::string>(&v)) {
      if (s->size() < 0xFF) {
        out += static_cast<char>(s->size());
      } else {
        out += '\xFF';
        const uint32_t n = static_cast<uint32_t>(s->size());
        out.append(reinterpret_cast<const char*>(&n), sizeof n);
      }
      out += *s;
    } else if (const double* d = std::get_if<double>(&v)) {
      out.append(reinterpret_cast<const char*>(d), sizeof *d);
    } else {
      out += '\0';  // null: not in a valid key (key columns are required)
    }
  }
}

// Counts a rejected row's quarantine entries (one per problem, each with
// the raw row) against ImportOptions' bounds; kResourceExhausted naming the
// bound once over.
Status QuarantineBound(size_t raw_bytes, size_t problems, int64_t row_number, size_t& total,
                       const ImportOptions& options) {
  const std::string row = std::to_string(row_number);
  if (raw_bytes > options.max_quarantine_row_bytes) {
    const std::string limit = std::to_string(options.max_quarantine_row_bytes);
    return ResourceExhaustedError(
               "row " + row + " is rejected and too large to keep in quarantine (" +
                   std::to_string(raw_bytes) + " bytes; limit max_quarantine_row_bytes = " + limit +
                   "); the import stops here — clean the file",
               "第 " + row + " 行被拒收，但过大无法保留在隔离区（" + std::to_string(raw_bytes) +
                   " 字节；上限 max_quarantine_row_bytes = " + limit + "），导入已停止——请整理文件")
        .WithField("row " + row);
  }
  total += raw_bytes * std::max<size_t>(problems, 1);
  if (total > options.max_quarantine_bytes) {
    const std::string limit = std::to_string(options.max_quarantine_bytes);
    return ResourceExhaustedError(
               "the rejected rows up to row " + row +
                   " are more than quarantine keeps for one import (limit max_quarantine_bytes = " +
                   limit + "); the import stops here — fix the file and import again",
               "截至第 " + row + " 行被拒收的数据超过单次导入隔离区的上限（max_quarantine_bytes = " +
                   limit + "），导入已停止——请修正文件后重新导入")
        .WithField("row " + row);
  }
  return OkStatus();
}

std::string RawRowJson(const tabular::Row& row) {
  nlohmann::json raw = nlohmann::json::array();
  for (std::string_view cell : row.cells) raw.push_back(std::string(cell));
  return raw.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ------------------------------------------------------------ writing

// What the producer (reading and validating) hands the writer: up to
// kProgressEvery source rows, validated.
struct Batch {
  std::vector<Params> good;        // ds_<name> rows, row_id assigned
  std::vector<Params> quarantine;  // quarantine rows
  std::vector<ImportProblem> problems;  // for the report, capped
  std::vector<ImportProblem> warnings;  // landed rows outside every semester, capped
  int64_t rows_warned = 0;              // in this batch
  int64_t rows_read = 0;           // source rows read so far, cumulative
  int64_t rows_rejected = 0;       // in this batch
  Status status;                   // non-OK: the source failed; last is set
  bool last = false;
};

// A bounded queue of batches between the producer and the writer. The
// bound keeps memory flat whatever the file size (about 4 × 8192 rows).
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}

  // Blocks while full; returns false (dropping the batch) once Stop() was
  // called — the writer failed and the producer should return.
  bool Push(Batch&& batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return queue_.size() < capacity_ || stopped_; });
    if (stopped_) return false;
    queue_.push_back(std::move(batch));
    cv_.notify_all();
    return true;
  }
  // Blocks while empty. The producer always ends with a batch marked last
  // (unless stopped), so the writer never waits forever.
  Batch Pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return !queue_.empty(); });
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return batch;
  }
  void Stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    queue_.clear();
    cv_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;  // guarded by mutex_
  bool stopped_ = false;     // guarded by mutex_
};

// Runs the producer on its own thread; on destruction (every return path of
// the writer, including errors) stops the queue and joins, so the producer
// never outlives the source, the validator or the queue it borrows.
class ProducerThread {
 public:
  ProducerThread(BatchQueue& queue, const std::function<void()>& body)
      : queue_(queue), thread_(body) {}
  ~ProducerThread() {
    queue_.Stop();
    thread_.join();
  }
  ProducerThread(const ProducerThread&) = delete;
  ProducerThread& operator=(const ProducerThread&) = delete;

 private:
  BatchQueue& queue_;
  std::thread thread_;
};

// Writes validated rows into ds_<name>, in one of three ways:
//   - bulk load, when the table was empty at the start: its secondary
//     indexes (the key's unique index included) are dropped, the rows go in
//     with BulkInsert (SQLite: one cached statement; PostgreSQL: COPY) and
//     the indexes are rebuilt at the end by sorting — far cheaper than
//     inserting 1 M entries into four B-trees one by one. No conflicts are
//     possible: the table was empty and in-file duplicates were rejected.
//     The drop and rebuild are part of the import's transaction.
//   - SQLite upsert: one cached INSERT … ON CONFLICT DO UPDATE per row
//     (in-process, about as fast as a plain insert).
//   - PostgreSQL upsert: COPY into a temporary staging table, then one
//     INSERT … SELECT … ON CONFLICT at the end — a round trip per row would
//     be orders of magnitude slower.
class RowWriter {
 public:
  RowWriter(Connection& conn, const DatasetSchema& schema, bool collect, bool bulk)
      : conn_(conn), schema_(schema), collect_(collect), bulk_(bulk) {
    columns_ = {"row_id", "org_path", "submitted_at"};
    for (const ColumnSchema& c : schema.columns) columns_.push_back(c.name);
    std::string cols, params;
    for (size_t i = 0; i < columns_.size(); ++i) {
      cols += (i ? ", " : "") + storage::QuoteIdentifier(columns_[i]);
      params += (i ? ", $" : "$") + std::to_string(i + 1);
    }
    std::string conflict;
    if (!schema.key.empty()) {
      conflict = " ON CONFLICT (";
      for (size_t i = 0; i < schema.key.size(); ++i) conflict += (i ? ", " : "") + storage::QuoteIdentifier(schema.key[i]);
      conflict += ") DO UPDATE SET ";
      bool first = true;
      for (size_t i = 1; i < columns_.size(); ++i) {
        if (std::find(schema.key.begin(), schema.key.end(), columns_[i]) != schema.key.end()) continue;
        conflict += (first ? "" : ", ") + storage::QuoteIdentifier(columns_[i]) + " = excluded." + storage::QuoteIdentifier(columns_[i]);
        first = false;
      }
    }
    const std::string table = storage::QuoteIdentifier(schema.TableName());
    upsert_ = "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ")" + conflict;
    from_staging_ = "INSERT INTO " + table + " (" + cols + ") SELECT " + cols + " FROM " +
                    std::string(kStagingTable) + " WHERE true ORDER BY row_id" + conflict;
    staged_ = !bulk && conn.backend() == Backend::kPostgres && !collect;
  }

  Status Begin() {
    if (bulk_) {
      for (const std::string& name : IndexNames(schema_)) {
        RETURN_IF_ERROR(conn_.Execute("DROP INDEX IF EXISTS " + storage::QuoteIdentifier(name)));
      }
      return OkStatus();
    }
    if (!staged_) return OkStatus();
    return conn_
        .Execute("CREATE TEMP TABLE " + std::string(kStagingTable) + " (LIKE " +
                 storage::QuoteIdentifier(schema_.TableName()) + ") ON COMMIT DROP")
        .status();
  }

  Status Add(Params&& row, std::vector<IngestedRow>* landed) {
    if (bulk_ || staged_) {
      if (bulk_ && collect_) {
        IngestedRow& in = landed->emplace_back();
        in.row_id = std::get<int64_t>(row[0]);
        in.values.assign(row.begin() + 3, row.end());
      }
      batch_.push_back(std::move(row));
      if (batch_.size() >= kBatchRows) return Flush();
      return OkStatus();
    }
    if (!collect_ && !count_returned_) return conn_.Execute(upsert_, row).status();
    ASSIGN_OR_RETURN(ResultSet rs, conn_.Query(upsert_ + " RETURNING row_id", row));
    const int64_t proposed = std::get<int64_t>(row[0]);
    const int64_t stored = rs.empty() ? proposed : rs.GetInt(0, 0);
    if (stored == proposed) ++inserted_;  // a replaced row answers its own, older id
    if (!collect_) return OkStatus();
    IngestedRow& in = landed->emplace_back();
    in.row_id = stored;
    in.values.assign(std::make_move_iterator(row.begin() + 3), std::make_move_iterator(row.end()));
    return OkStatus();
  }

  // Count inserted rows from each upsert's RETURNING (what a form does: a
  // COUNT over row_id ≥ $1 may get a generic plan on PostgreSQL — a table
  // scan per form row). Only on the row-by-row path.
  void CountReturned() { count_returned_ = !bulk_ && !staged_; }
  // Rows inserted so far, when counted from RETURNING (else nullopt).
  std::optional<int64_t> inserted() const {
    if (count_returned_ || (collect_ && !bulk_ && !staged_)) return inserted_;
    return std::nullopt;
  }

  Status Flush() {
    if (batch_.empty()) return OkStatus();
    RETURN_IF_ERROR(conn_.BulkInsert(bulk_ ? schema_.TableName() : std::string(kStagingTable), columns_,
                                     batch_));
    batch_.clear();
    return OkStatus();
  }

  Status Finish() {
    RETURN_IF_ERROR(Flush());
    if (bulk_) {
      std::vector<std::string> sql = CreateTableStatements(schema_, conn_.backend());
      for (size_t i = 1; i < sql.size(); ++i) RETURN_IF_ERROR(conn_.Execute(sql[i]));
      return OkStatus();
    }
    if (!staged_) return OkStatus();
    return conn_.Execute(from_staging_).status();
  }

 private:
  Connection& conn_;
  const DatasetSchema& schema_;
  bool collect_;
  bool bulk_;
  bool staged_ = false;
  bool count_returned_ = false;
  int64_t inserted_ = 0;
  std::vector<std::string> columns_;
  std::string upsert_;
  std::string from_staging_;
  std::vector<Params> batch_;
};

}  // namespace

MemoryRowSource::MemoryRowSource(std::vector<std::string> header,
                                 std::vector<std::vector<std::string>> rows)
    : header_(std::move(header)), rows_(std::move(rows)) {}

StatusOr<bool> MemoryRowSource::Next(tabular::Row& row) {
  if (next_ >= rows_.size()) return false;
  const std::vector<std::string>& cells = rows_[next_];
  row.number = static_cast<int64_t>(next_) + 2;
  row.cells.assign(cells.begin(), cells.end());
  ++next_;
  return true;
}

StatusOr<ImportReport> Import(Connection& conn, const accounts::Principal& principal,
                              const Clock& clock, const DatasetSchema& schema,
                              tabular::RowSource& source, const ImportOptions& options,
                              const ImportProgress& progress) {
  if (conn.in_transaction()) {
    return FailedPreconditionError("Import must not run inside a transaction", "导入不能在已有事务中执行");
  }
  if (principal.org_path.empty()) {
    // An empty path would match every org in the registry lookups below.
    return PermissionDeniedError("the user is bound to no org", "该用户未绑定单位，不能导入数据");
  }
  // A school user imports its own school's rows: no 学校代码 column needed
  // (docs/import.md, "The implied school").
  int64_t implied_school = 0;
  {
    ASSIGN_OR_RETURN(std::optional<registry::Org> own, registry::LookupOrgUnscoped(conn, principal.org_id));
    if (own && own->kind == registry::OrgKind::kSchool && own->path == principal.org_path) implied_school = own->id;
  }
  ASSIGN_OR_RETURN(HeaderMap header, MapHeader(schema, source.header(), implied_school != 0));
  bool need_classes = false, need_staff = false;
  for (const ColumnSchema& c : schema.columns) {
    need_classes |= c.ref == RefKind::kClass;
    need_staff |= c.ref == RefKind::kStaff;
  }
  std::vector<size_t> key_columns;
  for (const std::string& k : schema.key) {
    const int i = schema.ColumnIndex(k);
    if (i >= 0) key_columns.push_back(static_cast<size_t>(i));
  }
  // A few rows already in memory (a web form): validated on this thread with
  // registry entries fetched one by one, no page-cache resizing, no bulk
  // load. What a file needs up front (the subtree's registry, a producer
  // thread, a large page cache) would cost a form row 40–80 ms.
  const auto* memory = dynamic_cast<const MemoryRowSource*>(&source);
  const bool small = memory != nullptr && memory->size() <= kSmallBatchRows;

  ImportReport report;
  report.dataset = schema.name;
  report.ignored_columns = header.ignored;
  const int64_t now_us = clock.Now().time_since_epoch().count();
  const std::string table = storage::QuoteIdentifier(schema.TableName());
  nlohmann::json header_json = source.header();

  // SQLite: a large import inserts into several B-trees at random places; the
  // default 2 MB page cache makes it re-read pages from the OS for every row.
  // 256 MB for the import's duration, then back to the default.
  // The sorter of CREATE INDEX (the bulk load rebuilds the indexes) may use
  // a helper thread: on an idle machine the rebuild takes about half the wall time.
  const bool big_cache = conn.backend() == Backend::kSqlite && !small;
  if (big_cache) {
    RETURN_IF_ERROR(conn.Execute("PRAGMA cache_size = -262144"));
    RETURN_IF_ERROR(conn.Execute("PRAGMA threads = 2"));
  }
  Status st = storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    if (tx.backend() == Backend::kPostgres) {
      // Imports into one dataset run one at a time (readers are not
      // blocked): row ids are MAX+1 and the empty-table bulk load drops the
      // indexes, both of which assume no concurrent writer. SQLite gets the
      // same from BEGIN IMMEDIATE.
      RETURN_IF_ERROR(tx.Execute("LOCK TABLE " + table + " IN SHARE ROW EXCLUSIVE MODE"));
    }
    RegistryLookup maps = RegistryLookup::OnDemand(tx, principal.org_path);
    if (!small) {
      ASSIGN_OR_RETURN(maps, RegistryLookup::Preload(tx, principal.org_path, need_classes, need_staff));
    }
    // MAX over the primary key is one index probe; COUNT(*) would scan the
    // table. Row ids start at 1, so 0 means the table is empty.
    ASSIGN_OR_RETURN(ResultSet head, tx.Query("SELECT COALESCE(MAX(row_id), 0) FROM " + table));
    const int64_t next_row_id = head.GetInt(0, 0) + 1;
    const bool was_empty = next_row_id == 1;
    ASSIGN_OR_RETURN(
        ResultSet ins,
        tx.Query("INSERT INTO imports (dataset, file_name, encoding, format, actor, actor_user_id, "
                 "actor_org_path, header_json, started_at, status) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'running') RETURNING id",
                 {schema.name, options.file_name, options.encoding, options.format,
                  principal.username, principal.user_id, principal.org_path,
                  header_json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  now_us}));
    const int64_t import_id = ins.GetInt(0, 0);
    report.import_id = import_id;

    RowValidator validator(schema, header, maps);
    validator.set_own_path(principal.org_path);
    validator.set_implied_school(implied_school);
    const bool bulk = was_empty && !small;
    RowWriter writer(tx, schema, options.collect_landed, bulk);
    if (small) writer.CountReturned();
    RETURN_IF_ERROR(writer.Begin());

    const std::vector<std::string> q_columns = {"import_id", "row_number", "column_name", "value",
                                                "reason_zh", "reason_en", "raw_row"};
    // Reads and validates every source row (everything up to a Params row
    // or a quarantine entry), handing batches to `emit`; false from emit
    // means the writer gave up. Touches the source, the validator and the
    // key set only — never the connection, except through an on-demand
    // registry lookup, which only the small (same-thread) path uses.
    auto produce = [&](const std::function<bool(Batch&&)>& emit) {
      Batch batch;
      try {
        KeySet seen_keys;
        std::string key;
        std::vector<Value> values(schema.columns.size());
        std::vector<Problem> problems;
        std::string org_path;
        const std::vector<std::string>& hdr = source.header();
        tabular::Row row;
        int64_t rows_read = 0;
        size_t problems_reported = 0;
        int64_t row_id = next_row_id;
        // Outside every semester: kept, and said (ImportOptions::semesters, or
        // the pack's for a dataset its school-day rules read).
        const auto& semesters = options.semesters.empty() ? schema.school_semesters : options.semesters;
        const int period_idx = semesters.empty() ? -1 : schema.ColumnIndex(schema.period_column);
        size_t warnings_reported = 0;
        size_t quarantine_bytes = 0;
        for (;;) {
          StatusOr<bool> more = source.Next(row);
          if (!more.ok()) {
            batch.status = more.status();
            break;
          }
          if (!*more) break;
          ++rows_read;
          bool good = validator.Validate(row, values, org_path, problems);
          if (good && !key_columns.empty()) {
            KeyOf(key_columns, values, key);
            const int64_t first = seen_keys.InsertOrFind(key, row.number);
            if (first != row.number) {
              std::string keys;
              for (const std::string& k : schema.key) keys += (keys.empty() ? "" : ", ") + k;
              problems.push_back({-1, "", "与第 " + std::to_string(first) + " 行重复（相同的 " + keys + "）",
                                  "duplicates row " + std::to_string(first) + " (same " + keys + ")"});
              good = false;
            }
          }
          if (good && period_idx >= 0) {
            const std::string* text = std::get_if<std::string>(&values[static_cast<size_t>(period_idx)]);
            const int32_t day = text ? internal::ParseDateDays(*text).value_or(datasets::kNullInt) : datasets::kNullInt;
            bool inside = day == datasets::kNullInt;
            if (!inside) {  // sorted, non-overlapping: the last one starting on or before `day`
              auto after = std::upper_bound(semesters.begin(), semesters.end(), day,
                                            [](int32_t d, const std::pair<int32_t, int32_t>& s) { return d < s.first; });
              inside = after != semesters.begin() && day <= std::prev(after)->second;
            }
            if (!inside) {
              ++batch.rows_warned;
              if (warnings_reported++ < options.max_report_problems) {
                const std::string& col = schema.columns[static_cast<size_t>(period_idx)].label_zh;
                batch.warnings.push_back({row.number, col, *text, "日期 " + *text + " 不在任何学期内（已保存，在校日规则不计）",
                                          "date " + *text + " is outside every semester (kept; school-day rules do not count it)"});
              }
            }
          }
          if (good) {
            Params& p = batch.good.emplace_back();
            p.reserve(values.size() + 3);
            p.emplace_back(row_id++);
            p.emplace_back(org_path);
            p.emplace_back(now_us);
            for (Value& v : values) p.push_back(std::move(v));
          } else {
            ++batch.rows_rejected;
            const std::string raw = RawRowJson(row);
            if (Status over = QuarantineBound(raw.size(), problems.size(), row.number,
                                              quarantine_bytes, options);
                !over.ok()) {
              batch.status = std::move(over);
              break;
            }
            for (Problem& pr : problems) {
              std::string column = pr.column >= 0 && static_cast<size_t>(pr.column) < hdr.size()
                                       ? hdr[static_cast<size_t>(pr.column)]
                                       : std::string();
              if (problems_reported < options.max_report_problems) {
                batch.problems.push_back({row.number, column, pr.value, pr.zh, pr.en});
                ++problems_reported;
              }
              batch.quarantine.push_back({import_id, row.number, std::move(column), std::move(pr.value),
                                          std::move(pr.zh), std::move(pr.en), raw});
            }
          }
          if (rows_read % kProgressEvery == 0) {
            batch.rows_read = rows_read;
            if (!emit(std::move(batch))) return;
            batch = Batch();
          }
        }
        batch.rows_read = rows_read;
      } catch (const std::exception& e) {
        batch.status = InternalError(std::string("import: ") + e.what(), std::string("导入出错：") + e.what());
      }
      batch.last = true;
      emit(std::move(batch));
    };

    // A file: two threads, the producer reads and validates while this one
    // writes (about a third and two thirds of the time on SQLite,
    // bench/results/import.md). A form: all on this thread.
    BatchQueue queue(/*capacity=*/4);
    std::optional<ProducerThread> producer;
    if (small) {
      produce([&](Batch&& b) { return queue.Push(std::move(b)); });  // at most one batch: never blocks
      RETURN_IF_ERROR(maps.status());
    } else {
      producer.emplace(queue, [&] { produce([&](Batch&& b) { return queue.Push(std::move(b)); }); });
    }

    for (;;) {
      Batch batch = queue.Pop();
      report.rows_total = batch.rows_read;
      report.rows_ok += static_cast<int64_t>(batch.good.size());
      report.rows_rejected += batch.rows_rejected;
      for (Params& p : batch.good) RETURN_IF_ERROR(writer.Add(std::move(p), &report.landed));
      RETURN_IF_ERROR(writer.Flush());
      if (!batch.quarantine.empty()) RETURN_IF_ERROR(tx.BulkInsert("quarantine", q_columns, batch.quarantine));
      for (ImportProblem& p : batch.problems) report.problems.push_back(std::move(p));
      report.rows_warned += batch.rows_warned;
      for (ImportProblem& w : batch.warnings) report.warnings.push_back(std::move(w));
      if (!batch.status.ok()) return batch.status;
      if (batch.last) break;
      if (options.after_batch) RETURN_IF_ERROR(options.after_batch(report.rows_total));
      if (progress) progress(report.rows_total);
    }
    RETURN_IF_ERROR(writer.Finish());
    if (options.after_batch) RETURN_IF_ERROR(options.after_batch(report.rows_total));

    // New rows got ids from next_row_id up; a replaced row keeps its own,
    // older id. So the inserted rows are those at or above next_row_id — a
    // range on the primary key, not a count of the whole table.
    if (bulk || report.rows_ok == 0) {
      report.rows_inserted = report.rows_ok;
    } else if (std::optional<int64_t> n = writer.inserted()) {
      report.rows_inserted = *n;
    } else {
      ASSIGN_OR_RETURN(ResultSet after,
                       tx.Query("SELECT COUNT(*) FROM " + table + " WHERE row_id >= $1", {next_row_id}));
      report.rows_inserted = after.GetInt(0, 0);
    }
    report.rows_updated = report.rows_ok - report.rows_inserted;
    report.status = report.rows_rejected == 0 ? "done" : report.rows_ok == 0 ? "rejected" : "partial";
    const int64_t finished_us = clock.Now().time_since_epoch().count();
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE imports SET rows_total = $1, rows_ok = $2, rows_rejected = $3, rows_updated = $4, "
        "finished_at = $5, status = $6 WHERE id = $7",
        {report.rows_total, report.rows_ok, report.rows_rejected, report.rows_updated, finished_us,
         report.status, import_id}));
    nlohmann::json summary = {{"dataset", schema.name},         {"file", options.file_name},
                              {"format", options.format},       {"encoding", options.encoding},
                              {"rows_total", report.rows_total}, {"rows_inserted", report.rows_inserted},
                              {"rows_updated", report.rows_updated},
                              {"rows_rejected", report.rows_rejected}, {"status", report.status}};
    return ledger::AppendAudit(
        tx,
        {.actor_user_id = principal.user_id, .actor = principal.username, .action = "dataset.import",
         .entity = "import", .entity_id = std::to_string(import_id),
         .after = summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)},
        clock);
  });
  if (big_cache) {
    (void)conn.Execute("PRAGMA cache_size = -2000");
    (void)conn.Execute("PRAGMA threads = 0");
  }
  if (progress && st.ok()) progress(report.rows_total);
  if (!st.ok()) return st;
  return report;
}

// ------------------------------------------------------------ annotated CSV

namespace {

void AppendCsvField(std::string& out, std::string_view field) {
  const bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) {
    out += field;
    return;
  }
  out += '"';
  for (char ch : field) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

void AppendCsvLine(std::string& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    AppendCsvField(out, cells[i]);
  }
  out += "\r\n";
}

}  // namespace

StatusOr<std::string> WriteAnnotatedCsv(Connection& conn, const accounts::Principal& principal,
                                        int64_t import_id) {
  ASSIGN_OR_RETURN(ImportRecord rec, GetImport(conn, principal, import_id));
  ASSIGN_OR_RETURN(std::vector<QuarantineEntry> entries, ListQuarantine(conn, principal, import_id));
  std::string out = "\xEF\xBB\xBF";
  std::vector<std::string> header = rec.header;
  const size_t width = header.size();
  header.push_back("错误列");
  header.push_back("错误原因");
  AppendCsvLine(out, header);
  for (size_t i = 0; i < entries.size();) {
    size_t j = i;
    std::string columns, reasons;
    while (j < entries.size() && entries[j].row_number == entries[i].row_number) {
      const QuarantineEntry& e = entries[j];
      if (!e.column.empty() && columns.find(e.column) == std::string::npos) {
        columns += (columns.empty() ? "" : "；") + e.column;
      }
      reasons += (reasons.empty() ? "" : "；") + e.reason_zh;
      ++j;
    }
    std::vector<std::string> line = entries[i].raw_row;
    line.resize(std::max(width, line.size()));
    line.push_back(columns);
    line.push_back("第 " + std::to_string(entries[i].row_number) + " 行：" + reasons);
    AppendCsvLine(out, line);
    i = j;
  }
  return out;
}

}  // namespace edugov::datasets
