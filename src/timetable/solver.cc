#include "timetable/solver.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "common/random.h"
#include "timetable/internal/state.h"

namespace edugov::timetable {
namespace {

using internal::Cost;
using internal::State;

// One hard violation outweighs any plausible soft cost (soft is x100).
constexpr int64_t kHardWeight = 1'000'000;
// Probability of taking the best move when it makes things worse: high
// while clashes remain, low once complete so the soft search does not wander
// off. Measured on the development set, first-complete seconds over seeds
// 1-5 (median). With random probing for conflicted blocks: Spain 0.1 -> 2.7,
// 0.25 -> 2.0, 0.4 -> 1.3, 0.55 -> 1.8. With the conflicted-block list the
// search is insensitive to it: Spain 0.2 -> 0.79, 0.4 -> 0.68, 0.6 -> 0.57;
// shc-2013 0.43 / 0.71 / 0.47.
constexpr double kNoiseHard = 0.4;
constexpr double kNoiseSoft = 0.01;
// Longest Kempe chain tried; longer ones rarely pay and cost linear time.
constexpr size_t kMaxChain = 40;
// A hard violation's weight while repairing (soft x100: 1000 = ten soft
// violations of weight 100). Measured, shc-2013 work to first complete,
// seeds 1-7 (median) and soft cost there: 1e6 (lexicographic) 197k / 138;
// 3000 -> 173k; 1000 -> 118k / 143; 200 -> 246k / 68; 100 -> 730k / 31.
// Spain has next to no soft constraints and does not care. The soft cost
// steers the repair through plateaus; too low and it stops caring about
// clashes.
constexpr int64_t kRepairHardWeight = 1000;
int64_t Scalar(const Cost& c) { return c.hard * kHardWeight + c.soft; }

class Search {
 public:
  Search(const Instance& inst, const SolveParams& p) : st_(inst), p_(p), rng_(p.seed) {
    clock_ = p.clock ? p.clock : [] {
      using namespace std::chrono;
      return duration<double>(steady_clock::now().time_since_epoch()).count();
    };
    t0_ = clock_();
  }

  SolveResult Run() {
    Construct();
    LocalSearch();
    res_.work = work_;
    res_.seconds = clock_() - t0_;
    if (res_.hard > 0) {
      res_.conflicts = st_.StaticConflicts();
      for (std::string& s : HardSummary()) res_.conflicts.push_back(std::move(s));
    }
    return std::move(res_);
  }

 private:
  // The search's own objective: while clashes remain a hard violation
  // weighs hard_weight_ (so the repair keeps an eye on the soft cost);
  // once complete, hard is lexicographically first. The best solution is
  // always judged lexicographically (Scalar).
  int64_t HardWeight() const {
    return st_.cost().hard > 0 || !have_best_ || best_.hard > 0 ? hard_weight_ : kHardWeight;
  }

  bool OutOfBudget() {
    if (p_.work_limit > 0 && work_ >= p_.work_limit) return true;
    if (p_.stop_at_first_complete && res_.first_complete_work >= 0) return true;
    // The clock is read sparingly: it is the safety net, not the pacing.
    if ((++clock_tick_ & 255) == 0) {
      if (clock_() - t0_ >= p_.time_limit_seconds) timed_out_ = true;
      if (p_.cancel != nullptr && p_.cancel->load(std::memory_order_relaxed)) timed_out_ = true;
    }
    return timed_out_;
  }

  void Record() {
    Cost c = st_.cost();
    if (have_best_ && Scalar(c) >= Scalar(best_)) return;
    have_best_ = true;
    best_ = c;
    res_.solution = st_.ToSolution();
    res_.hard = static_cast<int>(c.hard);
    res_.soft = c.soft / 100.0;
    double now = clock_() - t0_;
    if (c.hard == 0 && res_.first_complete_work < 0) {
      res_.first_complete_work = work_;
      res_.first_complete_seconds = now;
    }
    if (p_.on_improvement) p_.on_improvement(Progress{now, work_, res_.hard, res_.soft});
  }

  struct Candidate {
    int start = -1;
    // Compound move: a Kempe-chain swap of b's old start and `start` (all
    // unit-length blocks), else b and the blocks in its way trade places.
    bool swap = false;
  };

