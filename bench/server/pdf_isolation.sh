#!/usr/bin/env bash
# PDF-loop isolation: does heavy work stall everyone else? A school user's
# page read (GET /api/v1/orgs/{id}, jiangying's own school) measured with wrk
#   idle    no other traffic
#   loops   while LOOPS (3) clients each fetch the county's yearly complaint
#           report as PDF (juzhang, format=pdf: analysis + Chromium print,
#           seconds each) back to back
# side by side in one run, on a fresh county demo database (SQLite), in modes:
#   pool      the server's default (heavy routes on `--workers` threads); every
#             loop asks for the same report, so after the first print the
#             server's PDF cache answers (src/reports/pdf_cache.h) — the common
#             case of many people opening one report
#   distinct  the same server, but each PDF asked for is a report nobody asked
#             for before (its period moves by a day each time): every answer
#             is a Chromium print — the worst case, the cache out of play
#   inline    `--workers 0` (when the binary has the switch): heavy routes on
#             the I/O threads as before the pool, same report as `pool`
# Each answer's X-Report-Cache (miss = printed, hit, joined) is counted.
# Bar (docs/benchmarks.md §3): the read's p99 with the loops stays within 2× of idle.
# Writes bench/results/server-pdf-isolation-<UTC stamp>.md with the figures,
# the PDFs rendered meanwhile, and the load average before each phase.
#
#   bash bench/server/pdf_isolation.sh               # 20 s per phase
#   DURATION=5 bash bench/server/pdf_isolation.sh    # a quick look
#   MODES=pool CONNS=8 bash bench/server/pdf_isolation.sh
# Needs: a built edugov (./run build), wrk, curl, node, python3, chromium + a CJK font.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
EDUGOV=${EDUGOV_BIN:-$ROOT/build/src/cli/edugov}
DURATION=${DURATION:-20}
LOOPS=${LOOPS:-3}
# A few connections, not run.sh's 64: this measures the latency one user
# sees, not the throughput ceiling (wrk is closed-loop, so more connections
# only lengthen the server's own queue and hide what the loops add).
CONNS=${CONNS:-4}
SCALE=${SCALE:-county}
MODES=${MODES:-pool distinct inline}
REPORT_QUERY=${REPORT_QUERY:-kind=routine&from=2025-01-01&to=2025-12-31&format=pdf}
TS=${TS:-$(date -u +%Y%m%dT%H%MZ)}
OUT=$ROOT/bench/results
mkdir -p "$OUT"
TMP=$(mktemp -d)
SERVER_PID=""
LOOP_PIDS=()
cleanup() {
  touch "$TMP/stop" 2>/dev/null || true
  for p in "${LOOP_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$EDUGOV" ] || { echo "bench: $EDUGOV not built (./run build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk missing (apt-get install wrk)" >&2; exit 1; }
command -v node >/dev/null || { echo "bench: node missing (Node 20)" >&2; exit 1; }
if ! "$EDUGOV" serve --help 2>/dev/null | grep -q -- '--workers'; then
  echo "bench: $EDUGOV serve has no --workers switch: measuring its default only" >&2
  MODES=default
fi

DB="sqlite:$TMP/bench.db"
echo "bench: demo county ($SCALE) into $DB …"
"$EDUGOV" migrate --db "$DB" >/dev/null
"$EDUGOV" demo-data --scale "$SCALE" --seed 1 --today 2026-01-24 --db "$DB" >/dev/null

