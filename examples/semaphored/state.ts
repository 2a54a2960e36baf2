/**
 * The replicated state of semaphored: semaphores with their holders, FIFO wait queues and
 * lock-delayed permits; request-ID records; the timers; the fence and sequence counters.
 * Everything here changes only inside transitions (write handlers and tick), driven by
 * replicated time, so every replica holds the same state.
 */
import { IndexedHeap, type HeapSlot } from './heap.js';
import type { EndReason } from './errors.js';
import type { SemLimits } from './limits.js';

export type Policy = 'fifo' | 'firstfit';

/** A grant: `permits` of `key` held under `fence` until `expiresAt` unless renewed. */
export interface Holder extends HeapSlot {
  readonly key: string;
  readonly fence: number;
  readonly rid: string;
  readonly permits: number;
  leaseMs: number;
  readonly grantedAt: number;
  expiresAt: number;
}

/** A queued acquire. `deadline` null waits forever. */
export interface Waiter extends HeapSlot {
  readonly key: string;
  readonly rid: string;
  /** Unique, increasing: orders the queue after a restore and breaks deadline ties. */
  readonly seq: number;
  readonly permits: number;
  readonly leaseMs: number;
  readonly enqueuedAt: number;
  readonly deadline: number | null;
}

/** Permits of a lease that expired (or was revoked), unavailable until `until` (lock-delay). */
export interface Delay extends HeapSlot {
  readonly key: string;
  readonly permits: number;
  readonly until: number;
  readonly seq: number;
}

export interface Semaphore {
  readonly key: string;
  capacity: number;
  defaultLeaseMs: number;
  maxLeaseMs: number;
  lockDelayMs: number;
  policy: Policy;
  /** Sum of holders' permits. */
  held: number;
  /** Sum of lock-delayed permits. */
  delayed: number;
  /** By fence, in grant order. */
  readonly holders: Map<number, Holder>;
  /** By request ID, in queue order (a Map keeps insertion order and deletes in O(1)). */
  readonly waiters: Map<string, Waiter>;
  readonly delays: Set<Delay>;
  /** Position in SemState.order (for SCAN). */
  slot: number;
}

export type RecordState = 'waiting' | 'granted' | 'timedout' | EndReason;

/** What became of an acquire sent with a client request ID: what a retry with that ID is told. */
export interface RequestRecord {
  readonly key: string;
  readonly rid: string;
  readonly permits: number;
  state: RecordState;
  /** The grant's fence once granted. */
  fence: number | null;
  /** When it reached an end state (neither waiting nor granted); drives retention. */
  endedAt: number | null;
  /** Unique order among ended records with the same endedAt. */
  endSeq: number | null;
}

/** Ended records in the order they ended (endedAt never decreases): the retention queue. */
class EndedQueue {
  private items: RequestRecord[] = [];
  private head = 0;

  push(record: RequestRecord): void {
    this.items.push(record);
  }

  peek(): RequestRecord | undefined {
    return this.items[this.head];
  }

  shift(): void {
    this.head++;
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

const leaseBefore = (a: Holder, b: Holder): boolean =>
  a.expiresAt < b.expiresAt || (a.expiresAt === b.expiresAt && a.fence < b.fence);
const deadlineBefore = (a: Waiter, b: Waiter): boolean =>
  (a.deadline as number) < (b.deadline as number) || (a.deadline === b.deadline && a.seq < b.seq);
const delayBefore = (a: Delay, b: Delay): boolean => a.until < b.until || (a.until === b.until && a.seq < b.seq);

export class SemState {
  readonly sems = new Map<string, Semaphore>();
  /** Dense array of keys; removal swaps the last key in (see scan.ts for why SCAN stays complete). */
  readonly order: string[] = [];
  /** By recordKey(key, rid). */
  readonly records = new Map<string, RequestRecord>();
  readonly ended = new EndedQueue();
  readonly leases = new IndexedHeap<Holder>(leaseBefore);
  readonly deadlines = new IndexedHeap<Waiter>(deadlineBefore);
  readonly delayTimers = new IndexedHeap<Delay>(delayBefore);
  /** Last fence handed out, over all keys: fences never repeat or go back, even across deletes. */
  lastFence = 0;
  /** Last sequence number (waiter order, server-assigned IDs, tie-breaks). */
  lastSeq = 0;

  constructor(readonly limits: SemLimits) {}

  nextFence(): number {
    return ++this.lastFence;
  }

  nextSeq(): number {
    return ++this.lastSeq;
  }

  addSemaphore(sem: Semaphore): void {
    sem.slot = this.order.length;
    this.order.push(sem.key);
    this.sems.set(sem.key, sem);
  }

  removeSemaphore(sem: Semaphore): void {
    const last = this.order.pop() as string; // sem is in it
    if (last !== sem.key) {
      this.order[sem.slot] = last;
      (this.sems.get(last) as Semaphore).slot = sem.slot;
    }
    this.sems.delete(sem.key);
  }
}

export function newSemaphore(key: string, capacity: number, limits: SemLimits): Semaphore {
  return {
    key,
    capacity,
    defaultLeaseMs: limits.defaultLeaseMs,
    maxLeaseMs: limits.defaultMaxLeaseMs,
    lockDelayMs: limits.defaultLockDelayMs,
    policy: 'fifo',
    held: 0,
    delayed: 0,
    holders: new Map(),
    waiters: new Map(),
    delays: new Set(),
    slot: -1,
  };
}

/** Unambiguous for any key and ID: the key's length comes first. */
export function recordKey(key: string, rid: string): string {
  return `${key.length}:${key}${rid}`;
}

/** The framework's wait key of a queued acquire (the same on every replica and on retries). */
export function waitKey(key: string, rid: string): string {
  return `sem:${recordKey(key, rid)}`;
}

/** Server-assigned request IDs start with '#'; client IDs may not, so the two never collide. */
export function isClientId(rid: string): boolean {
  return !rid.startsWith('#');
}
