/**
 * The framework's side of Raft: proposes client writes (batched), serves linearizable
 * reads (ReadIndex), applies committed entries to the state machine in order, follows
 * leadership, keeps replicated time moving with TICK entries, and looks after clients
 * parked by blocking commands. It talks to the core only through the driver.
 */
import type { Logger } from 'pino';
import type { Entry, ReadState, SoftState } from '../raft/core/types.js';
import type { RaftDriver } from '../raft/driver.js';
import type { NodeOptions } from './options.js';
import type { StateMachine, LocalProposal, AbandonCommand } from './state-machine.js';
import { WriteBatcher } from './write-batcher.js';
import { LeaderClock } from './leader-clock.js';
import { ReadLease } from './read-lease.js';
import { ReadBatcher } from './read-batcher.js';
import type { PendingReply } from './connection.js';
import { frameworkErrors } from './errors.js';
import type { Reply } from '../resp/types.js';
import { randomBytes } from 'node:crypto';
import { rngFromSeed } from '../util/rng.js';

interface TrackedProposal extends LocalProposal {
  readonly proposedAtMs: number;
}

export interface ReplicatorEvents {
  /** Leadership or the known leader changed. */
  leaderChanged(leader: string | null, isLeader: boolean): void;
  /** Entries were applied up to index (snapshot triggers, membership waits). */
  applied(index: number): void;
}

export class Replicator<D> {
  leaderId: string | null = null;
  isLeader = false;
  private applyQueue: Entry[] = [];
  private applyQueueHead = 0;
  private applyPauses = 0;
  private applyScheduled = false;
  private readonly proposals = new Map<number, TrackedProposal>();
  private readonly indexWaiters = new Map<number, (() => void)[]>();
  private readonly parkedOwners = new Map<PendingReply, number>();
  private readonly abandonTimers = new Map<string, NodeJS.Timeout>();
  private timers: NodeJS.Timeout[] = [];
  readonly writes: WriteBatcher;
  readonly lease: ReadLease;
  /** leaseEligible's answer for the current turn of the event loop (status() is not free). */
  private eligibleThisTurn: boolean | null = null;
  private readonly clock: LeaderClock;
  readonly reads: ReadBatcher;
  appliedEntries = 0;

  constructor(
    private readonly options: NodeOptions,
    private readonly sm: StateMachine<D>,
    private readonly driver: RaftDriver,
    private readonly log: Logger,
    private readonly events: ReplicatorEvents,
  ) {
    this.clock = new LeaderClock(() => Date.now() + options.clockOffsetMs, options.clockCatchUpPercent);
    // Entry seeds need to be unpredictable to clients, not cryptographic: seed once.
    const seeds = rngFromSeed(randomBytes(4).readUInt32LE(0));
    this.writes = new WriteBatcher({
      maxBatchCommands: options.maxBatchCommands,
      maxBatchBytes: options.maxBatchBytes,
      timeMs: () => this.clock.now(),
      seed: () => seeds.next32(),
      propose: (data) => {
        const result = driver.withCore((core) => core.propose(data));
        return { result, term: result.ok ? driver.core.status().term : 0 };
      },
      track: (index, proposal) => this.proposals.set(index, { ...proposal, proposedAtMs: Date.now() }),
    });
    this.lease = new ReadLease({
      // A follower ignores votes for at least (electionTimeoutTicks - 1) whole ticks after
      // hearing from us; 20% off that covers clocks that run at different rates.
      durationMs: options.leaseReads ? (options.electionTimeoutTicks - 1) * options.tickIntervalMs * 0.8 : 0,
      monoNowMs: () => performance.now(),
      eligible: () => this.leaseEligible(),
    });
    this.reads = new ReadBatcher({
      timeoutMs: options.commandTimeoutMs,
      roundRetryMs: options.electionTimeoutTicks * options.tickIntervalMs,
      requestReadIndex: (ctx) => driver.withCore((core) => core.readIndex(ctx)),
      appliedIndex: () => this.sm.appliedIndex,
      commitIndex: () => driver.core.commitIndex(),
      nowMs: () => Date.now(),
      monoNowMs: () => performance.now(),
      lease: this.lease,
    });
    sm.onPark = (key, slot) => this.onPark(key, slot);
    sm.onOrphanedWait = (key) => this.scheduleAbandon(key);
  }

