/**
 * INCR DECR INCRBY DECRBY INCRBYFLOAT, and the 80-bit long double emulation behind
 * INCRBYFLOAT (expected strings are what redis-server 7 on x86-64 prints).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { add, formatHuman, parseLongDouble } from '../../examples/kvd/longdouble.js';
import { KvdHost } from './harness.js';

const NOT_INTEGER = '-ERR value is not an integer or out of range';

describe('integer counters', () => {
  test('INCR/DECR start from 0 and INCRBY/DECRBY take int64 steps', () => {
    const h = new KvdHost();
    assert.equal(h.wire('INCR', 'n'), ':1');
    assert.equal(h.wire('INCRBY', 'n', '41'), ':42');
    assert.equal(h.wire('DECRBY', 'n', '50'), ':-8');
    assert.equal(h.wire('DECR', 'n'), ':-9');
    assert.equal(h.wire('GET', 'n'), '$-9', 'stored as its decimal string');
  });

  test('a value or increment that is not a strict int64 is refused', () => {
    const h = new KvdHost();
    for (const bad of ['1.0', ' 1', '1 ', '+1', '01', '-0', '', 'abc', '9223372036854775808']) {
      h.call('SET', 's', bad);
      assert.equal(h.wire('INCR', 's'), NOT_INTEGER, `value ${JSON.stringify(bad)}`);
      assert.equal(h.wire('INCRBY', 'n', bad), NOT_INTEGER, `increment ${JSON.stringify(bad)}`);
    }
  });

  test('overflow is refused and leaves the value unchanged', () => {
    const h = new KvdHost();
    h.call('SET', 'max', '9223372036854775807');
    assert.equal(h.wire('INCR', 'max'), '-ERR increment or decrement would overflow');
    h.call('SET', 'min', '-9223372036854775808');
    assert.equal(h.wire('DECR', 'min'), '-ERR increment or decrement would overflow');
    assert.equal(h.wire('DECRBY', 'x', '-9223372036854775808'), '-ERR decrement would overflow');
    assert.equal(h.wire('GET', 'max'), '$9223372036854775807');
  });

  test('counters keep the TTL and refuse other types', () => {
    const h = new KvdHost();
    h.call('SET', 'n', '1', 'EX', '100');
    h.call('INCR', 'n');
    assert.equal(h.wire('TTL', 'n'), ':100');
    h.call('HSET', 'h', 'f', '1');
    assert.equal(h.wire('INCR', 'h'), '-WRONGTYPE Operation against a key holding the wrong kind of value');
  });
});

describe('INCRBYFLOAT', () => {
  test('adds in long double precision and prints like Redis', () => {
    const h = new KvdHost();
    assert.equal(h.wire('INCRBYFLOAT', 'f', '10.50'), '$10.5');
    assert.equal(h.wire('INCRBYFLOAT', 'f', '0.1'), '$10.6');
    assert.equal(h.wire('INCRBYFLOAT', 'g', '0.1'), '$0.1');
    assert.equal(h.wire('INCRBYFLOAT', 'g', '0.2'), '$0.3');
    assert.equal(h.wire('INCRBYFLOAT', 'e', '5.0e3'), '$5000');
    assert.equal(h.wire('INCRBYFLOAT', 'e', '-5000'), '$0');
  });

  test('invalid numbers, NaN and infinity are refused', () => {
    const h = new KvdHost();
    for (const bad of ['abc', '', ' 1', '1 ', 'nan', '1e5000', '1e-5000', '0x', '1\u0000']) {
      assert.equal(h.wire('INCRBYFLOAT', 'f', bad), '-ERR value is not a valid float', JSON.stringify(bad));
    }
    assert.equal(h.wire('INCRBYFLOAT', 'f', 'inf'), '-ERR increment would produce NaN or Infinity');
    h.call('SET', 's', 'hello');
    assert.equal(h.wire('INCRBYFLOAT', 's', '1'), '-ERR value is not a valid float');
    assert.equal(h.wire('EXISTS', 'f'), ':0');
  });
});

describe('long double emulation', () => {
  const sum = (a: string, b: string) => {
    const x = parseLongDouble(a);
    const y = parseLongDouble(b);
    assert.ok(x !== null && y !== null);
    return formatHuman(add(x, y));
  };

  test('results that doubles would print differently', () => {
    assert.equal(sum('0.1', '0.2'), '0.3');
    assert.equal(sum('1e308', '1e308').slice(0, 20), '19999999999999999999');
    assert.equal(sum('1.5', '-1.5'), '0');
    assert.equal(sum('-0.000000000000000001', '0'), '0', '"-0" after rounding prints as 0');
    assert.equal(sum('3', '0.000000000000000005'), '3', '17 decimals, rounded');
  });

  test('hex floats, signs and exponents parse as strtold does', () => {
    assert.equal(sum('0x10', '0'), '16');
    assert.equal(sum('0x1.8p1', '0'), '3');
    assert.equal(sum('-.25e-1', '0'), '-0.025');
    assert.equal(sum('+5.', '0'), '5');
    assert.equal(parseLongDouble('1e'), null);
    assert.equal(parseLongDouble('.'), null);
    assert.equal(parseLongDouble('0x1p'), null);
  });

  test('the extended range: finite beyond double, out of range beyond long double', () => {
    assert.notEqual(parseLongDouble('1e4932'), null);
    assert.equal(parseLongDouble('1e4933'), null);
    assert.notEqual(parseLongDouble('1e-4950'), null, 'subnormal, still nonzero');
    assert.equal(parseLongDouble('1e-4960'), null, 'underflows to zero');
    assert.notEqual(parseLongDouble('0e-9999'), null, 'a literal zero is fine');
  });
});
