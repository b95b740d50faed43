#!/usr/bin/env bash
# Runs the whole suite twice: on SQLite, then on a throwaway PostgreSQL cluster that
# scripts/with-postgres.sh starts and always stops. Extra arguments go to pytest (e.g. -k login).
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TONGBAN_PG_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash scripts/test.sh "$@"
fi
status=0
echo "== SQLite"
.venv/bin/python -m pytest "$@" || status=1
echo "== PostgreSQL"
TONGBAN_TEST_DATABASE_URL="$TONGBAN_PG_URL" .venv/bin/python -m pytest "$@" || status=1
exit $status