# start_server [EXTRA_ARGS…] → sets URL and SERVER_PID
start_server() {
  "$EDUGOV" serve --db "$DB" --listen 127.0.0.1:0 --static "" "$@" > "$TMP/serve.out" 2> "$TMP/serve.err" &
  SERVER_PID=$!
  URL=""
  for _ in $(seq 1 300); do
    URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$TMP/serve.out" | head -n1 || true)
    [ -n "$URL" ] && break
    sleep 0.1
  done
  [ -n "$URL" ] || { echo "bench: server did not start" >&2; cat "$TMP/serve.err" >&2; exit 1; }
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

# login USER → prints "cookie org_id"
login() {
  local body cookie
  body=$(curl -s -D "$TMP/headers" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"Edugov@2025\"}" "$URL/api/v1/auth/login")
  cookie=$(grep -i '^set-cookie: edugov_session=' "$TMP/headers" | head -n1 | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*).*/\1/')
  echo "$cookie $(python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["org_id"])' <<<"$body")"
}

# pdf_loop N COOKIE [distinct]: fetch the PDF back to back until $TMP/stop
# exists, over one kept-alive connection (pdf-loop.mjs: a browser's way, and
# no process spawned per request on the cores the server shares); one line per
# answer "status seconds bytes cache" in $TMP/loop-N.txt.
# distinct: loop N's k-th request covers a period no other request covers
# (from/to move through 2025-01-01…28 × 2025-12-01…31, 868 reports).
pdf_loop() {
  node "$ROOT/bench/server/pdf-loop.mjs" "$URL" "$REPORT_QUERY" "$2" "$TMP/loop-$1.txt" "$TMP/stop" \
    "${3:-same}" "$1" "$LOOPS"
}

to_ms() {  # wrk prints 1.23ms, 456.78us, 1.02s
  python3 -c '
import re,sys
v=sys.argv[1]; m=re.match(r"([0-9.]+)(us|ms|s|m)$", v)
print("" if not m else round(float(m.group(1))*{"us":0.001,"ms":1,"s":1000,"m":60000}[m.group(2)],2))' "$1"
}

ROWS=$TMP/rows.txt
: > "$ROWS"

# measure MODE PHASE READ_COOKIE ORG
measure() {
  local mode=$1 phase=$2 cookie=$3 org=$4 load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  # --timeout: a read slower than wrk's default 2 s must count in the
  # percentiles, not vanish into the timeout count (inline mode has them).
  wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 30s --latency -H "Cookie: $cookie" "$URL/api/v1/orgs/$org" > "$TMP/wrk.txt" 2>&1
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk.txt")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' "$TMP/wrk.txt")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' "$TMP/wrk.txt")")
  errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$TMP/wrk.txt")
  echo "$mode|$phase|$rps|$p50|$p99|$load|${errors:-none}" >> "$ROWS"
  printf '%-7s %-6s %9s req/s  p50 %8s ms  p99 %8s ms  load %s  %s\n' "$mode" "$phase" "$rps" "$p50" "$p99" "$load" "$errors"
}

PDF_ROWS=$TMP/pdf-rows.txt
: > "$PDF_ROWS"

for mode in $MODES; do
  case $mode in
    pool|distinct) start_server ;;
    inline) start_server --workers 0 ;;
    *) start_server ;;
  esac
  read -r READ_COOKIE ORG < <(login jiangying)
  read -r BOSS_COOKIE _ < <(login juzhang)
  # One PDF first: it must render (Chromium and a CJK font installed), and
  # the first render warms the page cache so the loops measure steady state.
  code=$(curl -s -o "$TMP/first.pdf" -H "Cookie: $BOSS_COOKIE" -w '%{http_code}' "$URL/api/v1/reports/complaints?$REPORT_QUERY")
  if [ "$code" != 200 ] || [ "$(head -c 4 "$TMP/first.pdf")" != "%PDF" ]; then
    echo "bench: the PDF report answered $code, not a PDF:" >&2; head -c 400 "$TMP/first.pdf" >&2; echo >&2; exit 1
  fi
  PDF_BYTES=$(stat -c %s "$TMP/first.pdf")

  measure "$mode" idle "$READ_COOKIE" "$ORG"

  rm -f "$TMP/stop" "$TMP"/loop-*.txt
  LOOP_PIDS=()
  for i in $(seq 1 "$LOOPS"); do
    pdf_loop "$i" "$BOSS_COOKIE" "$mode" &
    LOOP_PIDS+=($!)
  done
  # Let every loop get its first render going before measuring.
  sleep 3
  measure "$mode" loops "$READ_COOKIE" "$ORG"
  touch "$TMP/stop"
  wait "${LOOP_PIDS[@]}" 2>/dev/null || true
  LOOP_PIDS=()
  python3 - "$mode" "$TMP" "$LOOPS" >> "$PDF_ROWS" <<'EOF'
