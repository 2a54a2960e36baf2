#!/bin/sh
# Start-up of one respraft StatefulSet pod: decide between restart, join and bootstrap,
# then exec the server so that SIGTERM from the kubelet reaches it directly.
#
#   start.sh [EXTRA SERVER FLAGS...]
#
# Environment (set by the StatefulSet):
#   APP              kvd | semaphored (runs $APP_HOME/dist/bin/$APP.js)
#   PEER_SERVICE     the headless Service that gives pods stable DNS names
#   POD_NAMESPACE    the pod's namespace (downward API); default "default"
#   CLUSTER_DOMAIN   default cluster.local
#   LISTEN_ADDR      host:port to listen on; default 0.0.0.0:11001
#   DATA_DIR         the node's data; a subdirectory of the volume (a fresh volume holds
#                    lost+found, which must not count as state); default /data/node
#   PROBE_ORDINALS   peers probed are ordinals 0..max(PROBE_ORDINALS, own)-1; default 5
#   BACKOFF_MAX_SECONDS  cap of the doubling retry delay; default 8
#   APP_HOME         default /app
#   <PREFIX>_AUTH    (KVD_AUTH, SEMAPHORED_AUTH) when set, probes AUTH first
#
# Decision, in order:
#   1. a join is pending (DATA_DIR.joining exists: this script started the server with -j
#      and the node never became ready since) -> wait for a leader, start with -j. The
#      server creates its stores at once, so a node killed mid-join has files but no
#      cluster, and without -j it would bootstrap a second cluster beside the real one.
#      raft.sh ready removes the marker once the node knows its leader.
#   2. the data dir has state -> start without -j (the node knows its cluster; all pods
#      of a restarted cluster must start without waiting for a leader, or none would win)
#   3. a peer names a leader  -> write the marker, start with -j <leader>
#   4. ordinal 0, and no peer answered at all -> bootstrap a one-node cluster. A peer
#      that answers without a leader is a member of a cluster that lost its quorum:
#      bootstrapping beside it would split the cluster in two, so ordinal 0 waits too.
#   5. otherwise wait (1 s, doubling up to BACKOFF_MAX_SECONDS) and probe again.
set -eu

LOG_TAG=start.sh
. "$(dirname "$0")/raft-lib.sh"

: "${APP:?APP must be set (kvd or semaphored)}"
: "${PEER_SERVICE:?PEER_SERVICE must name the headless Service}"
POD_NAMESPACE=${POD_NAMESPACE:-default}
CLUSTER_DOMAIN=${CLUSTER_DOMAIN:-cluster.local}
LISTEN_ADDR=${LISTEN_ADDR:-0.0.0.0:11001}
DATA_DIR=${DATA_DIR:-/data/node}
PROBE_ORDINALS=${PROBE_ORDINALS:-5}
BACKOFF_MAX_SECONDS=${BACKOFF_MAX_SECONDS:-8}
APP_HOME=${APP_HOME:-/app}

pod_name=$(hostname)
set_name=${pod_name%-*}
ordinal=${pod_name##*-}
case "$ordinal" in
  '' | *[!0-9]*)
    log "hostname '$pod_name' does not end in -<ordinal>: not a StatefulSet pod"
    exit 64
    ;;
esac
port=$(addr_port "$LISTEN_ADDR")
peer_domain="$PEER_SERVICE.$POD_NAMESPACE.svc.$CLUSTER_DOMAIN"
self_addr="$pod_name.$peer_domain:$port"

has_state() {
  [ -d "$DATA_DIR" ] && [ -n "$(ls -A "$DATA_DIR" 2>/dev/null)" ]
}

# Probes every peer but this pod; sets LEADER (first leader named) and ANSWERED (how
# many peers answered at all).
probe_peers() {
  LEADER=''
  ANSWERED=0
  last=$PROBE_ORDINALS
  [ "$ordinal" -lt "$last" ] || last=$((ordinal + 1))
  i=0
  while [ "$i" -lt "$last" ]; do
    if [ "$i" != "$ordinal" ]; then
      peer="$set_name-$i.$peer_domain"
      status=0
      found=$(raft_leader "$peer" "$port") || status=$?
      [ "$status" = 2 ] || ANSWERED=$((ANSWERED + 1))
      # A peer may still name this pod's previous life as leader: no one to join there.
      if [ "$status" = 0 ] && [ "$found" != "$self_addr" ]; then
        LEADER=$found
        return 0
      fi
    fi
    i=$((i + 1))
  done
}

run_server() {
  log "exec $APP id=$ordinal addr=$LISTEN_ADDR advertise=$self_addr data=$DATA_DIR $*"
  exec node "$APP_HOME/dist/bin/$APP.js" --id "$ordinal" --addr "$LISTEN_ADDR" \
    --advertise "$self_addr" --data-dir "$DATA_DIR" "$@"
}

join_marker=$(join_marker_of "$DATA_DIR")
join_pending=no
if [ -e "$join_marker" ]; then
  join_pending=yes
  log "a join is pending ($join_marker): waiting for a leader, never bootstrapping"
elif has_state; then
  log "decision=restart: $DATA_DIR has state, starting without -j"
  run_server "$@"
fi

delay=1
attempt=1
while :; do
  probe_peers
  if [ -n "$LEADER" ]; then
    log "decision=join leader=$LEADER attempt=$attempt"
    mkdir -p "$(dirname "$join_marker")"
    echo "$LEADER" >"$join_marker"
    run_server --join "$LEADER" "$@"
  fi
  if [ "$join_pending" = no ] && [ "$ordinal" = 0 ] && [ "$ANSWERED" = 0 ]; then
    log "decision=bootstrap: no peer answered, ordinal 0 starts a new cluster"
    run_server "$@"
  fi
  log "no leader yet (attempt=$attempt, peers answering=$ANSWERED), retrying in ${delay}s"
  sleep "$delay"
  delay=$((delay * 2))
  [ "$delay" -le "$BACKOFF_MAX_SECONDS" ] || delay=$BACKOFF_MAX_SECONDS
  attempt=$((attempt + 1))
done
