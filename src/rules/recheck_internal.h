// Pieces shared by the two re-check paths (recheck.cc reads the store;
// live_image.cc reads the server-resident image): which rules a dataset
// feeds, which orgs and days a submission touches, how far up a rule must
// read, and the scoped save. Internal to src/rules; not a public contract.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "datasets/columnar.h"
#include "rules/bound.h"
#include "rules/recheck.h"
#include "rules/evaluator.h"
#include "storage/database.h"

namespace edugov::rules::recheck_internal {

// Where the re-check may read and write: org paths (each a subtree root for
// reading) and the touched orgs and days (for deciding which findings are
// the re-check's to change).
struct Touched {
  std::set<std::string> org_paths;  // the touched orgs (a class: its school)
  std::string first_day;            // YYYY-MM-DD, inclusive
  std::string last_day;
  std::set<int32_t> orgs;           // their indices in the registry image used
  // Class-entity datasets: the ids of the rows' classes. When classes_only
  // is set (LiveImage narrowed a re-check whose rules all judge classes),
  // the re-check judged those classes alone, so only their findings are
  // its to change — another class of the same school keeps what it has.
  std::set<int64_t> classes;
  bool classes_only = false;
};

// The rules `dataset` feeds (its rows are checked, or exempt via "unless")
// and every dataset those rules read (indices into pack.datasets). `index`
// is the dataset's index, -1 when the pack has no such dataset.
struct Affected {
  int index = -1;
  std::vector<const bound::Rule*> rules;
  std::set<int> needed;
};
Affected AffectedRules(const bound::Pack& pack, std::string_view dataset);

// The orgs and days `rows` of `schema` touch, resolved against `reg`. Rows
// whose entity is not in `reg` or that have no period date are skipped.
Touched TouchedBy(const datasets::RegistryImage& reg, const datasets::DatasetSchema& schema,
                  const std::vector<datasets::IngestedRow>& rows);

// Whether a rule's finding in one period depends on other periods' rows.
bool ReadsEarlierPeriods(const bound::Rule& r);

// A finding about a touched org, something inside it, or something above
// it, in a period that overlaps the touched days (`later`: or after them).
bool InScope(const Touched& t, const std::string& org_path, const std::string& start, const std::string& end,
             bool later = false);

// The subtree root a rule grouped at `level` must read for touched org `o`
// (-1: the whole registry).
int32_t ReadRoot(const datasets::RegistryImage& reg, bound::GroupEntity level, int32_t o);

struct SaveResult {
  int64_t opened = 0, standing = 0, reopened = 0, resolved = 0;
  // The open findings in scope: (id, org path of the finding), ascending by id.
  std::vector<std::pair<int64_t, std::string>> open;
};

// Copies `saved`'s counts and open findings into `summary`.
void CopySaved(SaveResult&& saved, RecheckSummary& summary);

// The scoped upsert/resolve of recheck.h step 5, inside `tx` (a transaction).
Status SaveScoped(storage::Connection& tx, const std::vector<const bound::Rule*>& rules,
                  const std::vector<Finding>& findings, const Touched& touched, Date as_of, const Clock& clock,
                  SaveResult& out);

}  // namespace edugov::rules::recheck_internal
