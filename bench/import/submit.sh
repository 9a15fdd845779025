#!/usr/bin/env bash
# One-row form submissions through a real server (the teacher's daily
# homework form): migrate + demo-data at SCALE into a fresh SQLite file (or
# DB=postgresql://… of an empty database), serve, sign in as the teacher
# laoshi, and run wrk with bench/server/submit.lua (every request a new key).
#
#   bench/import/submit.sh [EDUGOV_BIN] [DURATION=20] [CONNECTIONS=64]
#
# Env: SCALE (county), DB (default a fresh SQLite file), DEMO=0 (DB already
# holds demo data and a teacher laoshi: skip migrate + demo-data — a province
# takes ~10 min to generate), SERVE_ARGS (more
# `edugov serve` flags, e.g. --policy of a pack without rules to time the
# import alone), PERF=FILE (perf record the server).
# Prints wrk's summary and one CSV line:
#   scale,backend,connections,requests_per_s,p50_ms,p99_ms,non2xx,loadavg
set -euo pipefail
cd "$(dirname "$0")/../.."
EDUGOV=${1:-build-ingest/src/cli/edugov}
DURATION=${2:-20}
CONNS=${3:-64}
SCALE=${SCALE:-county}
TMP=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
DB=${DB:-sqlite:$TMP/submit.db}
backend=sqlite; [[ $DB == postgres* ]] && backend=postgres

if [ "${DEMO:-1}" = 1 ]; then
  "$EDUGOV" migrate --db "$DB" >/dev/null
  "$EDUGOV" demo-data --scale "$SCALE" --seed 1 --today 2026-01-24 --db "$DB" >/dev/null
fi
"$EDUGOV" serve --db "$DB" --listen 127.0.0.1:0 --static "" ${SERVE_ARGS:-} > "$TMP/serve.out" 2> "$TMP/serve.err" &
SERVER_PID=$!
url=""
for _ in $(seq 1 300); do
  url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$TMP/serve.out" | head -n1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "submit: server did not start" >&2; cat "$TMP/serve.err" >&2; exit 1; }

login=$(curl -s -D "$TMP/headers" -H 'Content-Type: application/json' \
  -d '{"username":"laoshi","password":"Edugov@2025"}' "$url/api/v1/auth/login")
cookie=$(grep -i '^set-cookie: edugov_session=' "$TMP/headers" | head -n1 | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/')
csrf=$(grep -i '^set-cookie: edugov_csrf=' "$TMP/headers" | head -n1 | sed -E 's/^[Ss]et-[Cc]ookie: edugov_csrf=([^;]*).*/\1/')
org=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["org_id"])' <<<"$login")
classes=$(curl -s -H "Cookie: $cookie" "$url/api/v1/orgs/$org/classes" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(",".join(str(c["id"]) for c in d.get("items", d if isinstance(d, list) else [])))')
[ -n "$classes" ] || { echo "submit: no classes for org $org" >&2; exit 1; }

# One request first, to show what a submission answers.
curl -s -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d "{\"class_id\": \"${classes%%,*}\", \"date\": \"2029-12-31\", \"written_minutes\": 40}" \
  "$url/api/v1/datasets/homework/rows"; echo

# PERF=FILE: record the server's profile while wrk runs.
[ -n "${PERF:-}" ] && { perf record -g -o "$PERF" -p "$SERVER_PID" -- sleep "$((DURATION - 1))" >/dev/null 2>&1 & }
CLASSES=$classes COOKIE=$cookie CSRF=$csrf wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/server/submit.lua "$url" | tee "$TMP/wrk.txt"
load=$(cut -d' ' -f1-3 /proc/loadavg)
to_ms() { python3 -c '
import re,sys
v=sys.argv[1]; m=re.match(r"([0-9.]+)(us|ms|s)$", v)
print("" if not m else round(float(m.group(1))*{"us":0.001,"ms":1,"s":1000}[m.group(2)],3))' "$1"; }
rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk.txt")
p50=$(to_ms "$(awk '$1=="50%" {print $2}' "$TMP/wrk.txt")")
p99=$(to_ms "$(awk '$1=="99%" {print $2}' "$TMP/wrk.txt")")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$TMP/wrk.txt"); non2xx=${non2xx:-0}
rows=$(sqlite3 "${DB#sqlite:}" "SELECT COUNT(*) FROM imports WHERE format = 'form'" 2>/dev/null || echo "?")
echo "scale,backend,connections,requests_per_s,p50_ms,p99_ms,non2xx,form_imports,loadavg"
echo "$SCALE,$backend,$CONNS,$rps,$p50,$p99,$non2xx,$rows,\"$load\""
