/**
 * Linearizable reads with ReadIndex, batched: one read-index request (one quorum
 * heartbeat round, on the leader or via the leader for a follower) is in flight at a
 * time, and every read that arrives meanwhile joins the next one. Under load each round
 * serves many reads, so the cost in messages stays flat as the read rate grows. A read runs once the local state machine has applied up to
 * the read index and up to the connection's own last write (read-your-writes).
 */
import { PendingReply } from './connection.js';
import type { ReadState } from '../raft/core/types.js';
import type { Reply } from '../resp/types.js';
import { frameworkErrors } from './errors.js';
import type { ReadLease } from './read-lease.js';

interface QueuedRead {
  readonly run: () => Reply;
  readonly minIndex: number;
  readonly slot: PendingReply;
}

/** Reads that arrived together, with when the first of them arrived (for time-outs). */
interface ReadGroup {
  readonly sinceMs: number;
  readonly reads: QueuedRead[];
}

/** A read-index round in flight: its reads, and what a lease needs to know of it. */
interface Round extends ReadGroup {
  readonly requestedMono: number;
  readonly leaseEpoch: number;
}

export interface ReadBatcherConfig {
  readonly timeoutMs: number;
  /** A round not answered in this time is asked again (its request or answer was lost). */
  readonly roundRetryMs: number;
  /** Asks the core for a read index with this context. */
  requestReadIndex(ctx: Uint8Array): void;
  appliedIndex(): number;
  /** This node's commit index: a lease read must see everything committed so far. */
  commitIndex(): number;
  nowMs(): number;
  monoNowMs(): number;
  /** The leader's read lease, or null (followers ask the leader for every round). */
  readonly lease: ReadLease | null;
}

export class ReadBatcher {
  private waiting: QueuedRead[] = [];
  private waitingSinceMs = 0;
  private readonly rounds = new Map<string, Round>();
  private roundStartedMs = 0;
  /** Reads whose read index is known, by the index they must wait for. */
  private readonly byIndex = new Map<number, ReadGroup>();
  private flushScheduled = false;
  private nextCtx = 1;
  roundsStarted = 0;
  readsServed = 0;

  constructor(private readonly config: ReadBatcherConfig) {}

  get pending(): number {
    let n = this.waiting.length;
    for (const r of this.rounds.values()) n += r.reads.length;
    for (const r of this.byIndex.values()) n += r.reads.length;
    return n;
  }

  /**
   * A read the leader may answer right now, under its lease, with everything it must see
   * already applied: the caller runs it at once. Most reads on a busy leader take this
   * path, which allocates nothing and reads the clock once.
   */
  canServeNow(minIndex: number): boolean {
    const lease = this.config.lease;
    if (lease === null) return false;
    const now = this.config.monoNowMs();
    const need = this.leaseReadIndex(lease, minIndex, now);
    if (need === null || need > this.config.appliedIndex()) return false;
    lease.served++;
    this.readsServed++;
    this.renewLease(lease, now);
    return true;
  }