  // The (block, new start) moves a candidate stands for; false when the
  // compound move is impossible (a block would leave its domain, the chain
  // is too long, or nothing is in the way).
  bool Moves(int b, const Candidate& c, std::vector<std::pair<int, int>>* moves) {
    moves->clear();
    const int old = st_.start(b);
    if (!c.swap) {
      moves->push_back({b, c.start});
      return true;
    }
    if (old < 0) return false;
    auto unit = [&](int blk) {
      for (int a : st_.block(blk).activities)
        if (st_.instance().activities[a].duration != 1) return false;
      return true;
    };
    auto allowed = [&](int blk, int s) {
      const auto& dom = st_.block(blk).domain;
      return std::binary_search(dom.begin(), dom.end(), s);
    };
    if (unit(b)) {
      // Kempe chain: everything at `old` and `start` that is linked through
      // shared teachers or students trades places, so each resource's
      // occupancy of the two slots is preserved (the ITC 2011 workhorse).
      std::vector<int>& side_a = side_a_;
      std::vector<int>& side_b = side_b_;
      side_a.assign(1, b);
      side_b.clear();
      size_t ia = 0, ib = 0;
      while (ia < side_a.size() || ib < side_b.size()) {
        for (; ia < side_a.size(); ++ia) {
          st_.BlocksInTheWay(side_a[ia], c.start, &way_);
          for (int o : way_)
            if (std::find(side_b.begin(), side_b.end(), o) == side_b.end()) side_b.push_back(o);
        }
        for (; ib < side_b.size(); ++ib) {
          st_.BlocksInTheWay(side_b[ib], old, &way_);
          for (int o : way_)
            if (o != b && std::find(side_a.begin(), side_a.end(), o) == side_a.end()) side_a.push_back(o);
        }
        if (side_a.size() + side_b.size() > kMaxChain) return false;
      }
      if (side_b.empty()) return false;  // same as a plain move
      for (int x : side_a) {
        if (!unit(x) || st_.start(x) != old || !allowed(x, c.start)) return false;
        moves->push_back({x, c.start});
      }
      for (int x : side_b) {
        if (!unit(x) || st_.start(x) != c.start || !allowed(x, old)) return false;
        moves->push_back({x, old});
      }
      return true;
    }
    st_.BlocksInTheWay(b, c.start, &way_);
    const std::vector<int>& others = way_;
    if (others.empty() || others.size() > 4) return false;
    moves->push_back({b, c.start});
    for (int o : others) {
      int ns = old + (st_.start(o) - c.start);
      if (!allowed(o, ns)) return false;
      moves->push_back({o, ns});
    }
    return true;
  }

  // Applies moves and returns the cost change; `undo` receives what is
  // needed to put everything back, in apply order.
  struct Undo {
    int block;
    int start;
    std::vector<int> rooms;
  };
  Cost Apply(const std::vector<std::pair<int, int>>& moves, std::vector<Undo>* undo) {
    // Entries are reused, not reallocated: this runs for every candidate.
    if (undo->size() < moves.size()) undo->resize(moves.size());
    undo_size_ = moves.size();
    for (size_t i = 0; i < moves.size(); ++i) {
      Undo& u = (*undo)[i];
      u.block = moves[i].first;
      u.start = st_.start(u.block);
      u.rooms.clear();
      for (int a : st_.block(u.block).activities) u.rooms.push_back(st_.room(a));
    }
    Cost d;
    for (const auto& [blk, s] : moves) d += st_.Move(blk, s);
    return d;
  }
  void Revert(const std::vector<Undo>& undo) {
    for (size_t i = undo_size_; i-- > 0;) st_.MoveWithRooms(undo[i].block, undo[i].start, undo[i].rooms);
  }

