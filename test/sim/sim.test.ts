/**
 * CI run of the deterministic simulator: a fixed range of seeds, each 2,000 steps with
 * faults (then a healed phase that must make progress), on two worker threads; odd seeds
 * drive their cores with asyncPersistence, even seeds in the default mode. A failure
 * names the seed and step; `npx tsx bin/sim.ts --seed N --trace` replays it exactly.
 * Many more seeds run on demand: `npx tsx bin/sim.ts --seeds 20000`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSeeds } from './run-seeds.js';
import { runSimulation } from './simulator.js';

const SEEDS = 250;
const STEPS = 2000;

test(`simulator: ${SEEDS} seeds x ${STEPS} steps with faults, no violation`, { timeout: 175_000 }, async () => {
  const summary = await runSeeds({ start: 1, count: SEEDS, steps: STEPS, workers: 2 });
  const failures = summary.failures.map((r) => `seed ${r.seed} step ${r.violation?.step}: ${r.violation?.message} (replay: npx tsx bin/sim.ts --seed ${r.seed} --trace)`);
  assert.deepEqual(failures, []);
  // The runs must have done real work under real faults, in both driver modes, or
  // passing means little.
  for (const mode of ['sync', 'async'] as const) {
    const runs = summary.results.filter((r) => r.stats.persistence === mode);
    const n = runs.length;
    const total = runs.reduce(
      (t, r) => ({ acked: t.acked + r.stats.clients.writesAcked, reads: t.reads + r.stats.clients.readsChecked, crashes: t.crashes + r.stats.crashes, snaps: t.snaps + r.stats.snapshotsInstalled }),
      { acked: 0, reads: 0, crashes: 0, snaps: 0 },
    );
    assert.ok(n >= SEEDS / 2 - 1, `only ${n} ${mode} runs`);
    assert.ok(total.acked > n * 200, `${mode}: only ${total.acked} writes acknowledged`);
    assert.ok(total.reads > n * 100, `${mode}: only ${total.reads} reads checked`);
    assert.ok(total.crashes > n * 3, `${mode}: only ${total.crashes} crashes`);
    assert.ok(total.snaps > n, `${mode}: only ${total.snaps} snapshots installed from leaders`);
  }
});

test('a seed replays bit for bit', () => {
  const trace = (): { lines: string[]; result: unknown } => {
    const lines: string[] = [];
    const result = runSimulation({ seed: 4242, steps: 600, trace: (l) => lines.push(l) });
    return { lines, result };
  };
  const a = trace();
  const b = trace();
  assert.ok(a.lines.length > 10);
  assert.deepEqual(b, a);
});

test('the read checker catches stale reads (reads served locally, without ReadIndex)', () => {
  let caught = 0;
  for (let seed = 1; seed <= 5; seed++) {
    const r = runSimulation({ seed, steps: 500, workload: { staleLocalReads: true } });
    if (!r.ok && r.violation?.message.includes('stale read') === true) caught++;
  }
  assert.ok(caught >= 4, `stale reads caught in ${caught} of 5 runs`);
});

test('the checkers catch an async driver that sends acknowledgements before they are durable', () => {
  let caught = 0;
  for (let seed = 1; seed <= 5; seed++) {
    const r = runSimulation({ seed, steps: 500, persistence: 'async', sendBeforePersist: true });
    if (!r.ok && r.violation?.message.includes('commit durability') === true) caught++;
  }
  assert.ok(caught >= 4, `caught in ${caught} of 5 runs`);
});

test('the same seeds pass with the held messages released only once durable', () => {
  for (let seed = 1; seed <= 5; seed++) {
    const r = runSimulation({ seed, steps: 500, persistence: 'async' });
    assert.equal(r.violation, null, `seed ${seed}`);
  }
});