  submit(run: () => Reply, minIndex: number): PendingReply {
    const lease = this.config.lease;
    if (lease !== null) {
      const now = this.config.monoNowMs();
      const need = this.leaseReadIndex(lease, minIndex, now);
      if (need !== null) return this.underLease(lease, run, need, now);
    }
    const slot = new PendingReply();
    if (this.waiting.length === 0) this.waitingSinceMs = this.config.nowMs();
    this.waiting.push({ run, minIndex, slot });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.startRound();
      });
    }
    return slot;
  }

  /**
   * The index a read under the lease must wait for, or null when no lease holds. Not only
   * the lease round's index: a follower may already have applied (and served a ReadIndex
   * read of) an entry committed since, so the leader waits for its commit index too.
   */
  private leaseReadIndex(lease: ReadLease, minIndex: number, now: number): number | null {
    const floor = lease.readFloor(now);
    return floor === null ? null : Math.max(floor, this.config.commitIndex(), minIndex);
  }

  /** Renew before the lease lapses, so steady reads never wait for a round. */
  private renewLease(lease: ReadLease, now: number): void {
    if (this.rounds.size === 0 && lease.wantsRenewal(now)) this.startRound(true);
  }

  /** A read under the leader's lease that must wait for entries to be applied. */
  private underLease(lease: ReadLease, run: () => Reply, need: number, now: number): PendingReply {
    const slot = new PendingReply();
    const read = { run, minIndex: need, slot };
    lease.served++;
    if (need <= this.config.appliedIndex()) this.serve(read);
    else {
      const later = this.byIndex.get(need);
      if (later === undefined) this.byIndex.set(need, { sinceMs: this.config.nowMs(), reads: [read] });
      else later.reads.push(read);
    }
    this.renewLease(lease, now);
    return slot;
  }

  private startRound(renewal = false): void {
    if ((this.waiting.length === 0 && !renewal) || this.rounds.size > 0) return;
    const ctxNumber = this.nextCtx++;
    const ctx = Buffer.allocUnsafe(8);
    ctx.writeDoubleLE(ctxNumber, 0);
    this.rounds.set(ctx.toString('latin1'), {
      sinceMs: this.waitingSinceMs,
      reads: this.waiting,
      requestedMono: this.config.monoNowMs(),
      leaseEpoch: this.config.lease?.currentEpoch() ?? 0,
    });
    this.roundStartedMs = this.config.nowMs();
    this.waiting = [];
    this.roundsStarted++;
    this.config.requestReadIndex(ctx);
  }

  onReadStates(states: readonly ReadState[]): void {
    const applied = this.config.appliedIndex();
    for (const state of states) {
      const key = Buffer.from(state.ctx.buffer, state.ctx.byteOffset, state.ctx.byteLength).toString('latin1');
      const group = this.rounds.get(key);
      if (group === undefined) continue;
      this.rounds.delete(key);
      this.config.lease?.confirmed(group.requestedMono, group.leaseEpoch, state.index);
      for (const read of group.reads) {
        const need = Math.max(state.index, read.minIndex);
        if (need <= applied) this.serve(read);
        else {
          const later = this.byIndex.get(need);
          if (later === undefined) this.byIndex.set(need, { sinceMs: group.sinceMs, reads: [read] });
          else later.reads.push(read);
        }
      }
    }
    this.startRound();
  }

  onApplied(applied: number): void {
    if (this.byIndex.size === 0) return;
    for (const [index, group] of this.byIndex) {
      if (index > applied) continue;
      this.byIndex.delete(index);
      for (const read of group.reads) this.serve(read);
    }
  }

  /** Leadership changed: read-index requests in flight may never be answered; ask again. */
  retryRounds(): void {
    if (this.rounds.size === 0) return;
    for (const group of this.rounds.values()) {
      if (this.waiting.length === 0 || group.sinceMs < this.waitingSinceMs) this.waitingSinceMs = group.sinceMs;
      this.waiting.push(...group.reads);
    }
    this.rounds.clear();
    this.startRound();
  }

  /** Fails reads that waited longer than the timeout; asks again for a round that went unanswered. */
  sweep(): void {
    if (this.rounds.size > 0 && this.config.nowMs() - this.roundStartedMs > this.config.roundRetryMs) this.retryRounds();
    const deadline = this.config.nowMs() - this.config.timeoutMs;
    const expire = (reads: readonly QueuedRead[]): void => {
      for (const r of reads) r.slot.resolve(frameworkErrors.readTimedOut(this.config.timeoutMs));
    };
    // A group is timed by its oldest read: late joiners may fail a little early, never late.
    if (this.waiting.length > 0 && this.waitingSinceMs <= deadline) {
      expire(this.waiting);
      this.waiting = [];
    }
    for (const [key, group] of this.rounds) {
      if (group.sinceMs > deadline) continue;
      expire(group.reads);
      this.rounds.delete(key);
    }
    for (const [index, group] of this.byIndex) {
      if (group.sinceMs > deadline) continue;
      expire(group.reads);
      this.byIndex.delete(index);
    }
    // A round that will never be answered (its reads all expired) must not block the next.
    this.startRound();
  }

  private serve(read: QueuedRead): void {
    this.readsServed++;
    read.slot.resolve(read.run());
  }
}
