/**
 * One redis-benchmark run with the cost around it: CPU seconds of each server process
 * (from /proc deltas) and of the load generator, and the deltas of a kvd node's
 * counters (fsyncs, proposed entries and commands, ReadIndex rounds).
 */
import { redisBenchmark, row, type BenchRow } from './redis-bench.js';
import { sampleCpu, cpuDelta } from './proc-stats.js';
import { info } from './resp.js';

export const COUNTERS = ['fsyncs', 'fsync_ms_total', 'proposed_entries', 'proposed_commands', 'read_index_rounds', 'forwarded_commands'] as const;
export type Counter = (typeof COUNTERS)[number];

export interface Measured {
  readonly command: string;
  readonly row: BenchRow;
  readonly requests: number;
  readonly wallSeconds: number;
  /** CPU microseconds per request, per watched pid. */
  readonly cpuUsPerRequest: Map<number, number>;
  readonly cpuCoreShare: Map<number, number>;
  readonly generatorUsPerRequest: number;
  /** Counter deltas of the node given as `countersPort`. */
  readonly counters: Map<Counter, number> | null;
}

export interface MeasureSpec {
  readonly port: number;
  readonly args: readonly string[];
  /** The redis-benchmark test name to read (SET, GET, PING_INLINE, "ECHO hello"). */
  readonly test: string;
  readonly requests: number;
  readonly watchPids: readonly number[];
  readonly countersPort?: number;
  readonly timeoutMs: number;
}

async function counters(port: number): Promise<Map<Counter, number>> {
  const fields = new Map([...(await info(port, 'persistence')), ...(await info(port, 'stats'))]);
  // INFO has the count and the running average; their product differences give the average over a run.
  fields.set('fsync_ms_total', String(Number(fields.get('fsyncs')) * Number(fields.get('fsync_avg_ms'))));
  return new Map(COUNTERS.map((c) => [c, Number(fields.get(c) ?? NaN)]));
}

/** Average fsync time of the node over the run, from the counter deltas. */
export function fsyncAvgMs(counters: Map<Counter, number> | null): number {
  return (counters?.get('fsync_ms_total') ?? NaN) / (counters?.get('fsyncs') ?? NaN);
}

export async function measure(spec: MeasureSpec): Promise<Measured> {
  const before = spec.countersPort !== undefined ? await counters(spec.countersPort) : null;
  const cpuBefore = sampleCpu(spec.watchPids);
  const run = await redisBenchmark(spec.port, spec.args, spec.timeoutMs);
  const cpuAfter = sampleCpu(spec.watchPids);
  const after = spec.countersPort !== undefined ? await counters(spec.countersPort) : null;
  const perRequest = new Map<number, number>();
  const share = new Map<number, number>();
  for (const pid of spec.watchPids) {
    const d = cpuDelta(cpuBefore, cpuAfter, pid);
    perRequest.set(pid, (d.seconds * 1e6) / spec.requests);
    share.set(pid, d.coreShare);
  }
  const deltas = before !== null && after !== null ? new Map(COUNTERS.map((c) => [c, after.get(c)! - before.get(c)!])) : null;
  return {
    command: run.command,
    row: row(run, spec.test),
    requests: spec.requests,
    wallSeconds: run.wallSeconds,
    cpuUsPerRequest: perRequest,
    cpuCoreShare: share,
    generatorUsPerRequest: (run.generatorCpuSeconds * 1e6) / spec.requests,
    counters: deltas,
  };
}

/** Of several rounds of the same measurement, the one with the median throughput. */
export function medianRun(runs: readonly Measured[]): Measured {
  const sorted = [...runs].sort((a, b) => a.row.rps - b.row.rps);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  if (mid === undefined) throw new Error('no runs');
  return mid;
}

/**
 * kvd / redis per round (each round ran the two back to back), the median of those
 * ratios, and the ratios themselves: on a shared machine pairing by round cancels most
 * of the drift that comparing two independent medians would keep.
 */
export function pairedRatio(kvd: readonly Measured[], redis: readonly Measured[]): { median: number; perRound: number[] } {
  const perRound = kvd.map((k, i) => k.row.rps / (redis[i]?.row.rps ?? NaN));
  const sorted = perRound.filter(Number.isFinite).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length === 0 ? NaN : sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, perRound };
}

export function ratioCell(ratio: { median: number; perRound: number[] }): string {
  const fmt = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
  return ratio.perRound.length > 1 ? `${fmt(ratio.median)} (${ratio.perRound.map(fmt).join(', ')})` : fmt(ratio.median);
}
