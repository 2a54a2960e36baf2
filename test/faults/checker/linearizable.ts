/**
 * Linearizability of a key/value register history (GET / SET / DEL), checked key by key:
 * a history is linearizable iff each key's sub-history is (P-compositionality, Herlihy &
 * Wing), so every key is searched on its own with checker/search.ts.
 *
 * Inputs are OpRecords with f = get | set | del. Before the search:
 * - `fail` ops are dropped: they did not happen.
 * - `unknown` gets are dropped: a read with no result constrains nothing.
 * - an `unknown` write nobody could have observed is dropped (see prunable()): "never
 *   happened" is always one of its options, so this cannot change the verdict, and each
 *   such write would otherwise stay pending to the end and multiply the search.
 */
import { performance } from 'node:perf_hooks';
import { describeOp, opsByKey, type Json, type OpRecord } from '../history.js';
import { searchLinearization, type Model, type SearchOp, type SearchResult } from './search.js';
import { combineValidity, type Anomaly, type CheckResult, type Validity } from './verdict.js';

/** The value of an unknown SET that no GET returned: which one it was never matters. */
export const UNOBSERVED: unique symbol = Symbol('unobserved value');
export type RegisterState = string | null | typeof UNOBSERVED;
export type RegisterInput = { f: 'get' } | { f: 'set'; value: string | typeof UNOBSERVED } | { f: 'del' };
/** get: the value or null; del: keys removed (0 or 1); set: unused. */
export type RegisterOutput = string | null | number;

export const registerModel: Model<RegisterState, RegisterInput, RegisterOutput> = {
  init: () => null,
  step(state, input, output) {
    switch (input.f) {
      case 'get':
        return output === undefined || output === state ? state : undefined;
      case 'set':
        return input.value;
      case 'del':
        if (output !== undefined && output !== (state === null ? 0 : 1)) return undefined;
        return null;
    }
  },
  // The prefix keeps null apart from the string "null".
  stateKey: (state) => (state === null ? 'n' : state === UNOBSERVED ? 'u' : `v${state}`),
};

export interface LinearizableOptions {
  /** Total time budget for all keys. Default 30 000 ms. */
  timeLimitMs?: number;
  /** Per-key memo bound (memory). Default 2 000 000 entries. */
  maxMemoEntries?: number;
  /** Linearized ops shown before the failure in a witness. Default 8. */
  witnessContext?: number;
}

/** A register value as the history holds it (string, or a number written with SET 5). */
function asValue(json: Json | undefined): string | null {
  if (json === null || json === undefined) return null;
  return typeof json === 'string' ? json : typeof json === 'number' ? String(json) : JSON.stringify(json);
}

function toInput(op: OpRecord): RegisterInput {
  switch (op.f) {
    case 'get':
      return { f: 'get' };
    case 'set':
      return { f: 'set', value: asValue(op.arg) ?? 'null' };
    case 'del':
      return { f: 'del' };
    default:
      throw new Error(`register checker: op #${op.id} has f=${op.f}; expected get, set or del`);
  }
}

function toOutput(op: OpRecord): RegisterOutput | undefined {
  if (op.outcome !== 'ok') return undefined;
  if (op.f === 'get') return asValue(op.result);
  if (op.f === 'del') return typeof op.result === 'number' ? op.result : undefined;
  return undefined;
}

interface Observed {
  /** Values returned by acknowledged GETs (null too, and for a DEL that found nothing). */
  values: Set<string | null>;
  /** Latest completion of a DEL that found the key: it observed "some value". */
  lastDelFoundMs: number;
}

function observed(ops: readonly OpRecord[]): Observed {
  const seen: Observed = { values: new Set(), lastDelFoundMs: -Infinity };
  for (const op of ops) {
    if (op.outcome !== 'ok') continue;
    if (op.f === 'get') seen.values.add(asValue(op.result));
    if (op.f === 'del' && op.result === 0) seen.values.add(null);
    if (op.f === 'del' && op.result === 1) seen.lastDelFoundMs = Math.max(seen.lastDelFoundMs, op.completeMs);
  }
  return seen;
}

