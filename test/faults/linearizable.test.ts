import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinearizable } from './checker/linearizable.js';
import { HistoryBuilder } from './fixtures/builder.js';

function verdict(b: HistoryBuilder): true | false | 'unknown' {
  return checkLinearizable(b.ops).valid;
}

describe('linearizable register histories', () => {
  test('an empty history and a sequential one are linearizable', () => {
    assert.equal(verdict(new HistoryBuilder()), true);
    const b = new HistoryBuilder();
    b.get(1, 'x', null, 0, 1);
    b.set(1, 'x', 'a', 2, 3);
    b.get(2, 'x', 'a', 4, 5);
    b.del(1, 'x', 1, 6, 7);
    b.get(2, 'x', null, 8, 9);
    b.del(2, 'x', 0, 10, 11);
    assert.equal(verdict(b), true);
  });

  test('concurrent reads may see a concurrent write either way, in a consistent order', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 50);
    b.get(2, 'x', null, 5, 15);
    b.get(3, 'x', 'a', 10, 20);
    b.get(2, 'x', 'a', 30, 40);
    assert.equal(verdict(b), true);
  });

  test('two concurrent writes: readers agree on the one that landed last', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 100);
    b.set(2, 'x', 'b', 0, 100);
    b.get(3, 'x', 'a', 10, 20);
    b.get(3, 'x', 'b', 30, 40);
    b.get(1, 'x', 'b', 110, 120);
    assert.equal(verdict(b), true);
  });

  test('an unknown write that must have happened explains a later read', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 5000, 'unknown');
    b.get(2, 'x', 'a', 100, 110);
    b.del(3, 'x', 1, 200, 210);
    assert.equal(verdict(b), true);
  });

  test('an unknown write may take effect after the client gave up waiting', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 10);
    b.set(2, 'x', 'b', 20, 25, 'unknown');
    b.get(3, 'x', 'a', 30, 40);
    b.get(3, 'x', 'b', 50, 60);
    assert.equal(verdict(b), true);
  });

  test('an unknown write that never happened constrains nothing', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 10);
    b.set(2, 'x', 'b', 20, 30, 'unknown');
    b.del(2, 'x', undefined, 31, 40, 'unknown');
    b.get(3, 'x', 'a', 50, 60);
    b.get(3, 'x', 'a', 70, 80);
    assert.equal(verdict(b), true);
  });

  test('an unknown get is ignored, whatever it would have read', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 10);
    b.lostGet(2, 'x', 20, 30);
    assert.equal(verdict(b), true);
  });

  test('keys are independent: a write to y does not explain a read of x', () => {
    const b = new HistoryBuilder();
    b.set(1, 'y', 'a', 0, 10);
    b.get(2, 'x', 'a', 20, 30);
    assert.equal(verdict(b), false);
  });
});

describe('NON-linearizable register histories are caught', () => {
  test('stale read after an acknowledged write', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 10);
    b.set(1, 'x', 'b', 20, 30);
    b.get(2, 'x', 'a', 40, 50);
    const result = checkLinearizable(b.ops);
    assert.equal(result.valid, false);
    const [anomaly] = result.anomalies;
    assert.equal(anomaly?.key, 'x');
    assert.match(anomaly?.message ?? '', /#2 p2 get x -> "a"/);
    assert.match(anomaly?.message ?? '', /register holds "b"/);
    assert.ok(anomaly?.witness?.some((line) => line.includes('set x "b"')), 'the overwriting set is in the witness');
  });

  test('a read of a value never written', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 10);
    b.get(2, 'x', 'zzz', 5, 15);
    assert.equal(verdict(b), false);
  });

  test('a lost acknowledged write: later reads see the key empty', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 10);
    b.get(2, 'x', null, 20, 30);
    assert.equal(verdict(b), false);
  });

  test('read-your-write across clients: p2 reads after p1 was acknowledged and misses it', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'old', 0, 5);
    b.set(1, 'x', 'new', 10, 20);
    b.get(2, 'x', 'old', 21, 25);
    b.get(2, 'x', 'new', 26, 30);
    assert.equal(verdict(b), false);
  });

  test('a register that goes back in time', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 100);
    b.set(2, 'x', 'b', 0, 100);
    b.get(3, 'x', 'b', 110, 120);
    b.get(3, 'x', 'a', 130, 140);
    assert.equal(verdict(b), false);
  });

  test('a failed write (definitely no effect) cannot explain a read', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 10, 'fail');
    b.get(2, 'x', 'a', 20, 30);
    assert.equal(verdict(b), false);
  });

  test('DEL reports whether the key existed, and that is checked', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 10);
    b.del(2, 'x', 0, 20, 30);
    assert.equal(verdict(b), false);
  });

  test('the value "null" and a missing key are different', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'null', 0, 10);
    b.get(2, 'x', null, 20, 30);
    assert.equal(verdict(b), false);
  });

  test('the witness names the ops around the failure and the pending candidates', () => {
    const b = new HistoryBuilder();
    b.set(1, 'x', 'a', 0, 10);
    b.set(2, 'x', 'b', 12, 60);
    b.set(3, 'x', 'c', 12, 60);
    b.get(4, 'x', 'a', 70, 80);
    const [anomaly] = checkLinearizable(b.ops).anomalies;
    assert.ok(anomaly);
    assert.deepEqual(new Set(anomaly.opIds), new Set([0, 1, 2, 3]));
    assert.ok(anomaly.witness?.some((line) => line.includes('set x "b"')));
    assert.ok(anomaly.witness?.some((line) => line.includes('set x "c"')));

    const c = new HistoryBuilder();
    c.set(1, 'x', 'a', 0, 10);
    c.get(2, 'x', 'z', 20, 30);
    c.get(3, 'x', 'q', 21, 31);
    const [both] = checkLinearizable(c.ops).anomalies;
    const tried = both?.witness?.findIndex((line) => line.includes('pending ops tried')) ?? -1;
    assert.ok(tried > 0, 'the witness lists the pending ops that were tried');
    assert.match(both?.witness?.[tried + 1] ?? '', /get x -> "(q|z)"/);
  });
});

