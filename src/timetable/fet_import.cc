#include "timetable/fet_import.h"
#include "timetable/internal/xml_error.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <unordered_map>
#include <vector>

#include <pugixml.hpp>

namespace edugov::timetable {
namespace {

// Trims FET's habit of padding names with tabs ("ACT\t\t").
std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

std::string Text(const pugi::xml_node& n, const char* child) {
  return Trim(n.child(child).text().get());
}

class Importer {
 public:
  Importer(std::string_view xml, std::string name) : xml_(xml), name_(std::move(name)) {}

  StatusOr<FetImport> Run() {
    // pugixml expands no DTD entities and parses without recursion, so the
    // bytes bound what a file can cost (about 3× in memory); a real .fet is
    // a few MB (issue 15).
    constexpr size_t kMaxFetBytes = size_t{64} << 20;
    if (xml_.size() > kMaxFetBytes) {
      return Error(0, "the file is " + std::to_string(xml_.size()) + " bytes (limit max_xml_bytes = " +
                          std::to_string(kMaxFetBytes) + ")",
                   "文件大小为 " + std::to_string(xml_.size()) + " 字节（上限 max_xml_bytes = " +
                       std::to_string(kMaxFetBytes) + "）");
    }
    pugi::xml_parse_result res = doc_.load_buffer(xml_.data(), xml_.size());
    if (!res) {
      const internal::TextPosition at = internal::PositionOf(xml_, res.offset);
      const std::string column = std::to_string(at.column);
      return Error(res.offset, "column " + column + ": malformed XML: " + internal::XmlProblemEn(res.status),
                   "第 " + column + " 列：XML 格式错误：" + internal::XmlProblemZh(res.status));
    }
    pugi::xml_node fet = doc_.child("fet");
    if (!fet) return Error(0, "no <fet> root element", "缺少 <fet> 根元素");
    // Every top-level element FET writes (5.x / 6.x, all fet-data examples);
    // anything else is a misspelling or a newer format we would misread.
    static const std::set<std::string> kTopLevel = {
        "Institution_Name", "Comments", "Days_List", "Hours_List", "Subjects_List", "Activity_Tags_List",
        "Teachers_List", "Students_List", "Activities_List", "Buildings_List", "Rooms_List",
        "Time_Constraints_List", "Space_Constraints_List", "Mode", "Number_of_Terms", "Number_of_Days_Per_Term",
        "Timetable_Generation_Options_List", "Exception_Teachers_One_Day_List",
        "Exception_Teachers_Two_Days_List", "Exception_Teachers_Three_Days_List"};
    for (pugi::xml_node n : fet.children()) {
      if (n.type() == pugi::node_element && !kTopLevel.count(n.name())) {
        return Error(n, "unknown element in <fet>", "<fet> 中有未知元素");
      }
    }
    Instance& in = out_.instance;
    in.name = name_;
    for (pugi::xml_node d : fet.child("Days_List").children("Day")) {
      in.days.push_back(Text(d, "Name"));
      day_index_[in.days.back()] = static_cast<int>(in.days.size()) - 1;
    }
    for (pugi::xml_node h : fet.child("Hours_List").children("Hour")) {
      in.periods.emplace_back();
      in.periods.back().name = Text(h, "Name");
      hour_index_[in.periods.back().name] = static_cast<int>(in.periods.size()) - 1;
    }
    if (in.days.empty() || in.periods.empty()) {
      return Error(0, "no days or no hours defined", "未定义上课日或节次");
    }
    for (pugi::xml_node n : fet.child("Subjects_List").children("Subject")) {
      subject_index_[Text(n, "Name")] = static_cast<int>(in.subjects.size());
      in.subjects.emplace_back();
      in.subjects.back().name = Text(n, "Name");
    }
    for (pugi::xml_node n : fet.child("Activity_Tags_List").children("Activity_Tag")) {
      tag_index_[Text(n, "Name")] = static_cast<int>(in.tags.size());
      in.tags.push_back(Text(n, "Name"));
    }
    for (pugi::xml_node n : fet.child("Teachers_List").children("Teacher")) {
      teacher_index_[Text(n, "Name")] = static_cast<int>(in.teachers.size());
      in.teachers.emplace_back();
      in.teachers.back().name = Text(n, "Name");
    }
    for (pugi::xml_node n : fet.child("Rooms_List").children("Room")) {
      Room r;
      r.name = Text(n, "Name");
      r.capacity = n.child("Capacity").text().as_int(0);
      room_index_[r.name] = static_cast<int>(in.rooms.size());
      in.rooms.push_back(std::move(r));
    }
    ReadStudents(fet.child("Students_List"));
    if (Status st = ReadActivities(fet.child("Activities_List")); !st.ok()) return st;
    FinalizeInstance(in);
    out_.locked.placements.assign(in.activities.size(), Placement{});
    if (Status st = ReadConstraints(fet.child("Time_Constraints_List")); !st.ok()) return st;
    if (Status st = ReadConstraints(fet.child("Space_Constraints_List")); !st.ok()) return st;
    ApplyHomeRooms();
    if (!unknown_.empty()) {
      std::string list;
      for (const auto& [type, n] : unknown_) {
        if (!list.empty()) list += ", ";
        list += type + " x" + std::to_string(n);
      }
      return Status(StatusCode::kInvalidArgument,
                    name_ + ": unsupported FET constraint types (not imported): " + list,
                    name_ + "：不支持的 FET 约束类型（未导入）：" + list, "constraints");
    }
    return std::move(out_);
  }

