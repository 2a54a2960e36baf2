#!/bin/sh
# Entry point of the respraft image: one image, both apps.
#   <image> kvd [FLAGS]          run kvd         (node $APP_HOME/dist/bin/kvd.js)
#   <image> semaphored [FLAGS]   run semaphored
#   <image> COMMAND [ARGS]       run anything else (sh, node, ...)
# exec keeps the server as the container's main process, so SIGTERM reaches it.
set -eu
case "${1:-}" in
  kvd | semaphored)
    app=$1
    shift
    exec node "${APP_HOME:-/app}/dist/bin/$app.js" "$@"
    ;;
  '')
    sed -n '3,5p' "$0" | sed 's/^# *//' >&2
    exit 64
    ;;
  *)
    exec "$@"
    ;;
esac
