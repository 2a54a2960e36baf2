/**
 * The fault suite, bounded for CI: each workload runs ~30 s against a real 3-node
 * cluster under mixed faults (kill -9, SIGSTOP, partitions when root, membership
 * changes, snapshots, clock jumps), and every checker must pass. Longer runs:
 * `npx tsx test/faults/run.ts --workload W --time 600 --nemesis all` (RESULTS.md).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { netnsUnavailable } from './net/fault-net.js';
import { boundedRun } from './runner/bounded.js';
import type { RunResult } from './runner/run.js';
import type { NemesisKind } from './history.js';

const LOAD_S = Number(process.env.FAULTS_CI_SECONDS ?? 30);

function assertPassed(result: RunResult, kinds: readonly NemesisKind[]): void {
  const { summary } = result;
  const verdicts = summary.checkers.map((c) => `${c.checker}: ${c.summary}`).join('\n');
  assert.equal(summary.valid, true, `checkers:\n${verdicts}\nsee ${result.dir}`);
  assert.ok(summary.ops.ok > 200, `only ${summary.ops.ok} acknowledged ops`);
  const seen = new Set(summary.nemesis.byKind.map((k) => k.nemesis));
  assert.ok(seen.size >= 2, `faults injected: ${[...seen].join(', ')} of ${kinds.join(', ')}`);
  if (summary.workload === 'counter' || summary.workload === 'set') {
    assert.ok(result.history.ops.some((op) => op.final && op.outcome === 'ok'), 'the final reads were acknowledged');
  }
}

const netProblem = netnsUnavailable();
if (netProblem) console.log(`# SKIPPED partition nemesis in the fault suite: ${netProblem}`);

describe('fault suite (bounded)', { concurrency: 1 }, () => {
  const all: NemesisKind[] = ['kill', 'pause', 'partition', 'membership', 'snapshot', 'clock'];

  test('register: every history is linearizable', async () => {
    assertPassed(await boundedRun('register', 101, LOAD_S, { nemeses: all }), all);
  });

  test('counter: no acknowledged increment lost or invented', async () => {
    assertPassed(await boundedRun('counter', 102, LOAD_S, { nemeses: all }), all);
  });

  test('set (append): no acknowledged token lost, duplicated or reordered', async () => {
    const result = await boundedRun('set', 103, LOAD_S, { nemeses: all });
    assertPassed(result, all);
    assert.ok(existsSync(result.dir) === false, 'a passing run cleans up its output');
  });

  test('semaphore: capacity, fences, one resolution per waiter, deadlines, leases on real time', async () => {
    assertPassed(await boundedRun('semaphore', 104, LOAD_S, { nemeses: all }), all);
  });
});