 private:
  // Line numbers by binary search over newline offsets found once: counting
  // from the start for every constraint was quadratic (100 ms on a 400 KB file).
  int LineOf(ptrdiff_t offset) const {
    if (offset < 0) return 0;
    if (newlines_.empty() && !xml_.empty()) {
      for (size_t i = 0; i < xml_.size(); ++i)
        if (xml_[i] == '\n') newlines_.push_back(i);
      newlines_.push_back(xml_.size());  // sentinel, never empty again
    }
    size_t end = std::min(static_cast<size_t>(offset), xml_.size());
    return 1 + static_cast<int>(std::lower_bound(newlines_.begin(), newlines_.end(), end) - newlines_.begin());
  }
  Status Error(ptrdiff_t offset, const std::string& en, const std::string& zh) const {
    std::string line = "line " + std::to_string(LineOf(offset));
    return Status(StatusCode::kInvalidArgument, name_ + ":" + line.substr(5) + ": " + en,
                  name_ + ":第" + line.substr(5) + "行：" + zh, line);
  }
  Status Error(const pugi::xml_node& n, const std::string& en, const std::string& zh) const {
    return Error(n.offset_debug(), "<" + std::string(n.name()) + ">: " + en,
                 "<" + std::string(n.name()) + ">：" + zh);
  }

