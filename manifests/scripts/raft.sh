#!/bin/sh
# Small RESP client for respraft pods (busybox only; no redis-cli in the image).
#
#   raft.sh ready                 exit 0 when the local node knows a leader (readiness probe)
#   raft.sh leader HOST PORT      print the leader's host:port that HOST names
#   raft.sh call HOST PORT ARG... send one command; print its reply (an array as
#                                 tab-separated elements); exit 1 on an error reply or
#                                 when nothing answered
#   raft.sh local ARG...          call on this pod's own node (kubectl exec ... raft.sh local)
#
# Environment: APP (for <PREFIX>_AUTH), LISTEN_ADDR (the local port; default 0.0.0.0:11001),
# DATA_DIR (ready clears start.sh's join marker beside it; default /data/node).
set -eu

LOG_TAG=raft.sh
. "$(dirname "$0")/raft-lib.sh"

usage() {
  sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 64
}

command=${1:-}
[ "$#" -gt 0 ] && shift
case "$command" in
  ready)
    raft_leader 127.0.0.1 "$(addr_port "${LISTEN_ADDR:-0.0.0.0:11001}")" >/dev/null
    # A node that knows its leader is in the configuration: its join is done.
    rm -f "$(join_marker_of "${DATA_DIR:-/data/node}")"
    ;;
  leader)
    [ "$#" = 2 ] || usage
    raft_leader "$1" "$2"
    ;;
  call | local)
    if [ "$command" = local ]; then
      set -- 127.0.0.1 "$(addr_port "${LISTEN_ADDR:-0.0.0.0:11001}")" "$@"
    fi
    [ "$#" -ge 3 ] || usage
    raw=$(resp_call "$@")
    if [ -z "$raw" ]; then
      log "no answer from $1:$2"
      exit 1
    fi
    reply=$(printf '%s\n' "$raw" | resp_reply_of_command)
    printf '%s\n' "$reply"
    case "$reply" in
      -* | '?garbage') exit 1 ;;
    esac
    ;;
  *)
    usage
    ;;
esac
