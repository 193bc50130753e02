#!/usr/bin/env bash
# Makes the keys of every ordered pair of the five agencies for the local setup, in
# deploy/local/secrets/ (not committed), readable by their owner only, as `gateway serve` requires.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p secrets
chmod 700 secrets
for from in vdab forem actiris adg bf; do
  for to in vdab forem actiris adg bf; do
    [ "$from" = "$to" ] && continue
    key="secrets/$from-to-$to.key"
    [ -f "$key" ] || (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$key")
  done
done
# Each gateway's payload key: seals trainee payloads at rest and makes the persons' pseudonyms.
for agency in vdab forem actiris adg bf; do
  key="secrets/$agency-payload.key"
  [ -f "$key" ] || (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$key")
done
echo "keys in $(pwd)/secrets"
