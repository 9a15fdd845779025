#!/usr/bin/env bash
# Runs CMD... against a throwaway PostgreSQL server, then removes it.
#
#   scripts/with-postgres.sh build/src/storage/storage_test
#
# The server lives in a fresh temporary directory (data, unix socket, log),
# listens on a free loopback port with fsync off (test data is disposable),
# and is stopped and deleted however CMD ends. CMD sees
#   EDUGOV_TEST_PG_URL=postgresql://postgres@127.0.0.1:PORT/postgres
# and PGHOST/PGPORT/PGUSER/PGDATABASE; the script exits with CMD's status.
# PostgreSQL refuses to run as root, so as root the server runs as the
# `postgres` user (runuser); otherwise as the calling user.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

# EDUGOV_PG_BINDIR picks a server build explicitly.
PGBIN="${EDUGOV_PG_BINDIR:-}"
if [[ -z "$PGBIN" ]] && command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
  PGBIN=$(pg_config --bindir)
fi
# Debian keeps the server binaries out of PATH, one directory per major version.
if [[ -z "${EDUGOV_PG_BINDIR:-}" && ( -z "$PGBIN" || ! -x "$PGBIN/pg_ctl" ) ]]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
fi
if [[ -z "$PGBIN" || ! -x "$PGBIN/initdb" || ! -x "$PGBIN/pg_ctl" ]]; then
  echo "with-postgres.sh: PostgreSQL server binaries (initdb, pg_ctl) not found${PGBIN:+ in $PGBIN};" \
       "install them (Debian: apt-get install postgresql)" >&2
  exit 127
fi

if [[ $(id -u) -eq 0 ]]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "with-postgres.sh: running as root needs a 'postgres' user to run the server as" >&2
    exit 1
  fi
  aspg() { runuser -u postgres -- "$@"; }
else
  aspg() { "$@"; }
fi

PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/edugov-pg.XXXXXX")
cleanup() {
  aspg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PGTMP"

# A free port: bind port 0 and read what the kernel chose. Another process
# could take it before the server starts; pg_ctl then fails loudly.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

if ! aspg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
     --no-sync >"$PGTMP/initdb.log" 2>&1; then
  echo "with-postgres.sh: initdb failed:" >&2
  cat "$PGTMP/initdb.log" >&2
  exit 1
fi
if ! aspg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 -s \
     -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
     start; then
  echo "with-postgres.sh: PostgreSQL did not start:" >&2
  cat "$PGTMP/server.log" >&2
  exit 1
fi

export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
export EDUGOV_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PORT/postgres"

# Not exec: the EXIT trap must still stop the server.
set +e
"$@"
status=$?
set -e
exit "$status"
