/**
 * The driver: the only place where the pure Raft core meets disk, network and clock.
 *
 * Each Ready is handled in the documented order (types.ts, after etcd's contract):
 *   1. install the incoming snapshot, if any;
 *   2. send messagesBeforePersist (the leader's appends, so followers write in parallel
 *      with the leader's own fsync), append entries and save hard state, fsync;
 *   3. send the messages that promise what step 2 made durable (votes, append acks);
 *   4. hand committed entries and read states to the state machine;
 *   5. advance().
 * Phases are tracked and asserted, so a change that breaks the order fails loudly.
 * While a Ready's fsync is in flight, inbound messages and proposals keep stepping into
 * the core; they come out in the next Ready, which is how group commit happens: one
 * fsync covers everything that arrived during the previous one.
 */
import type { Logger } from 'pino';
import { assert } from '../util/assert.js';
import type { Entry, HardState, Message, RaftNode, ReadState, Ready, SnapshotMeta, SoftState } from './core/types.js';
import type { LogStore, SnapshotStore, StableStore } from './storage/types.js';
import type { Transport } from '../transport/types.js';
import { Histogram, LATENCY_BUCKETS_S } from '../util/histogram.js';
import { WritePipeline } from './write-pipeline.js';

export interface DriverHooks {
  /** The snapshot store now holds `meta` as its newest snapshot: rebuild the state machine from it. */
  installSnapshot(meta: SnapshotMeta): void;
  /**
   * Runs fn while no local snapshot is being written or compacted: an install must not
   * interleave with one, or the older local snapshot could end up the newest.
   */
  snapshotExclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Committed entries, in order, exactly once each. */
  apply(entries: readonly Entry[]): void;
  readStates(states: readonly ReadState[]): void;
  softState(state: SoftState): void;
  /** A Ready was fully handled (after advance): the time to look at status(), membership, etc. */
  afterReady(): void;
  /** Storage failed: the driver has stopped and the node must not go on. */
  fatal(err: Error): void;
}

export interface DriverConfig {
  readonly core: RaftNode;
  readonly log: LogStore;
  readonly stable: StableStore;
  readonly snapshots: SnapshotStore;
  readonly transport: Transport;
  readonly tickIntervalMs: number;
  /**
   * The core runs with asyncPersistence: Readys are handled without waiting for their
   * fsync, which a WritePipeline completes in the background (see index.ts of the core).
   */
  readonly pipelined: boolean;
  /** Commit-only hard-state changes are saved (without fsync) at most this often. */
  readonly commitSaveIntervalMs: number;
  readonly hooks: DriverHooks;
  readonly logger: Logger;
}

type Phase = 'idle' | 'snapshot' | 'persist' | 'send' | 'apply';

export interface DriverStats {
  readies: number;
  fsyncs: number;
  fsyncMsTotal: number;
  fsyncMsMax: number;
  entriesPersisted: number;
  /** fsync durations in seconds. */
  readonly fsyncSeconds: Histogram;
}

export class RaftDriver {
  private phase: Phase = 'idle';
  private pumping = false;
  private pumpScheduled = false;
  private ticker: NodeJS.Timeout | null = null;
  private stopped = false;
  private savedHardState: HardState | null;
  private lastCommitSaveMs = 0;
  private pumpError: Error | null = null;
  private readonly pipeline: WritePipeline;
  /** Hard-state saves run one after another (the store replaces one record). */
  private hardStateChain: Promise<void> = Promise.resolve();
  readonly stats: DriverStats = { readies: 0, fsyncs: 0, fsyncMsTotal: 0, fsyncMsMax: 0, entriesPersisted: 0, fsyncSeconds: new Histogram(LATENCY_BUCKETS_S) };

  constructor(private readonly config: DriverConfig) {
    this.savedHardState = config.stable.load();
    config.transport.onMessage((m) => this.step(m));
    this.pipeline = new WritePipeline({
      syncLog: () => this.timedSync(),
      send: (messages) => this.config.transport.send(messages),
      persisted: (index, term) => this.config.core.persisted?.(index, term),
      released: () => this.schedule(),
      failed: (err) => this.fail(err),
    });
  }

  get core(): RaftNode {
    return this.config.core;
  }

  start(): void {
    this.ticker = setInterval(() => {
      this.config.core.tick();
      this.schedule();
    }, this.config.tickIntervalMs);
    this.schedule();
  }

  /** Stops ticking and waits for the Ready in progress, and the fsync in flight, to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker !== null) clearInterval(this.ticker);
    while (this.pumping) await new Promise((resolve) => setImmediate(resolve));
    await this.pipeline.drain();
    await this.hardStateChain;
  }

  /** The first error that stopped the driver (a failed fsync is fatal: the node must not go on). */
  get error(): Error | null {
    return this.pumpError;
  }

  step(message: Message): void {
    if (this.stopped) return;
    this.config.core.step(message);
    this.schedule();
  }

  /** Run something against the core (propose, readIndex, transfer...), then process what it produced. */
  withCore<T>(fn: (core: RaftNode) => T): T {
    const result = fn(this.config.core);
    this.schedule();
    return result;
  }

  schedule(): void {
    if (this.pumping || this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      while (!this.stopped && this.config.core.hasReady()) {
        await this.handleReady(this.config.core.ready());
      }
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.pumping = false;
    }
  }