describe('unknown writes nobody read', () => {
  test('are dropped when nothing could have observed them', () => {
    const b = new HistoryBuilder();
    for (let i = 0; i < 40; i++) b.set(i, 'x', `lost${i}`, i, i + 1, 'unknown');
    b.set(50, 'x', 'a', 100, 110);
    b.get(51, 'x', 'a', 120, 130);
    const result = checkLinearizable(b.ops);
    assert.equal(result.valid, true);
    assert.equal(result.stats.unknownWritesPruned, 40);
  });

  test('are merged into one interchangeable value when a DEL may have seen one of them', () => {
    const b = new HistoryBuilder();
    for (let i = 0; i < 40; i++) b.set(i, 'x', `lost${i}`, i, i + 1, 'unknown');
    b.del(50, 'x', 1, 100, 110); // needs one of the lost writes to have happened
    b.get(51, 'x', null, 120, 130);
    b.get(52, 'x', 'never', 140, 150); // forces the search to try every alternative
    const result = checkLinearizable(b.ops, { timeLimitMs: 5000 });
    assert.equal(result.valid, false, result.summary);
    assert.equal(result.stats.unknownWritesMerged, 40);
    assert.ok((result.stats.searchSteps ?? Infinity) < 100_000, `${result.stats.searchSteps} steps`);

    const ok = new HistoryBuilder();
    for (let i = 0; i < 40; i++) ok.set(i, 'x', `lost${i}`, i, i + 1, 'unknown');
    ok.del(50, 'x', 1, 100, 110);
    ok.del(50, 'x', 1, 120, 130); // a second lost write landed later
    ok.get(51, 'x', null, 140, 150);
    assert.equal(checkLinearizable(ok.ops).valid, true);
  });
});

test('the witness shows the state after each linearized op, an empty register included', () => {
  const b = new HistoryBuilder();
  b.get(1, 'x', null, 1.5, 2.5);
  b.set(2, 'x', 'a', 1.4, 2.2);
  b.get(3, 'x', 'zz', 15, 16);
  const [anomaly] = checkLinearizable(b.ops).anomalies;
  const witness = anomaly?.witness ?? [];
  assert.match(witness[0] ?? '', /no write of "zz" happened/);
  assert.ok(witness.some((line) => /#0 p1 get x -> null .* => \(no value\)$/.test(line)), witness.join('\n'));
  assert.ok(witness.some((line) => /#1 p2 set x "a" .* => "a"$/.test(line)), witness.join('\n'));
});

describe('bounded search', () => {
  test('running out of budget says "undecided", never pass or fail', () => {
    const b = new HistoryBuilder();
    // Many unknown writes, all observed: the search must consider their subsets and orders.
    for (let i = 0; i < 24; i++) b.set(i, 'x', `v${i}`, 0, 1, 'unknown');
    for (let i = 0; i < 24; i++) b.get(100 + i, 'x', `v${(i * 7) % 24}`, 10 + i * 10, 15 + i * 10);
    b.get(200, 'x', 'never-written', 1000, 1001);
    const result = checkLinearizable(b.ops, { timeLimitMs: 0 });
    assert.equal(result.valid, 'unknown');
    assert.match(result.summary, /gave up on 1 keys .*time budget/);
    assert.equal(result.stats.keysGaveUp, 1);
  });
});
