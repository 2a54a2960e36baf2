/**
 * The in-memory SnapshotStore twin. Snapshot data is byte-for-byte what the file store
 * writes (frames of msgpack batches, snapshot-format.ts), so readRaw() output installs
 * into either store. Used by tests and the simulator; nothing survives the process.
 */
import type { SnapshotMeta } from '../core/types.js';
import { assert } from '../../util/assert.js';
import {
  SnapshotWriterBase,
  decodeBatches,
  resolveSnapshotOptions,
  sameSnapshot,
  verifySnapshotData,
  type ResolvedSnapshotOptions,
  type SnapshotStoreOptions,
} from './snapshot-format.js';
import type { SnapshotInfo, SnapshotStore, SnapshotWriter } from './types.js';

interface HeldSnapshot {
  readonly info: SnapshotInfo;
  readonly data: Uint8Array;
}

const READ_BLOCK_BYTES = 1024 * 1024;

export class MemorySnapshotStore implements SnapshotStore {
  private readonly options: ResolvedSnapshotOptions;
  /** Newest first. */
  private held: HeldSnapshot[] = [];
  private closed = false;

  constructor(options: SnapshotStoreOptions = {}) {
    this.options = resolveSnapshotOptions('MemorySnapshotStore options', options);
  }

  create(meta: SnapshotMeta): SnapshotWriter {
    this.checkOpen();
    return new MemorySnapshotWriter(this.options.maxBatchBytes, (data) => this.add(meta, data));
  }

  async install(meta: SnapshotMeta, data: Uint8Array): Promise<SnapshotInfo> {
    this.checkOpen();
    verifySnapshotData(data, this.options.maxBatchBytes, `received snapshot ${meta.index}/${meta.term}`);
    // Copy: the caller's buffer may be a view into a reused network buffer.
    return this.add(meta, data.slice());
  }

  latest(): SnapshotInfo | null {
    return this.held[0]?.info ?? null;
  }

  list(): SnapshotInfo[] {
    return this.held.map((s) => s.info);
  }

  readRaw(offset: number, maxBytes: number): Uint8Array {
    const data = this.newest().data;
    return data.slice(Math.min(offset, data.length), Math.min(offset + maxBytes, data.length));
  }

  readBatches(): Iterable<unknown> {
    const { data, info } = this.newest();
    const source = `memory snapshot ${info.meta.index}/${info.meta.term}`;
    return decodeBatches((offset) => data.subarray(offset, offset + READ_BLOCK_BYTES), this.options.maxBatchBytes, source);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private add(meta: SnapshotMeta, data: Uint8Array): SnapshotInfo {
    this.checkOpen();
    const newest = this.held[0];
    // Same index and term means the same state: keep the one readRaw may be serving.
    if (newest !== undefined && sameSnapshot(newest.info.meta, meta)) return newest.info;
    const info: SnapshotInfo = { meta, size: data.length, createdAtMs: this.options.nowMs() };
    this.held = [{ info, data }, ...this.held].slice(0, this.options.retain);
    return info;
  }

  private newest(): HeldSnapshot {
    this.checkOpen();
    const newest = this.held[0];
    assert(newest !== undefined, 'no snapshot to read: check latest() first');
    return newest;
  }

  private checkOpen(): void {
    assert(!this.closed, 'snapshot store used after close()');
  }
}

class MemorySnapshotWriter extends SnapshotWriterBase {
  private frames: Uint8Array[] = [];

  constructor(
    maxBatchBytes: number,
    private readonly onCommit: (data: Uint8Array) => SnapshotInfo,
  ) {
    super(maxBatchBytes);
  }

  protected store(frame: Uint8Array): void {
    this.frames.push(frame);
  }

  protected async finishCommit(): Promise<SnapshotInfo> {
    const data = new Uint8Array(this.bytesWritten());
    let at = 0;
    for (const frame of this.frames) {
      data.set(frame, at);
      at += frame.length;
    }
    this.frames = [];
    return this.onCommit(data);
  }

  protected async discard(): Promise<void> {
    this.frames = [];
  }
}
