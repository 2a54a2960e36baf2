import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSemaphoredApp } from '../../examples/semaphored/app.js';
import { SemHost, grantOf, plain, waitKeyOf } from './harness.js';

const app = createSemaphoredApp();
const info = (h: SemHost, key: string) => plain(h.send('SEM.INFO', key)) as Record<string, number | string>;

describe('SEM.CREATE on an existing semaphore', () => {
  test('growing the capacity grants waiters at once', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1);
    grantOf(h.send('SEM.ACQUIRE', 's'));
    h.send('SEM.ACQUIRE', 's', 'ID', 'a');
    h.send('SEM.ACQUIRE', 's', 'ID', 'b');
    h.send('SEM.ACQUIRE', 's', 'ID', 'c');
    assert.equal(plain(h.send('SEM.CREATE', 's', 3)), 'OK');
    assert.deepEqual(h.takeWakes().map((w) => w.key), [waitKeyOf('s', 'a'), waitKeyOf('s', 'b')]);
  });

  test('shrinking keeps current grants; no new grant until usage is under the new capacity', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 3);
    const grants = [grantOf(h.send('SEM.ACQUIRE', 's')), grantOf(h.send('SEM.ACQUIRE', 's')), grantOf(h.send('SEM.ACQUIRE', 's'))];
    h.send('SEM.ACQUIRE', 's', 'ID', 'w');
    h.send('SEM.CREATE', 's', 1);
    assert.deepEqual([info(h, 's')['held'], info(h, 's')['available']], [3, 0]);
    for (const g of grants) assert.equal(h.send('SEM.CHECK', 's', g.fence), 1);
    h.send('SEM.RELEASE', 's', grants[0]!.fence);
    h.send('SEM.RELEASE', 's', grants[1]!.fence);
    assert.deepEqual(h.takeWakes(), [], 'still 1 held of capacity 1');
    h.send('SEM.RELEASE', 's', grants[2]!.fence);
    assert.deepEqual(h.takeWakes().map((w) => w.key), [waitKeyOf('s', 'w')]);
  });

  test('shrinking below a waiter\'s PERMITS ends that wait (it could never be granted) and unblocks the queue', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 4);
    const g = grantOf(h.send('SEM.ACQUIRE', 's', 'PERMITS', 2));
    h.send('SEM.ACQUIRE', 's', 'PERMITS', 4, 'ID', 'big');
    h.send('SEM.ACQUIRE', 's', 'PERMITS', 1, 'ID', 'small');
    h.send('SEM.CREATE', 's', 3);
    assert.deepEqual(
      h.takeWakes().map((w) => [w.key, plain(w.reply)]),
      [
        [waitKeyOf('s', 'big'), { error: "ENDED request 'big' already ended: the capacity shrank below its PERMITS" }],
        [waitKeyOf('s', 'small'), [g.fence + 1, 30_000, 1]],
      ],
    );
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 's', 'PERMITS', 4)), { error: "ERR PERMITS 4 exceeds the capacity 3 of 's'" });
  });

  test('options not given keep their values; NX leaves an existing semaphore alone and answers null', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 2, 'DEFAULTLEASE', 100, 'MAXLEASE', 200, 'LOCKDELAY', 50, 'POLICY', 'FIRSTFIT');
    h.send('SEM.CREATE', 's', 5);
    assert.deepEqual(info(h, 's'), {
      capacity: 5,
      available: 5,
      held: 0,
      'lock-delayed': 0,
      holders: 0,
      waiters: 0,
      policy: 'firstfit',
      'default-lease-ms': 100,
      'max-lease-ms': 200,
      'lock-delay-ms': 50,
    });
    assert.equal(plain(h.send('SEM.CREATE', 's', 9, 'NX')), null);
    assert.equal(info(h, 's')['capacity'], 5);
    assert.equal(plain(h.send('SEM.CREATE', 't', 9, 'NX')), 'OK');
  });

  test('an inherited DEFAULTLEASE follows a lower MAXLEASE down; an explicit one above MAXLEASE is an error', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1, 'MAXLEASE', 5000);
    assert.equal(info(h, 's')['default-lease-ms'], 5000);
    assert.deepEqual(plain(h.send('SEM.CREATE', 's', 1, 'DEFAULTLEASE', 6000)), { error: 'ERR DEFAULTLEASE 6000 ms exceeds MAXLEASE 5000 ms' });
    assert.equal(info(h, 's')['default-lease-ms'], 5000, 'a refused CREATE changes nothing');
  });

  test('a waiter queued with a lease above a since-lowered MAXLEASE gets the new MAXLEASE', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1);
    const g = grantOf(h.send('SEM.ACQUIRE', 's'));
    h.send('SEM.ACQUIRE', 's', 'LEASE', 60_000, 'ID', 'w');
    h.send('SEM.CREATE', 's', 1, 'MAXLEASE', 1000);
    h.send('SEM.RELEASE', 's', g.fence);
    assert.equal(grantOf(h.takeWakes()[0]!.reply).leaseMs, 1000);
  });

  test('argument errors', () => {
    const h = new SemHost(app);
    const cases: [unknown[], string][] = [
      [['s', 0], 'ERR capacity must be an integer from 1 to 1000000000'],
      [['s', 'x'], 'ERR value is not an integer or out of range'],
      [['s', 1, 'POLICY', 'LIFO'], 'ERR POLICY must be FIFO or FIRSTFIT'],
      [['s', 1, 'LOCKDELAY', -1], 'ERR LOCKDELAY must be an integer from 0 to 604800000'],
      [['s', 1, 'MAXLEASE', 0], 'ERR MAXLEASE must be an integer from 1 to 604800000'],
      [['s', 1, 'NX', 'NX'], 'ERR syntax error'],
      [['s', 1, 'DEFAULTLEASE'], 'ERR syntax error'],
      [['s', 1, 'BOGUS'], 'ERR syntax error'],
    ];
    for (const [args, error] of cases) {
      assert.deepEqual(plain(h.send('SEM.CREATE', ...(args as string[]))), { error }, JSON.stringify(args));
    }
    assert.equal(h.data.sems.size, 0);
  });
});

