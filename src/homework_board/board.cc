#include "homework_board/board.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "accounts/users.h"
#include "datasets/import.h"
#include "ledger/audit.h"
#include "registry/registry.h"
#include "rules/bound.h"

namespace edugov::homework_board {
namespace {

using accounts::Principal;
using accounts::Role;
using storage::Connection;
using storage::ResultSet;

constexpr const char* kDataset = "homework";
constexpr const char* kMinutesColumn = "written_minutes";

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

std::string Trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

Status Field(std::string field, std::string en, std::string zh) {
  return InvalidArgumentError(std::move(en), std::move(zh)).WithField(std::move(field));
}

Status NoClass(int64_t class_id) {
  return NotFoundError("class " + std::to_string(class_id) + " not found",
                       "班级 " + std::to_string(class_id) + " 不存在");
}

// The class and its school, when the caller's subtree holds them.
struct Located {
  registry::Class cls;
  registry::Org school;
};

StatusOr<Located> Locate(Connection& conn, const Principal& who, int64_t class_id) {
  ASSIGN_OR_RETURN(std::optional<registry::Class> cls, registry::LookupClassUnscoped(conn, class_id));
  if (!cls) return NoClass(class_id);
  ASSIGN_OR_RETURN(std::optional<registry::Org> school, registry::LookupOrgUnscoped(conn, cls->school_id));
  if (!school || !who.CanSee(school->path)) return NoClass(class_id);
  return Located{*cls, *school};
}

StatusOr<bool> IsAssigned(Connection& conn, const Principal& who, int64_t class_id) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT 1 FROM homework_board_teachers WHERE class_id = $1 AND user_id = $2",
                                            {class_id, who.user_id}));
  return !rs.empty();
}

// Located, and readable: a teacher reads only the classes assigned to them.
StatusOr<Located> LocateReadable(Connection& conn, const Principal& who, int64_t class_id) {
  ASSIGN_OR_RETURN(Located at, Locate(conn, who, class_id));
  if (who.role == Role::kTeacher) {
    ASSIGN_OR_RETURN(bool mine, IsAssigned(conn, who, class_id));
    if (!mine) return NoClass(class_id);
  }
  return at;
}

StatusOr<Located> LocateWritable(Connection& conn, const Principal& who, int64_t class_id) {
  ASSIGN_OR_RETURN(Located at, LocateReadable(conn, who, class_id));
  if (who.role != Role::kTeacher && who.role != Role::kSchool) {
    return PermissionDeniedError("only the class's teachers and school staff enter homework",
                                 "只有本班任课教师和学校可以填报作业公示");
  }
  return at;
}

Entry EntryFrom(const ResultSet& rs, size_t r) {
  Entry e;
  e.id = rs.GetInt(r, 0);
  e.class_id = rs.GetInt(r, 1);
  if (StatusOr<Date> d = Date::Parse(rs.GetText(r, 2)); d.ok()) e.date = *d;
  e.subject = rs.GetText(r, 3);
  e.content = rs.GetText(r, 4);
  e.minutes = static_cast<int>(rs.GetInt(r, 5));
  e.written = rs.GetInt(r, 6) != 0;
  e.entered_by = rs.GetText(r, 7);
  e.updated_at_us = rs.GetInt(r, 8);
  return e;
}

constexpr const char* kEntryColumns =
    "id, class_id, date, subject, content, minutes, written, entered_by, updated_at_us";

StatusOr<std::vector<Entry>> ReadEntries(Connection& conn, int64_t class_id, Date from, Date to) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query(std::string("SELECT ") + kEntryColumns +
                                                " FROM homework_board_entries WHERE class_id = $1 AND date >= $2 "
                                                "AND date <= $3 ORDER BY date, subject",
                                            {class_id, from.ToString(), to.ToString()}));
  std::vector<Entry> out;
  for (size_t r = 0; r < rs.size(); ++r) out.push_back(EntryFrom(rs, r));
  return out;
}

nlohmann::json EntryJson(const Entry& e) {
  return {{"class_id", e.class_id}, {"date", e.date.ToString()}, {"subject", e.subject},
          {"content", e.content},   {"minutes", e.minutes},      {"written", e.written}};
}

