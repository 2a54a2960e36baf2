/**
 * The file SnapshotStore. Layout: `<dir>/<seq:20>-<index>-<term>.snap` (format in
 * snapshot-files.ts) and, while one is being written, `<dir>/tmp-<n>-<index>-<term>.snap.tmp`.
 *
 * A snapshot becomes visible only by rename: data and footer are written to the temp
 * name, fdatasynced, renamed into place, and the directory fsynced. Temp files found at
 * open are what a crash mid-write left behind: deleted. The newest `retain` snapshots
 * are kept; older ones are deleted after each commit or install.
 *
 * Damage is never skipped over: at open every snapshot's footer is checked and the
 * newest one's data is read through with every frame's CRC; any failure throws
 * CorruptionError naming the file and offset. Falling back to an older snapshot is not
 * safe in general (the log segments it would need were deleted when the newer one
 * compacted them); an operator who knows better can delete the damaged file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SnapshotMeta } from '../core/types.js';
import { assert } from '../../util/assert.js';
import { ensureDirSync, fdatasync, fsyncDir, fsyncDirSync, writeAllSync } from './fs-durable.js';
import { encodeFooter, listSnapshotDir, readAt, readFooter, snapshotFileName, TEMP_SUFFIX, type SnapshotFile } from './snapshot-files.js';
import {
  SnapshotWriterBase,
  decodeBatches,
  resolveSnapshotOptions,
  sameSnapshot,
  verifySnapshotData,
  type ResolvedSnapshotOptions,
  type SnapshotStoreOptions,
} from './snapshot-format.js';
import { boolOption } from './options.js';
import type { SnapshotInfo, SnapshotStore, SnapshotWriter } from './types.js';

export interface FileSnapshotOptions extends SnapshotStoreOptions {
  /** fsync snapshot files and the directory. false is `--nosync`. Default true. */
  readonly sync?: boolean;
}

const READ_BLOCK_BYTES = 1024 * 1024;
const WRITE_BUFFER_BYTES = 1024 * 1024;

export function openFileSnapshots(dir: string, options: FileSnapshotOptions = {}): FileSnapshotStore {
  const resolved = resolveSnapshotOptions('FileSnapshotOptions', options, ['sync']);
  const sync = boolOption('FileSnapshotOptions', 'sync', options.sync, true);
  ensureDirSync(dir, sync);
  const { files, temps } = listSnapshotDir(dir);
  for (const temp of temps) fs.unlinkSync(temp);
  if (temps.length > 0 && sync) fsyncDirSync(dir);
  const held = files.map(readFooter).reverse();
  const newest = held[0];
  if (newest !== undefined) verifyData(newest, resolved.maxBatchBytes);
  return new FileSnapshotStore(dir, resolved, sync, held, temps);
}

function verifyData(file: SnapshotFile, maxBatchBytes: number): void {
  const fd = fs.openSync(file.path, 'r');
  try {
    const size = file.info.size;
    const batches = decodeBatches((offset) => readAt(fd, offset, Math.min(READ_BLOCK_BYTES, size - offset)), maxBatchBytes, file.path);
    for (const _ of batches) {
      // Decoding checks every frame's CRC and that the data ends on a frame boundary.
    }
  } finally {
    fs.closeSync(fd);
  }
}

