#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for the tests and the local replica setup: made with
# initdb in FOLDER (trust authentication, user `gateway`), listening on 127.0.0.1:PORT and on a
# socket in FOLDER. Run as root it runs the server as the `postgres` user.
#
#   deploy/postgres/local-server.sh start FOLDER PORT   # prints the server's URL
#   deploy/postgres/local-server.sh stop FOLDER
set -euo pipefail
command="${1:-}"; folder="${2:-}"; port="${3:-}"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pg_bin" ] || { echo "PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2; exit 1; }
as_pg=()
[ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
case "$command" in
  start)
    [ -n "$folder" ] && [ -n "$port" ] || { echo "usage: $0 start FOLDER PORT" >&2; exit 2; }
    mkdir -p "$folder"
    [ "$(id -u)" -eq 0 ] && chown postgres "$folder"
    if [ ! -d "$folder/data" ]; then
      "${as_pg[@]}" "$pg_bin/initdb" -D "$folder/data" -A trust -U gateway -E UTF8 >"$folder/initdb.log"
    fi
    # Already running (a second start): nothing to do but say where it is.
    if ! "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$folder/data" status >/dev/null 2>&1; then
      "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w \
        -o "-k $folder -c listen_addresses=127.0.0.1 -p $port -c max_connections=200" start >/dev/null
    fi
    echo "postgres://gateway@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -n "$folder" ] || { echo "usage: $0 stop FOLDER" >&2; exit 2; }
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$folder/data" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start FOLDER PORT | stop FOLDER" >&2; exit 2 ;;
esac