// The class's link token, made on first sight (not audited: a link nobody
// has shown yet is no change anyone made).
StatusOr<std::string> EnsureToken(Connection& conn, Random& random, const Clock& clock, int64_t class_id) {
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT token FROM homework_board_links WHERE class_id = $1", {class_id}));
  if (!rs.empty()) return rs.GetText(0, 0);
  RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO homework_board_links (class_id, token, created_at_us) VALUES ($1, $2, $3) "
      "ON CONFLICT (class_id) DO NOTHING",
      {class_id, random.Hex(16), ToUnixMicros(clock.Now())}));
  ASSIGN_OR_RETURN(ResultSet again, conn.Query("SELECT token FROM homework_board_links WHERE class_id = $1", {class_id}));
  return again.GetText(0, 0);
}

bool ScopeHolds(const rules::bound::Scope& scope, std::optional<registry::Stage> stage, int grade) {
  if (scope.stage_mask && (!stage || !(scope.stage_mask & (1u << static_cast<int>(*stage))))) return false;
  if (scope.grade_mask && !(scope.grade_mask & (1u << (grade + 2)))) return false;
  return true;
}

PublicDay DayOf(Date date, std::vector<Entry> entries) {
  PublicDay d;
  d.date = date;
  for (const Entry& e : entries) {
    d.total_minutes += e.minutes;
    if (e.written) d.written_minutes += e.minutes;
  }
  d.entries = std::move(entries);
  return d;
}

}  // namespace

std::optional<Norm> Board::NormFor(std::string_view stage_name, int grade, Date day) const {
  if (!options_.compliance) return std::nullopt;
  const std::optional<registry::Stage> stage = registry::ParseStage(stage_name);
  auto held = options_.compliance->pack();
  const rules::bound::Pack& pack = held->pack();
  int dataset = -1, column = -1;
  for (size_t i = 0; i < pack.datasets.size(); ++i) {
    if (pack.datasets[i].name != kDataset) continue;
    dataset = static_cast<int>(i);
    for (size_t c = 0; c < pack.datasets[i].columns.size(); ++c) {
      if (pack.datasets[i].columns[c].name == kMinutesColumn) column = static_cast<int>(c);
    }
  }
  if (dataset < 0 || column < 0) return std::nullopt;
  for (const rules::bound::Rule& rule : pack.rules) {
    const rules::bound::Check& ck = rule.check;
    if (ck.source != rules::bound::SourceKind::kDataset || ck.dataset != dataset || ck.column != column) continue;
    if (!ck.where.empty() || !ScopeHolds(rule.scope, stage, grade)) continue;
    double value = ck.value;
    if (ck.parameter >= 0) {
      const rules::bound::DatedValue* v = rule.parameters[static_cast<size_t>(ck.parameter)].At(day.DaysSinceEpoch());
      if (!v) continue;
      value = v->value;
    }
    return Norm{.rule_id = rule.id,
                .title_zh = rule.title_zh,
                .max_minutes = value,
                .weekly_average = ck.aggregate == rules::bound::Aggregate::kAvg};
  }
  return std::nullopt;
}

StatusOr<std::vector<BoardClass>> Board::ListClasses(Connection& conn, const Principal& who,
                                                     std::optional<int64_t> school_id) {
  std::vector<registry::Class> classes;
  std::map<int64_t, registry::Org> schools;
  if (who.role == Role::kTeacher) {
    ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT class_id FROM homework_board_teachers WHERE user_id = $1 "
                                              "ORDER BY class_id",
                                              {who.user_id}));
    for (size_t r = 0; r < rs.size(); ++r) {
      StatusOr<Located> at = Locate(conn, who, rs.GetInt(r, 0));
      if (!at.ok()) continue;  // moved out of the teacher's school: not theirs any more
      schools[at->school.id] = at->school;
      classes.push_back(at->cls);
    }
  } else {
    const int64_t sid = school_id.value_or(who.org_id);
    ASSIGN_OR_RETURN(std::vector<registry::Class> listed, registry::ListClasses(conn, who, sid));
    ASSIGN_OR_RETURN(std::optional<registry::Org> school, registry::LookupOrgUnscoped(conn, sid));
    if (!school) return NotFoundError("school " + std::to_string(sid) + " not found", "学校 " + std::to_string(sid) + " 不存在");
    schools[sid] = *school;
    classes = std::move(listed);
  }
  std::vector<BoardClass> out;
  Status s = storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    out.clear();
    for (const registry::Class& c : classes) {
      BoardClass b{.class_id = c.id, .school_id = c.school_id, .school_name = schools[c.school_id].name,
                   .grade = c.grade, .name = c.name};
      ASSIGN_OR_RETURN(b.token, EnsureToken(tx, *options_.random, *options_.clock, c.id));
      out.push_back(std::move(b));
    }
    return OkStatus();
  });
  RETURN_IF_ERROR(s);
  if (who.role != Role::kTeacher) {
    for (BoardClass& b : out) {
      ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT username FROM homework_board_teachers WHERE class_id = $1 "
                                                "ORDER BY username",
                                                {b.class_id}));
      for (size_t r = 0; r < rs.size(); ++r) b.teachers.push_back(rs.GetText(r, 0));
    }
  }
  return out;
}

