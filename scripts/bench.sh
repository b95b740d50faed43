#!/usr/bin/env bash
# Runs every benchmark under bench/ on SQLite and on a throwaway PostgreSQL cluster.
# Each prints one JSON line; copy the figures into docs/benchmarks.md with this command.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TONGBAN_PG_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash scripts/bench.sh "$@"
fi
status=0
for f in bench/[!_]*.py; do
  echo "== $f (SQLite)"
  .venv/bin/python "$f" "$@" || status=1
  echo "== $f (PostgreSQL)"
  TONGBAN_BENCH_DATABASE_URL="$TONGBAN_PG_URL" .venv/bin/python "$f" "$@" || status=1
done
exit $status
