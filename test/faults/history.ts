/**
 * The fault suite's history format: every operation a client attempted, with its
 * invocation and completion times and an outcome, plus the nemesis periods and run
 * metadata. Stored as JSON lines (one record per line, `kind` says which), so a run that
 * dies half-way still leaves a readable prefix and big histories stream.
 */
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/**
 * ok: the reply arrived and says what happened.
 * fail: a reply that proves the operation had no effect (e.g. a syntax error).
 * unknown: timed out or the connection was lost; it may or may not have taken effect,
 * at any time after its invocation. Checkers treat its completion as infinitely late.
 */
export type Outcome = 'ok' | 'fail' | 'unknown';

/** Plain JSON: what results and arguments may hold so histories round-trip exactly. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface OpRecord {
  kind: 'op';
  /** Unique within the history; assigned in invocation order by the recorder. */
  id: number;
  /** The client (or worker) that issued the operation: one operation at a time each. */
  process: number;
  /** The operation, e.g. get/set/del (register), incr/read (counter), add/read (set),
   *  acquire/release/check/cancel/hold (semaphore). */
  f: string;
  key: string;
  /** The argument: the value written, the increment, the token, {rid, timeoutMs...}. */
  arg?: Json;
  /** Milliseconds on the run's monotonic clock (0 = run start). */
  invokeMs: number;
  /** When the reply arrived, or (unknown) when the client gave up waiting. */
  completeMs: number;
  outcome: Outcome;
  /** The reply, decoded to JSON (ok outcomes only). */
  result?: Json;
  /** The error text for fail/unknown outcomes. */
  error?: string;
  /** Marks the read taken after all faults healed, which the counter and set checkers
   *  compare against the acknowledged writes. */
  final?: boolean;
  /** The server node the client sent it to (for tracing an anomaly to a node). */
  node?: string;
}

/** The kinds of fault the runner injects; the timeline shades each in its own colour. */
export type NemesisKind = 'kill' | 'pause' | 'partition' | 'membership' | 'snapshot' | 'clock';

export interface NemesisEvent {
  kind: 'nemesis';
  nemesis: NemesisKind;
  /** A short label for the timeline, e.g. "kill -9 n2 (leader)". */
  label: string;
  startMs: number;
  /** Equal to startMs for an instantaneous event (a clock jump, a snapshot trigger). */
  endMs: number;
  /** Anything the runner wants to keep: target nodes, partition sides... */
  detail?: Json;
}

export interface RunMeta {
  kind: 'meta';
  /** e.g. "register", "counter", "set", "semaphore". */
  workload: string;
  /** The command line that produced this run, so it can be repeated. */
  command?: string;
  seed?: number;
  /** Wall-clock start (ISO 8601), for people; all op times are relative monotonic ms. */
  startedAt?: string;
  durationMs?: number;
  detail?: Json;
}

export type HistoryLine = OpRecord | NemesisEvent | RunMeta;

export interface History {
  meta?: RunMeta;
  ops: OpRecord[];
  nemesis: NemesisEvent[];
}

export function emptyHistory(meta?: RunMeta): History {
  return meta === undefined ? { ops: [], nemesis: [] } : { meta, ops: [], nemesis: [] };
}

/** One line per record: meta first, then nemesis events and ops in the order given. */
export function historyToJsonLines(history: History): string {
  const lines: string[] = [];
  if (history.meta) lines.push(JSON.stringify(history.meta));
  for (const event of history.nemesis) lines.push(JSON.stringify(event));
  for (const op of history.ops) lines.push(JSON.stringify(op));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export async function writeHistory(path: string, history: History): Promise<void> {
  await writeFile(path, historyToJsonLines(history));
}

/** Parses JSON lines; a torn last line (the run died mid-write) is dropped, any other
 *  bad line is an error naming its line number. */
export function parseHistory(text: string): History {
  const history = emptyHistory();
  const lines = text.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && (lines[last] ?? '').trim() === '') last--;
  lines.forEach((line, index) => addRawLine(history, line, index + 1, index === last));
  return history;
}

