/**
 * Redirect mode (--redirect): followers answer -MOVED to the leader, CLUSTER SLOTS names
 * the leader as owner of every slot, so redis-cli -c and ioredis Cluster follow the
 * leader, also after a failover.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { TestCluster, type NodeProcess } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 20_000 });
  return stdout.trim();
}

describe('redirect mode', () => {
  let cluster: TestCluster;
  let leader: NodeProcess;
  let follower: NodeProcess;

  before(async () => {
    cluster = await TestCluster.start({ nodes: 3, args: ['--redirect'] });
    leader = await cluster.waitForLeader();
    follower = cluster.nodes.find((n) => n !== leader) as NodeProcess;
  });
  after(async () => {
    await cluster.stop();
  });

  test('a follower answers -MOVED to the leader; CLUSTER SLOTS/NODES/INFO describe the leader', async () => {
    assert.equal(await cli(follower.port, 'SET', 'k', 'v'), `MOVED 0 ${leader.addr}`);
    const slots = await cli(follower.port, 'CLUSTER', 'SLOTS');
    assert.match(slots, new RegExp(`^0\\n16383\\n127.0.0.1\\n${leader.port}\\n`));
    assert.match(await cli(follower.port, 'CLUSTER', 'NODES'), new RegExp(`127.0.0.1:${leader.port}@\\d+ (myself,)?master - 0 0 \\d+ connected 0-16383`));
    assert.match(await cli(follower.port, 'CLUSTER', 'INFO'), /cluster_state:ok/);
  });

  test('redis-cli -c follows the redirect from any node', async () => {
    for (const node of cluster.nodes) {
      assert.equal(await cli(node.port, '-c', 'SET', `c:${node.id}`, node.id), 'OK');
      assert.equal(await cli(node.port, '-c', 'GET', `c:${node.id}`), node.id);
    }
  });

  test('ioredis Cluster writes and reads, and keeps going after the leader is killed', async () => {
    const client = new Cluster(
      cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      { redisOptions: { maxRetriesPerRequest: 0 }, clusterRetryStrategy: (times) => Math.min(100 * times, 500), retryDelayOnMoved: 50, retryDelayOnClusterDown: 200, retryDelayOnTryAgain: 100 },
    );
    client.on('error', () => {});
    try {
      for (let i = 0; i < 50; i++) await client.set(`io:${i}`, String(i));
      assert.equal(await client.get('io:49'), '49');
      await leader.kill9();
      const next = await cluster.waitForLeader(cluster.running());
      await waitFor('ioredis Cluster writes through the new leader', async () => {
        try {
          return (await client.set('after-failover', next.id)) === 'OK';
        } catch {
          return undefined;
        }
      }, { timeoutMs: 20_000, intervalMs: 100 });
      assert.equal(await client.get('io:10'), '10');
      assert.equal(await cli(next.port, 'GET', 'after-failover'), next.id);
    } finally {
      client.disconnect();
    }
  });
});
