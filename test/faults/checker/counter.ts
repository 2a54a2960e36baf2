/**
 * The INCR workload: clients add positive deltas to counters (INCR / INCRBY) and read
 * them (GET). Per key:
 * - the final read lies within [acknowledged increments, acknowledged + unknown]: below
 *   means an acknowledged increment was lost, above means one was invented;
 * - every read, and every INCR's reply, lies within the bounds at its own time: at least
 *   what was acknowledged before it began, at most what was attempted before it ended;
 * - values never go backwards: an observation that began after another ended is not
 *   smaller (reads and INCR replies alike);
 * - INCR replies never overlap: each increment owns (value - delta, value].
 *
 * Ops: f = incr (arg: delta, default 1; result: the new value) and f = read or get
 * (result: the value, null = 0). The read with `final: true` is the final read.
 */
import { opsByKey, type OpRecord } from '../history.js';
import { anomaly, anomalyCounts, combineValidity, limitPerType, type Anomaly, type CheckResult, type Validity } from './verdict.js';

export interface CounterOptions {
  /** Anomalies listed per rule and key (all are counted). Default 10. */
  maxListed?: number;
}

interface Incr {
  op: OpRecord;
  delta: number;
}

/** A value seen at a time: a read, or an INCR's reply (which includes its own delta). */
interface Observation {
  op: OpRecord;
  /** The value before the op's own increment (equal to `post` for a read). */
  pre: number;
  post: number;
}

function toNumber(json: unknown, what: string): number {
  if (json === null || json === undefined) return 0;
  const n = typeof json === 'number' ? json : Number(json);
  if (!Number.isFinite(n)) throw new Error(`counter checker: ${what} is not a number: ${JSON.stringify(json)}`);
  return n;
}

function deltaOf(op: OpRecord): number {
  const delta = op.arg === undefined ? 1 : toNumber(op.arg, `delta of op #${op.id}`);
  if (delta < 0) throw new Error(`counter checker: op #${op.id} has a negative delta; only growing counters are checked`);
  return delta;
}

/** Prefix sums over ops sorted by a time: "total delta of ops whose time is < t". */
class TimeSums {
  private readonly times: number[];
  private readonly sums: number[];

  constructor(items: readonly Incr[], time: (op: OpRecord) => number) {
    const sorted = [...items].sort((a, b) => time(a.op) - time(b.op));
    this.times = sorted.map((i) => time(i.op));
    this.sums = [0];
    for (const item of sorted) this.sums.push((this.sums.at(-1) as number) + item.delta);
  }

  /** Sum over items with time < t (strict), or <= t when `inclusive`. */
  before(t: number, inclusive = false): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const x = this.times[mid] as number;
      if (x < t || (inclusive && x === t)) lo = mid + 1;
      else hi = mid;
    }
    return this.sums[lo] as number;
  }
}

export function checkCounter(ops: readonly OpRecord[], options: CounterOptions = {}): CheckResult {
  const maxListed = options.maxListed ?? 10;
  const anomalies: Anomaly[] = [];
  const validity: Validity[] = [];
  const counts = { keys: 0, incrOk: 0, incrUnknown: 0, incrFailed: 0, reads: 0, anomalies: 0 };
  for (const [key, keyOps] of opsByKey(ops)) {
    counts.keys++;
    const found = checkKey(key, keyOps, counts);
    validity.push(found.valid);
    counts.anomalies += found.anomalies.length;
    anomalies.push(...limitPerType(found.anomalies, maxListed));
  }
  const valid = combineValidity(validity);
  const summary =
    valid === true
      ? `counter bounds hold on ${counts.keys} keys (${counts.incrOk} acknowledged, ${counts.incrUnknown} unknown increments, ${counts.reads} reads)`
      : valid === false
        ? `counter anomalies: ${anomalyCounts(anomalies)}`
        : 'undecided: no final read on some key (bounds of intermediate reads hold)';
  return { checker: 'counter', valid, summary, anomalies, stats: counts };
}

function checkKey(
  key: string,
  keyOps: readonly OpRecord[],
  counts: { incrOk: number; incrUnknown: number; incrFailed: number; reads: number },
): { valid: Validity; anomalies: Anomaly[] } {
  const incrs = keyOps.filter((op) => op.f === 'incr').map((op) => ({ op, delta: deltaOf(op) }));
  const acked = incrs.filter((i) => i.op.outcome === 'ok');
  const attempted = incrs.filter((i) => i.op.outcome !== 'fail');
  counts.incrOk += acked.length;
  counts.incrUnknown += attempted.length - acked.length;
  counts.incrFailed += incrs.length - attempted.length;
  const observations = observe(keyOps, incrs);
  counts.reads += observations.filter((o) => o.op.f !== 'incr').length;
  const anomalies = [
    ...checkFinal(key, keyOps, acked, attempted),
    ...checkBounds(key, observations, new TimeSums(acked, (op) => op.completeMs), new TimeSums(attempted, (op) => op.invokeMs)),
    ...checkMonotone(key, observations),
    ...checkIncrRepliesDisjoint(key, observations.filter((o) => o.op.f === 'incr')),
  ];
  const hasFinal = keyOps.some((op) => op.final && op.outcome === 'ok');
  return { valid: anomalies.length > 0 ? false : hasFinal ? true : 'unknown', anomalies };
}