type UnknownWritePlan = 'search' | 'prune' | 'unobserved';

/**
 * What to do with an unknown write whose value no op read. In any linearization that
 * includes it, the next op is a blind write, nothing, or a DEL that returned 1 (which
 * only needs "some value"). So it can be dropped outright when no such DEL can come after
 * it; otherwise all such writes are interchangeable ("some value nobody read"): they get
 * one shared value and a fixed order, which turns 2^k subsets into k+1 prefixes.
 */
function planUnknownWrite(op: OpRecord, seen: Observed): UnknownWritePlan {
  if (op.f === 'del') return seen.values.has(null) ? 'search' : 'prune';
  if (seen.values.has(asValue(op.arg) ?? 'null')) return 'search';
  return seen.lastDelFoundMs < op.invokeMs ? 'prune' : 'unobserved';
}

interface KeyPlan {
  ops: OpRecord[];
  searchOps: SearchOp<RegisterInput, RegisterOutput>[];
  dropped: { failed: number; unknownReads: number; prunedWrites: number; mergedWrites: number };
}

function planKey(keyOps: readonly OpRecord[]): KeyPlan {
  const seen = observed(keyOps);
  const plan: KeyPlan = { ops: [], searchOps: [], dropped: { failed: 0, unknownReads: 0, prunedWrites: 0, mergedWrites: 0 } };
  let lastUnobserved: number | undefined;
  for (const op of keyOps) {
    const input = toInput(op);
    if (op.outcome === 'fail') {
      plan.dropped.failed++;
      continue;
    }
    const unknown = op.outcome === 'unknown';
    if (unknown && input.f === 'get') {
      plan.dropped.unknownReads++;
      continue;
    }
    const treatment = unknown ? planUnknownWrite(op, seen) : 'search';
    if (treatment === 'prune') {
      plan.dropped.prunedWrites++;
      continue;
    }
    const searchOp: SearchOp<RegisterInput, RegisterOutput> = {
      input,
      output: toOutput(op),
      callMs: op.invokeMs,
      returnMs: unknown ? Infinity : op.completeMs,
    };
    if (treatment === 'unobserved') {
      searchOp.input = { f: 'set', value: UNOBSERVED };
      plan.dropped.mergedWrites++;
      if (lastUnobserved !== undefined) searchOp.after = lastUnobserved;
      lastUnobserved = plan.searchOps.length;
    }
    plan.ops.push(op);
    plan.searchOps.push(searchOp);
  }
  return plan;
}

interface KeyOutcome {
  key: string;
  plan: KeyPlan;
  result: SearchResult<RegisterState>;
}

export function checkLinearizable(ops: readonly OpRecord[], options: LinearizableOptions = {}): CheckResult {
  const started = performance.now();
  const deadline = started + (options.timeLimitMs ?? 30_000);
  const maxMemoEntries = options.maxMemoEntries ?? 2_000_000;
  const plans = [...opsByKey(ops)].map(([key, keyOps]) => ({ key, plan: planKey(keyOps) }));
  const outcomes = new Map<string, KeyOutcome>();
  // First pass: an equal share of the remaining time each, so one hard key cannot starve
  // the rest; second pass: keys that gave up share whatever time is left.
  for (const pass of [0, 1]) {
    const todo = plans.filter(({ key }) => pass === 0 || outcomes.get(key)?.result.kind === 'gave-up');
    todo.forEach(({ key, plan }, i) => {
      const share = (deadline - performance.now()) / (todo.length - i);
      const result = searchLinearization(registerModel, plan.searchOps, {
        deadlineMs: performance.now() + Math.max(0, share),
        maxMemoEntries,
      });
      outcomes.set(key, { key, plan, result });
    });
  }
  return summarize([...outcomes.values()], ops.length, performance.now() - started, options.witnessContext ?? 8);
}

