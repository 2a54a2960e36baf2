import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Blocked } from '../../lib/framework/app.js';
import { createSemaphoredApp } from '../../examples/semaphored/app.js';
import { SemHost, grantOf, plain, waitKeyOf } from './harness.js';

const app = createSemaphoredApp({ requestRetentionMs: 10_000 });

function mutex(): SemHost {
  const h = new SemHost(app);
  h.send('SEM.CREATE', 'm', 1);
  return h;
}

const ended = (rid: string, why: string) => ({ error: `ENDED request '${rid}' already ended: ${why}` });

describe('request IDs make retries safe in every state', () => {
  test('queued: a retry re-attaches to the same place in the queue, with the original deadline', () => {
    const h = mutex();
    const g = grantOf(h.send('SEM.ACQUIRE', 'm'));
    h.send('SEM.ACQUIRE', 'm', 'ID', 'a', 'TIMEOUT', 1000);
    h.send('SEM.ACQUIRE', 'm', 'ID', 'b');
    h.advance(400);
    // The retry carries other arguments; the original request's win.
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'm', 'ID', 'a', 'TIMEOUT', 5, 'PERMITS', 1)), { blocked: waitKeyOf('m', 'a') });
    const waiters = plain(h.send('SEM.WAITERS', 'm')) as { id: string; position: number; 'timeout-ms': number }[];
    assert.deepEqual(waiters.map((w) => [w.id, w.position, w['timeout-ms']]), [
      ['a', 1, 600],
      ['b', 2, -1],
    ]);
    h.send('SEM.RELEASE', 'm', g.fence);
    assert.deepEqual(h.takeWakes().map((w) => w.key), [waitKeyOf('m', 'a')]);
  });

  test('granted: a retry gets the same grant (same fence, remaining lease), never a second one', () => {
    const h = mutex();
    const first = grantOf(h.send('SEM.ACQUIRE', 'm', 'ID', 'a', 'LEASE', 1000));
    h.advance(300);
    assert.deepEqual(grantOf(h.send('SEM.ACQUIRE', 'm', 'ID', 'a', 'LEASE', 1000)), { fence: first.fence, leaseMs: 700, permits: 1 });
    assert.equal(h.data.sems.get('m')?.holders.size, 1);
  });

  test('granted while the client was away (a failover): the retry on the new leader gets that grant', () => {
    const h = mutex();
    const g = grantOf(h.send('SEM.ACQUIRE', 'm'));
    h.send('SEM.ACQUIRE', 'm', 'ID', 'a');
    h.send('SEM.RELEASE', 'm', g.fence);
    const [wake] = h.takeWakes();
    const newLeader = h.restoredCopy();
    assert.deepEqual(plain(newLeader.send('SEM.ACQUIRE', 'm', 'ID', 'a')), plain(wake!.reply));
  });

  const endings: [string, (h: SemHost, fence: number) => void, unknown][] = [
    ['released', (h, fence) => h.send('SEM.RELEASE', 'm', fence), ended('a', 'its grant was released')],
    ['expired', (h) => h.advance(1000), ended('a', 'its lease expired')],
    ['revoked', (h, fence) => h.send('SEM.REVOKE', 'm', fence), ended('a', 'its grant was revoked')],
    ['deleted', (h) => h.send('SEM.DELETE', 'm'), ended('a', 'its semaphore was deleted')],
  ];
  for (const [state, end, answer] of endings) {
    test(`${state} grant: a retry is told so and nothing is granted again`, () => {
      const h = mutex();
      const g = grantOf(h.send('SEM.ACQUIRE', 'm', 'ID', 'a', 'LEASE', 1000));
      end(h, g.fence);
      if (state === 'deleted') h.send('SEM.CREATE', 'm', 1);
      assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'm', 'ID', 'a')), answer);
      assert.equal(h.data.sems.get('m')?.holders.size, 0);
    });
  }

  test('timed out: a retry answers null, as the original did', () => {
    const h = mutex();
    grantOf(h.send('SEM.ACQUIRE', 'm', 'LEASE', 60_000));
    h.send('SEM.ACQUIRE', 'm', 'ID', 'a', 'TIMEOUT', 100);
    h.advance(100);
    assert.deepEqual(h.takeWakes(), [{ key: waitKeyOf('m', 'a'), reply: null }]);
    assert.equal(plain(h.send('SEM.ACQUIRE', 'm', 'ID', 'a', 'TIMEOUT', 100)), null);
    assert.deepEqual(plain(h.send('SEM.WAITERS', 'm')), []);
  });

  test('cancelled (by the framework after the client left): the waiter is answered ENDED and a retry too', () => {
    const h = mutex();
    const g = grantOf(h.send('SEM.ACQUIRE', 'm'));
    const parked = h.send('SEM.ACQUIRE', 'm', 'ID', 'a');
    assert.ok(parked instanceof Blocked);
    // What the framework proposes after the grace period: the abandon command.
    assert.equal(h.sendCommand(parked.onAbandon), 1);
    assert.deepEqual(plain(h.takeWakes()[0]!.reply), ended('a', 'its wait was cancelled'));
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'm', 'ID', 'a')), ended('a', 'its wait was cancelled'));
    assert.equal(h.send('SEM.CANCEL', 'm', 'a'), 0);
    h.send('SEM.RELEASE', 'm', g.fence);
    assert.deepEqual(h.takeWakes(), [], 'the cancelled request is never granted');
  });

  test('a cancel that arrives before its acquire makes the late acquire end instead of queueing an orphan', () => {
    const h = mutex();
    grantOf(h.send('SEM.ACQUIRE', 'm'));
    assert.equal(h.send('SEM.CANCEL', 'm', 'late'), 0);
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'm', 'ID', 'late')), ended('late', 'its wait was cancelled'));
    assert.deepEqual(plain(h.send('SEM.WAITERS', 'm')), []);
  });

  test('a waiter without ID gets a server ID (#n) that SEM.WAITERS shows and SEM.CANCEL accepts', () => {
    const h = mutex();
    grantOf(h.send('SEM.ACQUIRE', 'm'));
    const parked = h.send('SEM.ACQUIRE', 'm');
    assert.ok(parked instanceof Blocked);
    const [waiter] = plain(h.send('SEM.WAITERS', 'm')) as { id: string }[];
    assert.match(waiter!.id, /^#\d+$/);
    assert.equal(parked.key, waitKeyOf('m', waiter!.id));
    assert.equal(h.send('SEM.CANCEL', 'm', waiter!.id), 1);
    assert.equal(h.takeWakes().length, 1);
    assert.equal(h.data.records.size, 0, 'requests without ID leave no record');
  });

  test('client IDs may not start with # (reserved for server IDs) and are at most maxIdBytes', () => {
    const h = mutex();
    const bad = { error: "ERR ID must be 1 to 128 bytes and must not start with '#'" };
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'm', 'ID', '#1')), bad);
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'm', 'ID', '')), bad);
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'm', 'ID', 'x'.repeat(129))), bad);
    grantOf(h.send('SEM.ACQUIRE', 'm', 'ID', 'x'.repeat(128)));
  });

  test('an ended request is remembered for requestRetentionMs, then forgotten', () => {
    const h = mutex();
    const g = grantOf(h.send('SEM.ACQUIRE', 'm', 'ID', 'a'));
    h.send('SEM.RELEASE', 'm', g.fence);
    h.advance(9_999);
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'm', 'ID', 'a')), ended('a', 'its grant was released'));
    h.advance(1);
    assert.equal(h.data.records.size, 0);
    // Forgotten: the same ID is now a new request.
    assert.ok(grantOf(h.send('SEM.ACQUIRE', 'm', 'ID', 'a')).fence > g.fence);
  });

  test('records of live requests are kept however long they live', () => {
    const h = mutex();
    grantOf(h.send('SEM.ACQUIRE', 'm', 'ID', 'holder', 'LEASE', 3_600_000));
    h.send('SEM.ACQUIRE', 'm', 'ID', 'waiter');
    h.advance(60_000);
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'm', 'ID', 'waiter')), { blocked: waitKeyOf('m', 'waiter') });
    assert.equal(h.data.records.size, 2);
  });

  test('the same ID on two semaphores names two requests', () => {
    const h = mutex();
    h.send('SEM.CREATE', 'n', 1);
    const a = grantOf(h.send('SEM.ACQUIRE', 'm', 'ID', 'same'));
    const b = grantOf(h.send('SEM.ACQUIRE', 'n', 'ID', 'same'));
    assert.notEqual(a.fence, b.fence);
  });
});
