#include "timetable/generator.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/random.h"

namespace edugov::timetable {
namespace {

StatusOr<RoomKind> ParseRoomKind(const std::string& s) {
  for (RoomKind k : {RoomKind::kOrdinary, RoomKind::kLab, RoomKind::kGym, RoomKind::kMusic, RoomKind::kComputer})
    if (RoomKindName(k) == s) return k;
  return InvalidArgumentError("unknown room kind '" + s + "'", "未知的教室类型“" + s + "”");
}

int Minutes(int h, int m) { return h * 60 + m; }

// One bell period: a lesson or a reserved slot.
struct Bell {
  const char* name;
  int start, end;
  bool reserved;
};

}  // namespace

StatusOr<Curriculum> ParseCurriculum(const std::string& text) {
  // yaml-cpp throws; convert here so no exception leaves the module.
  try {
    YAML::Node root = YAML::Load(text);
    Curriculum c;
    c.name = root["name"].as<std::string>("");
    if (!root["subjects"] || !root["subjects"].IsSequence()) {
      return Status(StatusCode::kInvalidArgument, "curriculum: no 'subjects' list", "课程表：缺少 subjects 列表",
                    "subjects");
    }
    for (const YAML::Node& s : root["subjects"]) {
      CurriculumSubject cs;
      cs.name = s["name"].as<std::string>();
      cs.main = s["main"].as<bool>(false);
      ASSIGN_OR_RETURN(cs.room, ParseRoomKind(s["room"].as<std::string>("ordinary")));
      for (const auto& kv : s["per_grade"]) {
        int g = kv.first.as<int>(), n = kv.second.as<int>();
        if (g < 1 || g > 12 || n < 0) {
          return Status(StatusCode::kInvalidArgument, "curriculum: bad grade/count for " + cs.name,
                        "课程表：" + cs.name + " 的年级或课时无效", cs.name);
        }
        if (n > 0) cs.per_grade[g] = n;
      }
      c.subjects.push_back(std::move(cs));
    }
    return c;
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("curriculum YAML: ") + e.what(),
                                std::string("课程表 YAML 解析失败：") + e.what());
  }
}

