// Head anchors: a ledger's head (seq and hash) copied out of the database,
// to a file the operator chooses, so that a forger who rewrites an entry
// and re-chains everything after it — hashes and head row included, which
// the chain alone cannot notice — is caught by `edugov audit verify
// --anchor FILE`: the re-derived hash at an anchored seq no longer matches.
// The file only helps if the forger cannot write it too: keep it on another
// machine, a write-once share, or print it into the bureau's daily report.
//
//   ASSIGN_OR_RETURN(std::vector<Anchor> heads, ReadHeads(*conn, clock));
//   RETURN_IF_ERROR(AppendAnchors("/mnt/backup/edugov-anchors.txt", heads));
//
// File format (one line per ledger per run, appended, never rewritten):
//   edugov-anchor 1 <ledger> <seq> <hash hex> <written at, UTC ISO 8601>
// Lines starting with '#' and blank lines are ignored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace edugov::ledger {

struct Anchor {
  std::string ledger;  // "audit", "sanctions"
  int64_t seq = 0;
  std::string hash;
  std::string written_at;  // as in the file
  int line = 0;            // 1-based line in the file it was read from; 0 if none
};

// The head row of every ledger, stamped with `clock`'s now.
StatusOr<std::vector<Anchor>> ReadHeads(storage::Connection& conn, const Clock& clock);

// Appends one line per anchor to `path` (created mode 0600 if missing) and
// fsyncs it. kUnavailable naming the file on any I/O error.
Status AppendAnchors(const std::string& path, const std::vector<Anchor>& anchors);

// Every anchor in `path`, in file order. kNotFound (no file) or
// kInvalidArgument naming the file, line and field for a malformed line.
StatusOr<std::vector<Anchor>> ReadAnchorFile(const std::string& path);

}  // namespace edugov::ledger
