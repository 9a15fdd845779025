#!/usr/bin/env bash
# bench/rules: the incremental check of docs/benchmarks.md §1 (one class submits
# one day: p99 ≤ 5 ms) — the live image vs the previous store path, side by
# side in the same run (recheck_bench.cc).
#   bench/rules/incremental.sh [BUILD_DIR] [SCALES] [EDUGOV_BIN]
# For each scale (default "county city"): a fresh SQLite store (migrate +
# demo-data --no-cases), 80 days of homework per class (if the demo left
# ds_homework empty), then 3 runs of 200 form rows (60 at city scale), half
# re-checked by each path. Writes bench/results/rules-incremental-<UTC date>.{md,json}
# (one row per scale) and prints the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build-bench}
SCALES=${2:-county city}
EDUGOV=${3:-$BUILD/src/cli/edugov}
cmake -S . -B "$BUILD" -G Ninja -DEDUGOV_BENCH=ON >/dev/null
ninja -C "$BUILD" -j2 recheck_bench
STAMP=$(date -u +%Y%m%d)
OUT=bench/results/rules-incremental-$STAMP
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
: > "$OUT.rows.md"
echo "[" > "$OUT.json"
first=1
for scale in $SCALES; do
  DB="$TMP/$scale.db"
  "$EDUGOV" migrate --db "sqlite:$DB" >/dev/null
  "$EDUGOV" demo-data --db "sqlite:$DB" --scale "$scale" --seed 1 --today 2026-01-24 --no-users --no-cases >/dev/null
  # The store path takes seconds per re-check at city scale: fewer rows there.
  case $scale in county) N=200 ;; *) N=60 ;; esac
  "$BUILD/src/rules/recheck_bench" --db "sqlite:$DB" --days 80 --submissions "$N" --runs 3 \
    --label "$scale" --out "$TMP/$scale" | tee -a "$TMP/log.txt"
  cat "$TMP/$scale.md" >> "$OUT.rows.md"
  [ $first = 1 ] || echo "," >> "$OUT.json"
  cat "$TMP/$scale.json" >> "$OUT.json"
  first=0
done
echo "]" >> "$OUT.json"
echo "wrote $OUT.rows.md and $OUT.json (the prose lives in $OUT.md)"
