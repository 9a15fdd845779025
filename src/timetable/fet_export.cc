#include "timetable/fet_export.h"
#include "timetable/internal/xml_error.h"

#include <algorithm>
#include <sstream>

#include <pugixml.hpp>

namespace edugov::timetable {
namespace {

void Add(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}
void Add(pugi::xml_node parent, const char* name, int value) { Add(parent, name, std::to_string(value)); }

std::string Weight(double w) {
  std::ostringstream os;
  os << w;
  return os.str();
}

pugi::xml_node Begin(pugi::xml_node list, const char* type, double weight) {
  pugi::xml_node c = list.append_child(type);
  Add(c, "Weight_Percentage", Weight(weight));
  return c;
}
void End(pugi::xml_node c, const std::string& comment = {}) {
  Add(c, "Active", "true");
  Add(c, "Comments", comment);
}

class Writer {
 public:
  Writer(const Instance& in, const Solution& sol) : in_(in), sol_(sol) {}

  void Locks(pugi::xml_node time_list, pugi::xml_node space_list, FetExport* out) {
    const int ppd = in_.periods_per_day();
    for (size_t a = 0; a < in_.activities.size() && a < sol_.placements.size(); ++a) {
      const Placement& p = sol_.placements[a];
      if (p.start < 0 || p.start >= in_.num_slots()) continue;
      pugi::xml_node c = Begin(time_list, "ConstraintActivityPreferredStartingTime", 100);
      Add(c, "Activity_Id", in_.activities[a].id);
      Add(c, "Preferred_Day", in_.days[p.start / ppd]);
      Add(c, "Preferred_Hour", in_.periods[p.start % ppd].name);
      Add(c, "Permanently_Locked", "true");
      End(c);
      ++out->locked_times;
      if (p.room < 0 || p.room >= static_cast<int>(in_.rooms.size())) continue;
      pugi::xml_node r = Begin(space_list, "ConstraintActivityPreferredRoom", 100);
      Add(r, "Activity_Id", in_.activities[a].id);
      Add(r, "Room", in_.rooms[p.room].name);
      Add(r, "Permanently_Locked", "true");
      End(r);
      ++out->locked_rooms;
    }
  }

  void Model(pugi::xml_node fet, FetExport* out) {
    Add(fet, "Institution_Name", in_.name);
    pugi::xml_node days = fet.append_child("Days_List");
    Add(days, "Number_of_Days", static_cast<int>(in_.days.size()));
    for (const auto& d : in_.days) Add(days.append_child("Day"), "Name", d);
    pugi::xml_node hours = fet.append_child("Hours_List");
    Add(hours, "Number_of_Hours", in_.periods_per_day());
    for (const auto& p : in_.periods) Add(hours.append_child("Hour"), "Name", p.name);
    pugi::xml_node subjects = fet.append_child("Subjects_List");
    for (const auto& s : in_.subjects) Add(subjects.append_child("Subject"), "Name", s.name);
    pugi::xml_node tags = fet.append_child("Activity_Tags_List");
    for (const auto& t : in_.tags) Add(tags.append_child("Activity_Tag"), "Name", t);
    pugi::xml_node teachers = fet.append_child("Teachers_List");
    for (const auto& t : in_.teachers) Add(teachers.append_child("Teacher"), "Name", t.name);
    Students(fet.append_child("Students_List"));
    pugi::xml_node acts = fet.append_child("Activities_List");
    for (const Activity& a : in_.activities) {
      pugi::xml_node n = acts.append_child("Activity");
      for (int t : a.teachers) Add(n, "Teacher", in_.teachers[t].name);
      if (a.subject >= 0) Add(n, "Subject", in_.subjects[a.subject].name);
      for (int t : a.tags) Add(n, "Activity_Tag", in_.tags[t]);
      for (int s : a.student_sets) Add(n, "Students", in_.student_sets[s].name);
      Add(n, "Duration", a.duration);
      Add(n, "Total_Duration", a.duration);
      Add(n, "Id", a.id);
      Add(n, "Activity_Group_Id", a.group_id);
      Add(n, "Active", "true");
      Add(n, "Comments", "");
    }
    fet.append_child("Buildings_List");
    pugi::xml_node rooms = fet.append_child("Rooms_List");
    for (const Room& r : in_.rooms) {
      pugi::xml_node n = rooms.append_child("Room");
      Add(n, "Name", r.name);
      Add(n, "Building", "");
      Add(n, "Capacity", r.capacity > 0 ? r.capacity : 30000);
      Add(n, "Virtual", "false");
      Add(n, "Comments", std::string(RoomKindName(r.kind)));
    }
    pugi::xml_node time = fet.append_child("Time_Constraints_List");
    End(Begin(time, "ConstraintBasicCompulsoryTime", 100));
    pugi::xml_node space = fet.append_child("Space_Constraints_List");
    End(Begin(space, "ConstraintBasicCompulsorySpace", 100));
    for (const Constraint& k : in_.constraints) Constraint1(k, time, space, out);
  }

