#!/usr/bin/env bash
# Runs the whole suite twice: on SQLite, then on a throwaway PostgreSQL cluster that is
# started here and always stopped. Extra arguments go to pytest (e.g. -k login).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ]; then echo "PostgreSQL is not installed (make system-deps)" >&2; exit 1; fi

PGROOT=$(mktemp -d /tmp/tongban-pg.XXXXXX)
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() {
  # initdb and pg_ctl refuse to run as root.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$PGROOT"

stop_pg() {
  as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGROOT"
}
trap stop_pg EXIT

as_pg "$PGBIN/initdb" -D "$PGROOT/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null || exit 1
as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -o \
  "-p $PORT -k $PGROOT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$PGROOT/server.log"; exit 1; }
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres tongban_test || exit 1
PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/tongban_test"

status=0
echo "== SQLite"
$PY -m pytest "$@" || status=1
echo "== PostgreSQL ($PG_URL)"
TONGBAN_TEST_DATABASE_URL="$PG_URL" $PY -m pytest "$@" || status=1
exit $status
