/**
 * Pipelined persistence for the driver (the core's asyncPersistence contract): each
 * Ready's writes are started at once, one fsync at a time covers every Ready written
 * before it started, and each Ready's held messages leave, in Ready order, only once it
 * and every Ready before it are durable; then the core hears persisted(). So while batch
 * N is being fsynced, batch N+1 is already on its way to the followers.
 */
import type { Message } from './core/types.js';

interface Held {
  /** The count of durable writes that must be reached before this item is released. */
  readonly seq: number;
  readonly persistTo: { readonly index: number; readonly term: number } | null;
  readonly messages: readonly Message[];
}

export interface WritePipelineDeps {
  /** One fsync of the log covering everything appended before the call. */
  syncLog(): Promise<void>;
  send(messages: readonly Message[]): void;
  persisted(index: number, term: number): void;
  /** Something was released: the core may have new output. */
  released(): void;
  failed(err: Error): void;
}

export class WritePipeline {
  private held: Held[] = [];
  private head = 0;
  /** Writes started (Readys that must become durable), and how many of them are. */
  private started = 0;
  private durable = 0;
  private hardStateSyncs: Promise<void>[] = [];
  private syncing: Promise<void> | null = null;

  constructor(private readonly deps: WritePipelineDeps) {}

  /** Nothing is being written or waiting to be released. */
  get idle(): boolean {
    return this.head === this.held.length && this.syncing === null;
  }

  /**
   * Queues a Ready whose writes were just started (entries appended, hard state saved).
   * `hardStateSync` is the synced save of a changed term or vote, which must also be done.
   */
  add(persistTo: Held['persistTo'], messages: readonly Message[], hardStateSync: Promise<void> | null): void {
    const durable = persistTo !== null;
    if (hardStateSync !== null) this.hardStateSyncs.push(hardStateSync);
    this.held.push({ seq: durable ? ++this.started : this.started, persistTo, messages });
    if (durable) this.kick();
    else this.release();
  }

  /** Resolves once every write started so far is durable and released. */
  async drain(): Promise<void> {
    while (this.syncing !== null) await this.syncing;
  }

  private kick(): void {
    if (this.syncing !== null || this.durable === this.started) return;
    this.syncing = this.syncLoop()
      .catch((err: unknown) => this.deps.failed(err as Error))
      .finally(() => {
        this.syncing = null;
      });
  }

  private async syncLoop(): Promise<void> {
    while (this.durable < this.started) {
      const target = this.started;
      const hardState = this.hardStateSyncs;
      this.hardStateSyncs = [];
      await Promise.all([this.deps.syncLog(), ...hardState]);
      this.durable = target;
      this.release();
    }
  }

  private release(): void {
    let any = false;
    while (this.head < this.held.length) {
      const item = this.held[this.head] as Held;
      if (item.seq > this.durable) break;
      this.head++;
      any = true;
      if (item.messages.length > 0) this.deps.send(item.messages);
      if (item.persistTo !== null) this.deps.persisted(item.persistTo.index, item.persistTo.term);
    }
    if (this.head === this.held.length) {
      this.held = [];
      this.head = 0;
    }
    if (any) this.deps.released();
  }
}
