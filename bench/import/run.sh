#!/usr/bin/env bash
# Full dataset import rows/s (docs/benchmarks.md §2): 1 M CSV rows and 200 k
# XLSX rows of daily homework through datasets::Import — read, validate every
# cell, class references against the registry, in-file duplicates, upsert by
# key, quarantine (every 1000th row is bad), audit; one transaction — into a
# fresh SQLite file and, when PostgreSQL server binaries exist, a throwaway
# PostgreSQL (scripts/with-postgres.sh).
#
#   bench/import/run.sh [CSV_ROWS=1000000] [XLSX_ROWS=200000]
#
# Env: BUILD (default build-bench), BUILD_TYPE (default Release; empty keeps the
# build directory's own), OUT (default bench/results), NO_PG=1.
# Writes $OUT/import-<UTC timestamp>.{md,csv,json} (the load average is in each).
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV_ROWS=${1:-1000000}
XLSX_ROWS=${2:-200000}
BUILD=${BUILD:-build-bench}
OUT=${OUT:-bench/results}
mkdir -p "$OUT"
BUILD_TYPE=${BUILD_TYPE-Release}
cmake -S . -B "$BUILD" -G Ninja ${BUILD_TYPE:+-DCMAKE_BUILD_TYPE=$BUILD_TYPE} >/dev/null
TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
TYPE=${TYPE:-RelWithDebInfo}  # the project's default when the cache leaves it empty
ninja -C "$BUILD" import_bench >/dev/null
BENCH="$PWD/$BUILD/src/datasets/import_bench"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

rows() {
  echo "| backend | run | rows | landed | rejected | wall | rows/s (wall) | CPU (this process) | rows/s (CPU) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  "$BENCH" "sqlite:$TMP/bench.db" "$CSV_ROWS" "$XLSX_ROWS"
  if [[ -z "${NO_PG:-}" ]]; then
    scripts/with-postgres.sh bash -c '"$0" "$EDUGOV_TEST_PG_URL" "$1" "$2"' "$BENCH" "$CSV_ROWS" "$XLSX_ROWS" \
      || echo "| PostgreSQL | (not run: $?) | | | | | | | |"
  fi
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
TABLE=$(rows 2> "$TMP/stderr")
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
TS=$(date -u +%Y%m%dT%H%M%SZ)
BASE="$OUT/import-$TS"
{
  echo "# Dataset import: rows/s"
  echo
  echo "\`bench/import/run.sh $CSV_ROWS $XLSX_ROWS\` on $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs,"
  echo "load average $LOAD_BEFORE before, $LOAD_AFTER after (a shared machine: wall time suffers first;"
  echo "rows/s by CPU time shows the importer's own cost — for PostgreSQL the server's CPU is not in it)."
  echo "$TYPE build. Full pipeline: read, validate every cell (types, ranges, class references"
  echo "in scope, in-file duplicate keys), upsert by key, quarantine (every 1000th row is bad),"
  echo "imports row and audit entry, one transaction. Registry: 1 county, 20 townships, 200 schools,"
  echo "4000 classes. Bars (docs/benchmarks.md §2): CSV into SQLite ≥ 2× sqlite3 .import of the same file, XLSX ≥ 200 k rows/s."
  echo
  echo "$TABLE"
  echo
  grep "form row" "$TMP/stderr" | sed 's/^/    /' || true
} > "$BASE.md"
# The same rows as CSV and JSON.
python3 - "$BASE" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PY'
import csv, json, re, sys
base, load_before, load_after = sys.argv[1:]
keys = ["backend", "run", "rows", "landed", "rejected", "wall_s", "rows_per_s_wall", "cpu_s", "rows_per_s_cpu"]
rows = []
for line in open(base + ".md", encoding="utf-8"):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) != len(keys) or not cells[2].isdigit():
        continue
    r = dict(zip(keys, cells))
    for k in keys[2:]:
        r[k] = float(re.sub(r"[^0-9.]", "", r[k]) or 0)
    rows.append(r)
with open(base + ".csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=keys + ["load_before", "load_after"])
    w.writeheader()
    for r in rows:
        w.writerow({**r, "load_before": load_before, "load_after": load_after})
json.dump({"load_before": load_before, "load_after": load_after, "runs": rows},
          open(base + ".json", "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
cat "$BASE.md"
