#include "rules/binder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "calendar/school_semesters.h"
#include "common/date.h"
#include "datasets/columnar.h"
#include "registry/registry.h"

namespace edugov::rules {
namespace {

using datasets::ColumnType;

std::string Where(const std::string& file, const datasets::SourceMark& m) {
  return file + ":" + std::to_string(m.line) + ":" + std::to_string(m.column);
}

class Binder {
 public:
  explicit Binder(const ast::Pack& pack) : pack_(pack) {}

  StatusOr<bound::Pack> Run() {
    bound::Pack out;
    out.file = pack_.file;
    out.name = pack_.name;
    out.title_zh = pack_.title_zh;
    out.datasets = pack_.datasets;
    out.timetable_norms = pack_.timetable_norms;
    for (const auto& s : pack_.semesters) {
      bound::Semester b;
      b.name = s.name.text;
      ASSIGN_OR_RETURN(b.from, Day(s.from));
      ASSIGN_OR_RETURN(b.to, Day(s.to));
      if (b.to < b.from) return Err(s.to.mark, "semester ends before it starts", "学期结束早于开始");
      for (const auto& prev : out.semesters) {
        if (b.from <= prev.to && prev.from <= b.to) {
          return Err(s.from.mark, "semester '" + b.name + "' overlaps '" + prev.name + "'",
                     "学期 '" + b.name + "' 与 '" + prev.name + "' 重叠");
        }
      }
      out.semesters.push_back(std::move(b));
    }
    std::sort(out.semesters.begin(), out.semesters.end(),
              [](const auto& a, const auto& b) { return a.from < b.from; });
    RETURN_IF_ERROR(AddProvisionalSemesters(out));
    if (pack_.school_closures) {
      ASSIGN_OR_RETURN(bound::Unless c, BindUnless(*pack_.school_closures));
      const auto& ds = pack_.datasets[static_cast<size_t>(c.dataset)];
      if (ds.entity_kind() == datasets::RefKind::kClass) {
        return Err(pack_.school_closures->dataset.mark,
                   "school_closures: '" + ds.name + "' must be a school's (or org's) rows, not a class's",
                   "school_closures：'" + ds.name + "' 须为学校（或单位）的数据，而非班级的");
      }
      out.school_closures = c;
      closures_ = &*out.school_closures;
    }
    std::set<std::string> ids;
    for (const auto& r : pack_.rules) {
      if (!ids.insert(r.id.text).second) {
        return Err(r.id.mark, "duplicate rule or target id '" + r.id.text + "'",
                   "重复的规则或目标 id '" + r.id.text + "'");
      }
      ASSIGN_OR_RETURN(bound::Rule b, BindRule(r));
      out.rules.push_back(std::move(b));
    }
    for (const auto& r : out.rules) {
      if (r.check.days == bound::DayBasis::kSchool) {
        RETURN_IF_ERROR(BuildSchoolDays(out));
        break;
      }
    }
    // A dataset a school-day rule reads carries the semesters, so that every
    // import of it flags a row outside all of them (不在任何学期内).
    for (const auto& r : out.rules) {
      if (r.check.days != bound::DayBasis::kSchool || r.check.source != bound::SourceKind::kDataset) continue;
      auto& ds = out.datasets[static_cast<size_t>(r.check.dataset)];
      ds.school_semesters.clear();
      for (const auto& sem : out.semesters) ds.school_semesters.push_back({sem.from, sem.to});
    }
    for (const auto& t : pack_.targets) {
      if (!ids.insert(t.id.text).second) {
        return Err(t.id.mark, "duplicate rule or target id '" + t.id.text + "'",
                   "重复的规则或目标 id '" + t.id.text + "'");
      }
      ASSIGN_OR_RETURN(bound::Target b, BindTarget(t));
      out.targets.push_back(std::move(b));
    }
    return out;
  }

 private:
  Status Err(const datasets::SourceMark& m, std::string en, std::string zh) {
    std::string w = Where(pack_.file, m);
    return Status(StatusCode::kInvalidArgument, w + ": " + en, w + ": " + zh, w);
  }

  StatusOr<int32_t> Day(const ast::Scalar& s) {
    StatusOr<Date> d = Date::Parse(s.text);
    if (!d.ok()) {
      return Err(s.mark, "'" + s.text + "' is not a YYYY-MM-DD date", "'" + s.text + "' 不是 YYYY-MM-DD 日期");
    }
    return d->DaysSinceEpoch();
  }

  StatusOr<double> Number(const ast::Scalar& s) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.text.data(), s.text.data() + s.text.size(), v);
    if (ec != std::errc() || p != s.text.data() + s.text.size()) {
      return Err(s.mark, "'" + s.text + "' is not a number", "'" + s.text + "' 不是数字");
    }
    return v;
  }

