#!/usr/bin/env bash
# bench/rules: the rules sweep of benchmarks.md §1 at province scale.
#   bench/rules/run.sh [BUILD_DIR] [CLASSES] [SQL_CLASSES]
# Builds rules_bench (-DEDUGOV_BENCH=ON) and writes
# bench/results/rules-<UTC timestamp>.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build-bench}
CLASSES=${2:-300000}
SQL_CLASSES=${3:-20000}
cmake -S . -B "$BUILD" -G Ninja -DEDUGOV_BENCH=ON >/dev/null
ninja -C "$BUILD" -j2 rules_bench
OUT=bench/results/rules-$(date -u +%Y%m%d-%H%M%S)
/usr/bin/time -v "$BUILD/src/rules/rules_bench" --classes "$CLASSES" --days 100 --runs 5 \
  --sql-classes "$SQL_CLASSES" --out "$OUT" 2> "$OUT.time.txt"
grep -E "Maximum resident|Elapsed" "$OUT.time.txt" || true
cat "$OUT.md"