  // Atomic subgroups: a subgroup, a group without subgroups, or a year
  // without groups. The same name under several parents is one set.
  int AddSet(const std::string& name, int size) {
    auto it = set_index_.find(name);
    if (it != set_index_.end()) return it->second;
    Instance& in = out_.instance;
    int idx = static_cast<int>(in.student_sets.size());
    in.student_sets.emplace_back();
    in.student_sets.back().name = name;
    in.student_sets.back().size = size;
    set_index_[name] = idx;
    return idx;
  }
  int AddAtom(int set) {
    Instance& in = out_.instance;
    if (in.student_sets[set].subgroups.empty()) {
      in.student_sets[set].subgroups.push_back(in.num_subgroups++);
      in.subgroup_names.push_back(in.student_sets[set].name);
      in.subgroup_sizes.push_back(in.student_sets[set].size);
    }
    return in.student_sets[set].subgroups[0];
  }
  void Merge(int into, const std::vector<int>& atoms) {
    auto& v = out_.instance.student_sets[into].subgroups;
    v.insert(v.end(), atoms.begin(), atoms.end());
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  void ReadStudents(const pugi::xml_node& list) {
    for (pugi::xml_node y : list.children("Year")) {
      int ys = AddSet(Text(y, "Name"), y.child("Number_of_Students").text().as_int(0));
      std::vector<int> year_atoms;
      for (pugi::xml_node g : y.children("Group")) {
        int gs = AddSet(Text(g, "Name"), g.child("Number_of_Students").text().as_int(0));
        std::vector<int> group_atoms;
        for (pugi::xml_node s : g.children("Subgroup")) {
          int ss = AddSet(Text(s, "Name"), s.child("Number_of_Students").text().as_int(0));
          group_atoms.push_back(AddAtom(ss));
        }
        if (group_atoms.empty()) group_atoms.push_back(AddAtom(gs));
        else Merge(gs, group_atoms);
        year_atoms.insert(year_atoms.end(), group_atoms.begin(), group_atoms.end());
      }
      if (year_atoms.empty()) AddAtom(ys);
      else Merge(ys, year_atoms);
    }
  }

  template <typename Map>
  StatusOr<int> Lookup(const Map& map, const pugi::xml_node& n, const std::string& key,
                       const char* what_en, const char* what_zh) const {
    auto it = map.find(key);
    if (it == map.end()) {
      return Error(n, std::string("unknown ") + what_en + " '" + key + "'",
                   std::string("未知的") + what_zh + "“" + key + "”");
    }
    return it->second;
  }

  Status ReadActivities(const pugi::xml_node& list) {
    Instance& in = out_.instance;
    for (pugi::xml_node a : list.children("Activity")) {
      if (Text(a, "Active") == "false") {
        ++out_.inactive_activities;
        inactive_ids_.insert(a.child("Id").text().as_int(0));
        continue;
      }
      Activity act;
      act.id = a.child("Id").text().as_int(0);
      act.group_id = a.child("Activity_Group_Id").text().as_int(0);
      act.duration = a.child("Duration").text().as_int(0);
      if (act.duration < 1 || act.duration > in.periods_per_day()) {
        return Error(a, "activity " + std::to_string(act.id) + " has invalid duration '" +
                            Text(a, "Duration") + "' (must be 1.." +
                            std::to_string(in.periods_per_day()) + ")",
                     "活动 " + std::to_string(act.id) + " 的时长“" + Text(a, "Duration") +
                         "”无效（应为 1.." + std::to_string(in.periods_per_day()) + "）");
      }
      if (activity_index_.count(act.id)) {
        return Error(a, "duplicate activity id " + std::to_string(act.id),
                     "活动编号重复：" + std::to_string(act.id));
      }
      for (pugi::xml_node t : a.children("Teacher")) {
        ASSIGN_OR_RETURN(int ti, Lookup(teacher_index_, a, Trim(t.text().get()), "teacher", "教师"));
        act.teachers.push_back(ti);
      }
      if (a.child("Subject")) {
        ASSIGN_OR_RETURN(act.subject, Lookup(subject_index_, a, Text(a, "Subject"), "subject", "科目"));
      }
      for (pugi::xml_node t : a.children("Activity_Tag")) {
        ASSIGN_OR_RETURN(int ti, Lookup(tag_index_, a, Trim(t.text().get()), "activity tag", "活动标签"));
        act.tags.push_back(ti);
      }
      for (pugi::xml_node t : a.children("Students")) {
        ASSIGN_OR_RETURN(int si, Lookup(set_index_, a, Trim(t.text().get()), "students set", "学生组"));
        act.student_sets.push_back(si);
      }
      activity_index_[act.id] = static_cast<int>(in.activities.size());
      in.activities.push_back(std::move(act));
    }
    return OkStatus();
  }

  StatusOr<int> Slot(const pugi::xml_node& n, const char* day_tag, const char* hour_tag) const {
    ASSIGN_OR_RETURN(int d, Lookup(day_index_, n, Text(n, day_tag), "day", "上课日"));
    ASSIGN_OR_RETURN(int h, Lookup(hour_index_, n, Text(n, hour_tag), "hour", "节次"));
    return d * out_.instance.periods_per_day() + h;
  }
  StatusOr<std::vector<int>> Slots(const pugi::xml_node& c, const char* item, const char* day_tag,
                                   const char* hour_tag) const {
    std::vector<int> slots;
    for (pugi::xml_node s : c.children(item)) {
      ASSIGN_OR_RETURN(int slot, Slot(s, day_tag, hour_tag));
      slots.push_back(slot);
    }
    std::sort(slots.begin(), slots.end());
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    return slots;
  }
  StatusOr<std::vector<int>> ActivityIds(const pugi::xml_node& c, const char* tag) const {
    std::vector<int> acts;
    for (pugi::xml_node s : c.children(tag)) {
      int id = s.text().as_int(-1);
      auto it = activity_index_.find(id);
      if (it == activity_index_.end()) {
        // A constraint on an inactive activity is inert in FET; an id that
        // never existed is an error.
        if (inactive_ids_.count(id)) continue;
        return Error(c, "unknown activity id '" + Trim(s.text().get()) + "'",
                     "未知的活动编号“" + Trim(s.text().get()) + "”");
      }
      acts.push_back(it->second);
    }
    return acts;
  }
  // FET's activity filter: every non-empty field must match.
  StatusOr<std::vector<int>> Filter(const pugi::xml_node& c, const char* teacher_tag,
                                    const char* students_tag, const char* subject_tag,
                                    const char* tag_tag, const char* duration_tag) const {
    const Instance& in = out_.instance;
    int teacher = -1, subject = -1, tag = -1, duration = -1;
    std::vector<int> atoms;
    bool by_students = false;
    if (teacher_tag && !Text(c, teacher_tag).empty()) {
      ASSIGN_OR_RETURN(teacher, Lookup(teacher_index_, c, Text(c, teacher_tag), "teacher", "教师"));
    }
    if (students_tag && !Text(c, students_tag).empty()) {
      ASSIGN_OR_RETURN(int s, Lookup(set_index_, c, Text(c, students_tag), "students set", "学生组"));
      atoms = in.student_sets[s].subgroups;
      by_students = true;
    }
    if (subject_tag && !Text(c, subject_tag).empty()) {
      ASSIGN_OR_RETURN(subject, Lookup(subject_index_, c, Text(c, subject_tag), "subject", "科目"));
    }
    if (tag_tag && !Text(c, tag_tag).empty()) {
      ASSIGN_OR_RETURN(tag, Lookup(tag_index_, c, Text(c, tag_tag), "activity tag", "活动标签"));
    }
    if (duration_tag && !Text(c, duration_tag).empty()) {
      duration = c.child(duration_tag).text().as_int(-1);
    }
    std::vector<int> acts;
    for (int i = 0; i < static_cast<int>(in.activities.size()); ++i) {
      const Activity& a = in.activities[i];
      auto has = [](const std::vector<int>& v, int x) {
        return std::find(v.begin(), v.end(), x) != v.end();
      };
      if (teacher >= 0 && !has(a.teachers, teacher)) continue;
      if (subject >= 0 && a.subject != subject) continue;
      if (tag >= 0 && !has(a.tags, tag)) continue;
      if (duration >= 0 && a.duration != duration) continue;
      if (by_students) {
        // FET matches sets that share students, not only the exact name.
        std::vector<int> common;
        std::set_intersection(a.subgroups.begin(), a.subgroups.end(), atoms.begin(), atoms.end(),
                              std::back_inserter(common));
        if (common.empty()) continue;
      }
      acts.push_back(i);
    }
    return acts;
  }

  Status ReadConstraints(const pugi::xml_node& list) {
    Instance& in = out_.instance;
    for (pugi::xml_node c : list.children()) {
      if (c.type() != pugi::node_element) continue;
      const std::string type = c.name();
      if (Text(c, "Active") == "false") {
        ++out_.inactive_constraints;
        continue;
      }
      auto handler = Handler(type);
      if (!handler) {
        ++unknown_[type];
        continue;
      }
      ++out_.constraint_counts[type];
      Constraint k;
      k.weight = c.child("Weight_Percentage").text().as_double(100.0);
      k.source = type + " (line " + std::to_string(LineOf(c.offset_debug())) + ")";
      ASSIGN_OR_RETURN(bool keep, handler(c, k));
      if (!keep) {
        if (type != "ConstraintBasicCompulsoryTime" && type != "ConstraintBasicCompulsorySpace") {
          ++out_.empty_constraints;
        }
        continue;
      }
      if (type.find("HomeRoom") != std::string::npos) home_room_constraints_.push_back(in.constraints.size());
      in.constraints.push_back(std::move(k));
    }
    return OkStatus();
  }

  using Fn = std::function<StatusOr<bool>(const pugi::xml_node&, Constraint&)>;
  Fn Handler(const std::string& type) {
    using T = ConstraintType;
    const Instance& in = out_.instance;
    if (type == "ConstraintBasicCompulsoryTime" || type == "ConstraintBasicCompulsorySpace") {
      // Clashes of teachers, students and rooms: always enforced.
      return [](const pugi::xml_node&, Constraint&) -> StatusOr<bool> { return false; };
    }
    if (type == "ConstraintActivitiesNotOverlapping" ||
        type == "ConstraintActivitiesSameStartingTime") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = type == "ConstraintActivitiesNotOverlapping" ? T::kActivitiesNotOverlapping
                                                              : T::kActivitiesSameStartingTime;
        ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        return k.activities.size() >= 2;
      };
    }
    if (type == "ConstraintMinDaysBetweenActivities") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kMinDaysBetweenActivities;
        ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        k.value = c.child("MinDays").text().as_int(1);
        k.consecutive_if_same_day = Text(c, "Consecutive_If_Same_Day") == "true";
        return k.activities.size() >= 2;
      };
    }
    if (type == "ConstraintTwoActivitiesConsecutive") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kTwoActivitiesConsecutive;
        ASSIGN_OR_RETURN(auto a, ActivityIds(c, "First_Activity_Id"));
        ASSIGN_OR_RETURN(auto b, ActivityIds(c, "Second_Activity_Id"));
        if (a.size() != 1 || b.size() != 1) return false;
        k.activities = {a[0], b[0]};
        return true;
      };
    }
    if (type == "ConstraintActivityPreferredStartingTime") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kPreferredStartingTimes;
        ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        ASSIGN_OR_RETURN(int slot, Slot(c, "Preferred_Day", "Preferred_Hour"));
        k.slots = {slot};
        if (Text(c, "Permanently_Locked") == "true" && k.weight >= 100)
          for (int a : k.activities) out_.locked.placements[a].start = slot;
        return !k.activities.empty();
      };
    }
    if (type == "ConstraintActivityPreferredTimeSlots") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kPreferredTimeSlots;
        ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        ASSIGN_OR_RETURN(k.slots, Slots(c, "Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour"));
        return !k.activities.empty();
      };
    }
    if (type == "ConstraintActivitiesPreferredTimeSlots" ||
        type == "ConstraintActivitiesPreferredStartingTimes") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        ASSIGN_OR_RETURN(k.activities, Filter(c, "Teacher_Name", "Students_Name", "Subject_Name",
                                              "Activity_Tag_Name", "Duration"));
        if (type == "ConstraintActivitiesPreferredTimeSlots") {
          k.type = T::kPreferredTimeSlots;
          ASSIGN_OR_RETURN(k.slots, Slots(c, "Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour"));
        } else {
          k.type = T::kPreferredStartingTimes;
          ASSIGN_OR_RETURN(k.slots, Slots(c, "Preferred_Starting_Time", "Preferred_Starting_Day",
                                          "Preferred_Starting_Hour"));
        }
        return !k.activities.empty();
      };
    }
    if (type == "ConstraintActivitiesEndStudentsDay") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kActivitiesEndStudentsDay;
        ASSIGN_OR_RETURN(k.activities, Filter(c, "Teacher_Name", "Students_Name", "Subject_Name",
                                              "Activity_Tag_Name", nullptr));
        return !k.activities.empty();
      };
    }
    if (type == "ConstraintBreakTimes") {
      return [this, &in](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kNotAvailableTimes;
        ASSIGN_OR_RETURN(k.slots, Slots(c, "Break_Time", "Day", "Hour"));
        for (int i = 0; i < static_cast<int>(in.activities.size()); ++i) k.activities.push_back(i);
        return true;
      };
    }
    if (type == "ConstraintTeacherNotAvailableTimes" ||
        type == "ConstraintStudentsSetNotAvailableTimes") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kNotAvailableTimes;
        if (type == "ConstraintTeacherNotAvailableTimes") {
          ASSIGN_OR_RETURN(k.activities, Filter(c, "Teacher", nullptr, nullptr, nullptr, nullptr));
          ASSIGN_OR_RETURN(int t, Lookup(teacher_index_, c, Text(c, "Teacher"), "teacher", "教师"));
          k.teachers = {t};
        } else {
          ASSIGN_OR_RETURN(k.activities, Filter(c, nullptr, "Students", nullptr, nullptr, nullptr));
          ASSIGN_OR_RETURN(int s, Lookup(set_index_, c, Text(c, "Students"), "students set", "学生组"));
          k.student_sets = {s};
        }
        ASSIGN_OR_RETURN(k.slots, Slots(c, "Not_Available_Time", "Day", "Hour"));
        return !k.activities.empty();
      };
    }
    if (type == "ConstraintTeachersMaxHoursDaily" || type == "ConstraintTeacherMaxHoursDaily" ||
        type == "ConstraintTeachersActivityTagMaxHoursDaily" || type == "ConstraintTeacherActivityTagMaxHoursDaily" ||
        type == "ConstraintTeachersActivityTagMaxHoursContinuously" ||
        type == "ConstraintTeacherActivityTagMaxHoursContinuously" ||
        type == "ConstraintTeachersMaxHoursContinuously" || type == "ConstraintTeacherMaxHoursContinuously" ||
        type == "ConstraintTeachersMaxGapsPerDay" || type == "ConstraintTeacherMaxGapsPerDay") {
      return [this, type, &in](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        const bool gaps = type.find("Gaps") != std::string::npos;
        const bool daily = type.find("Daily") != std::string::npos;
        k.type = gaps ? T::kTeachersMaxGapsPerDay : daily ? T::kTeachersMaxHoursDaily : T::kTeachersMaxHoursContinuously;
        k.value = c.child(gaps ? "Max_Gaps" : daily ? "Maximum_Hours_Daily" : "Maximum_Hours_Continuously").text().as_int(0);
        if (c.child("Activity_Tag_Name")) {
          ASSIGN_OR_RETURN(k.tag, Lookup(tag_index_, c, Text(c, "Activity_Tag_Name"), "activity tag", "活动标签"));
        }
        if (type.rfind("ConstraintTeachers", 0) == 0) {
          for (int t = 0; t < static_cast<int>(in.teachers.size()); ++t) k.teachers.push_back(t);
        } else {
          ASSIGN_OR_RETURN(int t, Lookup(teacher_index_, c, Text(c, "Teacher_Name"), "teacher", "教师"));
          k.teachers = {t};
        }
        return true;
      };
    }
    if (type == "ConstraintStudentsSetMaxHoursDaily" || type == "ConstraintStudentsMaxHoursDaily" ||
        type == "ConstraintStudentsSetMaxHoursContinuously" || type == "ConstraintStudentsMaxHoursContinuously") {
      return [this, type, &in](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        const bool daily = type.find("Daily") != std::string::npos;
        k.type = daily ? T::kStudentsMaxHoursDaily : T::kStudentsMaxHoursContinuously;
        k.value = c.child(daily ? "Maximum_Hours_Daily" : "Maximum_Hours_Continuously").text().as_int(0);
        if (type.rfind("ConstraintStudentsSet", 0) == 0) {
          ASSIGN_OR_RETURN(int s, Lookup(set_index_, c, Text(c, "Students"), "students set", "学生组"));
          k.student_sets = {s};
        } else {
          for (int s = 0; s < static_cast<int>(in.student_sets.size()); ++s) k.student_sets.push_back(s);
        }
        return true;
      };
    }
    if (type == "ConstraintActivityPreferredStartingTimes") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kPreferredStartingTimes;
        ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        ASSIGN_OR_RETURN(k.slots, Slots(c, "Preferred_Starting_Time", "Preferred_Starting_Day",
                                        "Preferred_Starting_Hour"));
        return !k.activities.empty();
      };
    }
    if (type == "ConstraintActivityEndsStudentsDay") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kActivitiesEndStudentsDay;
        ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        return !k.activities.empty();
      };
    }
    if (type == "ConstraintActivityPreferredRooms") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kPreferredRooms;
        ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        for (pugi::xml_node r : c.children("Preferred_Room")) {
          ASSIGN_OR_RETURN(int ri, Lookup(room_index_, c, Trim(r.text().get()), "room", "教室"));
          k.rooms.push_back(ri);
        }
        return !k.activities.empty() && !k.rooms.empty();
      };
    }
    if (type == "ConstraintActivityPreferredRoom" || type == "ConstraintActivityTagPreferredRoom" ||
        type == "ConstraintSubjectPreferredRoom" || type == "ConstraintSubjectPreferredRooms" ||
        type == "ConstraintSubjectActivityTagPreferredRoom" || type == "ConstraintTeacherHomeRoom") {
      return [this, type, &in](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kPreferredRooms;
        if (type == "ConstraintActivityPreferredRoom") {
          ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        } else if (type == "ConstraintActivityTagPreferredRoom") {
          ASSIGN_OR_RETURN(k.activities, Filter(c, nullptr, nullptr, nullptr, "Activity_Tag", nullptr));
        } else if (type == "ConstraintSubjectActivityTagPreferredRoom") {
          ASSIGN_OR_RETURN(k.activities, Filter(c, nullptr, nullptr, "Subject", "Activity_Tag", nullptr));
        } else if (type == "ConstraintTeacherHomeRoom") {
          // Only activities whose one teacher this is (FET: never a shared one).
          ASSIGN_OR_RETURN(int t, Lookup(teacher_index_, c, Text(c, "Teacher"), "teacher", "教师"));
          for (int a = 0; a < static_cast<int>(in.activities.size()); ++a)
            if (in.activities[a].teachers == std::vector<int>{t}) k.activities.push_back(a);
        } else {
          ASSIGN_OR_RETURN(k.activities, Filter(c, nullptr, nullptr, "Subject", nullptr, nullptr));
        }
        const char* room_tag = type == "ConstraintSubjectPreferredRooms" ? "Preferred_Room" : "Room";
        for (pugi::xml_node r : c.children(room_tag)) {
          ASSIGN_OR_RETURN(int ri, Lookup(room_index_, c, Trim(r.text().get()), "room", "教室"));
          k.rooms.push_back(ri);
        }
        if (type == "ConstraintActivityPreferredRoom" && Text(c, "Permanently_Locked") == "true" &&
            k.weight >= 100 && k.rooms.size() == 1)
          for (int a : k.activities) out_.locked.placements[a].room = k.rooms[0];
        return !k.activities.empty() && !k.rooms.empty();
      };
    }
    if (Fn f = Issue16Handler(type)) return f;
    return nullptr;
  }

  // The teachers / atomic-subgroup owners a per-resource FET constraint names:
  // "Teachers..." / "Students..." mean everyone, the singular forms one.
  Status Teachers(const pugi::xml_node& c, bool all, Constraint& k) const {
    if (all) {
      for (int t = 0; t < static_cast<int>(out_.instance.teachers.size()); ++t) k.teachers.push_back(t);
      return OkStatus();
    }
    ASSIGN_OR_RETURN(int t, Lookup(teacher_index_, c, Text(c, "Teacher_Name"), "teacher", "教师"));
    k.teachers = {t};
    return OkStatus();
  }
  Status Students(const pugi::xml_node& c, bool all, Constraint& k) const {
    if (all) {
      for (int s = 0; s < static_cast<int>(out_.instance.student_sets.size()); ++s) k.student_sets.push_back(s);
      return OkStatus();
    }
    ASSIGN_OR_RETURN(int s, Lookup(set_index_, c, Text(c, "Students"), "students set", "学生组"));
    k.student_sets = {s};
    return OkStatus();
  }
  Status Rooms(const pugi::xml_node& c, const char* tag, Constraint& k) const {
    for (pugi::xml_node r : c.children(tag)) {
      ASSIGN_OR_RETURN(int ri, Lookup(room_index_, c, Trim(r.text().get()), "room", "教室"));
      k.rooms.push_back(ri);
    }
    return OkStatus();
  }
  static bool Starts(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

  // The constraint types the fet-data examples use most (issue 16).
  Fn Issue16Handler(const std::string& type) {
    using T = ConstraintType;
    const Instance& in = out_.instance;
    if (type == "ConstraintTeachersMaxGapsPerWeek" || type == "ConstraintTeacherMaxGapsPerWeek") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kTeachersMaxGapsPerWeek;
        k.value = c.child("Max_Gaps").text().as_int(0);
        RETURN_IF_ERROR(Teachers(c, Starts(type, "ConstraintTeachers"), k));
        return true;
      };
    }
    if (type == "ConstraintStudentsMaxGapsPerWeek" || type == "ConstraintStudentsSetMaxGapsPerWeek" ||
        type == "ConstraintStudentsMaxGapsPerDay" || type == "ConstraintStudentsSetMaxGapsPerDay") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = type.find("PerWeek") != std::string::npos ? T::kStudentsMaxGapsPerWeek : T::kStudentsMaxGapsPerDay;
        k.value = c.child("Max_Gaps").text().as_int(0);
        RETURN_IF_ERROR(Students(c, !Starts(type, "ConstraintStudentsSet"), k));
        return true;
      };
    }
    if (type == "ConstraintTeachersMinHoursDaily" || type == "ConstraintTeacherMinHoursDaily" ||
        type == "ConstraintStudentsMinHoursDaily" || type == "ConstraintStudentsSetMinHoursDaily") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        const bool teachers = Starts(type, "ConstraintTeacher");
        k.type = teachers ? T::kTeachersMinHoursDaily : T::kStudentsMinHoursDaily;
        k.value = c.child("Minimum_Hours_Daily").text().as_int(0);
        // Older files lack the element: FET then allowed empty days for
        // teachers and not for students.
        const std::string empty = Text(c, "Allow_Empty_Days");
        k.allow_empty_days = empty.empty() ? teachers : empty == "true";
        if (teachers) {
          RETURN_IF_ERROR(Teachers(c, Starts(type, "ConstraintTeachers"), k));
        } else {
          RETURN_IF_ERROR(Students(c, !Starts(type, "ConstraintStudentsSet"), k));
        }
        return k.value > 0;
      };
    }
    if (type == "ConstraintTeachersMaxDaysPerWeek" || type == "ConstraintTeacherMaxDaysPerWeek") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kTeachersMaxDaysPerWeek;
        k.value = c.child("Max_Days_Per_Week").text().as_int(0);
        RETURN_IF_ERROR(Teachers(c, Starts(type, "ConstraintTeachers"), k));
        return true;
      };
    }
    if (type == "ConstraintStudentsEarlyMaxBeginningsAtSecondHour" ||
        type == "ConstraintStudentsSetEarlyMaxBeginningsAtSecondHour") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kStudentsEarlyMaxBeginningsAtSecondHour;
        k.value = c.child("Max_Beginnings_At_Second_Hour").text().as_int(0);
        RETURN_IF_ERROR(Students(c, !Starts(type, "ConstraintStudentsSet"), k));
        return true;
      };
    }
    if (type == "ConstraintRoomNotAvailableTimes") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kRoomNotAvailableTimes;
        ASSIGN_OR_RETURN(int r, Lookup(room_index_, c, Text(c, "Room"), "room", "教室"));
        k.rooms = {r};
        ASSIGN_OR_RETURN(k.slots, Slots(c, "Not_Available_Time", "Day", "Hour"));
        return !k.slots.empty();
      };
    }
    if (type == "ConstraintTwoActivitiesGrouped" || type == "ConstraintThreeActivitiesGrouped") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kActivitiesGrouped;
        const bool three = type == "ConstraintThreeActivitiesGrouped";
        for (const char* tag : {"First_Activity_Id", "Second_Activity_Id", "Third_Activity_Id"}) {
          if (!three && std::string(tag) == "Third_Activity_Id") break;
          ASSIGN_OR_RETURN(auto a, ActivityIds(c, tag));
          if (a.size() != 1) return false;  // an inactive activity: inert, as in FET
          k.activities.push_back(a[0]);
        }
        return true;
      };
    }
    if (type == "ConstraintActivitiesSameStartingDay") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kActivitiesSameStartingDay;
        ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        return k.activities.size() >= 2;
      };
    }
    if (type == "ConstraintActivitiesOccupyMaxTimeSlotsFromSelection") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kActivitiesOccupyMaxTimeSlotsFromSelection;
        ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        ASSIGN_OR_RETURN(k.slots, Slots(c, "Selected_Time_Slot", "Selected_Day", "Selected_Hour"));
        k.value = c.child("Max_Number_of_Occupied_Time_Slots").text().as_int(0);
        return !k.activities.empty() && static_cast<int>(k.slots.size()) > k.value;
      };
    }
    // Home rooms (FET semantics): a students set's home room holds the
    // activities whose only students set is that set, a teacher's those
    // whose only teacher is that teacher — never an activity shared with
    // another set or teacher; and only where no other preferred-room
    // constraint applies (ApplyHomeRooms).
    if (type == "ConstraintStudentsSetHomeRoom" || type == "ConstraintStudentsSetHomeRooms" ||
        type == "ConstraintTeacherHomeRooms") {
      return [this, type, &in](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kPreferredRooms;
        if (type == "ConstraintTeacherHomeRooms") {
          ASSIGN_OR_RETURN(int t, Lookup(teacher_index_, c, Text(c, "Teacher"), "teacher", "教师"));
          for (int a = 0; a < static_cast<int>(in.activities.size()); ++a)
            if (in.activities[a].teachers == std::vector<int>{t}) k.activities.push_back(a);
        } else {
          ASSIGN_OR_RETURN(int s, Lookup(set_index_, c, Text(c, "Students"), "students set", "学生组"));
          for (int a = 0; a < static_cast<int>(in.activities.size()); ++a)
            if (in.activities[a].student_sets == std::vector<int>{s}) k.activities.push_back(a);
        }
        RETURN_IF_ERROR(Rooms(c, type == "ConstraintStudentsSetHomeRoom" ? "Room" : "Preferred_Room", k));
        return !k.activities.empty() && !k.rooms.empty();
      };
    }
    if (type == "ConstraintActivityTagPreferredRooms" || type == "ConstraintSubjectActivityTagPreferredRooms") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kPreferredRooms;
        const bool subject = type == "ConstraintSubjectActivityTagPreferredRooms";
        ASSIGN_OR_RETURN(k.activities, Filter(c, nullptr, nullptr, subject ? "Subject" : nullptr, "Activity_Tag", nullptr));
        RETURN_IF_ERROR(Rooms(c, "Preferred_Room", k));
        return !k.activities.empty() && !k.rooms.empty();
      };
    }
    if (Fn f = NextTypesHandler(type)) return f;
    return nullptr;
  }

  // An hour of the day by name; an empty end hour means the day's end (FET).
  StatusOr<int> Hour(const pugi::xml_node& c, const char* tag, bool end) const {
    const std::string name = Text(c, tag);
    if (name.empty() && end) return out_.instance.periods_per_day();
    return Lookup(hour_index_, c, name, "hour", "节次");
  }

  // The next FET types by files unblocked in the fet-data examples (issue 16,
  // second round).
  Fn NextTypesHandler(const std::string& type) {
    using T = ConstraintType;
    const Instance& in = out_.instance;
    // Subactivities: the filter's activities that are the N-th part of their
    // split activity. FET numbers a part by its id minus the group id plus
    // one; an unsplit activity is part 1.
    if (type == "ConstraintSubactivitiesPreferredTimeSlots" ||
        type == "ConstraintSubactivitiesPreferredStartingTimes") {
      return [this, type, &in](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        const int component = c.child("Component_Number").text().as_int(0);
        if (component < 1) return Error(c, "Component_Number must be at least 1", "Component_Number 至少为 1");
        ASSIGN_OR_RETURN(std::vector<int> acts, Filter(c, "Teacher_Name", "Students_Name", "Subject_Name",
                                                       "Activity_Tag_Name", "Duration"));
        for (int a : acts) {
          const Activity& act = in.activities[a];
          const int part = act.group_id == 0 ? 1 : act.id - act.group_id + 1;
          if (part == component) k.activities.push_back(a);
        }
        if (type == "ConstraintSubactivitiesPreferredTimeSlots") {
          k.type = T::kPreferredTimeSlots;
          ASSIGN_OR_RETURN(k.slots, Slots(c, "Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour"));
        } else {
          k.type = T::kPreferredStartingTimes;
          ASSIGN_OR_RETURN(k.slots, Slots(c, "Preferred_Starting_Time", "Preferred_Starting_Day",
                                          "Preferred_Starting_Hour"));
        }
        return !k.activities.empty();
      };
    }
    if (type == "ConstraintTeacherIntervalMaxDaysPerWeek" || type == "ConstraintTeachersIntervalMaxDaysPerWeek" ||
        type == "ConstraintStudentsSetIntervalMaxDaysPerWeek" ||
        type == "ConstraintStudentsIntervalMaxDaysPerWeek") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        const bool teachers = Starts(type, "ConstraintTeacher");
        k.type = teachers ? T::kTeachersIntervalMaxDaysPerWeek : T::kStudentsIntervalMaxDaysPerWeek;
        k.value = c.child("Max_Days_Per_Week").text().as_int(0);
        ASSIGN_OR_RETURN(k.interval_begin, Hour(c, "Interval_Start_Hour", false));
        ASSIGN_OR_RETURN(k.interval_end, Hour(c, "Interval_End_Hour", true));
        if (k.interval_end <= k.interval_begin) {
          return Error(c, "Interval_End_Hour must come after Interval_Start_Hour",
                       "Interval_End_Hour 必须晚于 Interval_Start_Hour");
        }
        if (teachers) {
          RETURN_IF_ERROR(Teachers(c, Starts(type, "ConstraintTeachers"), k));
        } else {
          RETURN_IF_ERROR(Students(c, !Starts(type, "ConstraintStudentsSet"), k));
        }
        return true;
      };
    }
    if (type == "ConstraintTeacherMinDaysPerWeek" || type == "ConstraintTeachersMinDaysPerWeek") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kTeachersMinDaysPerWeek;
        k.value = c.child("Minimum_Days_Per_Week").text().as_int(0);
        RETURN_IF_ERROR(Teachers(c, Starts(type, "ConstraintTeachers"), k));
        return k.value > 0;
      };
    }
    if (type == "ConstraintActivitiesSameStartingHour") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kActivitiesSameStartingHour;
        ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        return k.activities.size() >= 2;
      };
    }
    // Students' limits counting only the lessons with one activity tag.
    if (type == "ConstraintStudentsActivityTagMaxHoursContinuously" ||
        type == "ConstraintStudentsSetActivityTagMaxHoursContinuously" ||
        type == "ConstraintStudentsActivityTagMaxHoursDaily" || type == "ConstraintStudentsSetActivityTagMaxHoursDaily") {
      return [this, type](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        const bool daily = type.find("Daily") != std::string::npos;
        k.type = daily ? T::kStudentsMaxHoursDaily : T::kStudentsMaxHoursContinuously;
        k.value = c.child(daily ? "Maximum_Hours_Daily" : "Maximum_Hours_Continuously").text().as_int(0);
        ASSIGN_OR_RETURN(k.tag, Lookup(tag_index_, c, Text(c, "Activity_Tag"), "activity tag", "活动标签"));
        RETURN_IF_ERROR(Students(c, !Starts(type, "ConstraintStudentsSet"), k));
        return true;
      };
    }
    if (type == "ConstraintMinGapsBetweenActivities") {
      return [this](const pugi::xml_node& c, Constraint& k) -> StatusOr<bool> {
        k.type = T::kMinGapsBetweenActivities;
        ASSIGN_OR_RETURN(k.activities, ActivityIds(c, "Activity_Id"));
        k.value = c.child("MinGaps").text().as_int(0);
        return k.activities.size() >= 2 && k.value > 0;
      };
    }
    return nullptr;
  }

  // FET considers home rooms only for activities that have no other
  // preferred-room constraint; mirror that so both solvers see one model.
  void ApplyHomeRooms() {
    Instance& in = out_.instance;
    std::vector<char> has_pref(in.activities.size(), 0);
    std::set<size_t> home(home_room_constraints_.begin(), home_room_constraints_.end());
    for (size_t i = 0; i < in.constraints.size(); ++i) {
      if (in.constraints[i].type != ConstraintType::kPreferredRooms || home.count(i)) continue;
      for (int a : in.constraints[i].activities) has_pref[a] = 1;
    }
    for (size_t i : home) {
      auto& acts = in.constraints[i].activities;
      acts.erase(std::remove_if(acts.begin(), acts.end(), [&](int a) { return has_pref[a]; }),
                 acts.end());
    }
  }

  std::string_view xml_;
  mutable std::vector<size_t> newlines_;
  std::string name_;
  pugi::xml_document doc_;
  FetImport out_;
  std::unordered_map<std::string, int> day_index_, hour_index_, subject_index_, tag_index_,
      teacher_index_, room_index_, set_index_;
  std::unordered_map<int, int> activity_index_;
  std::set<int> inactive_ids_;
  std::vector<size_t> home_room_constraints_;
  std::map<std::string, int> unknown_;
};

}  // namespace

