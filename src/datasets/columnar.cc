#include "datasets/columnar.h"

#include <algorithm>

#include "registry/registry.h"

namespace edugov::datasets {
namespace {

constexpr int64_t kPageRows = 200000;

void Reserve(Column& c, size_t n) {
  switch (c.type) {
    case ColumnType::kInt: case ColumnType::kDate: case ColumnType::kTime:
    case ColumnType::kEnum: case ColumnType::kText: c.i32.reserve(n); break;
    case ColumnType::kBool: c.b8.reserve(n); break;
    case ColumnType::kRef: c.i64.reserve(n); break;
    case ColumnType::kDecimal: c.f64.reserve(n); break;
  }
}

Column NewColumn(const ColumnSchema& s) {
  Column c;
  c.type = s.type;
  if (s.type == ColumnType::kEnum) {
    for (const std::string& v : s.enum_values) {
      c.codes.emplace(v, static_cast<int32_t>(c.dictionary.size()));
      c.dictionary.push_back(v);
    }
  }
  return c;
}

// Decodes one stored value into its column. On error the column is unchanged.
Status AppendValue(Column& c, const ColumnSchema& s, const storage::Value& v) {
  const bool null = std::holds_alternative<std::monostate>(v);
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("column '" + s.name + "': " + std::string(why),
                                "列 '" + s.name + "'：" + std::string(why));
  };
  auto as_int = [&](int64_t& out) -> bool {
    if (auto* i = std::get_if<int64_t>(&v)) { out = *i; return true; }
    if (auto* d = std::get_if<double>(&v)) {
      if (*d != static_cast<double>(static_cast<int64_t>(*d))) return false;
      out = static_cast<int64_t>(*d);
      return true;
    }
    if (auto* t = std::get_if<std::string>(&v)) {  // PostgreSQL text-typed numerics
      try { size_t used; out = std::stoll(*t, &used); return used == t->size(); } catch (...) { return false; }
    }
    return false;
  };
  switch (s.type) {
    case ColumnType::kInt: {
      if (null) { c.i32.push_back(kNullInt); return OkStatus(); }
      int64_t x;
      if (!as_int(x) || x <= kNullInt || x > std::numeric_limits<int32_t>::max()) return bad("not a 32-bit integer");
      c.i32.push_back(static_cast<int32_t>(x));
      return OkStatus();
    }
    case ColumnType::kDate: {
      if (null) { c.i32.push_back(kNullInt); return OkStatus(); }
      auto* t = std::get_if<std::string>(&v);
      if (!t) return bad("date is not text");
      StatusOr<Date> d = Date::Parse(*t);
      if (!d.ok()) return bad("not a YYYY-MM-DD date: " + *t);
      c.i32.push_back(d->DaysSinceEpoch());
      return OkStatus();
    }
    case ColumnType::kTime: {
      if (null) { c.i32.push_back(kNullInt); return OkStatus(); }
      auto* t = std::get_if<std::string>(&v);
      std::optional<int> m = t ? ParseTimeOfDay(*t) : std::nullopt;
      if (!m) return bad("not an HH:MM time");
      c.i32.push_back(*m);
      return OkStatus();
    }
    case ColumnType::kEnum: case ColumnType::kText: {
      if (null) { c.i32.push_back(kNullInt); return OkStatus(); }
      auto* t = std::get_if<std::string>(&v);
      if (!t) return bad("not text");
      auto it = c.codes.find(*t);
      if (it != c.codes.end()) { c.i32.push_back(it->second); return OkStatus(); }
      if (s.type == ColumnType::kEnum) return bad("'" + *t + "' is not one of the enum values");
      int32_t code = static_cast<int32_t>(c.dictionary.size());
      c.dictionary.push_back(*t);
      c.codes.emplace(*t, code);
      c.i32.push_back(code);
      return OkStatus();
    }
    case ColumnType::kBool: {
      if (null) { c.b8.push_back(kNullBool); return OkStatus(); }
      int64_t x;
      if (!as_int(x) || (x != 0 && x != 1)) return bad("not a 0/1 boolean");
      c.b8.push_back(static_cast<int8_t>(x));
      return OkStatus();
    }
    case ColumnType::kRef: {
      if (null) { c.i64.push_back(kNullRef); return OkStatus(); }
      int64_t x;
      if (!as_int(x)) return bad("not an integer id");
      c.i64.push_back(x);
      return OkStatus();
    }
    case ColumnType::kDecimal: {
      if (null) { c.f64.push_back(std::numeric_limits<double>::quiet_NaN()); return OkStatus(); }
      if (auto* d = std::get_if<double>(&v)) { c.f64.push_back(*d); return OkStatus(); }
      if (auto* i = std::get_if<int64_t>(&v)) { c.f64.push_back(static_cast<double>(*i)); return OkStatus(); }
      if (auto* t = std::get_if<std::string>(&v)) {
        try { size_t used; double d = std::stod(*t, &used); if (used == t->size()) { c.f64.push_back(d); return OkStatus(); } } catch (...) {}
      }
      return bad("not a number");
    }
  }
  return bad("unknown type");
}

void Truncate(Column& c, size_t n) {
  if (c.i32.size() > n) c.i32.resize(n);
  if (c.b8.size() > n) c.b8.resize(n);
  if (c.i64.size() > n) c.i64.resize(n);
  if (c.f64.size() > n) c.f64.resize(n);
}

int32_t EntityIndex(const RegistryImage& reg, RefKind kind, int64_t id) {
  if (id == kNullRef) return -1;
  return kind == RefKind::kClass ? reg.ClassIndex(id) : reg.OrgIndex(id);
}

// Appends one row; on error truncates the columns back and reports.
Status AppendRow(DatasetImage& ds, const RegistryImage& reg, int64_t row_id,
                 const storage::Value* values, size_t width) {
  if (width != ds.schema.columns.size()) {
    return InvalidArgumentError("row " + std::to_string(row_id) + " has " + std::to_string(width) +
                                    " values, dataset '" + ds.schema.name + "' has " +
                                    std::to_string(ds.schema.columns.size()) + " columns",
                                "行 " + std::to_string(row_id) + " 的值个数与数据集列数不符");
  }
  const size_t n = ds.row_id.size();
  for (size_t i = 0; i < width; ++i) {
    Status s = AppendValue(ds.columns[i], ds.schema.columns[i], values[i]);
    if (!s.ok()) {
      for (auto& c : ds.columns) Truncate(c, n);
      return std::move(s).WithField("row_id " + std::to_string(row_id));
    }
  }
  ds.row_id.push_back(row_id);
  const int32_t day = ds.columns[static_cast<size_t>(ds.period_column)].i32[n];
  if (day != kNullInt) {
    ds.min_day = std::min(ds.min_day, day);
    ds.max_day = std::max(ds.max_day, day);
  }
  ds.entity.push_back(EntityIndex(reg, ds.schema.entity_kind(),
                                  ds.columns[static_cast<size_t>(ds.entity_column)].i64[n]));
  return OkStatus();
}

DatasetImage EmptyDataset(const DatasetSchema& schema) {
  DatasetImage d;
  d.schema = schema;
  for (const auto& c : schema.columns) d.columns.push_back(NewColumn(c));
  d.period_column = schema.ColumnIndex(schema.period_column);
  d.entity_column = schema.ColumnIndex(schema.entity_column);
  return d;
}

StatusOr<bool> TableExists(storage::Connection& conn, const std::string& table) {
  const char* sql = conn.backend() == storage::Backend::kSqlite
                        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1"
                        : "SELECT tablename FROM pg_tables WHERE tablename = $1 "
                          "AND schemaname = ANY (current_schemas(false))";
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(sql, {table}));
  return !rs.empty();
}

}  // namespace

