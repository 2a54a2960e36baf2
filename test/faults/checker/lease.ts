/**
 * Leases against real time, for the clock nemesis: semaphored decides leases on
 * replicated time, which must never go backwards and must not run ahead of real time
 * (a node's wall clock jumping forward would otherwise end every lease early).
 *
 * Rules:
 * - lease-cut-short: a grant reported with `leaseMs` by an acquire invoked at t ends no
 *   earlier than t + leaseMs in real time (the server decided it at or after t, on a
 *   clock that does not run fast). A SEM.CHECK that says 0 and completed before that
 *   (minus slack), with no release of the fence invoked before it, is an anomaly.
 * - time-went-back: a SEM.TIME read invoked after another completed returns no smaller value.
 * - time-ran-ahead: between two SEM.TIME reads, replicated time advanced by more than the
 *   real time that can separate them (b.completeMs - a.invokeMs) plus slack.
 *
 * Ops: acquire (result {fence, leaseMs}), check {fence} -> 0/1, release {fence}, and
 * f = time on `timeKey` (result: replicated ms).
 */
import type { OpRecord } from '../history.js';
import { fenceOf } from './semaphore-records.js';
import { anomaly, anomalyCounts, limitPerType, type Anomaly, type CheckResult } from './verdict.js';

export interface LeaseOptions {
  /** The key SEM.TIME reads are recorded under. */
  timeKey: string;
  /** Allowed error between replicated and real time. Default 500 ms. */
  slackMs?: number;
  maxListed?: number;
}

interface LeaseBound {
  endMs: number;
  grant: OpRecord;
}

function numberIn(json: unknown, name: string): number | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const v = (json as Record<string, unknown>)[name];
  return typeof v === 'number' ? v : undefined;
}

/** The latest real-time end each fence's lease is known to reach. */
function leaseBounds(ops: readonly OpRecord[]): Map<string, LeaseBound> {
  const bounds = new Map<string, LeaseBound>();
  for (const op of ops) {
    if (op.f !== 'acquire' || op.outcome !== 'ok') continue;
    const fence = numberIn(op.result, 'fence');
    const leaseMs = numberIn(op.result, 'leaseMs');
    if (fence === undefined || leaseMs === undefined) continue;
    const id = `${op.key}\u0000${fence}`;
    const endMs = op.invokeMs + leaseMs;
    const known = bounds.get(id);
    if (!known || endMs > known.endMs) bounds.set(id, { endMs, grant: op });
  }
  return bounds;
}

function checkCutShort(ops: readonly OpRecord[], slackMs: number): Anomaly[] {
  const bounds = leaseBounds(ops);
  const firstRelease = new Map<string, number>();
  for (const op of ops) {
    if (op.f !== 'release') continue;
    const id = `${op.key}\u0000${fenceOf(op)}`;
    firstRelease.set(id, Math.min(firstRelease.get(id) ?? Infinity, op.invokeMs));
  }
  const found: Anomaly[] = [];
  for (const op of ops) {
    if (op.f !== 'check' || op.outcome !== 'ok' || Number(op.result) !== 0) continue;
    const id = `${op.key}\u0000${fenceOf(op)}`;
    const bound = bounds.get(id);
    if (!bound || (firstRelease.get(id) ?? Infinity) < op.completeMs) continue;
    const early = bound.endMs - op.completeMs;
    if (early > slackMs) {
      const message = `fence ${fenceOf(op)} CHECKed invalid ${early.toFixed(0)} ms before its lease could have ended (not released)`;
      found.push(anomaly('lease-cut-short', op.key, message, [bound.grant, op]));
    }
  }
  return found;
}

function checkTime(reads: readonly OpRecord[], slackMs: number): Anomaly[] {
  const ok = reads.filter((op) => op.outcome === 'ok' && typeof op.result === 'number');
  const byComplete = [...ok].sort((a, b) => a.completeMs - b.completeMs);
  const found: Anomaly[] = [];
  // For each read b: the largest value among reads that ended before b began (never back),
  // and each such read a bounds how far time may have run: b <= a + (b.end - a.start).
  let best: OpRecord | undefined;
  let next = 0;
  for (const b of [...ok].sort((x, y) => x.invokeMs - y.invokeMs)) {
    while (next < byComplete.length && (byComplete[next] as OpRecord).completeMs < b.invokeMs) {
      const a = byComplete[next++] as OpRecord;
      if (!best || (a.result as number) > (best.result as number)) best = a;
    }
    if (best && (b.result as number) < (best.result as number)) {
      found.push(anomaly('time-went-back', b.key, `replicated time went back from ${String(best.result)} to ${String(b.result)}`, [best, b]));
    }
  }
  for (let i = 1; i < byComplete.length; i++) {
    const a = byComplete[i - 1] as OpRecord;
    const b = byComplete[i] as OpRecord;
    const advanced = (b.result as number) - (a.result as number);
    const possible = b.completeMs - a.invokeMs;
    if (advanced > possible + slackMs) {
      found.push(anomaly('time-ran-ahead', b.key, `replicated time advanced ${advanced.toFixed(0)} ms in at most ${possible.toFixed(0)} ms of real time`, [a, b]));
    }
  }
  return found;
}

export function checkLeases(ops: readonly OpRecord[], options: LeaseOptions): CheckResult {
  const slackMs = options.slackMs ?? 500;
  const timeReads = ops.filter((op) => op.key === options.timeKey && op.f === 'time');
  const semOps = ops.filter((op) => op.key !== options.timeKey);
  const found = [...checkCutShort(semOps, slackMs), ...checkTime(timeReads, slackMs)];
  const stats = {
    timeReads: timeReads.filter((op) => op.outcome === 'ok').length,
    checksZero: semOps.filter((op) => op.f === 'check' && op.outcome === 'ok' && Number(op.result) === 0).length,
    anomalies: found.length,
  };
  const summary =
    found.length === 0
      ? `no lease cut short; replicated time never went back nor ran ahead (${stats.timeReads} SEM.TIME reads)`
      : `lease/time anomalies: ${anomalyCounts(found)}`;
  return { checker: 'lease-time', valid: found.length === 0, summary, anomalies: limitPerType(found, options.maxListed ?? 10), stats };
}
