import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSemaphoredApp, semaphoredApp } from '../../examples/semaphored/app.js';
import { globMatch } from '../../lib/util/glob.js';
import { SemHost, grantOf, plain } from './harness.js';

const app = createSemaphoredApp();

describe('command table', () => {
  test('every command has a complete spec', () => {
    const names = [...semaphoredApp.commands.keys()].sort();
    assert.deepEqual(names, [
      'sem.acquire', 'sem.cancel', 'sem.check', 'sem.create', 'sem.delete', 'sem.holders', 'sem.info',
      'sem.release', 'sem.renew', 'sem.revoke', 'sem.scan', 'sem.signal', 'sem.time', 'sem.wait', 'sem.waiters',
    ]);
    for (const def of semaphoredApp.commands.values()) {
      const spec = def.spec;
      assert.ok(spec.summary && spec.since && spec.group && spec.complexity, `${def.name} documents itself`);
      assert.ok(spec.flags?.includes(def.kind === 'write' ? 'write' : 'readonly'), `${def.name} flags match its kind`);
      assert.ok(spec.arguments !== undefined, `${def.name} lists its arguments`);
      const required = 1 + (spec.arguments ?? []).filter((a) => a.optional !== true).length;
      assert.equal(Math.abs(spec.arity), required, `${def.name} arity counts its required arguments`);
      const keyed = spec.arguments?.[0]?.type === 'key';
      assert.deepEqual([spec.firstKey, spec.lastKey, spec.step], keyed ? [1, 1, 1] : [0, 0, 0], `${def.name} key positions`);
      assert.equal(spec.blocking === true, spec.flags?.includes('blocking') === true, `${def.name} blocking flag`);
    }
  });

  test('unknown commands and wrong arity answer as Redis does', () => {
    const h = new SemHost(app);
    assert.deepEqual(plain(h.send('SEM.NOPE', 'x')), { error: "ERR unknown command 'SEM.NOPE', with args beginning with: 'x' " });
    assert.deepEqual(plain(h.send('sem.acquire')), { error: "ERR wrong number of arguments for 'sem.acquire' command" });
    assert.deepEqual(plain(h.send('SEM.CANCEL', 'k')), { error: "ERR wrong number of arguments for 'sem.cancel' command" });
    assert.deepEqual(plain(h.send('SEM.TIME', 'x')), { error: "ERR wrong number of arguments for 'sem.time' command" });
  });
});

describe('argument errors', () => {
  test('acquire options', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 2);
    const cases: [unknown[], string][] = [
      [['PERMITS', 0], 'ERR PERMITS must be an integer from 1 to 1000000000'],
      [['PERMITS', 3], "ERR PERMITS 3 exceeds the capacity 2 of 's'"],
      [['TIMEOUT', -1], 'ERR TIMEOUT must be an integer from 0 to 604800000'],
      [['TIMEOUT', '1.5'], 'ERR value is not an integer or out of range'],
      [['LEASE', 0], 'ERR LEASE must be an integer from 1 to 604800000'],
      [['NOWAIT', 'TIMEOUT', 5], 'ERR syntax error'],
      [['TIMEOUT', 5, 'TIMEOUT', 6], 'ERR syntax error'],
      [['ID'], 'ERR syntax error'],
    ];
    for (const [args, error] of cases) {
      assert.deepEqual(plain(h.send('SEM.ACQUIRE', 's', ...(args as string[]))), { error }, JSON.stringify(args));
    }
  });

  test('fences must be integers; nothing is released if one is not', () => {
    const h = new SemHost(app);
    h.send('SEM.CREATE', 's', 1);
    const g = grantOf(h.send('SEM.ACQUIRE', 's'));
    const notInteger = { error: 'ERR value is not an integer or out of range' };
    assert.deepEqual(plain(h.send('SEM.RELEASE', 's', g.fence, 'x')), notInteger);
    assert.equal(h.send('SEM.CHECK', 's', g.fence), 1);
    for (const cmd of ['SEM.RENEW', 'SEM.CHECK', 'SEM.REVOKE']) assert.deepEqual(plain(h.send(cmd, 's', '01')), notInteger, cmd);
    assert.deepEqual(plain(h.send('SEM.RENEW', 's', g.fence, 'LEASE')), { error: 'ERR syntax error' });
    assert.equal(h.send('SEM.RELEASE', 's', g.fence, g.fence, 12345), 1, 'a fence counts once');
  });

  test('commands on a missing semaphore', () => {
    const h = new SemHost(app);
    assert.deepEqual(plain(h.send('SEM.ACQUIRE', 'none')), { error: "NOSEM no such semaphore 'none' (create it with SEM.CREATE)" });
    assert.equal(h.send('SEM.RELEASE', 'none', 1), 0);
    assert.equal(h.send('SEM.RENEW', 'none', 1), -2);
    assert.equal(h.send('SEM.CHECK', 'none', 1), 0);
    assert.equal(h.send('SEM.REVOKE', 'none', 1), 0);
    assert.equal(h.send('SEM.INFO', 'none'), null);
    assert.deepEqual(plain(h.send('SEM.HOLDERS', 'none')), []);
    assert.deepEqual(plain(h.send('SEM.WAITERS', 'none')), []);
  });
});

