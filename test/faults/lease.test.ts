import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLeases } from './checker/lease.js';
import { HistoryBuilder } from './fixtures/builder.js';

const T = '_time';

describe('lease-time checker', () => {
  test('a grant CHECKed invalid long before its lease could end is a lease cut short', () => {
    const b = new HistoryBuilder();
    b.any(1, 'acquire', 'm', { rid: 'a', timeoutMs: 1000 }, [0, 10], 'ok', { fence: 7, leaseMs: 3000, permits: 1 });
    const check = b.any(1, 'check', 'm', { fence: 7 }, [100, 110], 'ok', 0);
    const result = checkLeases(b.ops, { timeKey: T });
    assert.equal(result.valid, false);
    assert.equal(result.anomalies[0]?.type, 'lease-cut-short');
    assert.deepEqual(result.anomalies[0]?.opIds, [0, check.id]);
    assert.match(result.anomalies[0]?.message ?? '', /fence 7 CHECKed invalid 2890 ms before/);
  });

  test('invalid after a release began, or once the lease could have ended, is fine', () => {
    const b = new HistoryBuilder();
    b.any(1, 'acquire', 'm', { rid: 'a', timeoutMs: 1000 }, [0, 10], 'ok', { fence: 7, leaseMs: 3000, permits: 1 });
    b.any(1, 'release', 'm', { fence: 7 }, [200, 300], 'unknown');
    b.any(1, 'check', 'm', { fence: 7 }, [250, 260], 'ok', 0);
    b.any(2, 'acquire', 'm', { rid: 'b', timeoutMs: 1000 }, [0, 10], 'ok', { fence: 8, leaseMs: 1000, permits: 1 });
    b.any(2, 'check', 'm', { fence: 8 }, [900, 910], 'ok', 0); // within the 500 ms slack of its end
    b.any(2, 'check', 'm', { fence: 8 }, [100, 110], 'ok', 1);
    assert.equal(checkLeases(b.ops, { timeKey: T }).valid, true);
  });

  test('replicated time must not go back, nor advance faster than real time', () => {
    const b = new HistoryBuilder();
    b.any(1, 'time', T, undefined, [0, 5], 'ok', 1_000_000);
    b.any(2, 'time', T, undefined, [10, 15], 'ok', 1_000_010);
    b.any(1, 'time', T, undefined, [20, 25], 'ok', 1_000_005); // back
    b.any(2, 'time', T, undefined, [30, 35], 'ok', 1_020_000); // +15 s in 15 ms
    const result = checkLeases(b.ops, { timeKey: T });
    assert.deepEqual(result.anomalies.map((a) => a.type).sort(), ['time-ran-ahead', 'time-went-back']);
  });

  test('overlapping time reads may return either order; a pause in between is no anomaly', () => {
    const b = new HistoryBuilder();
    b.any(1, 'time', T, undefined, [0, 50], 'ok', 1_000_040);
    b.any(2, 'time', T, undefined, [10, 20], 'ok', 1_000_015);
    b.any(1, 'time', T, undefined, [5000, 5010], 'ok', 1_005_000);
    assert.equal(checkLeases(b.ops, { timeKey: T }).valid, true);
  });
});
