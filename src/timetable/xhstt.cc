#include "timetable/xhstt.h"
#include "timetable/internal/xml_error.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <sstream>

namespace edugov::timetable {

namespace {

Status Bad(const std::string& file, const std::string& en, const std::string& zh) {
  return Status(StatusCode::kInvalidArgument, file + ": " + en, file + "：" + zh, file);
}

std::string Ref(const pugi::xml_node& n) { return n.attribute("Reference").as_string(); }

bool Contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

enum class Kind { kTeacher, kClass, kRoom, kOther };

class Reader {
 public:
  Reader(const std::string& xml, const std::string& file) : xml_(xml), file_(file) {}

  StatusOr<XhsttInstance> Run() {
    // As for .fet (fet_import.cc): pugixml expands no entities and does not
    // recurse, so the bytes bound the cost (issue 15).
    constexpr size_t kMaxXhsttBytes = size_t{64} << 20;
    if (xml_.size() > kMaxXhsttBytes) {
      const std::string limit = "max_xml_bytes = " + std::to_string(kMaxXhsttBytes);
      return Bad(file_, "the file is " + std::to_string(xml_.size()) + " bytes (limit " + limit + ")",
                 "文件大小为 " + std::to_string(xml_.size()) + " 字节（上限 " + limit + "）");
    }
    pugi::xml_parse_result res = doc_.load_buffer(xml_.data(), xml_.size());
    if (!res) {
      const internal::TextPosition at = internal::PositionOf(xml_, res.offset);
      const std::string l = std::to_string(at.line), c = std::to_string(at.column);
      return Bad(file_, "line " + l + ", column " + c + ": malformed XML: " + internal::XmlProblemEn(res.status),
                 "第 " + l + " 行第 " + c + " 列：XML 格式错误：" + internal::XmlProblemZh(res.status));
    }
    pugi::xml_node inst = doc_.child("HighSchoolTimetableArchive").child("Instances").child("Instance");
    if (!inst) return Bad(file_, "no <Instance> in the archive", "文件中没有 <Instance>");
    x_.instance.name = inst.attribute("Id").as_string();
    RETURN_IF_ERROR(ReadTimes(inst.child("Times")));
    RETURN_IF_ERROR(ReadResources(inst.child("Resources")));
    RETURN_IF_ERROR(ReadEvents(inst.child("Events")));
    RETURN_IF_ERROR(ReadConstraints(inst.child("Constraints")));
    Split();
    Model();
    ReadSolutions(doc_.child("HighSchoolTimetableArchive").child("SolutionGroups"));
    for (const auto& [what, n] : unsupported_) x_.unsupported.push_back(what + ": " + std::to_string(n));
    FinalizeInstance(x_.instance);
    return std::move(x_);
  }

 private:
  // ---------------------------------------------------------------- times
  Status ReadTimes(const pugi::xml_node& times) {
    std::map<std::string, int> day_index;
    for (pugi::xml_node g : times.child("TimeGroups").children()) {
      const std::string id = g.attribute("Id").as_string();
      time_groups_[id];
      if (std::string(g.name()) == "Day") {
        day_index[id] = static_cast<int>(x_.instance.days.size());
        x_.instance.days.push_back(g.child_value("Name"));
      }
    }
    std::vector<int> per_day(x_.instance.days.size(), 0);
    std::vector<std::pair<int, int>> where;  // (day, index in day)
    for (pugi::xml_node t : times.children("Time")) {
      const int ti = static_cast<int>(x_.time_ids.size());
      const std::string id = t.attribute("Id").as_string();
      x_.time_ids.push_back(id);
      time_index_[id] = ti;
      int day = -1;
      if (pugi::xml_node d = t.child("Day")) {
        auto it = day_index.find(Ref(d));
        if (it == day_index.end()) return Bad(file_, "time " + id + " names an unknown day", "时间 " + id + " 引用了未知的日");
        day = it->second;
        time_groups_[Ref(d)].push_back(ti);
      }
      if (day < 0) {
        if (!no_day_) {
          no_day_ = true;
          day_index["(all)"] = static_cast<int>(x_.instance.days.size());
          x_.instance.days.push_back("(all)");
          per_day.push_back(0);
        }
        day = day_index["(all)"];
      }
      where.push_back({day, per_day[day]++});
      for (pugi::xml_node g : t.child("TimeGroups").children()) time_groups_[Ref(g)].push_back(ti);
    }
    int ppd = 0;
    for (int n : per_day) ppd = std::max(ppd, n);
    if (ppd == 0) return Bad(file_, "no times", "没有时间段");
    for (int p = 0; p < ppd; ++p) x_.instance.periods.push_back(Period{std::to_string(p + 1)});
    for (auto [d, p] : where) x_.time_slot.push_back(d * ppd + p);
    // Slots no time maps to (a short day) are unavailable to everything.
    std::vector<char> used(x_.instance.num_slots(), 0);
    for (int s : x_.time_slot) used[s] = 1;
    for (int s = 0; s < x_.instance.num_slots(); ++s)
      if (!used[s]) padding_.push_back(s);
    return OkStatus();
  }

