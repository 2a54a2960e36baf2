/**
 * One app's StatefulSet as netns pods plus a client namespace, for the layer-2 tests:
 * set-up and tear-down (every namespace, process and /etc/netns entry, also when the
 * runner is interrupted), the client Service as a virtual IP, and the waits the tests
 * share. K8S_PODS_APP_HOME=<dir> runs <dir>/dist/bin/<app>.js instead of this
 * checkout's build (e.g. the /app tree of a built image); K8S_PODS_KEEP=1 keeps logs
 * and volumes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../helpers/wait.js';
import { cleanupStale, PodNetwork, POD_SUBNET } from './netns.js';
import { nsExec } from './ns-exec.js';
import { loadKustomization, type ManifestSet } from './objects.js';
import { agreedLeader, ordinalOf, ready } from './pod-queries.js';
import { serverPodSpec } from './pod-spec.js';
import { serverBuildProblem } from './server-build.js';
import { podShell, type RunResult } from './shell.js';
import { StatefulSetSim } from './statefulset-sim.js';

export const CLIENT = 'client';
const CLIENT_IP = `${POD_SUBNET}.200`;
const SERVICE_VIP = '10.96.0.10';
export const ELECTION_MS = 30_000;

/** Why layer 2 cannot run here, or undefined. */
export function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  for (const tool of ['ip', 'unshare', 'nft', 'redis-cli']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}

export const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export class PodCluster {
  readonly rendered: ManifestSet = loadKustomization();
  readonly net = new PodNetwork();
  readonly sim: StatefulSetSim;
  readonly workDir: string;

  constructor(app: string) {
    const appHome = process.env.K8S_PODS_APP_HOME;
    const problem = appHome ? undefined : serverBuildProblem(app);
    if (problem) throw new Error(problem);
    cleanupStale();
    this.workDir = mkdtempSync(join(tmpdir(), 'respraft-pods-'));
    this.cleanUpOnExit();
    this.net.setup();
    // Test-only: a shorter cap on the start-up script's retry backoff keeps joins quick.
    const overrides = { BACKOFF_MAX_SECONDS: '2', ...(appHome ? { APP_HOME: appHome } : {}) };
    this.sim = new StatefulSetSim(this.net, serverPodSpec(this.rendered, app), this.workDir, overrides);
    this.net.addHost(CLIENT, CLIENT_IP);
  }

  /** Also when the runner is interrupted: 'exit' does not run on a signal by itself. */
  private cleanUpOnExit(): void {
    const cleanUp = (): void => {
      this.sim?.killAllSync();
      this.net.destroy();
    };
    process.on('exit', cleanUp);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        cleanUp();
        process.exit(130);
      });
    }
  }

  async stop(): Promise<void> {
    await this.sim.deleteAll();
    this.net.destroy();
    if (process.env.K8S_PODS_KEEP) console.log(`# pods' logs and volumes kept in ${this.workDir}`);
    else rmSync(this.workDir, { recursive: true, force: true });
  }

  /** The client Service: its names resolve to a virtual IP, DNATed round-robin to pods. */
  publishService(backends: number[]): void {
    const { name, port, targetPort } = this.sim.spec.clientService;
    this.net.setNames([name, `${name}.default`, `${name}.default.svc`, `${name}.default.svc.cluster.local`], SERVICE_VIP);
    this.net.serviceVip(CLIENT, SERVICE_VIP, port, backends.map((i) => this.sim.ip(i)), targetPort);
  }

  /** A client workload's container command, run in the client namespace. */
  runClient(command: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<RunResult> {
    const argv = this.sim.argv(command, 0);
    return nsExec(this.net.nsOf(CLIENT), argv, { PATH: podShell().path, HOME: this.workDir, ...env }, timeoutMs);
  }

  waitForLeader(ordinals: number[], what: string): Promise<string> {
    return waitFor(what, () => agreedLeader(this.sim, ordinals), { timeoutMs: ELECTION_MS, intervalMs: 200 });
  }

  /** Waits until `ordinals` agree on a leader other than pod `old`. */
  waitForNewLeader(ordinals: number[], old: number, what: string): Promise<string> {
    const isNew = async (): Promise<string | undefined> => {
      const seen = await agreedLeader(this.sim, ordinals);
      return seen !== undefined && ordinalOf(this.sim, seen) !== old ? seen : undefined;
    };
    return waitFor(what, isNew, { timeoutMs: ELECTION_MS, intervalMs: 200 });
  }

  async waitForReady(ordinals: number[]): Promise<void> {
    const allReady = async (): Promise<boolean> => (await Promise.all(ordinals.map((i) => ready(this.sim, i)))).every(Boolean);
    await waitFor(`readiness of ${ordinals.map((i) => this.sim.podName(i)).join(', ')}`, allReady, { timeoutMs: ELECTION_MS, intervalMs: 250 });
  }
}