  // Tries starts in the block's domain (a sample of `cap` when larger), as
  // plain moves and, if `swaps`, as swaps; returns the best by scalar delta
  // with a random tie-break, honouring the tabu list unless the move beats
  // the best solution (aspiration).
  Candidate Best(int b, size_t cap, bool use_tabu, bool swaps, int64_t* best_delta) {
    const auto& dom = st_.block(b).domain;
    const int old = st_.start(b);
    Candidate best;
    int ties = 0;
    *best_delta = INT64_MAX;
    size_t n = dom.size();
    size_t offset = n > cap ? rng_.Below(n) : 0;
    size_t count = std::min(n, cap);
    std::vector<Undo> undo;
    std::vector<std::pair<int, int>> moves;
    const bool complete = have_best_ && best_.hard == 0 && st_.cost().hard == 0;
    for (size_t i = 0; i < count; ++i) {
      int s = dom[(offset + i * (n > cap ? 7919 : 1)) % n];
      if (s == old) continue;
      if (use_tabu && tabu_[static_cast<size_t>(b) * slots_ + s] > iter_ && !have_best_) continue;
      for (int k = 0; k < (swaps ? 2 : 1); ++k) {
        Candidate c{s, k == 1};
        if (k == 0 && complete) {
          // Once complete, a plain move onto a busy teacher or class is
          // always rejected (it costs a hard violation): skip it without
          // the apply / undo. The swap with the blocks in the way stays.
          st_.BlocksInTheWay(b, s, &way_);
          if (!way_.empty()) continue;
        }
        if (!Moves(b, c, &moves)) continue;
        work_ += static_cast<int64_t>(moves.size());
        const int64_t hw = HardWeight();  // read before the move changes the state
        const Cost dc = Apply(moves, &undo);
        const int64_t delta = dc.hard * hw + dc.soft;
        const bool beats_best = Scalar(st_.cost()) < Scalar(best_);
        Revert(undo);
        if (use_tabu && tabu_[static_cast<size_t>(b) * slots_ + s] > iter_ && !beats_best) continue;
        if (delta < *best_delta) {
          *best_delta = delta;
          best = c;
          ties = 1;
        } else if (delta == *best_delta && rng_.Below(++ties) == 0) {
          best = c;
        }
      }
    }
    return best;
  }

  void Construct() {
    slots_ = st_.instance().num_slots();
    tabu_.assign(static_cast<size_t>(st_.num_blocks()) * slots_, 0);
    // Most constrained first: smallest domain, then most resource-periods.
    std::vector<int> order(st_.num_blocks());
    std::vector<int64_t> load(order.size(), 0);
    for (int b = 0; b < st_.num_blocks(); ++b) {
      order[b] = b;
      for (int a : st_.block(b).activities) {
        const Activity& act = st_.instance().activities[a];
        load[b] += act.duration * (act.teachers.size() + act.subgroups.size() + 1);
      }
    }
    std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
      size_t dx = st_.block(x).domain.size(), dy = st_.block(y).domain.size();
      if (dx != dy) return dx < dy;
      return load[x] > load[y];
    });
    // Saturation degree (DSatur): next is the unplaced block with the
    // fewest starts where its teachers and students are all free, ties by
    // the static order above. Only blocks sharing a teacher or subgroup
    // with the one just placed can change their count.
    const Instance& in = st_.instance();
    const int nb = st_.num_blocks();
    std::vector<int> rank(nb);
    for (int i = 0; i < nb; ++i) rank[order[i]] = i;
    std::vector<std::vector<int>> by_teacher(in.teachers.size()), by_subgroup(in.num_subgroups);
    for (int b = 0; b < nb; ++b)
      for (int a : st_.block(b).activities) {
        for (int t : in.activities[a].teachers) by_teacher[t].push_back(b);
        for (int g : in.activities[a].subgroups) by_subgroup[g].push_back(b);
      }
    std::vector<int> free(nb), seen(nb, -1);
    std::vector<char> done(nb, 0);
    for (int b = 0; b < nb; ++b) free[b] = st_.FreeStarts(b);
    for (int step = 0; step < nb; ++step) {
      int b = -1;
      for (int x = 0; x < nb; ++x) {
        if (done[x]) continue;
        if (b < 0 || free[x] < free[b] || (free[x] == free[b] && rank[x] < rank[b])) b = x;
      }
      done[b] = 1;
      if (st_.block(b).domain.empty()) continue;
      int64_t delta;
      Candidate c = Best(b, SIZE_MAX, false, false, &delta);
      if (c.start >= 0) st_.Move(b, c.start);
      if (p_.work_limit > 0 && work_ >= p_.work_limit) break;
      auto refresh = [&](const std::vector<int>& blocks) {
        for (int o : blocks)
          if (!done[o] && seen[o] != step) { seen[o] = step; free[o] = st_.FreeStarts(o); }
      };
      for (int a : st_.block(b).activities) {
        for (int t : in.activities[a].teachers) refresh(by_teacher[t]);
        for (int g : in.activities[a].subgroups) refresh(by_subgroup[g]);
      }
    }
    Record();
  }

