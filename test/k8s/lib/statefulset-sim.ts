/**
 * A stand-in for the StatefulSet controller, the kubelet and cluster DNS, over netns
 * pods: pod N gets namespace <prefix>-<set>-N, IP 10.244.0.(10+N), hostname <set>-N
 * (unshare --uts), the DNS name <set>-N.<peer service>.default.svc.<domain> while it
 * exists, a data volume that survives its deletion, and runs the container's command
 * from the manifests with the scripts from the ConfigMap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './objects.js';
import { POD_SUBNET, type PodNetwork } from './netns.js';
import type { ServerPodSpec } from './pod-spec.js';
import { IP } from './ns-exec.js';
import { podShell, systemTool } from './shell.js';

const UNSHARE = systemTool('unshare') ?? 'unshare';

export const POD_NAMESPACE = 'default';
/** The Dockerfile's WORKDIR and APP_HOME. */
const IMAGE_APP_HOME = '/app';

interface Incarnation {
  child: ChildProcess;
  exit: Promise<number | null>;
}

export class StatefulSetSim {
  readonly scriptsDir: string;
  private readonly pods = new Map<number, Incarnation>();
  private readonly logs = new Map<number, string>();

  constructor(
    readonly net: PodNetwork,
    readonly spec: ServerPodSpec,
    private readonly workDir: string,
    /** Test-only env overrides (e.g. a shorter retry backoff). */
    private readonly envOverrides: Record<string, string> = {},
  ) {
    this.scriptsDir = join(workDir, 'scripts');
    mkdirSync(this.scriptsDir, { recursive: true });
    for (const [file, text] of Object.entries(spec.scripts)) writeFileSync(join(this.scriptsDir, file), text, { mode: 0o555 });
  }

  podName(i: number): string {
    return `${this.spec.setName}-${i}`;
  }

  domain(): string {
    return `${this.spec.peerService}.${POD_NAMESPACE}.svc.${this.spec.env.CLUSTER_DOMAIN ?? 'cluster.local'}`;
  }

  fqdn(i: number): string {
    return `${this.podName(i)}.${this.domain()}`;
  }

  ip(i: number): string {
    return `${POD_SUBNET}.${10 + i}`;
  }

  ns(i: number): string {
    return this.net.nsOf(this.podName(i));
  }

  volumeDir(i: number): string {
    return join(this.workDir, 'volumes', this.podName(i));
  }

  /** Where the image's /app is on this machine. */
  appHome(): string {
    return this.envOverrides.APP_HOME ?? REPO_ROOT;
  }

  /** Maps a path inside the container (/scripts/x, /data/node, /app/...) to this machine. */
  localPath(p: string, i: number): string {
    const under = (mount: string): boolean => p === mount || p.startsWith(`${mount}/`);
    if (under(this.spec.scriptsMountPath)) return this.scriptsDir + p.slice(this.spec.scriptsMountPath.length);
    if (under(this.spec.dataMountPath)) return this.volumeDir(i) + p.slice(this.spec.dataMountPath.length);
    if (under(IMAGE_APP_HOME)) return this.appHome() + p.slice(IMAGE_APP_HOME.length);
    return p;
  }

  /** The container's argv, with `/bin/sh` as the pod shell and mounted paths mapped. */
  argv(words: string[], i: number): string[] {
    const [first, ...rest] = words;
    const shell = first === '/bin/sh' || first === 'sh' ? podShell().shell : [first as string];
    return [...shell, ...rest.map((w) => this.localPath(w, i))];
  }

  env(i: number, extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.spec.env)) env[k] = this.localPath(v, i);
    return {
      PATH: podShell().path,
      HOME: this.volumeDir(i),
      HOSTNAME: this.podName(i),
      POD_NAMESPACE,
      APP_HOME: this.appHome(),
      ...env,
      ...this.envOverrides,
      ...extra,
    };
  }

  /**
   * The StatefulSet controller creating pod i (again): namespace, DNS name, process.
   * `extraEnv` changes this start only (a fault to inject).
   */
  create(i: number, extraEnv: Record<string, string> = {}): void {
    if (this.pods.has(i)) throw new Error(`${this.podName(i)} is already running`);
    this.net.addHost(this.podName(i), this.ip(i));
    mkdirSync(this.volumeDir(i), { recursive: true });
    this.net.setNames([this.fqdn(i)], this.ip(i));
    const [sh, ...shArgs] = podShell().shell;
    const setHostname = 'hostname "$0" && exec "$@"';
    const argv = [...this.argv(this.spec.command, i), ...this.spec.args];
    const child = spawn(
      IP,
      ['netns', 'exec', this.ns(i), UNSHARE, '--uts', '--', sh as string, ...shArgs, '-c', setHostname, this.podName(i), ...argv],
      { env: this.env(i, extraEnv), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const logFile = join(this.workDir, `${this.podName(i)}.log`);
    const record = (chunk: Buffer): void => {
      this.logs.set(i, (this.logs.get(i) ?? '') + chunk.toString());
      appendFileSync(logFile, chunk);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    this.pods.set(i, { child, exit });
  }

  running(i: number): boolean {
    return this.pods.has(i);
  }

  /** Resolves with pod i's exit code when its process ends by itself, within timeoutMs. */
  exited(i: number, timeoutMs = 30_000): Promise<number | null> {
    const pod = this.pods.get(i);
    if (!pod) throw new Error(`${this.podName(i)} is not running`);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.podName(i)} still runs after ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([pod.exit, late]).finally(() => clearTimeout(timer));
  }

  /** Every line pod i printed, over all its incarnations (kubectl logs plus --previous). */
  logsOf(i: number): string {
    return this.logs.get(i) ?? '';
  }

  /**
   * Pod deletion: `signal` to the whole process group (SIGTERM as the kubelet sends, or
   * SIGKILL for a crash), SIGKILL after the grace period, DNS name withdrawn. The
   * namespace and the data volume stay. Resolves with the exit code (null if killed).
   */
  async delete(i: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const pod = this.pods.get(i);
    if (!pod) throw new Error(`${this.podName(i)} is not running`);
    this.net.setNames([this.fqdn(i)], null);
    const pid = pod.child.pid as number;
    const kill = (s: NodeJS.Signals): void => {
      try {
        process.kill(-pid, s);
      } catch {
        // the group is gone already
      }
    };
    kill(signal);
    const grace = setTimeout(() => kill('SIGKILL'), this.spec.terminationGraceSeconds * 1000);
    const code = await pod.exit;
    clearTimeout(grace);
    kill('SIGKILL'); // anything the server left behind in its group
    this.pods.delete(i);
    return code;
  }

  /** The PersistentVolumeClaim's deletion. */
  wipeVolume(i: number): void {
    rmSync(this.volumeDir(i), { recursive: true, force: true });
  }

  /** Kills every pod's process group at once, synchronously (for exit handlers). */
  killAllSync(): void {
    for (const pod of this.pods.values()) {
      try {
        process.kill(-(pod.child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  async deleteAll(): Promise<void> {
    await Promise.all([...this.pods.keys()].map((i) => this.delete(i, 'SIGKILL')));
  }
}
