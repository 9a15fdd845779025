#!/usr/bin/env bash
# Rows/s of the tabular readers (src/tabular) on generated files: CSV UTF-8
# and GBK with 1 M rows, XLSX with 200 k rows (docs/benchmarks.md §2).
#
#   bench/import/readers.sh [REPETITIONS=3]
#
# Env: BUILD (default build-bench), OUT (default bench/results).
# Writes $OUT/import-readers.md (and the raw JSON next to it).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${1:-3}
BUILD=${BUILD:-build-bench}
OUT=${OUT:-bench/results}
mkdir -p "$OUT"
cmake -S . -B "$BUILD" -G Ninja -DEDUGOV_BENCH=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$BUILD" tabular_bench >/dev/null
"$BUILD/src/tabular/tabular_bench" --benchmark_repetitions="$REPS" \
  --benchmark_report_aggregates_only=true \
  --benchmark_out="$OUT/import-readers.json" --benchmark_out_format=json
python3 - "$OUT/import-readers.json" "$OUT/import-readers.md" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
ctx = data["context"]
bars = {"utf8_1M": 1_000_000, "gbk_1M": 1_000_000, "200k": 200_000}
lines = [
    "# Tabular readers: rows/s",
    "",
    f"`bench/import/readers.sh` on {ctx.get('date', '?')}, {ctx.get('num_cpus', '?')} CPUs "
    f"@ {ctx.get('mhz_per_cpu', '?')} MHz, Release build. Reading only (open, decode, split "
    "every cell); validation and the database come on top (docs/benchmarks.md §2).",
    "",
    f"Load average during the run: {ctx.get('load_avg', '?')} (a shared machine: wall time "
    "suffers first; rows/s by CPU time shows the reader's own cost).",
    "",
    "| file | rows | median wall time | rows/s (wall) | rows/s (CPU) | bar for the whole import |",
    "|---|---:|---:|---:|---:|---:|",
]
for b in data["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    name = b["run_name"].removesuffix("/real_time")
    key = name.split("/")[-1]
    cpu_rate = b["rows"] / (b["cpu_time"] / 1000.0)
    lines.append(f"| {name} | {int(b['rows']):,} | {b['real_time']:.0f} ms | "
                 f"{b['rows/s']:,.0f} | {cpu_rate:,.0f} | {bars.get(key, 0):,} |")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
