#!/usr/bin/env bash
# Runs every test suite; called by ./run test inside scripts/with-postgres.sh
# (so EDUGOV_TEST_PG_URL names a throwaway PostgreSQL). Every suite runs even
# when an earlier one fails; the closing line is "test: N passed, N failed".
set -uo pipefail
BUILD=$1
LOG=$2
passed=0
failed=0
broken=()

# ctest's summary: "100% tests passed, 0 tests failed out of 57".
count_ctest() {
  local line bad total
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$1" | tail -n1)
  [ -n "$line" ] || return 1
  bad=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  total=$(sed -E 's/.*failed out of ([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + total - bad)); failed=$((failed + bad))
}

# Node's TAP summary: "# pass N" and "# fail N".
count_tap() {
  local p f
  p=$(grep -E '^# pass [0-9]+' "$1" | tail -n1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$1" | tail -n1 | awk '{print $3}')
  [ -n "$p" ] || return 1
  passed=$((passed + p)); failed=$((failed + ${f:-0}))
}

suite() {
  printf '\n\033[1m--- %s\033[0m\n' "$1"
}

suite "table ownership (SQL names a table only in its owning module)"
# One test: scripts/check-table-owners.py lists every violation and ends
# with "table owners: … N violations".
if python3 scripts/check-table-owners.py 2>&1 | tee "$LOG/table-owners.log"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); broken+=("table ownership")
fi

suite "unit tests (GoogleTest; SQLite and PostgreSQL)"
ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 300 2>&1 | tee "$LOG/ctest.log"
rc=${PIPESTATUS[0]}
count_ctest "$LOG/ctest.log" || broken+=("ctest printed no summary")
[ "$rc" -eq 0 ] || broken+=("ctest")

# node_suite NAME DIR [VAR=VALUE …]: one node --test run, spec output on the
# terminal and TAP in the log for counting.
node_suite() {
  local name=$1 dir=$2; shift 2
  compgen -G "$dir/*.test.mjs" >/dev/null || return 0
  suite "$name"
  local tap="$LOG/${name//[^a-zA-Z0-9]/_}.tap"
  # A test that hangs fails by name after 10 minutes instead of stalling
  # the whole run until CI's own limit.
  env "$@" node --test --test-concurrency=1 --test-timeout=600000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "$dir"/*.test.mjs
  local rc=$?
  count_tap "$tap" || broken+=("$name printed no summary")
  [ "$rc" -eq 0 ] || broken+=("$name")
}

node_suite "integration tests on SQLite" tests/integration EDUGOV_TEST_DB=sqlite
if [ -n "${EDUGOV_TEST_PG_URL:-}" ]; then
  node_suite "integration tests on PostgreSQL" tests/integration EDUGOV_TEST_DB=postgres
else
  broken+=("PostgreSQL was not started")
fi
node_suite "browser tests (Chromium)" tests/browser EDUGOV_TEST_DB=sqlite

echo
if [ ${#broken[@]} -gt 0 ]; then
  printf 'failed suites: %s\n' "${broken[*]}"
  [ "$failed" -gt 0 ] || failed=1
fi
echo "test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
