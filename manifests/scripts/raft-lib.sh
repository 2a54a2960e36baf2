# Shared shell functions for respraft pods: talk RESP to a node with nothing but busybox.
# Sourced by start.sh and raft.sh. POSIX sh; runs under busybox ash (Alpine) and dash.
#
# Every network call is bounded twice: `nc -w 2` (the one flag busybox and OpenBSD nc
# share) and `timeout`, because busybox nc's -w only bounds the connect. The request ends
# with QUIT so a healthy server closes the connection at once instead of waiting for -w.

RESP_TIMEOUT_SECONDS=${RESP_TIMEOUT_SECONDS:-3}

log() {
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) ${LOG_TAG:-raft}: $*" >&2
}

# The app's environment prefix (kvd -> KVD), which its CLI also reads.
app_env_prefix() {
  echo "$1" | tr 'a-z-' 'A-Z_'
}

# The password a client must AUTH with, from <PREFIX>_AUTH, or empty.
app_password() {
  [ -n "${APP:-}" ] || return 0
  eval "printf '%s' \"\${$(app_env_prefix "$APP")_AUTH:-}\""
}

# Encodes each argument as a RESP bulk string of a multibulk request (binary safe, so a
# password with spaces or quotes needs no escaping, unlike an inline command).
resp_encode() {
  printf '*%d\r\n' "$#"
  for arg in "$@"; do
    printf '$%d\r\n%s\r\n' "$(printf '%s' "$arg" | wc -c)" "$arg"
  done
}

# resp_call HOST PORT ARG... : sends one command (after AUTH when a password is set), then
# QUIT; prints the replies with \r stripped, one RESP line per line. Empty when nothing
# answered (refused, unknown name, timeout).
resp_call() {
  _host=$1 _port=$2
  shift 2
  _password=$(app_password)
  {
    if [ -n "$_password" ]; then resp_encode AUTH "$_password"; fi
    resp_encode "$@"
    resp_encode QUIT
  } | timeout "$RESP_TIMEOUT_SECONDS" nc -w 2 "$_host" "$_port" 2>/dev/null | tr -d '\r'
}

# Reads RESP reply lines on stdin and prints one line per top-level reply: scalars as
# +text, -error, :integer, $bulk, and _ for any null; an array as its elements (each in
# the same form) joined by tabs, nested arrays flattened. A line that is not RESP prints
# ?garbage and ends the parse. Assumes bulk strings without line breaks (addresses, ids).
resp_replies() {
  awk '
    function element(   line, t, n, i, out, sep) {
      if ((getline line) <= 0) { truncated = 1; return "" }
      t = substr(line, 1, 1)
      if (t == "+" || t == "-" || t == ":") return line
      if (t == "_") return "_"
      if (t == "$") {
        n = substr(line, 2) + 0
        if (n < 0) return "_"
        if ((getline line) <= 0) { truncated = 1; return "" }
        return "$" line
      }
      if (t == "*") {
        n = substr(line, 2) + 0
        if (n < 0) return "_"
        out = ""; sep = ""
        for (i = 0; i < n; i++) { out = out sep element(); sep = "\t" }
        return out
      }
      garbage = 1
      return "?garbage"
    }
    BEGIN {
      for (;;) {
        r = element()
        if (truncated) exit
        print r
        if (garbage) exit
      }
    }'
}

# The Nth (1-based) top-level reply of the command sent by resp_call, skipping the AUTH
# reply when a password was sent.
resp_reply_of_command() {
  _skip=1
  [ -n "$(app_password)" ] && _skip=2
  resp_replies | sed -n "${_skip}p"
}

# raft_leader HOST PORT: prints the leader's host:port and returns 0 when the node names
# one; returns 1 when the node answered but knows no leader (null, an error, garbage);
# returns 2 when nothing answered.
raft_leader() {
  _raw=$(resp_call "$1" "$2" RAFT LEADER)
  [ -n "$_raw" ] || return 2
  _reply=$(printf '%s\n' "$_raw" | resp_reply_of_command)
  case "$_reply" in
    '$'*) _addr=${_reply#?} ;;
    *) return 1 ;;
  esac
  if printf '%s\n' "$_addr" | grep -Eq '^[A-Za-z0-9._-]+:[0-9]{1,5}$'; then
    echo "$_addr"
    return 0
  fi
  return 1
}

# The file start.sh writes before it starts the server with -j, beside the data dir on
# the same volume; raft.sh ready removes it once the node knows its leader.
join_marker_of() {
  echo "${1%/}.joining"
}

# The port of a host:port listen address.
addr_port() {
  echo "${1##*:}"
}
