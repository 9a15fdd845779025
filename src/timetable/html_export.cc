#include "timetable/html_export.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

namespace edugov::timetable {
namespace {

std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Clock(int minute) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

// cells[slot] = lines for the activities of `acts` that cover the slot.
std::string Table(const Instance& in, const Solution& sol, const std::string& title,
                  const std::vector<int>& acts, bool show_teacher) {
  const int ppd = in.periods_per_day();
  std::vector<std::vector<std::string>> cells(in.num_slots());
  for (int a : acts) {
    const Placement& p = sol.placements[a];
    if (p.start < 0) continue;
    const Activity& act = in.activities[a];
    std::string line = act.subject >= 0 ? Esc(in.subjects[act.subject].name) : "?";
    std::string who;
    if (show_teacher) {
      for (int t : act.teachers) who += (who.empty() ? "" : ", ") + in.teachers[t].name;
    } else {
      for (int s : act.student_sets) who += (who.empty() ? "" : ", ") + in.student_sets[s].name;
    }
    if (!who.empty()) line += "<br><small>" + Esc(who) + "</small>";
    if (p.room >= 0) line += "<br><small>" + Esc(in.rooms[p.room].name) + "</small>";
    for (int s = p.start; s < p.start + act.duration && s < in.num_slots(); ++s) cells[s].push_back(line);
  }
  std::string h = "<section><h2>" + Esc(title) + "</h2><table><tr><th></th>";
  for (const auto& d : in.days) h += "<th>" + Esc(d) + "</th>";
  h += "</tr>";
  for (int p = 0; p < ppd; ++p) {
    const Period& per = in.periods[p];
    h += "<tr><th>" + Esc(per.name);
    if (per.start_minute >= 0) h += "<br><small>" + Clock(per.start_minute) + "–" + Clock(per.end_minute) + "</small>";
    h += "</th>";
    for (size_t d = 0; d < in.days.size(); ++d) {
      const auto& c = cells[d * ppd + p];
      h += c.size() > 1 ? "<td class=multi>" : "<td>";
      for (size_t i = 0; i < c.size(); ++i) h += (i ? "<hr>" : "") + c[i];
      h += "</td>";
    }
    h += "</tr>";
  }
  return h + "</table></section>\n";
}

}  // namespace

std::string TimetableHtml(const Instance& in, const Solution& sol) {
  std::string h =
      "<!doctype html><html lang=zh><meta charset=utf-8><title>" + Esc(in.name) +
      " 课表 timetable</title><style>body{font-family:sans-serif}table{border-collapse:collapse;"
      "margin-bottom:1em}td,th{border:1px solid #888;padding:2px 6px;text-align:center;min-width:6em;"
      "vertical-align:top}td.multi{background:#fff4d6}section{page-break-after:always}</style>\n"
      "<h1>" + Esc(in.name) + "</h1>\n";
  std::set<int> named_sets;
  for (const Activity& a : in.activities) named_sets.insert(a.student_sets.begin(), a.student_sets.end());
  for (int s : named_sets) {
    std::vector<int> acts;
    const auto& mine = in.student_sets[s].subgroups;
    for (int a = 0; a < static_cast<int>(in.activities.size()); ++a) {
      const auto& g = in.activities[a].subgroups;
      std::vector<int> common;
      std::set_intersection(g.begin(), g.end(), mine.begin(), mine.end(), std::back_inserter(common));
      if (!common.empty()) acts.push_back(a);
    }
    h += Table(in, sol, "班级 class: " + in.student_sets[s].name, acts, true);
  }
  for (int t = 0; t < static_cast<int>(in.teachers.size()); ++t) {
    std::vector<int> acts;
    for (int a = 0; a < static_cast<int>(in.activities.size()); ++a)
      if (std::find(in.activities[a].teachers.begin(), in.activities[a].teachers.end(), t) !=
          in.activities[a].teachers.end())
        acts.push_back(a);
    h += Table(in, sol, "教师 teacher: " + in.teachers[t].name, acts, false);
  }
  return h + "</html>\n";
}

}  // namespace edugov::timetable