  // ------------------------------------------------------------ resources
  Status ReadResources(const pugi::xml_node& res) {
    std::map<std::string, Kind> type_kind;
    for (pugi::xml_node t : res.child("ResourceTypes").children("ResourceType")) {
      const std::string id = t.attribute("Id").as_string();
      const std::string name = id + " " + t.child_value("Name");
      type_kind[id] = Contains(name, "eacher")                                ? Kind::kTeacher
                      : Contains(name, "lass") || Contains(name, "tudent")    ? Kind::kClass
                      : Contains(name, "oom")                                 ? Kind::kRoom
                                                                              : Kind::kOther;
    }
    for (pugi::xml_node g : res.child("ResourceGroups").children("ResourceGroup")) {
      resource_groups_[g.attribute("Id").as_string()];
    }
    Instance& in = x_.instance;
    for (pugi::xml_node r : res.children("Resource")) {
      const std::string id = r.attribute("Id").as_string();
      const int ri = static_cast<int>(x_.resource_ids.size());
      x_.resource_ids.push_back(id);
      resource_index_[id] = ri;
      auto kt = type_kind.find(Ref(r.child("ResourceType")));
      const Kind kind = kt == type_kind.end() ? Kind::kOther : kt->second;
      resource_kind_.push_back(kind);
      int model = -1;
      if (kind == Kind::kTeacher) {
        model = static_cast<int>(in.teachers.size());
        in.teachers.push_back(Teacher{id});
      } else if (kind == Kind::kClass) {
        model = static_cast<int>(in.student_sets.size());
        StudentSet s;
        s.name = id;
        s.subgroups = {in.num_subgroups++};
        in.subgroup_names.push_back(id);
        in.student_sets.push_back(std::move(s));
      } else if (kind == Kind::kRoom) {
        model = static_cast<int>(in.rooms.size());
        in.rooms.push_back(Room{id});
      } else {
        ++unsupported_["resources of a type other than teacher, class, room"];
      }
      resource_model_.push_back(model);
      for (pugi::xml_node g : r.child("ResourceGroups").children("ResourceGroup")) resource_groups_[Ref(g)].push_back(ri);
    }
    return OkStatus();
  }

