#!/usr/bin/env node
/**
 * The deterministic Raft simulator (test/sim).
 *
 *   sim --seed N [--steps M] [--trace]        replay one seed bit for bit
 *   sim --seeds K [--start S] [--steps M] [--workers W]
 *                                             run K seeds from S and print a summary
 *
 * Exits 1 if any seed found a violation; each failure prints its seed and step.
 */
import { availableParallelism } from 'node:os';
import { runSimulation, type SimResult } from '../test/sim/simulator.js';
import { runSeeds } from '../test/sim/run-seeds.js';

const USAGE = 'usage: sim --seed N [--steps M] [--trace] | sim --seeds K [--start S] [--steps M] [--workers W]';

function parseArgs(argv: readonly string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}\n${USAGE}`);
    const name = a.slice(2);
    const next = argv[i + 1];
    if (name === 'trace' || name === 'help') args.set(name, 'true');
    else if (next === undefined || next.startsWith('--')) throw new Error(`--${name} needs a value\n${USAGE}`);
    else {
      args.set(name, next);
      i++;
    }
  }
  return args;
}

function intArg(args: Map<string, string>, name: string, fallback: number): number {
  const raw = args.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${raw}`);
  return n;
}

function describe(r: SimResult): string {
  const s = r.stats;
  return `seed ${r.seed}: ${r.ok ? 'ok' : 'VIOLATION'} after ${s.steps} steps; ${s.leadersElected} leaders, ${s.committed} committed, ${s.clients.writesAcked} writes acked, ${s.clients.readsChecked} reads checked, ${s.crashes} crashes, ${s.confChanges} conf changes, ${s.transfers} transfers, ${s.snapshotsInstalled} snapshots installed, ${s.network.sent} messages (${s.network.dropped} dropped)`;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.has('help') || (!args.has('seed') && !args.has('seeds'))) {
    console.log(USAGE);
    return args.has('help') ? 0 : 2;
  }
  const steps = intArg(args, 'steps', 2000);
  if (args.has('seed')) {
    const seed = intArg(args, 'seed', 0);
    const trace = args.has('trace') ? (line: string) => console.log(line) : undefined;
    const r = runSimulation({ seed, steps, trace });
    console.log(describe(r));
    if (r.violation !== null) console.log(`seed ${seed} step ${r.violation.step}: ${r.violation.message}`);
    return r.ok ? 0 : 1;
  }
  const count = intArg(args, 'seeds', 0);
  const start = intArg(args, 'start', 1);
  const workers = intArg(args, 'workers', availableParallelism());
  let done = 0;
  const summary = await runSeeds({
    start,
    count,
    steps,
    workers,
    onResult: (r) => {
      done++;
      if (!r.ok && r.violation !== null) console.log(`seed ${r.seed} step ${r.violation.step}: ${r.violation.message}`);
      if (done % 1000 === 0) console.error(`${done}/${count} seeds`);
    },
  });
  const totalSteps = summary.results.reduce((n, r) => n + r.stats.steps, 0);
  console.log(
    `${count} seeds (${start}..${start + count - 1}) x ${steps} steps on ${Math.min(workers, count)} workers: ` +
      `${summary.failures.length} violations, ${summary.seconds.toFixed(1)} s (${Math.round(totalSteps / summary.seconds)} steps/s)`,
  );
  for (const f of summary.failures) console.log(`  replay: npx tsx bin/sim.ts --seed ${f.seed} --steps ${steps} --trace`);
  return summary.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  },
);