/** Streams a history file line by line, so long runs need not fit in one string. */
export async function readHistory(path: string): Promise<History> {
  const history = emptyHistory();
  const reader = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let held: { line: string; lineNo: number } | undefined;
  let lineNo = 0;
  // One non-blank line of look-ahead: only the file's last record may be torn.
  for await (const line of reader) {
    lineNo++;
    if (line.trim() === '') continue;
    if (held !== undefined) addRawLine(history, held.line, held.lineNo, false);
    held = { line, lineNo };
  }
  if (held !== undefined) addRawLine(history, held.line, held.lineNo, true);
  return history;
}

function addRawLine(history: History, line: string, lineNo: number, isLast: boolean): void {
  if (line.trim() === '') return;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (err) {
    if (isLast) return;
    throw new Error(`history line ${lineNo}: ${(err as Error).message}`);
  }
  addLine(history, validateLine(record, lineNo));
}

function addLine(history: History, line: HistoryLine): void {
  if (line.kind === 'meta') history.meta = line;
  else if (line.kind === 'nemesis') history.nemesis.push(line);
  else history.ops.push(line);
}

function validateLine(record: unknown, lineNo: number): HistoryLine {
  const bad = (why: string): Error => new Error(`history line ${lineNo}: ${why}`);
  if (typeof record !== 'object' || record === null) throw bad('not an object');
  const r = record as Record<string, unknown>;
  if (r.kind === 'meta') {
    if (typeof r.workload !== 'string') throw bad('meta without a workload');
    return r as unknown as RunMeta;
  }
  if (r.kind === 'nemesis') {
    if (typeof r.nemesis !== 'string' || typeof r.startMs !== 'number' || typeof r.endMs !== 'number') {
      throw bad('nemesis event needs nemesis, startMs and endMs');
    }
    return r as unknown as NemesisEvent;
  }
  if (r.kind === 'op') {
    for (const field of ['id', 'process', 'invokeMs', 'completeMs'] as const) {
      if (typeof r[field] !== 'number') throw bad(`op without a numeric ${field}`);
    }
    if (typeof r.f !== 'string' || typeof r.key !== 'string') throw bad('op without f or key');
    if (r.outcome !== 'ok' && r.outcome !== 'fail' && r.outcome !== 'unknown') {
      throw bad(`op outcome must be ok, fail or unknown, not ${String(r.outcome)}`);
    }
    return r as unknown as OpRecord;
  }
  throw bad(`unknown kind ${String(r.kind)}`);
}

/** Ops grouped by key, each group in invocation order: the checkers' usual first step. */
export function opsByKey(ops: readonly OpRecord[]): Map<string, OpRecord[]> {
  const groups = new Map<string, OpRecord[]>();
  for (const op of ops) {
    let group = groups.get(op.key);
    if (!group) groups.set(op.key, (group = []));
    group.push(op);
  }
  for (const group of groups.values()) group.sort((a, b) => a.invokeMs - b.invokeMs || a.id - b.id);
  return groups;
}

/** "#12 p3 set x=5 ok [10.0, 12.5] ms": how checkers print an op in a witness. */
export function describeOp(op: OpRecord): string {
  const arg = op.arg === undefined ? '' : ` ${JSON.stringify(op.arg)}`;
  const result = op.outcome === 'ok' && op.result !== undefined ? ` -> ${JSON.stringify(op.result)}` : '';
  const end = op.outcome === 'unknown' ? `gave up ${op.completeMs.toFixed(1)}` : op.completeMs.toFixed(1);
  const error = op.error ? ` (${op.error})` : '';
  const node = op.node === undefined ? '' : ` @${op.node}`;
  return `#${op.id} p${op.process}${node} ${op.f} ${op.key}${arg}${result} ${op.outcome}${error} [${op.invokeMs.toFixed(1)}, ${end}] ms`;
}
