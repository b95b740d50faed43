#!/usr/bin/env bash
# Runs the whole suite twice, on SQLite and on a throwaway PostgreSQL cluster that
# scripts/with-postgres.sh starts and always stops. The two runs go side by side (one per core: each is
# a single Python process waiting on its database, browser or second processes much of the time), each
# into its own log under var/test/ with its own temporary directory; the logs are shown when both end.
# Each log ends with the 20 slowest test phases (--durations). Extra arguments go to pytest (e.g. -k login).
# TONGBAN_TEST_SERIAL=1 runs them one after the other.
# The browser tests (tests/browser: Chromium, axe-core, phone width) run once, on SQLite: they check what
# pages look like and do; every page's data path runs on PostgreSQL through the HTTP tests of its domain.
# TONGBAN_TEST_BROWSER_PG=1 runs them on PostgreSQL as well.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TONGBAN_PG_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash scripts/test.sh "$@"
fi
mkdir -p var/test
pg_only=(--ignore=tests/browser)
if [ "${TONGBAN_TEST_BROWSER_PG:-}" = "1" ]; then pg_only=(); fi
run() {  # name, database URL (empty: SQLite), pytest arguments…
  local name=$1 url=$2
  shift 2
  TONGBAN_TEST_DATABASE_URL="$url" .venv/bin/python -m pytest --durations=20 --basetemp="var/test/tmp-$name" "$@" \
    >"var/test/$name.log" 2>&1
}
if [ "${TONGBAN_TEST_SERIAL:-}" = "1" ]; then
  run sqlite "" "$@"; sqlite=$?
  run postgresql "$TONGBAN_PG_URL" "${pg_only[@]}" "$@"; pg=$?
else
  run sqlite "" "$@" & sqlite_pid=$!
  run postgresql "$TONGBAN_PG_URL" "${pg_only[@]}" "$@" & pg_pid=$!
  wait $sqlite_pid; sqlite=$?
  wait $pg_pid; pg=$?
fi
echo "== SQLite"
cat var/test/sqlite.log
echo "== PostgreSQL"
cat var/test/postgresql.log
[ $sqlite -eq 0 ] && [ $pg -eq 0 ]
