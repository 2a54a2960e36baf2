/**
 * A stand-in for kubectl, just enough for scripts/k8s/scale-down.sh over netns pods:
 * `get statefulset -o jsonpath={.spec.replicas}`, `exec <pod> -- sh <script> ...` (run
 * in the pod's namespace with the container's env), `scale`, `wait`, `delete pvc`.
 * Every call is logged to <state>/calls so the test can check their order.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatefulSetSim } from './statefulset-sim.js';
import { podShell } from './shell.js';

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class KubectlShim {
  readonly path: string;

  constructor(
    private readonly stateDir: string,
    sim: StatefulSetSim,
    replicas: number,
  ) {
    mkdirSync(stateDir, { recursive: true });
    this.path = join(stateDir, 'kubectl');
    writeFileSync(join(stateDir, 'replicas'), `${replicas}\n`);
    writeFileSync(join(stateDir, 'calls'), '');
    const env = Object.entries(sim.env(0))
      .filter(([k]) => k !== 'HOSTNAME' && k !== 'HOME')
      .map(([k, v]) => quote(`${k}=${v}`))
      .join(' ');
    const shell = podShell().shell.map(quote).join(' ');
    const script = `#!/bin/sh
# kubectl stand-in written by test/k8s/lib/kubectl-shim.ts
state=${quote(stateDir)}
echo "$*" >> "$state/calls"
[ "$1" = -n ] && shift 2
verb=$1
shift
case "$verb" in
  get) cat "$state/replicas" ;;
  scale)
    for a in "$@"; do
      case "$a" in --replicas=*) echo "\${a#--replicas=}" > "$state/replicas" ;; esac
    done ;;
  exec)
    pod=$1
    shift
    while [ "$1" != -- ]; do shift; done
    shift
    [ "$1" = sh ] && shift
    exec ip netns exec ${quote(sim.net.prefix)}-"$pod" env -i ${env} ${shell} "$@" ;;
  wait | delete) ;;
  *) echo "kubectl stand-in: unsupported: $verb" >&2; exit 1 ;;
esac
`;
    writeFileSync(this.path, script, { mode: 0o755 });
  }

  calls(): string[] {
    return readFileSync(join(this.stateDir, 'calls'), 'utf8').split('\n').filter(Boolean);
  }

  replicas(): number {
    return Number(readFileSync(join(this.stateDir, 'replicas'), 'utf8'));
  }
}
