// The "double random, one public" (双随机、一公开) draw as a pure function:
// schools drawn per stratum and inspectors drawn for each, from published
// inputs only — the revealed seed, the public input fixed in advance and the
// pools frozen at commit. Anyone holding the inputs file re-runs it with
// `edugov draw verify FILE` and gets the same bytes; the formats, the PRNG
// and the canonical serialisation are specified in docs/ledgers.md, and
// changing any of them changes every past draw's result.
//
//   ASSIGN_OR_RETURN(draws::DrawInputs in, draws::ParseInputs(file_text));
//   ASSIGN_OR_RETURN(draws::DrawResult r, draws::RunDraw(in));
//   std::puts(draws::ResultJson(r).c_str());
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace edugov::draws {

inline constexpr std::string_view kInputsFormat = "edugov-draw/1";
inline constexpr std::string_view kResultFormat = "edugov-draw-result/1";

struct DrawParams {
  int rate_percent = 20;  // share of each stratum's schools drawn (ceil, ≥ 1)
  int team_size = 2;      // inspectors per drawn school
  int conflict_years = 3; // how far back a posting makes a conflict
  // Dimensions of the stratum key, a subset of township, stage, risk in that
  // order; empty: one stratum "all".
  std::vector<std::string> strata;
};

struct PoolSchool {
  std::string code;  // the registry's org code: stable across databases
  std::string name;
  std::string township;  // the township's name; "县直" for schools under the county
  std::string stage;     // registry::StageName
  std::string risk;      // high | medium | low
};

struct PoolInspector {
  std::string key;   // the staff member's code
  std::string name;  // display name, published
  // Codes of the schools they may not inspect (a posting there within
  // conflict_years), sorted, no duplicates.
  std::vector<std::string> conflicts;
};

struct DrawInputs {
  std::string plan;  // the plan's name
  int year = 0;
  DrawParams params;
  std::string public_input;  // PublicInput(draw_at, announced)
  std::string commitment;    // Commitment(seed, public_input), hex
  std::string seed;          // 64 lowercase hex; "" until revealed
  std::vector<PoolSchool> schools;        // by code
  std::vector<PoolInspector> inspectors;  // by key
};

struct StratumQuota {
  std::string stratum;
  int64_t schools = 0;
  int64_t quota = 0;
};

struct DrawnInspector {
  std::string key;
  std::string name;
};

struct Assignment {
  std::string stratum;
  std::string school_code;
  std::string school_name;
  std::vector<DrawnInspector> inspectors;
};

struct DrawResult {
  std::string plan;
  int year = 0;
  std::string commitment;
  std::string seed;
  std::vector<StratumQuota> strata;     // by stratum key
  std::vector<Assignment> assignments;  // strata in order, schools in drawn order
};

// hex(SHA-256(bytes)).
std::string Sha256Hex(std::string_view bytes);

// The public input fixed in advance: "draw_at=<RFC 3339>\nannounced=<value>".
std::string PublicInput(std::string_view draw_at, std::string_view announced);

// hex(SHA-256(seed_hex ‖ public_input)): what the bureau publishes before
// the draw. The seed is exactly 64 lowercase hex characters, so the
// concatenation is unambiguous.
std::string Commitment(std::string_view seed_hex, std::string_view public_input);

// kInvalidArgument (field "seed") unless the seed is 64 lowercase hex
// characters whose Commitment with the public input equals the published one.
Status CheckSeed(const DrawInputs& in);

// The canonical text of the parameters and the pools (docs/ledgers.md):
// what the PRNG is keyed on besides the seed and the public input.
std::string CanonicalPools(const DrawInputs& in);

// The draw. Errors, each naming the field (and the stratum): a seed that
// does not open the commitment; an empty schools or inspectors pool; a team
// larger than the pool; a stratum whose quota cannot be met because too few
// of its schools have team_size inspectors free of conflicts.
StatusOr<DrawResult> RunDraw(const DrawInputs& in);

// Canonical JSON (no whitespace, keys in a fixed order, UTF-8 as is).
std::string InputsJson(const DrawInputs& in, bool with_seed);
std::string ResultJson(const DrawResult& r);

// Reads an inputs document (InputsJson, with or without "result"); sorts
// the pools into canonical order. Errors name the field.
StatusOr<DrawInputs> ParseInputs(std::string_view json_text);

// `edugov draw verify`: parses the published inputs, checks the seed against
// the commitment, re-runs the draw and, when the document carries a
// "result", checks that it is the same (kFailedPrecondition naming "result"
// otherwise). Returns ResultJson of the re-run.
StatusOr<std::string> VerifyPublished(std::string_view json_text);

}  // namespace edugov::draws
