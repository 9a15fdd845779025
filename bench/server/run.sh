#!/usr/bin/env bash
# Server throughput (docs/benchmarks.md §3): wrk on loopback, 2 threads, 64
# connections, on SQLite and on PostgreSQL, both in one run so the figures
# compare. Cases, in this order (the write comes last: it bumps the findings
# generation and so empties the findings read cache):
#   health          GET /api/v1/health (no auth, no database)
#   org_read        a school user reading its own school (4–6 SQL statements)
#   org_children    its classes (one statement)
#   findings_page   the school's findings page: GET /api/v1/findings?limit=20&offset=0
#                   as the web UI sends it (bar: ≥ 20 k req/s, p99 ≤ 10 ms)
#   findings_pages  the same user paging through 4 pages × {all, open}
#                   (bench/server/findings.lua: 8 distinct queries)
#   homework_submit the teacher's daily-homework form: POST one class-day to
#                   /api/v1/datasets/homework/rows, a new (class, date) each
#                   time, with its re-check (bench/server/submit.lua;
#                   bar: ≥ 5 k req/s, p99 ≤ 20 ms)
# After demo-data, `edugov check` stores the findings the pages read.
# Writes bench/results/server-<UTC timestamp>.{csv,md} with the load average
# (1 min) before each case.
#
#   bash bench/server/run.sh            # 30 s per case, county scale
#   DURATION=5 bash bench/server/run.sh # a quick look
#   CASES="findings_page homework_submit" BACKENDS=sqlite bash bench/server/run.sh
# Needs: a built edugov (./run build), wrk, PostgreSQL 15 (scripts/install-deps.sh --test).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
EDUGOV=${EDUGOV_BIN:-$ROOT/build/src/cli/edugov}
DURATION=${DURATION:-30}
SCALE=${SCALE:-county}
CASES=${CASES:-health org_read org_children findings_page findings_pages homework_submit}
BACKENDS=${BACKENDS:-sqlite postgres}
TS=${TS:-$(date -u +%Y%m%dT%H%MZ)}
OUT=$ROOT/bench/results
mkdir -p "$OUT"
TMP=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# Both backends in one run: start a throwaway PostgreSQL first if none is given.
if [ -z "${EDUGOV_TEST_PG_URL:-}" ]; then
  exec bash scripts/with-postgres.sh env EDUGOV_BIN="$EDUGOV" DURATION="$DURATION" SCALE="$SCALE" \
    CASES="$CASES" BACKENDS="$BACKENDS" TS="$TS" bash "$0"
fi

[ -x "$EDUGOV" ] || { echo "bench: $EDUGOV not built (./run build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk missing (apt-get install wrk)" >&2; exit 1; }

csv=$OUT/server-$TS.csv
md=$OUT/server-$TS.md
echo "backend,scale,endpoint,requests_per_s,p50_ms,p99_ms,errors,loadavg_1m" > "$csv"
has_case() { [[ " $CASES " == *" $1 "* ]]; }

