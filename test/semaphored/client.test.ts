/**
 * The client module over real TCP and ioredis, against the one-node stand-in server
 * (fake-server.ts): contention, renewal, loss, time-outs, aborts, and retries with the
 * same request ID across dropped connections and leader changes. The demo runs too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { createSemaphoredApp } from '../../examples/semaphored/app.js';
import { PermitLostError, SemaphoreClient, type Permit } from '../../examples/semaphored/client.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';
import { FakeSemServer } from './fake-server.js';

let server: FakeSemServer;
let port: number;
let admin: Redis;
const clients: SemaphoreClient[] = [];

function newClient(): SemaphoreClient {
  const client = new SemaphoreClient({ redis: { host: '127.0.0.1', port, protocol: 2 }, settleMs: 2000 });
  clients.push(client);
  return client;
}

const waiterIds = async (key: string): Promise<string[]> => {
  const rows = (await admin.call('SEM.WAITERS', key)) as string[][];
  return rows.map((row) => row[row.indexOf('id') + 1] as string);
};

before(async () => {
  port = await freePort();
  server = new FakeSemServer(createSemaphoredApp(), 300);
  await server.listen(port);
  admin = new Redis({ host: '127.0.0.1', port, protocol: 2, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false });
});

after(async () => {
  for (const client of clients) await client.close();
  admin.disconnect();
  await server.close();
});

describe('semaphore client', () => {
  test('acquire and release; a second release is a no-op', async () => {
    const client = newClient();
    await client.create('basic', 1);
    const permit = await client.acquire('basic', { timeoutMs: 1000 });
    assert.ok(permit !== null && permit.fence > 0);
    assert.equal(await permit.check(), true);
    assert.equal(await permit.release(), true);
    assert.equal(await permit.release(), false);
    assert.equal(permit.signal.aborted, true);
    assert.equal(permit.lost, false);
  });

  test('8 workers x 5 critical sections on capacity 2: never more than 2 inside, every fence unique', async () => {
    const client = newClient();
    await client.create('pool', 2);
    let inside = 0;
    let most = 0;
    const fences: number[] = [];
    const work = async (permit: Permit) => {
      inside++;
      most = Math.max(most, inside);
      fences.push(permit.fence);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inside--;
    };
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 5; i++) await client.withPermit('pool', { timeoutMs: 10_000 }, work);
      }),
    );
    assert.equal(fences.length, 40);
    assert.equal(new Set(fences).size, 40);
    assert.ok(most <= 2, `at most 2 inside, saw ${most}`);
  });

  test('a held permit renews its lease in the background', async () => {
    const client = newClient();
    await client.create('renew', 1);
    const permit = await client.acquire('renew', { leaseMs: 300 });
    assert.ok(permit !== null);
    const held = Date.now();
    await waitFor('1 s of holding', () => Date.now() - held > 1000 || undefined, { timeoutMs: 3000 });
    assert.equal(permit.lost, false);
    assert.equal(await admin.call('SEM.CHECK', 'renew', permit.fence), 1);
    assert.equal(await permit.release(), true);
  });

  test('a permit revoked on the server is reported lost through its signal and callback', async () => {
    const client = newClient();
    await client.create('revoke', 1);
    let lost: PermitLostError | undefined;
    const permit = await client.acquire('revoke', { leaseMs: 300, onLost: (e) => (lost = e) });
    assert.ok(permit !== null);
    assert.equal(await admin.call('SEM.REVOKE', 'revoke', permit.fence), 1);
    await waitFor('the loss to be noticed', () => permit.lost, { timeoutMs: 2000 });
    assert.ok(permit.signal.reason instanceof PermitLostError);
    assert.equal(lost, permit.signal.reason);
  });

  test('a wait that times out answers null and leaves no waiter behind', async () => {
    const client = newClient();
    await client.create('timeout', 1);
    const holder = await client.acquire('timeout');
    const started = Date.now();
    assert.equal(await client.acquire('timeout', { timeoutMs: 200 }), null);
    assert.ok(Date.now() - started >= 150, 'waited about the timeout');
    assert.deepEqual(await waiterIds('timeout'), []);
    await holder?.release();
  });

  test('aborting a wait cancels it on the server at once', async () => {
    const client = newClient();
    await client.create('abort', 1);
    const holder = await client.acquire('abort');
    const controller = new AbortController();
    const waiting = client.acquire('abort', { signal: controller.signal, id: 'abort-me' });
    await waitFor('the waiter to queue', async () => (await waiterIds('abort')).includes('abort-me'));
    controller.abort(new Error('user gave up'));
    await assert.rejects(waiting, /user gave up/);
    assert.deepEqual(await waiterIds('abort'), []);
    await holder?.release();
  });

  test('dropped connections: the waiter retries with the same ID and keeps its place in the queue', async () => {
    const client = newClient();
    await client.create('drop', 1);
    const holder = await admin.call('SEM.ACQUIRE', 'drop', 'LEASE', 60_000) as number[];
    const first = client.acquire('drop', { id: 'first' });
    await waitFor('first to queue', async () => (await waiterIds('drop')).includes('first'));
    const second = client.acquire('drop', { id: 'second' });
    await waitFor('second to queue', async () => (await waiterIds('drop')).length === 2);
    const sentBefore = server.log.filter((c) => c[0] === 'SEM.ACQUIRE' && c.includes('first')).length;
    server.dropAll();
    await waitFor('the retry to arrive', () => server.log.filter((c) => c[0] === 'SEM.ACQUIRE' && c.includes('first')).length > sentBefore);
    assert.deepEqual(await waiterIds('drop'), ['first', 'second'], 'same places, no duplicates');
    await admin.call('SEM.RELEASE', 'drop', holder[0] as number);
    const permit = await first;
    assert.ok(permit !== null);
    await permit.release();
    const next = await second;
    assert.ok(next !== null && next.fence > permit.fence);
    await next.release();
  });

  test('a leader change answers parked clients with an error; their retries get one grant each', async () => {
    const client = newClient();
    await client.create('failover', 1);
    const holder = await admin.call('SEM.ACQUIRE', 'failover', 'LEASE', 60_000) as number[];
    const waiting = client.acquire('failover', { id: 'w' });
    await waitFor('w to queue', async () => (await waiterIds('failover')).includes('w'));
    server.stepDown();
    await waitFor('w to re-attach', () => server.log.filter((c) => c[0] === 'SEM.ACQUIRE' && c.includes('w')).length >= 2);
    await admin.call('SEM.RELEASE', 'failover', holder[0] as number);
    const permit = await waiting;
    assert.ok(permit !== null);
    const grants = (await admin.call('SEM.HOLDERS', 'failover')) as unknown[][];
    assert.equal(grants.length, 1);
    await permit.release();
  });

  test('in redirect mode the client follows MOVED to the leader', async () => {
    const followerPort = await freePort();
    const follower = new FakeSemServer(createSemaphoredApp());
    follower.redirectTo = `127.0.0.1:${port}`;
    await follower.listen(followerPort);
    const client = new SemaphoreClient({ redis: { host: '127.0.0.1', port: followerPort, protocol: 2 } });
    try {
      await client.create('moved', 1);
      const permit = await client.acquire('moved', { timeoutMs: 1000 });
      assert.ok(permit !== null);
      assert.equal(await admin.call('SEM.CHECK', 'moved', permit.fence), 1, 'granted by the leader');
      assert.equal(await permit.release(), true);
    } finally {
      await client.close();
      await follower.close();
    }
  });

  test('the demo runs its workers and reports no violation', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'examples/semaphored/demo.ts', '--addr', `127.0.0.1:${port}`, '--key', 'demo-test', '--workers', '4', '--capacity', '2', '--rounds', '2', '--work-ms', '20'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, output);
    assert.equal(output.match(/enters/g)?.length, 8, output);
    assert.match(output, /done: 8 critical sections, 0 violations/);
  });
});
