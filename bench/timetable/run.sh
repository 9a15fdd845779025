#!/usr/bin/env bash
# fet-cl vs ours, side by side on the same .fet files (docs/timetable.md,
# docs/benchmarks.md §4). Each pair runs at the same time, FET pinned to one
# core and ours to the other, so machine load hits both alike.
#
#   bench/timetable/run.sh [TIME_LIMIT=60] [SEEDS=5] [FILES...]
#
# Env: TOOL (our binary; default build/src/cli/edugov),
#      FET_CORE=1 OURS_CORE=0, OUT (default bench/results).
# Writes $OUT/timetable-<date>.csv and .md. Per file and seed:
#   FET: wall time to "Simulation successful" (FET stops at its first complete
#        timetable), its soft conflicts, and our checker's verdict on FET's result;
#   ours: wall time to the first complete timetable (--first-complete run,
#        import and export included, like FET's), and the soft cost after the
#        full time limit.
# Also the CPU seconds (perf task-clock) of FET's run and of our --first-complete
# run: other engineers compile on the same two cores, and CPU time is far less
# sensitive to that load than wall time (both are reported).
set -euo pipefail
cd "$(dirname "$0")/../.."
LIMIT=${1:-60}
SEEDS=${2:-5}
shift $(( $# > 2 ? 2 : $# )) || true
EX=/usr/share/doc/fet-data/examples/FET-5-official
FILES=("$@")
if [ ${#FILES[@]} -eq 0 ]; then
  FILES=("$EX/Spain/2-secondary-school/secondary-school.fet"
         "$EX/Belize/Sacred-Heart-College/shc-2013/shc-2013.fet"
         "$EX/Greece/Didymoteicho/6th-Primary-School.fet")
fi
TOOL=${TOOL:-build/src/cli/edugov}
FET_CORE=${FET_CORE:-1}
OURS_CORE=${OURS_CORE:-0}
OUT=${OUT:-bench/results}
command -v fet-cl >/dev/null || { echo "fet-cl not installed" >&2; exit 1; }
[ -x "$TOOL" ] || { echo "build $TOOL first (./run build)" >&2; exit 1; }
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%d-%H%M%S)
CSV="$OUT/timetable-$STAMP.csv"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
now() { date +%s.%N; }
# run OUTFILE CMD...: runs CMD under `perf stat`, writes "<wall s> <cpu s>" to
# OUTFILE: elapsed time and task-clock (CPU time of CMD and its children, to
# the microsecond; /usr/bin/time's 10 ms rounds a small file's run to 0, and
# getrusage from a Python wrapper over-counted it several times).
run() {
  local out=$1; shift
  perf stat -e task-clock -o "$out.perf" "$@" || true
  awk '/msec task-clock/ {gsub(",", "", $1); cpu = $1 / 1000}
       /seconds time elapsed/ {wall = $1}
       END {printf "%.6f %.6f\n", wall, cpu}' "$out.perf" > "$out"
}

echo "file,seed,limit_s,fet_complete,fet_wall_s,fet_soft,fet_soft_our_checker,fet_hard_our_checker,ours_complete,ours_first_wall_s,ours_soft_first,ours_soft_at_limit,ours_hard_at_limit,fet_cpu_s,ours_first_cpu_s,ours_first_solver_s" > "$CSV"
for f in "${FILES[@]}"; do
  name=$(basename "$f" .fet)
  for seed in $(seq 1 "$SEEDS"); do
    d="$WORK/$name-$seed"; mkdir -p "$d/fet" "$d/ours1" "$d/oursT"
    # FET wants all six seed components.
    s=$((seed * 1000))
    ( run "$d/fet.time" taskset -c "$FET_CORE" fet-cl --inputfile="$f" --outputdir="$d/fet" --timelimitseconds="$LIMIT" \
        --htmllevel=0 --randomseeds10=$((s+1)) --randomseeds11=$((s+2)) --randomseeds12=$((s+3)) \
        --randomseeds20=$((s+4)) --randomseeds21=$((s+5)) --randomseeds22=$((s+6)) > "$d/fet.log" 2>&1 || true ) &
    fet_pid=$!
    ( run "$d/ours1.time" taskset -c "$OURS_CORE" "$TOOL" timetable solve --input "$f" --time-limit "$LIMIT" --seed "$seed" \
        --first-complete --formats fet --out "$d/ours1" > "$d/ours1.log" 2>&1 || true
      taskset -c "$OURS_CORE" "$TOOL" timetable solve --input "$f" --time-limit "$LIMIT" --seed "$seed" \
        --formats fet --out "$d/oursT" > "$d/oursT.log" 2>&1 || true ) &
    wait "$fet_pid"; wait
    tt="$d/fet/timetables/$name"
    if grep -q "Simulation successful" "$d/fet/logs/result.txt" 2>/dev/null; then fet_ok=1; else fet_ok=0; fi
    fet_soft=$(sed -n 's/^Total soft conflicts: //p' "$tt/${name}_soft_conflicts.txt" 2>/dev/null | tr -d '\r' || true)
    fchk=$("$TOOL" timetable check --input "$f" --timetable "$tt/${name}_activities.xml" 2>/dev/null | head -1 || true)
    fet_hard_ours=$(sed -n 's/^hard=\([0-9]*\).*/\1/p' <<<"$fchk")
    fet_soft_ours=$(sed -n 's/.*soft=\([0-9.]*\).*/\1/p' <<<"$fchk")
    o1=$(grep '^done:' "$d/ours1.log" || true)
    ours_ok=0; grep -q 'checker: hard=0 ' <<<"$o1" && ours_ok=1
    soft1=$(sed -n 's/.*checker: hard=[0-9]* soft=\([0-9.]*\)).*/\1/p' <<<"$o1")
    oT=$(grep '^done:' "$d/oursT.log" || true)
    softT=$(sed -n 's/.*checker: hard=[0-9]* soft=\([0-9.]*\)).*/\1/p' <<<"$oT")
    hardT=$(sed -n 's/.*checker: hard=\([0-9]*\) .*/\1/p' <<<"$oT")
    # Our solver's own clock at the first complete timetable (the spec's
    # "t=<s> hard=0" line; import and export excluded, unlike the columns
    # above, which time the whole process for both).
    tsolve=$(sed -n 's/^t=\([0-9.]*\) hard=0 .*/\1/p' "$d/ours1.log" | head -1)
    wall() { cut -d' ' -f1 "$1"; }
    cpu() { cut -d' ' -f2 "$1"; }
    echo "$name,$seed,$LIMIT,$fet_ok,$(wall "$d/fet.time"),$fet_soft,$fet_soft_ours,$fet_hard_ours,$ours_ok,$(wall "$d/ours1.time"),$soft1,$softT,$hardT,$(cpu "$d/fet.time"),$(cpu "$d/ours1.time"),$tsolve" | tee -a "$CSV"
  done
done

python3 - "$CSV" > "${CSV%.csv}.md" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"# Timetabling: fet-cl 6.8.5 vs edugov (`{sys.argv[1]}`)\n")
print("Same files, same time limit, each solver on its own core, run side by side. Times are wall")
print("seconds from process start (import included) to the first complete timetable. Ratios < 1 favour us.\n")
print("| file | seeds | FET complete | ours complete | FET time (median) | ours time (median) | time ratio (median) | CPU ratio (median) | FET soft (median) | ours soft @first | ours soft @limit (median, worst) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for name in dict.fromkeys(r["file"] for r in rows):
    rs = [r for r in rows if r["file"] == name]
    f = lambda k: [float(r[k]) for r in rs if r[k] not in ("", None)]
    ratios = [float(r["ours_first_wall_s"]) / float(r["fet_wall_s"]) for r in rs
              if r["fet_complete"] == "1" and r["ours_complete"] == "1" and float(r["fet_wall_s"]) > 0]
    cpu_ratios = [float(r["ours_first_cpu_s"]) / float(r["fet_cpu_s"]) for r in rs
                  if r["fet_complete"] == "1" and r["ours_complete"] == "1" and r.get("fet_cpu_s") and r.get("ours_first_cpu_s")
                  and float(r["fet_cpu_s"]) > 0]
    med = lambda v: f"{statistics.median(v):.3f}" if v else "–"
    worst = f"{max(f('ours_soft_at_limit')):.2f}" if f('ours_soft_at_limit') else "–"
    print(f"| {name} | {len(rs)} | {sum(r['fet_complete']=='1' for r in rs)}/{len(rs)} | "
          f"{sum(r['ours_complete']=='1' for r in rs)}/{len(rs)} | {med(f('fet_wall_s'))} | {med(f('ours_first_wall_s'))} | "
          f"{med(ratios)} | {med(cpu_ratios)} | {med(f('fet_soft'))} | {med(f('ours_soft_first'))} | {med(f('ours_soft_at_limit'))}, {worst} |")
print("\nCPU ratio: perf task-clock of the whole process, ours / FET's. Our solver's own time to the first complete timetable (its `t=` line, import and export excluded), median: " +
      ", ".join(f"{n} {statistics.median([float(r['ours_first_solver_s']) for r in rows if r['file'] == n and r.get('ours_first_solver_s')]):.3f} s"
                for n in dict.fromkeys(r['file'] for r in rows)
                if any(r.get('ours_first_solver_s') for r in rows if r['file'] == n)))
print("\nFET's own results re-checked by our checker (hard, soft): " +
      ", ".join(f"{r['file']}#{r['seed']}=({r['fet_hard_our_checker']}, {r['fet_soft_our_checker']})" for r in rows))
PY
echo "wrote $CSV and ${CSV%.csv}.md"
