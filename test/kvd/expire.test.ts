/**
 * Expiry on replicated time: the EXPIRE family and its conditions, TTL queries, lazy
 * expiry on reads (no mutation) and writes, and bounded, deterministic active expiry.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KvdHost, START_MS } from './harness.js';

describe('EXPIRE PEXPIRE EXPIREAT PEXPIREAT', () => {
  test('relative and absolute forms set the same kind of deadline', () => {
    const h = new KvdHost();
    h.call('MSET', 'a', '1', 'b', '1', 'c', '1', 'd', '1');
    assert.equal(h.wire('EXPIRE', 'a', '10'), ':1');
    assert.equal(h.wire('PEXPIRE', 'b', '10000'), ':1');
    assert.equal(h.wire('EXPIREAT', 'c', String(START_MS / 1000 + 10)), ':1');
    assert.equal(h.wire('PEXPIREAT', 'd', String(START_MS + 10_000)), ':1');
    for (const k of ['a', 'b', 'c', 'd']) assert.equal(h.wire('PEXPIRETIME', k), `:${START_MS + 10_000}`);
    assert.equal(h.wire('EXPIRE', 'missing', '10'), ':0');
    h.advance(10_001);
    assert.equal(h.wire('EXISTS', 'a', 'b', 'c', 'd'), ':0');
  });

  test('a deadline not in the future deletes the key at once', () => {
    const h = new KvdHost();
    h.call('MSET', 'a', '1', 'b', '1', 'c', '1');
    assert.equal(h.wire('EXPIRE', 'a', '0'), ':1');
    assert.equal(h.wire('PEXPIRE', 'b', '-5'), ':1');
    assert.equal(h.wire('PEXPIREAT', 'c', String(START_MS)), ':1');
    assert.equal(h.wire('DBSIZE'), ':0');
  });

  test('NX XX GT LT decide by the current TTL (none counts as infinite)', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v');
    assert.equal(h.wire('EXPIRE', 'k', '100', 'XX'), ':0');
    assert.equal(h.wire('EXPIRE', 'k', '100', 'GT'), ':0');
    assert.equal(h.wire('EXPIRE', 'k', '100', 'LT'), ':1');
    assert.equal(h.wire('EXPIRE', 'k', '50', 'NX'), ':0');
    assert.equal(h.wire('EXPIRE', 'k', '50', 'GT'), ':0');
    assert.equal(h.wire('EXPIRE', 'k', '200', 'GT'), ':1');
    assert.equal(h.wire('EXPIRE', 'k', '300', 'LT'), ':0');
    assert.equal(h.wire('EXPIRE', 'k', '150', 'XX', 'LT'), ':1');
    assert.equal(h.wire('TTL', 'k'), ':150');
    assert.equal(h.wire('EXPIRE', 'k', '1', 'NX', 'GT'), '-ERR NX and XX, GT or LT options at the same time are not compatible');
    assert.equal(h.wire('EXPIRE', 'k', '1', 'GT', 'LT'), '-ERR GT and LT options at the same time are not compatible');
    assert.equal(h.wire('EXPIRE', 'k', '1', 'SOON'), '-ERR Unsupported option SOON');
  });

  test('times that overflow int64 milliseconds are invalid', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v');
    assert.equal(h.wire('EXPIRE', 'k', '9223372036854776'), "-ERR invalid expire time in 'expire' command");
    assert.equal(h.wire('PEXPIRE', 'k', '9223372036854775807'), "-ERR invalid expire time in 'pexpire' command");
    assert.equal(h.wire('PEXPIREAT', 'k', '9223372036854775807'), ':1');
  });
});

describe('TTL PTTL EXPIRETIME PEXPIRETIME PERSIST', () => {
  test('-2 for a missing key, -1 without a TTL, seconds rounded to nearest', () => {
    const h = new KvdHost();
    assert.deepEqual(['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME'].map((c) => h.wire(c, 'k')), [':-2', ':-2', ':-2', ':-2']);
    h.call('SET', 'k', 'v');
    assert.deepEqual(['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME'].map((c) => h.wire(c, 'k')), [':-1', ':-1', ':-1', ':-1']);
    h.call('PEXPIRE', 'k', '2600');
    assert.equal(h.wire('TTL', 'k'), ':3');
    h.advance(200);
    assert.equal(h.wire('TTL', 'k'), ':2');
    assert.equal(h.wire('PTTL', 'k'), ':2400');
    assert.equal(h.wire('EXPIRETIME', 'k'), `:${Math.round((START_MS + 2600) / 1000)}`);
    h.advance(2400);
    assert.equal(h.wire('PTTL', 'k'), ':0', 'at its deadline the key still exists');
  });

  test('PERSIST removes the TTL once', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v', 'EX', '5');
    assert.equal(h.wire('PERSIST', 'k'), ':1');
    assert.equal(h.wire('PERSIST', 'k'), ':0');
    assert.equal(h.wire('PERSIST', 'missing'), ':0');
    h.advance(10_000);
    assert.equal(h.wire('GET', 'k'), '$v');
  });
});

describe('lazy and active expiry', () => {
  test('reads hide an expired key without deleting it; the next write reclaims it', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v', 'PX', '10');
    h.advance(11);
    assert.equal(h.wire('GET', 'k'), null);
    assert.equal(h.wire('DBSIZE'), ':1', 'like Redis, DBSIZE counts keys not yet reclaimed');
    h.call('SET', 'other', 'v');
    assert.equal(h.wire('DBSIZE'), ':1');
    assert.deepEqual(h.wire('KEYS', '*'), ['$other']);
  });

  test('a tick reclaims a bounded number of keys, earliest first, across databases', () => {
    const h = new KvdHost({ checkReads: false });
    for (let i = 0; i < 6000; i++) h.call('SET', `k${i}`, 'v', 'PX', String(1000 + (i % 100)));
    h.call('SELECT', '1');
    for (let i = 0; i < 100; i++) h.call('SET', `d1:${i}`, 'v', 'PX', '500');
    h.call('SELECT', '0');
    h.advance(60_000);
    h.tick();
    const db0 = 6000 - Number(String(h.wire('DBSIZE')).slice(1));
    assert.ok(db0 > 0 && db0 <= 2000, `one tick reclaimed ${db0} keys in db 0`);
    for (let i = 0; i < 10; i++) {
      h.advance(100);
      h.tick();
    }
    assert.equal(h.wire('DBSIZE'), ':0');
    h.call('SELECT', '1');
    assert.equal(h.wire('DBSIZE'), ':0');
  });

  test('expiry is deterministic: replicas with the same log end in the same state', () => {
    const run = (seed: number) => {
      const h = new KvdHost({ seed });
      for (let i = 0; i < 3000; i++) {
        h.call('SET', `k${i % 700}`, String(i), 'PX', String(1 + ((i * 7919) % 500)));
        if (i % 50 === 0) h.advance(37);
      }
      return h.fingerprint();
    };
    assert.equal(run(1), run(99));
  });
});
