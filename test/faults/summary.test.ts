import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rngFromSeed } from '../../lib/util/rng.js';
import { checkLinearizable } from './checker/linearizable.js';
import { summarizeRun, summaryToMarkdown } from './summary.js';
import { syntheticRun } from './fixtures/synthetic-run.js';
import type { OpRecord } from './history.js';

describe('run summary', () => {
  test('counts ops by type and outcome, lists faults and each checker verdict', () => {
    const history = syntheticRun(rngFromSeed(3), 30, 4);
    // Synthetic results do not come from a real register: check only the writes (always
    // linearizable) so the run has a known PASS verdict.
    const result = checkLinearizable(history.ops.filter((op) => op.f === 'set'));
    const summary = summarizeRun(history, [result]);
    assert.equal(summary.ops.total, history.ops.length);
    assert.equal(summary.ops.ok + summary.ops.fail + summary.ops.unknown, history.ops.length);
    assert.deepEqual(summary.ops.byType.map((t) => t.f), ['del', 'get', 'set']);
    const get = summary.ops.byType.find((t) => t.f === 'get');
    assert.ok(get && get.p50Ms !== null && get.p99Ms !== null && get.p50Ms <= get.p99Ms);
    assert.equal(summary.nemesis.total, 6);
    assert.equal(summary.nemesis.byKind.find((k) => k.nemesis === 'partition')?.totalMs, 5000);
    assert.equal(summary.valid, true);
    assert.equal(summary.durationMs >= 29_000, true);
    const md = summaryToMarkdown(summary);
    assert.match(md, /^# Fault run: register: PASS/);
    assert.match(md, /Command: `npm run faults -- --workload register/);
    assert.match(md, /\| get \| \d+ \| \d+ \| \d+ \| \d+ \|/);
    assert.match(md, /\| partition \| 1 \| 5.0 s \|/);
    assert.match(md, /\| 15.0 s \| 20.0 s \| partition \| isolate leader n3 \|/);
    assert.match(md, /\| linearizable-register \| PASS \|/);
    assert.deepEqual(JSON.parse(JSON.stringify(summary)), summary, 'the summary is plain JSON');
  });

  test('a failing checker shows FAIL with its anomalies and witness', () => {
    const ops: OpRecord[] = [
      { kind: 'op', id: 0, process: 1, f: 'set', key: 'x', arg: 'a', invokeMs: 0, completeMs: 1, outcome: 'ok' },
      { kind: 'op', id: 1, process: 2, f: 'get', key: 'x', invokeMs: 2, completeMs: 3, outcome: 'ok', result: 'b|c' },
    ];
    const summary = summarizeRun({ ops, nemesis: [] }, [checkLinearizable(ops)]);
    assert.equal(summary.valid, false);
    const md = summaryToMarkdown(summary);
    assert.match(md, /^# Fault run: unknown: FAIL/);
    assert.match(md, /none injected/);
    assert.match(md, /### linearizable-register: 1 anomalies/);
    assert.match(md, /\*\*not-linearizable\*\* on `x`/);
    assert.match(md, /```\n  no write of "b\|c" happened/);
    assert.match(md, /\| linearizable-register \| FAIL \| NOT linearizable on 1 of 1 keys \(x\) \|/);
  });
});