int32_t Column::CodeOf(const std::string& text) const {
  auto it = codes.find(text);
  return it == codes.end() ? -1 : it->second;
}

size_t Column::size() const { return std::max({i32.size(), b8.size(), i64.size(), f64.size()}); }

int32_t RegistryImage::OrgIndex(int64_t id) const {
  auto it = org_index.find(id);
  return it == org_index.end() ? -1 : it->second;
}
int32_t RegistryImage::ClassIndex(int64_t id) const {
  auto it = class_index.find(id);
  return it == class_index.end() ? -1 : it->second;
}
int32_t RegistryImage::StaffIndex(int64_t id) const {
  auto it = staff_index.find(id);
  return it == staff_index.end() ? -1 : it->second;
}

void FinishRegistryImage(RegistryImage& r) {
  const size_t n = r.org_id.size();
  r.org_index.clear();
  for (size_t i = 0; i < n; ++i) r.org_index[r.org_id[i]] = static_cast<int32_t>(i);
  r.org_parent.assign(n, -1);
  r.org_township.assign(n, -1);
  r.org_county.assign(n, -1);
  r.org_subtree_end.assign(n, static_cast<int32_t>(n));
  // Path order: an org's ancestors are exactly the open entries of the stack.
  std::vector<int32_t> stack;
  for (size_t i = 0; i < n; ++i) {
    while (!stack.empty() &&
           !r.org_path[i].starts_with(r.org_path[static_cast<size_t>(stack.back())])) {
      r.org_subtree_end[static_cast<size_t>(stack.back())] = static_cast<int32_t>(i);
      stack.pop_back();
    }
    if (!stack.empty()) {
      int32_t p = stack.back();
      r.org_parent[i] = p;
      r.org_township[i] = r.org_township[static_cast<size_t>(p)];
      r.org_county[i] = r.org_county[static_cast<size_t>(p)];
    }
    if (r.org_kind[i] == kKindTownship) r.org_township[i] = static_cast<int32_t>(i);
    if (r.org_kind[i] == kKindCounty) r.org_county[i] = static_cast<int32_t>(i);
    stack.push_back(static_cast<int32_t>(i));
  }
  r.class_index.clear();
  for (size_t i = 0; i < r.class_id.size(); ++i) r.class_index[r.class_id[i]] = static_cast<int32_t>(i);
  r.staff_index.clear();
  for (size_t i = 0; i < r.staff_id.size(); ++i) r.staff_index[r.staff_id[i]] = static_cast<int32_t>(i);
}

