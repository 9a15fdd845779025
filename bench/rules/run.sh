#!/usr/bin/env bash
# bench/rules: the rules sweep of docs/benchmarks.md §1 at province scale.
#   bench/rules/run.sh [BUILD_DIR] [CLASSES] [SQL_CLASSES] [RUNS]
# Builds rules_bench (-DEDUGOV_BENCH=ON) and runs it under a throwaway
# PostgreSQL (scripts/with-postgres.sh, unless EDUGOV_TEST_PG_URL is already
# set) so the SQLite and PostgreSQL references run in the same process;
# writes bench/results/rules-<UTC timestamp>.{json,md} and .time.txt
# (/usr/bin/time -v: peak RSS of the whole run).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build-bench}
CLASSES=${2:-300000}
SQL_CLASSES=${3:-20000}
RUNS=${4:-5}
cmake -S . -B "$BUILD" -G Ninja -DEDUGOV_BENCH=ON >/dev/null
ninja -C "$BUILD" -j2 rules_bench
OUT=bench/results/rules-$(date -u +%Y%m%d-%H%M%S)
PG=()
[ -n "${EDUGOV_TEST_PG_URL:-}" ] || PG=(scripts/with-postgres.sh)
uptime
"${PG[@]}" /usr/bin/time -v "$BUILD/src/rules/rules_bench" --classes "$CLASSES" --days 100 --runs "$RUNS" \
  --sql-classes "$SQL_CLASSES" --out "$OUT" 2> "$OUT.time.txt"
uptime
grep -E "Maximum resident|Elapsed" "$OUT.time.txt" || true
cat "$OUT.md"
