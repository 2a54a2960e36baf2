#!/bin/sh
# kvd client check (the kvd-client Job): writes KEY_COUNT keys through the client
# Service, reads every one back, and fails unless each value is the one written.
# Needs redis-cli (the redis image). Every connection may land on any pod: followers
# forward to the leader, so every reply must still be right.
#
# Environment: KVD_HOST (default kvd), KVD_PORT (default 6379), KEY_COUNT (default 100),
# READY_ATTEMPTS (default 30), REDISCLI_AUTH (password, read by redis-cli itself).
set -eu

host=${KVD_HOST:-kvd}
port=${KVD_PORT:-6379}
count=${KEY_COUNT:-100}
attempts=${READY_ATTEMPTS:-30}
prefix="kvd-client:$(hostname):$(date +%s)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cli() {
  redis-cli --no-raw -h "$host" -p "$port" "$@"
}

# A leader must exist before writes can succeed: wait, bounded, for a write to answer OK.
n=1
until [ "$(cli SET "$prefix:ready" 1 2>/dev/null)" = OK ]; do
  if [ "$n" -ge "$attempts" ]; then
    echo "kvd-client: $host:$port did not accept a write after $attempts attempts" >&2
    exit 1
  fi
  n=$((n + 1))
  sleep 1
done

# One pipelined session per phase keeps this fast; redis-cli prints one reply per line.
i=1
while [ "$i" -le "$count" ]; do
  echo "SET $prefix:$i value-$i"
  i=$((i + 1))
done | cli >"$work"/set.out
written=$(grep -c '^OK$' "$work"/set.out || true)
if [ "$written" != "$count" ]; then
  echo "kvd-client: only $written of $count SETs answered OK:" >&2
  grep -v '^OK$' "$work"/set.out | head -5 >&2
  exit 1
fi

i=1
while [ "$i" -le "$count" ]; do
  echo "GET $prefix:$i"
  i=$((i + 1))
done | cli >"$work"/get.out
i=1
while IFS= read -r line; do
  if [ "$line" != "\"value-$i\"" ]; then
    echo "kvd-client: GET $prefix:$i answered $line, expected \"value-$i\"" >&2
    exit 1
  fi
  i=$((i + 1))
done <"$work"/get.out
if [ "$i" -le "$count" ]; then
  echo "kvd-client: only $((i - 1)) of $count GETs answered" >&2
  exit 1
fi
echo "kvd-client: wrote and verified $count keys through $host:$port"