StatusOr<Curriculum> LoadCurriculum(const std::string& path) {
  std::ifstream f(path);
  if (!f) return Status(StatusCode::kNotFound, "cannot open " + path, "无法打开文件 " + path, path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ParseCurriculum(ss.str());
}

StatusOr<Instance> GenerateSchool(const GeneratorParams& gp, const Curriculum& cur) {
  if (gp.classes < 1) return InvalidArgumentError("classes must be >= 1", "班级数必须 >= 1");
  if (gp.stage == Stage::kSenior || gp.stage == Stage::kUnknown) {
    return FailedPreconditionError("senior-school generation (3+1+2 sectioning) is not implemented yet",
                                   "高中（3+1+2 选课走班）生成尚未实现");
  }
  const bool primary = gp.stage == Stage::kPrimary;
  const PlanNorms& norms = gp.norms;
  SplitMix64 rng(gp.seed);
  Instance in;
  in.name = std::string(primary ? "示例小学 generated primary" : "示例初中 generated junior") + " (" +
            std::to_string(gp.classes) + " classes, seed " + std::to_string(gp.seed) + ")";
  in.days = {"周一", "周二", "周三", "周四", "周五"};
  // Bell schedules that meet clause 25 with margin; 大课间 after period 2 and
  // eye exercises after periods 3 and 5 are reserved (clause 26).
  std::vector<Bell> bells;
  if (primary) {
    bells = {{"第1节", Minutes(8, 20), Minutes(9, 0), false},   {"第2节", Minutes(9, 15), Minutes(9, 55), false},
             {"大课间", Minutes(9, 55), Minutes(10, 25), true}, {"第3节", Minutes(10, 25), Minutes(11, 5), false},
             {"眼保健操", Minutes(11, 5), Minutes(11, 10), true}, {"第4节", Minutes(11, 25), Minutes(12, 5), false},
             {"第5节", Minutes(14, 0), Minutes(14, 40), false},  {"眼保健操", Minutes(14, 40), Minutes(14, 45), true},
             {"第6节", Minutes(15, 0), Minutes(15, 40), false}};
  } else {
    bells = {{"第1节", Minutes(8, 0), Minutes(8, 45), false},   {"第2节", Minutes(9, 0), Minutes(9, 45), false},
             {"大课间", Minutes(9, 45), Minutes(10, 15), true}, {"第3节", Minutes(10, 15), Minutes(11, 0), false},
             {"眼保健操", Minutes(11, 0), Minutes(11, 5), true},  {"第4节", Minutes(11, 20), Minutes(12, 5), false},
             {"第5节", Minutes(14, 0), Minutes(14, 45), false},  {"眼保健操", Minutes(14, 45), Minutes(14, 50), true},
             {"第6节", Minutes(15, 5), Minutes(15, 50), false},  {"第7节", Minutes(16, 5), Minutes(16, 50), false}};
  }
  for (size_t p = 0; p < bells.size(); ++p) {
    // Reserved slots get distinct names so FET export stays unambiguous.
    std::string name = bells[p].name;
    if (bells[p].reserved && name == "眼保健操") name += p < 6 ? "(上午)" : "(下午)";
    in.periods.push_back(Period{name, bells[p].start, bells[p].end});
    if (bells[p].reserved) in.bell.fixed_periods.push_back(static_cast<int>(p));
  }
  in.bell.enabled = true;
  in.bell.first_lesson_not_before = primary ? norms.first_lesson_primary : norms.first_lesson_junior;
  in.bell.min_break_minutes = norms.min_break_minutes;
  in.bell.min_noon_minutes = norms.min_noon_minutes;
  in.bell.morning_periods = 6;  // periods 0..5 are the morning in both schedules
  const int ppd = in.periods_per_day();

  // Classes, evenly over the grades.
  const int first_grade = primary ? 1 : 7, num_grades = primary ? 6 : 3;
  const int per_class = gp.students > 0 ? std::max(1, gp.students / gp.classes) : 45;
  std::vector<int> class_grade;
  for (int c = 0; c < gp.classes; ++c) {
    int grade = first_grade + c * num_grades / gp.classes;
    int index = 1 + static_cast<int>(std::count(class_grade.begin(), class_grade.end(), grade));
    class_grade.push_back(grade);
    StudentSet s;
    s.name = std::to_string(grade) + "年级" + std::to_string(index) + "班";
    s.grade = grade;
    s.stage = gp.stage;
    s.size = gp.students > 0 ? per_class : per_class - 3 + static_cast<int>(rng.Below(7));
    s.subgroups = {in.num_subgroups++};
    in.subgroup_names.push_back(s.name);
    in.subgroup_sizes.push_back(s.size);
    in.student_sets.push_back(s);
    in.rooms.push_back(Room{s.name + "教室", RoomKind::kOrdinary, per_class + 5});
  }
  for (const CurriculumSubject& cs : cur.subjects) in.subjects.push_back(Subject{cs.name, cs.main});

  // Special rooms: enough that the kind is not the bottleneck, few enough
  // that room clashes matter.
  const int lesson_slots = static_cast<int>(in.days.size()) * (ppd - static_cast<int>(in.bell.fixed_periods.size()));
  std::map<RoomKind, std::vector<int>> rooms_of_kind;
  for (RoomKind kind : {RoomKind::kLab, RoomKind::kGym, RoomKind::kMusic, RoomKind::kComputer}) {
    int demand = 0;
    for (const CurriculumSubject& cs : cur.subjects)
      if (cs.room == kind)
        for (int g : class_grade) demand += cs.per_grade.count(g) ? cs.per_grade.at(g) : 0;
    if (demand == 0) continue;
    // PE: a playground holds several classes at once, modelled as zones.
    int n = std::max(1, (demand * 10 + lesson_slots * 6 - 1) / (lesson_slots * 6));
    const char* base = kind == RoomKind::kLab ? "实验室" : kind == RoomKind::kGym ? "操场区域"
                       : kind == RoomKind::kMusic ? "音乐教室" : "计算机教室";
    for (int i = 0; i < n; ++i) {
      rooms_of_kind[kind].push_back(static_cast<int>(in.rooms.size()));
      in.rooms.push_back(Room{std::string(base) + std::to_string(i + 1), kind, per_class + 5});
    }
  }

  // Teachers: per subject, classes of the stage dealt out in order with a
  // weekly load cap (main subjects: 2 classes, others by load).
  const int load_cap = primary ? 16 : 14;
  int next_id = 1;
  std::vector<std::vector<int>> class_subject_acts(gp.classes * cur.subjects.size());
  for (size_t si = 0; si < cur.subjects.size(); ++si) {
    const CurriculumSubject& cs = cur.subjects[si];
    int teacher = -1, load = 0;
    for (int c = 0; c < gp.classes; ++c) {
      int n = cs.per_grade.count(class_grade[c]) ? cs.per_grade.at(class_grade[c]) : 0;
      if (n == 0) continue;
      if (teacher < 0 || load + n > std::max(load_cap, n)) {
        teacher = static_cast<int>(in.teachers.size());
        in.teachers.push_back(Teacher{cs.name + "老师" + std::to_string(teacher + 1)});
        load = 0;
      }
      load += n;
      for (int l = 0; l < n; ++l) {
        Activity a;
        a.id = next_id++;
        a.group_id = a.id - l;
        a.subject = static_cast<int>(si);
        a.teachers = {teacher};
        a.student_sets = {c};
        class_subject_acts[c * cur.subjects.size() + si].push_back(static_cast<int>(in.activities.size()));
        in.activities.push_back(a);
      }
    }
  }
  FinalizeInstance(in);

  auto add = [&](Constraint k) { in.constraints.push_back(std::move(k)); };
  std::vector<int> morning;
  for (int d = 0; d < static_cast<int>(in.days.size()); ++d)
    for (int p = 0; p < in.bell.morning_periods; ++p) morning.push_back(d * ppd + p);
  for (int c = 0; c < gp.classes; ++c) {
    const StudentSet& cls = in.student_sets[c];
    for (size_t si = 0; si < cur.subjects.size(); ++si) {
      const CurriculumSubject& cs = cur.subjects[si];
      const auto& acts = class_subject_acts[c * cur.subjects.size() + si];
      const int need = cs.per_grade.count(cls.grade) ? cs.per_grade.at(cls.grade) : 0;
      if (need == 0) continue;
      Constraint full;
      full.type = ConstraintType::kWeeklyPeriods;
      full.activities = acts;
      full.value = need;
      full.clause = "27";
      full.source = "plan norm: " + cls.name + " " + cs.name + " in full (" + std::to_string(need) + "/week)";
      add(full);
      if (cs.name == norms.pe_subject) {
        Constraint pe = full;
        pe.value = cls.grade <= 2 ? norms.pe_grades_1_2 : cls.grade <= 9 ? norms.pe_grades_3_9 : norms.pe_senior;
        pe.clause = "26";
        pe.source = "plan norm: " + cls.name + " PE >= " + std::to_string(pe.value) + "/week";
        add(pe);
      }
      // Rooms by kind: the class's own room, or one of the special rooms.
      Constraint room;
      room.type = ConstraintType::kPreferredRooms;
      room.activities = acts;
      room.rooms = cs.room == RoomKind::kOrdinary ? std::vector<int>{c} : rooms_of_kind[cs.room];
      room.source = cs.name + " in a " + std::string(RoomKindName(cs.room)) + " room";
      add(room);
      // Spread over the week: lessons of a subject on different days where
      // the count allows (soft), as FET's min-days constraint.
      if (acts.size() >= 2 && acts.size() <= in.days.size()) {
        Constraint spread;
        spread.type = ConstraintType::kMinDaysBetweenActivities;
        spread.activities = acts;
        spread.value = 1;
        spread.weight = 95;
        spread.source = cls.name + " " + cs.name + " spread over the week";
        add(spread);
      }
      if (cs.main) {
        Constraint am;
        am.type = ConstraintType::kPreferredTimeSlots;
        am.activities = acts;
        am.slots = morning;
        am.weight = 50;
        am.source = cls.name + " " + cs.name + " in the morning";
        add(am);
      }
    }
  }
  Constraint daily;
  daily.type = ConstraintType::kTeachersMaxHoursDaily;
  for (int t = 0; t < static_cast<int>(in.teachers.size()); ++t) daily.teachers.push_back(t);
  daily.value = primary ? 5 : 5;
  daily.source = "teachers: at most 5 lessons a day";
  add(daily);
  Constraint cont = daily;
  cont.type = ConstraintType::kTeachersMaxHoursContinuously;
  cont.value = 3;
  cont.source = "teachers: at most 3 lessons in a row";
  add(cont);
  Constraint gaps = daily;
  gaps.type = ConstraintType::kTeachersMaxGapsPerDay;
  gaps.value = 2;
  gaps.weight = 30;
  gaps.source = "teachers: at most 2 idle periods a day (soft)";
  add(gaps);
  return in;
}

}  // namespace edugov::timetable