StatusOr<RegistryImage> LoadRegistryImage(storage::Connection& conn, Date as_of) {
  RegistryImage r;
  r.as_of = as_of;
  // The registry's bulk reads: one query per table, rows streamed into the
  // columns (registry.h, "bulk reads").
  std::vector<registry::Org> orgs;
  RETURN_IF_ERROR(registry::ForEachOrg(conn, "", [&](const registry::Org& o) { orgs.push_back(o); }));
  // Sorted here, bytewise: a database collation may ignore the '/'.
  std::sort(orgs.begin(), orgs.end(), [](const registry::Org& a, const registry::Org& b) { return a.path < b.path; });
  for (registry::Org& o : orgs) {
    r.org_id.push_back(o.id);
    r.org_kind.push_back(static_cast<int8_t>(o.kind));
    r.org_code.push_back(std::move(o.code));
    r.org_name.push_back(std::move(o.name));
    r.org_path.push_back(std::move(o.path));
    r.org_stage.push_back(o.stage ? static_cast<int8_t>(*o.stage) : kNoStage);
    uint8_t flags = 0;
    if (o.flags.rural) flags |= kFlagRural;
    if (o.flags.boarding) flags |= kFlagBoarding;
    if (o.flags.standardised) flags |= kFlagStandardised;
    if (o.flags.canteen) flags |= kFlagCanteen;
    if (o.flags.party_branch) flags |= kFlagPartyBranch;
    r.org_flags.push_back(flags);
  }
  orgs.clear();
  std::unordered_map<int64_t, int32_t> org_index;
  for (size_t i = 0; i < r.org_id.size(); ++i) org_index[r.org_id[i]] = static_cast<int32_t>(i);
  RETURN_IF_ERROR(registry::ForEachClass(conn, "", [&](const registry::Class& c) {
    auto it = org_index.find(c.school_id);
    if (it == org_index.end()) return;
    r.class_id.push_back(c.id);
    r.class_school.push_back(it->second);
    r.class_grade.push_back(static_cast<int8_t>(c.grade));
    r.class_name.push_back(c.name);
  }));
  std::unordered_map<int64_t, size_t> staff_pos;
  RETURN_IF_ERROR(registry::ForEachStaff(conn, "", [&](const registry::StaffRecord& s) {
    if (!s.active) return;
    auto it = org_index.find(s.org_id);
    if (it == org_index.end()) return;
    staff_pos[s.id] = r.staff_id.size();
    r.staff_id.push_back(s.id);
    r.staff_org.push_back(it->second);
    r.staff_name.push_back(s.name);
  }));
  r.staff_posts.assign(r.staff_id.size(), 0);
  r.staff_rural_years.assign(r.staff_id.size(), 0);
  RETURN_IF_ERROR(registry::ForEachStaffPost(conn, [&](const registry::StaffPost& p) {
    auto it = staff_pos.find(p.staff_id);
    if (it != staff_pos.end()) r.staff_posts[it->second] |= static_cast<uint8_t>(1u << static_cast<int>(p.post));
  }));
  RETURN_IF_ERROR(registry::ForEachRuralTeachingYears(conn, as_of, [&](int64_t staff_id, double years) {
    auto it = staff_pos.find(staff_id);
    if (it != staff_pos.end()) r.staff_rural_years[it->second] = years;
  }));
  FinishRegistryImage(r);
  return r;
}

