import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { rngFromSeed } from '../../lib/util/rng.js';
import { checkLinearizable } from './checker/linearizable.js';
import type { OpRecord } from './history.js';
import { bruteForceLinearizable } from './fixtures/brute-force.js';
import { generateRegisterHistory, injectStaleRead, type RegisterGenOptions } from './fixtures/register-gen.js';

/** Random small single-key histories with random results: about half are linearizable. */
function randomTinyHistory(seed: number): OpRecord[] {
  const rng = rngFromSeed(seed);
  const values = ['a', 'b', 'c'];
  const ops: OpRecord[] = [];
  const count = rng.range(2, 6);
  for (let id = 0; id < count; id++) {
    const invokeMs = rng.int(20);
    const completeMs = invokeMs + rng.int(10);
    const f = ['get', 'set', 'del'][rng.int(3)] as string;
    const outcome = rng.chance(0.2) ? 'unknown' : rng.chance(0.05) ? 'fail' : 'ok';
    const op: OpRecord = { kind: 'op', id, process: id, f, key: 'x', invokeMs, completeMs, outcome };
    if (f === 'set') op.arg = values[rng.int(3)] as string;
    if (outcome === 'ok' && f === 'get') op.result = rng.chance(0.25) ? null : (values[rng.int(3)] as string);
    if (outcome === 'ok' && f === 'del') op.result = rng.int(2);
    ops.push(op);
  }
  return ops;
}

describe('linearizability checker on generated histories', () => {
  test('agrees with a brute-force search on 3000 random tiny histories', () => {
    let linearizable = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const ops = randomTinyHistory(seed);
      const expected = bruteForceLinearizable(ops);
      const actual = checkLinearizable(ops).valid;
      assert.equal(actual, expected, `seed ${seed}: ${JSON.stringify(ops)}`);
      if (expected) linearizable++;
    }
    // Both verdicts must be well represented, or the comparison proves little.
    assert.ok(linearizable > 600 && linearizable < 2400, `${linearizable} of 3000 linearizable`);
  });

  test('histories from a sequential model with random overlap are linearizable; a stale value injected fails', () => {
    let mutated = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rng = rngFromSeed(seed);
      const ops = generateRegisterHistory(rng, { ops: 150, keys: 2, processes: 6, unknownRate: 0.08 });
      const clean = checkLinearizable(ops);
      assert.equal(clean.valid, true, `seed ${seed}: ${clean.summary}`);
      const stale = injectStaleRead(ops, rng);
      if (!stale) continue;
      mutated++;
      const broken = checkLinearizable(stale.ops);
      assert.equal(broken.valid, false, `seed ${seed}: stale read #${stale.getId} not caught`);
      assert.ok(broken.anomalies.length >= 1);
    }
    assert.ok(mutated >= 50, `only ${mutated} histories could be mutated`);
  });

  test('a read of a value never written is caught in a large generated history', () => {
    const rng = rngFromSeed(7);
    const ops = generateRegisterHistory(rng, { ops: 2000, keys: 4, processes: 10, unknownRate: 0.05 });
    const victim = ops.filter((o) => o.f === 'get' && o.outcome === 'ok')[500] as OpRecord;
    victim.result = 'never-written';
    const result = checkLinearizable(ops);
    assert.equal(result.valid, false);
    assert.equal(result.anomalies.length, 1);
    assert.equal(result.anomalies[0]?.key, victim.key);
    assert.ok(result.anomalies[0]?.opIds.includes(victim.id), 'the witness names the bad read');
  });

  /** Times one generated history. The bounds only catch a pathological regression: speed
   *  itself is reported (t.diagnostic), since a shared CI machine varies a lot. */
  function timeCheck(t: TestContext, seed: number, opts: RegisterGenOptions, boundMs: number): void {
    const ops = generateRegisterHistory(rngFromSeed(seed), opts);
    const started = performance.now();
    const result = checkLinearizable(ops);
    const elapsed = performance.now() - started;
    const shape = `${opts.ops} ops / ${opts.keys} keys / ${opts.processes} processes / ${opts.unknownRate * 100}% unknown`;
    t.diagnostic(`${shape}: ${elapsed.toFixed(0)} ms, ${result.stats.searchSteps} steps, ${result.stats.memoEntries} memo entries`);
    assert.equal(result.valid, true, result.summary);
    assert.ok(elapsed < boundMs, `took ${elapsed.toFixed(0)} ms`);
  }

  test('performance: 10,000 ops over 10 keys with concurrency 10 check in a few seconds', (t) => {
    timeCheck(t, 2024, { ops: 10_000, keys: 10, processes: 10, unknownRate: 0.02 }, 5000);
  });

  test('performance: 2,000 ops on ONE key with concurrency 10', (t) => {
    timeCheck(t, 99, { ops: 2000, keys: 1, processes: 10, unknownRate: 0.05 }, 20_000);
  });
});