  // --------------------------------------------------------------- events
  Status ReadEvents(const pugi::xml_node& ev) {
    for (pugi::xml_node g : ev.child("EventGroups").children()) event_groups_[g.attribute("Id").as_string()];
    for (pugi::xml_node e : ev.children("Event")) {
      const std::string id = e.attribute("Id").as_string();
      const int ei = static_cast<int>(x_.event_ids.size());
      x_.event_ids.push_back(id);
      event_index_[id] = ei;
      const int d = e.child("Duration").text().as_int(0);
      if (d < 1) return Bad(file_, "event " + id + " has no positive duration", "事件 " + id + " 的时长无效");
      x_.event_duration.push_back(d);
      int pre = -1;
      if (pugi::xml_node t = e.child("Time")) {
        auto it = time_index_.find(Ref(t));
        if (it == time_index_.end()) return Bad(file_, "event " + id + " names an unknown time", "事件 " + id + " 引用了未知时间");
        pre = it->second;
      }
      event_time_.push_back(pre);
      std::vector<int> rs;
      for (pugi::xml_node r : e.child("Resources").children("Resource")) {
        if (Ref(r).empty()) {
          ++unsupported_["event resources left for the solver to assign (ignored)"];
          continue;
        }
        auto it = resource_index_.find(Ref(r));
        if (it == resource_index_.end()) return Bad(file_, "event " + id + " names an unknown resource " + Ref(r), "事件 " + id + " 引用了未知资源 " + Ref(r));
        rs.push_back(it->second);
      }
      x_.event_resources.push_back(std::move(rs));
      if (pugi::xml_node c = e.child("Course")) event_groups_[Ref(c)].push_back(ei);
      for (pugi::xml_node g : e.child("EventGroups").children("EventGroup")) event_groups_[Ref(g)].push_back(ei);
    }
    return OkStatus();
  }

  // ---------------------------------------------------------- constraints
  std::vector<int> EventsOf(const pugi::xml_node& applies) {
    std::set<int> out;
    for (pugi::xml_node g : applies.child("EventGroups").children("EventGroup"))
      for (int e : event_groups_[Ref(g)]) out.insert(e);
    for (pugi::xml_node e : applies.child("Events").children("Event")) {
      auto it = event_index_.find(Ref(e));
      if (it != event_index_.end()) out.insert(it->second);
    }
    return {out.begin(), out.end()};
  }
  std::vector<int> ResourcesOf(const pugi::xml_node& applies) {
    std::set<int> out;
    for (pugi::xml_node g : applies.child("ResourceGroups").children("ResourceGroup"))
      for (int r : resource_groups_[Ref(g)]) out.insert(r);
    for (pugi::xml_node r : applies.child("Resources").children("Resource")) {
      auto it = resource_index_.find(Ref(r));
      if (it != resource_index_.end()) out.insert(it->second);
    }
    return {out.begin(), out.end()};
  }
  std::vector<int> TimesOf(const pugi::xml_node& c) {
    std::set<int> out;
    for (pugi::xml_node g : c.child("TimeGroups").children("TimeGroup"))
      for (int t : time_groups_[Ref(g)]) out.insert(t);
    for (pugi::xml_node t : c.child("Times").children("Time")) {
      auto it = time_index_.find(Ref(t));
      if (it != time_index_.end()) out.insert(it->second);
    }
    return {out.begin(), out.end()};
  }

  Status ReadConstraints(const pugi::xml_node& cs) {
    for (pugi::xml_node c : cs.children()) {
      XhsttConstraint k;
      k.type = c.name();
      k.id = c.attribute("Id").as_string();
      k.required = std::string(c.child_value("Required")) == "true";
      k.weight = c.child("Weight").text().as_llong(1);
      k.cost_function = c.child_value("CostFunction");
      const pugi::xml_node applies = c.child("AppliesTo");
      const std::string& t = k.type;
      if (t == "AssignTimeConstraint" || t == "PreferTimesConstraint" || t == "SplitEventsConstraint") {
        k.events = EventsOf(applies);
        if (t == "PreferTimesConstraint") {
          k.times = TimesOf(c);
          k.duration = c.child("Duration").text().as_int(0);
        }
        if (t == "SplitEventsConstraint") {
          k.min_duration = c.child("MinimumDuration").text().as_int(1);
          k.max_duration = c.child("MaximumDuration").text().as_int(1 << 30);
          k.min_amount = c.child("MinimumAmount").text().as_int(1);
          k.max_amount = c.child("MaximumAmount").text().as_int(1 << 30);
        }
      } else if (t == "AvoidClashesConstraint" || t == "AvoidUnavailableTimesConstraint") {
        k.resources = ResourcesOf(applies);
        if (t == "AvoidUnavailableTimesConstraint") k.times = TimesOf(c);
      } else if (t == "SpreadEventsConstraint") {
        for (pugi::xml_node g : applies.child("EventGroups").children("EventGroup"))
          k.event_groups.push_back(event_groups_[Ref(g)]);
        for (pugi::xml_node g : c.child("TimeGroups").children("TimeGroup")) {
          XhsttConstraint::Spread s;
          s.times = time_groups_[Ref(g)];
          s.min = g.child("Minimum").text().as_int(0);
          s.max = g.child("Maximum").text().as_int(1 << 30);
          k.spreads.push_back(std::move(s));
        }
      } else {
        ++unsupported_[t + (k.required ? " (required)" : " (soft)") + ", not modelled or evaluated"];
        continue;
      }
      x_.evaluated.push_back(std::move(k));
    }
    return OkStatus();
  }

