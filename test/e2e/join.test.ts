/**
 * Joining is durable: a node killed before its join finished and restarted WITHOUT -j
 * goes on joining the recorded member instead of bootstrapping a second cluster; a data
 * dir holding files but no Raft state is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TestCluster, NodeProcess, raftInfo } from '../helpers/cluster.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

test('a node killed mid-join and restarted without -j joins the cluster, never founds its own', async () => {
  const cluster = await TestCluster.start({ nodes: 1 });
  try {
    const first = cluster.nodes[0] as NodeProcess;
    const client = first.client();
    await client.set('before', '1');
    client.disconnect();
    await first.kill9(); // the member to join through is down: the join cannot finish
    const node = new NodeProcess('kvd', { id: '2', port: await freePort(), dataDir: join(cluster.dir, 'node-2') }, []);
    cluster.nodes.push(node);
    node.start(['--join', first.addr]);
    await waitFor('node 2 trying to join', () => /join attempt failed/.test(node.log()));
    await node.kill9();
    node.start(); // no -j this time
    await waitFor('node 2 restarted in join mode', () => /"mode":"join"/.test(node.log()));
    assert.doesNotMatch(node.log(), /bootstrapping a new cluster/);
    first.start();
    await cluster.waitForVoters(2);
    const info = await raftInfo(node.port);
    assert.equal(info.get('leader_addr'), first.addr);
    await waitFor('node 2 has the data', async () => {
      const c = node.client();
      try {
        return (await c.get('before')) === '1';
      } finally {
        c.disconnect();
      }
    });
    await waitFor('the join marker is cleared', () => !existsSync(join(node.spec.dataDir, 'join-pending')));
  } finally {
    await cluster.stop();
  }
});

test('a data dir with files but no Raft state is refused with a clear message', async () => {
  const cluster = await TestCluster.start({ nodes: 1 });
  try {
    const dataDir = join(cluster.dir, 'node-x');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'something'), 'x');
    const node = new NodeProcess('kvd', { id: 'x', port: await freePort(), dataDir }, []);
    node.start();
    const code = await new Promise<number | null>((resolve) => node.proc?.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(node.log(), /holds files but no Raft state: start with -j <member> to join a cluster/);
  } finally {
    await cluster.stop();
  }
});
