/**
 * What every checker returns. `valid` is three-valued on purpose: `unknown` means the
 * checker could not decide (search too large, no final read), which must never be read as
 * a pass or as an anomaly.
 */
import { describeOp, type OpRecord } from '../history.js';

export type Validity = true | false | 'unknown';

export interface Anomaly {
  /** A stable name for the rule broken, e.g. "lost-write", "fence-not-increasing". */
  type: string;
  key?: string;
  /** One sentence a person can act on. */
  message: string;
  /** The ops involved, by id. */
  opIds: number[];
  /** Readable lines that explain it (ops around the failure, states...). */
  witness?: string[];
}

export interface CheckResult {
  checker: string;
  valid: Validity;
  /** One line: what was checked and what came out. */
  summary: string;
  anomalies: Anomaly[];
  /** Counts worth showing in the run summary (ops checked, keys, time taken...). */
  stats: Record<string, number>;
}

/** All valid -> true; any invalid -> false; otherwise unknown. */
export function combineValidity(values: readonly Validity[]): Validity {
  if (values.some((v) => v === false)) return false;
  if (values.some((v) => v === 'unknown')) return 'unknown';
  return true;
}

/** Builds an anomaly from the ops that show it; the witness lists them in time order. */
export function anomaly(type: string, key: string | undefined, message: string, ops: readonly OpRecord[]): Anomaly {
  const sorted = [...ops].sort((a, b) => a.invokeMs - b.invokeMs || a.id - b.id);
  const result: Anomaly = { type, message, opIds: sorted.map((op) => op.id), witness: sorted.map(describeOp) };
  if (key !== undefined) result.key = key;
  return result;
}

/** Anomaly counts by type, e.g. "2 lost-write, 1 duplicate". */
export function anomalyCounts(anomalies: readonly Anomaly[]): string {
  const counts = new Map<string, number>();
  for (const a of anomalies) counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
}

/** At most `max` anomalies of each type, for listing; the caller keeps the full count. */
export function limitPerType(found: readonly Anomaly[], max: number): Anomaly[] {
  const perType = new Map<string, number>();
  return found.filter((a) => {
    const n = (perType.get(a.type) ?? 0) + 1;
    perType.set(a.type, n);
    return n <= max;
  });
}
