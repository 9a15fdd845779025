#include "timetable/internal/state.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace edugov::timetable::internal {
namespace {

bool Contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// Violations of one unary time constraint by activity `a` starting at `s`,
// with the same counting as the checker.
int UnaryViolations(const Constraint& k, int duration, int s) {
  switch (k.type) {
    case ConstraintType::kPreferredStartingTimes:
      return Contains(k.slots, s) ? 0 : 1;
    case ConstraintType::kPreferredTimeSlots:
      for (int x = s; x < s + duration; ++x)
        if (!Contains(k.slots, x)) return 1;
      return 0;
    case ConstraintType::kNotAvailableTimes: {
      int n = 0;
      for (int x = s; x < s + duration; ++x) n += Contains(k.slots, x);
      return n;
    }
    default:
      return 0;
  }
}

bool IsUnary(ConstraintType t) {
  return t == ConstraintType::kPreferredStartingTimes || t == ConstraintType::kPreferredTimeSlots ||
         t == ConstraintType::kNotAvailableTimes;
}

int Find(std::vector<int>& parent, int x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

}  // namespace

State::State(const Instance& inst) : in_(inst) {
  ppd_ = in_.periods_per_day();
  slots_ = in_.num_slots();
  const int n = static_cast<int>(in_.activities.size());
  room_.assign(n, -1);
  teacher_occ_.assign(in_.teachers.size() * slots_, 0);
  subgroup_occ_.assign(static_cast<size_t>(in_.num_subgroups) * slots_, 0);
  room_occ_.assign(in_.rooms.size() * slots_, 0);
  teacher_at_.assign(teacher_occ_.size(), {});
  subgroup_at_.assign(subgroup_occ_.size(), {});
  if (in_.bell.enabled)
    for (int p : in_.bell.fixed_periods) fixed_mask_ |= 1ULL << p;
  breaks_ = BreakSlots(in_);
  room_na_soft_.assign(room_occ_.size(), 0);
  for (const Constraint& k : in_.constraints) {
    if (k.type != ConstraintType::kRoomNotAvailableTimes) continue;
    for (int r : k.rooms)
      for (int x : k.slots) {
        if (k.hard()) room_occ_[r * slots_ + x] = 1;  // phantom occupant
        else room_na_soft_[r * slots_ + x] += static_cast<int64_t>(k.weight + 0.5);
      }
  }
  BuildBlocks();
  BuildTerms();
  start_.assign(blocks_.size(), -1);
  unplaced_ = n;
  cost_.hard += n;  // every unplaced activity is one hard violation
}

void State::BuildBlocks() {
  const int n = static_cast<int>(in_.activities.size());
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  for (const Constraint& k : in_.constraints) {
    if (k.type != ConstraintType::kActivitiesSameStartingTime || !k.hard()) continue;
    for (size_t i = 1; i < k.activities.size(); ++i)
      parent[Find(parent, k.activities[i])] = Find(parent, k.activities[0]);
  }
  block_of_.assign(n, -1);
  std::map<int, int> root_block;
  for (int a = 0; a < n; ++a) {
    auto [it, fresh] = root_block.try_emplace(Find(parent, a), static_cast<int>(blocks_.size()));
    if (fresh) blocks_.emplace_back();
    block_of_[a] = it->second;
    blocks_[it->second].activities.push_back(a);
  }
  // Unary constraints per activity.
  std::vector<std::vector<int>> unary(n);
  for (int c = 0; c < static_cast<int>(in_.constraints.size()); ++c)
    if (IsUnary(in_.constraints[c].type))
      for (int a : in_.constraints[c].activities) unary[a].push_back(c);
  // Periods no lesson may use: reserved daily slots, and periods starting
  // before the earliest allowed first lesson.
  // 1: reserved, 2: before the first allowed lesson.
  std::vector<char> banned_period(ppd_, 0);
  if (in_.bell.enabled) {
    for (int p : in_.bell.fixed_periods) banned_period[p] = 1;
    for (int p = 0; p < ppd_; ++p)
      if (in_.bell.first_lesson_not_before >= 0 && in_.periods[p].start_minute >= 0 &&
          in_.periods[p].start_minute < in_.bell.first_lesson_not_before)
        banned_period[p] = 2;
  }
  for (Block& blk : blocks_) {
    blk.unary_soft.assign(slots_, 0);
    blk.unary_hard.assign(slots_, 0);
    std::vector<int> geometric;
    std::set<int> restricted;
    for (int s = 0; s < slots_; ++s) {
      bool fits = true, hard_ok = true;
      for (int a : blk.activities) {
        const int dur = in_.activities[a].duration;
        if (s % ppd_ + dur > ppd_) { fits = false; break; }
        for (int p = s % ppd_; p < s % ppd_ + dur; ++p)
          if (banned_period[p]) {
            hard_ok = false;
            ++blk.unary_hard[s];
            (banned_period[p] == 2 ? blk.early_banned : blk.reserved_banned) = true;
          }
        for (int c : unary[a]) {
          const Constraint& k = in_.constraints[c];
          int v = UnaryViolations(k, dur, s);
          if (v == 0) continue;
          if (k.hard()) {
            hard_ok = false;
            blk.unary_hard[s] += v;
            restricted.insert(c);
          } else {
            blk.unary_soft[s] += static_cast<int64_t>(v * k.weight + 0.5);
          }
        }
      }
      if (!fits) continue;
      geometric.push_back(s);
      if (hard_ok) blk.domain.push_back(s);
    }
    blk.restricted_by.assign(restricted.begin(), restricted.end());
    if (blk.domain.empty()) {
      std::string line = "activities";
      for (int a : blk.activities) line += " " + std::to_string(in_.activities[a].id);
      line += ": no start satisfies all of";
      for (int c : blk.restricted_by) line += " {" + in_.constraints[c].source + "}";
      if (blk.restricted_by.empty()) line += " {reserved or too-early periods / day length}";
      static_conflicts_.push_back(line);
      // Keep searching over the geometric starts; the violation then shows
      // in the checker's report of the result.
      blk.domain = geometric;
    }
  }
  // Room domains: intersection of hard preferred rooms, minus rooms too
  // small; soft preferences become per-room costs.
  room_domain_.assign(n, {});
  room_soft_.assign(n, {});
  std::vector<std::vector<int>> hard_rooms(n), soft_rooms(n);
  std::vector<char> has_hard(n, 0);
  for (const Constraint& k : in_.constraints) {
    if (k.type != ConstraintType::kPreferredRooms) continue;
    for (int a : k.activities) {
      if (!k.hard()) continue;
      if (!has_hard[a]) { hard_rooms[a] = k.rooms; has_hard[a] = 1; continue; }
      std::vector<int> keep;
      for (int r : hard_rooms[a]) if (Contains(k.rooms, r)) keep.push_back(r);
      hard_rooms[a] = keep;
    }
  }
  for (int a = 0; a < n; ++a) {
    std::vector<int> dom = hard_rooms[a];
    if (!has_hard[a]) {
      for (const Constraint& k : in_.constraints)
        if (k.type == ConstraintType::kPreferredRooms && !k.hard() && Contains(k.activities, a))
          for (int r : k.rooms) if (!Contains(dom, r)) dom.push_back(r);
    }
    std::vector<int> fit;
    for (int r : dom)
      if (in_.rooms[r].capacity <= 0 || in_.activities[a].num_students <= in_.rooms[r].capacity)
        fit.push_back(r);
    if (has_hard[a] && fit.empty()) {
      static_conflicts_.push_back("activity " + std::to_string(in_.activities[a].id) +
                                  ": its required rooms have no room in common that is big enough");
      fit = dom;
    }
    std::sort(fit.begin(), fit.end());
    room_domain_[a] = fit;
    for (int r : fit) {
      int64_t soft = 0;
      for (const Constraint& k : in_.constraints)
        if (k.type == ConstraintType::kPreferredRooms && !k.hard() && Contains(k.activities, a) &&
            !Contains(k.rooms, r))
          soft += static_cast<int64_t>(k.weight + 0.5);
      room_soft_[a].push_back(soft);
    }
  }
}

void State::BuildTerms() {
  const int n = static_cast<int>(in_.activities.size());
  of_teacher_.assign(in_.teachers.size(), {});
  of_subgroup_.assign(in_.num_subgroups, {});
  for (int a = 0; a < n; ++a) {
    for (int t : in_.activities[a].teachers) of_teacher_[t].push_back(a);
    for (int g : in_.activities[a].subgroups) of_subgroup_[g].push_back(a);
  }
  const auto& of_teacher = of_teacher_;
  const auto& of_subgroup = of_subgroup_;
  for (int c = 0; c < static_cast<int>(in_.constraints.size()); ++c) {
    const Constraint& k = in_.constraints[c];
    Term base;
    base.constraint = c;
    base.type = k.type;
    base.hard = k.hard();
    base.weight = static_cast<int64_t>(k.weight + 0.5);
    base.value = k.value;
    base.consecutive_if_same_day = k.consecutive_if_same_day;
    switch (k.type) {
      case ConstraintType::kActivitiesSameStartingTime: {
        if (k.hard()) break;  // merged into one block
        Term t = base;
        t.activities = k.activities;
        terms_.push_back(t);
        break;
      }
      case ConstraintType::kActivitiesNotOverlapping:
      case ConstraintType::kMinDaysBetweenActivities:
      case ConstraintType::kMinGapsBetweenActivities:
      case ConstraintType::kTwoActivitiesConsecutive: {
        Term t = base;
        t.activities = k.activities;
        terms_.push_back(t);
        break;
      }
      case ConstraintType::kActivitiesEndStudentsDay:
        for (int a : k.activities) {
          Term t = base;
          t.anchor = a;
          std::set<int> acts{a};
          for (int g : in_.activities[a].subgroups) acts.insert(of_subgroup[g].begin(), of_subgroup[g].end());
          t.activities.assign(acts.begin(), acts.end());
          terms_.push_back(t);
        }
        break;
      case ConstraintType::kTeachersMaxHoursDaily:
      case ConstraintType::kTeachersMaxHoursContinuously:
      case ConstraintType::kTeachersMaxGapsPerDay:
        for (int te : k.teachers) {
          Term t = base;
          t.teacher = te;
          for (int a : of_teacher[te])
            if (k.tag < 0 || Contains(in_.activities[a].tags, k.tag)) t.activities.push_back(a);
          if (!t.activities.empty()) terms_.push_back(t);
        }
        break;
      case ConstraintType::kStudentsMaxHoursDaily:
      case ConstraintType::kStudentsMaxHoursContinuously: {
        // Each subgroup once: an "all students" constraint names every set.
        std::set<int> atoms;
        for (int s : k.student_sets) atoms.insert(in_.student_sets[s].subgroups.begin(), in_.student_sets[s].subgroups.end());
        for (int g : atoms) {
          Term t = base;
          t.subgroup = g;
          for (int a : of_subgroup[g])
            if (k.tag < 0 || Contains(in_.activities[a].tags, k.tag)) t.activities.push_back(a);
          if (!t.activities.empty()) terms_.push_back(t);
        }
        break;
      }
      case ConstraintType::kActivitiesGrouped:
      case ConstraintType::kActivitiesSameStartingDay:
      case ConstraintType::kActivitiesSameStartingHour:
      case ConstraintType::kActivitiesOccupyMaxTimeSlotsFromSelection: {
        Term t = base;
        t.activities = k.activities;
        terms_.push_back(t);
        break;
      }
      case ConstraintType::kTeachersMaxGapsPerWeek:
      case ConstraintType::kTeachersMinHoursDaily:
      case ConstraintType::kTeachersMaxDaysPerWeek:
      case ConstraintType::kTeachersIntervalMaxDaysPerWeek:
      case ConstraintType::kTeachersMinDaysPerWeek:
        for (int te : k.teachers) {
          Term t = base;
          t.teacher = te;
          t.activities = of_teacher[te];
          t.allow_empty_days = k.allow_empty_days;
          t.interval = IntervalBits(k);
          // Only the gap and late-start types read the ignore mask.
          if (k.type == ConstraintType::kTeachersMaxGapsPerWeek) t.ignore = IgnoreMask(te, -1);
          // A teacher without lessons can break only "no empty days" and a
          // minimum of days — which fewer lessons than days can never meet
          // (FET refuses such a file: "impossible").
          if (k.type == ConstraintType::kTeachersMinDaysPerWeek &&
              static_cast<int>(of_teacher[te].size()) < k.value)
            static_conflicts_.push_back("{" + k.source + "}: teacher " + in_.teachers[te].name + " has " +
                                        std::to_string(of_teacher[te].size()) + " lessons, fewer than " +
                                        std::to_string(k.value) + " days");
          if (!t.activities.empty() || !k.allow_empty_days || k.type == ConstraintType::kTeachersMinDaysPerWeek)
            terms_.push_back(t);
        }
        break;
      case ConstraintType::kStudentsMaxGapsPerWeek:
      case ConstraintType::kStudentsMaxGapsPerDay:
      case ConstraintType::kStudentsMinHoursDaily:
      case ConstraintType::kStudentsEarlyMaxBeginningsAtSecondHour:
      case ConstraintType::kStudentsIntervalMaxDaysPerWeek: {
        std::set<int> atoms;
        for (int s : k.student_sets) atoms.insert(in_.student_sets[s].subgroups.begin(), in_.student_sets[s].subgroups.end());
        for (int g : atoms) {
          Term t = base;
          t.subgroup = g;
          t.activities = of_subgroup[g];
          t.allow_empty_days = k.allow_empty_days;
          t.interval = IntervalBits(k);
          if (k.type != ConstraintType::kStudentsIntervalMaxDaysPerWeek) t.ignore = IgnoreMask(-1, g);
          if (!t.activities.empty() || !k.allow_empty_days) terms_.push_back(t);
        }
        break;
      }
      case ConstraintType::kWeeklyPeriods: {
        // Fixed by the instance, not by placement: a constant.
        int total = 0;
        for (int a : k.activities) total += in_.activities[a].duration;
        if (total < k.value) {
          if (k.hard()) cost_.hard += 1; else cost_.soft += base.weight;
          static_conflicts_.push_back("{" + k.source + "}: the instance gives " + std::to_string(total) +
                                      " periods, the plan requires at least " + std::to_string(k.value));
        }
        break;
      }
      default:
        break;  // unary and room constraints live in the blocks and room domains
    }
  }
  const size_t ndays = in_.days.size();
  for (Term& t : terms_) {
    switch (t.type) {
      case ConstraintType::kTeachersMaxHoursDaily:
      case ConstraintType::kTeachersMaxHoursContinuously:
      case ConstraintType::kTeachersMaxGapsPerDay:
      case ConstraintType::kStudentsMaxHoursDaily:
      case ConstraintType::kStudentsMaxHoursContinuously:
      case ConstraintType::kTeachersMaxGapsPerWeek:
      case ConstraintType::kTeachersMinHoursDaily:
      case ConstraintType::kTeachersMaxDaysPerWeek:
      case ConstraintType::kStudentsMaxGapsPerWeek:
      case ConstraintType::kStudentsMaxGapsPerDay:
      case ConstraintType::kStudentsMinHoursDaily:
      case ConstraintType::kStudentsEarlyMaxBeginningsAtSecondHour:
      case ConstraintType::kTeachersIntervalMaxDaysPerWeek:
      case ConstraintType::kStudentsIntervalMaxDaysPerWeek:
      case ConstraintType::kTeachersMinDaysPerWeek:
        t.profile = true;
        t.count.assign(slots_, 0);
        t.day_bits.assign(ndays, 0);
        t.day_v.assign(ndays, 0);
        // Nothing placed yet: only "no empty days" can be broken.
        for (size_t d = 0; d < ndays; ++d) {
          t.day_v[d] = DayViolations(t, static_cast<int>(d), 0);
          t.v += t.day_v[d];
        }
        t.cached = ProfileCost(t);
        cost_ += t.cached;
        break;
      default:
        break;
    }
  }
  terms_of_.assign(n, {});
  for (int t = 0; t < static_cast<int>(terms_.size()); ++t)
    for (int a : terms_[t].activities) terms_of_[a].push_back(t);
  stamp_.assign(terms_.size(), 0);
}

bool State::Follows(int a, int b) const {
  const int end = Start(a) + in_.activities[a].duration;
  if (Day(a) != Day(b) || Start(b) < end) return false;
  for (int s = end; s < Start(b); ++s)
    if (!breaks_[s]) return false;
  return true;
}

uint64_t State::IntervalBits(const Constraint& k) {
  uint64_t bits = 0;
  for (int p = k.interval_begin; p < k.interval_end && p < 64; ++p) bits |= 1ULL << p;
  return bits;
}

std::vector<uint64_t> State::IgnoreMask(int te, int g) const {
  std::vector<uint64_t> mask(in_.days.size(), 0);
  auto add = [&](int x) { mask[x / ppd_] |= 1ULL << (x % ppd_); };
  for (int x = 0; x < slots_; ++x)
    if (breaks_[x]) add(x);
  for (const Constraint& k : in_.constraints) {
    if (k.type != ConstraintType::kNotAvailableTimes || !k.hard()) continue;
    bool mine = te >= 0 && Contains(k.teachers, te);
    for (int s : k.student_sets)
      if (g >= 0 && std::binary_search(in_.student_sets[s].subgroups.begin(), in_.student_sets[s].subgroups.end(), g))
        mine = true;
    if (mine)
      for (int x : k.slots) add(x);
  }
  return mask;
}

int64_t State::WeekViolations(const Term& t, int64_t v) {
  switch (t.type) {
    case ConstraintType::kTeachersMaxGapsPerWeek:
    case ConstraintType::kStudentsMaxGapsPerWeek:
    case ConstraintType::kTeachersMaxDaysPerWeek:
    case ConstraintType::kTeachersIntervalMaxDaysPerWeek:
    case ConstraintType::kStudentsIntervalMaxDaysPerWeek:
      return v > t.value ? v - t.value : 0;
    case ConstraintType::kTeachersMinDaysPerWeek:
      return v < t.value ? t.value - v : 0;
    case ConstraintType::kStudentsEarlyMaxBeginningsAtSecondHour: {
      // Day measure = late start + 1000 x "later than the second period".
      const int64_t late = v % 1000;
      return v / 1000 + (late > t.value ? late - t.value : 0);
    }
    default:
      return v;
  }
}

Cost State::ProfileCost(const Term& t) const {
  Cost c;
  const int64_t v = WeekViolations(t, t.v);
  if (t.hard) c.hard = v; else c.soft = v * t.weight;
  return c;
}

int64_t State::DayViolations(const Term& t, int day, uint64_t bits) const {
  const int hours = __builtin_popcountll(bits);
  switch (t.type) {
    case ConstraintType::kTeachersMinHoursDaily:
    case ConstraintType::kStudentsMinHoursDaily:
      return (hours > 0 && hours < t.value) || (hours == 0 && !t.allow_empty_days) ? 1 : 0;
    case ConstraintType::kTeachersMaxDaysPerWeek:
    case ConstraintType::kTeachersMinDaysPerWeek:
      return bits ? 1 : 0;
    case ConstraintType::kTeachersIntervalMaxDaysPerWeek:
    case ConstraintType::kStudentsIntervalMaxDaysPerWeek:
      return bits & t.interval ? 1 : 0;
    case ConstraintType::kTeachersMaxGapsPerWeek:
    case ConstraintType::kStudentsMaxGapsPerWeek:
    case ConstraintType::kStudentsMaxGapsPerDay: {
      if (!bits) return 0;
      const int low = __builtin_ctzll(bits);
      const int span = 64 - __builtin_clzll(bits) - low;
      const uint64_t inside = ((span >= 64 ? ~0ULL : (1ULL << span) - 1) << low) & ~bits;
      const int64_t idle = __builtin_popcountll(inside & ~t.ignore[day]);
      if (t.type == ConstraintType::kStudentsMaxGapsPerDay) return idle > t.value ? idle - t.value : 0;
      return idle;
    }
    case ConstraintType::kStudentsEarlyMaxBeginningsAtSecondHour: {
      if (!bits) return 0;
      const uint64_t countable = ~t.ignore[day] & (ppd_ >= 64 ? ~0ULL : (1ULL << ppd_) - 1);
      if (!countable) return 0;
      const int first = __builtin_ctzll(countable);
      if (bits >> first & 1) return 0;
      const int lesson = __builtin_ctzll(bits);
      const int free_before = __builtin_popcountll(countable & ((1ULL << lesson) - 1));
      return 1 + (free_before > 1 ? 1000 : 0);
    }
    default:
      break;
  }
  if (!bits) return 0;
  switch (t.type) {
    case ConstraintType::kTeachersMaxHoursDaily:
    case ConstraintType::kStudentsMaxHoursDaily:
      return hours > t.value ? 1 : 0;
    case ConstraintType::kTeachersMaxGapsPerDay: {
      const int low = __builtin_ctzll(bits);
      const int span = 64 - __builtin_clzll(bits) - low;
      // Reserved periods inside the span are not idle time.
      const uint64_t inside = ((span >= 64 ? ~0ULL : (1ULL << span) - 1) << low) & ~bits;
      const int idle = span - hours - __builtin_popcountll(inside & fixed_mask_);
      return idle > t.value ? idle - t.value : 0;
    }
    default: {  // max hours continuously: one violation per run that is too long
      if (hours <= t.value) return 0;
      int64_t v = 0;
      int run = 0;
      for (int p = 0; p <= ppd_; ++p) {
        if (p < ppd_ && (bits >> p & 1)) { ++run; continue; }
        if (run > t.value) ++v;
        run = 0;
      }
      return v;
    }
  }
}

void State::ProfileUpdate(Term& t, int a, int start, int sign) {
  const int dur = in_.activities[a].duration;
  const int d = start / ppd_;
  for (int s = start; s < start + dur; ++s) {
    const int p = s % ppd_;
    if (sign > 0) {
      if (t.count[s]++ == 0) t.day_bits[d] |= 1ULL << p;
    } else {
      if (--t.count[s] == 0) t.day_bits[d] &= ~(1ULL << p);
    }
  }
}

Cost State::EvalTerm(const Term& t) const {
  int64_t v = 0;
  auto dur = [&](int a) { return in_.activities[a].duration; };
  switch (t.type) {
    case ConstraintType::kActivitiesNotOverlapping:
      for (size_t i = 0; i < t.activities.size(); ++i)
        for (size_t j = i + 1; j < t.activities.size(); ++j) {
          int a = t.activities[i], b = t.activities[j];
          if (Placed(a) && Placed(b) && Start(a) < Start(b) + dur(b) && Start(b) < Start(a) + dur(a)) ++v;
        }
      break;
    case ConstraintType::kActivitiesSameStartingTime: {
      int first = t.activities[0];
      for (size_t i = 1; i < t.activities.size(); ++i)
        if (Placed(first) && Placed(t.activities[i]) && Start(t.activities[i]) != Start(first)) ++v;
      break;
    }
    case ConstraintType::kMinDaysBetweenActivities:
      for (size_t i = 0; i < t.activities.size(); ++i)
        for (size_t j = i + 1; j < t.activities.size(); ++j) {
          int a = t.activities[i], b = t.activities[j];
          if (!Placed(a) || !Placed(b)) continue;
          if (std::abs(Day(a) - Day(b)) >= t.value) continue;
          ++v;
          if (t.consecutive_if_same_day && Day(a) == Day(b) && !Follows(a, b) && !Follows(b, a)) ++v;
        }
      break;
    case ConstraintType::kActivitiesSameStartingHour:
      for (size_t i = 0; i < t.activities.size(); ++i)
        for (size_t j = i + 1; j < t.activities.size(); ++j) {
          int a = t.activities[i], b = t.activities[j];
          if (Placed(a) && Placed(b) && Start(a) % ppd_ != Start(b) % ppd_) ++v;
        }
      break;
    case ConstraintType::kMinGapsBetweenActivities:
      for (size_t i = 0; i < t.activities.size(); ++i)
        for (size_t j = i + 1; j < t.activities.size(); ++j) {
          int a = t.activities[i], b = t.activities[j];
          if (!Placed(a) || !Placed(b) || Day(a) != Day(b)) continue;
          if (Start(b) <= Start(a)) std::swap(a, b);  // ties: the later-listed first, as FET
          const int short_by = Start(a) + dur(a) + t.value - Start(b);
          if (short_by > 0) v += short_by;
        }
      break;
    case ConstraintType::kTwoActivitiesConsecutive: {
      int a = t.activities[0], b = t.activities[1];
      if (Placed(a) && Placed(b) && !Follows(a, b)) ++v;
      break;
    }
    case ConstraintType::kActivitiesGrouped: {
      for (int a : t.activities)
        if (!Placed(a)) return Cost{};
      const auto& x = t.activities;
      bool ok;
      if (x.size() == 2) {
        ok = Follows(x[0], x[1]) || Follows(x[1], x[0]);
      } else {
        ok = false;
        const int p[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (const auto& q : p) ok = ok || (Follows(x[q[0]], x[q[1]]) && Follows(x[q[1]], x[q[2]]));
      }
      v = ok ? 0 : 1;
      break;
    }
    case ConstraintType::kActivitiesSameStartingDay:
      for (size_t i = 0; i < t.activities.size(); ++i)
        for (size_t j = i + 1; j < t.activities.size(); ++j) {
          int a = t.activities[i], b = t.activities[j];
          if (Placed(a) && Placed(b) && Day(a) != Day(b)) ++v;
        }
      break;
    case ConstraintType::kActivitiesOccupyMaxTimeSlotsFromSelection: {
      const Constraint& k = in_.constraints[t.constraint];
      int64_t occupied = 0;
      for (int x : k.slots)
        for (int a : t.activities)
          if (Placed(a) && Start(a) <= x && x < Start(a) + dur(a)) { ++occupied; break; }
      v = occupied > t.value ? occupied - t.value : 0;
      break;
    }
    case ConstraintType::kActivitiesEndStudentsDay: {
      int a = t.anchor;
      if (!Placed(a)) break;
      for (int b : t.activities)
        if (b != a && Placed(b) && Day(b) == Day(a) && Start(b) >= Start(a) + dur(a)) { ++v; break; }
      break;
    }
    case ConstraintType::kTeachersMaxHoursDaily:
    case ConstraintType::kTeachersMaxHoursContinuously:
    case ConstraintType::kTeachersMaxGapsPerDay:
    case ConstraintType::kStudentsMaxHoursDaily:
    case ConstraintType::kStudentsMaxHoursContinuously: {
      // Bitmap of occupied periods per day; ppd <= 64 is checked by the solver.
      const int ndays = static_cast<int>(in_.days.size());
      uint64_t day_bits[32] = {0};
      for (int a : t.activities) {
        if (!Placed(a)) continue;
        int d = Day(a), p = Start(a) % ppd_;
        if (d < 32) day_bits[d] |= ((dur(a) >= 64 ? ~0ULL : ((1ULL << dur(a)) - 1)) << p);
      }
      for (int d = 0; d < ndays && d < 32; ++d) {
        uint64_t bits = day_bits[d];
        if (!bits) continue;
        int hours = __builtin_popcountll(bits);
        if (t.type == ConstraintType::kTeachersMaxHoursDaily || t.type == ConstraintType::kStudentsMaxHoursDaily) {
          if (hours > t.value) ++v;
        } else if (t.type == ConstraintType::kTeachersMaxGapsPerDay) {
          int span = 64 - __builtin_clzll(bits) - __builtin_ctzll(bits);
          // Reserved periods inside the span are not idle time.
          uint64_t inside = ((span >= 64 ? ~0ULL : (1ULL << span) - 1) << __builtin_ctzll(bits)) & ~bits;
          int idle = span - hours - __builtin_popcountll(inside & fixed_mask_);
          if (idle > t.value) v += idle - t.value;
        } else {
          int run = 0;
          for (int p = 0; p <= ppd_; ++p) {
            if (p < ppd_ && (bits >> p & 1)) { ++run; continue; }
            if (run > t.value) ++v;
            run = 0;
          }
        }
      }
      break;
    }
    default:
      break;
  }
  Cost c;
  if (t.hard) c.hard = v; else c.soft = v * t.weight;
  return c;
}

Cost State::PlaceActivity(int a, int start, int room, int sign) {
  Cost d;
  const Activity& act = in_.activities[a];
  auto bump = [&](int& cell) {
    if (sign > 0) { if (cell >= 1) ++d.hard; ++cell; }
    else { --cell; if (cell >= 1) --d.hard; }
  };
  auto track = [&](std::vector<int>& cell) {
    if (sign > 0) {
      cell.push_back(a);
    } else {
      auto it = std::find(cell.begin(), cell.end(), a);
      if (it != cell.end()) { *it = cell.back(); cell.pop_back(); }
    }
  };
  for (int s = start; s < start + act.duration; ++s) {
    for (int t : act.teachers) {
      bump(teacher_occ_[t * slots_ + s]);
      track(teacher_at_[t * slots_ + s]);
    }
    for (int g : act.subgroups) {
      const size_t cell = static_cast<size_t>(g) * slots_ + s;
      bump(subgroup_occ_[cell]);
      track(subgroup_at_[cell]);
    }
    if (room >= 0) {
      bump(room_occ_[room * slots_ + s]);
      d.soft += sign * room_na_soft_[room * slots_ + s];
    }
  }
  if (room >= 0) {
    const auto& dom = room_domain_[a];
    auto it = std::find(dom.begin(), dom.end(), room);
    if (it != dom.end()) d.soft += sign * room_soft_[a][it - dom.begin()];
  }
  return d;
}

Cost State::Move(int b, int start) { return MoveImpl(b, start, nullptr); }

Cost State::MoveWithRooms(int b, int start, const std::vector<int>& rooms) {
  return MoveImpl(b, start, rooms.data());
}

Cost State::MoveImpl(int b, int start, const int* rooms) {
  Block& blk = blocks_[b];
  Cost d;
  const int old = start_[b];
  if (old >= 0) {
    d.soft -= blk.unary_soft[old];
    d.hard -= blk.unary_hard[old];
    for (int a : blk.activities) {
      d += PlaceActivity(a, old, room_[a], -1);
      room_[a] = -1;
      for (int t : terms_of_[a])
        if (terms_[t].profile) ProfileUpdate(terms_[t], a, old, -1);
    }
  } else {
    d.hard -= static_cast<int64_t>(blk.activities.size());
  }
  start_[b] = start;
  if (start >= 0) {
    d.soft += blk.unary_soft[start];
    d.hard += blk.unary_hard[start];
    for (size_t i = 0; i < blk.activities.size(); ++i) {
      int a = blk.activities[i];
      int r = rooms ? rooms[i] : -2;
      if (r == -2) {
        r = -1;
        int64_t best = INT64_MAX;
        const auto& dom = room_domain_[a];
        for (size_t j = 0; j < dom.size(); ++j) {
          int64_t clash = 0;
          int64_t na_soft = 0;
          for (int s = start; s < start + in_.activities[a].duration; ++s) {
            clash += room_occ_[dom[j] * slots_ + s];
            na_soft += room_na_soft_[dom[j] * slots_ + s];
          }
          int64_t score = clash * 1000000 + room_soft_[a][j] + na_soft;
          if (score < best) { best = score; r = dom[j]; }
        }
      }
      room_[a] = r;
      d += PlaceActivity(a, start, r, +1);
      for (int t : terms_of_[a])
        if (terms_[t].profile) ProfileUpdate(terms_[t], a, start, +1);
    }
  } else {
    d.hard += static_cast<int64_t>(blk.activities.size());
  }
  ++stamp_now_;
  const int d_old = old >= 0 ? old / ppd_ : -1;
  const int d_new = start >= 0 ? start / ppd_ : -1;
  for (int a : blk.activities)
    for (int ti : terms_of_[a]) {
      if (stamp_[ti] == stamp_now_) continue;
      stamp_[ti] = stamp_now_;
      Term& t = terms_[ti];
      Cost now;
      if (t.profile) {
        for (int k = 0; k < 2; ++k) {
          const int day = k == 0 ? d_old : d_new;
          if (day < 0 || (k == 1 && d_new == d_old)) continue;
          const int64_t v = DayViolations(t, day, t.day_bits[day]);
          t.v += v - t.day_v[day];
          t.day_v[day] = v;
        }
        now = ProfileCost(t);
      } else {
        now = EvalTerm(t);
      }
      d += now - t.cached;
      t.cached = now;
    }
  cost_ += d;
  return d;
}

std::vector<int> State::BlocksInTheWay(int b, int start) const {
  std::vector<int> out;
  BlocksInTheWay(b, start, &out);
  return out;
}

void State::BlocksInTheWay(int b, int start, std::vector<int>* out_ptr) const {
  std::vector<int>& out = *out_ptr;
  out.clear();
  auto consider = [&](const std::vector<int>& cell) {
    for (int o : cell) {
      int ob = block_of_[o];
      if (ob != b && !Contains(out, ob)) out.push_back(ob);
    }
  };
  for (int a : blocks_[b].activities) {
    const Activity& act = in_.activities[a];
    // Callers may ask about a start the block cannot take (Kempe chains
    // probe first, validate later): stay inside the week.
    for (int x = start; x < start + act.duration && x < slots_; ++x) {
      for (int t : act.teachers) consider(teacher_at_[t * slots_ + x]);
      for (int g : act.subgroups) consider(subgroup_at_[static_cast<size_t>(g) * slots_ + x]);
    }
  }
}

int State::FreeStarts(int b) const {
  int n = 0;
  for (int s0 : blocks_[b].domain) {
    bool free = blocks_[b].unary_hard[s0] == 0;
    for (size_t i = 0; free && i < blocks_[b].activities.size(); ++i) {
      const Activity& act = in_.activities[blocks_[b].activities[i]];
      for (int s = s0; free && s < s0 + act.duration; ++s) {
        for (int t : act.teachers) if (teacher_occ_[t * slots_ + s] > 0) { free = false; break; }
        if (!free) break;
        for (int g : act.subgroups)
          if (subgroup_occ_[static_cast<size_t>(g) * slots_ + s] > 0) { free = false; break; }
      }
    }
    n += free;
  }
  return n;
}

bool State::InHardConflict(int b) const {
  const int s0 = start_[b];
  if (s0 < 0 || blocks_[b].unary_hard[s0] > 0) return true;
  for (int a : blocks_[b].activities) {
    const Activity& act = in_.activities[a];
    for (int s = s0; s < s0 + act.duration; ++s) {
      for (int t : act.teachers) if (teacher_occ_[t * slots_ + s] > 1) return true;
      for (int g : act.subgroups) if (subgroup_occ_[static_cast<size_t>(g) * slots_ + s] > 1) return true;
      if (room_[a] >= 0 && room_occ_[room_[a] * slots_ + s] > 1) return true;
    }
    for (int t : terms_of_[a]) if (terms_[t].cached.hard > 0) return true;
  }
  return false;
}

Solution State::ToSolution() const {
  Solution sol;
  sol.placements.resize(in_.activities.size());
  for (size_t a = 0; a < in_.activities.size(); ++a) {
    sol.placements[a].start = start_[block_of_[a]];
    sol.placements[a].room = room_[a];
  }
  return sol;
}

std::vector<std::string> State::StaticConflicts() const {
  std::vector<std::string> out = static_conflicts_;
  // Over-full resources (a counting / Hall's-condition argument): a set of
  // activities of one teacher or one student subgroup needs more periods
  // than the union of the periods its activities may use. The explanation
  // is then shrunk by deletion: first activities (the smallest Hall
  // violator among the candidate subsets), then constraints — each listed
  // constraint is necessary, without any one of them the count would fit.
  // Pseudo-constraints -1 and -2 stand for the plan norms (first lesson,
  // reserved periods).
  std::vector<int> banned_period(ppd_, 0);
  if (in_.bell.enabled) {
    for (int p : in_.bell.fixed_periods) banned_period[p] = -2;
    for (int p = 0; p < ppd_; ++p)
      if (in_.bell.first_lesson_not_before >= 0 && in_.periods[p].start_minute >= 0 &&
          in_.periods[p].start_minute < in_.bell.first_lesson_not_before)
        banned_period[p] = -1;
  }
  // Per block, computed once: which starts fit the day, and for each
  // restricting constraint the starts it forbids (scanning constraint
  // activity lists inside the deletion loop made this seconds long on a
  // school the size of the Spanish example).
  struct Forbid {
    int constraint;
    std::vector<char> start;  // per slot: 1 = forbidden by this constraint
  };
  std::vector<std::vector<Forbid>> forbid(blocks_.size());
  std::vector<std::vector<char>> fits(blocks_.size());
  std::vector<char> built(blocks_.size(), 0);
  auto build = [&](int b) {
    if (built[b]) return;
    built[b] = 1;
    const Block& blk = blocks_[b];
    fits[b].assign(slots_, 1);
    for (int s = 0; s < slots_; ++s)
      for (int x : blk.activities)
        if (s % ppd_ + in_.activities[x].duration > ppd_) fits[b][s] = 0;
    for (int c : blk.restricted_by) {
      const Constraint& k = in_.constraints[c];
      Forbid f{c, std::vector<char>(slots_, 0)};
      for (int x : blk.activities) {
        if (!Contains(k.activities, x)) continue;
        for (int s = 0; s < slots_; ++s)
          if (fits[b][s] && UnaryViolations(k, in_.activities[x].duration, s) > 0) f.start[s] = 1;
      }
      forbid[b].push_back(std::move(f));
    }
  };
  // Periods an activity may cover with only `active` (sorted) restrictions on.
  auto usable = [&](const std::vector<int>& acts, const std::vector<int>& active) {
    std::vector<char> cover(slots_, 0);
    auto on = [&](int c) { return std::binary_search(active.begin(), active.end(), c); };
    const bool early_on = on(-1), reserved_on = on(-2);
    for (int a : acts) {
      const int b = block_of_[a];
      build(b);
      const Block& blk = blocks_[b];
      const int dur = in_.activities[a].duration;
      // The block's longest activity decides which periods a start covers
      // for the banned-period test (all activities of a block start together).
      int span = 0;
      for (int x : blk.activities) span = std::max(span, in_.activities[x].duration);
      std::vector<const Forbid*> live;
      for (const Forbid& f : forbid[b])
        if (on(f.constraint)) live.push_back(&f);
      for (int s = 0; s < slots_; ++s) {
        if (!fits[b][s]) continue;
        bool ok = true;
        for (int p = s % ppd_; ok && p < s % ppd_ + span; ++p)
          if ((banned_period[p] == -1 && early_on) || (banned_period[p] == -2 && reserved_on)) ok = false;
        for (size_t i = 0; ok && i < live.size(); ++i)
          if (live[i]->start[s]) ok = false;
        if (ok)
          for (int x = s; x < s + dur; ++x) cover[x] = 1;
      }
    }
    return static_cast<int>(std::count(cover.begin(), cover.end(), 1));
  };
  auto need_of = [&](const std::vector<int>& acts) {
    int need = 0;
    for (int a : acts) need += in_.activities[a].duration;
    return need;
  };
  auto explain = [&](const std::string& who, std::vector<int> acts, std::vector<int> active) {
    // Deletion over the constraints, in a fixed order (deterministic).
    for (size_t i = 0; i < active.size();) {
      std::vector<int> without = active;
      without.erase(without.begin() + static_cast<long>(i));
      if (need_of(acts) > usable(acts, without)) active = without; else ++i;
    }
    std::string line = who + " needs " + std::to_string(need_of(acts)) + " periods but only " +
                       std::to_string(usable(acts, active)) + " are usable under";
    for (int c : active) {
      if (c >= 0) { line += " {" + in_.constraints[c].source + "}"; continue; }
      if (c == -1) {
        const int m = in_.bell.first_lesson_not_before;
        const std::string& clause = in_.bell.first_lesson_clause;
        line += " {plan norm: first lesson not before " + std::to_string(m / 60) + ":" +
                (m % 60 < 10 ? "0" : "") + std::to_string(m % 60) +
                (clause.empty() ? "" : " (clause " + clause + ")") + "}";
      } else {
        const std::string& clause = in_.bell.reserved_clause;
        line += " {reserved daily periods: 大课间 / eye exercises" + (clause.empty() ? "" : " (clause " + clause + ")") +
                "}";
      }
    }
    if (active.empty()) line += " {the week's length}";
    if (acts.size() <= 8) {
      line += " (activities";
      for (int a : acts) line += " " + std::to_string(in_.activities[a].id);
      line += ")";
    }
    line += "; a minimal set: without any one of these constraints the periods would suffice";
    out.push_back(line);
  };
  auto check = [&](const std::string& who, const std::vector<int>& acts) {
    if (acts.empty()) return;
    std::vector<int> all;
    for (int a : acts) {
      const Block& blk = blocks_[block_of_[a]];
      all.insert(all.end(), blk.restricted_by.begin(), blk.restricted_by.end());
      if (blk.early_banned) all.push_back(-1);
      if (blk.reserved_banned) all.push_back(-2);
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    if (need_of(acts) > usable(acts, all)) {
      explain(who, acts, all);
      return;
    }
    // Hall's condition on the candidate subsets "activities whose usable
    // periods lie inside those of activity a"; the first violator found,
    // shrunk by deletion of activities, is reported.
    std::vector<std::vector<char>> cov(acts.size(), std::vector<char>(slots_, 0));
    for (size_t i = 0; i < acts.size(); ++i) {
      const Block& blk = blocks_[block_of_[acts[i]]];
      for (int s : blk.domain)
        for (int x = s; x < s + in_.activities[acts[i]].duration && x < slots_; ++x) cov[i][x] = 1;
    }
    for (size_t i = 0; i < acts.size(); ++i) {
      std::vector<int> sub;
      for (size_t j = 0; j < acts.size(); ++j) {
        bool inside = true;
        for (int x = 0; x < slots_ && inside; ++x) inside = !cov[j][x] || cov[i][x];
        if (inside) sub.push_back(acts[j]);
      }
      if (need_of(sub) <= usable(sub, all)) continue;
      for (size_t k = 0; k < sub.size();) {
        std::vector<int> without = sub;
        without.erase(without.begin() + static_cast<long>(k));
        if (!without.empty() && need_of(without) > usable(without, all)) sub = without; else ++k;
      }
      explain(who, sub, all);
      return;
    }
  };
  std::vector<std::vector<int>> of_teacher(in_.teachers.size()), of_subgroup(in_.num_subgroups);
  for (int a = 0; a < static_cast<int>(in_.activities.size()); ++a) {
    for (int t : in_.activities[a].teachers) of_teacher[t].push_back(a);
    for (int g : in_.activities[a].subgroups) of_subgroup[g].push_back(a);
  }
  for (size_t t = 0; t < of_teacher.size(); ++t) check("teacher " + in_.teachers[t].name, of_teacher[t]);
  for (size_t g = 0; g < of_subgroup.size(); ++g) check("students " + in_.subgroup_names[g], of_subgroup[g]);
  return out;
}

}  // namespace edugov::timetable::internal
