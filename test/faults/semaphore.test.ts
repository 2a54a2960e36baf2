import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSemaphore, type SemaphoreOptions } from './checker/semaphore.js';
import { HistoryBuilder } from './fixtures/builder.js';
import type { Json, Outcome } from './history.js';

const K = 'sem';

class SemHistory extends HistoryBuilder {
  create(capacity: number): void {
    this.any(0, 'create', K, { capacity }, [0, 1], 'ok', 'OK');
  }
  acquire(rid: string, span: [number, number], result: Json | undefined, opts: { timeoutMs?: number; outcome?: Outcome; nowait?: boolean } = {}): void {
    const arg: Record<string, Json> = { rid, timeoutMs: opts.timeoutMs ?? 1000 };
    if (opts.nowait) arg.nowait = true;
    this.any(1, 'acquire', K, arg, span, opts.outcome ?? 'ok', result);
  }
  granted(rid: string, span: [number, number], fence: number, timeoutMs = 1000): void {
    this.acquire(rid, span, { fence, leaseMs: 5000, permits: 1 }, { timeoutMs });
  }
  hold(fence: number, span: [number, number], validBefore = true, validAfter = true, permits?: number): void {
    const arg: Record<string, Json> = { fence };
    if (permits !== undefined) arg.permits = permits;
    this.any(2, 'hold', K, arg, span, 'ok', { validBefore, validAfter });
  }
  check(fence: number, span: [number, number], result: number): void {
    this.any(3, 'check', K, { fence }, span, 'ok', result);
  }
  release(fence: number, span: [number, number]): void {
    this.any(3, 'release', K, { fence }, span, 'ok', 1);
  }
  cancel(rid: string, span: [number, number], result: number): void {
    this.any(4, 'cancel', K, { rid }, span, 'ok', result);
  }
}

function typesOf(h: SemHistory, options: SemaphoreOptions = {}): string[] {
  return checkSemaphore(h.ops, options).anomalies.map((a) => a.type);
}

/** A mutex used correctly: three workers in turn, one timing out, one cancelled. */
function cleanMutex(): SemHistory {
  const h = new SemHistory();
  h.create(1);
  h.granted('a', [10, 12], 1);
  h.hold(1, [13, 30]);
  h.release(1, [31, 33]);
  h.granted('b', [11, 35], 2); // queued behind a, granted on a's release
  h.hold(2, [36, 50]);
  h.acquire('c', [20, 221], null, { timeoutMs: 200 }); // timed out while b held
  h.acquire('d', [40, 45], undefined, { outcome: 'unknown' }); // reply lost...
  h.acquire('d', [46, 60], { fence: 3, leaseMs: 5000, permits: 1 }); // ...the retry gets the same grant
  h.hold(3, [61, 70]);
  h.acquire('e', [41, 50], undefined, { outcome: 'unknown' });
  h.cancel('e', [51, 52], 1);
  h.check(1, [80, 81], 0);
  return h;
}

