import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSet } from './checker/set.js';
import { HistoryBuilder } from './fixtures/builder.js';
import type { Outcome } from './history.js';

function add(b: HistoryBuilder, token: string, span: [number, number], outcome: Outcome = 'ok'): void {
  b.any(1, 'add', 's', token, span, outcome, outcome === 'ok' ? 1 : undefined);
}

function read(b: HistoryBuilder, tokens: string[], span: [number, number], final = false): void {
  const op = b.any(2, 'read', 's', undefined, span, 'ok', tokens);
  if (final) op.final = true;
}

function typesOf(b: HistoryBuilder, ordered = false): string[] {
  return checkSet(b.ops, { ordered }).anomalies.map((a) => a.type);
}

describe('set checker', () => {
  test('a clean history passes; unknown adds may or may not be present', () => {
    const b = new HistoryBuilder();
    add(b, 'a', [0, 10]);
    add(b, 'b', [5, 15], 'unknown');
    add(b, 'c', [5, 15], 'unknown');
    add(b, 'd', [5, 15], 'fail');
    read(b, ['a'], [12, 20]);
    read(b, ['a', 'b'], [30, 40]);
    read(b, ['a', 'b'], [50, 60], true);
    const result = checkSet(b.ops);
    assert.equal(result.valid, true, result.summary);
    assert.equal(result.stats.unknownPresent, 1);
    assert.equal(result.stats.unknownAbsent, 1);
  });

  test('an acknowledged token missing from the final read is lost', () => {
    const b = new HistoryBuilder();
    add(b, 'a', [0, 10]);
    add(b, 'b', [0, 10]);
    read(b, ['a'], [20, 30], true);
    const result = checkSet(b.ops);
    assert.equal(result.valid, false);
    assert.deepEqual(result.anomalies.map((a) => a.type), ['lost']);
    assert.match(result.anomalies[0]?.message ?? '', /"b" was acknowledged/);
  });

  test('a token twice in a read is a duplicate', () => {
    const b = new HistoryBuilder();
    add(b, 'a', [0, 10]);
    read(b, ['a', 'a'], [20, 30], true);
    assert.deepEqual(typesOf(b), ['duplicate']);
  });

  test('a token never attempted, or whose add definitely failed, is caught', () => {
    const b = new HistoryBuilder();
    add(b, 'a', [0, 10]);
    add(b, 'f', [0, 10], 'fail');
    read(b, ['a', 'ghost', 'f'], [20, 30], true);
    assert.deepEqual(typesOf(b).sort(), ['failed-add-present', 'unexpected']);
  });

  test('an intermediate read missing an acknowledged token is stale', () => {
    const b = new HistoryBuilder();
    add(b, 'a', [0, 10]);
    read(b, [], [20, 30]);
    read(b, ['a'], [40, 50], true);
    assert.deepEqual(typesOf(b), ['stale-read']);
  });

  test('a token an earlier read returned must not disappear, even if its add is unknown', () => {
    const b = new HistoryBuilder();
    add(b, 'u', [0, 10], 'unknown');
    read(b, ['u'], [20, 30]);
    read(b, [], [40, 50]);
    read(b, ['u'], [60, 70], true);
    assert.deepEqual(typesOf(b), ['disappeared']);
  });

  test('a read that ends before the add began cannot hold the token', () => {
    const b = new HistoryBuilder();
    read(b, ['a'], [0, 5]);
    add(b, 'a', [10, 20]);
    read(b, ['a'], [30, 40], true);
    assert.deepEqual(typesOf(b), ['read-before-add']);
  });

  test('no final read: undecided', () => {
    const b = new HistoryBuilder();
    add(b, 'a', [0, 10]);
    assert.equal(checkSet(b.ops).valid, 'unknown');
  });

  test('ordered (append): reads must be prefixes of each other', () => {
    const ok = new HistoryBuilder();
    add(ok, 'a', [0, 10]);
    add(ok, 'b', [0, 10]);
    read(ok, ['b'], [5, 8]);
    read(ok, ['b', 'a'], [20, 30], true);
    assert.deepEqual(typesOf(ok, true), []);

    const bad = new HistoryBuilder();
    add(bad, 'a', [0, 10]);
    add(bad, 'b', [0, 10]);
    read(bad, ['a', 'b'], [20, 30]);
    read(bad, ['b', 'a'], [40, 50], true);
    assert.deepEqual(typesOf(bad, true), ['order-diverged']);
    assert.deepEqual(typesOf(bad, false), [], 'as a set the same reads are fine');
  });

  test('the same token added twice is a runner bug, reported loudly', () => {
    const b = new HistoryBuilder();
    add(b, 'a', [0, 10], 'unknown');
    add(b, 'a', [20, 30]);
    assert.throws(() => checkSet(b.ops), /added twice/);
  });
});
