import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCounter } from './checker/counter.js';
import { HistoryBuilder } from './fixtures/builder.js';
import type { Json, Outcome } from './history.js';

function incr(b: HistoryBuilder, p: number, span: [number, number], outcome: Outcome, result?: number, delta?: number): void {
  b.any(p, 'incr', 'c', delta, span, outcome, result);
}

function read(b: HistoryBuilder, p: number, span: [number, number], result: Json, final = false): void {
  const op = b.any(p, 'read', 'c', undefined, span, 'ok', result);
  if (final) op.final = true;
}

function typesOf(b: HistoryBuilder): string[] {
  return checkCounter(b.ops).anomalies.map((a) => a.type);
}

describe('counter checker', () => {
  test('a clean history with unknown and failed increments passes', () => {
    const b = new HistoryBuilder();
    incr(b, 1, [0, 10], 'ok', 1);
    incr(b, 2, [5, 15], 'ok', 2);
    incr(b, 3, [20, 30], 'unknown');
    incr(b, 4, [20, 25], 'fail');
    read(b, 1, [16, 18], '2');
    incr(b, 2, [40, 50], 'ok', 4, 1); // the unknown one landed first
    read(b, 5, [100, 110], 4, true);
    const result = checkCounter(b.ops);
    assert.equal(result.valid, true, result.summary);
    assert.equal(result.stats.incrUnknown, 1);
    assert.equal(result.stats.incrFailed, 1);
  });

  test('the final read may include none, some or all unknown increments', () => {
    for (const final of [3, 4, 5]) {
      const b = new HistoryBuilder();
      for (let i = 0; i < 3; i++) incr(b, i, [i * 10, i * 10 + 5], 'ok', i + 1);
      incr(b, 7, [40, 45], 'unknown');
      incr(b, 8, [40, 45], 'unknown');
      read(b, 9, [100, 101], final, true);
      assert.equal(checkCounter(b.ops).valid, true, `final ${final}`);
    }
  });

  test('a final value below the acknowledged increments is a lost increment', () => {
    const b = new HistoryBuilder();
    incr(b, 1, [0, 10], 'ok', 1);
    incr(b, 2, [20, 30], 'ok', 2);
    read(b, 3, [40, 50], 1, true);
    const result = checkCounter(b.ops);
    assert.equal(result.valid, false);
    assert.ok(result.anomalies.some((a) => a.type === 'lost-increment' && /1 lost/.test(a.message)));
  });

  test('a final value above acknowledged + unknown is a phantom increment', () => {
    const b = new HistoryBuilder();
    incr(b, 1, [0, 10], 'ok', 1);
    incr(b, 2, [20, 30], 'fail');
    read(b, 3, [40, 50], 2, true);
    assert.deepEqual(typesOf(b), ['phantom-increment']);
  });

  test('no final read: undecided, not a pass', () => {
    const b = new HistoryBuilder();
    incr(b, 1, [0, 10], 'ok', 1);
    read(b, 2, [20, 30], 1);
    const result = checkCounter(b.ops);
    assert.equal(result.valid, 'unknown');
    assert.match(result.summary, /no final read/);
  });

  test('an intermediate read below what was acknowledged before it began is stale', () => {
    const b = new HistoryBuilder();
    incr(b, 1, [0, 10], 'ok', 1);
    incr(b, 1, [11, 20], 'ok', 2);
    read(b, 2, [25, 30], 1);
    read(b, 2, [40, 50], 2, true);
    assert.ok(typesOf(b).includes('stale-read'));
  });

  test('an intermediate read above what was attempted before it ended reads the future', () => {
    const b = new HistoryBuilder();
    incr(b, 1, [0, 10], 'ok', 1);
    read(b, 2, [12, 15], 2);
    incr(b, 1, [20, 30], 'ok', 2);
    read(b, 2, [40, 50], 2, true);
    assert.ok(typesOf(b).includes('future-read'));
  });

  test('reads that go backwards in real time are caught even within bounds', () => {
    const b = new HistoryBuilder();
    incr(b, 1, [0, 100], 'ok', 1);
    incr(b, 2, [0, 100], 'ok', 2);
    read(b, 3, [10, 20], 2);
    read(b, 3, [30, 40], 1);
    read(b, 3, [200, 210], 2, true);
    assert.deepEqual(typesOf(b), ['nonmonotonic']);
    const [found] = checkCounter(b.ops).anomalies;
    assert.match(found?.message ?? '', /went back from 2 to 1/);
  });

  test('two INCR replies with the same value mean one increment was lost', () => {
    const b = new HistoryBuilder();
    incr(b, 1, [0, 10], 'ok', 1);
    incr(b, 2, [0, 10], 'ok', 1);
    read(b, 3, [20, 30], 2, true);
    assert.deepEqual(typesOf(b), ['duplicate-incr-result']);
  });

  test('INCRBY deltas and several keys are checked independently', () => {
    const b = new HistoryBuilder();
    incr(b, 1, [0, 10], 'ok', 5, 5);
    b.any(2, 'incr', 'other', 3, [0, 10], 'ok', 3);
    read(b, 3, [20, 30], 5, true);
    const otherFinal = b.any(3, 'read', 'other', undefined, [20, 30], 'ok', 2);
    otherFinal.final = true;
    const result = checkCounter(b.ops);
    assert.equal(result.valid, false);
    assert.ok(result.anomalies.every((a) => a.key === 'other'), 'key c is consistent');
    assert.ok(result.anomalies.some((a) => a.type === 'lost-increment'));
  });
});
