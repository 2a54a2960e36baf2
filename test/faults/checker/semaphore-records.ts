/**
 * The semaphore workload's records, and how the checker reads them into requests (one per
 * request ID, with every attempt of it) and fence-checked holds.
 *
 * What the runner records (f, arg, result of an `ok` op):
 * - acquire  {rid, timeoutMs, permits?, leaseMs?, nowait?}
 *            -> {fence, leaseMs, permits} granted | null timed out / NOWAIT miss
 *               | {ended: reason} (a retry told "ENDED ...": cancelled, released, expired...)
 *            A retry of the same request is another acquire op with the same rid.
 * - release  {fence} -> released count
 * - check    {fence} -> 1 valid | 0 not
 * - cancel   {rid} -> 1 cancelled a waiting request | 0
 * - create   {capacity, policy?}
 * - hold     {fence, permits?}: a worker's critical section, invokeMs = entered (after a
 *            SEM.CHECK said 1), completeMs = left (before the closing SEM.CHECK);
 *            result {validBefore, validAfter} with those two CHECK answers.
 */
import type { Json, OpRecord } from '../history.js';

export interface Grant {
  fence: number;
  permits: number;
}

export interface Attempt {
  op: OpRecord;
  timeoutMs: number;
  nowait: boolean;
  /** What an `ok` reply said; undefined for fail/unknown. */
  answer: { granted: Grant } | { timedOut: true } | { ended: string } | undefined;
}

/** One waiter: all attempts with one request ID on one key, in invocation order. */
export interface Request {
  key: string;
  rid: string;
  attempts: Attempt[];
  /** Cancels of this rid that answered 1. */
  cancels: OpRecord[];
}

export interface Hold {
  op: OpRecord;
  fence: number;
  permits: number | undefined;
  validBefore: boolean;
  validAfter: boolean;
}

function field(json: Json | undefined, name: string): Json | undefined {
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? json[name] : undefined;
}

function numberField(json: Json | undefined, name: string): number | undefined {
  const value = field(json, name);
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function fenceOf(op: OpRecord): number {
  const fence = numberField(op.arg, 'fence');
  if (fence === undefined) throw new Error(`semaphore checker: op #${op.id} (${op.f}) has no numeric arg.fence`);
  return fence;
}

function answerOf(op: OpRecord): Attempt['answer'] {
  if (op.outcome !== 'ok') return undefined;
  if (op.result === null || op.result === undefined) return { timedOut: true };
  const ended = field(op.result, 'ended');
  if (typeof ended === 'string') return { ended };
  const fence = numberField(op.result, 'fence');
  if (fence === undefined) throw new Error(`semaphore checker: acquire #${op.id} result has no fence: ${JSON.stringify(op.result)}`);
  return { granted: { fence, permits: numberField(op.result, 'permits') ?? numberField(op.arg, 'permits') ?? 1 } };
}

/** Groups acquires by (key, rid); an acquire without a rid is a request of its own. */
export function requestsOf(ops: readonly OpRecord[]): Request[] {
  const byId = new Map<string, Request>();
  const sorted = [...ops].sort((a, b) => a.invokeMs - b.invokeMs || a.id - b.id);
  for (const op of sorted) {
    if (op.f !== 'acquire' && op.f !== 'cancel') continue;
    const ridField = field(op.arg, 'rid');
    const rid = typeof ridField === 'string' ? ridField : `#op${op.id}`;
    const id = JSON.stringify([op.key, rid]);
    let request = byId.get(id);
    if (!request) byId.set(id, (request = { key: op.key, rid, attempts: [], cancels: [] }));
    if (op.f === 'cancel') {
      if (op.outcome === 'ok' && Number(op.result) === 1) request.cancels.push(op);
      continue;
    }
    request.attempts.push({
      op,
      timeoutMs: numberField(op.arg, 'timeoutMs') ?? 0,
      nowait: field(op.arg, 'nowait') === true,
      answer: answerOf(op),
    });
  }
  // A cancel of a request that never had an acquire recorded is not a waiter.
  return [...byId.values()].filter((r) => r.attempts.length > 0);
}

export function holdsOf(ops: readonly OpRecord[]): Hold[] {
  return ops
    .filter((op) => op.f === 'hold' && op.outcome === 'ok')
    .map((op) => ({
      op,
      fence: fenceOf(op),
      permits: numberField(op.arg, 'permits'),
      validBefore: field(op.result, 'validBefore') === true,
      validAfter: field(op.result, 'validAfter') === true,
    }));
}

/** The fences a request was granted, with the attempts that reported each. */
export function grantsOf(request: Request): Map<number, { grant: Grant; attempts: Attempt[] }> {
  const grants = new Map<number, { grant: Grant; attempts: Attempt[] }>();
  for (const attempt of request.attempts) {
    const answer = attempt.answer;
    if (!answer || !('granted' in answer)) continue;
    const known = grants.get(answer.granted.fence);
    if (known) known.attempts.push(attempt);
    else grants.set(answer.granted.fence, { grant: answer.granted, attempts: [attempt] });
  }
  return grants;
}

/** Capacity per key: the largest any create asked for. After a shrink this is looser than
 *  the server's real limit: it can miss an over-capacity, never invent one. */
export function capacitiesOf(ops: readonly OpRecord[]): Map<string, number> {
  const capacities = new Map<string, number>();
  for (const op of ops) {
    if (op.f !== 'create' || op.outcome === 'fail') continue;
    const capacity = numberField(op.arg, 'capacity');
    if (capacity !== undefined) capacities.set(op.key, Math.max(capacity, capacities.get(op.key) ?? 0));
  }
  return capacities;
}
