/**
 * Failures under write load with real processes: kill -9 of the leader (a new leader
 * serves writes within 2 s at default settings), and nodes killed at random moments and
 * restarted. At the end every acknowledged write is on every node and every node starts.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, type NodeProcess } from '../helpers/cluster.js';
import { Writer, readAll } from '../helpers/load.js';
import { waitFor } from '../helpers/wait.js';
import { rngFromSeed } from '../../lib/util/rng.js';

async function assertAcknowledgedEverywhere(cluster: TestCluster, writers: readonly Writer[]): Promise<number> {
  const acknowledged = writers.flatMap((w) => w.acknowledged());
  const keys = acknowledged.map((r) => r.key);
  for (const node of cluster.nodes) {
    await waitFor(
      `node ${node.id} to hold all ${keys.length} acknowledged writes`,
      async () => {
        const values = await readAll(node, keys);
        const missing = acknowledged.filter((r) => values.get(r.key) !== r.value);
        return missing.length === 0 ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
  }
  return keys.length;
}

describe('failures under write load', () => {
  const clusters: TestCluster[] = [];
  after(async () => {
    for (const c of clusters) await c.stop();
  });

  test('kill -9 of the leader: a new leader serves writes within 2 s, no acknowledged write is lost', async (t) => {
    const cluster = await TestCluster.start({ nodes: 3 });
    clusters.push(cluster);
    const leader = await cluster.waitForLeader();
    const followers = cluster.nodes.filter((n) => n !== leader);
    const deadline = Date.now() + 30_000;
    const writers = [
      ...followers.map((f, i) => new Writer(`f${i}`, () => f, deadline)),
      ...followers.map((f, i) => new Writer(`g${i}`, () => f, deadline)),
    ];
    await waitFor('writes flowing', () => writers.every((w) => w.acknowledged().length > 20));

    const killedAt = Date.now();
    await leader.kill9();
    const firstAfter = await waitFor(
      'a write acknowledged by the new leader',
      () => {
        const times = writers.flatMap((w) => w.acknowledged().filter((r) => r.startedMs > killedAt).map((r) => r.endedMs));
        return times.length > 0 ? Math.min(...times) : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 10 },
    );
    const failoverMs = firstAfter - killedAt;
    await waitFor('more writes after the failover', () => writers.every((w) => w.acknowledged().some((r) => r.startedMs > firstAfter)));
    await Promise.all(writers.map((w) => w.stop()));

    leader.start();
    const count = await assertAcknowledgedEverywhere(cluster, writers);
    t.diagnostic(`failover: ${failoverMs} ms; ${count} acknowledged writes checked on every node`);
    assert.ok(failoverMs < 2000, `failover took ${failoverMs} ms`);
    // Every writer had more than 20 before the kill and more after it.
    assert.ok(count > writers.length * 21, `only ${count} writes acknowledged`);
  });

  test('random kill -9 and restart of any node during writes: acknowledged writes survive, nodes restart', async () => {
    const cluster = await TestCluster.start({ nodes: 3 });
    clusters.push(cluster);
    const rng = rngFromSeed(Number(process.env.CRASH_SEED ?? 7));
    const deadline = Date.now() + 60_000;
    // Writers pick a running node for each connection.
    const pick = (offset: number) => (): NodeProcess | undefined => {
      const up = cluster.running();
      return up[(offset + up.length) % Math.max(1, up.length)];
    };
    const writers = [0, 1, 2, 3].map((i) => new Writer(`c${i}`, pick(i), deadline));
    for (let round = 0; round < 6; round++) {
      await waitFor('progress between crashes', () => writers.some((w) => w.acknowledged().length > (round + 1) * 15), { timeoutMs: 20_000 });
      const victim = cluster.nodes[rng.int(cluster.nodes.length)] as NodeProcess;
      await victim.kill9();
      // Stay down for a random moment, then restart: the node must come back from its files.
      await new Promise((r) => setTimeout(r, rng.range(50, 600)));
      victim.start();
      await cluster.waitForLeader(cluster.nodes, 20_000);
    }
    await Promise.all(writers.map((w) => w.stop()));
    const count = await assertAcknowledgedEverywhere(cluster, writers);
    assert.ok(count > 90, `only ${count} writes acknowledged`);
    for (const node of cluster.nodes) {
      assert.ok(node.running, `node ${node.id} is running`);
      assert.doesNotMatch(node.log(), /"level":60/, `node ${node.id} logged a fatal error`);
    }
  });
});
