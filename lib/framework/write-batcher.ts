/**
 * Batches the leader's client writes into log entries. Commands submitted in one turn of
 * the event loop (from every connection) become one entry, bounded by maxBatchCommands
 * and maxBatchBytes; while the previous entry's fsync runs, the next batch grows, so
 * one fsync serves many clients (group commit). Each command keeps its own reply slot.
 */
import { PendingReply } from './connection.js';
import { encodeCommands, encodedCommandBytes, encodeTick, type CommandRecord } from './entry-codec.js';
import type { LocalProposal } from './state-machine.js';
import type { ProposeResult } from '../raft/core/types.js';
import { frameworkErrors } from './errors.js';
import type { ReplyError } from '../resp/types.js';

export interface WriteBatcherConfig {
  readonly maxBatchCommands: number;
  readonly maxBatchBytes: number;
  /** Replicated time for a new entry (the LeaderClock). */
  timeMs(): number;
  /** 32 random bits for the entry's seed. */
  seed(): number;
  /** Proposes entry data to the core; returns the result and the leader's current term. */
  propose(data: Uint8Array): { result: ProposeResult; term: number };
  /** Registers the reply slots of a proposed entry. */
  track(index: number, proposal: LocalProposal): void;
}

interface QueuedWrite {
  readonly record: CommandRecord;
  readonly slot: PendingReply;
  readonly onIndex: ((index: number) => void) | undefined;
}

export class WriteBatcher {
  private queue: QueuedWrite[] = [];
  private queuedBytes = 0;
  private flushScheduled = false;
  /** Monotonic time of the last proposal: wall-clock jumps must not stop idle TICKs. */
  private lastProposalMono = 0;
  proposedEntries = 0;
  proposedCommands = 0;

  constructor(private readonly config: WriteBatcherConfig) {}

  /**
   * Queues a write; the reply arrives when the entry is applied. onIndex learns the log
   * index the command landed at (read-your-writes bookkeeping).
   */
  submit(db: number, args: readonly Uint8Array[], onIndex?: (index: number) => void): PendingReply {
    const slot = new PendingReply();
    const bytes = encodedCommandBytes(args);
    if (this.queue.length >= this.config.maxBatchCommands || this.queuedBytes + bytes > this.config.maxBatchBytes) this.flush();
    this.queue.push({ record: { db, args }, slot, onIndex });
    this.queuedBytes += bytes;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    return slot;
  }

  /** Time since this leader last proposed anything (for idle TICK entries). */
  msSinceLastProposal(): number {
    return performance.now() - this.lastProposalMono;
  }

  /** Proposes a TICK entry carrying the leader's time; false if not leader. */
  proposeTick(): boolean {
    const { result } = this.config.propose(encodeTick(this.nextTime(), this.config.seed()));
    if (result.ok) this.proposedEntries++;
    return result.ok;
  }

  flush(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    const data = encodeCommands(
      this.nextTime(),
      this.config.seed(),
      batch.map((w) => w.record),
    );
    const { result, term } = this.config.propose(data);
    if (!result.ok) {
      const error = refusal(result.reason);
      for (const w of batch) w.slot.resolve(error);
      return;
    }
    this.proposedEntries++;
    this.proposedCommands += batch.length;
    this.config.track(result.index, { term, slots: batch.map((w) => w.slot) });
    for (const w of batch) w.onIndex?.(result.index);
  }

  private nextTime(): number {
    this.lastProposalMono = performance.now();
    return this.config.timeMs();
  }
}

function refusal(reason: Exclude<ProposeResult, { ok: true }>['reason']): ReplyError {
  switch (reason) {
    case 'transferring':
      return frameworkErrors.transferring();
    case 'notLeader':
    case 'confChangeInProgress':
    case 'invalid':
      return frameworkErrors.notLeader();
  }
}
