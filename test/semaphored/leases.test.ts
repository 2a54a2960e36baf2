import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSemaphoredApp } from '../../examples/semaphored/app.js';
import { SemHost, grantOf, plain, waitKeyOf } from './harness.js';

const app = createSemaphoredApp();

describe('leases', () => {
  test('a grant that is not renewed ends with its lease, frees its permits and wakes the next waiter', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1, 'DEFAULTLEASE', 1000);
    const g = grantOf(h.send('SEM.ACQUIRE', 's'));
    assert.equal(g.leaseMs, 1000);
    h.send('SEM.ACQUIRE', 's', 'ID', 'next', 'LEASE', 200);
    h.advance(999);
    assert.equal(h.send('SEM.CHECK', 's', g.fence), 1);
    assert.deepEqual(h.takeWakes(), []);
    h.advance(1);
    assert.equal(h.send('SEM.CHECK', 's', g.fence), 0);
    const [wake] = h.takeWakes();
    assert.equal(wake?.key, waitKeyOf('s', 'next'));
    assert.deepEqual(plain(wake!.reply), [g.fence + 1, 200, 1]);
  });

  test('SEM.CHECK reads replicated time itself, so a lease past its end is invalid even before the tick', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1);
    const g = grantOf(h.send('SEM.ACQUIRE', 's', 'LEASE', 100));
    // Move the clock without a tick (as between two TICK entries), then read.
    (h as unknown as { clock: number }).clock += 150;
    assert.equal(h.send('SEM.CHECK', 's', g.fence), 0);
  });

  test('SEM.RENEW extends from now, keeps the last lease length, and says -2 once the grant is gone', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1, 'MAXLEASE', 5000);
    const g = grantOf(h.send('SEM.ACQUIRE', 's', 'LEASE', 1000));
    h.advance(800);
    assert.equal(h.send('SEM.RENEW', 's', g.fence), 1000);
    h.advance(800);
    assert.equal(h.send('SEM.CHECK', 's', g.fence), 1);
    assert.equal(h.send('SEM.RENEW', 's', g.fence, 'LEASE', 3000), 3000);
    assert.deepEqual(plain(h.send('SEM.RENEW', 's', g.fence, 'LEASE', 6000)), {
      error: "ERR LEASE 6000 ms exceeds the semaphore's MAXLEASE 5000 ms",
    });
    h.advance(3000);
    assert.equal(h.send('SEM.RENEW', 's', g.fence), -2);
    assert.equal(h.send('SEM.RENEW', 's', 999), -2);
    assert.equal(h.send('SEM.RENEW', 'nokey', 1), -2);
  });

  test('LEASE above MAXLEASE is refused; DEFAULTLEASE applies when LEASE is not given', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 2, 'DEFAULTLEASE', 700, 'MAXLEASE', 1000);
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 's', 'LEASE', 1001)), { error: "ERR LEASE 1001 ms exceeds the semaphore's MAXLEASE 1000 ms" });
    assert.equal(grantOf(h.send('SEM.ACQUIRE', 's')).leaseMs, 700);
  });
});

