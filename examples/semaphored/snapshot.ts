/**
 * Snapshot and restore of the whole state, as msgpack-encodable batches of plain arrays:
 * semaphores (with holders, queue and lock-delays in order), request-ID records, and the
 * fence and sequence counters (so fences keep increasing after a restore). Heaps and the
 * retention queue are rebuilt: their pop order is a total order on the items, so the
 * restored state behaves exactly as the original would have.
 */
import type { SemLimits } from './limits.js';
import {
  SemState,
  recordKey,
  type Delay,
  type Holder,
  type Policy,
  type RecordState,
  type RequestRecord,
  type Semaphore,
  type Waiter,
} from './state.js';

const VERSION = 1;
/** Entries (semaphores, holders, waiters, delays or records) per batch. */
const BATCH_ENTRIES = 10_000;

type HolderTuple = [fence: number, rid: string, permits: number, leaseMs: number, grantedAt: number, expiresAt: number];
type WaiterTuple = [rid: string, seq: number, permits: number, leaseMs: number, enqueuedAt: number, deadline: number | null];
type DelayTuple = [permits: number, until: number, seq: number];
type SemTuple = [key: string, capacity: number, defaultLeaseMs: number, maxLeaseMs: number, lockDelayMs: number, policy: Policy, holders: HolderTuple[], waiters: WaiterTuple[], delays: DelayTuple[]];
type RecordTuple = [key: string, rid: string, permits: number, state: RecordState, fence: number | null, endedAt: number | null, endSeq: number | null];

type Batch =
  | { t: 'header'; v: number; lastFence: number; lastSeq: number }
  | { t: 'sems'; items: SemTuple[] }
  | { t: 'records'; items: RecordTuple[] };

export function* snapshotState(s: SemState): Iterable<Batch> {
  yield { t: 'header', v: VERSION, lastFence: s.lastFence, lastSeq: s.lastSeq };
  let sems: SemTuple[] = [];
  let entries = 0;
  for (const key of s.order) {
    const tuple = semTuple(s.sems.get(key) as Semaphore);
    sems.push(tuple);
    entries += 1 + tuple[6].length + tuple[7].length + tuple[8].length;
    if (entries >= BATCH_ENTRIES) {
      yield { t: 'sems', items: sems };
      sems = [];
      entries = 0;
    }
  }
  if (sems.length > 0) yield { t: 'sems', items: sems };
  let records: RecordTuple[] = [];
  for (const r of s.records.values()) {
    records.push([r.key, r.rid, r.permits, r.state, r.fence, r.endedAt, r.endSeq]);
    if (records.length >= BATCH_ENTRIES) {
      yield { t: 'records', items: records };
      records = [];
    }
  }
  if (records.length > 0) yield { t: 'records', items: records };
}

function semTuple(sem: Semaphore): SemTuple {
  return [
    sem.key,
    sem.capacity,
    sem.defaultLeaseMs,
    sem.maxLeaseMs,
    sem.lockDelayMs,
    sem.policy,
    [...sem.holders.values()].map((h): HolderTuple => [h.fence, h.rid, h.permits, h.leaseMs, h.grantedAt, h.expiresAt]),
    [...sem.waiters.values()].map((w): WaiterTuple => [w.rid, w.seq, w.permits, w.leaseMs, w.enqueuedAt, w.deadline]),
    [...sem.delays].map((d): DelayTuple => [d.permits, d.until, d.seq]),
  ];
}

class SnapshotFormatError extends Error {
  override name = 'SnapshotFormatError';
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new SnapshotFormatError(`semaphored snapshot is malformed: ${what}`);
}

export function restoreState(batches: Iterable<unknown>, limits: SemLimits): SemState {
  const s = new SemState(limits);
  let sawHeader = false;
  for (const raw of batches) {
    const batch = raw as Batch; // shape checked field by field below
    check(typeof batch === 'object' && batch !== null, 'batch is not an object');
    if (batch.t === 'header') {
      check(batch.v === VERSION, `unsupported version ${String(batch.v)}`);
      s.lastFence = batch.lastFence;
      s.lastSeq = batch.lastSeq;
      sawHeader = true;
    } else if (batch.t === 'sems') {
      for (const tuple of batch.items) restoreSemaphore(s, tuple);
    } else if (batch.t === 'records') {
      for (const tuple of batch.items) restoreRecord(s, tuple);
    } else {
      check(false, 'unknown batch type');
    }
  }
  check(sawHeader, 'no header batch');
  rebuildRetentionQueue(s);
  return s;
}

function restoreSemaphore(s: SemState, tuple: SemTuple): void {
  const [key, capacity, defaultLeaseMs, maxLeaseMs, lockDelayMs, policy, holders, waiters, delays] = tuple;
  check(typeof key === 'string' && !s.sems.has(key), 'semaphore key missing or repeated');
  check(policy === 'fifo' || policy === 'firstfit', `bad policy for ${key}`);
  const sem: Semaphore = { key, capacity, defaultLeaseMs, maxLeaseMs, lockDelayMs, policy, held: 0, delayed: 0, holders: new Map(), waiters: new Map(), delays: new Set(), slot: -1 };
  for (const [fence, rid, permits, leaseMs, grantedAt, expiresAt] of holders) {
    check(fence <= s.lastFence, `fence ${fence} above the high-water mark`);
    const holder: Holder = { key, fence, rid, permits, leaseMs, grantedAt, expiresAt, heapIndex: -1 };
    sem.holders.set(fence, holder);
    sem.held += permits;
    s.leases.push(holder);
  }
  for (const [rid, seq, permits, leaseMs, enqueuedAt, deadline] of waiters) {
    const waiter: Waiter = { key, rid, seq, permits, leaseMs, enqueuedAt, deadline, heapIndex: -1 };
    sem.waiters.set(rid, waiter);
    if (deadline !== null) s.deadlines.push(waiter);
  }
  for (const [permits, until, seq] of delays) {
    const delay: Delay = { key, permits, until, seq, heapIndex: -1 };
    sem.delays.add(delay);
    sem.delayed += permits;
    s.delayTimers.push(delay);
  }
  s.addSemaphore(sem);
}

function restoreRecord(s: SemState, tuple: RecordTuple): void {
  const [key, rid, permits, state, fence, endedAt, endSeq] = tuple;
  const record: RequestRecord = { key, rid, permits, state, fence, endedAt, endSeq };
  const sem = s.sems.get(key);
  if (state === 'waiting') check(sem?.waiters.has(rid) === true, `waiting record ${rid} without its waiter`);
  else if (state === 'granted') check(fence !== null && sem?.holders.get(fence)?.rid === rid, `granted record ${rid} without its holder`);
  else check(endedAt !== null && endSeq !== null, `ended record ${rid} without its end time`);
  s.records.set(recordKey(key, rid), record);
}

function rebuildRetentionQueue(s: SemState): void {
  const ended = [...s.records.values()].filter((r) => r.endedAt !== null);
  ended.sort((a, b) => (a.endedAt as number) - (b.endedAt as number) || (a.endSeq as number) - (b.endSeq as number));
  for (const record of ended) s.ended.push(record);
}