const DatasetImage* ColumnarImage::Find(std::string_view name) const {
  for (const auto& d : datasets) if (d.schema.name == name) return &d;
  return nullptr;
}
DatasetImage* ColumnarImage::Find(std::string_view name) {
  for (auto& d : datasets) if (d.schema.name == name) return &d;
  return nullptr;
}

size_t ColumnarImage::ColumnBytes() const {
  size_t b = 0;
  for (const auto& d : datasets) {
    b += d.row_id.size() * sizeof(int64_t) + d.entity.size() * sizeof(int32_t);
    for (const auto& c : d.columns) {
      b += c.i32.size() * 4 + c.b8.size() + c.i64.size() * 8 + c.f64.size() * 8;
    }
  }
  return b;
}

ColumnarImage EmptyImage(const std::vector<DatasetSchema>& schemas, RegistryImage registry) {
  ColumnarImage image;
  image.registry = std::move(registry);
  for (const auto& s : schemas) image.datasets.push_back(EmptyDataset(s));
  return image;
}

StatusOr<ColumnarImage> LoadImage(storage::Connection& conn, const std::vector<DatasetSchema>& schemas,
                                  RegistryImage registry) {
  ColumnarImage image = EmptyImage(schemas, std::move(registry));
  for (DatasetImage& ds : image.datasets) {
    const std::string table = ds.schema.TableName();
    ASSIGN_OR_RETURN(bool exists, TableExists(conn, table));
    if (!exists) continue;
    const std::string quoted = "\"" + table + "\"";
    ASSIGN_OR_RETURN(storage::ResultSet count, conn.Query("SELECT COUNT(*) FROM " + quoted));
    const size_t total = static_cast<size_t>(count.GetInt(0, 0));
    ds.row_id.reserve(total);
    ds.entity.reserve(total);
    for (auto& c : ds.columns) Reserve(c, total);
    std::string sql = "SELECT row_id";
    for (const auto& c : ds.schema.columns) sql += ", \"" + c.name + "\"";
    sql += " FROM " + quoted + " WHERE row_id > $1 ORDER BY row_id LIMIT " + std::to_string(kPageRows);
    int64_t after = std::numeric_limits<int64_t>::min();
    while (true) {
      ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(sql, {after}));
      for (size_t r = 0; r < rs.size(); ++r) {
        const auto& row = rs.row(r);
        const int64_t id = rs.GetInt(r, 0);
        Status s = AppendRow(ds, image.registry, id, row.data() + 1, row.size() - 1);
        if (!s.ok()) {
          return InternalError(table + " row_id " + std::to_string(id) + ": " + s.message_en(),
                               table + " row_id " + std::to_string(id) + "：" + s.message_zh());
        }
        after = id;
      }
      if (static_cast<int64_t>(rs.size()) < kPageRows) break;
    }
  }
  return image;
}

