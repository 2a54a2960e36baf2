/**
 * SCAN: options, errors, and Redis's guarantee that a key present for the whole iteration
 * is returned, whatever inserts, deletes and expiries happen between the calls.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rngFromSeed } from '../../lib/util/rng.js';
import { KvdHost } from './harness.js';
import type { Wire } from './wire.js';

function page(reply: Wire): { cursor: string; keys: string[] } {
  assert.ok(Array.isArray(reply), `SCAN reply ${JSON.stringify(reply)}`);
  const [cursor, keys] = reply;
  assert.ok(typeof cursor === 'string' && Array.isArray(keys));
  return { cursor: cursor.slice(1), keys: keys.map((k) => String(k).slice(1)) };
}

function scanAll(h: KvdHost, ...options: string[]): string[] {
  const seen: string[] = [];
  let cursor = '0';
  do {
    const p = page(h.wire('SCAN', cursor, ...options));
    seen.push(...p.keys);
    cursor = p.cursor;
  } while (cursor !== '0');
  return seen;
}

describe('SCAN', () => {
  test('a full iteration returns every key, COUNT at a time', () => {
    const h = new KvdHost();
    for (let i = 0; i < 95; i++) h.call('SET', `k${i}`, 'v');
    let cursor = '0';
    let calls = 0;
    const seen = new Set<string>();
    do {
      const p = page(h.wire('SCAN', cursor, 'COUNT', '10'));
      assert.ok(p.keys.length <= 10);
      p.keys.forEach((k) => seen.add(k));
      cursor = p.cursor;
      calls++;
    } while (cursor !== '0');
    assert.equal(seen.size, 95);
    assert.equal(calls, 10);
  });

  test('MATCH and TYPE filter; expired keys are skipped', () => {
    const h = new KvdHost();
    h.call('MSET', 'user:1', 'a', 'user:2', 'b', 'item:1', 'c');
    h.call('HSET', 'user:h', 'f', 'v');
    h.call('SET', 'user:gone', 'x', 'PX', '1');
    h.advance(2);
    assert.deepEqual(scanAll(h, 'MATCH', 'user:*').sort(), ['user:1', 'user:2', 'user:h']);
    assert.deepEqual(scanAll(h, 'TYPE', 'hash'), ['user:h']);
    assert.deepEqual(scanAll(h, 'TYPE', 'STRING', 'MATCH', '*:1').sort(), ['item:1', 'user:1']);
    assert.deepEqual(scanAll(h, 'TYPE', 'zset'), []);
  });

  test('bad cursors and options are errors; an out-of-range cursor is not', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v');
    assert.equal(h.wire('SCAN', 'x'), '-ERR invalid cursor');
    assert.equal(h.wire('SCAN', '18446744073709551616'), '-ERR invalid cursor');
    assert.equal(h.wire('SCAN', '0', 'COUNT', '0'), '-ERR syntax error');
    assert.equal(h.wire('SCAN', '0', 'COUNT', 'x'), '-ERR value is not an integer or out of range');
    assert.equal(h.wire('SCAN', '0', 'MATCH'), '-ERR syntax error');
    assert.deepEqual(page(h.wire('SCAN', '999999')).cursor, '0');
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    test(`keys present throughout are returned despite inserts, deletes and expiries (seed ${seed})`, () => {
      const rng = rngFromSeed(seed);
      const h = new KvdHost({ seed, checkReads: false });
      const stable = new Set<string>();
      let churn = 0;
      for (let i = 0; i < 300; i++) {
        if (rng.chance(0.5)) {
          stable.add(`s${i}`);
          h.call('SET', `s${i}`, 'v');
        } else {
          h.call('SET', `c${churn++}`, 'v');
        }
      }
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const p = page(h.wire('SCAN', cursor, 'COUNT', String(1 + rng.int(15))));
        p.keys.forEach((k) => seen.add(k));
        cursor = p.cursor;
        for (let j = rng.int(12); j > 0; j--) {
          const victim = `c${rng.int(churn)}`;
          const action = rng.int(4);
          if (action === 0) h.call('DEL', victim);
          else if (action === 1) h.call('SET', `c${churn++}`, 'v');
          else if (action === 2) h.call('PEXPIRE', victim, '1');
          else h.call('RENAME', victim, `c${churn++}`);
        }
        h.advance(2);
      } while (cursor !== '0');
      const missing = [...stable].filter((k) => !seen.has(k));
      assert.deepEqual(missing, []);
    });
  }

  test('replicas that applied the same writes page identically (cursors work across nodes)', () => {
    const a = new KvdHost({ seed: 1 });
    const b = new KvdHost({ seed: 2 });
    for (const h of [a, b]) {
      for (let i = 0; i < 40; i++) h.call('SET', `k${i}`, 'v', ...(i % 3 === 0 ? ['PX', String(i)] : []));
      h.advance(20);
      h.call('DEL', 'k5', 'k17');
    }
    assert.deepEqual(a.wire('SCAN', '0', 'COUNT', '7'), b.wire('SCAN', '0', 'COUNT', '7'));
    assert.deepEqual(a.wire('SCAN', '20', 'COUNT', '7'), b.wire('SCAN', '20', 'COUNT', '7'));
    assert.equal(a.fingerprint(), b.fingerprint());
  });
});