describe('SEM.DELETE', () => {
  test('ends waits and grants; a re-created semaphore continues the fence sequence', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1, 'LOCKDELAY', 1000);
    const g = grantOf(h.send('SEM.ACQUIRE', 's', 'LEASE', 100));
    h.send('SEM.ACQUIRE', 's', 'ID', 'w');
    h.advance(100); // expired: lock-delay pending; w still waits
    assert.equal(h.send('SEM.DELETE', 's'), 1);
    assert.deepEqual(plain(h.takeWakes()[0]!.reply), { error: "ENDED request 'w' already ended: its semaphore was deleted" });
    assert.equal(h.send('SEM.DELETE', 's'), 0);
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 's')), { error: "NOSEM no such semaphore 's' (create it with SEM.CREATE)" });
    assert.equal(h.send('SEM.CHECK', 's', g.fence), 0);
    h.send('SEM.CREATE', 's', 1);
    assert.ok(grantOf(h.send('SEM.ACQUIRE', 's')).fence > g.fence);
    h.advance(5000); // the old lock-delay timer went with the old semaphore
    assert.equal(info(h, 's')['lock-delayed'], 0);
  });
});

describe('limits', () => {
  const small = createSemaphoredApp({ maxKeys: 2, maxWaitersPerKey: 2, maxHoldersPerKey: 2, maxRequestRecords: 3 });

  test('max keys', () => {
    const h = new SemHost(small);
    h.send('SEM.CREATE', 'a', 1);
    h.send('SEM.CREATE', 'b', 1);
    assert.deepEqual(plain(h.send('SEM.CREATE', 'c', 1)), { error: 'LIMIT too many semaphores (max 2); delete some with SEM.DELETE' });
    assert.equal(plain(h.send('SEM.CREATE', 'a', 3)), 'OK', 'changing an existing one is fine');
  });

  test('max waiters per key (NOWAIT still answers null)', () => {
    const h = new SemHost(small);
    h.send('SEM.CREATE', 'a', 1);
    grantOf(h.send('SEM.ACQUIRE', 'a'));
    h.send('SEM.ACQUIRE', 'a');
    h.send('SEM.ACQUIRE', 'a');
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'a')), { error: "LIMIT too many waiters on 'a' (max 2)" });
    assert.equal(plain(h.send('SEM.ACQUIRE', 'a', 'NOWAIT')), null);
  });

  test('max holders per key: further acquires wait as if permits were short', () => {
    const h = new SemHost(small);
    h.send('SEM.CREATE', 'a', 10);
    const g = grantOf(h.send('SEM.ACQUIRE', 'a'));
    grantOf(h.send('SEM.ACQUIRE', 'a'));
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'a', 'ID', 'w')), { blocked: waitKeyOf('a', 'w') });
    h.send('SEM.RELEASE', 'a', g.fence);
    assert.equal(h.takeWakes().length, 1);
  });

  test('max request-ID records (acquires without ID still work)', () => {
    const h = new SemHost(small);
    h.send('SEM.CREATE', 'a', 10);
    h.send('SEM.CREATE', 'b', 10);
    for (const id of ['x', 'y']) grantOf(h.send('SEM.ACQUIRE', 'a', 'ID', id));
    grantOf(h.send('SEM.ACQUIRE', 'b', 'ID', 'z'));
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'b', 'ID', 'w')), {
      error: 'LIMIT too many request IDs remembered (max 3); retry later or acquire without ID',
    });
    grantOf(h.send('SEM.ACQUIRE', 'b'));
    grantOf(h.send('SEM.ACQUIRE', 'a', 'ID', 'x')); // known IDs still answer
  });

  test('bad limits are refused when the app is built', () => {
    assert.throws(() => createSemaphoredApp({ maxKeys: 0 }), /maxKeys/);
    assert.throws(() => createSemaphoredApp({ defaultLeaseMs: 10, defaultMaxLeaseMs: 5 }), /defaultLeaseMs/);
  });
});
