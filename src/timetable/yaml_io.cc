#include "timetable/yaml_io.h"

#include <cstdio>
#include <exception>

#include <yaml-cpp/yaml.h>

#include "common/yaml_error.h"

namespace edugov::timetable {
namespace {

std::string Clock(int m) {
  if (m < 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
  return buf;
}
int ParseClock(const std::string& s) {
  int h = 0, m = 0;
  if (s.empty() || std::sscanf(s.c_str(), "%d:%d", &h, &m) != 2) return -1;
  return h * 60 + m;
}

void Ints(YAML::Emitter& e, const char* key, const std::vector<int>& v) {
  if (v.empty()) return;
  e << YAML::Key << key << YAML::Value << YAML::Flow << v;
}

const ConstraintType kAllTypes[] = {
    ConstraintType::kActivitiesNotOverlapping, ConstraintType::kActivitiesSameStartingTime,
    ConstraintType::kPreferredStartingTimes, ConstraintType::kPreferredTimeSlots,
    ConstraintType::kNotAvailableTimes, ConstraintType::kMinDaysBetweenActivities,
    ConstraintType::kTwoActivitiesConsecutive, ConstraintType::kActivitiesEndStudentsDay,
    ConstraintType::kTeachersMaxHoursDaily, ConstraintType::kTeachersMaxHoursContinuously,
    ConstraintType::kStudentsMaxHoursDaily, ConstraintType::kStudentsMaxHoursContinuously,
    ConstraintType::kTeachersMaxGapsPerDay, ConstraintType::kPreferredRooms, ConstraintType::kWeeklyPeriods,
    ConstraintType::kTeachersMaxGapsPerWeek, ConstraintType::kStudentsMaxGapsPerWeek,
    ConstraintType::kStudentsMaxGapsPerDay, ConstraintType::kTeachersMinHoursDaily,
    ConstraintType::kStudentsMinHoursDaily, ConstraintType::kTeachersMaxDaysPerWeek,
    ConstraintType::kStudentsEarlyMaxBeginningsAtSecondHour, ConstraintType::kRoomNotAvailableTimes,
    ConstraintType::kActivitiesGrouped, ConstraintType::kActivitiesSameStartingDay,
    ConstraintType::kActivitiesOccupyMaxTimeSlotsFromSelection, ConstraintType::kTeachersIntervalMaxDaysPerWeek,
    ConstraintType::kStudentsIntervalMaxDaysPerWeek, ConstraintType::kTeachersMinDaysPerWeek,
    ConstraintType::kMinGapsBetweenActivities, ConstraintType::kActivitiesSameStartingHour};

// A value yaml-cpp read but the model refuses: the field and, when known,
// where the offending node is.
class Bad : public std::exception {
 public:
  explicit Bad(std::string field, YAML::Mark mark = YAML::Mark::null_mark())
      : field_(std::move(field)), mark_(mark) {}
  const char* what() const noexcept override { return field_.c_str(); }
  const std::string& field() const { return field_; }
  const YAML::Mark& mark() const { return mark_; }

 private:
  std::string field_;
  YAML::Mark mark_;
};

std::vector<int> Indices(const YAML::Node& n, size_t limit, const std::string& field) {
  std::vector<int> v;
  if (!n) return v;
  for (const auto& x : n) {
    int i = x.as<int>();
    if (i < 0 || static_cast<size_t>(i) >= limit) throw Bad(field, x.Mark());
    v.push_back(i);
  }
  return v;
}

}  // namespace

std::string InstanceToYaml(const Instance& in) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << in.name;
  e << YAML::Key << "days" << YAML::Value << YAML::Flow << in.days;
  e << YAML::Key << "periods" << YAML::Value << YAML::BeginSeq;
  for (const Period& p : in.periods)
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << p.name << YAML::Key << "start"
      << YAML::Value << Clock(p.start_minute) << YAML::Key << "end" << YAML::Value << Clock(p.end_minute)
      << YAML::EndMap;
  e << YAML::EndSeq;
  if (in.bell.enabled) {
    e << YAML::Key << "bell" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "first_lesson_not_before" << YAML::Value << Clock(in.bell.first_lesson_not_before);
    e << YAML::Key << "min_break_minutes" << YAML::Value << in.bell.min_break_minutes;
    e << YAML::Key << "min_noon_minutes" << YAML::Value << in.bell.min_noon_minutes;
    e << YAML::Key << "morning_periods" << YAML::Value << in.bell.morning_periods;
    e << YAML::Key << "fixed_periods" << YAML::Value << YAML::Flow << in.bell.fixed_periods;
    const std::pair<const char*, const std::string*> clauses[] = {
        {"first_lesson_clause", &in.bell.first_lesson_clause},
        {"break_clause", &in.bell.break_clause},
        {"noon_clause", &in.bell.noon_clause},
        {"reserved_clause", &in.bell.reserved_clause}};
    for (const auto& [key, clause] : clauses)
      if (!clause->empty()) e << YAML::Key << key << YAML::Value << *clause;
    e << YAML::EndMap;
  }
  e << YAML::Key << "teachers" << YAML::Value << YAML::BeginSeq;
  for (const Teacher& t : in.teachers) e << t.name;
  e << YAML::EndSeq;
  e << YAML::Key << "subjects" << YAML::Value << YAML::BeginSeq;
  for (const Subject& s : in.subjects)
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.name << YAML::Key << "main"
      << YAML::Value << s.main << YAML::EndMap;
  e << YAML::EndSeq;
  e << YAML::Key << "tags" << YAML::Value << YAML::Flow << in.tags;
  e << YAML::Key << "rooms" << YAML::Value << YAML::BeginSeq;
  for (const Room& r : in.rooms)
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << r.name << YAML::Key << "kind"
      << YAML::Value << std::string(RoomKindName(r.kind)) << YAML::Key << "capacity" << YAML::Value << r.capacity
      << YAML::EndMap;
  e << YAML::EndSeq;
  e << YAML::Key << "subgroups" << YAML::Value << YAML::BeginSeq;
  for (int g = 0; g < in.num_subgroups; ++g) {
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << in.subgroup_names[g];
    if (g < static_cast<int>(in.subgroup_sizes.size())) e << YAML::Key << "size" << YAML::Value << in.subgroup_sizes[g];
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
  e << YAML::Key << "student_sets" << YAML::Value << YAML::BeginSeq;
  for (const StudentSet& s : in.student_sets) {
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.name << YAML::Key << "grade"
      << YAML::Value << s.grade << YAML::Key << "stage" << YAML::Value << std::string(StageName(s.stage))
      << YAML::Key << "size" << YAML::Value << s.size;
    Ints(e, "subgroups", s.subgroups);
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
  e << YAML::Key << "activities" << YAML::Value << YAML::BeginSeq;
  for (const Activity& a : in.activities) {
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "id" << YAML::Value << a.id << YAML::Key << "group"
      << YAML::Value << a.group_id << YAML::Key << "duration" << YAML::Value << a.duration << YAML::Key
      << "subject" << YAML::Value << a.subject;
    Ints(e, "teachers", a.teachers);
    Ints(e, "student_sets", a.student_sets);
    Ints(e, "tags", a.tags);
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
  e << YAML::Key << "constraints" << YAML::Value << YAML::BeginSeq;
  for (const Constraint& k : in.constraints) {
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "type" << YAML::Value << std::string(ConstraintTypeName(k.type))
      << YAML::Key << "weight" << YAML::Value << k.weight;
    Ints(e, "activities", k.activities);
    Ints(e, "slots", k.slots);
    Ints(e, "teachers", k.teachers);
    Ints(e, "student_sets", k.student_sets);
    Ints(e, "rooms", k.rooms);
    if (k.tag >= 0) e << YAML::Key << "tag" << YAML::Value << k.tag;
    if (k.value) e << YAML::Key << "value" << YAML::Value << k.value;
    if (k.consecutive_if_same_day) e << YAML::Key << "consecutive_if_same_day" << YAML::Value << true;
    if (!k.allow_empty_days) e << YAML::Key << "allow_empty_days" << YAML::Value << false;
    if (k.interval_end > 0) {
      e << YAML::Key << "interval_begin" << YAML::Value << k.interval_begin;
      e << YAML::Key << "interval_end" << YAML::Value << k.interval_end;
    }
    if (!k.source.empty()) e << YAML::Key << "source" << YAML::Value << k.source;
    if (!k.clause.empty()) e << YAML::Key << "clause" << YAML::Value << k.clause;
    if (k.norm) e << YAML::Key << "norm" << YAML::Value << std::string(NormCheckId(*k.norm));
    e << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

StatusOr<Instance> InstanceFromYaml(const std::string& text, const std::string& file) {
  // What is being read, for errors yaml-cpp gives no position for (a
  // missing key) and for values the model refuses.
  std::string field = "(document)";
  YAML::Mark at = YAML::Mark::null_mark();
  const auto enter = [&](std::string f, const YAML::Node& n) {
    field = std::move(f);
    if (n.IsDefined() && !n.Mark().is_null()) at = n.Mark();
  };
  try {
    YAML::Node root = YAML::Load(text);
    Instance in;
    in.name = root["name"].as<std::string>("");
    enter("days", root["days"]);
    for (const auto& d : root["days"]) in.days.push_back(d.as<std::string>());
    enter("periods", root["periods"]);
    for (const auto& p : root["periods"]) {
      enter("periods[" + std::to_string(in.periods.size()) + "]", p);
      in.periods.push_back(Period{p["name"].as<std::string>(), ParseClock(p["start"].as<std::string>("")),
                                  ParseClock(p["end"].as<std::string>(""))});
    }
    if (in.days.empty() || in.periods.empty()) throw Bad("days/periods");
    if (const YAML::Node b = root["bell"]) {
      enter("bell", b);
      in.bell.enabled = true;
      in.bell.first_lesson_not_before = ParseClock(b["first_lesson_not_before"].as<std::string>(""));
      in.bell.min_break_minutes = b["min_break_minutes"].as<int>(0);
      in.bell.min_noon_minutes = b["min_noon_minutes"].as<int>(0);
      in.bell.morning_periods = b["morning_periods"].as<int>(0);
      in.bell.first_lesson_clause = b["first_lesson_clause"].as<std::string>("");
      in.bell.break_clause = b["break_clause"].as<std::string>("");
      in.bell.noon_clause = b["noon_clause"].as<std::string>("");
      in.bell.reserved_clause = b["reserved_clause"].as<std::string>("");
      in.bell.fixed_periods = Indices(b["fixed_periods"], in.periods.size(), "bell.fixed_periods");
    }
    enter("teachers", root["teachers"]);
    for (const auto& t : root["teachers"]) {
      enter("teachers[" + std::to_string(in.teachers.size()) + "]", t);
      in.teachers.push_back(Teacher{t.as<std::string>()});
    }
    enter("subjects", root["subjects"]);
    for (const auto& s : root["subjects"]) {
      enter("subjects[" + std::to_string(in.subjects.size()) + "]", s);
      in.subjects.push_back(Subject{s["name"].as<std::string>(), s["main"].as<bool>(false)});
    }
    enter("tags", root["tags"]);
    for (const auto& t : root["tags"]) in.tags.push_back(t.as<std::string>());
    enter("rooms", root["rooms"]);
    for (const auto& r : root["rooms"]) {
      enter("rooms[" + std::to_string(in.rooms.size()) + "]", r);
      Room room{r["name"].as<std::string>(), RoomKind::kOrdinary, r["capacity"].as<int>(0)};
      std::string kind = r["kind"].as<std::string>("ordinary");
      bool known = false;
      for (RoomKind k : {RoomKind::kOrdinary, RoomKind::kLab, RoomKind::kGym, RoomKind::kMusic, RoomKind::kComputer})
        if (RoomKindName(k) == kind) { room.kind = k; known = true; }
      if (!known) throw Bad("rooms[" + std::to_string(in.rooms.size()) + "].kind", r["kind"].Mark());
      in.rooms.push_back(room);
    }
    enter("subgroups", root["subgroups"]);
    for (const auto& g : root["subgroups"]) {
      enter("subgroups[" + std::to_string(in.subgroup_names.size()) + "]", g);
      in.subgroup_names.push_back(g["name"].as<std::string>());
      in.subgroup_sizes.push_back(g["size"].as<int>(0));
    }
    in.num_subgroups = static_cast<int>(in.subgroup_names.size());
    for (const auto& s : root["student_sets"]) {
      std::string f = "student_sets[" + std::to_string(in.student_sets.size()) + "]";
      enter(f, s);
      StudentSet set;
      set.name = s["name"].as<std::string>();
      set.grade = s["grade"].as<int>(0);
      std::string stage = s["stage"].as<std::string>("unknown");
      for (Stage st : {Stage::kPrimary, Stage::kJunior, Stage::kSenior})
        if (StageName(st) == stage) set.stage = st;
      set.size = s["size"].as<int>(0);
      set.subgroups = Indices(s["subgroups"], in.num_subgroups, f + ".subgroups");
      in.student_sets.push_back(set);
    }
    for (const auto& a : root["activities"]) {
      std::string f = "activities[" + std::to_string(in.activities.size()) + "]";
      enter(f, a);
      Activity act;
      act.id = a["id"].as<int>();
      act.group_id = a["group"].as<int>(0);
      act.duration = a["duration"].as<int>(1);
      if (act.duration < 1 || act.duration > in.periods_per_day()) throw Bad(f + ".duration");
      act.subject = a["subject"].as<int>(-1);
      if (act.subject >= static_cast<int>(in.subjects.size())) throw Bad(f + ".subject");
      act.teachers = Indices(a["teachers"], in.teachers.size(), f + ".teachers");
      act.student_sets = Indices(a["student_sets"], in.student_sets.size(), f + ".student_sets");
      act.tags = Indices(a["tags"], in.tags.size(), f + ".tags");
      in.activities.push_back(act);
    }
    FinalizeInstance(in);
    for (const auto& c : root["constraints"]) {
      std::string f = "constraints[" + std::to_string(in.constraints.size()) + "]";
      enter(f, c);
      Constraint k;
      std::string type = c["type"].as<std::string>();
      bool known = false;
      for (ConstraintType t : kAllTypes)
        if (ConstraintTypeName(t) == type) { k.type = t; known = true; }
      if (!known) throw Bad(f + ".type", c["type"].Mark());
      k.weight = c["weight"].as<double>(100);
      k.activities = Indices(c["activities"], in.activities.size(), f + ".activities");
      k.slots = Indices(c["slots"], in.num_slots(), f + ".slots");
      k.teachers = Indices(c["teachers"], in.teachers.size(), f + ".teachers");
      k.student_sets = Indices(c["student_sets"], in.student_sets.size(), f + ".student_sets");
      k.rooms = Indices(c["rooms"], in.rooms.size(), f + ".rooms");
      k.tag = c["tag"].as<int>(-1);
      k.value = c["value"].as<int>(0);
      k.consecutive_if_same_day = c["consecutive_if_same_day"].as<bool>(false);
      k.allow_empty_days = c["allow_empty_days"].as<bool>(true);
      k.interval_begin = c["interval_begin"].as<int>(0);
      k.interval_end = c["interval_end"].as<int>(0);
      if (k.interval_begin < 0 || k.interval_end < k.interval_begin || k.interval_end > in.periods_per_day())
        throw Bad(f + ".interval_end");
      k.source = c["source"].as<std::string>("");
      k.clause = c["clause"].as<std::string>("");
      if (const YAML::Node norm = c["norm"]) {
        k.norm = NormCheckFromId(norm.as<std::string>(""));
        if (!k.norm) throw Bad(f + ".norm");
      }
      if (k.type == ConstraintType::kTwoActivitiesConsecutive && k.activities.size() != 2) throw Bad(f + ".activities");
      if (k.type == ConstraintType::kActivitiesGrouped && (k.activities.size() < 2 || k.activities.size() > 3))
        throw Bad(f + ".activities");
      in.constraints.push_back(k);
    }
    return in;
  } catch (const Bad& b) {
    const YAML::Mark& m = b.mark().is_null() ? at : b.mark();
    return Status(StatusCode::kInvalidArgument, YamlWhereEn(file, m) + ": " + b.field() + ": invalid value",
                  YamlWhereZh(file, m) + "：" + b.field() + "：取值无效", b.field());
  } catch (const YAML::Exception& e) {
    return YamlError(file, e, field, at);
  } catch (const std::exception&) {
    return Status(StatusCode::kInvalidArgument, YamlWhereEn(file, at) + ": " + field + ": invalid value",
                  YamlWhereZh(file, at) + "：" + field + "：取值无效", field);
  }
}

}  // namespace edugov::timetable
