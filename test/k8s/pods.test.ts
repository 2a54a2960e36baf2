/**
 * Layer 2 of the Kubernetes tests (root only): the kvd StatefulSet from the rendered
 * manifests, run as network-namespace "pods" with the real start-up script from the
 * ConfigMap and the real server (dist/bin/kvd.js). One cluster lives through the whole
 * file, as a StatefulSet would: parallel start, client Job through the Service name,
 * a crashed pod, a gracefully deleted leader, a partitioned leader, scale 3 -> 5 -> 3.
 * See lib/pod-cluster.ts for K8S_PODS_APP_HOME and K8S_PODS_KEEP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../helpers/wait.js';
import { KubectlShim } from './lib/kubectl-shim.js';
import { redisCli } from './lib/ns-exec.js';
import { REPO_ROOT } from './lib/objects.js';
import { all, CLIENT, ELECTION_MS, missingPrerequisite, PodCluster } from './lib/pod-cluster.js';
import { members, ordinalOf, raftInfo, ready, serverPort } from './lib/pod-queries.js';
import { clientJobSpec } from './lib/pod-spec.js';
import { crashMidJoinEnv } from './lib/server-build.js';
import { runProcess } from './lib/shell.js';
import type { StatefulSetSim } from './lib/statefulset-sim.js';

const skip = missingPrerequisite();
if (skip) console.log(`# SKIP test/k8s/pods.test.ts: ${skip} (layer 2 of the Kubernetes tests runs as root only)`);

describe('kvd StatefulSet as netns pods', { skip: skip ?? false }, () => {
  let cluster: PodCluster;
  let sim: StatefulSetSim;
  const port = (): number => serverPort(sim);
  const count = (text: string, needle: string): number => text.split(needle).length - 1;
  const waitForLeader = (ordinals: number[], what: string): Promise<string> => cluster.waitForLeader(ordinals, what);
  const waitForReady = (ordinals: number[]): Promise<void> => cluster.waitForReady(ordinals);

  /** Runs the kvd-client Job's container command in the client namespace. */
  async function runClientJob(): Promise<{ code: number | null; out: string }> {
    const job = clientJobSpec(cluster.rendered, 'kvd-client');
    const r = await cluster.runClient(job.command, job.env);
    return { code: r.code, out: r.stdout + r.stderr };
  }

  before(() => {
    cluster = new PodCluster('kvd');
    sim = cluster.sim;
  });

  after(async () => {
    await cluster?.stop();
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
    cluster.publishService(all(3));
    const job = await runClientJob();
    assert.equal(job.code, 0, job.out);
    assert.match(job.out, /wrote and verified 100 keys through kvd:6379/);
    // Round-robin DNAT: consecutive connections land on each pod in turn; all answer.
    await redisCli(cluster.net.nsOf(CLIENT), 'kvd', sim.spec.clientService.port, ['SET', 'via-service', 'yes']);
    for (const _ of all(3)) assert.equal(await redisCli(cluster.net.nsOf(CLIENT), 'kvd', sim.spec.clientService.port, ['GET', 'via-service']), 'yes');
  });

  test('a crashed pod (kill -9) comes back with its data and rejoins without -j', async () => {
    const leader = ordinalOf(sim, await waitForLeader(all(3), 'a leader'));
    const victim = all(3).find((i) => i !== leader) as number;
    await sim.delete(victim, 'SIGKILL');
    await redisCli(sim.ns(leader), sim.fqdn(leader), port(), ['SET', 'written-while-down', '1']);
    const committed = Number((await raftInfo(sim, leader)).get('commit_index'));
    sim.create(victim);
    await waitForLeader(all(3), `${sim.podName(victim)} to name the leader again`);
    await waitForReady([victim]);
    assert.equal(count(sim.logsOf(victim), 'decision=restart'), 1, sim.logsOf(victim));
    assert.deepEqual(await members(sim, victim), all(3));
    // Caught up: it applied the write made while it was down (a GET would be forwarded).
    await waitFor('the restarted pod to apply what was written meanwhile', async () => Number((await raftInfo(sim, victim)).get('applied_index')) >= committed);
  });

  test('a deleted leader (SIGTERM) hands over, exits 0, and its pod rejoins', async () => {
    const leader = ordinalOf(sim, await waitForLeader(all(3), 'a leader'));
    const others = all(3).filter((i) => i !== leader);
    assert.equal(await sim.delete(leader, 'SIGTERM'), 0, sim.logsOf(leader));
    await cluster.waitForNewLeader(others, leader, 'the other two to name a new leader');
    sim.create(leader);
    await waitForLeader(all(3), 'the restarted pod to follow the new leader');
    await waitForReady(all(3));
  });

  test('a partitioned leader is replaced, loses readiness, and rejoins after healing', async () => {
    const old = ordinalOf(sim, await waitForLeader(all(3), 'a leader'));
    const others = all(3).filter((i) => i !== old);
    let committed = 0;
    cluster.net.partition(sim.podName(old));
    try {
      const next = ordinalOf(sim, await cluster.waitForNewLeader(others, old, 'the majority side to elect a new leader'));
      await waitFor(`${sim.podName(old)} to fail its readiness probe`, async () => !(await ready(sim, old)), { timeoutMs: ELECTION_MS, intervalMs: 250 });
      await redisCli(sim.ns(next), '127.0.0.1', port(), ['SET', 'written-in-partition', 'majority']);
      committed = Number((await raftInfo(sim, next)).get('commit_index'));
    } finally {
      cluster.net.heal(sim.podName(old));
    }
    await waitForLeader(all(3), 'the healed pod to follow the new leader');
    await waitForReady([old]);
    await waitFor('the healed pod to apply the majority side\'s write', async () => Number((await raftInfo(sim, old)).get('applied_index')) >= committed);
    assert.equal(await redisCli(sim.ns(old), '127.0.0.1', port(), ['GET', 'written-in-partition']), 'majority');
  });

  test('scale 3 -> 5: new pods join, one of them again after dying mid-join', async () => {
    // Pod 3's first container dies during its join: the server has created its stores,
    // but the node is in no cluster. Restarted, it must join, not bootstrap its own.
    sim.create(3, crashMidJoinEnv(sim, 3));
    assert.notEqual(await sim.exited(3), 0);
    await sim.delete(3);
    assert.match(sim.logsOf(3), /decision=join/);
    for (const i of [3, 4]) sim.create(i);
    await waitForLeader(all(5), 'all 5 pods to name the same leader');
    await waitForReady(all(5));
    assert.match(sim.logsOf(3), /a join is pending/);
    assert.equal(count(sim.logsOf(3), 'decision=bootstrap'), 0, sim.logsOf(3));
    assert.equal(count(sim.logsOf(4), 'decision=join'), 1, sim.logsOf(4));
    assert.equal(existsSync(`${sim.env(3).DATA_DIR}.joining`), false, 'readiness clears the join marker');
    await waitFor('5 members', async () => (await members(sim, 0)).length === 5);
  });

  test('scale 5 -> 3 with scale-down.sh: members are removed before their pods go', async () => {
    const kubectl = new KubectlShim(join(cluster.workDir, 'kube'), sim, 5);
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
    cluster.publishService(all(3));
    const job = await runClientJob();
    assert.equal(job.code, 0, job.out);
  });
});
