/**
 * A real 3-node kvd cluster: any node serves any command (forwarding), membership grows
 * to 5 with -j and shrinks back with RAFT SERVER REMOVE, snapshots survive restarts.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { TestCluster, raftInfo, type NodeProcess } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 20_000 });
  return stdout.trim();
}

function nc(port: number, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('nc', ['-N', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('latin1')));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
    child.stdin.end(input);
  });
}

describe('a 3-node kvd cluster', () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ nodes: 3 });
  });
  after(async () => {
    await cluster.stop();
  });

  test('every node serves writes and reads: redis-cli, ioredis and nc', async () => {
    for (const node of cluster.nodes) {
      assert.equal(await cli(node.port, 'SET', `cli:${node.id}`, `v${node.id}`), 'OK');
      const client = node.client();
      try {
        await client.set(`io:${node.id}`, `w${node.id}`);
        assert.equal(await client.incr('shared-counter'), Number(node.id));
      } finally {
        client.disconnect();
      }
      assert.equal(await nc(node.port, `SET nc:${node.id} x\r\nGET nc:${node.id}\r\n`), '+OK\r\n$1\r\nx\r\n');
    }
    for (const node of cluster.nodes) {
      for (const other of cluster.nodes) {
        assert.equal(await cli(node.port, 'GET', `cli:${other.id}`), `v${other.id}`);
        assert.equal(await cli(node.port, 'GET', `io:${other.id}`), `w${other.id}`);
      }
      assert.equal(await cli(node.port, 'GET', 'shared-counter'), '3');
    }
  });

  test('a pipeline through a follower keeps its order and reads its own writes', async () => {
    const leader = await cluster.waitForLeader();
    const follower = cluster.nodes.find((n) => n !== leader) as NodeProcess;
    const client = follower.client();
    try {
      const pipeline = client.pipeline();
      for (let i = 0; i < 200; i++) pipeline.set('p', String(i)).get('p');
      const results = (await pipeline.exec()) ?? [];
      for (let i = 0; i < 200; i++) {
        assert.deepEqual(results[i * 2], [null, 'OK']);
        assert.deepEqual(results[i * 2 + 1], [null, String(i)]);
      }
    } finally {
      client.disconnect();
    }
  });

  test('errors are relayed from the leader unchanged', async () => {
    const leader = await cluster.waitForLeader();
    const follower = cluster.nodes.find((n) => n !== leader) as NodeProcess;
    await cli(follower.port, 'SET', 'str', 'abc');
    assert.equal(await cli(follower.port, 'INCR', 'str'), 'ERR value is not an integer or out of range');
    assert.equal(await cli(follower.port, 'LPUSH', 'str', 'x'), 'WRONGTYPE Operation against a key holding the wrong kind of value');
  });

  test('RAFT LEADER, RAFT INFO, RAFT SERVER LIST, INFO raft and MACHINE agree', async () => {
    const leader = await cluster.waitForLeader();
    for (const node of cluster.nodes) {
      assert.equal(await cli(node.port, 'RAFT', 'LEADER'), leader.addr);
      const info = await raftInfo(node.port);
      assert.equal(info.get('leader_addr'), leader.addr);
      assert.equal(info.get('role'), node === leader ? 'leader' : 'follower');
      assert.equal(info.get('num_members'), '3');
      assert.match(await cli(node.port, 'INFO', 'raft'), /^role:(leader|follower)/m);
      assert.match(await cli(node.port, 'MACHINE'), /now_ms/);
    }
    const list = await cli(leader.port, 'RAFT', 'SERVER', 'LIST');
    for (const node of cluster.nodes) assert.ok(list.includes(node.addr), list);
  });

  test('scale 3 -> 5 with -j, then back to 3 with RAFT SERVER REMOVE', async () => {
    await cli(cluster.nodes[0]!.port, 'SET', 'before-scale', 'yes');
    const four = await cluster.join(cluster.nodes[1]);
    const five = await cluster.join(cluster.nodes[2]);
    await cluster.waitForVoters(5);
    for (const node of [four, five]) {
      await waitFor(`node ${node.id} applied the data`, async () => (await cli(node.port, 'GET', 'before-scale')) === 'yes');
      assert.equal(await cli(node.port, 'SET', `from-${node.id}`, 'ok'), 'OK');
    }
    // Remove the two newcomers through different nodes, one of which may be the leader.
    for (const node of [five, four]) {
      assert.equal(await cli(cluster.nodes[0]!.port, 'RAFT', 'SERVER', 'REMOVE', node.id), 'OK');
      await node.stop();
    }
    await cluster.waitForVoters(3);
    assert.equal(await cli(cluster.nodes[2]!.port, 'SET', 'after-scale', 'yes'), 'OK');
    assert.equal(await cli(cluster.nodes[0]!.port, 'GET', 'from-4'), 'ok');
  });

  test('removing the leader hands leadership over first', async () => {
    const leader = await cluster.waitForLeader();
    const extra = await cluster.join();
    await cluster.waitForVoters(4);
    assert.equal(await cli(extra.port, 'RAFT', 'SERVER', 'REMOVE', leader.id), 'OK');
    const next = await cluster.waitForLeader(cluster.running().filter((n) => n !== leader));
    assert.notEqual(next, leader);
    await leader.stop();
    await cluster.waitForVoters(3);
    assert.equal(await cli(next.port, 'SET', 'after-leader-removal', '1'), 'OK');
    // Bring the old leader back as a new member so later tests see three nodes again... as a fresh node.
  });

  test('RAFT SNAPSHOT NOW, then every node restarts from its snapshot and log tail', async () => {
    const nodes = cluster.running();
    const client = nodes[0]!.client();
    try {
      for (let i = 0; i < 500; i++) await client.set(`snap:${i}`, String(i));
    } finally {
      client.disconnect();
    }
    for (const node of nodes) {
      const reply = await cli(node.port, 'RAFT', 'SNAPSHOT', 'NOW');
      assert.match(reply, /index/);
      assert.match(await cli(node.port, 'RAFT', 'SNAPSHOT', 'LIST'), /index/);
    }
    await cli(nodes[0]!.port, 'SET', 'after-snapshot', 'tail');
    // A graceful stop (SIGTERM) exits 0, after handing leadership over where it can.
    for (const node of nodes) assert.equal(await node.stop('SIGTERM'), 0, node.log().slice(-2000));
    for (const node of nodes) node.start();
    await cluster.waitForLeader(nodes);
    for (const node of nodes) {
      await waitFor(`node ${node.id} restored`, async () => (await cli(node.port, 'GET', 'after-snapshot')) === 'tail');
      assert.equal(await cli(node.port, 'GET', 'snap:499'), '499');
      assert.equal(await cli(node.port, 'DBSIZE'), await cli(nodes[0]!.port, 'DBSIZE'));
    }
  });
});