StatusOr<std::vector<IngestedRow>> ReadRowsAround(storage::Connection& conn, const DatasetSchema& schema,
                                                  const std::vector<std::string>& subtrees) {
  std::vector<IngestedRow> out;
  const std::string table = schema.TableName();
  ASSIGN_OR_RETURN(bool exists, TableExists(conn, table));
  if (!exists) return out;
  std::string sql = "SELECT row_id";
  for (const auto& c : schema.columns) sql += ", " + storage::QuoteIdentifier(c.name);
  sql += " FROM " + storage::QuoteIdentifier(table);
  storage::Params params;
  std::string where;
  for (const std::string& p : subtrees) {
    // Inside the subtree (a prefix LIKE), or an ancestor of it (its path a
    // prefix of the subtree's).
    params.emplace_back(std::in_place_type<std::string>, p + "%");
    params.emplace_back(std::in_place_type<std::string>, p);
    const std::string inside = std::to_string(params.size() - 1), root = std::to_string(params.size());
    where += (where.empty() ? "" : " OR ") + std::string("org_path LIKE $") + inside + " OR $" + root +
             " LIKE org_path || '%'";
  }
  if (!where.empty()) sql += " WHERE " + where;
  sql += " ORDER BY row_id";
  ASSIGN_OR_RETURN(storage::ResultSet rs, conn.Query(sql, params));
  out.reserve(rs.size());
  for (size_t r = 0; r < rs.size(); ++r) {
    IngestedRow row;
    row.row_id = rs.GetInt(r, 0);
    row.values.assign(rs.row(r).begin() + 1, rs.row(r).end());
    out.push_back(std::move(row));
  }
  return out;
}

Status Append(ColumnarImage& image, std::string_view dataset, const std::vector<IngestedRow>& rows) {
  DatasetImage* ds = image.Find(dataset);
  if (!ds) {
    return NotFoundError("no dataset '" + std::string(dataset) + "' in the image",
                         "映像中没有数据集 '" + std::string(dataset) + "'");
  }
  const size_t n = ds->size();
  for (const IngestedRow& row : rows) {
    Status s = AppendRow(*ds, image.registry, row.row_id, row.values.data(), row.values.size());
    if (!s.ok()) {
      // Recompute the date range over the rows kept.
      ds->min_day = std::numeric_limits<int32_t>::max();
      ds->max_day = std::numeric_limits<int32_t>::min();
      for (size_t r = 0; r < n; ++r) {
        const int32_t d = ds->columns[static_cast<size_t>(ds->period_column)].i32[r];
        if (d == kNullInt) continue;
        ds->min_day = std::min(ds->min_day, d);
        ds->max_day = std::max(ds->max_day, d);
      }
      ds->row_id.resize(n);
      ds->entity.resize(n);
      for (auto& c : ds->columns) Truncate(c, n);
      return s;
    }
  }
  return OkStatus();
}

}  // namespace edugov::datasets
