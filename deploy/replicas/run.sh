#!/usr/bin/env bash
# The local replica setup (README.md beside this file): a PostgreSQL server of its own on
# 127.0.0.1:54320, VDAB's two replicas behind `gateway proxy` on 127.0.0.1:8410, Le Forem's two
# replicas, and Actiris on SQLite — each its own process, logs in var/replicas/logs/. Ctrl-C stops
# them all (the server too).
#
#   swift build && deploy/replicas/run.sh
#   cp my-export.xml var/replicas/forem/outgoing/vacancy/    # picked up by one of Le Forem's replicas
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gateway=${GATEWAY:-$root/.build/debug/gateway}
[ -x "$gateway" ] || { echo "no gateway at $gateway: run swift build first (or set GATEWAY)" >&2; exit 1; }
var="$root/var/replicas"
mkdir -p "$var/logs" "$var/forem/outgoing/vacancy" "$var/actiris/outgoing/vacancy"
"$here/../local/make-keys.sh" >/dev/null

server=$("$here/../postgres/local-server.sh" start "$var/postgres" 54320)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$here/../postgres/local-server.sh" stop "$var/postgres"
}
trap stop EXIT INT TERM
for database in gateway_vdab gateway_forem; do
  psql "${server%/*}/postgres" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1 \
    || psql "${server%/*}/postgres" -qc "CREATE DATABASE $database TEMPLATE template0 ENCODING 'UTF8'"
done

start() {   # name, then the gateway's arguments
  local name=$1; shift
  "$gateway" "$@" >"$var/logs/$name.log" 2>&1 &
  pids+=($!)
  echo "$name: pid $!, log var/replicas/logs/$name.log"
}
start vdab-a serve --config "$here/vdab-a.yaml"
start vdab-b serve --config "$here/vdab-b.yaml"
start proxy proxy --listen 127.0.0.1:8410 --to http://127.0.0.1:8411 --to http://127.0.0.1:8412
start forem-a serve --config "$here/forem-a.yaml"
start forem-b serve --config "$here/forem-b.yaml"
start actiris serve --config "$here/actiris.yaml"
echo "ledgers: ${server%/*}/gateway_vdab and ${server%/*}/gateway_forem; Ctrl-C stops everything"
wait