describe('lock-delay', () => {
  test('permits of an expired lease stay unavailable for LOCKDELAY; a clean release frees them at once', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1, 'LOCKDELAY', 500);
    const clean = grantOf(h.send('SEM.ACQUIRE', 's', 'LEASE', 1000));
    h.send('SEM.RELEASE', 's', clean.fence);
    const dead = grantOf(h.send('SEM.ACQUIRE', 's', 'LEASE', 1000));
    h.send('SEM.ACQUIRE', 's', 'ID', 'w');
    h.advance(1000);
    assert.equal(h.send('SEM.CHECK', 's', dead.fence), 0);
    assert.deepEqual(h.takeWakes(), [], 'no grant during the lock-delay');
    const info = plain(h.send('SEM.INFO', 's')) as Record<string, number>;
    assert.deepEqual([info['held'], info['lock-delayed'], info['available']], [0, 1, 0]);
    h.advance(499);
    assert.deepEqual(h.takeWakes(), []);
    h.advance(1);
    assert.deepEqual(h.takeWakes().map((w) => w.key), [waitKeyOf('s', 'w')]);
  });

  test('the lock-delay runs from the lease end even when replicated time jumps past it (failover gap)', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1, 'LOCKDELAY', 500);
    grantOf(h.send('SEM.ACQUIRE', 's', 'LEASE', 1000));
    h.send('SEM.ACQUIRE', 's', 'ID', 'w');
    h.advance(1200); // lease ended at +1000, lock-delay until +1500
    assert.deepEqual(h.takeWakes(), []);
    h.advance(300);
    assert.equal(h.takeWakes().length, 1);
  });

  test('the lock-delay survives a snapshot and restore (a new leader keeps it)', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1, 'LOCKDELAY', 500);
    grantOf(h.send('SEM.ACQUIRE', 's', 'LEASE', 100));
    h.send('SEM.ACQUIRE', 's', 'ID', 'w');
    h.advance(200);
    const restored = h.restoredCopy();
    restored.advance(399);
    assert.deepEqual(restored.takeWakes(), []);
    restored.advance(1);
    assert.equal(restored.takeWakes().length, 1);
  });

  test('a revoked grant is invalid at once and its permits wait out the lock-delay', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1, 'LOCKDELAY', 300);
    const g = grantOf(h.send('SEM.ACQUIRE', 's'));
    h.send('SEM.ACQUIRE', 's', 'ID', 'w');
    assert.equal(h.send('SEM.REVOKE', 's', g.fence), 1);
    assert.equal(h.send('SEM.REVOKE', 's', g.fence), 0);
    assert.equal(h.send('SEM.CHECK', 's', g.fence), 0);
    assert.equal(h.send('SEM.RELEASE', 's', g.fence), 0, 'a revoked fence frees nothing more');
    h.advance(299);
    assert.deepEqual(h.takeWakes(), []);
    h.advance(1);
    assert.equal(h.takeWakes().length, 1);
  });
});

describe('wait deadlines', () => {
  test('a waiter times out at its deadline with a null reply and leaves the queue', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1);
    grantOf(h.send('SEM.ACQUIRE', 's'));
    h.send('SEM.ACQUIRE', 's', 'TIMEOUT', 250, 'ID', 'w');
    h.advance(100);
    assert.deepEqual(plain(h.send('SEM.WAITERS', 's')), [{ id: 'w', position: 1, permits: 1, 'waited-ms': 100, 'timeout-ms': 150 }]);
    h.advance(150);
    assert.deepEqual(h.takeWakes(), [{ key: waitKeyOf('s', 'w'), reply: null }]);
    assert.deepEqual(plain(h.send('SEM.WAITERS', 's')), []);
  });

  test('when a lease end and a deadline fall due in the same tick, the waiter is timed out, never granted late', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1);
    const g = grantOf(h.send('SEM.ACQUIRE', 's', 'LEASE', 100));
    h.send('SEM.ACQUIRE', 's', 'TIMEOUT', 300, 'ID', 'w');
    h.advance(5000); // a long gap: the lease ended at +100, the deadline at +300
    assert.deepEqual(h.takeWakes(), [{ key: waitKeyOf('s', 'w'), reply: null }]);
    assert.equal(h.send('SEM.CHECK', 's', g.fence), 0);
    assert.equal((plain(h.send('SEM.INFO', 's')) as Record<string, number>)['holders'], 0);
  });

  test('a release applied at the deadline itself does not grant the expiring waiter', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1);
    const g = grantOf(h.send('SEM.ACQUIRE', 's'));
    h.send('SEM.ACQUIRE', 's', 'TIMEOUT', 300, 'ID', 'w');
    // The write batch carrying the release is applied at +300: tick times the waiter out first.
    (h as unknown as { clock: number }).clock += 300;
    assert.equal(h.send('SEM.RELEASE', 's', g.fence), 1);
    assert.deepEqual(h.takeWakes(), [{ key: waitKeyOf('s', 'w'), reply: null }]);
  });

  test('TIMEOUT 0 waits forever', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1);
    const g = grantOf(h.send('SEM.ACQUIRE', 's', 'LEASE', 3_600_000));
    h.send('SEM.ACQUIRE', 's', 'TIMEOUT', 0, 'ID', 'w');
    h.advance(3_000_000);
    assert.deepEqual(h.takeWakes(), []);
    h.send('SEM.RELEASE', 's', g.fence);
    assert.equal(h.takeWakes().length, 1);
  });
});