StatusOr<std::vector<Entry>> Board::ListEntries(Connection& conn, const Principal& who, int64_t class_id, Date from,
                                                Date to) {
  RETURN_IF_ERROR(LocateReadable(conn, who, class_id).status());
  if (to < from || to.DaysSinceEpoch() - from.DaysSinceEpoch() > 62) {
    return Field("to", "the range must run forwards and span at most 62 days", "日期范围须从前往后，且不超过 62 天");
  }
  return ReadEntries(conn, class_id, from, to);
}

StatusOr<SaveResult> Board::SaveEntry(Connection& conn, const Principal& who, const EntryInput& raw) {
  EntryInput in = raw;
  in.subject = Trim(in.subject);
  in.content = Trim(in.content);
  if (in.subject.empty() || Utf8Chars(in.subject) > kMaxSubjectChars) {
    return Field("subject", "subject: 1 to 20 characters", "学科：须为 1 至 20 个字");
  }
  if (in.content.empty() || Utf8Chars(in.content) > kMaxContentChars) {
    return Field("content", "content: 1 to 500 characters", "作业内容：须为 1 至 500 个字");
  }
  if (in.minutes < 0 || in.minutes > kMaxEntryMinutes) {
    return Field("minutes", "minutes must be between 0 and 300", "预计用时须在 0 至 300 分钟之间");
  }
  ASSIGN_OR_RETURN(Located at, LocateWritable(conn, who, in.class_id));
  const Date today = options_.compliance ? options_.compliance->Today() : Date::FromDaysSinceEpoch(0);
  if (options_.compliance && (in.date > today || in.date < today.AddDays(-31))) {
    return Field("date", "homework is entered for today or the past 31 days",
                 "只能填报今天或此前 31 天内的作业");
  }
  Entry saved;
  Status s = storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(ResultSet before, tx.Query(std::string("SELECT ") + kEntryColumns +
                                                    " FROM homework_board_entries WHERE class_id = $1 AND date = $2 "
                                                    "AND subject = $3",
                                                {in.class_id, in.date.ToString(), in.subject}));
    // The dataset caps a day at 600 written minutes: refuse here, before anything is written.
    ASSIGN_OR_RETURN(ResultSet others, tx.Query("SELECT COALESCE(SUM(minutes), 0) FROM homework_board_entries "
                                                "WHERE class_id = $1 AND date = $2 AND subject <> $3 AND written = 1",
                                                {in.class_id, in.date.ToString(), in.subject}));
    if (others.GetInt(0, 0) + (in.written ? in.minutes : 0) > 600) {
      return Field("minutes", "the day's written homework would exceed 600 minutes",
                   "当天书面作业合计将超过 600 分钟");
    }
    const int64_t now = ToUnixMicros(options_.clock->Now());
    ASSIGN_OR_RETURN(ResultSet rs,
                     tx.Query(std::string("INSERT INTO homework_board_entries (class_id, date, subject, content, "
                                          "minutes, written, entered_by, updated_at_us) VALUES ($1, $2, $3, $4, $5, "
                                          "$6, $7, $8) ON CONFLICT (class_id, date, subject) DO UPDATE SET "
                                          "content = excluded.content, minutes = excluded.minutes, written = "
                                          "excluded.written, entered_by = excluded.entered_by, updated_at_us = "
                                          "excluded.updated_at_us RETURNING ") +
                                  kEntryColumns,
                              {in.class_id, in.date.ToString(), in.subject, in.content, int64_t{in.minutes},
                               int64_t{in.written ? 1 : 0}, who.username, now}));
    saved = EntryFrom(rs, 0);
    return ledger::AppendAudit(tx,
                               {.actor_user_id = who.user_id,
                                .actor = who.username,
                                .action = before.empty() ? "homework_board.entry.create" : "homework_board.entry.update",
                                .entity = "homework_board_entry",
                                .entity_id = std::to_string(saved.id),
                                .before = before.empty() ? "" : EntryJson(EntryFrom(before, 0)).dump(),
                                .after = EntryJson(saved).dump()},
                               *options_.clock);
  });
  RETURN_IF_ERROR(s);
  ASSIGN_OR_RETURN(SaveResult r, LandDay(conn, who, in.class_id, in.date));
  r.entry = saved;
  return r;
}

