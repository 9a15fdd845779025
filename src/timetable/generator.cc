#include "timetable/generator.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/random.h"
#include "common/yaml_error.h"

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

StatusOr<Curriculum> ParseCurriculum(const std::string& text, const std::string& file) {
  // yaml-cpp throws; convert here so no exception leaves the module. `field`
  // and `at` say what was being read, for errors without a position.
  std::string field = "(document)";
  YAML::Mark at = YAML::Mark::null_mark();
  const auto enter = [&](std::string f, const YAML::Node& n) {
    field = std::move(f);
    if (n.IsDefined() && !n.Mark().is_null()) at = n.Mark();
  };
  const auto bad = [&](const YAML::Node& n, const std::string& f, const std::string& en, const std::string& zh) {
    const YAML::Mark m = n.IsDefined() && !n.Mark().is_null() ? n.Mark() : at;
    return Status(StatusCode::kInvalidArgument, YamlWhereEn(file, m) + ": " + f + ": " + en,
                  YamlWhereZh(file, m) + "：" + f + "：" + zh, f);
  };
  try {
    YAML::Node root = YAML::Load(text);
    Curriculum c;
    c.name = root["name"].as<std::string>("");
    enter("selection_grades", root["selection_grades"]);
    if (root["selection_grades"])
      for (const auto& g : root["selection_grades"]) c.selection_grades.push_back(g.as<int>());
    if (!root["subjects"] || !root["subjects"].IsSequence()) {
      return bad(root["subjects"], "subjects", "a list of subjects is required", "须为科目列表");
    }
    for (const YAML::Node& s : root["subjects"]) {
      const std::string f = "subjects[" + std::to_string(c.subjects.size()) + "]";
      enter(f, s);
      CurriculumSubject cs;
      cs.name = s["name"].as<std::string>();
      cs.main = s["main"].as<bool>(false);
      cs.elective = s["elective"].as<std::string>("");
      if (!cs.elective.empty() && cs.elective != "first" && cs.elective != "second") {
        return bad(s["elective"], f + ".elective", "must be first or second (" + cs.name + ")",
                   "只能是 first 或 second（" + cs.name + "）");
      }
      auto room = ParseRoomKind(s["room"].as<std::string>("ordinary"));
      if (!room.ok()) return bad(s["room"], f + ".room", room.status().message_en(), room.status().message_zh());
      cs.room = *room;
      enter(f + ".per_grade", s["per_grade"]);
      for (const auto& kv : s["per_grade"]) {
        int g = kv.first.as<int>(), n = kv.second.as<int>();
        if (g < 1 || g > 12 || n < 0) {
          return bad(kv.first, f + ".per_grade", "grade must be 1–12 and the count not negative (" + cs.name + ")",
                     "年级须为 1–12、课时不得为负（" + cs.name + "）");
        }
        if (n > 0) cs.per_grade[g] = n;
      }
      c.subjects.push_back(std::move(cs));
    }
    return c;
  } catch (const YAML::Exception& e) {
    return YamlError(file, e, field, at);
  }
}

