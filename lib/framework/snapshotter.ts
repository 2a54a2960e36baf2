/**
 * Snapshots and log compaction. Every node snapshots its own state machine: after
 * snapshotEveryEntries applied entries, when the log passes snapshotLogBytes, or on
 * RAFT SNAPSHOT NOW. Applying pauses while the state is written (so the snapshot is
 * consistent at one index), but the batches are written in time slices, so heartbeats,
 * replication and commits go on meanwhile. Afterwards the log is compacted up to the
 * snapshot, keeping snapshotTrailingEntries so a briefly lagging follower needs no snapshot.
 */
import type { Logger } from 'pino';
import type { ConfState, Entry } from '../raft/core/types.js';
import { EntryKind } from '../raft/core/types.js';
import { applyChange } from '../raft/core/membership.js';
import { decodeConfChange } from '../raft/core/conf-change-codec.js';
import type { LogStore, SnapshotInfo, SnapshotStore } from '../raft/storage/types.js';
import type { RaftDriver } from '../raft/driver.js';
import type { StateMachine } from './state-machine.js';
import type { Replicator } from './replicator.js';
import type { NodeOptions } from './options.js';

const SLICE_MS = 10;

export class Snapshotter<D> {
  private lastIndex: number;
  private inProgress: Promise<SnapshotInfo> | null = null;
  /** Serializes local snapshots (with their compaction) and installs from the leader. */
  private lock: Promise<unknown> = Promise.resolve();
  /** Membership as of the applied index: what a snapshot taken now must record. */
  appliedConf: ConfState;
  taken = 0;
  lastDurationMs = 0;

  constructor(
    private readonly options: NodeOptions,
    private readonly sm: StateMachine<D>,
    private readonly replicator: Replicator<D>,
    private readonly driver: RaftDriver,
    private readonly log: LogStore,
    private readonly snapshots: SnapshotStore,
    private readonly logger: Logger,
    initialConf: ConfState,
  ) {
    this.lastIndex = snapshots.latest()?.meta.index ?? 0;
    this.appliedConf = initialConf;
  }

  /** Follows membership changes in applied order (called for each applied entry batch). */
  observe(entries: readonly Entry[]): void {
    for (const e of entries) {
      if (e.kind === EntryKind.ConfChange) this.appliedConf = applyChange(this.appliedConf, decodeConfChange(e.data));
    }
  }

  /** A snapshot from the leader replaced the state. */
  installed(index: number, conf: ConfState): void {
    this.lastIndex = index;
    this.appliedConf = conf;
  }

  maybeSnapshot(): void {
    if (this.inProgress !== null) return;
    const applied = this.sm.appliedIndex;
    const dueByCount = applied - this.lastIndex >= this.options.snapshotEveryEntries;
    const dueBySize = this.log.sizeBytes() >= this.options.snapshotLogBytes && applied > this.lastIndex;
    if (dueByCount || dueBySize) {
      this.take().catch((err: unknown) => this.logger.error({ err }, 'automatic snapshot failed'));
    }
  }

  /** Takes a snapshot now (or joins the one in progress). */
  take(): Promise<SnapshotInfo> {
    if (this.inProgress !== null) return this.inProgress;
    const promise = this.exclusive(() => this.write()).finally(() => {
      this.inProgress = null;
    });
    this.inProgress = promise;
    return promise;
  }

  /** Runs fn after every earlier snapshot operation has finished, and before any later one starts. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async write(): Promise<SnapshotInfo> {
    const started = performance.now();
    this.replicator.pauseApply();
    let info: SnapshotInfo;
    try {
      const meta = { index: this.sm.appliedIndex, term: this.sm.appliedTerm, conf: this.appliedConf };
      const writer = this.snapshots.create(meta);
      try {
        let sliceEnd = performance.now() + SLICE_MS;
        for (const batch of this.sm.snapshotBatches()) {
          writer.writeBatch(batch);
          if (performance.now() > sliceEnd) {
            await new Promise((resolve) => setImmediate(resolve));
            sliceEnd = performance.now() + SLICE_MS;
          }
        }
        info = await writer.commit();
      } catch (err) {
        await writer.abort();
        throw err;
      }
    } finally {
      this.replicator.resumeApply();
    }
    this.driver.withCore((core) => core.snapshotTaken(info.meta));
    this.lastIndex = info.meta.index;
    this.taken++;
    await this.compact(info.meta.index);
    this.lastDurationMs = performance.now() - started;
    this.logger.info({ index: info.meta.index, bytes: info.size, ms: Math.round(this.lastDurationMs) }, 'snapshot written');
    return info;
  }

  private async compact(snapshotIndex: number): Promise<void> {
    const upTo = Math.min(snapshotIndex, this.sm.appliedIndex) - this.options.snapshotTrailingEntries;
    if (upTo < this.log.firstIndex()) return;
    await this.log.compact(upTo, this.log.term(upTo));
  }
}
