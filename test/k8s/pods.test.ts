/**
 * Layer 2 of the Kubernetes tests (root only): the kvd StatefulSet from the rendered
 * manifests, run as network-namespace "pods" with the real start-up script from the
 * ConfigMap and the real server (dist/bin/kvd.js). One cluster lives through the whole
 * file, as a StatefulSet would: parallel start, client Job through the Service name,
 * a crashed pod, a gracefully deleted leader, a partitioned leader, scale 3 -> 5 -> 3.
 *
 * K8S_PODS_APP_HOME=<dir> runs <dir>/dist/bin/kvd.js instead of this checkout's build
 * (for example the /app tree taken out of a built image). K8S_PODS_KEEP=1 keeps the
 * pods' logs and data volumes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/wait.js';
import { KubectlShim } from './lib/kubectl-shim.js';
import { cleanupStale, PodNetwork, POD_SUBNET } from './lib/netns.js';
import { nsExec, redisCli } from './lib/ns-exec.js';
import { REPO_ROOT, loadKustomization } from './lib/objects.js';
import { agreedLeader, leaderSeenBy, members, ordinalOf, ready, serverPort } from './lib/pod-queries.js';
import { clientJobSpec, serverPodSpec } from './lib/pod-spec.js';
import { interruptedJoin, serverBuildProblem } from './lib/server-build.js';
import { podShell, runProcess } from './lib/shell.js';
import { StatefulSetSim } from './lib/statefulset-sim.js';

const CLIENT = 'client';
const CLIENT_IP = `${POD_SUBNET}.200`;
const SERVICE_VIP = '10.96.0.10';
const ELECTION_MS = 30_000;

function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  for (const tool of ['ip', 'unshare', 'nft', 'redis-cli']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}

const skip = missingPrerequisite();
if (skip) console.log(`# SKIP test/k8s/pods.test.ts: ${skip} (layer 2 of the Kubernetes tests runs as root only)`);

describe('kvd StatefulSet as netns pods', { skip: skip ?? false }, () => {
  const rendered = loadKustomization();
  const spec = serverPodSpec(rendered, 'kvd');
  const job = clientJobSpec(rendered, 'kvd-client');
  const port = (): number => serverPort(sim);
  let workDir = '';
  let net: PodNetwork;
  let sim: StatefulSetSim;

  const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  const count = (text: string, needle: string): number => text.split(needle).length - 1;

  async function waitForLeader(ordinals: number[], what: string): Promise<string> {
    return waitFor(what, () => agreedLeader(sim, ordinals), { timeoutMs: ELECTION_MS, intervalMs: 200 });
  }

  /** Waits until `ordinals` agree on a leader other than pod `old`. */
  async function waitForNewLeader(ordinals: number[], old: number, what: string): Promise<string> {
    const isNew = async (): Promise<string | undefined> => {
      const seen = await agreedLeader(sim, ordinals);
      return seen !== undefined && ordinalOf(sim, seen) !== old ? seen : undefined;
    };
    return waitFor(what, isNew, { timeoutMs: ELECTION_MS, intervalMs: 200 });
  }

  async function waitForReady(ordinals: number[]): Promise<void> {
    await waitFor(`readiness of ${ordinals.map((i) => sim.podName(i)).join(', ')}`, async () => (await Promise.all(ordinals.map((i) => ready(sim, i)))).every(Boolean), { timeoutMs: ELECTION_MS, intervalMs: 250 });
  }

  /** The client Service: its names resolve to a virtual IP DNATed round-robin to pods. */
  function publishService(backends: number[]): void {
    const { name, port: svcPort, targetPort } = spec.clientService;
    net.setNames([name, `${name}.default`, `${name}.default.svc`, `${name}.default.svc.cluster.local`], SERVICE_VIP);
    net.serviceVip(CLIENT, SERVICE_VIP, svcPort, backends.map((i) => sim.ip(i)), targetPort);
  }

  /** Runs the kvd-client Job's container command in the client namespace. */
  async function runClientJob(): Promise<{ code: number | null; out: string }> {
    const argv = sim.argv(job.command, 0);
    const r = await nsExec(net.nsOf(CLIENT), argv, { PATH: podShell().path, HOME: workDir, ...job.env }, 60_000);
    return { code: r.code, out: r.stdout + r.stderr };
  }

  const appHome = process.env.K8S_PODS_APP_HOME;

  before(() => {
    const problem = appHome ? undefined : serverBuildProblem();
    if (problem) throw new Error(problem);
    cleanupStale();
    workDir = mkdtempSync(join(tmpdir(), 'respraft-pods-'));
    net = new PodNetwork();
    process.on('exit', () => net.destroy()); // also when the runner is interrupted
    net.setup();
    // Test-only: a shorter cap on the start-up script's retry backoff keeps joins quick.
    sim = new StatefulSetSim(net, spec, workDir, { BACKOFF_MAX_SECONDS: '2', ...(appHome ? { APP_HOME: appHome } : {}) });
    net.addHost(CLIENT, CLIENT_IP);
  });

  after(async () => {
    if (sim) await sim.deleteAll();
    net?.destroy();
    if (workDir && process.env.K8S_PODS_KEEP) console.log(`# pods' logs and volumes kept in ${workDir}`);
    else if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('a parallel start of 3 pods: one bootstrap by pod 0, two joins, one leader', async () => {
    for (const i of all(3)) sim.create(i);
    await waitForLeader(all(3), 'all 3 pods to name the same leader');
    await waitForReady(all(3));
    assert.equal(count(sim.logsOf(0), 'decision=bootstrap'), 1, sim.logsOf(0));
    for (const i of [1, 2]) {
      assert.equal(count(sim.logsOf(i), 'decision=bootstrap'), 0, sim.logsOf(i));
      assert.equal(count(sim.logsOf(i), 'decision=join'), 1, sim.logsOf(i));
    }
    assert.deepEqual(await waitFor('3 members', async () => ((await members(sim, 0)).length === 3 ? members(sim, 0) : false)), all(3));
  });

  test('the kvd-client Job writes and verifies keys through the client Service name', async () => {
    publishService(all(3));
    const job = await runClientJob();
    assert.equal(job.code, 0, job.out);
    assert.match(job.out, /wrote and verified 100 keys through kvd:6379/);
    // Round-robin DNAT: consecutive connections land on each pod in turn; all answer.
    await redisCli(net.nsOf(CLIENT), 'kvd', spec.clientService.port, ['SET', 'via-service', 'yes']);
    for (const _ of all(3)) assert.equal(await redisCli(net.nsOf(CLIENT), 'kvd', spec.clientService.port, ['GET', 'via-service']), 'yes');
  });

  test('a crashed pod (kill -9) comes back with its data and rejoins without -j', async () => {
    const leader = ordinalOf(sim, await waitForLeader(all(3), 'a leader'));
    const victim = all(3).find((i) => i !== leader) as number;
    await sim.delete(victim, 'SIGKILL');
    await redisCli(sim.ns(leader), sim.fqdn(leader), port(), ['SET', 'written-while-down', '1']);
    sim.create(victim);
    await waitForLeader(all(3), `${sim.podName(victim)} to name the leader again`);
    await waitForReady([victim]);
    assert.equal(count(sim.logsOf(victim), 'decision=restart'), 1, sim.logsOf(victim));
    assert.deepEqual(await members(sim, victim), all(3));
    assert.equal(await redisCli(sim.ns(victim), '127.0.0.1', port(), ['GET', 'written-while-down']), '1');
  });

  test('a deleted leader (SIGTERM) hands over, exits 0, and its pod rejoins', async () => {
    const leader = ordinalOf(sim, await waitForLeader(all(3), 'a leader'));
    const others = all(3).filter((i) => i !== leader);
    assert.equal(await sim.delete(leader, 'SIGTERM'), 0, sim.logsOf(leader));
    await waitForNewLeader(others, leader, 'the other two to name a new leader');
    sim.create(leader);
    await waitForLeader(all(3), 'the restarted pod to follow the new leader');
    await waitForReady(all(3));
  });

  test('a partitioned leader is replaced, loses readiness, and rejoins after healing', async () => {
    const old = ordinalOf(sim, await waitForLeader(all(3), 'a leader'));
    const others = all(3).filter((i) => i !== old);
    net.partition(sim.podName(old));
    try {
      await waitForNewLeader(others, old, 'the majority side to elect a new leader');
      await waitFor(`${sim.podName(old)} to fail its readiness probe`, async () => !(await ready(sim, old)), { timeoutMs: ELECTION_MS, intervalMs: 250 });
      await redisCli(sim.ns(others[0] as number), '127.0.0.1', port(), ['SET', 'written-in-partition', 'majority']);
    } finally {
      net.heal(sim.podName(old));
    }
    await waitForLeader(all(3), 'the healed pod to follow the new leader');
    await waitForReady([old]);
    assert.equal(await redisCli(sim.ns(old), '127.0.0.1', port(), ['GET', 'written-in-partition']), 'majority');
  });

  test('scale 3 -> 5: the new pods join, one of them after dying mid-join', async () => {
    // Pod 3's first container died while joining: its volume holds only the empty files
    // the server creates at start. It must join again, not bootstrap a second cluster.
    await interruptedJoin(sim, 3);
    for (const i of [3, 4]) sim.create(i);
    await waitForLeader(all(5), 'all 5 pods to name the same leader');
    await waitForReady(all(5));
    for (const i of [3, 4]) assert.equal(count(sim.logsOf(i), 'decision=join'), 1, sim.logsOf(i));
    await waitFor('5 members', async () => (await members(sim, 0)).length === 5);
  });

  test('scale 5 -> 3 with scale-down.sh: members are removed before their pods go', async () => {
    const kubectl = new KubectlShim(join(workDir, 'kube'), sim, 5);
    // A workstation-side script: the system shell, not the pods' busybox.
    const r = await runProcess('sh', [join(REPO_ROOT, 'scripts/k8s/scale-down.sh'), '-n', 'default', 'kvd', '3'], {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      KUBECTL: kubectl.path,
      SCRIPTS_DIR: sim.scriptsDir,
    }, 120_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const calls = kubectl.calls();
    const at = (needle: string): number => calls.findIndex((c) => c.includes(needle));
    assert.ok(at('RAFT SERVER REMOVE 4') >= 0 && at('RAFT SERVER REMOVE 4') < at('RAFT SERVER REMOVE 3'), calls.join('\n'));
    assert.ok(at('RAFT SERVER REMOVE 3') < at('scale statefulset kvd --replicas=3'), calls.join('\n'));
    assert.equal(kubectl.replicas(), 3);
    assert.deepEqual(await members(sim, 0), all(3));
    // The StatefulSet controller's part: pods 4 and 3 go, and so do their claims.
    for (const i of [4, 3]) {
      await sim.delete(i, 'SIGTERM');
      sim.wipeVolume(i);
    }
    await waitForLeader(all(3), 'the 3 remaining pods to name a leader');
    publishService(all(3));
    const job = await runClientJob();
    assert.equal(job.code, 0, job.out);
  });
});
