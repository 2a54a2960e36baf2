/**
 * The small hash and list command sets, which make TYPE and WRONGTYPE real.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NULL_ARRAY } from '../../lib/resp/types.js';
import { KvdHost } from './harness.js';

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

describe('hashes', () => {
  test('HSET counts new fields; HGET HGETALL HLEN HEXISTS read them', () => {
    const h = new KvdHost();
    assert.equal(h.wire('HSET', 'h', 'a', '1', 'b', '2'), ':2');
    assert.equal(h.wire('HSET', 'h', 'a', '9', 'c', '3'), ':1');
    assert.equal(h.wire('HGET', 'h', 'a'), '$9');
    assert.equal(h.wire('HGET', 'h', 'z'), null);
    assert.deepEqual(h.wire('HGETALL', 'h'), ['$a', '$9', '$b', '$2', '$c', '$3']);
    assert.ok(h.call('HGETALL', 'h') instanceof Map, 'a map, so RESP3 clients get one');
    assert.equal(h.wire('HLEN', 'h'), ':3');
    assert.deepEqual([h.wire('HEXISTS', 'h', 'b'), h.wire('HEXISTS', 'h', 'z')], [':1', ':0']);
    assert.equal(h.wire('HSET', 'h', 'a'), "-ERR wrong number of arguments for 'hset' command");
  });

  test('HDEL removes fields and the key with the last one', () => {
    const h = new KvdHost();
    h.call('HSET', 'h', 'a', '1', 'b', '2');
    assert.equal(h.wire('HDEL', 'h', 'a', 'a', 'z'), ':1');
    assert.equal(h.wire('HDEL', 'h', 'b'), ':1');
    assert.equal(h.wire('TYPE', 'h'), '+none');
  });

  test('HINCRBY adds to an integer field, refusing non-integers and overflow', () => {
    const h = new KvdHost();
    assert.equal(h.wire('HINCRBY', 'h', 'n', '5'), ':5');
    assert.equal(h.wire('HINCRBY', 'h', 'n', '-7'), ':-2');
    h.call('HSET', 'h', 's', 'x', 'max', '9223372036854775807');
    assert.equal(h.wire('HINCRBY', 'h', 's', '1'), '-ERR hash value is not an integer');
    assert.equal(h.wire('HINCRBY', 'h', 'max', '1'), '-ERR increment or decrement would overflow');
    assert.equal(h.wire('HINCRBY', 'h', 'n', 'x'), '-ERR value is not an integer or out of range');
  });

  test('hash commands refuse other types', () => {
    const h = new KvdHost();
    h.call('SET', 's', 'v');
    for (const cmd of [['HSET', 's', 'f', 'v'], ['HGET', 's', 'f'], ['HGETALL', 's'], ['HLEN', 's'], ['HDEL', 's', 'f'], ['HINCRBY', 's', 'f', '1']]) {
      assert.equal(h.wire(...cmd), WRONGTYPE, cmd.join(' '));
    }
  });
});

describe('lists', () => {
  test('LPUSH prepends one by one, RPUSH appends; LRANGE and LLEN read', () => {
    const h = new KvdHost();
    assert.equal(h.wire('LPUSH', 'l', 'a', 'b'), ':2');
    assert.equal(h.wire('RPUSH', 'l', 'c'), ':3');
    assert.deepEqual(h.wire('LRANGE', 'l', '0', '-1'), ['$b', '$a', '$c']);
    assert.deepEqual(h.wire('LRANGE', 'l', '-2', '5'), ['$a', '$c']);
    assert.deepEqual(h.wire('LRANGE', 'l', '2', '1'), []);
    assert.equal(h.wire('LLEN', 'l'), ':3');
  });

  test('LPOP/RPOP: one element, or a count; null / null array when missing; empty lists vanish', () => {
    const h = new KvdHost();
    h.call('RPUSH', 'l', 'a', 'b', 'c', 'd');
    assert.equal(h.wire('LPOP', 'l'), '$a');
    assert.deepEqual(h.wire('RPOP', 'l', '2'), ['$d', '$c']);
    assert.deepEqual(h.wire('LPOP', 'l', '0'), []);
    assert.deepEqual(h.wire('LPOP', 'l', '9'), ['$b']);
    assert.equal(h.wire('EXISTS', 'l'), ':0');
    assert.equal(h.wire('LPOP', 'l'), null);
    assert.equal(h.call('LPOP', 'l', '1'), NULL_ARRAY);
    assert.equal(h.wire('LPOP', 'l', '-1'), '-ERR value is out of range, must be positive');
    assert.equal(h.wire('LPOP', 'l', '1', '2'), "-ERR wrong number of arguments for 'lpop' command");
  });

  test('list commands refuse other types', () => {
    const h = new KvdHost();
    h.call('HSET', 'h', 'f', 'v');
    for (const cmd of [['LPUSH', 'h', 'x'], ['RPOP', 'h'], ['LRANGE', 'h', '0', '1'], ['LLEN', 'h']]) {
      assert.equal(h.wire(...cmd), WRONGTYPE, cmd.join(' '));
    }
  });
});