StatusOr<SaveResult> Board::DeleteEntry(Connection& conn, const Principal& who, int64_t class_id, int64_t entry_id) {
  RETURN_IF_ERROR(LocateWritable(conn, who, class_id).status());
  Date date;
  Status s = storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(ResultSet rs, tx.Query(std::string("SELECT ") + kEntryColumns +
                                                " FROM homework_board_entries WHERE id = $1 AND class_id = $2",
                                            {entry_id, class_id}));
    if (rs.empty()) {
      return NotFoundError("homework entry " + std::to_string(entry_id) + " not found",
                           "作业条目 " + std::to_string(entry_id) + " 不存在");
    }
    const Entry old = EntryFrom(rs, 0);
    date = old.date;
    RETURN_IF_ERROR(tx.Execute("DELETE FROM homework_board_entries WHERE id = $1", {entry_id}));
    return ledger::AppendAudit(tx,
                               {.actor_user_id = who.user_id,
                                .actor = who.username,
                                .action = "homework_board.entry.delete",
                                .entity = "homework_board_entry",
                                .entity_id = std::to_string(entry_id),
                                .before = EntryJson(old).dump()},
                               *options_.clock);
  });
  RETURN_IF_ERROR(s);
  return LandDay(conn, who, class_id, date);
}

// The day's written minutes over every subject become the class's row of
// the homework dataset — through the import a web-form row takes, then the
// service's re-check, so findings and 进行中 follow as for a form row. The
// row is derived from the entries: saving again re-derives it.
StatusOr<SaveResult> Board::LandDay(Connection& conn, const Principal& who, int64_t class_id, Date date) {
  SaveResult out;
  ASSIGN_OR_RETURN(ResultSet sum, conn.Query("SELECT COALESCE(SUM(minutes), 0) FROM homework_board_entries "
                                             "WHERE class_id = $1 AND date = $2 AND written = 1",
                                             {class_id, date.ToString()}));
  out.written_total = static_cast<int>(sum.GetInt(0, 0));
  if (!options_.compliance) return out;
  auto held = options_.compliance->pack();
  const datasets::DatasetSchema* schema = nullptr;
  for (const datasets::DatasetSchema& d : held->pack().datasets) {
    if (d.name == kDataset) schema = &d;
  }
  if (!schema) {
    return FailedPreconditionError("the policy pack declares no homework dataset", "政策包未声明作业数据集（homework）");
  }
  datasets::MemoryRowSource source({"class_id", "date", kMinutesColumn},
                                   {{std::to_string(class_id), date.ToString(), std::to_string(out.written_total)}});
  datasets::ImportOptions options{.file_name = "作业公示", .format = "form", .collect_landed = true};
  ASSIGN_OR_RETURN(datasets::ImportReport report,
                   datasets::Import(conn, who, *options_.clock, *schema, source, options, nullptr));
  if (report.rows_ok == 0) {
    const std::string why_zh = report.problems.empty() ? "" : report.problems[0].reason_zh;
    const std::string why_en = report.problems.empty() ? "" : report.problems[0].reason_en;
    return InternalError("the homework dataset refused the day's row: " + why_en, "作业数据集未接收当天的数据：" + why_zh);
  }
  out.dataset_row_id = report.landed.empty() ? 0 : report.landed[0].row_id;
  out.recheck = options_.compliance->Submit(conn, who, kDataset, report.landed);
  return out;
}

StatusOr<std::string> Board::RotateLink(Connection& conn, const Principal& who, int64_t class_id) {
  RETURN_IF_ERROR(Locate(conn, who, class_id).status());
  if (!who.CanEditRegistry()) {
    return PermissionDeniedError("only the school may change a class's public link", "只有学校可以更换班级公示链接");
  }
  std::string token = options_.random->Hex(16);
  Status s = storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("DELETE FROM homework_board_links WHERE class_id = $1", {class_id}));
    RETURN_IF_ERROR(tx.Execute("INSERT INTO homework_board_links (class_id, token, created_at_us) VALUES ($1, $2, $3)",
                               {class_id, token, ToUnixMicros(options_.clock->Now())}));
    // The token itself stays out of the log: whoever reads the log could open the page.
    return ledger::AppendAudit(tx,
                               {.actor_user_id = who.user_id,
                                .actor = who.username,
                                .action = "homework_board.link.rotate",
                                .entity = "class",
                                .entity_id = std::to_string(class_id)},
                               *options_.clock);
  });
  RETURN_IF_ERROR(s);
  return token;
}