 private:
  // Sets not contained in a bigger set become years; the rest are groups of
  // every year that contains them; atoms are subgroups.
  void Students(pugi::xml_node list) {
    const auto& sets = in_.student_sets;
    auto subset = [](const std::vector<int>& a, const std::vector<int>& b) {
      return std::includes(b.begin(), b.end(), a.begin(), a.end());
    };
    auto is_atom_itself = [&](const StudentSet& s) {
      return s.subgroups.size() == 1 && in_.subgroup_names[s.subgroups[0]] == s.name;
    };
    std::vector<char> is_year(sets.size(), 1);
    for (size_t i = 0; i < sets.size(); ++i)
      for (size_t j = 0; j < sets.size(); ++j) {
        if (i == j || !subset(sets[i].subgroups, sets[j].subgroups)) continue;
        if (sets[j].subgroups.size() > sets[i].subgroups.size() || (sets[j].subgroups == sets[i].subgroups && j < i))
          is_year[i] = 0;
      }
    for (size_t y = 0; y < sets.size(); ++y) {
      if (!is_year[y]) continue;
      pugi::xml_node yn = list.append_child("Year");
      Add(yn, "Name", sets[y].name);
      Add(yn, "Number_of_Students", sets[y].size);
      if (is_atom_itself(sets[y])) continue;
      std::vector<int> covered;
      auto group = [&](const std::string& name, int size, const std::vector<int>& atoms, bool leaf) {
        pugi::xml_node gn = yn.append_child("Group");
        Add(gn, "Name", name);
        Add(gn, "Number_of_Students", size);
        if (leaf) return;
        for (int g : atoms) {
          pugi::xml_node sn = gn.append_child("Subgroup");
          Add(sn, "Name", in_.subgroup_names[g]);
          Add(sn, "Number_of_Students", g < static_cast<int>(in_.subgroup_sizes.size()) ? in_.subgroup_sizes[g] : 0);
        }
      };
      for (size_t g = 0; g < sets.size(); ++g) {
        if (g == y || is_year[g] || !subset(sets[g].subgroups, sets[y].subgroups)) continue;
        if (is_atom_itself(sets[g]) && IsSubgroupOfAnotherGroup(g, y)) continue;
        group(sets[g].name, sets[g].size, sets[g].subgroups, is_atom_itself(sets[g]));
        covered.insert(covered.end(), sets[g].subgroups.begin(), sets[g].subgroups.end());
      }
      // Atoms of the year that no group covers get a group of their own.
      for (int a : sets[y].subgroups)
        if (std::find(covered.begin(), covered.end(), a) == covered.end())
          group(in_.subgroup_names[a], 0, {a}, true);
    }
  }
  // An atom-named set that is also inside a non-atom group of year y is
  // written as that group's subgroup, not as a group.
  bool IsSubgroupOfAnotherGroup(size_t atom_set, size_t y) const {
    const auto& sets = in_.student_sets;
    int atom = sets[atom_set].subgroups[0];
    for (size_t g = 0; g < sets.size(); ++g) {
      if (g == atom_set || g == y || sets[g].subgroups.size() < 2) continue;
      if (std::find(sets[g].subgroups.begin(), sets[g].subgroups.end(), atom) != sets[g].subgroups.end() &&
          std::includes(sets[y].subgroups.begin(), sets[y].subgroups.end(), sets[g].subgroups.begin(),
                        sets[g].subgroups.end()))
        return true;
    }
    return false;
  }

  void Ids(pugi::xml_node c, const std::vector<int>& acts, const char* tag = "Activity_Id") {
    for (int a : acts) Add(c, tag, in_.activities[a].id);
  }
  void Slots(pugi::xml_node c, const std::vector<int>& slots, const char* item, const char* day,
             const char* hour) {
    const int ppd = in_.periods_per_day();
    for (int s : slots) {
      pugi::xml_node n = c.append_child(item);
      Add(n, day, in_.days[s / ppd]);
      Add(n, hour, in_.periods[s % ppd].name);
    }
  }
  bool AllActivities(const std::vector<int>& acts) const { return acts.size() == in_.activities.size(); }
  bool AllTeachers(const std::vector<int>& t) const { return t.size() == in_.teachers.size(); }