describe('semaphore checker', () => {
  test('a correct mutex history passes every rule', () => {
    const result = checkSemaphore(cleanMutex().ops);
    assert.deepEqual(result.anomalies, []);
    assert.equal(result.valid, true);
    assert.equal(result.stats.granted, 3);
    assert.equal(result.stats.timedOut, 1);
    assert.equal(result.stats.cancelled, 1);
    assert.equal(result.stats.holdsChecked, 3);
  });

  describe('capacity', () => {
    test('two valid holders of a mutex at once is over capacity', () => {
      const h = new SemHistory();
      h.create(1);
      h.granted('a', [0, 5], 1);
      h.granted('b', [1, 6], 2);
      h.hold(1, [10, 30]);
      h.hold(2, [20, 40]);
      const result = checkSemaphore(h.ops, { fifo: false });
      assert.deepEqual(result.anomalies.map((a) => a.type), ['over-capacity']);
      assert.match(result.anomalies[0]?.message ?? '', /2 permits held at once \(capacity 1\) by valid fences 1, 2/);
    });

    test('a holder whose closing CHECK failed is not counted (its lease ended: fencing protects the resource)', () => {
      const h = new SemHistory();
      h.create(1);
      h.hold(1, [10, 30], true, false);
      h.hold(2, [20, 40]);
      assert.deepEqual(typesOf(h), []);
    });

    test('capacity 2 with multi-permit grants: permits are summed; touching sections do not overlap', () => {
      const h = new SemHistory();
      h.create(2);
      h.hold(1, [0, 10], true, true, 1);
      h.hold(2, [5, 15], true, true, 1);
      h.hold(3, [15, 20], true, true, 2);
      assert.deepEqual(typesOf(h), []);
      h.hold(4, [19, 25], true, true, 1);
      assert.deepEqual(typesOf(h), ['over-capacity']);
    });
  });

  describe('fences', () => {
    test('a fence granted to two requests is caught', () => {
      const h = new SemHistory();
      h.create(2);
      h.granted('a', [0, 5], 7);
      h.granted('b', [0, 6], 7);
      assert.ok(typesOf(h, { fifo: false }).includes('fence-reused'));
    });

    test('a later grant with a smaller fence is caught', () => {
      const h = new SemHistory();
      h.create(1);
      h.granted('a', [0, 5], 9);
      h.granted('b', [10, 15], 4);
      assert.ok(typesOf(h, { fifo: false }).includes('fence-not-increasing'));
    });

    test('concurrent requests may be granted in either order', () => {
      const h = new SemHistory();
      h.create(1);
      h.granted('a', [0, 50], 2);
      h.granted('b', [10, 20], 1);
      assert.deepEqual(typesOf(h, { fifo: false }), []);
    });
  });

  describe('every waiter resolved exactly once', () => {
    test('two different fences for one request is a double grant', () => {
      const h = new SemHistory();
      h.create(1);
      h.granted('a', [0, 5], 1);
      h.granted('a', [10, 15], 2);
      assert.ok(typesOf(h).includes('granted-twice'));
    });

    test('granted and also timed out, or granted after a successful cancel', () => {
      const timedOut = new SemHistory();
      timedOut.create(1);
      timedOut.acquire('a', [0, 1001], null);
      timedOut.granted('a', [1100, 1105], 1);
      assert.deepEqual(typesOf(timedOut), ['resolved-twice']);

      const cancelled = new SemHistory();
      cancelled.create(1);
      cancelled.acquire('a', [0, 50], undefined, { outcome: 'unknown' });
      cancelled.cancel('a', [60, 61], 1);
      cancelled.granted('a', [70, 75], 1);
      assert.deepEqual(typesOf(cancelled), ['resolved-twice']);
    });

    test('a request that never got any answer is a lost waiter (or counted, when allowed)', () => {
      const h = new SemHistory();
      h.create(1);
      h.acquire('a', [0, 5000], undefined, { outcome: 'unknown' });
      assert.deepEqual(typesOf(h), ['unresolved']);
      const relaxed = checkSemaphore(h.ops, { allowUnresolved: true });
      assert.equal(relaxed.valid, true);
      assert.equal(relaxed.stats.unresolved, 1);
    });

    test('a retry told ENDED (released) resolves the request as granted', () => {
      const h = new SemHistory();
      h.create(1);
      h.acquire('a', [0, 5000], undefined, { outcome: 'unknown' });
      h.acquire('a', [5001, 5002], { ended: 'expired' });
      assert.deepEqual(typesOf(h), []);
    });
  });

  describe('deadlines', () => {
    test('a grant well after invoke + timeout is late', () => {
      const h = new SemHistory();
      h.create(1);
      h.granted('a', [0, 1600], 1, 1000);
      const result = checkSemaphore(h.ops, { slackMs: 250 });
      assert.deepEqual(result.anomalies.map((a) => a.type), ['late-grant']);
      assert.match(result.anomalies[0]?.message ?? '', /granted 600 ms after its deadline/);
      assert.deepEqual(typesOf(h, { slackMs: 700 }), [], 'within the slack');
    });

    test('a late grant during an excused period (e.g. a paused leader) is not judged', () => {
      const h = new SemHistory();
      h.create(1);
      h.granted('a', [0, 1600], 1, 1000);
      assert.deepEqual(typesOf(h, { excuse: [{ startMs: 900, endMs: 1500 }] }), []);
    });

    test('a grant reported only by a retry cannot be judged late', () => {
      const h = new SemHistory();
      h.create(1);
      h.acquire('a', [0, 500], undefined, { outcome: 'unknown', timeoutMs: 1000 });
      h.granted('a', [5000, 5001], 1, 1000);
      assert.deepEqual(typesOf(h), []);
    });

    test('a time-out well before the deadline is early; TIMEOUT 0 waits forever', () => {
      const h = new SemHistory();
      h.create(1);
      h.acquire('a', [0, 300], null, { timeoutMs: 1000 });
      assert.deepEqual(typesOf(h), ['early-timeout']);
      const forever = new SemHistory();
      forever.create(1);
      forever.granted('a', [0, 60_000], 1, 0);
      assert.deepEqual(typesOf(forever), []);
    });

    test('NOWAIT: an immediate miss is fine, a slow grant is late', () => {
      const h = new SemHistory();
      h.create(1);
      h.acquire('a', [0, 2], null, { nowait: true });
      h.acquire('b', [10, 900], { fence: 1, leaseMs: 1, permits: 1 }, { nowait: true });
      assert.deepEqual(typesOf(h), ['late-grant']);
    });
  });

  describe('FIFO', () => {
    test('a request queued clearly later must not be granted first', () => {
      const h = new SemHistory();
      h.create(1);
      h.granted('first', [0, 500], 3);
      h.granted('second', [100, 400], 2);
      assert.deepEqual(typesOf(h), ['fifo-violation']);
      assert.deepEqual(typesOf(h, { fifo: false }), [], 'FIRSTFIT semaphores are not judged');
    });

    test('requests invoked within the enqueue slack may be queued either way', () => {
      const h = new SemHistory();
      h.create(1);
      h.granted('first', [0, 500], 3);
      h.granted('second', [20, 400], 2);
      assert.deepEqual(typesOf(h, { fifoSlackMs: 50 }), []);
    });
  });

  test('a released fence that still CHECKs valid is caught', () => {
    const h = new SemHistory();
    h.create(1);
    h.granted('a', [0, 5], 1);
    h.release(1, [10, 12]);
    h.check(1, [11, 13], 1); // concurrent with the release: fine
    h.check(1, [20, 21], 1);
    assert.deepEqual(typesOf(h), ['valid-after-release']);
  });

  test('a key without a known capacity is a clear error', () => {
    const h = new SemHistory();
    h.granted('a', [0, 5], 1);
    assert.throws(() => checkSemaphore(h.ops), /no capacity for key sem/);
    assert.equal(checkSemaphore(h.ops, { capacity: 1 }).valid, true);
  });
});
