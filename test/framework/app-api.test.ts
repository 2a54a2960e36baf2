/**
 * The application API end to end on one in-process node: write, read and local
 * commands, replicated time and randomness, blocking with wake, handler bugs that must
 * not hurt the node (a thrown TypeError, a float returned where an integer is encoded).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { defineApp, RaftAppNode, resolveOptions, ReplyError, OK } from '../../lib/index.js';
import { silentLogger } from '../../lib/framework/logger.js';
import { testClient } from '../helpers/cluster.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

interface State {
  values: Map<string, string>;
  rolls: number[];
}

const app = defineApp<State>({
  name: 'apitest',
  version: '0.0.1',
  initialData: () => ({ values: new Map(), rolls: [] }),
  snapshot: (d) => [[[...d.values], d.rolls]],
  restore: (batches) => {
    const [[values, rolls]] = [...batches] as [[[string, string][], number[]]];
    return { values: new Map(values), rolls };
  },
});
app
  .addWriteCommand('put', { arity: 3 }, (m, args) => {
    m.data.values.set(String(args[1]), String(args[2]));
    const waiter = `wait:${String(args[1])}`;
    if (m.isBlocked(waiter)) m.wake(waiter, String(args[2]));
    return OK;
  })
  .addReadCommand('fetch', { arity: 2 }, (m, args) => m.data.values.get(String(args[1])) ?? null)
  .addWriteCommand('roll', { arity: 1 }, (m) => {
    const r = Math.floor(m.rand() * 1000);
    m.data.rolls.push(r);
    return r;
  })
  .addReadCommand('now', { arity: 1 }, (m) => m.now())
  .addWriteCommand('waitfor', { arity: 2, blocking: true }, (m, args) => {
    const existing = m.data.values.get(String(args[1]));
    if (existing !== undefined) return existing;
    return m.block(`wait:${String(args[1])}`, ['PUT', String(args[1]), 'abandoned']);
  })
  .addWriteCommand('explode', { arity: 1 }, () => {
    throw new TypeError('boom');
  })
  .addReadCommand('refuse', { arity: 1 }, () => {
    throw new ReplyError('NOPE not today');
  })
  .addReadCommand('float', { arity: 1 }, () => 1.5)
  .addLocalCommand('whoami', { arity: 1 }, async (ctx) => ctx.nodeId);

let node: RaftAppNode<State>;
let dir: string;
let client: Redis;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apitest-'));
  const port = await freePort();
  node = new RaftAppNode(app, resolveOptions({ id: 'solo', addr: `127.0.0.1:${port}`, dataDir: dir, logLevel: 'silent' }), silentLogger());
  await node.start();
  client = testClient(port);
  await waitFor('the node to lead itself', async () => (await client.call('RAFT', 'LEADER')) !== null);
});

after(async () => {
  client.disconnect();
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('writes apply in order and reads see them; local commands run on the node', async () => {
  assert.equal(await client.call('PUT', 'a', '1'), 'OK');
  assert.equal(await client.call('FETCH', 'a'), '1');
  assert.equal(await client.call('WHOAMI'), 'solo');
  assert.equal(await client.call('FETCH', 'missing'), null);
});

test('replicated time is a whole number of ms near the wall clock; randomness is recorded', async () => {
  const t = Number(await client.call('NOW'));
  assert.ok(Number.isInteger(t));
  assert.ok(Math.abs(t - Date.now()) < 5000);
  const r = Number(await client.call('ROLL'));
  assert.ok(r >= 0 && r < 1000);
});

test('a blocked command is woken by a later write', async () => {
  const waiting = client.call('WAITFOR', 'late');
  const other = testClient(Number(node.boundAddr.split(':')[1]));
  try {
    assert.equal(await other.call('PUT', 'late', 'here'), 'OK');
  } finally {
    other.disconnect();
  }
  assert.equal(await waiting, 'here');
});

test('handler bugs become error replies and the node goes on', async () => {
  await assert.rejects(client.call('EXPLODE'), /ERR internal error in 'explode': boom/);
  await assert.rejects(client.call('REFUSE'), /NOPE not today/);
  await assert.rejects(client.call('FLOAT'), /ERR internal error: the reply could not be encoded/);
  assert.equal(await client.call('PING'), 'PONG');
  assert.equal(await client.call('FETCH', 'a'), '1');
});
