#!/usr/bin/env bash
# The compliance sweep inside the server (src/compliance/sweep_jobs.h): how
# long a county-wide sweep takes when 立即检查 starts it, and whether reads
# stall meanwhile. On a fresh demo database (SQLite; SCALE=county|city|province):
#   idle    a school's findings page (GET /api/v1/findings?status=open, jiangying)
#           measured with wrk, no sweep running
#   sweeps  the same page while juzhang starts sweeps back to back through the
#           API (POST /api/v1/compliance/sweeps, polled until each finishes)
# side by side in one run, plus each sweep's wall time (the job's started_at →
# finished_at, and the server's own load/evaluate/save/cases split from its log).
# Bar (docs/benchmarks.md §3): the findings page keeps its own bar while
# sweeps run — at least 20,000 requests/s with p99 at most 10 ms, measured as
# that bar is (wrk, 2 threads, 64 connections); a sweep never blocks reads
# (pages answer from the previous results until the new ones commit). The
# ratio to idle is printed beside it.
# Writes bench/results/server-sweep-<SCALE>-<UTC stamp>.md.
#
#   bash bench/server/sweep.sh                 # county, 20 s per phase
#   SCALE=city DURATION=30 bash bench/server/sweep.sh
#   DB_FILE=/tmp/province.db SCALE=province bash bench/server/sweep.sh   # reuse a demo
#                                   database built before (it is copied, not changed)
#   POLICY=/path/pack.yaml …        # the server's --policy (default: the repository's pack)
# Needs: a built edugov (./run build), wrk, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
EDUGOV=${EDUGOV_BIN:-$ROOT/build/src/cli/edugov}
DURATION=${DURATION:-20}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
SCALE=${SCALE:-county}
TS=${TS:-$(date -u +%Y%m%dT%H%MZ)}
OUT=$ROOT/bench/results
mkdir -p "$OUT"
TMP=$(mktemp -d)
SERVER_PID=""
cleanup() {
  touch "$TMP/stop" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
[ -x "$EDUGOV" ] || { echo "bench: $EDUGOV not built (./run build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk missing (apt-get install wrk)" >&2; exit 1; }

DB="sqlite:$TMP/bench.db"
if [ -n "${DB_FILE:-}" ]; then
  echo "bench: copying the $SCALE demo database $DB_FILE …"
  cp "$DB_FILE" "$TMP/bench.db"
  "$EDUGOV" migrate --db "$DB" >/dev/null
  DEMO_S="(built earlier: $DB_FILE)"
else
  echo "bench: demo $SCALE into $DB …"
  t0=$(date +%s.%N)
  "$EDUGOV" migrate --db "$DB" >/dev/null
  "$EDUGOV" demo-data --scale "$SCALE" --seed 1 --today 2026-01-24 --db "$DB" > "$TMP/demo.out" 2>&1 ||
    { echo "bench: demo-data failed:" >&2; tail -n 20 "$TMP/demo.out" >&2; exit 1; }
  DEMO_S=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
fi

"$EDUGOV" serve --db "$DB" --listen 127.0.0.1:0 --static "" --sweep-at off ${POLICY:+--policy "$POLICY"} \
  > "$TMP/serve.out" 2> "$TMP/serve.err" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 600); do
  URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$TMP/serve.out" | head -n1 || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "bench: server did not start" >&2; cat "$TMP/serve.err" >&2; exit 1; }

# login USER → prints "cookie csrf"
login() {
  local body cookie
  body=$(curl -s -D "$TMP/headers" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"Edugov@2025\"}" "$URL/api/v1/auth/login")
  cookie=$(grep -i '^set-cookie: edugov_session=' "$TMP/headers" | head -n1 | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/')
  echo "$cookie $(python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])' <<<"$body")"
}
read -r READ_COOKIE _ < <(login jiangying)
read -r BOSS_COOKIE BOSS_CSRF < <(login juzhang)
PAGE="$URL/api/v1/findings?status=open&limit=50"

# sweep_once → prints the job's JSON when it has finished
sweep_once() {
  local id state body
  body=$(curl -s -X POST -H "Cookie: $BOSS_COOKIE" -H "X-CSRF-Token: $BOSS_CSRF" -H 'Content-Type: application/json' \
    -d '{}' "$URL/api/v1/compliance/sweeps")
  id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["job"]["id"])' <<<"$body" 2>/dev/null) ||
    { echo "bench: 立即检查 was refused: $body" >&2; exit 1; }
  while true; do
    body=$(curl -s -H "Cookie: $BOSS_COOKIE" "$URL/api/v1/compliance/sweeps/$id")
    state=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["job"]["state"])' <<<"$body")
    case $state in succeeded|failed|cancelled) echo "$body"; return ;; esac
    sleep 0.05
  done
}