  void Constraint1(const Constraint& k, pugi::xml_node time, pugi::xml_node space, FetExport* out) {
    using T = ConstraintType;
    const std::string comment = k.clause.empty() ? k.source : k.source + " (clause " + k.clause + ")";
    switch (k.type) {
      case T::kActivitiesNotOverlapping:
      case T::kActivitiesSameStartingTime: {
        pugi::xml_node c = Begin(time, k.type == T::kActivitiesNotOverlapping ? "ConstraintActivitiesNotOverlapping"
                                                                              : "ConstraintActivitiesSameStartingTime", k.weight);
        Add(c, "Number_of_Activities", static_cast<int>(k.activities.size()));
        Ids(c, k.activities);
        End(c, comment);
        return;
      }
      case T::kMinDaysBetweenActivities: {
        pugi::xml_node c = Begin(time, "ConstraintMinDaysBetweenActivities", k.weight);
        Add(c, "Consecutive_If_Same_Day", k.consecutive_if_same_day ? "true" : "false");
        Add(c, "Number_of_Activities", static_cast<int>(k.activities.size()));
        Ids(c, k.activities);
        Add(c, "MinDays", k.value);
        End(c, comment);
        return;
      }
      case T::kTwoActivitiesConsecutive: {
        pugi::xml_node c = Begin(time, "ConstraintTwoActivitiesConsecutive", k.weight);
        Add(c, "First_Activity_Id", in_.activities[k.activities[0]].id);
        Add(c, "Second_Activity_Id", in_.activities[k.activities[1]].id);
        End(c, comment);
        return;
      }
      case T::kPreferredStartingTimes:
      case T::kPreferredTimeSlots:
        for (int a : k.activities) {
          bool start = k.type == T::kPreferredStartingTimes;
          pugi::xml_node c = Begin(time, start ? "ConstraintActivityPreferredStartingTimes"
                                               : "ConstraintActivityPreferredTimeSlots", k.weight);
          Add(c, "Activity_Id", in_.activities[a].id);
          Add(c, start ? "Number_of_Preferred_Starting_Times" : "Number_of_Preferred_Time_Slots",
              static_cast<int>(k.slots.size()));
          if (start) Slots(c, k.slots, "Preferred_Starting_Time", "Preferred_Starting_Day", "Preferred_Starting_Hour");
          else Slots(c, k.slots, "Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour");
          End(c, comment);
        }
        return;
      case T::kNotAvailableTimes: {
        if (k.teachers.size() == 1 || k.student_sets.size() == 1) {
          bool teacher = k.teachers.size() == 1;
          pugi::xml_node c = Begin(time, teacher ? "ConstraintTeacherNotAvailableTimes"
                                                 : "ConstraintStudentsSetNotAvailableTimes", k.weight);
          if (teacher) Add(c, "Teacher", in_.teachers[k.teachers[0]].name);
          else Add(c, "Students", in_.student_sets[k.student_sets[0]].name);
          Add(c, "Number_of_Not_Available_Times", static_cast<int>(k.slots.size()));
          Slots(c, k.slots, "Not_Available_Time", "Day", "Hour");
          End(c, comment);
        } else if (AllActivities(k.activities)) {
          pugi::xml_node c = Begin(time, "ConstraintBreakTimes", k.weight);
          Add(c, "Number_of_Break_Times", static_cast<int>(k.slots.size()));
          Slots(c, k.slots, "Break_Time", "Day", "Hour");
          End(c, comment);
        } else {
          // The complement as preferred time slots: same meaning.
          std::vector<int> allowed;
          for (int s = 0; s < in_.num_slots(); ++s)
            if (std::find(k.slots.begin(), k.slots.end(), s) == k.slots.end()) allowed.push_back(s);
          Constraint p = k;
          p.type = T::kPreferredTimeSlots;
          p.slots = allowed;
          Constraint1(p, time, space, out);
        }
        return;
      }
      case T::kActivitiesEndStudentsDay:
        for (int a : k.activities) {
          pugi::xml_node c = Begin(time, "ConstraintActivityEndsStudentsDay", k.weight);
          Add(c, "Activity_Id", in_.activities[a].id);
          End(c, comment);
        }
        return;
      case T::kTeachersMaxHoursDaily:
      case T::kTeachersMaxHoursContinuously:
      case T::kTeachersMaxGapsPerDay: {
        const bool daily = k.type == T::kTeachersMaxHoursDaily;
        const bool gaps = k.type == T::kTeachersMaxGapsPerDay;
        if (gaps && !k.hard()) {
          // FET refuses gap constraints below 100% ("cannot optimize").
          ++out->skipped;
          return;
        }
        const char* value_tag = gaps ? "Max_Gaps" : daily ? "Maximum_Hours_Daily" : "Maximum_Hours_Continuously";
        std::string kind = gaps ? "MaxGapsPerDay" : daily ? "MaxHoursDaily" : "MaxHoursContinuously";
        std::string tag = k.tag >= 0 && !gaps ? "ActivityTag" : "";
        auto emit = [&](int teacher) {
          std::string type = teacher < 0 ? "ConstraintTeachers" + tag + kind : "ConstraintTeacher" + tag + kind;
          pugi::xml_node c = Begin(time, type.c_str(), k.weight);
          if (teacher >= 0) Add(c, "Teacher_Name", in_.teachers[teacher].name);
          if (!tag.empty()) Add(c, "Activity_Tag_Name", in_.tags[k.tag]);
          Add(c, value_tag, k.value);
          End(c, comment);
        };
        if (AllTeachers(k.teachers)) emit(-1);
        else for (int t : k.teachers) emit(t);
        return;
      }
      case T::kStudentsMaxHoursDaily:
      case T::kStudentsMaxHoursContinuously: {
        const bool daily = k.type == T::kStudentsMaxHoursDaily;
        const std::string type = std::string("ConstraintStudentsSet") + (k.tag >= 0 ? "ActivityTag" : "") +
                                 (daily ? "MaxHoursDaily" : "MaxHoursContinuously");
        for (int s : k.student_sets) {
          pugi::xml_node c = Begin(time, type.c_str(), k.weight);
          Add(c, daily ? "Maximum_Hours_Daily" : "Maximum_Hours_Continuously", k.value);
          Add(c, "Students", in_.student_sets[s].name);
          if (k.tag >= 0) Add(c, "Activity_Tag", in_.tags[k.tag]);
          End(c, comment);
        }
        return;
      }
      case T::kPreferredRooms:
        for (int a : k.activities) {
          pugi::xml_node c = Begin(space, "ConstraintActivityPreferredRooms", k.weight);
          Add(c, "Activity_Id", in_.activities[a].id);
          Add(c, "Number_of_Preferred_Rooms", static_cast<int>(k.rooms.size()));
          for (int r : k.rooms) Add(c, "Preferred_Room", in_.rooms[r].name);
          End(c, comment);
        }
        return;
      case T::kWeeklyPeriods:
        ++out->skipped;
        return;
      // The FET types of issue 16 come from .fet files, whose export keeps
      // the original constraints; a model-only export does not write them
      // yet (counted, not hidden).
      case T::kTeachersMaxGapsPerWeek:
      case T::kStudentsMaxGapsPerWeek:
      case T::kStudentsMaxGapsPerDay:
      case T::kTeachersMinHoursDaily:
      case T::kStudentsMinHoursDaily:
      case T::kTeachersMaxDaysPerWeek:
      case T::kStudentsEarlyMaxBeginningsAtSecondHour:
      case T::kRoomNotAvailableTimes:
      case T::kActivitiesGrouped:
      case T::kActivitiesSameStartingDay:
      case T::kActivitiesOccupyMaxTimeSlotsFromSelection:
      case T::kTeachersIntervalMaxDaysPerWeek:
      case T::kStudentsIntervalMaxDaysPerWeek:
      case T::kTeachersMinDaysPerWeek:
      case T::kMinGapsBetweenActivities:
      case T::kActivitiesSameStartingHour:
        ++out->skipped;
        return;
    }
  }