describe('inspection', () => {
  test('SEM.HOLDERS lists grants oldest first with remaining lease; SEM.TIME is replicated time', () => {
    const h = new SemHost(app, 1_000_000);
    h.send('SEM.CREATE', 's', 5);
    const a = grantOf(h.send('SEM.ACQUIRE', 's', 'PERMITS', 2, 'LEASE', 1000, 'ID', 'job-1'));
    h.advance(250);
    const b = grantOf(h.send('SEM.ACQUIRE', 's', 'LEASE', 500));
    assert.deepEqual(plain(h.send('SEM.HOLDERS', 's')), [
      { fence: a.fence, id: 'job-1', permits: 2, 'lease-ms': 750, 'held-ms': 250 },
      { fence: b.fence, id: `#${h.data.lastSeq}`, permits: 1, 'lease-ms': 500, 'held-ms': 0 },
    ]);
    assert.equal(h.send('SEM.TIME'), 1_000_250);
  });

  test('SEM.SCAN walks all keys with MATCH and COUNT, and a key present throughout is returned even with deletes in between', () => {
    const h = new SemHost(app);
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    for (const k of keys) h.send('SEM.CREATE', k, 1);
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, batch] = plain(h.send('SEM.SCAN', cursor, 'COUNT', 7)) as [string, string[]];
      for (const k of batch) seen.add(k);
      cursor = next;
      // Delete and add keys between calls (never the ones we check for).
      h.send('SEM.DELETE', `k${round * 2}`);
      h.send('SEM.CREATE', `new${round}`, 1);
      round++;
    } while (cursor !== '0');
    const deletedDuring = new Set(Array.from({ length: round }, (_, i) => `k${i * 2}`));
    for (const k of keys) if (!deletedDuring.has(k)) assert.ok(seen.has(k), `${k} was returned`);
    const [, matched] = plain(h.send('SEM.SCAN', 0, 'MATCH', 'k1?', 'COUNT', 1000)) as [string, string[]];
    assert.deepEqual(matched.sort(), ['k11', 'k13', 'k15', 'k17', 'k19'].filter((k) => !deletedDuring.has(k)).concat(
      ['k10', 'k12', 'k14', 'k16', 'k18'].filter((k) => !deletedDuring.has(k)),
    ).sort());
    assert.deepEqual(plain(h.send('SEM.SCAN', 'x')), { error: 'ERR invalid cursor' });
    assert.deepEqual(plain(h.send('SEM.SCAN', 0, 'COUNT', 0)), { error: 'ERR syntax error' });
  });

  test('glob patterns follow Redis', () => {
    const cases: [string, string, boolean][] = [
      ['*', '', true], ['a*', 'abc', true], ['a?c', 'abc', true], ['a?c', 'ac', false],
      ['[abc]x', 'bx', true], ['[^abc]x', 'bx', false], ['[a-c]x', 'cx', true], ['[c-a]x', 'bx', true],
      ['a\\*', 'a*', true], ['a\\*', 'ab', false], ['*a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', false],
      ['h[\\]]', 'h]', true], ['[ab', 'a', true], ['lock:*:db', 'lock:eu:db', true],
    ];
    for (const [pattern, subject, expected] of cases) assert.equal(globMatch(pattern, subject), expected, `${pattern} ~ ${subject}`);
  });
});
