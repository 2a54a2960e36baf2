/**
 * Abandoned waits on a real 3-node semaphored cluster, with redis-cli as the client: a
 * waiting redis-cli killed mid-wait has its wait cancelled once the grace period
 * (--abandon-grace-ms, default 3000) has passed, and a retry with the same request ID
 * within the grace period takes back the same place in the queue.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { TestCluster, type NodeProcess } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';
import { CliProcess, waiterIds } from './semaphored-helpers.js';

const GRACE_MS = 3000;

describe('semaphored: waits of clients that went away', () => {
  let cluster: TestCluster;
  let leader: NodeProcess;
  let follower: NodeProcess;
  let admin: Redis;
  const clis: CliProcess[] = [];

  /** A redis-cli blocked in SEM.ACQUIRE key ID id, once SEM.WAITERS shows it queued. */
  async function queue(node: NodeProcess, key: string, id: string, expectedQueue: readonly string[]): Promise<CliProcess> {
    const cli = new CliProcess(node.port, ['SEM.ACQUIRE', key, 'ID', id]);
    clis.push(cli);
    await waitFor(`${id} to queue`, async () => (await waiterIds(admin, key)).join() === expectedQueue.join());
    return cli;
  }

  before(async () => {
    cluster = await TestCluster.start({ app: 'semaphored', nodes: 3 });
    leader = await cluster.waitForLeader();
    follower = cluster.nodes.find((n) => n !== leader) as NodeProcess;
    admin = leader.client();
  });
  after(async () => {
    for (const cli of clis) await cli.kill9();
    admin?.disconnect();
    await cluster?.stop();
  });

  test('a redis-cli killed mid-wait (on the leader or on a follower) has its wait cancelled after the grace period', async (t) => {
    await admin.call('SEM.CREATE', 'gone', 1);
    await admin.call('SEM.ACQUIRE', 'gone', 'LEASE', 60_000);
    const viaLeader = await queue(leader, 'gone', 'via-leader', ['via-leader']);
    const viaFollower = await queue(follower, 'gone', 'via-follower', ['via-leader', 'via-follower']);
    const killedAt = Date.now();
    await Promise.all([viaLeader.kill9(), viaFollower.kill9()]);
    assert.deepEqual(await waiterIds(admin, 'gone'), ['via-leader', 'via-follower'], 'still queued during the grace period');
    await waitFor('the abandoned waits to be cancelled', async () => (await waiterIds(admin, 'gone')).length === 0, {
      timeoutMs: GRACE_MS + 5000,
      intervalMs: 50,
    });
    const goneAfterMs = Date.now() - killedAt;
    t.diagnostic(`waits of killed redis-cli processes cancelled ${goneAfterMs} ms after the kill (grace ${GRACE_MS} ms)`);
    assert.ok(goneAfterMs >= GRACE_MS - 100, `cancelled after ${goneAfterMs} ms, before the grace period ended`);
    assert.ok(goneAfterMs <= GRACE_MS + 2000, `cancelled only after ${goneAfterMs} ms`);
    for (const id of ['via-leader', 'via-follower']) {
      await assert.rejects(admin.call('SEM.ACQUIRE', 'gone', 'ID', id, 'NOWAIT'), /^ReplyError: ENDED .*its wait was cancelled/);
    }
  });

  test('a retry with the same ID within the grace period takes back the same place in the queue', async () => {
    await admin.call('SEM.CREATE', 'back', 1);
    const held = (await admin.call('SEM.ACQUIRE', 'back', 'LEASE', 60_000)) as number[];
    const first = await queue(leader, 'back', 'first', ['first']);
    const middle = await queue(follower, 'back', 'middle', ['first', 'middle']);
    const last = await queue(leader, 'back', 'last', ['first', 'middle', 'last']);
    const killedAt = Date.now();
    await middle.kill9();
    // The client comes back (through another node) and asks again with the same ID.
    const retry = new CliProcess(leader.port, ['SEM.ACQUIRE', 'back', 'ID', 'middle']);
    clis.push(retry);
    assert.ok(Date.now() - killedAt < GRACE_MS / 2, 'the retry was sent well within the grace period');
    await waitFor('the grace period to pass', () => Date.now() > killedAt + GRACE_MS + 1000, { timeoutMs: GRACE_MS + 3000, intervalMs: 100 });
    assert.deepEqual(await waiterIds(admin, 'back'), ['first', 'middle', 'last'], 'the re-attached wait was not cancelled and kept its place');

    await admin.call('SEM.RELEASE', 'back', held[0] as number);
    const firstGrant = (await first.reply()).split('\n').map(Number);
    await admin.call('SEM.RELEASE', 'back', firstGrant[0] as number);
    const middleGrant = (await retry.reply()).split('\n').map(Number);
    assert.ok((middleGrant[0] as number) > (firstGrant[0] as number), `the retry was granted after "first": ${middleGrant.join()}`);
    assert.deepEqual(await waiterIds(admin, 'back'), ['last']);
    await admin.call('SEM.RELEASE', 'back', middleGrant[0] as number);
    assert.equal(Number((await last.reply()).split('\n')[0]) > (middleGrant[0] as number), true);
  });
});
