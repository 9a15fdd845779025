// Incremental evaluation for the solver (internal; not a public API).
//
// State owns the current placement of every block and keeps resource
// occupancy counters (teacher x slot, subgroup x slot, room x slot) plus a
// cached cost per "term" (one non-unary constraint piece: a min-days group,
// one teacher's daily-hours limit, ...). Moving a block updates the counters
// and re-evaluates only the terms that mention its activities, so a move
// costs O(resources x duration + affected terms), not O(instance).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "timetable/model.h"

namespace edugov::timetable::internal {

// Costs are kept as integers: hard violations, and soft cost in units of
// 1/100 of a violation (FET weight percentages are integers in practice).
struct Cost {
  int64_t hard = 0;
  int64_t soft = 0;  // x100
  Cost& operator+=(const Cost& o) { hard += o.hard; soft += o.soft; return *this; }
  Cost& operator-=(const Cost& o) { hard -= o.hard; soft -= o.soft; return *this; }
  friend Cost operator-(Cost a, const Cost& b) { return a -= b; }
  friend Cost operator+(Cost a, const Cost& b) { return a += b; }
};

struct Term {
  int constraint = -1;
  ConstraintType type{};
  bool hard = true;
  int64_t weight = 100;            // soft weight x100 per violation
  std::vector<int> activities;     // activities it reads
  int teacher = -1;                // for teacher profile terms
  int subgroup = -1;               // for students profile terms
  int anchor = -1;                 // for end-students-day: the constrained activity
  int value = 0;
  bool consecutive_if_same_day = false;
  Cost cached;
  // Profile terms (teacher / students daily hours, continuous hours, gaps)
  // are kept incrementally: occupancy count per slot, occupied-period bits
  // per day and violations per day, so a move re-evaluates only the (at
  // most two) days it touches instead of every activity of the resource.
  bool profile = false;
  std::vector<uint16_t> count;    // per slot
  std::vector<uint64_t> day_bits; // per day
  std::vector<int64_t> day_v;     // per day: violations, or the day's measure for weekly terms
  int64_t v = 0;                  // sum of day_v
  // Per day, the periods FET does not count as gaps or late starts (breaks,
  // the resource's own hard not-available periods); issue-16 types only.
  std::vector<uint64_t> ignore;
  bool allow_empty_days = true;
  // Interval-max-days terms: the interval's periods as bits.
  uint64_t interval = 0;
};

struct Block {
  std::vector<int> activities;
  std::vector<int> domain;          // allowed start slots (hard unary constraints hold)
  std::vector<int64_t> unary_soft;  // soft cost x100 per start slot, parallel to num_slots
  // Hard unary violations per start slot; nonzero only on the starts of a
  // block whose hard domain was empty (then the domain falls back to every
  // start that fits the day, and the violations are counted, not hidden).
  std::vector<int64_t> unary_hard;
  std::vector<int> restricted_by;   // constraints that shrank the domain (for conflicts)
  bool early_banned = false;        // starts lost to the first-lesson norm (clause 25)
  bool reserved_banned = false;     // starts lost to reserved daily periods (clause 26)
};

class State {
 public:
  // Builds blocks, domains and terms. Does not place anything.
  explicit State(const Instance& inst);

  const Instance& instance() const { return in_; }
  int num_blocks() const { return static_cast<int>(blocks_.size()); }
  const Block& block(int b) const { return blocks_[b]; }
  int block_of(int activity) const { return block_of_[activity]; }
  int start(int b) const { return start_[b]; }
  int room(int activity) const { return room_[activity]; }
  const std::vector<int>& room_domain(int activity) const { return room_domain_[activity]; }
  Cost cost() const { return cost_; }

  // Places block b at `start` (-1: unplace) with rooms chosen greedily
  // (fewest clashes, then soft room preference; ties by lowest index so the
  // result is deterministic). Returns the cost change.
  Cost Move(int b, int start);
  // Places block b at `start` with exactly these rooms (one per activity of
  // the block, same order); used to restore a previous state.
  Cost MoveWithRooms(int b, int start, const std::vector<int>& rooms);
  // Blocks other than b that would share a teacher or subgroup with b if b
  // started at `start` (the blocks a swap would have to move away).
  std::vector<int> BlocksInTheWay(int b, int start) const;
  // Same, into *out (cleared first); no allocation once *out has grown.
  void BlocksInTheWay(int b, int start, std::vector<int>* out) const;
  // Number of starts in b's domain where none of its teachers and student
  // subgroups is busy (construction's saturation degree).
  int FreeStarts(int b) const;
  // True if block b takes part in a hard violation right now.
  bool InHardConflict(int b) const;

  Solution ToSolution() const;
  // Constraint indices of the smallest infeasible cores found statically
  // (empty domains, over-full resources), as readable lines.
  std::vector<std::string> StaticConflicts() const;

 private:
  void BuildBlocks();
  void BuildTerms();
  Cost PlaceActivity(int a, int start, int room, int sign);
  Cost EvalTerm(const Term& t) const;
  Cost MoveImpl(int b, int start, const int* rooms);  // rooms == nullptr: choose
  void ProfileUpdate(Term& t, int a, int start, int sign);
  // A profile term's measure of one day (violations, or for weekly terms
  // the day's share: gaps, 1 if busy, ...) and its violations from the sum.
  int64_t DayViolations(const Term& t, int day, uint64_t bits) const;
  static int64_t WeekViolations(const Term& t, int64_t v);
  Cost ProfileCost(const Term& t) const;
  // Breaks plus the hard not-available periods of teacher `te` or subgroup
  // `g`, per day as period bits.
  std::vector<uint64_t> IgnoreMask(int te, int g) const;
  // The periods [interval_begin, interval_end) of an interval constraint, as bits.
  static uint64_t IntervalBits(const Constraint& k);
  int Day(int a) const { return start_[block_of_[a]] / ppd_; }
  int Start(int a) const { return start_[block_of_[a]]; }
  bool Placed(int a) const { return start_[block_of_[a]] >= 0; }
  // b starts right after a on the same day, only break slots in between.
  bool Follows(int a, int b) const;

  const Instance& in_;
  int ppd_ = 0, slots_ = 0;
  std::vector<Block> blocks_;
  std::vector<int> block_of_;
  std::vector<int> start_;   // per block
  std::vector<int> room_;    // per activity
  std::vector<std::vector<int>> room_domain_;     // per activity; empty: no room
  std::vector<std::vector<int64_t>> room_soft_;   // parallel to room_domain_
  std::vector<int> teacher_occ_, subgroup_occ_, room_occ_;
  // Soft room-not-available cost x100 per room x slot (hard ones are a
  // phantom occupant in room_occ_, so any lesson there is a room clash).
  std::vector<int64_t> room_na_soft_;
  // Which activities sit in each teacher x slot and subgroup x slot cell
  // (parallel to the counters): BlocksInTheWay reads a cell instead of
  // scanning every activity of the resource (it was 40% of the run time).
  std::vector<std::vector<int>> teacher_at_, subgroup_at_;
  std::vector<std::vector<int>> of_teacher_, of_subgroup_;  // activities per resource
  std::vector<Term> terms_;
  std::vector<std::vector<int>> terms_of_;  // per activity
  std::vector<uint32_t> stamp_;             // per term, dedupe during Move
  uint32_t stamp_now_ = 0;
  int unplaced_ = 0;
  uint64_t fixed_mask_ = 0;
  std::vector<char> breaks_;  // BreakSlots(): adjacency skips them  // reserved periods of the day, as bits
  Cost cost_;
  std::vector<std::string> static_conflicts_;
};

}  // namespace edugov::timetable::internal