function summarize(outcomes: KeyOutcome[], total: number, elapsedMs: number, context: number): CheckResult {
  const validity: Validity[] = outcomes.map(({ result }) =>
    result.kind === 'linearizable' ? true : result.kind === 'not-linearizable' ? false : 'unknown',
  );
  const anomalies = outcomes.flatMap((o) => (o.result.kind === 'not-linearizable' ? [witnessAnomaly(o, context)] : []));
  const gaveUp = outcomes.filter((o) => o.result.kind === 'gave-up');
  const sum = (f: (o: KeyOutcome) => number): number => outcomes.reduce((acc, o) => acc + f(o), 0);
  const stats = {
    ops: total,
    keys: outcomes.length,
    searchedOps: sum((o) => o.plan.searchOps.length),
    failedDropped: sum((o) => o.plan.dropped.failed),
    unknownReadsDropped: sum((o) => o.plan.dropped.unknownReads),
    unknownWritesPruned: sum((o) => o.plan.dropped.prunedWrites),
    unknownWritesMerged: sum((o) => o.plan.dropped.mergedWrites),
    searchSteps: sum((o) => o.result.steps),
    memoEntries: sum((o) => o.result.memoEntries),
    keysGaveUp: gaveUp.length,
    elapsedMs: Math.round(elapsedMs),
  };
  const valid = combineValidity(validity);
  const reasons = gaveUp.map((o) => `${o.key}: ${o.result.kind === 'gave-up' ? o.result.reason : ''}`);
  const summary =
    valid === true
      ? `linearizable: ${total} ops over ${outcomes.length} keys in ${stats.elapsedMs} ms`
      : valid === false
        ? `NOT linearizable on ${anomalies.length} of ${outcomes.length} keys (${anomalies.map((a) => a.key).join(', ')})`
        : `undecided: search gave up on ${gaveUp.length} keys (${reasons.join('; ')}); no violation found elsewhere`;
  return { checker: 'linearizable-register', valid, summary, anomalies, stats };
}

function showState(state: RegisterState): string {
  if (state === UNOBSERVED) return '(a value no read returned)';
  return state === null ? '(no value)' : JSON.stringify(state);
}

/** The evidence for one key: the longest linearizable prefix, the op that could not be
 *  placed, and the pending ops that were all tried. */
function witnessAnomaly({ key, plan, result }: KeyOutcome, context: number): Anomaly {
  if (result.kind !== 'not-linearizable') throw new Error('witness of a linearizable key');
  const { witness } = result;
  const opOf = (index: number): OpRecord => plan.ops[index] as OpRecord; // indices come from plan
  const stuck = opOf(witness.stuck);
  const shown = witness.tail.slice(-context);
  const candidates = witness.candidates.filter((i) => i !== witness.stuck).map(opOf);
  const lines = [
    ...neverWrittenHint(stuck, plan.ops),
    `longest linearizable prefix: ${witness.depth} of ${plan.ops.length} ops; the last ${shown.length}:`,
    ...shown.map(({ op, stateAfter }) => `  ${describeOp(opOf(op))}  => ${showState(stateAfter)}`),
    `register then holds ${showState(witness.stateBefore)}; this op must take effect before it returned, and cannot:`,
    `  ${describeOp(stuck)}`,
    candidates.length === 0
      ? 'no other op was pending that could have gone first'
      : `pending ops tried before it (none leads to a new consistent state):`,
    ...candidates.map((op) => `  ${describeOp(op)}`),
  ];
  const opIds = [...shown.map(({ op }) => opOf(op).id), stuck.id, ...candidates.map((op) => op.id)];
  return {
    type: 'not-linearizable',
    key,
    message: `key ${key}: ${describeOp(stuck)} cannot be linearized after ${witness.depth} ops (register holds ${showState(witness.stateBefore)})`,
    opIds,
    witness: lines,
  };
}

/** The commonest cause named outright: a read of a value no surviving write wrote. */
function neverWrittenHint(stuck: OpRecord, ops: readonly OpRecord[]): string[] {
  if (stuck.f !== 'get') return [];
  const value = asValue(stuck.result);
  if (value === null || ops.some((op) => op.f === 'set' && asValue(op.arg) === value)) return [];
  return [`no write of ${JSON.stringify(value)} happened (none was attempted, or it definitely failed)`];
}