import sys, glob, statistics
mode, tmp, loops = sys.argv[1], sys.argv[2], int(sys.argv[3])
codes, secs, cache = {}, [], {}
for f in glob.glob(f"{tmp}/loop-*.txt"):
    for line in open(f):
        parts = line.split()
        if len(parts) < 2: continue
        codes[parts[0]] = codes.get(parts[0], 0) + 1
        if parts[0] == "200": secs.append(float(parts[1]))
        c = parts[3] if len(parts) > 3 else "—"
        cache[c] = cache.get(c, 0) + 1
mean = f"{statistics.mean(secs):.2f}" if secs else "—"
print(f"{mode}|{loops}|{sum(codes.values())}|{' '.join(f'{k}×{v}' for k, v in sorted(codes.items()))}|"
      f"{' '.join(f'{k}×{v}' for k, v in sorted(cache.items()))}|{mean}")
EOF
  stop_server
done

md=$OUT/server-pdf-isolation-$TS.md
python3 - "$ROWS" "$PDF_ROWS" "$DURATION" "$CONNS" "$LOOPS" "$SCALE" "$(nproc)" "$PDF_BYTES" "$REPORT_QUERY" > "$md" <<'EOF'
import sys, datetime
rows_f, pdf_f, duration, conns, loops, scale, cores, pdf_bytes, query = sys.argv[1:]
rows = [l.rstrip("\n").split("|") for l in open(rows_f) if l.strip()]
pdfs = {l.split("|")[0]: l.rstrip("\n").split("|") for l in open(pdf_f) if l.strip()}
now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M")
print(f"# Server: PDF-loop isolation ({now} UTC, {scale} demo on SQLite, {cores} cores shared by server, wrk, curl and Chromium)")
print()
print(f"A school user's page read (`GET /api/v1/orgs/{{id}}`, wrk -t1 -c{conns} -d{duration}s --timeout 30s) with no other")
print(f"traffic (idle), then while {loops} clients loop the county's yearly complaint report as PDF")
print(f"(`GET /api/v1/reports/complaints?{query}`, {int(pdf_bytes)//1024} KiB, analysis + Chromium print).")
print("`pool`: the server's default, heavy routes on the worker pool, every loop asking for that same report")
print("(after the first print, the PDF cache answers); `distinct`: the same server, each PDF a report of a")
print("period nobody asked for before (every answer a Chromium print, the cache out of play); `inline`:")
print("`--workers 0`, heavy routes on the I/O threads as before the pool. Bar: p99 with the loops ≤ 2× idle.")
print()
print("| mode | phase | req/s | p50 ms | p99 ms | p99 vs idle | bar | load avg 1/5/15 min before | errors |")
print("|---|---|---|---|---|---|---|---|---|")
idle = {}
for mode, phase, rps, p50, p99, load, errors in rows:
    if phase == "idle": idle[mode] = float(p99 or "nan")
    ratio, bar = "—", "—"
    if phase == "loops" and mode in idle and p99:
        r = float(p99) / idle[mode]
        ratio, bar = f"{r:.2f}×", ("met" if r <= 2 else "not met")
    print(f"| {mode} | {phase} | {rps} | {p50} | {p99} | {ratio} | {bar} | {load} | {errors} |")
print()
print("PDFs fetched by the loops during the measured phase (plus the 3 s before it):")
print()
print("| mode | loops | answers | statuses | X-Report-Cache | mean s per PDF (200s) |")
print("|---|---|---|---|---|---|")
for mode, p in pdfs.items():
    print("| " + " | ".join(p) + " |")
EOF
cat "$md"