  void LocalSearch() {
    const int nb = st_.num_blocks();
    if (nb == 0) return;
    std::vector<Undo> undo;
    while (!OutOfBudget()) {
      if (have_best_ && best_.hard == 0 && best_.soft == 0) break;  // nothing left to gain
      ++iter_;
      const bool feasible = st_.cost().hard == 0;
      int b = static_cast<int>(rng_.Below(nb));
      if (!feasible) {
        // Min-conflicts: work on blocks that take part in a hard violation.
        // The list is rebuilt every few iterations (a full scan costs about
        // as much as one move evaluation); random probing missed the few
        // conflicting blocks near the end most of the time.
        if (conflicted_.empty() || iter_ % 8 == 0) {
          conflicted_.clear();
          for (int x = 0; x < nb; ++x)
            if (st_.InHardConflict(x)) conflicted_.push_back(x);
        }
        if (!conflicted_.empty()) b = conflicted_[rng_.Below(conflicted_.size())];
      }
      if (st_.block(b).domain.size() < 2) { ++work_; continue; }
      int64_t delta;
      Candidate c = Best(b, feasible ? 48 : 64, true, true, &delta);
      if (c.start < 0) continue;
      // Improving and sideways moves always; worse ones rarely (random
      // walk), and once complete never at the price of a hard violation.
      if (delta >= kHardWeight && feasible) continue;
      if (delta > 0 && !rng_.Chance(feasible ? kNoiseSoft : kNoiseHard)) continue;
      std::vector<std::pair<int, int>> moves;
      Moves(b, c, &moves);
      Apply(moves, &undo);
      for (size_t i = 0; i < undo_size_; ++i)
        if (const Undo& u = undo[i]; u.start >= 0) tabu_[static_cast<size_t>(u.block) * slots_ + u.start] = iter_ + 8 + static_cast<int64_t>(rng_.Below(12));
      if (Scalar(st_.cost()) < Scalar(best_)) Record();
    }
  }

  void Restore() {
    const Solution& sol = res_.solution;
    for (int b = 0; b < st_.num_blocks(); ++b) {
      std::vector<int> rooms;
      for (int a : st_.block(b).activities) rooms.push_back(sol.placements[a].room);
      st_.MoveWithRooms(b, sol.placements[st_.block(b).activities[0]].start, rooms);
    }
  }

  // Hard violations left in the best solution, by constraint, for the
  // infeasibility report.
  std::vector<std::string> HardSummary() {
    Restore();
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (int b = 0; b < st_.num_blocks() && out.size() < 20; ++b) {
      if (!st_.InHardConflict(b)) continue;
      std::string ids;
      for (int a : st_.block(b).activities) ids += " " + std::to_string(st_.instance().activities[a].id);
      std::string line = "still conflicting in the best timetable: activities" + ids;
      if (seen.insert(line).second) out.push_back(line);
    }
    return out;
  }

  State st_;
  const SolveParams& p_;
  SplitMix64 rng_;
  std::function<double()> clock_;
  double t0_ = 0;
  int64_t work_ = 0;
  int64_t iter_ = 0;
  uint64_t clock_tick_ = 0;
  bool timed_out_ = false;
  int slots_ = 0;
  std::vector<int64_t> tabu_;
  std::vector<int> conflicted_;  // blocks in a hard violation, refreshed lazily
  // Scratch space reused across candidate evaluations (allocation was ~25%
  // of the instructions in the callgrind profile).
  std::vector<int> side_a_, side_b_, way_;
  size_t undo_size_ = 0;  // live entries of the last Apply's undo list
  bool have_best_ = false;
  Cost best_;
  int64_t hard_weight_ = kRepairHardWeight;
  SolveResult res_;
};

}  // namespace

SolveResult Solve(const Instance& inst, const SolveParams& params) {
  if (inst.periods_per_day() > 64 || inst.days.size() > 32) {
    SolveResult r;
    r.hard = static_cast<int>(inst.activities.size());
    r.conflicts.push_back("more than 64 periods a day or 32 days is not supported");
    return r;
  }
  return Search(inst, params).Run();
}

}  // namespace edugov::timetable