  const Instance& in_;
  const Solution& sol_;
};

std::string Serialize(const pugi::xml_document& doc) {
  std::ostringstream os;
  doc.save(os, "\t", pugi::format_default, pugi::encoding_utf8);
  return os.str();
}

}  // namespace

StatusOr<FetExport> ExportFet(const Instance& inst, const Solution& sol, std::string_view original_fet) {
  FetExport out;
  pugi::xml_document doc;
  Writer w(inst, sol);
  if (!original_fet.empty()) {
    pugi::xml_parse_result res = doc.load_buffer(original_fet.data(), original_fet.size());
    if (!res || !doc.child("fet")) {
      const internal::TextPosition at = internal::PositionOf(original_fet, res.offset);
      const std::string l = std::to_string(at.line), c = std::to_string(at.column);
      return InvalidArgumentError("original .fet, line " + l + ", column " + c + ": " + internal::XmlProblemEn(res.status),
                                  "原始 .fet 文件第 " + l + " 行第 " + c + " 列：" + internal::XmlProblemZh(res.status));
    }
    pugi::xml_node fet = doc.child("fet");
    pugi::xml_node time = fet.child("Time_Constraints_List");
    if (!time) time = fet.append_child("Time_Constraints_List");
    pugi::xml_node space = fet.child("Space_Constraints_List");
    if (!space) space = fet.append_child("Space_Constraints_List");
    w.Locks(time, space, &out);
  } else {
    pugi::xml_node decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    pugi::xml_node fet = doc.append_child("fet");
    fet.append_attribute("version") = "6.8.5";
    w.Model(fet, &out);
    w.Locks(fet.child("Time_Constraints_List"), fet.child("Space_Constraints_List"), &out);
  }
  out.xml = Serialize(doc);
  return out;
}

}  // namespace edugov::timetable