  private fail(err: Error): void {
    if (this.pumpError !== null) return;
    this.pumpError = err;
    this.stopped = true;
    if (this.ticker !== null) clearInterval(this.ticker);
    this.config.logger.fatal({ err }, 'raft driver stopped: a Ready could not be handled');
    this.config.hooks.fatal(err);
  }

  private enter(next: Phase, allowedFrom: readonly Phase[]): void {
    assert(allowedFrom.includes(this.phase), () => `driver phase ${this.phase} -> ${next} breaks the Ready order`);
    this.phase = next;
  }

  private async handleReady(rd: Ready): Promise<void> {
    this.stats.readies++;
    if (rd.softState !== null) this.config.hooks.softState(rd.softState);
    if (this.config.pipelined && rd.snapshot === null) return this.handlePipelined(rd);

    this.enter('snapshot', ['idle']);
    if (rd.snapshot !== null) {
      // The core hands out a snapshot only when no write is in flight; our queue agrees.
      assert(this.pipeline.idle, 'a snapshot Ready while writes are still in flight');
      await this.installSnapshot(rd.snapshot.meta, rd.snapshot.data);
    }

    this.enter('persist', ['snapshot']);
    if (rd.messagesBeforePersist.length > 0) this.config.transport.send(rd.messagesBeforePersist);
    await this.persist(rd);
    if (this.config.pipelined && rd.persistTo != null) this.config.core.persisted?.(rd.persistTo.index, rd.persistTo.term);

    this.enter('send', ['persist']);
    if (rd.messages.length > 0) this.config.transport.send(rd.messages);

    this.applyAndAdvance(rd);
  }

  /**
   * Pipelined: start this Ready's writes, queue its messages behind its durability, and
   * go on at once; the WritePipeline sends them and calls persisted() after the fsync.
   */
  private handlePipelined(rd: Ready): void {
    this.enter('snapshot', ['idle']);
    this.enter('persist', ['snapshot']);
    if (rd.messagesBeforePersist.length > 0) this.config.transport.send(rd.messagesBeforePersist);
    const hardStateSync = this.startWrites(rd);
    this.enter('send', ['persist']);
    this.pipeline.add(rd.persistTo ?? null, rd.messages, hardStateSync);
    this.applyAndAdvance(rd);
  }

  /** The last steps of every Ready: apply what is committed, hand over read states, advance. */
  private applyAndAdvance(rd: Ready): void {
    this.enter('apply', ['send']);
    if (rd.committedEntries.length > 0) this.config.hooks.apply(rd.committedEntries);
    if (rd.readStates.length > 0) this.config.hooks.readStates(rd.readStates);
    this.config.core.advance();
    this.enter('idle', ['apply']);
    this.config.hooks.afterReady();
  }

  /**
   * Saves the hard state when it matters: at once and synced when the term or vote changed
   * (a vote must be durable before it is sent), else without fsync at most every
   * commitSaveIntervalMs. Returns the synced save to wait for, or null.
   */
  private saveHardState(hs: HardState | null): Promise<void> | null {
    if (hs === null) return null;
    const prev = this.savedHardState;
    const voteOrTermChanged = prev === null || prev.term !== hs.term || prev.vote !== hs.vote;
    const now = Date.now();
    if (!voteOrTermChanged && now - this.lastCommitSaveMs < this.config.commitSaveIntervalMs) return null;
    this.lastCommitSaveMs = now;
    this.savedHardState = hs;
    const save = this.hardStateChain.then(() => this.config.stable.save(hs, { sync: voteOrTermChanged }));
    this.hardStateChain = save.catch((err: unknown) => this.fail(err as Error));
    return voteOrTermChanged ? save : null;
  }

  private async installSnapshot(meta: SnapshotMeta, data: Uint8Array): Promise<void> {
    const started = performance.now();
    await this.config.hooks.snapshotExclusive(async () => {
      await this.config.snapshots.install(meta, data);
      const newest = this.config.snapshots.latest()?.meta;
      assert(newest?.index === meta.index && newest.term === meta.term, () => `installed snapshot ${meta.index}/${meta.term} is not the newest (${newest?.index}/${newest?.term})`);
      await this.config.log.reset(meta.index, meta.term);
      this.config.hooks.installSnapshot(meta);
    });
    this.config.logger.info({ index: meta.index, term: meta.term, bytes: data.length, ms: Math.round(performance.now() - started) }, 'installed snapshot from leader');
  }

  /**
   * Appends the Ready's entries (not yet synced) and saves its hard state; returns the
   * synced hard-state save to wait for, or null.
   */
  private startWrites(rd: Ready): Promise<void> | null {
    if (rd.entries.length > 0) {
      this.config.log.append(rd.entries);
      this.stats.entriesPersisted += rd.entries.length;
    }
    return this.saveHardState(rd.hardState);
  }

  private async persist(rd: Ready): Promise<void> {
    const work: Promise<void>[] = [];
    const hardStateSync = this.startWrites(rd);
    if (hardStateSync !== null) work.push(hardStateSync);
    if (rd.entries.length > 0 && rd.mustSync) work.push(this.timedSync());
    if (work.length > 0) await Promise.all(work);
  }

  private async timedSync(): Promise<void> {
    const started = performance.now();
    await this.config.log.sync();
    const ms = performance.now() - started;
    const s = this.stats;
    s.fsyncs++;
    s.fsyncMsTotal += ms;
    if (ms > s.fsyncMsMax) s.fsyncMsMax = ms;
    s.fsyncSeconds.observe(ms / 1000);
  }
}
