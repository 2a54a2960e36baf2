/**
 * tick: what happens when replicated time advances. Due wait deadlines first (so a waiter
 * whose deadline passed is never granted by permits that came back in the same tick),
 * then due lease ends, then ended lock-delays, then the grant loop of every semaphore that
 * changed. Each step pops only due items from a heap: O(due * log n), never O(all).
 * Heaps pop in a total order (time, then a unique number), so every replica, and a replica
 * restored from a snapshot, hands out fences in the same order.
 */
import { pruneRecords } from './records.js';
import type { Semaphore } from './state.js';
import { endHolder, endWaiter, grantWaiters, type SemMachine } from './transitions.js';

export function tick(m: SemMachine): void {
  const s = m.data;
  const now = m.now();
  const changed = new Set<Semaphore>();
  const semOf = (key: string): Semaphore => s.sems.get(key) as Semaphore; // timers of a deleted key are removed with it

  for (let w = s.deadlines.peek(); w !== undefined && (w.deadline as number) <= now; w = s.deadlines.peek()) {
    const sem = semOf(w.key);
    endWaiter(m, sem, w, 'timedout');
    changed.add(sem);
  }
  for (let h = s.leases.peek(); h !== undefined && h.expiresAt <= now; h = s.leases.peek()) {
    const sem = semOf(h.key);
    endHolder(m, sem, h, 'expired');
    changed.add(sem);
  }
  for (let d = s.delayTimers.peek(); d !== undefined && d.until <= now; d = s.delayTimers.peek()) {
    const sem = semOf(d.key);
    s.delayTimers.pop();
    sem.delays.delete(d);
    sem.delayed -= d.permits;
    changed.add(sem);
  }
  pruneRecords(s, now);
  for (const sem of changed) grantWaiters(m, sem);
}
