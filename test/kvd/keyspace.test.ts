/**
 * DEL UNLINK EXISTS TYPE KEYS RENAME RENAMENX DBSIZE RANDOMKEY.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KvdHost } from './harness.js';
import { wireBulk } from './wire.js';

describe('DEL UNLINK EXISTS TYPE', () => {
  test('DEL and UNLINK count the keys that existed', () => {
    const h = new KvdHost();
    h.call('MSET', 'a', '1', 'b', '2', 'c', '3');
    assert.equal(h.wire('DEL', 'a', 'b', 'zz', 'a'), ':2');
    assert.equal(h.wire('UNLINK', 'c', 'c'), ':1');
    assert.equal(h.wire('DBSIZE'), ':0');
  });

  test('an expired key is neither counted by DEL nor by EXISTS', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v', 'PX', '5');
    h.advance(6);
    assert.equal(h.wire('EXISTS', 'k'), ':0');
    assert.equal(h.wire('DEL', 'k'), ':0');
  });

  test('EXISTS counts a key as often as it is named', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v');
    assert.equal(h.wire('EXISTS', 'k', 'k', 'nope', 'k'), ':3');
  });

  test('TYPE names string, hash, list, or none', () => {
    const h = new KvdHost();
    h.call('SET', 's', 'v');
    h.call('HSET', 'h', 'f', 'v');
    h.call('RPUSH', 'l', 'x');
    assert.deepEqual(['s', 'h', 'l', 'x'].map((k) => h.wire('TYPE', k)), ['+string', '+hash', '+list', '+none']);
  });
});

describe('KEYS', () => {
  test('returns the live keys matching the pattern', () => {
    const h = new KvdHost();
    h.call('MSET', 'user:1', 'a', 'user:2', 'b', 'order:1', 'c');
    h.call('SET', 'user:3', 'x', 'PX', '1');
    h.advance(2);
    assert.deepEqual((h.wire('KEYS', 'user:*') as string[]).sort(), ['$user:1', '$user:2']);
    assert.deepEqual((h.wire('KEYS', '*:1') as string[]).sort(), ['$order:1', '$user:1']);
    assert.deepEqual(h.wire('KEYS', 'nothing*'), []);
  });
});

describe('RENAME RENAMENX', () => {
  test('RENAME moves the value and its TTL, replacing the destination', () => {
    const h = new KvdHost();
    h.call('SET', 'a', '1', 'EX', '60');
    h.call('SET', 'b', '2');
    assert.equal(h.wire('RENAME', 'a', 'b'), '+OK');
    assert.equal(h.wire('GET', 'b'), '$1');
    assert.equal(h.wire('TTL', 'b'), ':60');
    assert.equal(h.wire('EXISTS', 'a'), ':0');
  });

  test('RENAME of a missing or expired key is an error; of a key to itself, a no-op', () => {
    const h = new KvdHost();
    assert.equal(h.wire('RENAME', 'x', 'y'), '-ERR no such key');
    h.call('SET', 'gone', 'v', 'PX', '1');
    h.advance(2);
    assert.equal(h.wire('RENAMENX', 'gone', 'y'), '-ERR no such key');
    h.call('SET', 'k', 'v');
    assert.equal(h.wire('RENAME', 'k', 'k'), '+OK');
    assert.equal(h.wire('RENAMENX', 'k', 'k'), ':0');
  });

  test('RENAMENX only renames to a free name', () => {
    const h = new KvdHost();
    h.call('MSET', 'a', '1', 'b', '2');
    assert.equal(h.wire('RENAMENX', 'a', 'b'), ':0');
    assert.equal(h.wire('RENAMENX', 'a', 'c'), ':1');
    assert.deepEqual(h.wire('MGET', 'a', 'b', 'c'), [null, '$2', '$1']);
  });
});

describe('DBSIZE and RANDOMKEY', () => {
  test('DBSIZE counts the keys of the selected database', () => {
    const h = new KvdHost();
    h.call('MSET', 'a', '1', 'b', '2');
    h.call('SELECT', '3');
    h.call('SET', 'c', '3');
    assert.equal(h.wire('DBSIZE'), ':1');
    h.call('SELECT', '0');
    assert.equal(h.wire('DBSIZE'), ':2');
  });

  test('RANDOMKEY is null on an empty database and uniform over the keys', () => {
    const h = new KvdHost({ seed: 7, checkReads: false });
    assert.equal(h.wire('RANDOMKEY'), null);
    const keys = ['a', 'b', 'c', 'd', 'e'];
    for (const k of keys) h.call('SET', k, 'v');
    const counts = new Map<string, number>();
    const draws = 5000;
    for (let i = 0; i < draws; i++) {
      const key = wireBulk(h.wire('RANDOMKEY'));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), keys);
    for (const [key, n] of counts) assert.ok(Math.abs(n - draws / keys.length) < 150, `${key} drawn ${n} times`);
  });

  test('RANDOMKEY never returns an expired key, even when nearly all are', () => {
    const h = new KvdHost({ seed: 3, checkReads: false });
    for (let i = 0; i < 500; i++) h.call('SET', `t${i}`, 'v', 'PX', '10');
    h.call('SET', 'live', 'v');
    h.advance(11);
    for (let i = 0; i < 50; i++) assert.equal(h.wire('RANDOMKEY'), '$live');
    h.call('DEL', 'live');
    h.advance(1);
    assert.equal(h.wire('RANDOMKEY'), null);
  });
});
