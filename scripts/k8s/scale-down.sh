#!/bin/sh
# Scale a respraft StatefulSet down without leaving dead members in the Raft
# configuration (each would count toward the quorum forever).
#
#   scale-down.sh [-n NAMESPACE] [--keep-pvcs] STATEFULSET REPLICAS
#
# Steps, in this order:
#   1. for each ordinal from the current replica count - 1 down to REPLICAS:
#      RAFT SERVER REMOVE <ordinal> through pod <set>-0 (ordinal 0 is never removed;
#      followers forward to the leader), then wait until RAFT SERVER LIST no longer
#      names that pod
#   2. kubectl scale statefulset <set> --replicas=REPLICAS
#   3. wait for the removed pods to be gone, then delete their PersistentVolumeClaims
#      (data-<set>-<ordinal>), so a later scale-up starts those ordinals empty and they
#      join as new members instead of restarting with a stale configuration.
#      --keep-pvcs skips this.
#
# Environment: KUBECTL (default kubectl), SCRIPTS_DIR (where pods mount the scripts
# ConfigMap; default /scripts), CLAIM (the volumeClaimTemplate's name; default data),
# CONTAINER (default server), REMOVE_WAIT_SECONDS (default 60).
set -eu

KUBECTL=${KUBECTL:-kubectl}
SCRIPTS_DIR=${SCRIPTS_DIR:-/scripts}
CLAIM=${CLAIM:-data}
CONTAINER=${CONTAINER:-server}
REMOVE_WAIT_SECONDS=${REMOVE_WAIT_SECONDS:-60}
namespace=''
keep_pvcs=no

usage() {
  sed -n '5p' "$0" | sed 's/^# *//' >&2
  exit 64
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    -n | --namespace) [ "$#" -ge 2 ] || usage; namespace=$2; shift 2 ;;
    --keep-pvcs) keep_pvcs=yes; shift ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) break ;;
  esac
done
[ "$#" = 2 ] || usage
set_name=$1
target=$2

kc() {
  if [ -n "$namespace" ]; then "$KUBECTL" -n "$namespace" "$@"; else "$KUBECTL" "$@"; fi
}

# Runs raft.sh inside pod <set>-0 against its own node.
raft_via_first_pod() {
  kc exec "$set_name-0" -c "$CONTAINER" -- sh "$SCRIPTS_DIR/raft.sh" local "$@"
}

# Whether RAFT SERVER LIST names pod <set>-<ordinal>. A failed listing stops the script:
# read as "not a member", it would scale down without removing anyone.
is_member() {
  if ! list=$(raft_via_first_pod RAFT SERVER LIST); then
    echo "scale-down: RAFT SERVER LIST through $set_name-0 failed; stopping before kubectl scale" >&2
    exit 1
  fi
  printf '%s\n' "$list" | grep -qF "$set_name-$1."
}

case "$target" in '' | *[!0-9]*) echo "REPLICAS must be a number" >&2; exit 64 ;; esac
current=$(kc get statefulset "$set_name" -o 'jsonpath={.spec.replicas}')
if [ "$target" -lt 1 ] || [ "$target" -ge "$current" ]; then
  echo "scale-down: $set_name has $current replicas; REPLICAS must be 1..$((current - 1))" >&2
  exit 64
fi
[ "$target" -ge 3 ] || echo "scale-down: warning: $target replicas tolerate no failure" >&2

ordinal=$((current - 1))
while [ "$ordinal" -ge "$target" ]; do
  if is_member "$ordinal"; then
    echo "scale-down: RAFT SERVER REMOVE $ordinal"
    raft_via_first_pod RAFT SERVER REMOVE "$ordinal"
    waited=0
    while is_member "$ordinal"; do
      if [ "$waited" -ge "$REMOVE_WAIT_SECONDS" ]; then
        echo "scale-down: $set_name-$ordinal still a member after ${waited}s; not scaling" >&2
        exit 1
      fi
      sleep 1
      waited=$((waited + 1))
    done
  else
    echo "scale-down: $set_name-$ordinal is not a member (already removed)"
  fi
  ordinal=$((ordinal - 1))
done

echo "scale-down: kubectl scale statefulset $set_name --replicas=$target"
kc scale statefulset "$set_name" --replicas="$target"

ordinal=$((current - 1))
while [ "$ordinal" -ge "$target" ]; do
  kc wait --for=delete "pod/$set_name-$ordinal" --timeout=120s || true
  if [ "$keep_pvcs" = no ]; then
    kc delete pvc --ignore-not-found "$CLAIM-$set_name-$ordinal"
  fi
  ordinal=$((ordinal - 1))
done
echo "scale-down: $set_name now has $target members"
