/**
 * The transitions every command and tick is built from: grant, end a grant, queue, end a
 * wait, lock-delay, and the grant loop that serves the queue. They run on every replica in
 * log order and decide only on replicated time (m.now()); waking a parked client goes
 * through m.wake, which only the node holding that client acts on.
 */
import type { Machine } from '../../lib/framework/app.js';
import type { Reply } from '../../lib/resp/types.js';
import { semErrors, type EndReason } from './errors.js';
import { endRecordOf, findRecord } from './records.js';
import { isClientId, waitKey, type Holder, type Semaphore, type SemState, type Waiter } from './state.js';

export type SemMachine = Machine<SemState>;

/** Permits free now (negative while holders still use more than a shrunk capacity). */
export function available(sem: Semaphore): number {
  return sem.capacity - sem.held - sem.delayed;
}

export function fits(s: SemState, sem: Semaphore, permits: number): boolean {
  return permits <= available(sem) && sem.holders.size < s.limits.maxHoldersPerKey;
}

/** The ACQUIRE reply: [fence, remaining lease ms, permits]. */
export function grantReply(holder: Holder, now: number): Reply {
  return [holder.fence, Math.max(0, holder.expiresAt - now), holder.permits];
}

/** The command a framework proposes when a parked client is gone for good. */
export function abandonCommand(key: string, rid: string): Buffer[] {
  return [Buffer.from('SEM.CANCEL'), Buffer.from(key, 'latin1'), Buffer.from(rid, 'latin1')];
}

export function addHolder(m: SemMachine, sem: Semaphore, rid: string, permits: number, leaseMs: number): Holder {
  const s = m.data;
  const now = m.now();
  const holder: Holder = {
    key: sem.key,
    fence: s.nextFence(),
    rid,
    permits,
    leaseMs,
    grantedAt: now,
    expiresAt: now + leaseMs,
    heapIndex: -1,
  };
  sem.holders.set(holder.fence, holder);
  sem.held += permits;
  s.leases.push(holder);
  const record = isClientId(rid) ? findRecord(s, sem.key, rid) : undefined;
  if (record !== undefined && record.state === 'waiting') {
    record.state = 'granted';
    record.fence = holder.fence;
  }
  return holder;
}

export type HolderEnd = 'released' | 'expired' | 'revoked' | 'deleted';

/**
 * Ends a grant. An expired or revoked grant's permits stay unavailable for the
 * semaphore's LOCKDELAY (counted from the lease's end for an expiry), as in Consul: the
 * holder may still be running. The caller runs grantWaiters afterwards.
 */
export function endHolder(m: SemMachine, sem: Semaphore, holder: Holder, reason: HolderEnd): void {
  const s = m.data;
  const now = m.now();
  sem.holders.delete(holder.fence);
  sem.held -= holder.permits;
  s.leases.remove(holder);
  endRecordOf(s, sem.key, holder.rid, 'granted', holder.fence, reason, now);
  if (sem.lockDelayMs === 0 || (reason !== 'expired' && reason !== 'revoked')) return;
  const until = (reason === 'expired' ? holder.expiresAt : now) + sem.lockDelayMs;
  if (until <= now) return;
  const delay = { key: sem.key, permits: holder.permits, until, seq: s.nextSeq(), heapIndex: -1 };
  sem.delays.add(delay);
  sem.delayed += delay.permits;
  s.delayTimers.push(delay);
}

export function enqueueWaiter(
  m: SemMachine,
  sem: Semaphore,
  rid: string,
  permits: number,
  leaseMs: number,
  timeoutMs: number,
): Waiter {
  const s = m.data;
  const now = m.now();
  const waiter: Waiter = {
    key: sem.key,
    rid,
    seq: s.nextSeq(),
    permits,
    leaseMs,
    enqueuedAt: now,
    deadline: timeoutMs === 0 ? null : now + timeoutMs,
    heapIndex: -1,
  };
  sem.waiters.set(rid, waiter);
  if (waiter.deadline !== null) s.deadlines.push(waiter);
  return waiter;
}

/** Ends a wait without a grant and answers its client: null on time-out, an ENDED error otherwise. */
export function endWaiter(m: SemMachine, sem: Semaphore, waiter: Waiter, reason: 'timedout' | EndReason): void {
  const s = m.data;
  sem.waiters.delete(waiter.rid);
  s.deadlines.remove(waiter);
  endRecordOf(s, sem.key, waiter.rid, 'waiting', null, reason, m.now());
  m.wake(waitKey(sem.key, waiter.rid), reason === 'timedout' ? null : semErrors.ended(waiter.rid, reason));
}

function grantWaiter(m: SemMachine, sem: Semaphore, waiter: Waiter): void {
  const s = m.data;
  sem.waiters.delete(waiter.rid);
  s.deadlines.remove(waiter);
  // MAXLEASE may have been lowered by a re-CREATE while this request waited.
  const holder = addHolder(m, sem, waiter.rid, waiter.permits, Math.min(waiter.leaseMs, sem.maxLeaseMs));
  m.wake(waitKey(sem.key, waiter.rid), grantReply(holder, m.now()));
}

/**
 * Serves the queue after anything that may have freed permits or removed a waiter.
 * FIFO: grant from the head while the head fits; a head that needs more than is free
 * blocks everyone behind it (no starvation of large requests). FIRSTFIT: grant every
 * waiter that fits, in queue order. A waiter whose deadline has come is timed out here
 * rather than granted, so no grant is ever made late.
 */
export function grantWaiters(m: SemMachine, sem: Semaphore): void {
  const s = m.data;
  const now = m.now();
  // Deleting the current entry while iterating a Map is safe in JavaScript.
  for (const waiter of sem.waiters.values()) {
    if (waiter.deadline !== null && waiter.deadline <= now) {
      endWaiter(m, sem, waiter, 'timedout');
    } else if (fits(s, sem, waiter.permits)) {
      grantWaiter(m, sem, waiter);
    } else if (sem.policy === 'fifo' || available(sem) <= 0 || sem.holders.size >= s.limits.maxHoldersPerKey) {
      return;
    }
  }
}

/** Fails every waiter that can never be granted after the capacity shrank below its PERMITS. */
export function dropOversizedWaiters(m: SemMachine, sem: Semaphore): void {
  for (const waiter of sem.waiters.values()) {
    if (waiter.permits > sem.capacity) endWaiter(m, sem, waiter, 'shrunk');
  }
}

/** Removes a semaphore: waiters are answered ENDED, grants end (their fences stop checking valid). */
export function deleteSemaphore(m: SemMachine, sem: Semaphore): void {
  const s = m.data;
  for (const waiter of sem.waiters.values()) endWaiter(m, sem, waiter, 'deleted');
  for (const holder of sem.holders.values()) endHolder(m, sem, holder, 'deleted');
  for (const delay of sem.delays) s.delayTimers.remove(delay);
  sem.delays.clear();
  sem.delayed = 0;
  s.removeSemaphore(sem);
}