# bench_backend NAME DB_URL
bench_backend() {
  local name=$1 db=$2
  "$EDUGOV" migrate --db "$db" >/dev/null
  "$EDUGOV" demo-data --scale "$SCALE" --seed 1 --today 2026-01-24 --db "$db" >/dev/null
  "$EDUGOV" check --db "$db" >/dev/null
  "$EDUGOV" serve --db "$db" --listen 127.0.0.1:0 --static "" > "$TMP/serve.out" 2> "$TMP/serve.err" &
  SERVER_PID=$!
  local url=""
  for _ in $(seq 1 300); do
    url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$TMP/serve.out" | head -n1 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "bench: server did not start" >&2; cat "$TMP/serve.err" >&2; exit 1; }

  # Sign in as a school user; wrk replays its session cookie.
  local login cookie org
  login=$(curl -s -D "$TMP/headers" -H 'Content-Type: application/json' \
    -d '{"username":"jiangying","password":"Edugov@2025"}' "$url/api/v1/auth/login")
  cookie=$(grep -i '^set-cookie: edugov_session=' "$TMP/headers" | head -n1 | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/')
  org=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["org_id"])' <<<"$login")

  has_case health && run_case "$name" health "$url/api/v1/health" ""
  has_case org_read && run_case "$name" org_read "$url/api/v1/orgs/$org" "$cookie"
  has_case org_children && run_case "$name" org_children "$url/api/v1/orgs/$org/classes" "$cookie"
  local page="$url/api/v1/findings?limit=20&offset=0"
  local total
  total=$(curl -s -H "Cookie: $cookie" "$page" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
  echo "$name: jiangying's findings page lists $total finding(s)"
  has_case findings_page && run_case "$name" findings_page "$page" "$cookie"
  if has_case findings_pages; then
    local paths="" o
    for o in 0 20 40 60; do
      paths+=" /api/v1/findings?limit=20&offset=$o /api/v1/findings?status=open&limit=20&offset=$o"
    done
    PATHS=$paths COOKIE=$cookie run_case "$name" findings_pages "$url" "" bench/server/findings.lua
  fi

  if has_case homework_submit; then
    # The teacher laoshi (江英学校) posts one class-day at a time.
    login=$(curl -s -D "$TMP/headers" -H 'Content-Type: application/json' \
      -d '{"username":"laoshi","password":"Edugov@2025"}' "$url/api/v1/auth/login")
    cookie=$(grep -i '^set-cookie: edugov_session=' "$TMP/headers" | head -n1 | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/')
    local csrf classes
    csrf=$(grep -i '^set-cookie: edugov_csrf=' "$TMP/headers" | head -n1 | sed -E 's/^[Ss]et-[Cc]ookie: edugov_csrf=([^;]*).*/\1/')
    org=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["org_id"])' <<<"$login")
    classes=$(curl -s -H "Cookie: $cookie" "$url/api/v1/orgs/$org/classes" |
      python3 -c 'import json,sys; d=json.load(sys.stdin); print(",".join(str(c["id"]) for c in d.get("items", d if isinstance(d, list) else [])))')
    CLASSES=$classes COOKIE=$cookie CSRF=$csrf run_case "$name" homework_submit "$url" "" bench/server/submit.lua
  fi

  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

# run_case BACKEND NAME URL COOKIE [LUA_SCRIPT]
run_case() {
  local backend=$1 endpoint=$2 url=$3 cookie=$4 script=${5:-}
  local args=(-t2 -c64 -d"${DURATION}s" --latency)
  [ -n "$cookie" ] && args+=(-H "Cookie: $cookie")
  [ -n "$script" ] && args+=(-s "$script")
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  wrk "${args[@]}" "$url" > "$TMP/wrk.txt" 2>&1
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$TMP/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$TMP/wrk.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$TMP/wrk.txt" | tr '\n' ' ')
  echo "$backend,$SCALE,$endpoint,$rps,$(to_ms "$p50"),$(to_ms "$p99"),\"$errors\",$load" >> "$csv"
  printf '%-9s %-16s %10s req/s  p50 %8s  p99 %8s  load %s  %s\n' "$backend" "$endpoint" "$rps" "$p50" "$p99" "$load" "$errors"
}

to_ms() {  # wrk prints 1.23ms, 456.78us, 1.02s
  python3 -c '
import re,sys
v=sys.argv[1]; m=re.match(r"([0-9.]+)(us|ms|s)$", v)
print("" if not m else round(float(m.group(1))*{"us":0.001,"ms":1,"s":1000}[m.group(2)],3))' "$1"
}

if [[ " $BACKENDS " == *" sqlite "* ]]; then bench_backend sqlite "sqlite:$TMP/bench.db"; fi
if [[ " $BACKENDS " == *" postgres "* ]]; then
  psql "$EDUGOV_TEST_PG_URL" -qc "CREATE DATABASE edugov_bench"
  bench_backend postgres "${EDUGOV_TEST_PG_URL%/*}/edugov_bench"
fi

# The reading against the bars (docs/benchmarks.md §3).
verdict() {  # ENDPOINT RPS P99
  case $1 in
    findings_page|findings_pages) python3 -c 'import sys; r,p=float(sys.argv[1] or 0),float(sys.argv[2] or 1e9); print("met" if r>=20000 and p<=10 else "not met")' "$2" "$3" ;;
    homework_submit) python3 -c 'import sys; r,p=float(sys.argv[1] or 0),float(sys.argv[2] or 1e9); print("met" if r>=5000 and p<=20 else "not met")' "$2" "$3" ;;
    *) echo "—" ;;
  esac
}
{
  echo "# Server benchmark ($(date -u "+%Y-%m-%d %H:%M") UTC, wrk -t2 -c64 -d${DURATION}s, $SCALE scale, $(nproc) cores shared by server and wrk)"
  echo
  echo "| backend | endpoint | req/s | p50 ms | p99 ms | load avg (1 min) before | bar | errors |"
  echo "|---|---|---|---|---|---|---|---|"
  tail -n +2 "$csv" | while IFS=, read -r b s e r p50 p99 rest; do
    load=${rest##*,}; errors=${rest%,*}
    echo "| $b | $e | $r | $p50 | $p99 | $load | $(verdict "$e" "$r" "$p99") | $errors |"
  done
  echo
  echo "Bars (docs/benchmarks.md §3): a school's findings page (authenticated JSON read) ≥ 20 k req/s with"
  echo "p99 ≤ 10 ms; homework submission (one class-day) ≥ 5 k req/s with p99 ≤ 20 ms."
} > "$md"
cat "$md"