  // ---------------------------------------------------------------- split
  // Each event becomes sub-events once, at import: the first SplitEvents
  // constraint that applies says the allowed durations and amounts; a
  // preassigned event stays whole. Sizes are as even as the bounds allow.
  void Split() {
    std::vector<const XhsttConstraint*> rule(x_.event_ids.size(), nullptr);
    for (const XhsttConstraint& k : x_.evaluated)
      if (k.type == "SplitEventsConstraint")
        for (int e : k.events)
          if (!rule[e]) rule[e] = &k;
    for (int e = 0; e < static_cast<int>(x_.event_ids.size()); ++e) {
      const int d = x_.event_duration[e];
      std::vector<int> parts = {d};
      if (rule[e] && event_time_[e] < 0) {
        const XhsttConstraint& k = *rule[e];
        const int max_d = std::max(1, std::min(k.max_duration, d));
        int n = std::max(k.min_amount, (d + max_d - 1) / max_d);
        n = std::max(1, std::min({n, k.max_amount, d}));
        parts.assign(n, d / n);
        for (int i = 0; i < d % n; ++i) ++parts[i];
      } else if (!rule[e] && event_time_[e] < 0 && d > x_.instance.periods_per_day()) {
        // Longer than any day and free to split (XHSTT lets a solver split
        // an event no SplitEvents constraint governs): single periods.
        parts.assign(d, 1);
        ++unsupported_["events longer than a day without a split rule, split into single periods (events)"];
      }
      event_parts_.push_back(parts);
    }
  }