StatusOr<FetImport> ImportFetString(std::string_view xml, std::string name) {
  return Importer(xml, std::move(name)).Run();
}

StatusOr<Solution> ReadFetActivitiesTimetable(const Instance& inst, std::string_view xml) {
  pugi::xml_document doc;
  pugi::xml_parse_result res = doc.load_buffer(xml.data(), xml.size());
  if (!res) {
    return InvalidArgumentError(std::string("FET timetable: malformed XML: ") + res.description(),
                                std::string("FET 课表：XML 格式错误：") + res.description());
  }
  std::unordered_map<int, int> act;
  std::unordered_map<std::string, int> day, hour, room;
  for (size_t i = 0; i < inst.activities.size(); ++i) act[inst.activities[i].id] = static_cast<int>(i);
  for (size_t i = 0; i < inst.days.size(); ++i) day[inst.days[i]] = static_cast<int>(i);
  for (size_t i = 0; i < inst.periods.size(); ++i) hour[inst.periods[i].name] = static_cast<int>(i);
  for (size_t i = 0; i < inst.rooms.size(); ++i) room[inst.rooms[i].name] = static_cast<int>(i);
  Solution sol;
  sol.placements.resize(inst.activities.size());
  for (pugi::xml_node a : doc.child("Activities_Timetable").children("Activity")) {
    const std::string id = Text(a, "Id"), d = Text(a, "Day"), h = Text(a, "Hour"), r = Text(a, "Room");
    auto ai = act.find(std::atoi(id.c_str()));
    auto di = day.find(d);
    auto hi = hour.find(h);
    if (ai == act.end() || di == day.end() || hi == hour.end() || (!r.empty() && !room.count(r))) {
      return InvalidArgumentError("FET timetable: unknown activity/day/hour/room in activity " + id,
                                  "FET 课表：活动 " + id + " 的编号、日、节次或教室未知");
    }
    sol.placements[ai->second].start = di->second * inst.periods_per_day() + hi->second;
    sol.placements[ai->second].room = r.empty() ? -1 : room[r];
  }
  return sol;
}

StatusOr<FetImport> ImportFetFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    return Status(StatusCode::kNotFound, "cannot open " + path, "无法打开文件 " + path, path);
  }
  std::stringstream ss;
  ss << f.rdbuf();
  std::string xml = ss.str();
  std::string name = path.substr(path.find_last_of('/') + 1);
  return ImportFetString(xml, name);
}

}  // namespace edugov::timetable
