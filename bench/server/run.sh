#!/usr/bin/env bash
# Server throughput (benchmarks.md §3): wrk on loopback, 2 threads, 64
# connections, against GET /api/v1/health and an authenticated registry read
# (a school user reading its own school), on SQLite and on PostgreSQL, both in
# one run so the figures compare. Writes bench/results/server.{csv,md}.
#
#   bash bench/server/run.sh            # 30 s per case, county scale
#   DURATION=5 bash bench/server/run.sh # a quick look
# Needs: a built edugov (./run build), wrk, PostgreSQL 15 (scripts/install-deps.sh --test).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
EDUGOV=${EDUGOV_BIN:-$ROOT/build/src/cli/edugov}
DURATION=${DURATION:-30}
SCALE=${SCALE:-county}
OUT=$ROOT/bench/results
mkdir -p "$OUT"
TMP=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# Both backends in one run: start a throwaway PostgreSQL first if none is given.
if [ -z "${EDUGOV_TEST_PG_URL:-}" ]; then
  exec bash scripts/with-postgres.sh env EDUGOV_BIN="$EDUGOV" DURATION="$DURATION" SCALE="$SCALE" bash "$0"
fi

[ -x "$EDUGOV" ] || { echo "bench: $EDUGOV not built (./run build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk missing (apt-get install wrk)" >&2; exit 1; }

csv=$OUT/server.csv
echo "backend,scale,endpoint,requests_per_s,p50_ms,p99_ms,errors" > "$csv"

# bench_backend NAME DB_URL
bench_backend() {
  local name=$1 db=$2
  "$EDUGOV" migrate --db "$db" >/dev/null
  "$EDUGOV" demo-data --scale "$SCALE" --seed 1 --db "$db" >/dev/null
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

  run_case "$name" health "$url/api/v1/health" ""
  run_case "$name" org_read "$url/api/v1/orgs/$org" "$cookie"
  run_case "$name" org_children "$url/api/v1/orgs/$org/classes" "$cookie"

  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

run_case() {
  local backend=$1 endpoint=$2 url=$3 cookie=$4
  local args=(-t2 -c64 -d"${DURATION}s" --latency)
  [ -n "$cookie" ] && args+=(-H "Cookie: $cookie")
  wrk "${args[@]}" "$url" > "$TMP/wrk.txt" 2>&1
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$TMP/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$TMP/wrk.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$TMP/wrk.txt" | tr '\n' ' ')
  echo "$backend,$SCALE,$endpoint,$rps,$(to_ms "$p50"),$(to_ms "$p99"),\"$errors\"" >> "$csv"
  printf '%-9s %-13s %10s req/s  p50 %8s  p99 %8s  %s\n' "$backend" "$endpoint" "$rps" "$p50" "$p99" "$errors"
}

to_ms() {  # wrk prints 1.23ms, 456.78us, 1.02s
  python3 -c '
import re,sys
v=sys.argv[1]; m=re.match(r"([0-9.]+)(us|ms|s)$", v)
print("" if not m else round(float(m.group(1))*{"us":0.001,"ms":1,"s":1000}[m.group(2)],3))' "$1"
}

bench_backend sqlite "sqlite:$TMP/bench.db"
psql "$EDUGOV_TEST_PG_URL" -qc "CREATE DATABASE edugov_bench"
bench_backend postgres "${EDUGOV_TEST_PG_URL%/*}/edugov_bench"

{
  echo "# Server benchmark ($(date -u +%Y-%m-%d), wrk -t2 -c64 -d${DURATION}s, $SCALE scale, $(nproc) cores shared by server and wrk)"
  echo
  echo "| backend | endpoint | req/s | p50 ms | p99 ms | errors |"
  echo "|---|---|---|---|---|---|"
  tail -n +2 "$csv" | awk -F, '{printf "| %s | %s | %s | %s | %s | %s |\n", $1, $3, $4, $5, $6, $7}'
  echo
  echo "Bars (benchmarks.md §3): authenticated read ≥ 20 k req/s with p99 ≤ 10 ms."
} > "$OUT/server.md"
cat "$OUT/server.md"
