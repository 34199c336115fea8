#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server, exported as TEST_DATABASE_URL.
# Without the server binaries it skips (exit 0), unless REQUIRE_POSTGRES=1 (as in CI).
set -euo pipefail

if ! command -v initdb >/dev/null || ! command -v pg_ctl >/dev/null; then
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && PATH="$dir:$PATH"; done
fi
if ! command -v initdb >/dev/null; then
  if [ "${REQUIRE_POSTGRES:-0}" = 1 ]; then
    echo "PostgreSQL server binaries (initdb, pg_ctl) not found, and REQUIRE_POSTGRES=1" >&2
    exit 1
  fi
  echo "PostgreSQL not installed here: the PostgreSQL run of the suite is skipped." >&2
  exit 0
fi

data=$(mktemp -d /tmp/pgtest.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run_as=()
if [ "$(id -u)" = 0 ]; then
  # The server refuses to run as root: run it as an unprivileged account.
  account=postgres
  id "$account" >/dev/null 2>&1 || account=nobody
  chown "$account" "$data"
  run_as=(runuser -u "$account" --)
fi
settings="-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c full_page_writes=off -c max_connections=200"
# PG_PROFILE=<directory>: what the server itself spent, kept there for bench/pg_profile.py:
# every statement's calls and execution time (pg_stat_statements), snapshotted every
# PG_PROFILE_EVERY seconds (15) and at the end, in statements.tsv; the plans of statements
# that ran 3 ms or more (auto_explain) in server.log (the server's log, copied at the end).
profile=""
if [ -n "${PG_PROFILE:-}" ]; then
  mkdir -p "$PG_PROFILE"
  profile=$(cd "$PG_PROFILE" && pwd)
  settings="$settings -c shared_preload_libraries=pg_stat_statements,auto_explain -c pg_stat_statements.track=all"
  settings="$settings -c auto_explain.log_min_duration=3 -c auto_explain.log_analyze=on -c auto_explain.log_buffers=on -c auto_explain.log_timing=off"
fi
snapshot() {
  psql -h 127.0.0.1 -p "$port" -U test app_test -Atc "copy (select extract(epoch from now()), queryid, calls, total_exec_time, rows, regexp_replace(query, '\s+', ' ', 'g') from pg_stat_statements) to stdout with (format csv, delimiter e'\t')" >> "$profile/statements.tsv"
}
snapshots=""
cleanup() {
  if [ -n "$snapshots" ]; then
    kill "$snapshots" 2>/dev/null || true
    snapshot || true
    cp "$data/log" "$profile/server.log" || true
  fi
  "${run_as[@]}" pg_ctl -D "$data/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap cleanup EXIT

"${run_as[@]}" initdb -D "$data/db" -U test --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_as[@]}" pg_ctl -D "$data/db" -l "$data/log" -w -o "$settings" start >/dev/null
"${run_as[@]}" createdb -h 127.0.0.1 -p "$port" -U test app_test
if [ -n "$profile" ]; then
  psql -h 127.0.0.1 -p "$port" -U test app_test -qc "create extension pg_stat_statements"
  (while sleep "${PG_PROFILE_EVERY:-15}"; do snapshot || break; done) &
  snapshots=$!
  echo "PostgreSQL's profile in $profile (bench/pg_profile.py $profile)" >&2
fi

echo "PostgreSQL $(postgres --version | awk '{print $3}') on 127.0.0.1:$port" >&2
TEST_DATABASE_URL="postgresql+psycopg://test@127.0.0.1:$port/app_test" "$@"