  // ---------------------------------------------------------------- model
  void Model() {
    Instance& in = x_.instance;
    std::map<int, std::vector<int>> room_acts;  // model room → activities
    event_acts_.assign(x_.event_ids.size(), {});
    for (int e = 0; e < static_cast<int>(x_.event_ids.size()); ++e) {
      for (int part : event_parts_[e]) {
        Activity a;
        a.id = static_cast<int>(in.activities.size()) + 1;
        a.group_id = e + 1;
        a.duration = part;
        for (int r : x_.event_resources[e]) {
          const int m = resource_model_[r];
          if (m < 0) continue;
          if (resource_kind_[r] == Kind::kTeacher) a.teachers.push_back(m);
          if (resource_kind_[r] == Kind::kClass) a.student_sets.push_back(m);
          if (resource_kind_[r] == Kind::kRoom) room_acts[m].push_back(static_cast<int>(in.activities.size()));
        }
        event_acts_[e].push_back(static_cast<int>(in.activities.size()));
        x_.activity_event.push_back(e);
        in.activities.push_back(std::move(a));
      }
      if (event_time_[e] >= 0) {
        Constraint k;
        k.type = ConstraintType::kPreferredStartingTimes;
        k.activities = event_acts_[e];
        k.slots = {x_.time_slot[event_time_[e]]};
        k.source = "preassigned time of " + x_.event_ids[e];
        in.constraints.push_back(std::move(k));
      }
    }
    for (auto& [room, acts] : room_acts) {
      Constraint k;
      k.type = ConstraintType::kPreferredRooms;
      k.activities = acts;
      k.rooms = {room};
      k.source = "preassigned room " + in.rooms[room].name;
      in.constraints.push_back(std::move(k));
    }
    // A sub-event of duration d covers d times consecutive in the file's
    // list; our periods are consecutive within a day. Where the two differ
    // (a file listing one grade group's week before the next's), a start is
    // allowed only where both agree.
    {
      std::vector<int> time_at(in.num_slots(), -1);
      for (int t = 0; t < static_cast<int>(x_.time_slot.size()); ++t) time_at[x_.time_slot[t]] = t;
      const int ppd = in.periods_per_day();
      std::map<int, std::vector<int>> by_duration;
      for (int a = 0; a < static_cast<int>(in.activities.size()); ++a)
        if (in.activities[a].duration > 1) by_duration[in.activities[a].duration].push_back(a);
      for (auto& [d, acts] : by_duration) {
        Constraint k;
        k.type = ConstraintType::kPreferredStartingTimes;
        k.activities = acts;
        bool all = true;
        for (int slot = 0; slot < in.num_slots(); ++slot) {
          bool ok = slot % ppd + d <= ppd && time_at[slot] >= 0;
          for (int i = 1; ok && i < d; ++i) ok = time_at[slot + i] == time_at[slot] + i;
          if (ok) k.slots.push_back(slot);
          else all = false;
        }
        if (all) continue;
        k.source = "duration " + std::to_string(d) + ": times consecutive in the file";
        in.constraints.push_back(std::move(k));
      }
    }
    if (!padding_.empty()) {
      Constraint k;
      k.type = ConstraintType::kNotAvailableTimes;
      for (int a = 0; a < static_cast<int>(in.activities.size()); ++a) k.activities.push_back(a);
      k.slots = padding_;
      k.source = "no such time (a short day)";
      in.constraints.push_back(std::move(k));
    }
    int64_t max_soft = 1;
    for (const XhsttConstraint& c : x_.evaluated)
      if (!c.required) max_soft = std::max(max_soft, c.weight);
    auto weight = [&](const XhsttConstraint& c) {
      return c.required ? 100.0 : std::max(1.0, 99.0 * static_cast<double>(c.weight) / static_cast<double>(max_soft));
    };
    auto acts_of_resources = [&](const std::vector<int>& rs) {
      std::vector<int> acts;
      std::set<int> want(rs.begin(), rs.end());
      for (int e = 0; e < static_cast<int>(x_.event_ids.size()); ++e) {
        bool hit = false;
        for (int r : x_.event_resources[e]) hit = hit || want.count(r);
        if (hit) acts.insert(acts.end(), event_acts_[e].begin(), event_acts_[e].end());
      }
      return acts;
    };
    for (const XhsttConstraint& c : x_.evaluated) {
      Constraint k;
      k.weight = weight(c);
      k.source = c.type + " " + c.id;
      if (c.type == "PreferTimesConstraint") {
        k.type = ConstraintType::kPreferredStartingTimes;
        for (int e : c.events)
          for (int a : event_acts_[e])
            if (c.duration == 0 || in.activities[a].duration == c.duration) k.activities.push_back(a);
        for (int t : c.times) k.slots.push_back(x_.time_slot[t]);
        std::sort(k.slots.begin(), k.slots.end());
        if (!k.activities.empty()) in.constraints.push_back(std::move(k));
      } else if (c.type == "AvoidUnavailableTimesConstraint") {
        for (int r : c.resources) {
          Constraint kr = k;
          kr.type = ConstraintType::kNotAvailableTimes;
          kr.activities = acts_of_resources({r});
          for (int t : c.times) kr.slots.push_back(x_.time_slot[t]);
          if (!kr.activities.empty()) in.constraints.push_back(std::move(kr));
        }
      } else if (c.type == "SpreadEventsConstraint") {
        // Modelled when every time group is a day with at most 1: FET's
        // min-days-between of 1 over the group's sub-events.
        bool days_max_one = !c.spreads.empty();
        for (const auto& s : c.spreads) days_max_one = days_max_one && s.max == 1 && s.min == 0;
        if (!days_max_one) {
          ++unsupported_["SpreadEventsConstraint other than at most 1 a day: evaluated, not modelled"];
          continue;
        }
        for (const auto& group : c.event_groups) {
          Constraint kg = k;
          kg.type = ConstraintType::kMinDaysBetweenActivities;
          kg.value = 1;
          for (int e : group) kg.activities.insert(kg.activities.end(), event_acts_[e].begin(), event_acts_[e].end());
          if (kg.activities.size() >= 2) in.constraints.push_back(std::move(kg));
        }
      } else if (c.type == "AvoidClashesConstraint" && !c.required) {
        ++unsupported_["AvoidClashesConstraint (soft): modelled as hard"];
      }
    }
  }

