#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a free loopback port, runs the given command with
# TONGBAN_PG_URL set to it, then always stops and removes the cluster.
#   scripts/with-postgres.sh <command> [args...]
set -uo pipefail
cd "$(dirname "$0")/.."

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ]; then echo "PostgreSQL is not installed (make system-deps)" >&2; exit 1; fi

PGROOT=$(mktemp -d /tmp/tongban-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
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
# fsync off: a throwaway cluster for tests and benchmarks, never for data anyone keeps.
as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -o \
  "-p $PORT -k $PGROOT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$PGROOT/server.log"; exit 1; }
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres tongban || exit 1
export TONGBAN_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/tongban"
"$@"