  get appliedIndex(): number {
    return this.sm.appliedIndex;
  }

  start(): void {
    this.timers.push(
      setInterval(() => this.timeTick(), this.options.timeTickIntervalMs),
      setInterval(() => this.sweep(), Math.min(250, this.options.commandTimeoutMs)),
    );
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const t of this.abandonTimers.values()) clearTimeout(t);
    this.abandonTimers.clear();
    const stopping = frameworkErrors.shuttingDown();
    for (const p of this.proposals.values()) for (const s of p.slots) s.resolve(frameworkErrors.timedOut(0));
    this.proposals.clear();
    this.sm.releaseParked(stopping);
  }

  // ---- client commands -------------------------------------------------------------

  /**
   * Proposes a write (this node must be the leader). For a blocking command, `owner` is
   * the client's id, so a wait it parks can be abandoned when that client goes away.
   */
  submitWrite(db: number, args: readonly Uint8Array[], owner: number | null, onIndex?: (index: number) => void): PendingReply {
    const slot = this.writes.submit(db, args, onIndex);
    if (owner !== null) this.parkedOwners.set(slot, owner);
    return slot;
  }

  /** True when a linearizable read may run at once (see ReadBatcher.canServeNow). */
  canReadNow(minIndex: number): boolean {
    return this.reads.canServeNow(minIndex);
  }

  /** Runs `run` once this node has applied a linearizable read point, and at least minIndex. */
  submitRead(run: () => Reply, minIndex: number): PendingReply {
    return this.reads.submit(run, minIndex);
  }

  /** Resolves once entries up to `index` are applied here (false on timeout). */
  waitApplied(index: number, timeoutMs: number): Promise<boolean> {
    if (this.sm.appliedIndex >= index) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const list = this.indexWaiters.get(index) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.indexWaiters.set(index, list);
    });
  }

  /**
   * A client went away: its parked waits are abandoned after the grace period (unless a
   * retry re-attaches first), and their reply slots end now: nobody will read them.
   */
  clientClosed(clientId: number): void {
    for (const [key, slot] of this.sm.parked) {
      if (this.parkedOwners.get(slot) !== clientId) continue;
      this.sm.parked.delete(key);
      this.scheduleAbandon(key);
    }
    // Parked or still on its way through the log: either way the reply has no reader now
    // (a wait that parks later finds its slot done and is abandoned then).
    for (const [slot, owner] of this.parkedOwners) {
      if (owner !== clientId) continue;
      this.parkedOwners.delete(slot);
      slot.resolve(frameworkErrors.clientGone());
    }
  }

  /**
   * May this node answer reads under its lease now? Only the leader, as a voter, with no
   * leadership transfer under way. Cached for one turn of the event loop: a transfer
   * begun in this turn cannot take effect before its message leaves in a later one.
   */
  private leaseEligible(): boolean {
    if (!this.isLeader) return false;
    if (this.eligibleThisTurn === null) {
      const status = this.driver.core.status();
      this.eligibleThisTurn = status.transferee === null && status.conf.voters.some((m) => m.id === status.id);
      setImmediate(() => {
        this.eligibleThisTurn = null;
      });
    }
    return this.eligibleThisTurn;
  }

  // ---- driver hooks ------------------------------------------------------------------

  onSoftState(state: SoftState): void {
    const wasLeader = this.isLeader;
    const leaderBefore = this.leaderId;
    this.isLeader = state.role === 'leader';
    this.leaderId = state.leader;
    this.lease.reset();
    this.eligibleThisTurn = null;
    if (wasLeader && !this.isLeader) {
      this.sm.releaseParked(frameworkErrors.leadershipLostWhileBlocked());
      for (const t of this.abandonTimers.values()) clearTimeout(t);
      this.abandonTimers.clear();
    }
    if (!wasLeader && this.isLeader) {
      this.clock.start(this.sm.timeMs);
      // Waiters whose clients were attached to the old leader: give them the grace period to come back.
      for (const key of this.sm.blocked.keys()) if (!this.sm.parked.has(key)) this.scheduleAbandon(key);
    }
    if (leaderBefore !== this.leaderId) this.reads.retryRounds();
    if (wasLeader !== this.isLeader || leaderBefore !== this.leaderId) {
      this.log.info({ leader: this.leaderId, role: state.role }, 'leadership changed');
      this.events.leaderChanged(this.leaderId, this.isLeader);
    }
  }

  onApply(entries: readonly Entry[]): void {
    for (const e of entries) this.applyQueue.push(e);
    this.drainApply();
  }

  onReadStates(states: readonly ReadState[]): void {
    this.reads.onReadStates(states);
  }

  /** Stops applying (a snapshot is being written from a consistent state). */
  pauseApply(): void {
    this.applyPauses++;
  }

  resumeApply(): void {
    this.applyPauses--;
    if (this.applyPauses === 0) this.drainApply();
  }

  /** Drops queued entries at or below a newly installed snapshot. */
  snapshotInstalled(index: number): void {
    this.applyQueue = this.applyQueue.slice(this.applyQueueHead).filter((e) => e.index > index);
    this.applyQueueHead = 0;
    for (const [i, p] of this.proposals) {
      if (i > index) continue;
      for (const s of p.slots) s.resolve(frameworkErrors.timedOut(0));
      this.proposals.delete(i);
    }
    this.afterApplied();
  }

  private drainApply(): void {
    if (this.applyPauses > 0 || this.applyScheduled) return;
    // Apply in slices so a follower catching up on many entries keeps answering heartbeats.
    const deadline = performance.now() + 20;
    let n = 0;
    while (this.applyQueueHead < this.applyQueue.length && this.applyPauses === 0) {
      const entry = this.applyQueue[this.applyQueueHead++] as Entry;
      if (entry.index <= this.sm.appliedIndex) continue;
      const local = this.proposals.get(entry.index);
      if (local !== undefined) this.proposals.delete(entry.index);
      this.sm.applyEntry(entry, local);
      this.appliedEntries++;
      if (++n % 256 === 0 && performance.now() > deadline) break;
    }
    if (this.applyQueueHead >= this.applyQueue.length) {
      this.applyQueue = [];
      this.applyQueueHead = 0;
    } else if (this.applyPauses === 0) {
      this.applyScheduled = true;
      setImmediate(() => {
        this.applyScheduled = false;
        this.drainApply();
      });
    }
    if (n > 0) this.afterApplied();
  }

  private afterApplied(): void {
    const applied = this.sm.appliedIndex;
    this.reads.onApplied(applied);
    if (this.indexWaiters.size > 0) {
      for (const [index, fns] of this.indexWaiters) {
        if (index > applied) continue;
        this.indexWaiters.delete(index);
        for (const fn of fns) fn();
      }
    }
    this.events.applied(applied);
  }

  // ---- parked clients ----------------------------------------------------------------

  private onPark(key: string, slot: PendingReply): void {
    const timer = this.abandonTimers.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.abandonTimers.delete(key);
    }
    // A waiter parked by a command without an owner (an abandon command) has no client to watch.
    if (!this.parkedOwners.has(slot)) this.scheduleAbandon(key);
  }

  private scheduleAbandon(key: string): void {
    if (!this.isLeader || this.abandonTimers.has(key)) return;
    const timer = setTimeout(() => {
      this.abandonTimers.delete(key);
      const command: AbandonCommand | undefined = this.sm.blocked.get(key);
      if (!this.isLeader || command === undefined || this.sm.parked.has(key)) return;
      this.log.info({ key }, 'waiting client gone: abandoning its wait');
      this.writes.submit(0, command.map((a) => (typeof a === 'string' ? Buffer.from(a) : a)));
    }, this.options.abandonGraceMs);
    timer.unref();
    this.abandonTimers.set(key, timer);
  }

  // ---- timers ------------------------------------------------------------------------

  private timeTick(): void {
    if (!this.isLeader) return;
    if (this.writes.msSinceLastProposal() >= this.options.timeTickIntervalMs) this.writes.proposeTick();
  }

  private sweep(): void {
    const deadline = Date.now() - this.options.commandTimeoutMs;
    for (const [index, p] of this.proposals) {
      if (p.proposedAtMs > deadline) break;
      this.proposals.delete(index);
      for (const s of p.slots) s.resolve(frameworkErrors.timedOut(this.options.commandTimeoutMs));
    }
    this.reads.sweep();
    // Slots resolved elsewhere no longer need an owner entry.
    for (const slot of this.parkedOwners.keys()) if (slot.done) this.parkedOwners.delete(slot);
  }
}
