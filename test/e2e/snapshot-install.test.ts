/**
 * A follower that falls behind the leader's compaction catches up through a snapshot
 * sent in chunks, and ends with exactly the leader's state, also when it writes a
 * snapshot of its own at the same moment (a divergence the fault suite once found: the
 * older local snapshot was restored under the installed one's index).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, raftInfo, type NodeProcess } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import { fillKeys } from '../helpers/load.js';

async function snapshotIndex(node: NodeProcess): Promise<number> {
  const client = node.client();
  try {
    const list = (await client.call('RAFT', 'SNAPSHOT', 'LIST')) as unknown[][];
    const newest = list[0];
    return newest === undefined ? 0 : Number(newest[newest.indexOf('index') + 1]);
  } finally {
    client.disconnect();
  }
}

test('a lagging follower installs the leader\'s snapshot while snapshotting itself, and converges', async (t) => {
  const cluster = await TestCluster.start({ nodes: 3, args: ['--snapshot-every-entries', '300', '--snapshot-trailing-entries', '20', '--snapshot-chunk-bytes', '65536'] });
  try {
    const leader = await cluster.waitForLeader();
    const writer = leader.client();
    // Some bulk so that snapshots take several chunks and a moment to write.
    await fillKeys(writer, 10);
    for (let round = 1; round <= 3; round++) {
      const follower = cluster.nodes.filter((n) => n !== leader)[round % 2] as NodeProcess;
      const behind = Number((await raftInfo(follower.port)).get('applied_index'));
      follower.pause();
      // Write until the leader's snapshot (and so its compaction) has passed the follower.
      await waitFor('the leader to compact past the paused follower', async () => {
        for (let i = 0; i < 200; i++) await writer.incr('c');
        return (await snapshotIndex(leader)) > behind + 400;
      }, { timeoutMs: 30_000, intervalMs: 1 });
      follower.resume();
      const own = follower.client();
      const ownSnapshot = own.call('RAFT', 'SNAPSHOT', 'NOW').catch(() => null);
      const expected = await writer.incr('c');
      await ownSnapshot;
      own.disconnect();
      await waitFor(`follower ${follower.id} to catch up`, async () => {
        const info = await raftInfo(follower.port);
        return Number(info.get('applied_index')) >= Number((await raftInfo(leader.port)).get('commit_index'));
      }, { timeoutMs: 30_000 });
      for (const node of cluster.nodes) {
        const c = node.client();
        try {
          assert.equal(Number(await c.get('c')), expected, `round ${round}: node ${node.id}`);
          assert.equal(await c.dbsize(), 10_001, `round ${round}: node ${node.id}`);
        } finally {
          c.disconnect();
        }
      }
      t.diagnostic(`round ${round}: follower ${follower.id} caught up via snapshot ${await snapshotIndex(follower)}`);
    }
    writer.disconnect();
  } finally {
    await cluster.stop();
  }
});
