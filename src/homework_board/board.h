// 作业公示 (plan item 25: "each class publishes its homework daily"). A
// teacher enters the day's homework of a class per subject — what, how many
// minutes, written (书面) or not — and the entry has two uses:
//   - the class's public page (no login, no names), reached by an
//     unguessable per-class link and its QR code, shows today's and this
//     week's homework with the day's written total against the norm of the
//     class's stage, read from the loaded policy pack;
//   - the day's written minutes, summed over subjects, land as the class's
//     row of the `homework` dataset exactly as a web-form row does
//     (datasets::Import, then ComplianceService::Submit: the re-check and the
//     进行中 projection), so findings follow at once.
//
//   Board board({.clock = &clock, .random = &SecureRandom(), .compliance = svc});
//   ASSIGN_OR_RETURN(SaveResult r, board.SaveEntry(*conn, teacher,
//       {.class_id = 12, .date = today, .subject = "数学", .content = "练习册P12", .minutes = 20, .written = true}));
//   ASSIGN_OR_RETURN(PublicPage page, board.PublicView(*conn, token, std::nullopt));
//
// Who may do what (every function checks its principal):
//   - enter and delete: school staff (role school) for the classes of their
//     subtree; a teacher for the classes the school assigned them;
//   - read the board, the links and the QR sheet: anyone whose subtree holds
//     the class (a teacher: their classes);
//   - rotate a link and assign teachers: roles that edit the registry
//     (school and above) within their subtree.
// A class outside the caller's reach is kNotFound, as one that does not exist.
// Writes run in one transaction with their audit entry. The tables
// homework_board_* are this module's alone (migration 014).
//
// Thread-safety: Board holds no mutable state; a Connection is used by one
// thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/random.h"
#include "common/status.h"
#include "compliance/service.h"
#include "storage/database.h"

namespace edugov::homework_board {

inline constexpr int kMaxEntryMinutes = 300;
inline constexpr size_t kMaxSubjectChars = 20;
inline constexpr size_t kMaxContentChars = 500;

struct Entry {
  int64_t id = 0;
  int64_t class_id = 0;
  Date date;
  std::string subject;
  std::string content;
  int minutes = 0;
  bool written = true;
  std::string entered_by;  // username; never on the public page
  int64_t updated_at_us = 0;
};

struct EntryInput {
  int64_t class_id = 0;
  Date date;
  std::string subject;  // one entry per (class, date, subject): saving again replaces it
  std::string content;
  int minutes = 0;
  bool written = true;
};

// The norm the pack sets for a class on a day: the rule over the homework
// dataset's written minutes whose scope holds the class's stage and grade.
struct Norm {
  std::string rule_id;
  std::string title_zh;
  double max_minutes = 0;
  bool weekly_average = false;  // judged as the week's daily average (else each day)
};

struct BoardClass {
  int64_t class_id = 0;
  int64_t school_id = 0;
  std::string school_name;
  int grade = 0;
  std::string name;
  std::string token;  // the public link's token
  std::vector<std::string> teachers;  // assigned teachers' usernames
};

struct SaveResult {
  std::optional<Entry> entry;  // empty after a delete
  int written_total = 0;       // the class's written minutes that day, all subjects
  int64_t dataset_row_id = 0;  // its row in the homework dataset
  // The re-check after the row landed; an error here leaves the row landed.
  StatusOr<compliance::SubmitResult> recheck = InternalError("re-check not run", "未执行复核");
};

struct PublicDay {
  Date date;
  std::vector<Entry> entries;
  int written_minutes = 0;
  int total_minutes = 0;
};

// What the public page shows: no names of people, only the class.
struct PublicPage {
  std::string school_name;
  std::string class_name;
  int grade = 0;
  Date today;
  PublicDay day;                // the day asked for (today by default)
  std::vector<PublicDay> week;  // Monday to Sunday of that day's week, days with entries
  double week_average_written = 0;  // over the days with entries
  std::optional<Norm> norm;
};

struct BoardOptions {
  const Clock* clock = nullptr;                       // must outlive the board
  Random* random = nullptr;                           // tokens; must outlive the board
  compliance::ComplianceService* compliance = nullptr;  // the pack and the re-check; must outlive
};

class Board {
 public:
  explicit Board(BoardOptions options) : options_(options) {}

  // The classes the caller enters for or oversees: a teacher's assigned
  // classes; otherwise the classes of `school_id` (required above a school;
  // a school's own by default). Each carries its link token (made on first
  // sight).
  StatusOr<std::vector<BoardClass>> ListClasses(storage::Connection& conn, const accounts::Principal& who,
                                                std::optional<int64_t> school_id);

  // The class's entries from `from` to `to` inclusive, by date then subject.
  StatusOr<std::vector<Entry>> ListEntries(storage::Connection& conn, const accounts::Principal& who,
                                           int64_t class_id, Date from, Date to);

  // Saves (or replaces) one subject's homework, then lands the day's written
  // total in the homework dataset and re-checks it. kInvalidArgument naming
  // the field; kPermissionDenied for readers; kFailedPrecondition when the
  // pack declares no homework dataset.
  StatusOr<SaveResult> SaveEntry(storage::Connection& conn, const accounts::Principal& who, const EntryInput& in);
  StatusOr<SaveResult> DeleteEntry(storage::Connection& conn, const accounts::Principal& who, int64_t class_id,
                                   int64_t entry_id);

  // A new token for the class's public link; the old one answers 404 from now on.
  StatusOr<std::string> RotateLink(storage::Connection& conn, const accounts::Principal& who, int64_t class_id);

  // Replaces the teachers assigned to the class: usernames of active teacher
  // accounts whose school holds the class (kInvalidArgument naming one that is not).
  Status SetTeachers(storage::Connection& conn, const accounts::Principal& who, int64_t class_id,
                     const std::vector<std::string>& usernames);

  // The public page of the class with that token, for `day` (today when
  // empty); kNotFound for an unknown or rotated token.
  StatusOr<PublicPage> PublicView(storage::Connection& conn, std::string_view token, std::optional<Date> day);

  // The pack's norm for a class of `grade` in a school of `stage` (a
  // registry::Stage as its snake_case name) on `day`; nullopt when no rule applies.
  std::optional<Norm> NormFor(std::string_view stage, int grade, Date day) const;

 private:
  StatusOr<SaveResult> LandDay(storage::Connection& conn, const accounts::Principal& who, int64_t class_id,
                               Date date);
  const BoardOptions options_;
};

}  // namespace edugov::homework_board
