/**
 * The asynchronous-persistence half of the simulated driver (RaftConfig.asyncPersistence).
 * Each handled Ready leaves a stage here: its `messages`, held, and whether it waits for a
 * write to become durable. Writes reach the disk when the Ready is handled; one sync at a
 * time covers every write made before it started (group commit). When a sync completes,
 * each Ready it covered is acknowledged with persisted(), oldest first, either at once or
 * spread over a little time (drawn per seed) so other events interleave. Held messages
 * leave in Ready order once their stage and every earlier one is durable: an ack in one
 * Ready may cover entries written by an earlier one.
 *
 * A crash drops the pipeline: held messages were never sent, unsynced writes are lost.
 */
import type { Message } from '../../lib/raft/core/types.js';

export interface PersistPoint {
  readonly index: number;
  readonly term: number;
}

interface Stage {
  readonly messages: readonly Message[];
  readonly persistTo: PersistPoint | null;
  /** Durable and acknowledged (or nothing to persist). */
  done: boolean;
  /** A sync covering its writes is running. */
  syncing: boolean;
}

export interface PipelineHost {
  schedule(delay: number, run: () => void): void;
  diskDelay(): number;
  /** Delay between two acknowledgements of one sync (0: all at once). */
  ackDelay(): number;
  /** Makes everything written so far durable. */
  syncDisk(): void;
  /** Tells the core, then lets it produce its next Ready. */
  persisted(point: PersistPoint): void;
  send(messages: readonly Message[]): void;
  /** False once the incarnation that owns this pipeline crashed. */
  alive(): boolean;
}

export class WritePipeline {
  private stages: Stage[] = [];
  private syncing = false;

  constructor(
    private readonly host: PipelineHost,
    /** Bug injection for checker tests: send held messages at once. */
    private readonly sendBeforePersist = false,
  ) {}

  /** Nothing is waiting to be durable or to be sent. */
  get empty(): boolean {
    return this.stages.length === 0;
  }

  /** A handled Ready: its writes were made; `persistTo` is null when it needs no sync. */
  add(messages: readonly Message[], persistTo: PersistPoint | null): void {
    if (this.sendBeforePersist && messages.length > 0) {
      this.host.send(messages);
      messages = [];
    }
    this.stages.push({ messages, persistTo, done: persistTo === null, syncing: false });
    this.release();
    this.maybeStartSync();
  }

  private maybeStartSync(): void {
    if (this.syncing) return;
    const batch = this.stages.filter((s) => !s.done && !s.syncing);
    if (batch.length === 0) return;
    this.syncing = true;
    for (const s of batch) s.syncing = true;
    this.host.schedule(this.host.diskDelay(), () => {
      if (!this.host.alive()) return;
      this.host.syncDisk();
      this.acknowledge(batch, 0);
    });
  }

  /** Acknowledges batch[i..] in order, each after ackDelay(). */
  private acknowledge(batch: readonly Stage[], i: number): void {
    const stage = batch[i];
    if (stage === undefined) {
      this.syncing = false;
      this.maybeStartSync();
      return;
    }
    const next = (): void => {
      if (!this.host.alive()) return;
      stage.done = true;
      // Held messages first: persisted() may hand out the next Ready at once, and a
      // Ready with a snapshot must find nothing still held.
      this.release();
      this.host.persisted(stage.persistTo as PersistPoint);
      this.acknowledge(batch, i + 1);
    };
    const delay = this.host.ackDelay();
    if (delay === 0) next();
    else this.host.schedule(delay, next);
  }

  /** Sends the messages of every stage whose predecessors are all durable. */
  private release(): void {
    while (this.stages.length > 0 && (this.stages[0] as Stage).done) {
      const stage = this.stages.shift() as Stage;
      if (stage.messages.length > 0) this.host.send(stage.messages);
    }
  }
}
