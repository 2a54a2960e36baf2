#!/bin/sh
# Layer 3 of the Kubernetes checks (optional, root, slow): build the real Dockerfile with
# podman on a machine that cannot pull images, then run the image once.
#
#   scripts/k8s/podman-standin.sh [build|run|pods|all]     (default: all)
#
# No base image can be pulled here, so a STAND-IN for node:20-alpine is made from
# busybox-static (Debian package, extracted, not installed), this machine's node binary
# with the shared libraries it links, npm, a CA bundle and a `node` user (uid 1000), and
# imported under the name docker.io/library/node:20-alpine so `FROM node:20-alpine`
# resolves. It is glibc, not musl: it proves the Dockerfile's steps, the non-root user,
# the entry point and the image's contents, not Alpine itself.
#
#   build  import the stand-in, `podman build --pull=never --isolation=chroot` the image
#          as respraft:standin
#   run    run the image once in a throwaway network namespace (podman's own networks
#          would change the host's interfaces and firewall): `kvd` bootstraps, answers
#          PING and names itself leader
#   pods   copy /app out of the image and run test/k8s/pods.test.ts against it
#          (K8S_PODS_APP_HOME)
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${WORK_DIR:-$(mktemp -d /tmp/respraft-standin.XXXXXX)}
base=docker.io/library/node:20-alpine
image=localhost/respraft:standin
ns=respraft-standin-$$
stage=${1:-all}

cleanup() {
  ip netns delete "$ns" 2>/dev/null || true
  [ -n "${WORK_DIR:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

make_standin() {
  root="$work/rootfs"
  mkdir -p "$root/bin" "$root/usr/bin" "$root/usr/local/bin" "$root/usr/local/lib" \
    "$root/etc/ssl/certs" "$root/tmp" "$root/home/node" "$root/root"
  chmod 1777 "$root/tmp"
  (cd "$work" && apt-get download busybox-static >/dev/null 2>&1 && dpkg -x busybox-static_*.deb bb)
  cp "$work/bb/bin/busybox" "$root/bin/busybox"
  # Alpine links applets from /bin and /usr/bin (npm's shebang needs /usr/bin/env).
  for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    [ -e "$root/usr/bin/$applet" ] || ln -s /bin/busybox "$root/usr/bin/$applet"
  done
  node_bin=$(readlink -f "$(command -v node)")
  cp "$node_bin" "$root/usr/local/bin/node"
  for lib in $(ldd "$node_bin" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules-npm"
  mkdir -p "$root/usr/local/lib/node_modules"
  mv "$root/usr/local/lib/node_modules-npm" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$root/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$root/etc/group"
  chown 1000:1000 "$root/home/node"
  tar -C "$root" -cf "$work/rootfs.tar" .
  podman import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]' \
    "$work/rootfs.tar" "$base" >/dev/null
  echo "stand-in base imported as $base (busybox-static, node $(node -v), npm $(npm -v 2>/dev/null))"
}

build() {
  make_standin
  started=$(date +%s)
  podman build --pull=never --isolation=chroot --network=host -t "$image" "$repo"
  echo "built $image in $(($(date +%s) - started)) s; size: $(podman image inspect "$image" --format '{{.Size}}') bytes"
  echo "runs as: $(podman image inspect "$image" --format '{{.Config.User}}'), exposes: $(podman image inspect "$image" --format '{{.Config.ExposedPorts}}')"
}

run_once() {
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  podman run -d --rm --name "$ns" --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1000:1000 \
    --network "ns:/run/netns/$ns" "$image" kvd --id 0 --addr 0.0.0.0:11001 --advertise 127.0.0.1:11001 \
    --data-dir /data/node >/dev/null
  leader=''
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    leader=$(ip netns exec "$ns" redis-cli -p 11001 RAFT LEADER 2>/dev/null || true)
    [ "$leader" = 127.0.0.1:11001 ] && break
    sleep 1
  done
  user=$(podman exec "$ns" id -u)
  pong=$(ip netns exec "$ns" redis-cli -p 11001 PING || true)
  podman stop -t 10 "$ns" >/dev/null || true
  echo "container: uid=$user PING=$pong RAFT LEADER=$leader"
  [ "$leader" = 127.0.0.1:11001 ] && [ "$pong" = PONG ] && [ "$user" = 1000 ]
}

pods() {
  container=$(podman create "$image")
  rm -rf "$work/app"
  podman cp "$container:/app" "$work/app"
  podman rm "$container" >/dev/null
  (cd "$repo" && K8S_PODS_APP_HOME="$work/app" node --import tsx --test test/k8s/pods.test.ts)
}

case "$stage" in
  build) build ;;
  run) run_once ;;
  pods) pods ;;
  all) build && run_once && pods ;;
  *) sed -n '5p' "$0" >&2; exit 64 ;;
esac