to_ms() {
  python3 -c '
import re,sys
v=sys.argv[1]; m=re.match(r"([0-9.]+)(us|ms|s|m)$", v)
print("" if not m else round(float(m.group(1))*{"us":0.001,"ms":1,"s":1000,"m":60000}[m.group(2)],3))' "$1"
}

ROWS=$TMP/rows.txt
: > "$ROWS"
measure() {
  local phase=$1 load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 30s --latency -H "Cookie: $READ_COOKIE" "$PAGE" > "$TMP/wrk.txt" 2>&1
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk.txt")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' "$TMP/wrk.txt")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' "$TMP/wrk.txt")")
  errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$TMP/wrk.txt")
  echo "$phase|$rps|$p50|$p99|$load|${errors:-none}" >> "$ROWS"
  printf '%-7s %9s req/s  p50 %8s ms  p99 %8s ms  load %s  %s\n' "$phase" "$rps" "$p50" "$p99" "$load" "$errors"
}

# A first sweep warms the page cache and gives one quiet wall time.
sweep_once > "$TMP/first.json"
measure idle

JOBS=$TMP/jobs.jsonl
: > "$JOBS"
rm -f "$TMP/stop"
( while [ ! -e "$TMP/stop" ]; do sweep_once >> "$JOBS"; done ) &
LOOP=$!
sleep 1
measure sweeps
touch "$TMP/stop"
wait "$LOOP" 2>/dev/null || true

md=$OUT/server-sweep-$SCALE-$TS.md
python3 - "$ROWS" "$TMP/first.json" "$JOBS" "$TMP/serve.err" "$DURATION" "$CONNS" "$SCALE" "$(nproc)" "$DEMO_S" "$THREADS" > "$md" <<'EOF'
import sys, json, datetime, re, statistics
rows_f, first_f, jobs_f, log_f, duration, conns, scale, cores, demo_s, threads = sys.argv[1:]
rows = [l.rstrip("\n").split("|") for l in open(rows_f) if l.strip()]
def ts(s): return datetime.datetime.fromisoformat(s)
jobs = [json.loads(open(first_f).read())["job"]] + [json.loads(l)["job"] for l in open(jobs_f) if l.strip()]
walls = [(ts(j["finished_at"]) - ts(j["started_at"])).total_seconds() for j in jobs if j["state"] == "succeeded"]
splits = re.findall(r"sweep as of \S+: (\d+) rows, (\d+) rules; .*\((\d+) ms\)", open(log_f).read())
now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M")
print(f"# Server: the compliance sweep inside the server ({now} UTC, {scale} demo on SQLite, {cores} cores)")
print()
print(f"Demo database built in {demo_s} s (`demo-data` ends with its own sweep). Sweeps started through" if not demo_s.startswith("(") else f"Demo database {demo_s}. Sweeps started through")
print("the API (立即检查, `POST /api/v1/compliance/sweeps`) back to back while a school reads its findings page")
print(f"(`GET /api/v1/findings?status=open&limit=50`, wrk -t{threads} -c{conns} -d{duration}s). Bar: the findings")
print("page's own, held during sweeps: ≥ 20,000 req/s and p99 ≤ 10 ms (wrk, 2 threads, 64 connections).")
print()
print("| phase | req/s | p50 ms | p99 ms | p99 vs idle | bar | load avg before | errors |")
print("|---|---|---|---|---|---|---|---|")
idle = None
for phase, rps, p50, p99, load, errors in rows:
    ratio = "—"
    if phase == "idle": idle = float(p99)
    elif idle: ratio = f"{float(p99) / idle:.2f}×"
    bar = "met" if float(rps) >= 20000 and float(p99) <= 10 else "not met"
    print(f"| {phase} | {rps} | {p50} | {p99} | {ratio} | {bar} | {load} | {errors} |")
print()
if walls:
    print(f"Sweeps: {len(walls)} succeeded; wall time min {min(walls):.2f} s, median {statistics.median(walls):.2f} s, max {max(walls):.2f} s")
    r = jobs[0]["result"]
    print(f"(each judged {r['rows']} rows with {r['rules']} rules; the first: findings {r['findings']}, rectifications {r['cases']}).")
if splits:
    print()
    print(f"Server log, total ms per sweep (load + evaluate + save + cases): {', '.join(s[2] for s in splits)}")
EOF
echo "bench: wrote $md"
cat "$md"