  // ------------------------------------------------------------ solutions
  void ReadSolutions(const pugi::xml_node& groups) {
    for (pugi::xml_node g : groups.children("SolutionGroup")) {
      for (pugi::xml_node s : g.children("Solution")) {
        if (Ref(s) != x_.instance.name) continue;
        XhsttSolution sol;
        sol.group = g.attribute("Id").as_string();
        if (pugi::xml_node rep = s.child("Report")) {
          sol.has_report = true;
          sol.reported_infeasibility = rep.child("InfeasibilityValue").text().as_llong(0);
          sol.reported_objective = rep.child("ObjectiveValue").text().as_llong(0);
        }
        for (pugi::xml_node e : s.child("Events").children("Event")) {
          auto it = event_index_.find(Ref(e));
          if (it == event_index_.end()) continue;
          XhsttSubEvent se;
          se.event = it->second;
          se.duration = e.child("Duration") ? e.child("Duration").text().as_int(1) : x_.event_duration[se.event];
          if (pugi::xml_node t = e.child("Time")) {
            auto ti = time_index_.find(Ref(t));
            se.time = ti == time_index_.end() ? -1 : ti->second;
          }
          sol.sub_events.push_back(se);
        }
        x_.solutions.push_back(std::move(sol));
      }
    }
  }

  const std::string& xml_;
  std::string file_;
  pugi::xml_document doc_;
  XhsttInstance x_;
  bool no_day_ = false;
  std::map<std::string, int> time_index_, resource_index_, event_index_;
  std::map<std::string, std::vector<int>> time_groups_, resource_groups_, event_groups_;
  std::vector<Kind> resource_kind_;
  std::vector<int> resource_model_;
  std::vector<int> event_time_;
  std::vector<std::vector<int>> event_parts_, event_acts_;
  std::vector<int> padding_;
  std::map<std::string, int> unsupported_;
};

int64_t Cost(const XhsttConstraint& k, int64_t dev) {
  if (dev <= 0) return 0;
  if (k.cost_function == "Quadratic") return k.weight * dev * dev;
  if (k.cost_function == "Step") return k.weight;
  return k.weight * dev;
}

}  // namespace

StatusOr<XhsttInstance> ImportXhsttString(const std::string& xml, const std::string& file_name) {
  return Reader(xml, file_name).Run();
}

StatusOr<XhsttInstance> ImportXhsttFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status(StatusCode::kNotFound, "cannot read " + path, "无法读取 " + path, path);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string name = path.substr(path.find_last_of('/') + 1);
  return ImportXhsttString(ss.str(), name);
}

std::vector<XhsttSubEvent> SubEventsOf(const XhsttInstance& x, const Solution& sol) {
  // Our slot back to the XHSTT time at that slot.
  std::vector<int> time_at(x.instance.num_slots(), -1);
  for (int t = 0; t < static_cast<int>(x.time_slot.size()); ++t) time_at[x.time_slot[t]] = t;
  std::vector<XhsttSubEvent> out;
  for (int a = 0; a < static_cast<int>(x.instance.activities.size()); ++a) {
    XhsttSubEvent s;
    s.event = x.activity_event[a];
    s.duration = x.instance.activities[a].duration;
    const int start = a < static_cast<int>(sol.placements.size()) ? sol.placements[a].start : -1;
    s.time = start >= 0 ? time_at[start] : -1;
    out.push_back(s);
  }
  return out;
}

