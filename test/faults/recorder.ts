/**
 * Records what clients do into a History: wraps each async call, stamps invocation and
 * completion on one monotonic clock, and classifies the outcome. The classification is
 * what makes the checkers sound: an error only counts as `fail` (did not happen) when the
 * reply proves the command was rejected without effect; everything else that is not a
 * reply (a timeout, a dropped connection, an unfamiliar error) is `unknown`.
 */
import { performance } from 'node:perf_hooks';
import type { History, Json, NemesisEvent, NemesisKind, OpRecord, Outcome, RunMeta } from './history.js';

/**
 * Error replies that Redis and respraft send before a command is applied: the command had
 * no effect. respraft's TRYAGAIN, CLUSTERDOWN and MOVED promise exactly that (the
 * framework's error catalog); its UNCERTAIN (and any error not listed) stays `unknown`.
 * The fault suite exists to test those promises: a TRYAGAIN write that did happen shows
 * up as an anomaly.
 */
export const DEFINITE_ERROR_PREFIXES: readonly string[] = [
  'TRYAGAIN',
  'CLUSTERDOWN',
  'MOVED',
  'WRONGTYPE',
  'NOAUTH',
  'WRONGPASS',
  'NOPROTO',
  'ERR wrong number of arguments',
  'ERR syntax error',
  'ERR value is not an integer',
  'ERR value is not a valid float',
  'ERR unknown command',
  'ERR unknown subcommand',
  'ERR DB index is out of range',
];

export type ErrorClassifier = (err: unknown) => Exclude<Outcome, 'ok'>;

/** `fail` for a Redis error reply starting with one of `definitePrefixes`, else `unknown`. */
export function classifyByPrefix(definitePrefixes: readonly string[] = DEFINITE_ERROR_PREFIXES): ErrorClassifier {
  return (err) => {
    if (!(err instanceof Error) || err.name !== 'ReplyError') return 'unknown';
    return definitePrefixes.some((prefix) => err.message.startsWith(prefix)) ? 'fail' : 'unknown';
  };
}

export interface RecorderOptions {
  /** Milliseconds, monotonic. Defaults to performance.now(). */
  clock?: () => number;
  /** A call still pending after this long is recorded as unknown. Default 5000 ms. */
  timeoutMs?: number;
  classifyError?: ErrorClassifier;
}

export interface OpSpec {
  process: number;
  f: string;
  key: string;
  arg?: Json;
  final?: boolean;
  node?: string;
}

export type Recorded<R> =
  | { outcome: 'ok'; value: R; op: OpRecord }
  | { outcome: 'fail' | 'unknown'; error: unknown; op: OpRecord };

class OpTimeout extends Error {
  constructor(ms: number) {
    super(`no reply within ${ms} ms`);
  }
}

export class Recorder {
  readonly ops: OpRecord[] = [];
  readonly nemesis: NemesisEvent[] = [];
  private nextId = 0;
  private readonly clock: () => number;
  private readonly originMs: number;
  private readonly timeoutMs: number;
  private readonly classifyError: ErrorClassifier;

  constructor(options: RecorderOptions = {}) {
    this.clock = options.clock ?? (() => performance.now());
    this.originMs = this.clock();
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.classifyError = options.classifyError ?? classifyByPrefix();
  }

  /** Milliseconds since this recorder was made: the history's time base. */
  now(): number {
    return this.clock() - this.originMs;
  }

  /**
   * Runs `call` and records it. `toResult` turns the reply into JSON for the history (the
   * checkers compare those values). The record is appended when the call settles or times
   * out; a reply arriving after the time-out is ignored, since the op is already unknown.
   */
  async record<R>(spec: OpSpec, call: () => Promise<R>, toResult: (value: R) => Json): Promise<Recorded<R>> {
    const id = this.nextId++;
    const invokeMs = this.now();
    const base = { kind: 'op' as const, id, ...spec, invokeMs };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OpTimeout(this.timeoutMs)), this.timeoutMs);
    });
    const pending = call();
    pending.catch(() => undefined); // a late rejection after the time-out is expected
    try {
      const value = await Promise.race([pending, timeout]);
      const op: OpRecord = { ...base, completeMs: this.now(), outcome: 'ok', result: toResult(value) };
      this.ops.push(op);
      return { outcome: 'ok', value, op };
    } catch (error) {
      const outcome = error instanceof OpTimeout ? 'unknown' : this.classifyError(error);
      const message = error instanceof Error ? error.message : String(error);
      const op: OpRecord = { ...base, completeMs: this.now(), outcome, error: message };
      this.ops.push(op);
      return { outcome, error, op };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Appends a record that is not one call: a worker's critical section (entered after its
   * SEM.CHECK said valid, left before the closing CHECK), with times from now().
   */
  log(spec: OpSpec, span: { invokeMs: number; completeMs: number }, outcome: Outcome, result?: Json): OpRecord {
    const op: OpRecord = { kind: 'op', id: this.nextId++, ...spec, ...span, outcome };
    if (result !== undefined) op.result = result;
    this.ops.push(op);
    return op;
  }

  /** Marks the start of a fault; call the returned function when it heals. */
  startNemesis(nemesis: NemesisKind, label: string, detail?: Json): () => NemesisEvent {
    const startMs = this.now();
    return () => this.addNemesis(nemesis, label, startMs, this.now(), detail);
  }

  /** An instantaneous fault (a clock jump, a snapshot trigger). */
  markNemesis(nemesis: NemesisKind, label: string, detail?: Json): NemesisEvent {
    const at = this.now();
    return this.addNemesis(nemesis, label, at, at, detail);
  }

  private addNemesis(nemesis: NemesisKind, label: string, startMs: number, endMs: number, detail?: Json): NemesisEvent {
    const event: NemesisEvent = { kind: 'nemesis', nemesis, label, startMs, endMs };
    if (detail !== undefined) event.detail = detail;
    this.nemesis.push(event);
    return event;
  }

  /** The history so far, ops in invocation order. */
  history(meta?: RunMeta): History {
    const ops = [...this.ops].sort((a, b) => a.invokeMs - b.invokeMs || a.id - b.id);
    const history: History = { ops, nemesis: [...this.nemesis] };
    if (meta) history.meta = meta;
    return history;
  }
}
