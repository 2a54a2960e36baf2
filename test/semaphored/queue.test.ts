import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSemaphoredApp } from '../../examples/semaphored/app.js';
import { SemHost, grantOf, plain, waitKeyOf } from './harness.js';

const app = createSemaphoredApp();

function host(): SemHost {
  return new SemHost(app);
}

describe('FIFO queue', () => {
  test('waiters are granted strictly in arrival order as permits come back', () => {
    const h = host();
    assert.equal(plain(h.send('SEM.CREATE', 's', 2)), 'OK');
    const a = grantOf(h.send('SEM.ACQUIRE', 's', 'ID', 'a'));
    const b = grantOf(h.send('SEM.ACQUIRE', 's', 'ID', 'b'));
    for (const id of ['c', 'd', 'e']) assert.deepEqual(plain(h.send('SEM.ACQUIRE', 's', 'ID', id)), { blocked: waitKeyOf('s', id) });
    assert.equal(h.send('SEM.RELEASE', 's', b.fence), 1);
    assert.deepEqual(h.takeWakes().map((w) => w.key), [waitKeyOf('s', 'c')]);
    assert.equal(h.send('SEM.RELEASE', 's', a.fence), 1);
    const wakes = h.takeWakes();
    assert.deepEqual(wakes.map((w) => w.key), [waitKeyOf('s', 'd')]);
    const d = grantOf(wakes[0]!.reply);
    assert.ok(d.fence > b.fence, 'fences increase with every grant');
    assert.deepEqual(plain(h.send('SEM.WAITERS', 's')), [
      { id: 'e', position: 1, permits: 1, 'waited-ms': 0, 'timeout-ms': -1 },
    ]);
  });

  test('a head waiter needing more permits than are free blocks the smaller ones behind it', () => {
    const h = host();
    h.send('SEM.CREATE', 's', 3);
    const first = grantOf(h.send('SEM.ACQUIRE', 's', 'PERMITS', 2));
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 's', 'PERMITS', 3, 'ID', 'big')), { blocked: waitKeyOf('s', 'big') });
    // One permit is free, but strict FIFO queues the small request behind the big one.
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 's', 'ID', 'small')), { blocked: waitKeyOf('s', 'small') });
    assert.equal(plain(h.send('SEM.ACQUIRE', 's', 'NOWAIT')), null);
    h.send('SEM.RELEASE', 's', first.fence);
    const wakes = h.takeWakes();
    assert.deepEqual(wakes.map((w) => w.key), [waitKeyOf('s', 'big')]);
    assert.equal(grantOf(wakes[0]!.reply).permits, 3);
    assert.equal((plain(h.send('SEM.INFO', 's')) as Record<string, unknown>)['available'], 0);
  });

  test('when the blocking head leaves, the waiters behind it that fit are granted', () => {
    const h = host();
    h.send('SEM.CREATE', 's', 3);
    grantOf(h.send('SEM.ACQUIRE', 's', 'PERMITS', 2));
    h.send('SEM.ACQUIRE', 's', 'PERMITS', 3, 'ID', 'big', 'TIMEOUT', 1000);
    h.send('SEM.ACQUIRE', 's', 'ID', 'small');
    h.advance(1000);
    const wakes = h.takeWakes();
    assert.deepEqual(wakes.map((w) => [w.key, plain(w.reply) === null ? 'timeout' : 'grant']), [
      [waitKeyOf('s', 'big'), 'timeout'],
      [waitKeyOf('s', 'small'), 'grant'],
    ]);
  });

  test('NOWAIT answers null at once instead of queueing, and queues nothing', () => {
    const h = host();
    h.send('SEM.CREATE', 's', 1);
    grantOf(h.send('SEM.ACQUIRE', 's', 'NOWAIT'));
    assert.equal(plain(h.send('SEM.ACQUIRE', 's', 'NOWAIT', 'ID', 'x')), null);
    assert.deepEqual(plain(h.send('SEM.WAITERS', 's')), []);
    assert.equal(h.data.records.size, 0, 'a NOWAIT miss leaves no record');
  });

  test('SEM.WAIT and SEM.SIGNAL are ACQUIRE of one permit and RELEASE', () => {
    const h = host();
    h.send('SEM.CREATE', 'm', 1);
    const g = grantOf(h.send('SEM.WAIT', 'm', 'LEASE', 500));
    assert.deepEqual([g.leaseMs, g.permits], [500, 1]);
    assert.deepEqual(plain(h.send('SEM.WAIT', 'm', 'PERMITS', 2)), { error: 'ERR syntax error' });
    assert.deepEqual(plain(h.send('SEM.WAIT', 'm', 'ID', 'w')), { blocked: waitKeyOf('m', 'w') });
    assert.equal(h.send('SEM.SIGNAL', 'm', g.fence), 1);
    assert.equal(h.takeWakes().length, 1);
  });
});

describe('FIRSTFIT', () => {
  test('grants every waiter that fits, in queue order, skipping ones that do not', () => {
    const h = host();
    h.send('SEM.CREATE', 's', 4, 'POLICY', 'FIRSTFIT');
    const g = grantOf(h.send('SEM.ACQUIRE', 's', 'PERMITS', 3));
    h.send('SEM.ACQUIRE', 's', 'PERMITS', 4, 'ID', 'big');
    // A newcomer that fits is granted at once even though someone waits.
    assert.equal(grantOf(h.send('SEM.ACQUIRE', 's', 'ID', 'one')).permits, 1);
    h.send('SEM.ACQUIRE', 's', 'PERMITS', 2, 'ID', 'two');
    h.send('SEM.ACQUIRE', 's', 'PERMITS', 1, 'ID', 'three');
    h.send('SEM.RELEASE', 's', g.fence);
    assert.deepEqual(h.takeWakes().map((w) => w.key), [waitKeyOf('s', 'two'), waitKeyOf('s', 'three')]);
    assert.deepEqual(
      (plain(h.send('SEM.WAITERS', 's')) as { id: string }[]).map((w) => w.id),
      ['big'],
    );
  });

  test('switching a live semaphore from FIFO to FIRSTFIT serves waiters the head was blocking', () => {
    const h = host();
    h.send('SEM.CREATE', 's', 2);
    grantOf(h.send('SEM.ACQUIRE', 's'));
    h.send('SEM.ACQUIRE', 's', 'PERMITS', 2, 'ID', 'big');
    h.send('SEM.ACQUIRE', 's', 'ID', 'small');
    assert.deepEqual(h.takeWakes(), []);
    h.send('SEM.CREATE', 's', 2, 'POLICY', 'firstfit');
    assert.deepEqual(h.takeWakes().map((w) => w.key), [waitKeyOf('s', 'small')]);
  });
});