StatusOr<Curriculum> LoadCurriculum(const std::string& path) {
  std::ifstream f(path);
  if (!f) return Status(StatusCode::kNotFound, "cannot open " + path, "无法打开文件 " + path, path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ParseCurriculum(ss.str(), path);
}

Status CheckPlanNorms(const PlanNorms& n) {
  struct Need {
    NormCheck check;
    const char* field;
    int value;
  };
  const Need needs[] = {
      {NormCheck::kFirstLesson, "first_lesson_primary", n.first_lesson_primary},
      {NormCheck::kFirstLesson, "first_lesson_junior", n.first_lesson_junior},
      {NormCheck::kBreaks, "min_break_minutes", n.min_break_minutes},
      {NormCheck::kNoonRest, "min_noon_minutes", n.min_noon_minutes},
      {NormCheck::kPeWeekly, "pe_grades_1_2", n.pe_grades_1_2},
      {NormCheck::kPeWeekly, "pe_grades_3_6", n.pe_grades_3_6},
      {NormCheck::kPeWeekly, "pe_junior", n.pe_junior},
      {NormCheck::kPeWeekly, "pe_senior", n.pe_senior},
      {NormCheck::kEyeExercises, "eye_exercises_per_day", n.eye_exercises_per_day},
      {NormCheck::kLongBreak, "long_breaks_per_day", n.long_breaks_per_day},
  };
  for (const Need& need : needs) {
    if (!n.Judges(need.check) || need.value != PlanNorms::kUnset) continue;
    const std::string check(NormCheckId(need.check));
    return Status(StatusCode::kInvalidArgument,
                  "plan norm " + check + " is judged but its threshold " + need.field + " is not set",
                  "课表规范 " + check + " 缺少阈值 " + need.field, need.field);
  }
  return OkStatus();
}

StatusOr<Instance> GenerateSchool(const GeneratorParams& gp, const Curriculum& cur) {
  if (gp.classes < 1) return InvalidArgumentError("classes must be >= 1", "班级数必须 >= 1");
  if (gp.stage == Stage::kUnknown) return InvalidArgumentError("unknown stage", "未知学段");
  const bool primary = gp.stage == Stage::kPrimary;
  const bool senior = gp.stage == Stage::kSenior;
  const PlanNorms& norms = gp.norms;
  RETURN_IF_ERROR(CheckPlanNorms(norms));
  bool judges = false;
  for (const std::string& c : norms.clauses) judges |= !c.empty();
  if (!judges) {
    return Status(StatusCode::kInvalidArgument,
                  "the plan norms judge nothing: fill them from the policy pack's timetable_norms",
                  "课表规范为空：须从政策包的 timetable_norms 读取", "norms");
  }
  SplitMix64 rng(gp.seed);
  Instance in;
  in.name = std::string(primary ? "示例小学 generated primary" : senior ? "示例高中 generated senior"
                                                                      : "示例初中 generated junior") + " (" +
            std::to_string(gp.classes) + " classes, seed " + std::to_string(gp.seed) + ")";
  in.days = {"周一", "周二", "周三", "周四", "周五"};
  // Bell schedule templates with 15-minute breaks and a long noon rest;
  // 大课间 after period 2 and eye exercises after periods 3 and 5 are
  // reserved slots.
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
    if (senior) bells.push_back({"第8节", Minutes(17, 5), Minutes(17, 50), false});
  }
  // A first-lesson norm later than the template's first bell moves the whole
  // day later, so the school meets the norm it is generated with.
  const int earliest = primary ? norms.first_lesson_primary : norms.first_lesson_junior;
  if (norms.Judges(NormCheck::kFirstLesson) && earliest > bells.front().start) {
    const int shift = earliest - bells.front().start;
    for (Bell& b : bells) b.start += shift, b.end += shift;
  }
  for (size_t p = 0; p < bells.size(); ++p) {
    // Reserved slots get distinct names so FET export stays unambiguous.
    std::string name = bells[p].name;
    if (bells[p].reserved && name == "眼保健操") name += p < 6 ? "(上午)" : "(下午)";
    in.periods.push_back(Period{name, bells[p].start, bells[p].end});
    if (bells[p].reserved) in.bell.fixed_periods.push_back(static_cast<int>(p));
  }
  in.bell.enabled = true;
  if (norms.Judges(NormCheck::kFirstLesson)) {
    in.bell.first_lesson_not_before = earliest;
    in.bell.first_lesson_clause = norms.Clause(NormCheck::kFirstLesson);
  }
  if (norms.Judges(NormCheck::kBreaks)) {
    in.bell.min_break_minutes = norms.min_break_minutes;
    in.bell.break_clause = norms.Clause(NormCheck::kBreaks);
  }
  if (norms.Judges(NormCheck::kNoonRest)) {
    in.bell.min_noon_minutes = norms.min_noon_minutes;
    in.bell.noon_clause = norms.Clause(NormCheck::kNoonRest);
  }
  in.bell.reserved_clause = norms.Clause(NormCheck::kReservedPeriods);
  in.bell.morning_periods = 6;  // periods 0..5 are the morning in both schedules
  const int ppd = in.periods_per_day();

  // Classes, evenly over the grades.
  const int first_grade = primary ? 1 : senior ? 10 : 7, num_grades = primary ? 6 : 3;
  const int per_class = gp.students > 0 ? std::max(1, gp.students / gp.classes) : 45;
  auto selects = [&](int grade) {
    return senior && std::find(cur.selection_grades.begin(), cur.selection_grades.end(), grade) !=
                         cur.selection_grades.end();
  };
  std::vector<int> firsts, seconds;  // elective subject indices
  for (size_t si = 0; si < cur.subjects.size(); ++si) {
    if (cur.subjects[si].elective == "first") firsts.push_back(static_cast<int>(si));
    if (cur.subjects[si].elective == "second") seconds.push_back(static_cast<int>(si));
  }
  if (senior && (firsts.empty() || seconds.size() < 2)) {
    return InvalidArgumentError("senior curriculum needs first and (at least two) second electives",
                                "高中课程表需要首选科目和至少两门再选科目");
  }
  // combination -> chosen subjects; index = first * C + pair.
  std::vector<std::vector<int>> combos;
  for (int f : firsts)
    for (size_t i = 0; i < seconds.size(); ++i)
      for (size_t j = i + 1; j < seconds.size(); ++j) combos.push_back({f, seconds[i], seconds[j]});
  std::vector<int> class_grade;
  std::vector<std::map<int, int>> class_atoms;  // class -> combination -> atom (selection grades)
  std::vector<int> atom_combo;                  // atom -> combination, -1 for a whole class
  for (int c = 0; c < gp.classes; ++c) {
    int grade = first_grade + c * num_grades / gp.classes;
    int index = 1 + static_cast<int>(std::count(class_grade.begin(), class_grade.end(), grade));
    class_grade.push_back(grade);
    StudentSet s;
    s.name = std::to_string(grade) + "年级" + std::to_string(index) + "班";
    s.grade = grade;
    s.stage = gp.stage;
    s.size = gp.students > 0 ? per_class : per_class - 3 + static_cast<int>(rng.Below(7));
    class_atoms.emplace_back();
    if (selects(grade)) {
      // Each student draws 1 first and 2 second electives (physics-leaning,
      // as in Hunan's first 3+1+2 cohorts); students sharing a class and a
      // combination are one atom.
      std::map<int, int> count;
      for (int st = 0; st < s.size; ++st) {
        int f = rng.Chance(0.6) ? 0 : static_cast<int>(firsts.size() > 1 ? 1 + rng.Below(firsts.size() - 1) : 0);
        size_t pairs = seconds.size() * (seconds.size() - 1) / 2;
        ++count[f * static_cast<int>(pairs) + static_cast<int>(rng.Below(pairs))];
      }
      for (const auto& [combo, n] : count) {
        std::string cname;
        for (int x : combos[combo]) cname += cur.subjects[x].name.substr(0, 3);  // first CJK character
        class_atoms[c][combo] = in.num_subgroups;
        s.subgroups.push_back(in.num_subgroups++);
        in.subgroup_names.push_back(s.name + "·" + cname);
        in.subgroup_sizes.push_back(n);
        atom_combo.push_back(combo);
      }
    } else {
      s.subgroups = {in.num_subgroups++};
      in.subgroup_names.push_back(s.name);
      in.subgroup_sizes.push_back(s.size);
      atom_combo.push_back(-1);
    }
    in.student_sets.push_back(s);
    in.rooms.push_back(Room{s.name + "教室", RoomKind::kOrdinary, per_class + 5});
  }
  for (const CurriculumSubject& cs : cur.subjects) in.subjects.push_back(Subject{cs.name, cs.main});

  // Teaching units: a class taking a common subject, or an elective
  // teaching group (moving class) in a selection grade.
  struct Unit {
    int set;            // student set
    int subject;
    int lessons;
    int home_room;      // the class's own room, or -1: a room of the subject's kind
    std::string norm_for;  // class name the weekly-count norm is reported for
    int block = -1;        // elective time block (grade * 3 + block), -1 none
  };
  std::vector<Unit> units;
  constexpr int kGroupCap = 50;
  // Elective groups of one block meet at the same time, lesson by lesson.
  auto add_block_ties = [&](const std::vector<std::vector<int>>& unit_acts, std::vector<Constraint>* out) {
    std::map<int, std::vector<int>> by_block;
    for (size_t u = 0; u < units.size(); ++u)
      if (units[u].block >= 0) by_block[units[u].block].push_back(static_cast<int>(u));
    for (const auto& [block, us] : by_block) {
      size_t lessons = SIZE_MAX;
      for (int u : us) lessons = std::min(lessons, unit_acts[u].size());
      for (size_t l = 0; l < lessons && us.size() > 1; ++l) {
        Constraint k;
        k.type = ConstraintType::kActivitiesSameStartingTime;
        for (int u : us) k.activities.push_back(unit_acts[u][l]);
        k.source = "elective block " + std::to_string(block / 3) + "年级#" + std::to_string(block % 3) +
                   " lesson " + std::to_string(l + 1) + " (选课走班)";
        out->push_back(std::move(k));
      }
    }
  };
  for (size_t si = 0; si < cur.subjects.size(); ++si) {
    const CurriculumSubject& cs = cur.subjects[si];
    for (int grade = first_grade; grade < first_grade + num_grades; ++grade) {
      const int n = cs.per_grade.count(grade) ? cs.per_grade.at(grade) : 0;
      if (n == 0) continue;
      if (!selects(grade) || cs.elective.empty()) {
        for (int c = 0; c < gp.classes; ++c)
          if (class_grade[c] == grade) units.push_back(Unit{c, static_cast<int>(si), n, c, in.student_sets[c].name, -1});
        continue;
      }
      // Sectioning into time blocks (选课走班): block 0 holds the first
      // elective, blocks 1 and 2 the two second electives (the one earlier in
      // the curriculum goes to block 1). Every student is in exactly one group
      // per block, so a block's groups can all meet at once; packing is
      // first-fit by combination, groups of at most kGroupCap students.
      for (int block = 0; block < 3; ++block) {
        std::vector<int> atoms;
        for (int c = 0; c < gp.classes; ++c) {
          if (class_grade[c] != grade) continue;
          for (const auto& [combo, atom] : class_atoms[c])
            if (combos[combo][block] == static_cast<int>(si)) atoms.push_back(atom);
        }
        if (atoms.empty()) continue;
        std::stable_sort(atoms.begin(), atoms.end(), [&](int a, int b) { return atom_combo[a] < atom_combo[b]; });
        std::vector<std::vector<int>> groups;
        std::vector<int> sizes;
        for (int atom : atoms) {
          size_t g = 0;
          while (g < groups.size() && sizes[g] + in.subgroup_sizes[atom] > kGroupCap) ++g;
          if (g == groups.size()) { groups.emplace_back(); sizes.push_back(0); }
          groups[g].push_back(atom);
          sizes[g] += in.subgroup_sizes[atom];
        }
        for (size_t g = 0; g < groups.size(); ++g) {
          StudentSet set;
          set.name = std::to_string(grade) + "年级" + cs.name + "走班" + std::to_string(block) + "-" +
                     std::to_string(g + 1) + "组";
          set.grade = grade;
          set.stage = gp.stage;
          set.size = sizes[g];
          set.subgroups = groups[g];
          std::sort(set.subgroups.begin(), set.subgroups.end());
          units.push_back(Unit{static_cast<int>(in.student_sets.size()), static_cast<int>(si), n, -1, set.name,
                               grade * 3 + block});
          in.student_sets.push_back(set);
        }
      }
    }
  }

  // Special rooms (and, for moving classes, 走班 rooms): enough that the kind
  // is not the bottleneck, few enough that room clashes matter.
  const int lesson_slots = static_cast<int>(in.days.size()) * (ppd - static_cast<int>(in.bell.fixed_periods.size()));
  std::map<RoomKind, int> demand;
  std::map<int, int> groups_in_block;
  for (const Unit& u : units) {
    if (u.block >= 0) {
      demand[RoomKind::kOrdinary] += u.lessons;  // moving classes use 走班 rooms
      ++groups_in_block[u.block];
    } else if (cur.subjects[u.subject].room != RoomKind::kOrdinary) {
      demand[cur.subjects[u.subject].room] += u.lessons;
    }
  }
  int widest_block = 0;
  for (const auto& [b, n] : groups_in_block) widest_block = std::max(widest_block, n);
  std::map<RoomKind, std::vector<int>> rooms_of_kind;
  for (const auto& [kind, d] : demand) {
    // PE: a playground holds several classes at once, modelled as zones.
    int n = std::max(1, (d * 10 + lesson_slots * 6 - 1) / (lesson_slots * 6));
    // Two grades' widest blocks may meet at once.
    if (kind == RoomKind::kOrdinary) n = std::max(n, 2 * widest_block);
    const char* base = kind == RoomKind::kLab ? "实验室" : kind == RoomKind::kGym ? "操场区域"
                       : kind == RoomKind::kMusic ? "音乐教室" : kind == RoomKind::kComputer ? "计算机教室" : "走班教室";
    for (int i = 0; i < n; ++i) {
      rooms_of_kind[kind].push_back(static_cast<int>(in.rooms.size()));
      in.rooms.push_back(Room{std::string(base) + std::to_string(i + 1), kind, std::max(per_class, kGroupCap) + 5});
    }
  }

  // Teachers: per subject, units dealt out in order with a weekly load cap.
  const int load_cap = primary ? 16 : 14;
  int next_id = 1;
  std::vector<std::vector<int>> unit_acts(units.size());
  for (size_t si = 0; si < cur.subjects.size(); ++si) {
    int teacher = -1, load = 0;
    std::vector<int> teacher_blocks;  // a teacher cannot take two groups that meet at once
    for (size_t u = 0; u < units.size(); ++u) {
      if (units[u].subject != static_cast<int>(si)) continue;
      const int n = units[u].lessons;
      const bool busy = units[u].block >= 0 && std::find(teacher_blocks.begin(), teacher_blocks.end(),
                                                         units[u].block) != teacher_blocks.end();
      if (teacher < 0 || busy || load + n > std::max(load_cap, n)) {
        teacher = static_cast<int>(in.teachers.size());
        in.teachers.push_back(Teacher{cur.subjects[si].name + "老师" + std::to_string(teacher + 1)});
        load = 0;
        teacher_blocks.clear();
      }
      if (units[u].block >= 0) teacher_blocks.push_back(units[u].block);
      load += n;
      for (int l = 0; l < n; ++l) {
        Activity a;
        a.id = next_id++;
        a.group_id = a.id - l;
        a.subject = static_cast<int>(si);
        a.teachers = {teacher};
        a.student_sets = {units[u].set};
        unit_acts[u].push_back(static_cast<int>(in.activities.size()));
        in.activities.push_back(a);
      }
    }
  }
  FinalizeInstance(in);

  auto add = [&](Constraint k) { in.constraints.push_back(std::move(k)); };
  add_block_ties(unit_acts, &in.constraints);
  std::vector<int> morning;
  for (int d = 0; d < static_cast<int>(in.days.size()); ++d)
    for (int p = 0; p < in.bell.morning_periods; ++p) morning.push_back(d * ppd + p);
  for (size_t u = 0; u < units.size(); ++u) {
    const Unit& unit = units[u];
    const CurriculumSubject& cs = cur.subjects[unit.subject];
    const StudentSet& set = in.student_sets[unit.set];
    const auto& acts = unit_acts[u];
    Constraint full;
    full.type = ConstraintType::kWeeklyPeriods;
    full.activities = acts;
    full.value = unit.lessons;
    full.clause = norms.Clause(NormCheck::kCurriculum);
    full.norm = NormCheck::kCurriculum;
    full.source = "plan norm: " + unit.norm_for + " " + cs.name + " in full (" + std::to_string(unit.lessons) + "/week)";
    if (norms.Judges(NormCheck::kCurriculum)) add(full);
    if (cs.name == norms.pe_subject && norms.Judges(NormCheck::kPeWeekly)) {
      Constraint pe = full;
      pe.value = set.grade <= 2 ? norms.pe_grades_1_2 : set.grade <= 6 ? norms.pe_grades_3_6
                                                  : set.grade <= 9 ? norms.pe_junior : norms.pe_senior;
      pe.clause = norms.Clause(NormCheck::kPeWeekly);
      pe.norm = NormCheck::kPeWeekly;
      pe.source = "plan norm: " + unit.norm_for + " PE >= " + std::to_string(pe.value) + "/week";
      add(pe);
    }
    // Rooms by kind: the class's own room, or one of the kind's rooms.
    Constraint room;
    room.type = ConstraintType::kPreferredRooms;
    room.activities = acts;
    room.rooms = unit.block >= 0                                        ? rooms_of_kind[RoomKind::kOrdinary]
                 : unit.home_room >= 0 && cs.room == RoomKind::kOrdinary ? std::vector<int>{unit.home_room}
                                                                         : rooms_of_kind[cs.room];
    room.source = cs.name + " in a " + std::string(RoomKindName(cs.room)) + " room";
    add(room);
    // Spread over the week where the count allows (soft, FET's min days).
    if (acts.size() >= 2 && acts.size() <= in.days.size()) {
      Constraint spread;
      spread.type = ConstraintType::kMinDaysBetweenActivities;
      spread.activities = acts;
      spread.value = 1;
      spread.weight = 95;
      spread.source = unit.norm_for + " " + cs.name + " spread over the week";
      add(spread);
    }
    if (cs.main) {
      Constraint am;
      am.type = ConstraintType::kPreferredTimeSlots;
      am.activities = acts;
      am.slots = morning;
      am.weight = 50;
      am.source = unit.norm_for + " " + cs.name + " in the morning";
      add(am);
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
