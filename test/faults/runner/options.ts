/**
 * The runner's options, parsed from the command line:
 *   npx tsx test/faults/run.ts --workload register --time 60 --nemesis all [--seed N]
 *     [--nodes 3] [--workers 8] [--stale-reads] [--nosync] [--kill-all-chance 0.1]
 *     [--fault-ms 2000-6000] [--quiet-ms 1000-3000] [--out DIR] [--keep]
 */
import type { NemesisKind } from '../history.js';
import { NEMESES } from './nemesis.js';

export const WORKLOADS = ['register', 'counter', 'set', 'semaphore'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface RunOptions {
  workload: WorkloadName;
  /** Seconds of client load under faults (set-up and final reads come on top). */
  timeS: number;
  nemeses: NemesisKind[];
  seed: number;
  nodes: number;
  /** Most nodes the membership nemesis grows the cluster to. */
  maxNodes: number;
  workers: number;
  /** Weakened server builds, to show the checkers catch what they allow. */
  staleReads: boolean;
  nosync: boolean;
  killAllChance: number;
  faultMs: [number, number];
  quietMs: [number, number];
  /** Output directory; default test/faults/out/<run id>. */
  out: string | undefined;
  /** Keep the servers' data directories. */
  keep: boolean;
  /** Keep them when a checker fails or the cluster does not recover (for a post-mortem). */
  keepFailed: boolean;
  /** Linearizability search budget, ms. */
  checkTimeMs: number;
}

export const DEFAULT_OPTIONS: RunOptions = {
  workload: 'register',
  timeS: 60,
  nemeses: [...NEMESES],
  seed: 0,
  nodes: 3,
  maxNodes: 5,
  workers: 8,
  staleReads: false,
  nosync: false,
  killAllChance: 0.1,
  faultMs: [2000, 6000],
  quietMs: [1000, 3000],
  out: undefined,
  keep: false,
  keepFailed: true,
  checkTimeMs: 120_000,
};

function range(text: string, flag: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(text);
  if (!m || Number(m[1]) > Number(m[2])) throw new Error(`${flag} takes MIN-MAX in ms, not ${text}`);
  return [Number(m[1]), Number(m[2])];
}

function nemesesOf(text: string): NemesisKind[] {
  if (text === 'all') return [...NEMESES];
  if (text === 'none') return [];
  const kinds = text.split(',').map((k) => k.trim());
  for (const k of kinds) {
    if (!(NEMESES as readonly string[]).includes(k)) throw new Error(`--nemesis: unknown ${k} (one of all, none, ${NEMESES.join(', ')})`);
  }
  return kinds as NemesisKind[];
}

export function parseRunArgs(argv: readonly string[]): RunOptions {
  const o: RunOptions = { ...DEFAULT_OPTIONS, seed: Math.floor(Math.random() * 2 ** 31) };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = (): number => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${flag} needs a non-negative number`);
      return v;
    };
    switch (flag) {
      case '--workload': {
        const w = value();
        if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`--workload: one of ${WORKLOADS.join(', ')}`);
        o.workload = w as WorkloadName;
        break;
      }
      case '--time': o.timeS = num(); break;
      case '--nemesis': o.nemeses = nemesesOf(value()); break;
      case '--seed': o.seed = num(); break;
      case '--nodes': o.nodes = num(); break;
      case '--max-nodes': o.maxNodes = num(); break;
      case '--workers': o.workers = num(); break;
      case '--stale-reads': o.staleReads = true; break;
      case '--nosync': o.nosync = true; break;
      case '--kill-all-chance': o.killAllChance = num(); break;
      case '--fault-ms': o.faultMs = range(value(), flag); break;
      case '--quiet-ms': o.quietMs = range(value(), flag); break;
      case '--out': o.out = value(); break;
      case '--keep': o.keep = true; break;
      case '--check-time-ms': o.checkTimeMs = num(); break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  if (o.nodes < 1 || o.maxNodes < o.nodes) throw new Error('--nodes must be >= 1 and <= --max-nodes');
  return o;
}

/** The command line that repeats a run (same seed, same options). */
export function commandLine(o: RunOptions): string {
  const parts = ['npx tsx test/faults/run.ts', `--workload ${o.workload}`, `--time ${o.timeS}`, `--nemesis ${o.nemeses.length === 0 ? 'none' : o.nemeses.length === NEMESES.length ? 'all' : o.nemeses.join(',')}`, `--seed ${o.seed}`];
  if (o.nodes !== DEFAULT_OPTIONS.nodes) parts.push(`--nodes ${o.nodes}`);
  if (o.workers !== DEFAULT_OPTIONS.workers) parts.push(`--workers ${o.workers}`);
  if (o.staleReads) parts.push('--stale-reads');
  if (o.nosync) parts.push('--nosync');
  if (o.killAllChance !== DEFAULT_OPTIONS.killAllChance) parts.push(`--kill-all-chance ${o.killAllChance}`);
  if (o.faultMs.join() !== DEFAULT_OPTIONS.faultMs.join()) parts.push(`--fault-ms ${o.faultMs.join('-')}`);
  if (o.quietMs.join() !== DEFAULT_OPTIONS.quietMs.join()) parts.push(`--quiet-ms ${o.quietMs.join('-')}`);
  return parts.join(' ');
}