XhsttCost EvaluateXhstt(const XhsttInstance& x, const std::vector<XhsttSubEvent>& subs,
                        std::map<std::string, int64_t>* by_constraint) {
  const int nt = static_cast<int>(x.time_ids.size());
  const int ne = static_cast<int>(x.event_ids.size());
  std::vector<std::vector<const XhsttSubEvent*>> by_event(ne);
  for (const XhsttSubEvent& s : subs)
    if (s.event >= 0 && s.event < ne) by_event[s.event].push_back(&s);
  // resource × time → number of sub-events there (times are consecutive in
  // the file's order, as XHSTT defines a duration).
  const int nr = static_cast<int>(x.resource_ids.size());
  std::vector<std::vector<int>> busy(nr, std::vector<int>(nt, 0));
  for (const XhsttSubEvent& s : subs) {
    if (s.time < 0) continue;
    for (int r : x.event_resources[s.event])
      for (int t = s.time; t < s.time + s.duration && t < nt; ++t) ++busy[r][t];
  }
  XhsttCost cost;
  for (const XhsttConstraint& k : x.evaluated) {
    int64_t total = 0;
    const std::string& t = k.type;
    if (t == "AssignTimeConstraint") {
      for (int e : k.events) {
        int64_t dev = 0;
        for (const XhsttSubEvent* s : by_event[e])
          if (s->time < 0) dev += s->duration;
        // Missing sub-events (an event a solution leaves out) are unassigned too.
        int64_t covered = 0;
        for (const XhsttSubEvent* s : by_event[e]) covered += s->duration;
        dev += std::max<int64_t>(0, x.event_duration[e] - covered);
        total += Cost(k, dev);
      }
    } else if (t == "PreferTimesConstraint") {
      std::vector<char> ok(nt, 0);
      for (int tt : k.times) ok[tt] = 1;
      for (int e : k.events) {
        int64_t dev = 0;
        for (const XhsttSubEvent* s : by_event[e])
          if (s->time >= 0 && (k.duration == 0 || s->duration == k.duration) && !ok[s->time]) dev += s->duration;
        total += Cost(k, dev);
      }
    } else if (t == "SplitEventsConstraint") {
      for (int e : k.events) {
        int64_t dev = 0;
        const int n = static_cast<int>(by_event[e].size());
        for (const XhsttSubEvent* s : by_event[e])
          if (s->duration < k.min_duration || s->duration > k.max_duration) ++dev;
        dev += std::max(0, k.min_amount - n) + std::max(0, n - k.max_amount);
        total += Cost(k, dev);
      }
    } else if (t == "AvoidClashesConstraint") {
      for (int r : k.resources) {
        int64_t dev = 0;
        for (int tt = 0; tt < nt; ++tt) dev += std::max(0, busy[r][tt] - 1);
        total += Cost(k, dev);
      }
    } else if (t == "AvoidUnavailableTimesConstraint") {
      for (int r : k.resources) {
        int64_t dev = 0;
        for (int tt : k.times) dev += busy[r][tt] > 0;
        total += Cost(k, dev);
      }
    } else if (t == "SpreadEventsConstraint") {
      for (const auto& group : k.event_groups) {
        int64_t dev = 0;
        for (const auto& sp : k.spreads) {
          std::vector<char> in(nt, 0);
          for (int tt : sp.times) in[tt] = 1;
          int n = 0;
          for (int e : group)
            for (const XhsttSubEvent* s : by_event[e]) n += s->time >= 0 && in[s->time];
          dev += std::max(0, sp.min - n) + std::max(0, n - sp.max);
        }
        total += Cost(k, dev);
      }
    }
    (k.required ? cost.infeasibility : cost.objective) += total;
    if (by_constraint != nullptr && total != 0) (*by_constraint)[k.type + " " + k.id] += total;
  }
  return cost;
}

}  // namespace edugov::timetable