  StatusOr<int> Int(const ast::Scalar& s) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.text.data(), s.text.data() + s.text.size(), v);
    if (ec != std::errc() || p != s.text.data() + s.text.size()) {
      return Err(s.mark, "'" + s.text + "' is not an integer", "'" + s.text + "' 不是整数");
    }
    return v;
  }

  StatusOr<bound::Scope> BindScope(const ast::Scope& s, bool class_level) {
    bound::Scope b;
    b.mark = s.mark;
    std::pair<int, int> allowed{-2, 12};
    for (const auto& st : s.stages) {
      if (st.text == "compulsory") {
        for (registry::Stage x : {registry::Stage::kPrimary, registry::Stage::kNineYear,
                                  registry::Stage::kJunior, registry::Stage::kSpecial}) {
          b.stage_mask |= 1u << static_cast<int>(x);
        }
        continue;
      }
      std::optional<registry::Stage> x = registry::ParseStage(st.text);
      if (!x) return Err(st.mark, "unknown stage '" + st.text + "'", "未知的学段 '" + st.text + "'");
      b.stage_mask |= 1u << static_cast<int>(*x);
    }
    if (b.stage_mask) {
      allowed = {13, -3};
      for (int i = 0; i < 8; ++i) {
        if (!(b.stage_mask & (1u << i))) continue;
        auto r = registry::GradeRange(static_cast<registry::Stage>(i));
        allowed.first = std::min(allowed.first, r.first);
        allowed.second = std::max(allowed.second, r.second);
      }
    }
    for (const auto& g : s.grades) {
      int lo, hi;
      size_t dash = g.text.find('-', 1);
      if (dash != std::string::npos) {
        ASSIGN_OR_RETURN(lo, Int(ast::Scalar{g.text.substr(0, dash), g.mark}));
        ASSIGN_OR_RETURN(hi, Int(ast::Scalar{g.text.substr(dash + 1), g.mark}));
      } else {
        ASSIGN_OR_RETURN(lo, Int(g));
        hi = lo;
      }
      if (lo > hi || lo < allowed.first || hi > allowed.second) {
        return Err(g.mark,
                   "unknown grade '" + g.text + "' (allowed " + std::to_string(allowed.first) + ".." +
                       std::to_string(allowed.second) + " for the scope's stages)",
                   "未知的年级 '" + g.text + "'（该学段允许 " + std::to_string(allowed.first) + ".." +
                       std::to_string(allowed.second) + "）");
      }
      if (!class_level) {
        return Err(g.mark, "grades apply only to rules over class-level rows",
                   "年级范围只适用于以班级为单位的数据");
      }
      for (int x = lo; x <= hi; ++x) b.grade_mask |= 1u << (x + 2);
    }
    for (const auto& f : s.flags) {
      ASSIGN_OR_RETURN(uint8_t bit, Flag(f));
      b.flag_mask |= bit;
    }
    for (const auto& o : s.orgs) b.org_codes.push_back(o.text);
    return b;
  }

  StatusOr<uint8_t> Flag(const ast::Scalar& f) {
    if (f.text == "rural") return uint8_t{datasets::kFlagRural};
    if (f.text == "boarding") return uint8_t{datasets::kFlagBoarding};
    if (f.text == "standardised") return uint8_t{datasets::kFlagStandardised};
    if (f.text == "canteen") return uint8_t{datasets::kFlagCanteen};
    if (f.text == "party_branch") return uint8_t{datasets::kFlagPartyBranch};
    return Err(f.mark, "unknown flag '" + f.text + "' (rural, boarding, standardised, canteen, party_branch)",
               "未知的标志 '" + f.text + "'（rural、boarding、standardised、canteen、party_branch）");
  }

  StatusOr<bound::CondOp> Op(const ast::Scalar& s) {
    static const std::pair<const char*, bound::CondOp> kOps[] = {
        {"=", bound::CondOp::kEq},       {"!=", bound::CondOp::kNe},        {"<", bound::CondOp::kLt},
        {"<=", bound::CondOp::kLe},      {">", bound::CondOp::kGt},         {">=", bound::CondOp::kGe},
        {"in", bound::CondOp::kIn},      {"not_in", bound::CondOp::kNotIn}, {"is_null", bound::CondOp::kIsNull},
        {"not_null", bound::CondOp::kNotNull}, {"has_any", bound::CondOp::kHasAny},
        {"has_all", bound::CondOp::kHasAll}};
    for (auto& [t, op] : kOps) if (s.text == t) return op;
    return Err(s.mark, "unknown operator '" + s.text + "'", "未知的运算符 '" + s.text + "'");
  }

  // A typed constant for a column of `type` (enum: its code in `schema`).
  StatusOr<double> Constant(const ast::Scalar& v, ColumnType type, const datasets::ColumnSchema* col) {
    auto mismatch = [&]() {
      return Err(v.mark,
                 "type mismatch: '" + v.text + "' is not a " + std::string(datasets::ColumnTypeName(type)) +
                     (col ? " (column '" + col->name + "')" : ""),
                 "类型不匹配：'" + v.text + "' 不是 " + std::string(datasets::ColumnTypeName(type)) +
                     (col ? "（列 '" + col->name + "'）" : ""));
    };
    switch (type) {
      case ColumnType::kInt: case ColumnType::kDecimal: case ColumnType::kRef: {
        StatusOr<double> d = Number(v);
        if (!d.ok()) return mismatch();
        return *d;
      }
      case ColumnType::kDate: {
        StatusOr<Date> d = Date::Parse(v.text);
        if (!d.ok()) return mismatch();
        return static_cast<double>(d->DaysSinceEpoch());
      }
      case ColumnType::kTime: {
        std::optional<int> m = datasets::ParseTimeOfDay(v.text);
        if (!m) return mismatch();
        return static_cast<double>(*m);
      }
      case ColumnType::kBool:
        if (v.text == "true" || v.text == "yes") return 1.0;
        if (v.text == "false" || v.text == "no") return 0.0;
        return mismatch();
      case ColumnType::kEnum: {
        for (size_t i = 0; i < col->enum_values.size(); ++i) {
          if (col->enum_values[i] == v.text) return static_cast<double>(i);
        }
        return Err(v.mark, "type mismatch: '" + v.text + "' is not a value of enum column '" + col->name + "'",
                   "类型不匹配：'" + v.text + "' 不是枚举列 '" + col->name + "' 的取值");
      }
      case ColumnType::kText: return 0.0;
    }
    return mismatch();
  }

  Status CheckArity(const ast::Condition& c, bound::CondOp op) {
    size_t n = c.values.size();
    bool ok = true;
    switch (op) {
      case bound::CondOp::kIsNull: case bound::CondOp::kNotNull: ok = n == 0; break;
      case bound::CondOp::kIn: case bound::CondOp::kNotIn:
      case bound::CondOp::kHasAny: case bound::CondOp::kHasAll: ok = n >= 1; break;
      default: ok = n == 1;
    }
    if (ok) return OkStatus();
    return Err(c.op.mark, "operator '" + c.op.text + "' has the wrong number of values",
               "运算符 '" + c.op.text + "' 的取值个数不对");
  }

  StatusOr<bound::Condition> DatasetCondition(const ast::Condition& c, const datasets::DatasetSchema& ds) {
    bound::Condition b;
    b.mark = c.mark;
    b.column = ds.ColumnIndex(c.column.text);
    if (b.column < 0) {
      return Err(c.column.mark, "unknown column '" + c.column.text + "' in dataset '" + ds.name + "'",
                 "数据集 '" + ds.name + "' 中没有列 '" + c.column.text + "'");
    }
    const datasets::ColumnSchema& col = ds.columns[static_cast<size_t>(b.column)];
    b.type = col.type;
    ASSIGN_OR_RETURN(b.op, Op(c.op));
    RETURN_IF_ERROR(CheckArity(c, b.op));
    if (b.op == bound::CondOp::kHasAny || b.op == bound::CondOp::kHasAll) {
      return Err(c.op.mark, "has_any/has_all apply to registry posts and flags only",
                 "has_any/has_all 只适用于登记册的岗位和标志");
    }
    bool ordered = b.op == bound::CondOp::kLt || b.op == bound::CondOp::kLe ||
                   b.op == bound::CondOp::kGt || b.op == bound::CondOp::kGe;
    if (ordered && (col.type == ColumnType::kEnum || col.type == ColumnType::kText ||
                    col.type == ColumnType::kBool || col.type == ColumnType::kRef)) {
      return Err(c.op.mark, "type mismatch: '" + c.op.text + "' needs an ordered column, '" + col.name +
                                "' is " + std::string(datasets::ColumnTypeName(col.type)),
                 "类型不匹配：'" + c.op.text + "' 需要有序的列，'" + col.name + "' 是 " +
                     std::string(datasets::ColumnTypeName(col.type)));
    }
    for (const auto& v : c.values) {
      if (col.type == ColumnType::kText) {
        b.texts.push_back(v.text);
      } else {
        ASSIGN_OR_RETURN(double d, Constant(v, col.type, &col));
        b.values.push_back(d);
      }
    }
    return b;
  }

  StatusOr<bound::Condition> RegistryCondition(const ast::Condition& c, bound::SourceKind src) {
    bound::Condition b;
    b.mark = c.mark;
    ASSIGN_OR_RETURN(b.op, Op(c.op));
    RETURN_IF_ERROR(CheckArity(c, b.op));
    const std::string& name = c.column.text;
    auto unknown = [&]() {
      return Err(c.column.mark, "unknown registry attribute '" + name + "' for this source",
                 "该数据源没有登记册属性 '" + name + "'");
    };
    if (name == "posts") {
      if (src != bound::SourceKind::kStaff) return unknown();
      if (b.op != bound::CondOp::kHasAny && b.op != bound::CondOp::kHasAll) {
        return Err(c.op.mark, "posts take has_any or has_all", "posts 只能用 has_any 或 has_all");
      }
      b.attr = bound::RegistryAttr::kPosts;
      uint32_t mask = 0;
      for (const auto& v : c.values) {
        std::optional<registry::Post> p = registry::ParsePost(v.text);
        if (!p) return Err(v.mark, "unknown post '" + v.text + "'", "未知的岗位 '" + v.text + "'");
        mask |= 1u << static_cast<int>(*p);
      }
      b.values.push_back(mask);
      return b;
    }
    if (name == "flags") {
      if (src == bound::SourceKind::kDataset) return unknown();
      if (b.op != bound::CondOp::kHasAny && b.op != bound::CondOp::kHasAll) {
        return Err(c.op.mark, "flags take has_any or has_all", "flags 只能用 has_any 或 has_all");
      }
      b.attr = bound::RegistryAttr::kFlags;
      uint32_t mask = 0;
      for (const auto& v : c.values) {
        ASSIGN_OR_RETURN(uint8_t bit, Flag(v));
        mask |= bit;
      }
      b.values.push_back(mask);
      return b;
    }
    if (b.op == bound::CondOp::kHasAny || b.op == bound::CondOp::kHasAll) {
      return Err(c.op.mark, "has_any/has_all apply to posts and flags only", "has_any/has_all 只适用于岗位和标志");
    }
    if (name == "rural_years") {
      if (src != bound::SourceKind::kStaff) return unknown();
      b.attr = bound::RegistryAttr::kRuralYears;
      b.type = ColumnType::kDecimal;
    } else if (name == "grade") {
      if (src != bound::SourceKind::kClasses) return unknown();
      b.attr = bound::RegistryAttr::kGrade;
      b.type = ColumnType::kInt;
    } else if (name == "stage") {
      b.attr = bound::RegistryAttr::kStage;
      if (b.op != bound::CondOp::kEq && b.op != bound::CondOp::kNe && b.op != bound::CondOp::kIn &&
          b.op != bound::CondOp::kNotIn) {
        return Err(c.op.mark, "stage takes =, !=, in or not_in", "stage 只能用 =、!=、in 或 not_in");
      }
      for (const auto& v : c.values) {
        std::optional<registry::Stage> s = registry::ParseStage(v.text);
        if (!s) return Err(v.mark, "unknown stage '" + v.text + "'", "未知的学段 '" + v.text + "'");
        b.values.push_back(static_cast<int>(*s));
      }
      return b;
    } else {
      return unknown();
    }
    for (const auto& v : c.values) {
      ASSIGN_OR_RETURN(double d, Constant(v, b.type, nullptr));
      b.values.push_back(d);
    }
    return b;
  }

  StatusOr<std::vector<bound::Condition>> Conditions(const std::vector<ast::Condition>& cs,
                                                     const bound::Check& chk) {
    std::vector<bound::Condition> out;
    for (const auto& c : cs) {
      if (chk.source == bound::SourceKind::kDataset) {
        ASSIGN_OR_RETURN(bound::Condition b,
                         DatasetCondition(c, pack_.datasets[static_cast<size_t>(chk.dataset)]));
        out.push_back(std::move(b));
      } else {
        ASSIGN_OR_RETURN(bound::Condition b, RegistryCondition(c, chk.source));
        out.push_back(std::move(b));
      }
    }
    return out;
  }

  int DatasetIndex(const std::string& name) {
    for (size_t i = 0; i < pack_.datasets.size(); ++i) {
      if (pack_.datasets[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  // aggregate, column and share_where of a check or an operand.
  Status BindAggregate(const ast::Scalar& aggregate, const std::optional<ast::Scalar>& column,
                       const std::vector<ast::Condition>& share_where, const datasets::DatasetSchema* ds,
                       bound::Check& b) {
    const std::string& a = aggregate.text;
    if (a == "count") b.aggregate = bound::Aggregate::kCount;
    else if (a == "sum") b.aggregate = bound::Aggregate::kSum;
    else if (a == "avg") b.aggregate = bound::Aggregate::kAvg;
    else if (a == "min") b.aggregate = bound::Aggregate::kMin;
    else if (a == "max") b.aggregate = bound::Aggregate::kMax;
    else if (a == "share") b.aggregate = bound::Aggregate::kShare;
    else {
      return Err(aggregate.mark, "unknown aggregate '" + a + "' (count, sum, avg, min, max, share)",
                 "未知的聚合 '" + a + "'（count、sum、avg、min、max、share）");
    }
    bool needs_column = b.aggregate == bound::Aggregate::kSum || b.aggregate == bound::Aggregate::kAvg ||
                        b.aggregate == bound::Aggregate::kMin || b.aggregate == bound::Aggregate::kMax;
    if (needs_column != column.has_value()) {
      return Err(aggregate.mark, needs_column ? "aggregate '" + a + "' needs a column"
                                                : "aggregate '" + a + "' takes no column",
                 needs_column ? "聚合 '" + a + "' 需要 column" : "聚合 '" + a + "' 不需要 column");
    }
    if (column) {
      if (ds) {
        b.column = ds->ColumnIndex(column->text);
        if (b.column < 0) {
          return Err(column->mark, "unknown column '" + column->text + "' in dataset '" + ds->name + "'",
                     "数据集 '" + ds->name + "' 中没有列 '" + column->text + "'");
        }
        ColumnType t = ds->columns[static_cast<size_t>(b.column)].type;
        if (t != ColumnType::kInt && t != ColumnType::kDecimal && t != ColumnType::kTime &&
            t != ColumnType::kBool) {
          return Err(column->mark,
                     "type mismatch: cannot " + a + " column '" + column->text + "' of type " +
                         std::string(datasets::ColumnTypeName(t)),
                     "类型不匹配：不能对 " + std::string(datasets::ColumnTypeName(t)) + " 类型的列 '" +
                         column->text + "' 求 " + a);
        }
      } else if (column->text == "rural_years" && b.source == bound::SourceKind::kStaff) {
        b.column_attr = bound::RegistryAttr::kRuralYears;
      } else if (column->text == "grade" && b.source == bound::SourceKind::kClasses) {
        b.column_attr = bound::RegistryAttr::kGrade;
      } else {
        return Err(column->mark, "unknown registry attribute '" + column->text + "'",
                   "未知的登记册属性 '" + column->text + "'");
      }
    }
    if ((b.aggregate == bound::Aggregate::kShare) != !share_where.empty()) {
      return Err(aggregate.mark, "share needs share_where (and only share takes it)",
                 "share 需要 share_where（且只有 share 使用它）");
    }
    ASSIGN_OR_RETURN(b.share_where, Conditions(share_where, b));
    return OkStatus();
  }

  // A second aggregate over `base`'s source, groups and periods; its where
  // replaces `inherited` when the operand has one.
  StatusOr<std::shared_ptr<const bound::Check>> BindOperand(const ast::Operand& o, const bound::Check& base,
                                                            const std::vector<bound::Condition>& inherited) {
    auto sub = std::make_shared<bound::Check>();
    sub->source = base.source;
    sub->dataset = base.dataset;
    sub->group = base.group;
    sub->period = base.period;
    sub->days = base.days;
    const datasets::DatasetSchema* ds =
        base.dataset >= 0 ? &pack_.datasets[static_cast<size_t>(base.dataset)] : nullptr;
    if (o.has_where) {
      ASSIGN_OR_RETURN(sub->where, Conditions(o.where, *sub));
    } else {
      sub->where = inherited;
    }
    RETURN_IF_ERROR(BindAggregate(o.aggregate, o.column, o.share_where, ds, *sub));
    return std::shared_ptr<const bound::Check>(std::move(sub));
  }

  // `params` is nullptr for a target's indicator, which needs no period (it
  // is measured over everything up to as_of).
  StatusOr<bound::Check> BindCheck(const ast::Check& c, const std::vector<bound::Parameter>* params,
                                   bool& class_level) {
    bound::Check b;
    b.days = days_;
    const std::string& src = c.source.text;
    if (src == "registry:staff") {
      b.source = bound::SourceKind::kStaff;
    } else if (src == "registry:schools") {
      b.source = bound::SourceKind::kSchools;
    } else if (src == "registry:classes") {
      b.source = bound::SourceKind::kClasses;
    } else {
      b.source = bound::SourceKind::kDataset;
      b.dataset = DatasetIndex(src);
      if (b.dataset < 0) {
        return Err(c.source.mark, "unknown dataset '" + src + "'", "未知的数据集 '" + src + "'");
      }
    }
    const datasets::DatasetSchema* ds =
        b.dataset >= 0 ? &pack_.datasets[static_cast<size_t>(b.dataset)] : nullptr;
    class_level = b.source == bound::SourceKind::kClasses ||
                  (ds && ds->entity_kind() == datasets::RefKind::kClass);
    ASSIGN_OR_RETURN(b.where, Conditions(c.where, b));
    // group entity
    const std::string& ge = c.group_entity.text;
    if (ge == "class") b.group = bound::GroupEntity::kClass;
    else if (ge == "school") b.group = bound::GroupEntity::kSchool;
    else if (ge == "township") b.group = bound::GroupEntity::kTownship;
    else if (ge == "county") b.group = bound::GroupEntity::kCounty;
    else if (ge == "all") b.group = bound::GroupEntity::kAll;
    else {
      return Err(c.group_entity.mark, "unknown group entity '" + ge + "' (class, school, township, county, all)",
                 "未知的分组对象 '" + ge + "'（class、school、township、county、all）");
    }
    if (b.group == bound::GroupEntity::kClass && !class_level) {
      return Err(c.group_entity.mark, "cannot group by class: the rows are not class-level",
                 "无法按班级分组：数据不是班级级别");
    }
    // period
    if (c.group_period) {
      const std::string& p = c.group_period->text;
      if (p == "day") b.period = bound::Period::kDay;
      else if (p == "week") b.period = bound::Period::kWeek;
      else if (p == "month") b.period = bound::Period::kMonth;
      else if (p == "semester") b.period = bound::Period::kSemester;
      else if (p == "year") b.period = bound::Period::kYear;
      else {
        return Err(c.group_period->mark, "unknown period '" + p + "' (day, week, month, semester, year)",
                   "未知的周期 '" + p + "'（day、week、month、semester、year）");
      }
      if (!ds) {
        return Err(c.group_period->mark, "registry sources have no period", "登记册数据源没有周期");
      }
      if (b.period == bound::Period::kSemester && pack_.semesters.empty()) {
        return Err(c.group_period->mark, "period: semester needs the pack's semesters",
                   "period: semester 需要策略包声明 semesters");
      }
    } else if (ds && params) {
      return Err(c.group_entity.mark, "a dataset check needs group.period", "数据集检查需要 group.period");
    }
    RETURN_IF_ERROR(BindAggregate(c.aggregate, c.column, c.share_where, ds, b));
    if (c.divide_by) {
      ASSIGN_OR_RETURN(b.divide_by, BindOperand(*c.divide_by, b, b.where));
    }
    if (c.consecutive) {
      ASSIGN_OR_RETURN(b.consecutive, Int(*c.consecutive));
      if (b.consecutive < 1 || b.consecutive > 10 || b.period == bound::Period::kNone) {
        return Err(c.consecutive->mark, "consecutive must be 1..10 and needs group.period",
                   "consecutive 须为 1..10，且需要 group.period");
      }
    }
    if (c.against_previous && b.period == bound::Period::kNone) {
      return Err(c.compare_op.mark, "against: previous_period needs group.period",
                 "against: previous_period 需要 group.period");
    }
    b.against_previous = c.against_previous;
    if (c.against) {
      ASSIGN_OR_RETURN(b.against, BindOperand(*c.against, b, b.where));
      if (c.against_divide_by) {
        auto against = std::make_shared<bound::Check>(*b.against);
        ASSIGN_OR_RETURN(against->divide_by, BindOperand(*c.against_divide_by, *against, against->where));
        b.against = std::move(against);
      }
    }
    // compare
    static const std::pair<const char*, bound::CmpOp> kCmp[] = {
        {"<", bound::CmpOp::kLt}, {"<=", bound::CmpOp::kLe}, {">", bound::CmpOp::kGt},
        {">=", bound::CmpOp::kGe}, {"=", bound::CmpOp::kEq}, {"!=", bound::CmpOp::kNe}};
    bool found = false;
    for (auto& [t, op] : kCmp) {
      if (c.compare_op.text == t) { b.op = op; found = true; }
    }
    if (!found) {
      return Err(c.compare_op.mark, "unknown comparison '" + c.compare_op.text + "'",
                 "未知的比较 '" + c.compare_op.text + "'");
    }
    if (c.compare_parameter) {
      b.parameter = -1;
      if (params) {
        for (size_t i = 0; i < params->size(); ++i) {
          if ((*params)[i].name == c.compare_parameter->text) b.parameter = static_cast<int>(i);
        }
      }
      if (b.parameter < 0) {
        return Err(c.compare_parameter->mark, "unknown parameter '" + c.compare_parameter->text + "'",
                   "未知的参数 '" + c.compare_parameter->text + "'");
      }
    } else if (c.compare_value) {
      ASSIGN_OR_RETURN(b.value, Number(*c.compare_value));
    } else {
      b.value = 1;  // against without a factor
    }
    return b;
  }

  StatusOr<bound::Parameter> BindParameter(const ast::Parameter& p) {
    bound::Parameter b;
    b.name = p.name.text;
    b.label_zh = p.label_zh.empty() ? p.name.text : p.label_zh;
    std::vector<std::pair<bound::DatedValue, datasets::SourceMark>> vs;
    for (const auto& v : p.values) {
      bound::DatedValue d;
      ASSIGN_OR_RETURN(d.value, Number(v.value));
      if (v.valid_from) { ASSIGN_OR_RETURN(d.valid_from, Day(*v.valid_from)); }
      if (v.valid_to) { ASSIGN_OR_RETURN(d.valid_to, Day(*v.valid_to)); }
      if (d.valid_to < d.valid_from) {
        return Err(v.mark, "valid_to is before valid_from", "valid_to 早于 valid_from");
      }
      vs.push_back({d, v.mark});
    }
    std::sort(vs.begin(), vs.end(),
              [](const auto& a, const auto& b) { return a.first.valid_from < b.first.valid_from; });
    for (size_t i = 1; i < vs.size(); ++i) {
      if (vs[i].first.valid_from <= vs[i - 1].first.valid_to) {
        return Err(vs[i].second,
                   "parameter '" + b.name + "': validity dates overlap those of another value",
                   "参数 '" + b.name + "'：有效期与另一个取值重叠");
      }
    }
    for (auto& v : vs) b.values.push_back(v.first);
    return b;
  }

  StatusOr<bound::Unless> BindUnless(const ast::Unless& u) {
    bound::Unless bu;
    bu.dataset = DatasetIndex(u.dataset.text);
    if (bu.dataset < 0) {
      return Err(u.dataset.mark, "unknown dataset '" + u.dataset.text + "'",
                 "未知的数据集 '" + u.dataset.text + "'");
    }
    const auto& ds = pack_.datasets[static_cast<size_t>(bu.dataset)];
    for (const auto& c : u.where) {
      ASSIGN_OR_RETURN(bound::Condition bc, DatasetCondition(c, ds));
      bu.where.push_back(std::move(bc));
    }
    if (u.until) {
      bu.until_column = ds.ColumnIndex(u.until->text);
      if (bu.until_column < 0 || ds.columns[static_cast<size_t>(bu.until_column)].type != ColumnType::kDate) {
        return Err(u.until->mark, "until: '" + u.until->text + "' is not a date column of '" + ds.name + "'",
                   "until：'" + u.until->text + "' 不是 '" + ds.name + "' 的日期列");
      }
    }
    return bu;
  }

  // A declared day basis needs dated rows: a dataset with a date column and
  // a period to judge; school days need the pack's semesters and calendar.
  Status CheckDayBasis(const ast::Rule& r, const bound::Check& c) {
    const ast::Scalar& d = *r.days;
    const datasets::DatasetSchema* ds =
        c.source == bound::SourceKind::kDataset ? &pack_.datasets[static_cast<size_t>(c.dataset)] : nullptr;
    const bool dated = ds && !ds->period_column.empty() && ds->FindColumn(ds->period_column) &&
                       ds->FindColumn(ds->period_column)->type == ColumnType::kDate;
    if (!dated || c.period == bound::Period::kNone) {
      const std::string what = ds ? "dataset '" + ds->name + "'" : "'" + r.check.source.text + "'";
      const std::string what_zh = ds ? "数据集 '" + ds->name + "'" : "'" + r.check.source.text + "'";
      return Err(d.mark, "days: " + d.text + " needs dated rows, and " + what + " has no date column",
                 "days: " + d.text + " 需要带日期的数据，而" + what_zh + "没有日期列");
    }
    if (c.days != bound::DayBasis::kSchool) return OkStatus();
    if (pack_.semesters.empty()) {
      return Err(d.mark, "days: school needs the pack's semesters", "days: school 需要策略包声明 semesters");
    }
    if (!pack_.calendar) {
      return Err(d.mark, "days: school needs the China working calendar (policy/calendar/ beside the pack)",
                 "days: school 需要工作日历（策略包旁的 policy/calendar/）");
    }
    return OkStatus();
  }

  // `semesters: {provisional: hunan}`: after the last declared semester, the
  // rule's provisional ones (calendar/school_semesters.h), so that school
  // days exist on dates the pack has not declared yet.
  Status AddProvisionalSemesters(bound::Pack& out) {
    if (!pack_.provisional_semesters) return OkStatus();
    const ast::Scalar& rule_text = *pack_.provisional_semesters;
    calendar::ProvisionalRule rule = calendar::ProvisionalRule::kNone;
    if (!calendar::ParseProvisionalRule(rule_text.text, &rule)) {
      return Err(rule_text.mark, "unknown provisional semester rule '" + rule_text.text + "' (hunan, none)",
                 "未知的暂定学期规则 '" + rule_text.text + "'（hunan、none）");
    }
    if (rule != calendar::ProvisionalRule::kNone && out.semesters.empty()) {
      return Err(rule_text.mark, "semesters: provisional needs at least one declared semester to continue",
                 "semesters：provisional 需要至少一个已声明的学期");
    }
    std::vector<calendar::SchoolSemester> declared;
    for (const auto& s : out.semesters) {
      declared.push_back({s.name, Date::FromDaysSinceEpoch(s.from), Date::FromDaysSinceEpoch(s.to), false});
    }
    const auto all = calendar::WithProvisionalSemesters(std::move(declared), rule);
    for (size_t i = out.semesters.size(); i < all.size(); ++i) {
      out.semesters.push_back({all[i].name, all[i].from.DaysSinceEpoch(), all[i].to.DaysSinceEpoch(), true});
    }
    return OkStatus();
  }

  // The pack's school days from its calendar and semesters, once.
  Status BuildSchoolDays(bound::Pack& out) {
    auto& sems = out.semesters;
    // Provisional semesters go as far as the calendar answers (a strict
    // calendar, WithoutProvisional, ends them at its last notice).
    for (size_t i = 0; i < sems.size(); ++i) {
      if (!sems[i].provisional) continue;
      if (!pack_.calendar->Answers(Date::FromDaysSinceEpoch(sems[i].from)) ||
          !pack_.calendar->Answers(Date::FromDaysSinceEpoch(sems[i].to))) {
        sems.resize(i);
        break;
      }
    }
    bound::SchoolDays sd;
    sd.lo = sems.front().from;
    sd.open.assign(static_cast<size_t>(sems.back().to - sd.lo + 1), 0);
    for (size_t i = 0; i < sems.size(); ++i) {
      for (int32_t day = sems[i].from; day <= sems[i].to; ++day) {
        StatusOr<bool> working = pack_.calendar->IsWorkingDay(Date::FromDaysSinceEpoch(day));
        if (!working.ok()) {
          const ast::Semester* s = nullptr;
          for (const auto& a : pack_.semesters) if (a.name.text == sems[i].name) s = &a;
          return Err(s ? s->mark : datasets::SourceMark{}, "semester '" + sems[i].name +
                         "': the working calendar does not cover " + Date::FromDaysSinceEpoch(day).ToString(),
                     "学期 '" + sems[i].name + "'：工作日历不含 " + Date::FromDaysSinceEpoch(day).ToString());
        }
        sd.open[static_cast<size_t>(day - sd.lo)] = *working ? 1 : 0;
      }
    }
    out.school_days = std::move(sd);
    return OkStatus();
  }

  StatusOr<bound::Rule> BindRule(const ast::Rule& r) {
    bound::Rule b;
    b.id = r.id.text;
    b.clause = r.clause.text;
    b.source_zh = r.source_zh;
    b.title_zh = r.title_zh;
    b.mark = r.mark;
    if (r.severity.text != "minor" && r.severity.text != "major" && r.severity.text != "critical") {
      return Err(r.severity.mark, "unknown severity '" + r.severity.text + "' (minor, major, critical)",
                 "未知的严重程度 '" + r.severity.text + "'（minor、major、critical）");
    }
    b.severity = r.severity.text;
    for (const auto& p : r.parameters) {
      ASSIGN_OR_RETURN(bound::Parameter bp, BindParameter(p));
      for (const auto& prev : b.parameters) {
        if (prev.name == bp.name) {
          return Err(p.name.mark, "duplicate parameter '" + bp.name + "'", "重复的参数 '" + bp.name + "'");
        }
      }
      b.parameters.push_back(std::move(bp));
    }
    bool class_level = false;
    // The day basis first: BindCheck hands it to the operands.
    days_ = bound::DayBasis::kCalendar;
    if (r.days) {
      const std::string& d = r.days->text;
      if (d == "school") days_ = bound::DayBasis::kSchool;
      else if (d == "records") days_ = bound::DayBasis::kRecords;
      else if (d != "calendar") {
        return Err(r.days->mark, "unknown day basis '" + d + "' (school, calendar, records)",
                   "未知的计日方式 '" + d + "'（school、calendar、records）");
      }
    }
    ASSIGN_OR_RETURN(b.check, BindCheck(r.check, &b.parameters, class_level));
    days_ = bound::DayBasis::kCalendar;
    if (r.days) RETURN_IF_ERROR(CheckDayBasis(r, b.check));
    ASSIGN_OR_RETURN(b.scope, BindScope(r.scope, class_level));
    for (const auto& u : r.unless) {
      if (b.check.source != bound::SourceKind::kDataset) {
        return Err(u.mark, "unless applies to dataset checks only", "unless 只适用于数据集检查");
      }
      ASSIGN_OR_RETURN(bound::Unless bu, BindUnless(u));
      b.unless.push_back(std::move(bu));
    }
    // A school's declared closures take its school days away: for the
    // engine they are one more exemption of every school-basis rule.
    if (b.check.days == bound::DayBasis::kSchool && closures_) b.unless.push_back(*closures_);
    if (r.case_spec) {
      bound::CaseSpec cs;
      cs.assignee = r.case_spec->assignee.text;
      if (cs.assignee != "school" && cs.assignee != "township" && cs.assignee != "county") {
        return Err(r.case_spec->assignee.mark, "unknown assignee level '" + cs.assignee + "'",
                   "未知的责任层级 '" + cs.assignee + "'");
      }
      ASSIGN_OR_RETURN(cs.due_working_days, Int(r.case_spec->due_working_days));
      if (cs.due_working_days < 1) {
        return Err(r.case_spec->due_working_days.mark, "due_working_days must be at least 1",
                   "due_working_days 至少为 1");
      }
      b.case_spec = cs;
    }
    return b;
  }

  StatusOr<bound::Target> BindTarget(const ast::Target& t) {
    bound::Target b;
    b.id = t.id.text;
    b.clause = t.clause.text;
    b.source_zh = t.source_zh;
    b.title_zh = t.title_zh;
    bool class_level = false;
    if (t.open_cases) {
      // A count of open cases: the case type is checked where case types are
      // known (the caller's count_open_cases), only the comparison here.
      if (t.open_cases->text.empty()) {
        return Err(t.open_cases->mark, "open_cases needs a case type", "open_cases 需要案件类型");
      }
      b.open_cases = t.open_cases->text;
      static const std::pair<const char*, bound::CmpOp> kCmp[] = {
          {"<", bound::CmpOp::kLt}, {"<=", bound::CmpOp::kLe}, {">", bound::CmpOp::kGt},
          {">=", bound::CmpOp::kGe}, {"=", bound::CmpOp::kEq}, {"==", bound::CmpOp::kEq},
          {"!=", bound::CmpOp::kNe}};
      bool found = false;
      for (auto& [text, op] : kCmp) {
        if (t.indicator.compare_op.text == text) { b.indicator.op = op; found = true; }
      }
      if (!found) {
        return Err(t.indicator.compare_op.mark, "unknown comparison '" + t.indicator.compare_op.text + "'",
                   "未知的比较 '" + t.indicator.compare_op.text + "'");
      }
      ASSIGN_OR_RETURN(b.indicator.value, Number(*t.indicator.compare_value));
      b.indicator.group = bound::GroupEntity::kCounty;
      ASSIGN_OR_RETURN(b.scope, BindScope(t.scope, false));
      ASSIGN_OR_RETURN(b.deadline, Day(t.deadline));
      if (t.baseline_date) {
        ASSIGN_OR_RETURN(int32_t d, Day(*t.baseline_date));
        b.baseline_date = d;
        ASSIGN_OR_RETURN(b.baseline_value, Number(*t.baseline_value));
      }
      return b;
    }
    ASSIGN_OR_RETURN(b.indicator, BindCheck(t.indicator, nullptr, class_level));
    if (t.indicator.against || t.indicator.against_previous || t.indicator.consecutive) {
      return Err(t.indicator.mark, "a target's indicator takes no against or consecutive",
                 "目标的指标不能使用 against 或 consecutive");
    }
    ASSIGN_OR_RETURN(b.scope, BindScope(t.scope, class_level));
    ASSIGN_OR_RETURN(b.deadline, Day(t.deadline));
    if (t.baseline_date) {
      ASSIGN_OR_RETURN(int32_t d, Day(*t.baseline_date));
      b.baseline_date = d;
      ASSIGN_OR_RETURN(b.baseline_value, Number(*t.baseline_value));
    }
    return b;
  }

  const ast::Pack& pack_;
  // The day basis of the rule being bound (BindCheck stamps it on its check).
  bound::DayBasis days_ = bound::DayBasis::kCalendar;
  // The bound school_closures, while Run binds the rules (points into its output).
  const bound::Unless* closures_ = nullptr;
};

}  // namespace

namespace bound {

std::string_view GroupEntityName(GroupEntity e) {
  switch (e) {
    case GroupEntity::kClass: return "class";
    case GroupEntity::kSchool: return "school";
    case GroupEntity::kTownship: return "township";
    case GroupEntity::kCounty: return "county";
    case GroupEntity::kAll: return "all";
  }
  return "?";
}
std::string_view PeriodName(Period p) {
  switch (p) {
    case Period::kNone: return "none";
    case Period::kDay: return "day";
    case Period::kWeek: return "week";
    case Period::kMonth: return "month";
    case Period::kSemester: return "semester";
    case Period::kYear: return "year";
  }
  return "?";
}
std::string_view AggregateName(Aggregate a) {
  switch (a) {
    case Aggregate::kCount: return "count";
    case Aggregate::kSum: return "sum";
    case Aggregate::kAvg: return "avg";
    case Aggregate::kMin: return "min";
    case Aggregate::kMax: return "max";
    case Aggregate::kShare: return "share";
  }
  return "?";
}
std::string_view CmpOpText(CmpOp op) {
  switch (op) {
    case CmpOp::kLt: return "<";
    case CmpOp::kLe: return "<=";
    case CmpOp::kGt: return ">";
    case CmpOp::kGe: return ">=";
    case CmpOp::kEq: return "=";
    case CmpOp::kNe: return "!=";
  }
  return "?";
}
std::string_view DayBasisName(DayBasis d) {
  switch (d) {
    case DayBasis::kCalendar: return "calendar";
    case DayBasis::kSchool: return "school";
    case DayBasis::kRecords: return "records";
  }
  return "?";
}
bool Holds(CmpOp op, double m, double t) {
  // A small tolerance: averages and shares are computed in floating point.
  constexpr double kEps = 1e-9;
  switch (op) {
    case CmpOp::kLt: return m < t - kEps;
    case CmpOp::kLe: return m <= t + kEps;
    case CmpOp::kGt: return m > t + kEps;
    case CmpOp::kGe: return m >= t - kEps;
    case CmpOp::kEq: return std::abs(m - t) <= kEps;
    case CmpOp::kNe: return std::abs(m - t) > kEps;
  }
  return true;
}
const DatedValue* Parameter::At(int32_t day) const {
  for (const auto& v : values) {
    if (day >= v.valid_from && day <= v.valid_to) return &v;
  }
  return nullptr;
}

}  // namespace bound

StatusOr<bound::Pack> Bind(const ast::Pack& pack) { return Binder(pack).Run(); }

}  // namespace edugov::rules