function observe(keyOps: readonly OpRecord[], incrs: readonly Incr[]): Observation[] {
  const deltas = new Map(incrs.map((i) => [i.op.id, i.delta]));
  const observations: Observation[] = [];
  for (const op of keyOps) {
    if (op.outcome !== 'ok' || op.result === undefined) continue;
    if (op.f === 'read' || op.f === 'get') {
      const value = toNumber(op.result, `result of op #${op.id}`);
      observations.push({ op, pre: value, post: value });
    } else if (op.f === 'incr') {
      const value = toNumber(op.result, `result of op #${op.id}`);
      observations.push({ op, pre: value - (deltas.get(op.id) ?? 0), post: value });
    }
  }
  return observations;
}

function checkFinal(key: string, keyOps: readonly OpRecord[], acked: readonly Incr[], attempted: readonly Incr[]): Anomaly[] {
  const lower = acked.reduce((sum, i) => sum + i.delta, 0);
  const upper = attempted.reduce((sum, i) => sum + i.delta, 0);
  const finals = keyOps.filter((op) => op.final && op.outcome === 'ok');
  return finals.flatMap((op) => {
    const value = toNumber(op.result, `final read #${op.id}`);
    if (value < lower) {
      return [anomaly('lost-increment', key, `final value ${value} < ${lower} acknowledged increments: ${lower - value} lost`, [op])];
    }
    if (value > upper) {
      return [anomaly('phantom-increment', key, `final value ${value} > ${upper} attempted increments (acknowledged + unknown)`, [op])];
    }
    return [];
  });
}

function checkBounds(key: string, observations: readonly Observation[], ackedBefore: TimeSums, attemptedBefore: TimeSums): Anomaly[] {
  const found: Anomaly[] = [];
  for (const { op, pre, post } of observations) {
    if (op.final) continue; // checkFinal judges it, against every increment
    // An INCR's reply includes its own delta: the lower bound must too (the upper bound
    // already counts the op, which was invoked before it ended).
    const own = post - pre;
    const lower = ackedBefore.before(op.invokeMs) + (op.f === 'incr' ? own : 0);
    const upper = attemptedBefore.before(op.completeMs, true);
    if (post < lower) {
      found.push(anomaly('stale-read', key, `${op.f} saw ${post} but ${lower} was acknowledged before it began`, [op]));
    } else if (post > upper) {
      found.push(anomaly('future-read', key, `${op.f} saw ${post} but only ${upper} had been attempted before it ended`, [op]));
    }
  }
  return found;
}

/** Sweeps observations by invocation, keeping the largest value among those already ended. */
function checkMonotone(key: string, observations: readonly Observation[]): Anomaly[] {
  const byInvoke = [...observations].sort((a, b) => a.op.invokeMs - b.op.invokeMs);
  const byComplete = [...observations].sort((a, b) => a.op.completeMs - b.op.completeMs);
  const found: Anomaly[] = [];
  let best: Observation | undefined;
  let next = 0;
  for (const current of byInvoke) {
    while (next < byComplete.length && (byComplete[next] as Observation).op.completeMs < current.op.invokeMs) {
      const done = byComplete[next++] as Observation;
      if (!best || done.post > best.post) best = done;
    }
    if (best && current.pre < best.post) {
      const message = `value went back from ${best.post} to ${current.pre} (${current.op.f} began after ${best.op.f} #${best.op.id} ended)`;
      found.push(anomaly('nonmonotonic', key, message, [best.op, current.op]));
    }
  }
  return found;
}

/** Each INCR owns the range (value - delta, value]; two replies sharing a value means one
 *  increment was applied on top of a state that did not include the other. */
function checkIncrRepliesDisjoint(key: string, replies: readonly Observation[]): Anomaly[] {
  const sorted = [...replies].filter((r) => r.post > r.pre).sort((a, b) => a.post - b.post);
  const found: Anomaly[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as Observation;
    const cur = sorted[i] as Observation;
    if (cur.pre < prev.post) {
      found.push(anomaly('duplicate-incr-result', key, `INCR replies ${prev.post} and ${cur.post} overlap: an increment was lost`, [prev.op, cur.op]));
    }
  }
  return found;
}
