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
cleanup() { "${run_as[@]}" pg_ctl -D "$data/db" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$data"; }
trap cleanup EXIT

"${run_as[@]}" initdb -D "$data/db" -U test --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_as[@]}" pg_ctl -D "$data/db" -l "$data/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c full_page_writes=off -c max_connections=200" start >/dev/null
"${run_as[@]}" createdb -h 127.0.0.1 -p "$port" -U test app_test

echo "PostgreSQL $(postgres --version | awk '{print $3}') on 127.0.0.1:$port" >&2
TEST_DATABASE_URL="postgresql+psycopg://test@127.0.0.1:$port/app_test" "$@"
