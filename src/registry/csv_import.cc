// CSV import of orgs, classes and staff: header mapping, per-cell parsing,
// then each row through the registry's own write functions inside one
// transaction (see csv_import.h for the all-or-nothing policy).
#include "registry/csv_import.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <unordered_map>

#include "registry/internal/common.h"
#include "registry/internal/csv.h"
#include "registry/registry.h"

namespace edugov::registry {

using storage::Connection;
using storage::ResultSet;

namespace {

// One column a kind of file may have: its canonical name and the Chinese
// headers clerks use for it.
struct ColumnSpec {
  std::string_view name;
  std::array<std::string_view, 4> aliases;
};

enum OrgCol { kOCode, kOName, kOKind, kOParent, kOTownship, kOStage, kORural, kOBoarding,
              kOStandardised, kOCanteen, kOParty };
constexpr std::array<ColumnSpec, 11> kOrgColumns{{
    {"code", {"代码", "学校代码", "单位代码", "学校编码"}},
    {"name", {"名称", "学校名称", "单位名称"}},
    {"kind", {"类型", "单位类型"}},
    {"parent_code", {"上级代码", "上级单位代码", "乡镇代码"}},
    {"township", {"乡镇", "所属乡镇"}},
    {"stage", {"学段", "办学类型"}},
    {"rural", {"农村", "是否农村", "农村学校"}},
    {"boarding", {"寄宿", "是否寄宿", "寄宿制"}},
    {"standardised", {"标准化", "是否标准化", "标准化学校"}},
    {"canteen", {"食堂", "是否有食堂"}},
    {"party_branch", {"党支部", "党组织", "是否有党组织"}},
}};

enum ClassCol { kCSchool, kCGrade, kCName, kCStudents };
constexpr std::array<ColumnSpec, 4> kClassColumns{{
    {"school_code", {"学校代码", "学校编码", "代码"}},
    {"grade", {"年级"}},
    {"name", {"班级", "班级名称", "班名"}},
    {"students", {"人数", "学生数", "班额"}},
}};

enum StaffCol { kSCode, kSName, kSGender, kSSchool, kSPosts, kSBirth, kSHired, kSHireKind,
                kSActive };
constexpr std::array<ColumnSpec, 9> kStaffColumns{{
    {"code", {"工号", "教职工编号", "编号"}},
    {"name", {"姓名"}},
    {"gender", {"性别"}},
    {"school_code", {"学校代码", "单位代码", "学校编码"}},
    {"posts", {"职务", "岗位"}},
    {"birth_date", {"出生日期"}},
    {"hired_on", {"入职日期", "参加工作时间", "参加工作日期"}},
    {"hire_kind", {"用工类型", "补充渠道", "招聘类型"}},
    {"active", {"在岗", "是否在岗"}},
}};

std::string Trim(std::string_view s) {
  auto is_space = [](unsigned char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  // The full-width space clerks paste from Word.
  while (s.substr(0, 3) == "\xE3\x80\x80") s.remove_prefix(3);
  while (s.size() >= 3 && s.substr(s.size() - 3) == "\xE3\x80\x80") s.remove_suffix(3);
  return std::string(s);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Collects the errors of one file; the report is sorted by row at the end.
class Errors {
 public:
  void Add(int row, std::string column, std::string value, std::string en, std::string zh) {
    list_.push_back({row, std::move(column), std::move(value), std::move(zh), std::move(en)});
  }
  void Add(int row, std::string column, std::string value, const Status& s) {
    Add(row, std::move(column), std::move(value), s.message_en(), s.message_zh());
  }
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  std::vector<ImportError> Take() {
    std::stable_sort(list_.begin(), list_.end(),
                     [](const ImportError& a, const ImportError& b) { return a.row < b.row; });
    return std::move(list_);
  }

 private:
  std::vector<ImportError> list_;
};

// The header mapped onto a kind's columns.
template <size_t N>
struct Header {
  std::array<int, N> index;        // CSV column of each spec column, -1 if absent
  std::array<std::string, N> text;  // as written in the file
};

template <size_t N>
Header<N> MapHeader(const internal::CsvRecord& rec, const std::array<ColumnSpec, N>& specs,
                    std::initializer_list<int> required, Errors& errors) {
  Header<N> h;
  h.index.fill(-1);
  for (size_t c = 0; c < rec.fields.size(); ++c) {
    const std::string cell = Trim(rec.fields[c]);
    if (cell.empty()) continue;
    int found = -1;
    for (size_t i = 0; i < N && found < 0; ++i) {
      if (Lower(cell) == specs[i].name) found = static_cast<int>(i);
      for (std::string_view a : specs[i].aliases) {
        if (!a.empty() && cell == a) found = static_cast<int>(i);
      }
    }
    if (found < 0) {
      std::string names;
      for (const ColumnSpec& s : specs) names += (names.empty() ? "" : ", ") + std::string(s.name);
      errors.Add(1, cell, cell, "unknown column \"" + cell + "\"; known columns: " + names,
                 "未知的列“" + cell + "”，可用的列：" + names + "（或其中文列名）");
      continue;
    }
    if (h.index[found] >= 0) {
      errors.Add(1, cell, cell, "column \"" + cell + "\" appears twice", "列“" + cell + "”重复");
      continue;
    }
    h.index[found] = static_cast<int>(c);
    h.text[found] = cell;
  }
  for (int r : required) {
    if (h.index[r] < 0) {
      const std::string name(specs[r].name);
      const std::string zh(specs[r].aliases[0]);
      errors.Add(1, name, "", "required column \"" + name + "\" (" + zh + ") is missing",
                 "缺少必需的列“" + zh + "”（" + name + "）");
    }
  }
  return h;
}

// Reads cells of one record through its header.
template <size_t N>
class Row {
 public:
  Row(const internal::CsvRecord& rec, const Header<N>& header, Errors& errors)
      : rec_(rec), header_(header), errors_(errors) {}

  int number() const { return rec_.row; }
  const std::string& column(int c) const { return header_.text[c]; }
  // The trimmed cell, nullopt when the column is absent or the cell empty.
  std::optional<std::string> Get(int c) const {
    const int i = header_.index[c];
    if (i < 0 || i >= static_cast<int>(rec_.fields.size())) return std::nullopt;
    std::string v = Trim(rec_.fields[i]);
    if (v.empty()) return std::nullopt;
    return v;
  }
  std::optional<std::string> Required(int c, std::string_view what_en, std::string_view what_zh) {
    auto v = Get(c);
    if (!v) {
      Error(c, "", std::string(what_en) + " is required", std::string(what_zh) + "不能为空");
    }
    return v;
  }
  void Error(int c, std::string value, std::string en, std::string zh) {
    ok_ = false;
    errors_.Add(rec_.row, c >= 0 ? (header_.text[c].empty() ? "" : header_.text[c]) : "",
                std::move(value), std::move(en), std::move(zh));
  }
  // A domain error: its field names the column when the file has it.
  void Error(const Status& s, const std::map<std::string, int>& field_to_col) {
    ok_ = false;
    int c = -1;
    if (auto it = field_to_col.find(s.field()); it != field_to_col.end()) c = it->second;
    std::string column = c >= 0 ? header_.text[c] : s.field();
    std::string value = c >= 0 ? Get(c).value_or("") : "";
    errors_.Add(rec_.row, column, value, s);
  }
  bool ok() const { return ok_; }

  template <typename T, typename ParseFn>
  std::optional<T> Enum(int c, ParseFn parse, std::string_view what_en, std::string_view what_zh) {
    auto v = Get(c);
    if (!v) return std::nullopt;
    auto e = parse(*v);
    if (!e) Error(c, *v, "unknown " + std::string(what_en) + " \"" + *v + "\"",
                  "无法识别的" + std::string(what_zh) + "“" + *v + "”");
    return e;
  }
  std::optional<bool> Bool(int c) {
    auto v = Get(c);
    if (!v) return std::nullopt;
    const std::string l = Lower(*v);
    if (l == "1" || l == "true" || l == "yes" || l == "y" || *v == "是") return true;
    if (l == "0" || l == "false" || l == "no" || l == "n" || *v == "否") return false;
    Error(c, *v, "expected 是/否 or 1/0, got \"" + *v + "\"", "应填“是/否”或“1/0”，实为“" + *v + "”");
    return std::nullopt;
  }
  std::optional<int64_t> Int(int c, int64_t lo, int64_t hi) {
    auto v = Get(c);
    if (!v) return std::nullopt;
    int64_t n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size() || n < lo || n > hi) {
      Error(c, *v,
            "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi),
            "应为 " + std::to_string(lo) + " 到 " + std::to_string(hi) + " 之间的整数");
      return std::nullopt;
    }
    return n;
  }
  // YYYY-MM-DD, also YYYY/M/D and YYYY.M.D as Excel displays dates.
  std::optional<Date> DateCell(int c) {
    auto v = Get(c);
    if (!v) return std::nullopt;
    int parts[3] = {0, 0, 0};
    int k = 0;
    bool ok = !v->empty();
    for (char ch : *v) {
      if (ch >= '0' && ch <= '9') {
        parts[k] = parts[k] * 10 + (ch - '0');
        if (parts[k] > 9999) ok = false;
      } else if ((ch == '-' || ch == '/' || ch == '.') && k < 2) {
        ++k;
      } else {
        ok = false;
      }
    }
    if (!ok || k != 2 || !IsValidYmd(parts[0], parts[1], parts[2])) {
      Error(c, *v, "expected a date like 2025-09-01, got \"" + *v + "\"",
            "应为日期，如 2025-09-01，实为“" + *v + "”");
      return std::nullopt;
    }
    return Date::FromYmd(parts[0], parts[1], parts[2]);
  }

 private:
  const internal::CsvRecord& rec_;
  const Header<N>& header_;
  Errors& errors_;
  bool ok_ = true;
};

// "七年级", "高一", "大班", "7".
std::optional<int> ParseGrade(std::string_view text) {
  int n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && p == text.data() + text.size()) return n;
  static const std::map<std::string_view, int> kNamed = {
      {"小班", -2}, {"中班", -1}, {"大班", 0},  {"初一", 7}, {"初二", 8},
      {"初三", 9},  {"高一", 10}, {"高二", 11}, {"高三", 12}};
  if (auto it = kNamed.find(text); it != kNamed.end()) return it->second;
  static constexpr std::array<std::string_view, 12> kNumerals = {
      "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"};
  constexpr std::string_view kSuffix = "年级";
  if (text.size() > kSuffix.size() && text.substr(text.size() - kSuffix.size()) == kSuffix) {
    std::string_view num = text.substr(0, text.size() - kSuffix.size());
    for (size_t i = 0; i < kNumerals.size(); ++i) {
      if (num == kNumerals[i]) return static_cast<int>(i) + 1;
    }
    int v = 0;
    auto [q, ec2] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (ec2 == std::errc() && q == num.data() + num.size()) return v;
  }
  return std::nullopt;
}

// Posts separated by ',', '，', '、', ';', '；', '/' or spaces: "校长、书记".
std::optional<std::vector<Post>> ParsePosts(const std::string& text, std::string* bad) {
  std::string norm = text;
  for (std::string_view sep : {"，", "、", "；"}) {
    for (size_t at; (at = norm.find(sep)) != std::string::npos;) norm.replace(at, sep.size(), ",");
  }
  std::vector<Post> out;
  std::string cur;
  auto flush = [&]() -> bool {
    std::string t = Trim(cur);
    cur.clear();
    if (t.empty()) return true;
    auto p = ParsePost(t);
    if (!p) {
      *bad = t;
      return false;
    }
    out.push_back(*p);
    return true;
  };
  for (char c : norm) {
    if (c == ',' || c == ';' || c == '/' || c == ' ') {
      if (!flush()) return std::nullopt;
    } else {
      cur.push_back(c);
    }
  }
  if (!flush()) return std::nullopt;
  return out;
}

// Runs `fn` under a savepoint so a failing row leaves the transaction usable
// (PostgreSQL aborts a transaction on any failed statement) and the next
// rows are still checked.
template <typename Fn>
Status InSavepoint(Connection& tx, Fn&& fn) {
  RETURN_IF_ERROR(tx.Execute("SAVEPOINT import_row"));
  Status s = fn();
  if (!s.ok()) RETURN_IF_ERROR(tx.Execute("ROLLBACK TO SAVEPOINT import_row"));
  RETURN_IF_ERROR(tx.Execute("RELEASE SAVEPOINT import_row"));
  return s;
}

// Statuses that are about the database rather than the row end the import.
bool IsRowError(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kPermissionDenied:
    case StatusCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

struct Context {
  Connection& tx;
  const accounts::Principal& principal;
  const Clock& clock;
  Errors& errors;
  int64_t inserted = 0;
  int64_t updated = 0;
  Status fatal;  // a database failure: stop and return it
};

// An org by code if the principal may see it. Out-of-scope orgs look like
// unknown ones.
StatusOr<std::optional<Org>> VisibleOrgByCode(Context& ctx, const std::string& code) {
  ASSIGN_OR_RETURN(std::optional<Org> org, LookupOrgByCodeUnscoped(ctx.tx, code));
  if (org && !ctx.principal.CanSee(org->path)) return std::optional<Org>();
  return org;
}

// Applies a row's domain call, sorting its failure into a row error or a
// fatal one.
template <size_t N, typename Fn>
void Apply(Context& ctx, Row<N>& row, const std::map<std::string, int>& field_to_col, Fn&& fn) {
  Status s = InSavepoint(ctx.tx, fn);
  if (s.ok()) return;
  if (IsRowError(s)) {
    row.Error(s, field_to_col);
  } else if (ctx.fatal.ok()) {
    ctx.fatal = s;
  }
}

void ImportOrgRow(Context& ctx, Row<11>& row, std::map<std::string, int>& seen) {
  auto code = row.Required(kOCode, "code", "代码");
  if (!code) return;
  if (auto [it, fresh] = seen.emplace(*code, row.number()); !fresh) {
    row.Error(kOCode, *code, "code also on row " + std::to_string(it->second),
              "代码与第 " + std::to_string(it->second) + " 行重复");
    return;
  }
  auto kind = row.Enum<OrgKind>(kOKind, ParseOrgKind, "org kind", "单位类型");
  auto stage = row.Enum<Stage>(kOStage, ParseStage, "stage", "学段");
  auto rural = row.Bool(kORural);
  auto boarding = row.Bool(kOBoarding);
  auto standardised = row.Bool(kOStandardised);
  auto canteen = row.Bool(kOCanteen);
  auto party = row.Bool(kOParty);

  // The parent: by code, or a township in scope by name.
  std::optional<Org> parent;
  if (auto pc = row.Get(kOParent)) {
    auto p = VisibleOrgByCode(ctx, *pc);
    if (!p.ok()) { ctx.fatal = p.status(); return; }
    if (!*p) {
      row.Error(kOParent, *pc, "unknown parent code \"" + *pc + "\" (list parents before children)",
                "未知的上级代码“" + *pc + "”（上级单位须在本文件前面的行或已在系统中）");
    } else {
      parent = **p;
    }
  } else if (auto tn = row.Get(kOTownship)) {
    auto rs = ctx.tx.Query("SELECT id FROM orgs WHERE kind = 'township' AND name = $1 AND "
                           "path LIKE $2",
                           {*tn, ctx.principal.org_path + "%"});
    if (!rs.ok()) { ctx.fatal = rs.status(); return; }
    if (rs->size() != 1) {
      row.Error(kOTownship, *tn,
                rs->empty() ? "unknown township \"" + *tn + "\""
                            : "township name \"" + *tn + "\" is ambiguous; use parent_code",
                rs->empty() ? "未知的乡镇“" + *tn + "”" : "乡镇名称“" + *tn + "”不唯一，请填写上级代码");
    } else {
      auto p = internal::LoadOrg(ctx.tx, rs->GetInt(0, 0));
      if (!p.ok()) { ctx.fatal = p.status(); return; }
      parent = **p;
    }
  }
  auto existing = VisibleOrgByCode(ctx, *code);
  if (!existing.ok()) { ctx.fatal = existing.status(); return; }
  if (!row.ok()) return;

  const std::map<std::string, int> cols = {{"code", kOCode}, {"name", kOName}, {"kind", kOKind},
                                           {"stage", kOStage}, {"flags", kOKind}};
  if (*existing) {
    const Org& org = **existing;
    if (parent && org.parent_id != parent->id) {
      row.Error(parent ? (row.Get(kOParent) ? kOParent : kOTownship) : kOParent, "",
                "moving an org to another parent is not supported by the import",
                "导入不支持变更单位的上级，请联系教育局处理");
      return;
    }
    if (kind && *kind != org.kind) {
      row.Error(kOKind, std::string(OrgKindName(*kind)), "the kind of an existing org cannot change",
                "已有单位的类型不能修改");
      return;
    }
    OrgPatch patch;
    patch.name = row.Get(kOName);
    patch.stage = stage;
    patch.rural = rural;
    patch.boarding = boarding;
    patch.standardised = standardised;
    patch.canteen = canteen;
    patch.party_branch = party;
    Apply(ctx, row, cols, [&] {
      return internal::UpdateOrgTx(ctx.tx, ctx.principal, ctx.clock, org.id, patch).status();
    });
    if (row.ok()) ++ctx.updated;
    return;
  }
  auto name = row.Required(kOName, "name", "名称");
  if (!parent) {
    row.Error(kOParent, "", "a new org needs parent_code or township",
              "新单位必须填写上级代码或所属乡镇");
  }
  if (!row.ok()) return;
  NewOrg in;
  in.parent_id = parent->id;
  in.kind = kind.value_or(OrgKind::kSchool);
  in.code = *code;
  in.name = *name;
  in.stage = stage;
  in.flags = {rural.value_or(false), boarding.value_or(false), standardised.value_or(false),
              canteen.value_or(false), party.value_or(false)};
  Apply(ctx, row, cols, [&] {
    return internal::CreateOrgTx(ctx.tx, ctx.principal, ctx.clock, in).status();
  });
  if (row.ok()) ++ctx.inserted;
}

void ImportClassRow(Context& ctx, Row<4>& row, std::map<std::string, int>& seen,
                    std::unordered_map<std::string, std::optional<Org>>& schools) {
  auto school_code = row.Required(kCSchool, "school_code", "学校代码");
  auto grade_text = row.Required(kCGrade, "grade", "年级");
  auto name = row.Required(kCName, "name", "班级");
  auto students = row.Int(kCStudents, 0, 200);
  std::optional<int> grade;
  if (grade_text) {
    grade = ParseGrade(*grade_text);
    if (!grade) row.Error(kCGrade, *grade_text, "unknown grade \"" + *grade_text + "\"",
                          "无法识别的年级“" + *grade_text + "”");
  }
  std::optional<Org> school;
  if (school_code) {
    auto it = schools.find(*school_code);
    if (it == schools.end()) {
      auto s = VisibleOrgByCode(ctx, *school_code);
      if (!s.ok()) { ctx.fatal = s.status(); return; }
      it = schools.emplace(*school_code, *s).first;
    }
    school = it->second;
    if (!school) row.Error(kCSchool, *school_code, "unknown school code \"" + *school_code + "\"",
                           "未知的学校代码“" + *school_code + "”");
  }
  if (!row.ok()) return;
  const std::string key = *school_code + "\x1f" + std::to_string(*grade) + "\x1f" + *name;
  if (auto [it, fresh] = seen.emplace(key, row.number()); !fresh) {
    row.Error(kCName, *name, "same school, grade and class as row " + std::to_string(it->second),
              "学校、年级、班级与第 " + std::to_string(it->second) + " 行重复");
    return;
  }
  auto rs = ctx.tx.Query("SELECT id FROM classes WHERE school_id = $1 AND grade = $2 AND name = $3",
                         {school->id, int64_t{*grade}, *name});
  if (!rs.ok()) { ctx.fatal = rs.status(); return; }
  const std::map<std::string, int> cols = {
      {"grade", kCGrade}, {"name", kCName}, {"students", kCStudents}};
  if (!rs->empty()) {
    ClassPatch patch;
    patch.students = students;
    const int64_t id = rs->GetInt(0, 0);
    Apply(ctx, row, cols, [&] {
      return internal::UpdateClassTx(ctx.tx, ctx.principal, ctx.clock, id, patch).status();
    });
    if (row.ok()) ++ctx.updated;
    return;
  }
  if (!students) {
    row.Error(kCStudents, "", "students is required for a new class", "新班级必须填写人数");
    return;
  }
  NewClass in{*grade, *name, *students};
  Apply(ctx, row, cols, [&] {
    return internal::CreateClassTx(ctx.tx, ctx.principal, ctx.clock, school->id, in).status();
  });
  if (row.ok()) ++ctx.inserted;
}

void ImportStaffRow(Context& ctx, Row<9>& row, std::map<std::string, int>& seen,
                    std::unordered_map<std::string, std::optional<Org>>& schools) {
  auto code = row.Required(kSCode, "code", "工号");
  if (!code) return;
  if (auto [it, fresh] = seen.emplace(*code, row.number()); !fresh) {
    row.Error(kSCode, *code, "staff number also on row " + std::to_string(it->second),
              "工号与第 " + std::to_string(it->second) + " 行重复");
    return;
  }
  auto gender = row.Enum<Gender>(kSGender, ParseGender, "gender", "性别");
  auto hire_kind = row.Enum<HireKind>(kSHireKind, ParseHireKind, "hire kind", "用工类型");
  auto birth = row.DateCell(kSBirth);
  auto hired = row.DateCell(kSHired);
  auto active = row.Bool(kSActive);
  std::optional<std::vector<Post>> posts;
  if (auto p = row.Get(kSPosts)) {
    std::string bad;
    posts = ParsePosts(*p, &bad);
    if (!posts) row.Error(kSPosts, *p, "unknown post \"" + bad + "\"", "无法识别的职务“" + bad + "”");
  }
  std::optional<Org> school;
  if (auto sc = row.Get(kSSchool)) {
    auto it = schools.find(*sc);
    if (it == schools.end()) {
      auto s = VisibleOrgByCode(ctx, *sc);
      if (!s.ok()) { ctx.fatal = s.status(); return; }
      it = schools.emplace(*sc, *s).first;
    }
    school = it->second;
    if (!school) row.Error(kSSchool, *sc, "unknown school code \"" + *sc + "\"",
                           "未知的学校代码“" + *sc + "”");
  }
  auto rs = ctx.tx.Query("SELECT id, org_id FROM staff WHERE code = $1", {*code});
  if (!rs.ok()) { ctx.fatal = rs.status(); return; }
  if (!row.ok()) return;
  const std::map<std::string, int> cols = {
      {"code", kSCode},   {"name", kSName},       {"gender", kSGender},
      {"posts", kSPosts}, {"birth_date", kSBirth}, {"hired_on", kSHired},
      {"org_id", kSSchool}, {"start_date", kSSchool}};
  if (!rs->empty()) {
    const int64_t id = rs->GetInt(0, 0);
    const int64_t org_id = rs->GetInt(0, 1);
    StaffPatch patch;
    patch.name = row.Get(kSName);
    patch.gender = gender;
    if (birth) patch.birth_date = birth;
    if (hired) patch.hired_on = hired;
    patch.hire_kind = hire_kind;
    patch.posts = posts;
    patch.active = active;
    Apply(ctx, row, cols, [&]() -> Status {
      RETURN_IF_ERROR(internal::UpdateStaffTx(ctx.tx, ctx.principal, ctx.clock, id, patch));
      if (school && school->id != org_id) {
        // A new school in the sheet is a transfer as of the import date.
        NewPosting move{school->id, ChinaDate(ctx.clock.Now()), std::nullopt};
        RETURN_IF_ERROR(internal::AddPostingTx(ctx.tx, ctx.principal, ctx.clock, id, move));
      }
      return OkStatus();
    });
    if (row.ok()) ++ctx.updated;
    return;
  }
  auto name = row.Required(kSName, "name", "姓名");
  if (!gender) row.Required(kSGender, "gender", "性别");
  if (!school) row.Required(kSSchool, "school_code", "学校代码");
  if (!posts) row.Required(kSPosts, "posts", "职务");
  if (!row.ok()) return;
  NewStaff in;
  in.code = *code;
  in.name = *name;
  in.gender = *gender;
  in.birth_date = birth;
  in.hired_on = hired;
  in.hire_kind = hire_kind.value_or(HireKind::kOther);
  in.posts = *posts;
  in.active = active.value_or(true);
  Apply(ctx, row, cols, [&] {
    return internal::CreateStaffTx(ctx.tx, ctx.principal, ctx.clock, school->id, in).status();
  });
  if (row.ok()) ++ctx.inserted;
}

template <size_t N, typename RowFn>
void ImportRows(Context& ctx, const std::vector<internal::CsvRecord>& records,
                const std::array<ColumnSpec, N>& specs, std::initializer_list<int> required,
                RowFn&& fn) {
  Header<N> header = MapHeader(records[0], specs, required, ctx.errors);
  if (!ctx.errors.empty()) return;
  for (size_t i = 1; i < records.size() && ctx.fatal.ok(); ++i) {
    Row<N> row(records[i], header, ctx.errors);
    if (records[i].fields.size() > records[0].fields.size()) {
      row.Error(-1, "", "the row has more cells than the header",
                "该行的单元格数多于表头");
      continue;
    }
    fn(row);
  }
}

}  // namespace

std::optional<ImportKind> ParseImportKind(std::string_view text) {
  if (text == "orgs") return ImportKind::kOrgs;
  if (text == "classes") return ImportKind::kClasses;
  if (text == "staff") return ImportKind::kStaff;
  return std::nullopt;
}

StatusOr<ImportReport> ImportRegistryCsv(Connection& conn, const accounts::Principal& principal,
                                         const Clock& clock, ImportKind kind,
                                         std::string_view csv_text) {
  internal::RegistryWriteScope registry_changed(conn);  // bumps RegistryGeneration() after the commit
  if (!principal.CanEditRegistry()) {
    return PermissionDeniedError("your role may not change the registry",
                                 "您的角色无权修改学校名册");
  }
  ImportReport report;
  Errors errors;
  auto records = internal::ParseCsv(csv_text);
  if (!records.ok()) {
    const Status& s = records.status();
    int row = 0;
    if (s.field().rfind("row ", 0) == 0) row = std::stoi(s.field().substr(4));
    errors.Add(row, "", "", s);
    report.errors = errors.Take();
    return report;
  }
  if (records->empty()) {
    errors.Add(0, "", "", "the file is empty; the first row must be the header",
               "文件为空；第一行应为表头");
    report.errors = errors.Take();
    return report;
  }

  bool rejected = false;
  Context ctx{conn, principal, clock, errors};
  Status s = storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    Context local{tx, principal, clock, errors};
    std::map<std::string, int> seen;
    std::unordered_map<std::string, std::optional<Org>> schools;
    switch (kind) {
      case ImportKind::kOrgs:
        ImportRows(local, *records, kOrgColumns, {kOCode},
                   [&](Row<11>& row) { ImportOrgRow(local, row, seen); });
        break;
      case ImportKind::kClasses:
        ImportRows(local, *records, kClassColumns, {kCSchool, kCGrade, kCName},
                   [&](Row<4>& row) { ImportClassRow(local, row, seen, schools); });
        break;
      case ImportKind::kStaff:
        ImportRows(local, *records, kStaffColumns, {kSCode},
                   [&](Row<9>& row) { ImportStaffRow(local, row, seen, schools); });
        break;
    }
    RETURN_IF_ERROR(local.fatal);
    if (!errors.empty()) {
      rejected = true;
      // Any error: roll back every row (all or nothing, csv_import.h).
      return FailedPreconditionError("import rejected", "导入被拒绝");
    }
    ctx.inserted = local.inserted;
    ctx.updated = local.updated;
    return OkStatus();
  });
  if (!s.ok() && !rejected) return s;
  if (!rejected) {
    report.inserted = ctx.inserted;
    report.updated = ctx.updated;
  }
  report.errors = errors.Take();
  return report;
}

}  // namespace edugov::registry