Status Board::SetTeachers(Connection& conn, const Principal& who, int64_t class_id,
                          const std::vector<std::string>& usernames) {
  ASSIGN_OR_RETURN(Located at, Locate(conn, who, class_id));
  if (!who.CanEditRegistry()) {
    return PermissionDeniedError("only the school assigns teachers to classes", "只有学校可以为班级指定教师");
  }
  std::map<int64_t, std::string> ids;
  for (const std::string& name : usernames) {
    StatusOr<accounts::User> u = accounts::GetUserByUsername(conn, name);
    if (!u.ok() || u->role != Role::kTeacher || u->disabled ||
        at.school.path.substr(0, u->org_path.size()) != u->org_path || u->org_path.size() < at.school.path.size()) {
      return Field("teachers", "not a teacher of the class's school: " + name, "不是本校教师账号：" + name);
    }
    ids[u->id] = u->username;
  }
  return storage::RunInTransaction(conn, [&](Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("DELETE FROM homework_board_teachers WHERE class_id = $1", {class_id}));
    for (const auto& [id, name] : ids) {
      RETURN_IF_ERROR(tx.Execute("INSERT INTO homework_board_teachers (class_id, user_id, username) VALUES ($1, $2, $3)",
                                 {class_id, id, name}));
    }
    return ledger::AppendAudit(tx,
                               {.actor_user_id = who.user_id,
                                .actor = who.username,
                                .action = "homework_board.teachers.set",
                                .entity = "class",
                                .entity_id = std::to_string(class_id),
                                .after = nlohmann::json(usernames).dump()},
                               *options_.clock);
  });
}

StatusOr<PublicPage> Board::PublicView(Connection& conn, std::string_view token, std::optional<Date> day) {
  const Status unknown = NotFoundError("no class page at this link (it may have been replaced)",
                                       "没有该班级的作业公示页面（链接可能已更换）");
  if (token.size() != 32) return unknown;
  ASSIGN_OR_RETURN(ResultSet rs, conn.Query("SELECT class_id FROM homework_board_links WHERE token = $1",
                                            {std::string(token)}));
  if (rs.empty()) return unknown;
  ASSIGN_OR_RETURN(std::optional<registry::Class> cls, registry::LookupClassUnscoped(conn, rs.GetInt(0, 0)));
  if (!cls) return unknown;
  ASSIGN_OR_RETURN(std::optional<registry::Org> school, registry::LookupOrgUnscoped(conn, cls->school_id));
  if (!school) return unknown;
  PublicPage page;
  page.school_name = school->name;
  page.class_name = cls->name;
  page.grade = cls->grade;
  page.today = options_.compliance ? options_.compliance->Today() : Date::FromDaysSinceEpoch(0);
  const Date shown = day.value_or(page.today);
  const Date monday = shown.AddDays(1 - shown.IsoWeekday());
  ASSIGN_OR_RETURN(std::vector<Entry> week, ReadEntries(conn, cls->id, monday, monday.AddDays(6)));
  std::map<int32_t, std::vector<Entry>> by_day;
  for (Entry& e : week) {
    e.entered_by.clear();  // no names of people on the public page
    by_day[e.date.DaysSinceEpoch()].push_back(std::move(e));
  }
  int written_sum = 0;
  for (auto& [d, entries] : by_day) {
    PublicDay pd = DayOf(Date::FromDaysSinceEpoch(d), std::move(entries));
    written_sum += pd.written_minutes;
    page.week.push_back(std::move(pd));
  }
  page.day = DayOf(shown, {});
  for (const PublicDay& pd : page.week) {
    if (pd.date == shown) page.day = pd;
  }
  page.week_average_written = page.week.empty() ? 0 : static_cast<double>(written_sum) / page.week.size();
  page.norm = school->stage ? NormFor(registry::StageName(*school->stage), cls->grade, shown) : std::nullopt;
  return page;
}

}  // namespace edugov::homework_board