export class FileSnapshotStore implements SnapshotStore {
  private newestFd: number | null = null;
  private lastSeq: number;
  private tempCount = 0;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly options: ResolvedSnapshotOptions,
    private readonly sync: boolean,
    /** Newest first. */
    private held: SnapshotFile[],
    /** Temp files a crash left behind, deleted at open (for logs and tests). */
    readonly removedTempFiles: readonly string[],
  ) {
    this.lastSeq = held[0]?.seq ?? 0;
    this.openNewest();
  }

  create(meta: SnapshotMeta): SnapshotWriter {
    this.checkOpen();
    const temp = this.tempPath(meta);
    const fd = fs.openSync(temp, 'wx');
    return new FileSnapshotWriter(this.options.maxBatchBytes, fd, temp, {
      commit: (dataBytes) => this.commitTemp(fd, temp, meta, dataBytes),
      discard: () => this.discardTemp(fd, temp),
    });
  }

  async install(meta: SnapshotMeta, data: Uint8Array): Promise<SnapshotInfo> {
    this.checkOpen();
    verifySnapshotData(data, this.options.maxBatchBytes, `received snapshot ${meta.index}/${meta.term}`);
    const temp = this.tempPath(meta);
    const fd = fs.openSync(temp, 'wx');
    try {
      writeAllSync(fd, data, 0);
    } catch (err) {
      await this.discardTemp(fd, temp);
      throw err;
    }
    return this.commitTemp(fd, temp, meta, data.length);
  }

  latest(): SnapshotInfo | null {
    return this.held[0]?.info ?? null;
  }

  list(): SnapshotInfo[] {
    return this.held.map((s) => s.info);
  }

  readRaw(offset: number, maxBytes: number): Uint8Array {
    const newest = this.newest();
    const size = newest.info.size;
    const start = Math.min(offset, size);
    return readAt(this.newestFd!, start, Math.min(maxBytes, size - start));
  }

  readBatches(): Iterable<unknown> {
    const newest = this.newest();
    const maxBatchBytes = this.options.maxBatchBytes;
    return (function* () {
      // Its own descriptor: a later commit may prune the file while this is read.
      const fd = fs.openSync(newest.path, 'r');
      try {
        const size = newest.info.size;
        yield* decodeBatches((offset) => readAt(fd, offset, Math.min(READ_BLOCK_BYTES, size - offset)), maxBatchBytes, newest.path);
      } finally {
        fs.closeSync(fd);
      }
    })();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.newestFd !== null) fs.closeSync(this.newestFd);
    this.newestFd = null;
  }

  private tempPath(meta: SnapshotMeta): string {
    return path.join(this.dir, `tmp-${++this.tempCount}-${meta.index}-${meta.term}.snap${TEMP_SUFFIX}`);
  }

  /** Footer, fsync, rename, dir fsync, prune: the temp file becomes the newest snapshot. */
  private async commitTemp(fd: number, temp: string, meta: SnapshotMeta, dataBytes: number): Promise<SnapshotInfo> {
    this.checkOpen();
    const newest = this.held[0];
    if (newest !== undefined && sameSnapshot(newest.info.meta, meta)) {
      // Same index and term is the same state: keep the file readRaw may be serving.
      await this.discardTemp(fd, temp);
      return newest.info;
    }
    const createdAtMs = this.options.nowMs();
    try {
      writeAllSync(fd, encodeFooter(meta, dataBytes, createdAtMs), dataBytes);
      if (this.sync) await fdatasync(fd);
    } catch (err) {
      await this.discardTemp(fd, temp);
      throw err;
    }
    fs.closeSync(fd);
    const seq = ++this.lastSeq;
    const file = path.join(this.dir, snapshotFileName(seq, meta));
    fs.renameSync(temp, file);
    if (this.sync) await fsyncDir(this.dir);
    const info: SnapshotInfo = { meta, size: dataBytes, createdAtMs };
    this.held = [{ seq, path: file, info }, ...this.held];
    this.openNewest();
    await this.prune();
    return info;
  }

  private async prune(): Promise<void> {
    const dropped = this.held.slice(this.options.retain);
    if (dropped.length === 0) return;
    this.held = this.held.slice(0, this.options.retain);
    for (const snapshot of dropped) fs.unlinkSync(snapshot.path);
    if (this.sync) await fsyncDir(this.dir);
  }

  private async discardTemp(fd: number, temp: string): Promise<void> {
    fs.closeSync(fd);
    fs.unlinkSync(temp);
  }

  private openNewest(): void {
    if (this.newestFd !== null) fs.closeSync(this.newestFd);
    const newest = this.held[0];
    this.newestFd = newest === undefined ? null : fs.openSync(newest.path, 'r');
  }

  private newest(): SnapshotFile {
    this.checkOpen();
    const newest = this.held[0];
    assert(newest !== undefined && this.newestFd !== null, 'no snapshot to read: check latest() first');
    return newest;
  }

  private checkOpen(): void {
    assert(!this.closed, 'snapshot store used after close()');
  }
}

interface WriterTarget {
  commit(dataBytes: number): Promise<SnapshotInfo>;
  discard(): Promise<void>;
}

/** Streams frames to the temp file through a 1 MiB buffer (one writev per buffer). */
class FileSnapshotWriter extends SnapshotWriterBase {
  private buffered: Uint8Array[] = [];
  private bufferedBytes = 0;
  private flushedBytes = 0;

  constructor(
    maxBatchBytes: number,
    private readonly fd: number,
    readonly tempPath: string,
    private readonly target: WriterTarget,
  ) {
    super(maxBatchBytes);
  }

  protected store(frame: Uint8Array): void {
    this.buffered.push(frame);
    this.bufferedBytes += frame.length;
    if (this.bufferedBytes >= WRITE_BUFFER_BYTES) this.flushBuffer();
  }

  protected async finishCommit(): Promise<SnapshotInfo> {
    try {
      this.flushBuffer();
    } catch (err) {
      await this.target.discard();
      throw err;
    }
    return this.target.commit(this.flushedBytes);
  }

  protected async discard(): Promise<void> {
    this.buffered = [];
    await this.target.discard();
  }

  private flushBuffer(): void {
    let position = this.flushedBytes;
    while (this.buffered.length > 0) {
      const written = fs.writevSync(this.fd, this.buffered, position);
      position += written;
      this.dropWritten(written);
    }
    this.flushedBytes = position;
    this.bufferedBytes = 0;
  }

  /** Removes `written` bytes from the front of the buffer list (writev may be short). */
  private dropWritten(written: number): void {
    let left = written;
    while (left > 0) {
      const first = this.buffered[0]!;
      if (first.length <= left) {
        left -= first.length;
        this.buffered.shift();
      } else {
        this.buffered[0] = first.subarray(left);
        left = 0;
      }
    }
  }
}
