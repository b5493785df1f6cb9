#!/usr/bin/env bash
# Usage: bash scripts/with-postgres.sh <command...>
# Runs <command> against a throwaway PostgreSQL cluster (trust auth, 127.0.0.1,
# free port) exposed as ENVPLANE_TEST_POSTGRES_URL; the cluster and its temp
# directory are removed afterwards. Exits with the command's exit code.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: bash scripts/with-postgres.sh <command...>" >&2
  exit 2
fi

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)." >&2
  echo "with-postgres: install it with: apt-get install postgresql" >&2
  exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/envplane-pg.XXXXXX")
DATA="$TMP/data"

# As root, the server must run as the postgres user; otherwise as ourselves.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$TMP" && runuser -u postgres -- "$@")
  else
    (cd "$TMP" && "$@")
  fi
}

cleanup() {
  if [ -f "$DATA/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$TMP"
fi

PORT=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')

as_pg "$PG_BIN/initdb" -D "$DATA" --auth=trust --username=postgres --encoding=UTF8 --locale=C >"$TMP/initdb.log" 2>&1 || {
  cat "$TMP/initdb.log" >&2
  echo "with-postgres: initdb failed" >&2
  exit 1
}

if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$TMP/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $TMP -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
  start >/dev/null; then
  cat "$TMP/server.log" >&2 || true
  echo "with-postgres: PostgreSQL failed to start" >&2
  exit 1
fi

export ENVPLANE_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: $("$PG_BIN/postgres" --version) listening on 127.0.0.1:$PORT" >&2

# Run in the background and wait, so INT/TERM are handled at once (bash defers
# traps while a foreground command runs); pass them on to the command.
"$@" <&0 &
child=$!
trap 'kill -INT "$child" 2>/dev/null; wait "$child"; exit 130' INT
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM
set +e
wait "$child"
status=$?
set -e
exit "$status"
