/**
 * String commands on the in-process host with a controlled clock: Redis's documented
 * behaviour, including expiry as time passes (which the differential test cannot control).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KvdHost, START_MS } from './harness.js';
import { encodeReply } from '../../lib/resp/writer.js';

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

describe('GET and SET', () => {
  test('SET stores, GET reads, a missing key is a null bulk', () => {
    const h = new KvdHost();
    assert.equal(h.wire('GET', 'k'), null);
    assert.equal(h.wire('SET', 'k', 'v'), '+OK');
    assert.equal(h.wire('GET', 'k'), '$v');
  });

  test('values and keys are binary safe', () => {
    const h = new KvdHost();
    const key = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x80]);
    const value = Buffer.from([0xc3, 0x28, 0, 1, 0xfe]);
    h.call('SET', key, value);
    // Compared as the bytes a client receives, whatever value type carries them.
    assert.deepEqual(encodeReply(h.call('GET', key), 2), Buffer.concat([Buffer.from('$5\r\n'), value, Buffer.from('\r\n')]));
    assert.equal(h.wire('STRLEN', key), ':5');
  });

  test('a stored value does not alias the request buffer', () => {
    const h = new KvdHost();
    const request = Buffer.from('value');
    h.call('SET', 'k', request);
    request.fill(0x78);
    assert.equal(h.wire('GET', 'k'), '$value');
  });

  test('NX sets only a missing key, XX only an existing one; both together are a syntax error', () => {
    const h = new KvdHost();
    assert.equal(h.wire('SET', 'k', '1', 'XX'), null);
    assert.equal(h.wire('SET', 'k', '1', 'NX'), '+OK');
    assert.equal(h.wire('SET', 'k', '2', 'NX'), null);
    assert.equal(h.wire('SET', 'k', '3', 'XX'), '+OK');
    assert.equal(h.wire('GET', 'k'), '$3');
    assert.equal(h.wire('SET', 'k', '4', 'NX', 'XX'), '-ERR syntax error');
  });

  test('GET returns the old value (null when missing) and refuses a non-string', () => {
    const h = new KvdHost();
    assert.equal(h.wire('SET', 'k', 'a', 'GET'), null);
    assert.equal(h.wire('SET', 'k', 'b', 'GET'), '$a');
    assert.equal(h.wire('SET', 'k', 'c', 'NX', 'GET'), '$b');
    assert.equal(h.wire('GET', 'k'), '$b');
    h.call('RPUSH', 'l', 'x');
    assert.equal(h.wire('SET', 'l', 'v', 'GET'), WRONGTYPE);
    assert.equal(h.wire('TYPE', 'l'), '+list');
    assert.equal(h.wire('SET', 'l', 'v'), '+OK', 'plain SET replaces any type');
  });

  test('EX, PX, EXAT and PXAT expire the key on replicated time', () => {
    const h = new KvdHost();
    h.call('SET', 'ex', 'v', 'EX', '10');
    h.call('SET', 'px', 'v', 'PX', '1500');
    h.call('SET', 'exat', 'v', 'EXAT', String(START_MS / 1000 + 20));
    h.call('SET', 'pxat', 'v', 'PXAT', String(START_MS + 2500));
    assert.equal(h.wire('PTTL', 'px'), ':1500');
    h.advance(1500);
    assert.equal(h.wire('GET', 'px'), '$v', 'still there exactly at its expiry time');
    h.advance(1);
    assert.equal(h.wire('GET', 'px'), null);
    h.advance(1000);
    assert.equal(h.wire('GET', 'pxat'), null);
    assert.equal(h.wire('TTL', 'ex'), ':7');
    h.advance(7_500);
    assert.equal(h.wire('GET', 'ex'), null);
    assert.equal(h.wire('TTL', 'exat'), ':10');
    h.advance(10_000);
    assert.equal(h.wire('EXISTS', 'exat'), ':0');
  });

  test('SET clears a TTL unless KEEPTTL; KEEPTTL conflicts with an expiry', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v', 'EX', '100');
    h.call('SET', 'k', 'w', 'KEEPTTL');
    assert.equal(h.wire('TTL', 'k'), ':100');
    h.call('SET', 'k', 'x');
    assert.equal(h.wire('TTL', 'k'), ':-1');
    assert.equal(h.wire('SET', 'k', 'v', 'KEEPTTL', 'PX', '5'), '-ERR syntax error');
    assert.equal(h.wire('SET', 'k', 'v', 'EX', '5', 'PX', '5'), '-ERR syntax error');
    assert.equal(h.wire('SET', 'k', 'v', 'EX', '5', 'EX', '7'), '+OK', 'the same option twice: the last wins');
    assert.equal(h.wire('TTL', 'k'), ':7');
  });

  test('invalid expiry times name the command', () => {
    const h = new KvdHost();
    assert.equal(h.wire('SET', 'k', 'v', 'EX', '0'), "-ERR invalid expire time in 'set' command");
    assert.equal(h.wire('SET', 'k', 'v', 'PX', '-5'), "-ERR invalid expire time in 'set' command");
    assert.equal(h.wire('SET', 'k', 'v', 'EX', '9223372036854775'), "-ERR invalid expire time in 'set' command");
    assert.equal(h.wire('SETEX', 'k', '0', 'v'), "-ERR invalid expire time in 'setex' command");
    assert.equal(h.wire('PSETEX', 'k', '0', 'v'), "-ERR invalid expire time in 'psetex' command");
    assert.equal(h.wire('GETEX', 'k', 'EX', '0'), null, 'GETEX of a missing key does not look at the time');
    h.call('SET', 'k', 'v');
    assert.equal(h.wire('GETEX', 'k', 'EX', '0'), "-ERR invalid expire time in 'getex' command");
    assert.equal(h.wire('SET', 'k', 'v', 'EX', 'soon'), '-ERR value is not an integer or out of range');
  });

  test('a PXAT of 2^63-1 ms is kept and reported exactly', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v', 'PXAT', '9223372036854775807');
    assert.equal(h.wire('PEXPIRETIME', 'k'), ':9223372036854775807');
    assert.equal(h.wire('GET', 'k'), '$v');
  });
});

describe('SETNX SETEX PSETEX GETSET GETDEL GETEX', () => {
  test('SETNX replies 1 when it set the key, 0 otherwise', () => {
    const h = new KvdHost();
    assert.equal(h.wire('SETNX', 'k', 'a'), ':1');
    assert.equal(h.wire('SETNX', 'k', 'b'), ':0');
    assert.equal(h.wire('GET', 'k'), '$a');
  });

  test('SETEX and PSETEX set a value with a TTL', () => {
    const h = new KvdHost();
    assert.equal(h.wire('SETEX', 'a', '5', 'v'), '+OK');
    assert.equal(h.wire('PSETEX', 'b', '5000', 'v'), '+OK');
    h.advance(5001);
    assert.deepEqual(h.wire('MGET', 'a', 'b'), [null, null]);
  });

  test('GETSET returns the old value and drops the TTL', () => {
    const h = new KvdHost();
    assert.equal(h.wire('GETSET', 'k', 'a'), null);
    h.call('EXPIRE', 'k', '100');
    assert.equal(h.wire('GETSET', 'k', 'b'), '$a');
    assert.equal(h.wire('TTL', 'k'), ':-1');
    h.call('HSET', 'h', 'f', 'v');
    assert.equal(h.wire('GETSET', 'h', 'x'), WRONGTYPE);
  });

  test('GETDEL returns the value and deletes the key', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v');
    assert.equal(h.wire('GETDEL', 'k'), '$v');
    assert.equal(h.wire('GETDEL', 'k'), null);
    h.call('LPUSH', 'l', 'x');
    assert.equal(h.wire('GETDEL', 'l'), WRONGTYPE);
  });

  test('GETEX sets, changes or removes the TTL, and deletes on a past EXAT/PXAT', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v');
    assert.equal(h.wire('GETEX', 'k', 'PX', '3000'), '$v');
    assert.equal(h.wire('PTTL', 'k'), ':3000');
    assert.equal(h.wire('GETEX', 'k'), '$v');
    assert.equal(h.wire('PTTL', 'k'), ':3000', 'no option leaves the TTL alone');
    assert.equal(h.wire('GETEX', 'k', 'PERSIST'), '$v');
    assert.equal(h.wire('TTL', 'k'), ':-1');
    assert.equal(h.wire('GETEX', 'k', 'PXAT', String(START_MS)), '$v');
    assert.equal(h.wire('EXISTS', 'k'), ':0');
    assert.equal(h.wire('GETEX', 'k', 'EX', '10', 'PERSIST'), '-ERR syntax error', 'options are checked before the key');
    assert.equal(h.wire('GETEX', 'k', 'KEEPTTL'), '-ERR syntax error');
  });
});

describe('MGET MSET MSETNX', () => {
  test('MGET returns null for missing keys and keys of other types', () => {
    const h = new KvdHost();
    h.call('MSET', 'a', '1', 'b', '2');
    h.call('HSET', 'h', 'f', 'v');
    assert.deepEqual(h.wire('MGET', 'a', 'x', 'h', 'b'), ['$1', null, null, '$2']);
  });

  test('MSET needs pairs and clears TTLs', () => {
    const h = new KvdHost();
    assert.equal(h.wire('MSET', 'a', '1', 'b'), "-ERR wrong number of arguments for 'mset' command");
    h.call('SET', 'a', '0', 'EX', '100');
    h.call('MSET', 'a', '1');
    assert.equal(h.wire('TTL', 'a'), ':-1');
  });

  test('MSETNX sets all keys or none', () => {
    const h = new KvdHost();
    assert.equal(h.wire('MSETNX', 'a', '1', 'b', '2'), ':1');
    assert.equal(h.wire('MSETNX', 'c', '3', 'b', '9'), ':0');
    assert.deepEqual(h.wire('MGET', 'a', 'b', 'c'), ['$1', '$2', null]);
    h.call('SET', 'gone', 'v', 'PX', '10');
    h.advance(11);
    assert.equal(h.wire('MSETNX', 'gone', 'new'), ':1', 'an expired key counts as missing');
  });
});

describe('APPEND STRLEN GETRANGE SETRANGE', () => {
  test('APPEND creates or extends and keeps the TTL', () => {
    const h = new KvdHost();
    assert.equal(h.wire('APPEND', 'k', 'Hello'), ':5');
    h.call('EXPIRE', 'k', '50');
    assert.equal(h.wire('APPEND', 'k', ' World'), ':11');
    assert.equal(h.wire('GET', 'k'), '$Hello World');
    assert.equal(h.wire('TTL', 'k'), ':50');
    assert.equal(h.wire('STRLEN', 'k'), ':11');
    assert.equal(h.wire('STRLEN', 'missing'), ':0');
  });

  test('GETRANGE takes inclusive offsets, negative from the end', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'This is a string');
    assert.equal(h.wire('GETRANGE', 'k', '0', '3'), '$This');
    assert.equal(h.wire('GETRANGE', 'k', '-3', '-1'), '$ing');
    assert.equal(h.wire('GETRANGE', 'k', '0', '-1'), '$This is a string');
    assert.equal(h.wire('GETRANGE', 'k', '10', '100'), '$string');
    assert.equal(h.wire('GETRANGE', 'k', '5', '3'), '$');
    assert.equal(h.wire('GETRANGE', 'missing', '0', '-1'), '$');
  });

  test('SETRANGE overwrites, pads with zero bytes and checks the offset', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'Hello World');
    assert.equal(h.wire('SETRANGE', 'k', '6', 'Redis'), ':11');
    assert.equal(h.wire('GET', 'k'), '$Hello Redis');
    assert.equal(h.wire('SETRANGE', 'new', '3', 'ab'), ':5');
    assert.equal(h.wire('GET', 'new'), '$\u0000\u0000\u0000ab');
    assert.equal(h.wire('SETRANGE', 'none', '10', ''), ':0');
    assert.equal(h.wire('EXISTS', 'none'), ':0');
    assert.equal(h.wire('SETRANGE', 'k', '-1', 'x'), '-ERR offset is out of range');
    assert.equal(h.wire('SETRANGE', 'k', '536870912', 'x'), '-ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  });
});
