/**
 * The 16 databases: SELECT (served by the framework; the host mimics it), SWAPDB, MOVE,
 * COPY, FLUSHDB, FLUSHALL.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kvdApp } from '../../examples/kvd/app.js';
import { KvdHost } from './harness.js';

describe('databases', () => {
  test('kvd declares 16 databases and INFO keyspace counts per database', () => {
    assert.equal(kvdApp.databases, 16);
    const h = new KvdHost();
    h.call('MSET', 'a', '1', 'b', '2');
    h.call('SELECT', '15');
    h.call('SET', 'c', '3');
    h.call('EXPIRE', 'c', '100');
    assert.deepEqual(kvdApp.definition.keyspace?.(h.data), [
      [0, 2, 0],
      [15, 1, 1],
    ]);
  });

  test('databases are separate keyspaces', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'zero');
    h.call('SELECT', '1');
    assert.equal(h.wire('GET', 'k'), null);
    h.call('SET', 'k', 'one');
    h.call('SELECT', '0');
    assert.equal(h.wire('GET', 'k'), '$zero');
  });

  test('SWAPDB exchanges two databases, TTLs included', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'zero', 'EX', '100');
    h.call('SELECT', '1');
    h.call('SET', 'j', 'one');
    assert.equal(h.wire('SWAPDB', '0', '1'), '+OK');
    assert.equal(h.wire('GET', 'k'), '$zero');
    assert.equal(h.wire('TTL', 'k'), ':100');
    assert.equal(h.wire('SWAPDB', '0', '16'), '-ERR DB index is out of range');
    assert.equal(h.wire('SWAPDB', 'x', '1'), '-ERR invalid first DB index');
    assert.equal(h.wire('SWAPDB', '1', 'y'), '-ERR invalid second DB index');
  });

  test('MOVE moves a key with its TTL unless the target has it', () => {
    const h = new KvdHost();
    h.call('SET', 'k', 'v', 'EX', '100');
    assert.equal(h.wire('MOVE', 'k', '2'), ':1');
    assert.equal(h.wire('EXISTS', 'k'), ':0');
    h.call('SET', 'k', 'again');
    assert.equal(h.wire('MOVE', 'k', '2'), ':0');
    assert.equal(h.wire('MOVE', 'missing', '2'), ':0');
    assert.equal(h.wire('MOVE', 'k', '0'), '-ERR source and destination objects are the same');
    assert.equal(h.wire('MOVE', 'k', '16'), '-ERR DB index is out of range');
    assert.equal(h.wire('MOVE', 'k', '99999999999'), '-ERR value is out of range, value must between -2147483648 and 2147483647');
    h.call('SELECT', '2');
    assert.equal(h.wire('GET', 'k'), '$v');
    assert.equal(h.wire('TTL', 'k'), ':100');
  });

  test('COPY copies value and TTL, deeply, within or across databases', () => {
    const h = new KvdHost();
    h.call('RPUSH', 'l', 'a');
    h.call('EXPIRE', 'l', '100');
    assert.equal(h.wire('COPY', 'l', 'm'), ':1');
    h.call('RPUSH', 'm', 'b');
    assert.deepEqual(h.wire('LRANGE', 'l', '0', '-1'), ['$a']);
    assert.equal(h.wire('TTL', 'm'), ':100');
    assert.equal(h.wire('COPY', 'l', 'm'), ':0');
    assert.equal(h.wire('COPY', 'l', 'm', 'REPLACE'), ':1');
    assert.equal(h.wire('COPY', 'l', 'l'), '-ERR source and destination objects are the same');
    assert.equal(h.wire('COPY', 'l', 'l', 'DB', '3'), ':1');
    assert.equal(h.wire('COPY', 'l', 'x', 'DB', '16'), '-ERR DB index is out of range');
    assert.equal(h.wire('COPY', 'l', 'x', 'NOW'), '-ERR syntax error');
    h.call('SELECT', '3');
    assert.deepEqual(h.wire('LRANGE', 'l', '0', '-1'), ['$a']);
  });

  test('FLUSHDB empties one database, FLUSHALL all; ASYNC and SYNC are accepted', () => {
    const h = new KvdHost();
    h.call('SET', 'a', '1');
    h.call('SELECT', '1');
    h.call('SET', 'b', '1');
    assert.equal(h.wire('FLUSHDB', 'ASYNC'), '+OK');
    assert.equal(h.wire('DBSIZE'), ':0');
    h.call('SELECT', '0');
    assert.equal(h.wire('DBSIZE'), ':1');
    assert.equal(h.wire('FLUSHALL', 'LATER'), '-ERR syntax error');
    assert.equal(h.wire('FLUSHALL', 'SYNC'), '+OK');
    assert.equal(h.wire('DBSIZE'), ':0');
  });
});
