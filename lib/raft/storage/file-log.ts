/**
 * The segmented write-ahead LogStore.
 *
 * Layout: `<dir>/<seq:20 digits>.wal`, e.g. `<data>/log/00000000000000000001.wal`.
 * Segments are numbered in write order; each starts with a header record and holds
 * framed records (log-records.ts): entries, compact points. A segment is closed once it
 * reaches `segmentBytes` (the write crossing it completes first). The current segment is
 * kept zero-filled ahead of the writes (segment-writer.ts) so fdatasync rarely has a
 * file size to commit.
 *
 * Writes. append() encodes into a memory buffer (no syscall) and updates the in-memory
 * log, which serves every read. sync() queues one flush: one write() of everything
 * buffered, then one fdatasync. Flushes run one at a time, so a file never has two
 * fsyncs in flight; sync() calls made while one runs share the next (group commit).
 *
 * Conflicts. A follower's conflicting suffix is cut by the next entries record itself:
 * replay gives a record starting at index i the same meaning as append() (replace from
 * i on). One frame both truncates and appends, so after a crash the log holds either the
 * old suffix (the frame is torn, hence never acknowledged) or the new one. No record is
 * ever rewritten; files are only cut at their end (a torn tail at open, unused zeros).
 *
 * Compaction writes a compact record, makes it durable, then deletes every segment but
 * the current one whose highest entry index is covered. Replay stays right without
 * them: deleted entries were all at or below the compaction point, and the compact
 * record (or the header of any later segment, which carries the compaction point) drops
 * whatever replay held below it.
 *
 * Reset (snapshot install) starts a new segment whose header says "restart after
 * (index, term)", makes it durable, then deletes all older segments; a crash between
 * the two leaves older segments that replay clears and open deletes.
 *
 * A failed write or fsync poisons the store: every later call throws the same error,
 * since the kernel may have dropped the unsynced pages (retrying fsync would lie).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Entry } from '../core/types.js';
import { CompactedError, UnavailableError } from '../core/types.js';
import { assert } from '../../util/assert.js';
import { ensureDirSync, fdatasync, fsyncDir, fsyncDirSync } from './fs-durable.js';
import { DEFAULT_MAX_FRAME_BYTES } from './framing.js';
import { RecordBuffer } from './log-encoder.js';
import { HeaderMode, encodeHeaderFrame } from './log-records.js';
import { SegmentWriter } from './segment-writer.js';
import { loadSegments, segmentName, type LogRecovery, type SegmentFile } from './log-segments.js';
import { boolOption, intOption, rejectUnknownOptions } from './options.js';
import { CorruptionError, type LogStore } from './types.js';

export interface FileLogOptions {
  /** A segment is closed and the next begun once it holds this many bytes. Default 64 MiB. */
  readonly segmentBytes?: number;
  /** fsync on sync() and after file creation/deletion. false is `--nosync`: data reaches the OS only. Default true. */
  readonly sync?: boolean;
  /** An entries record is closed once it reaches this many bytes (a bigger entry gets its own). Default 1 MiB. */
  readonly recordTargetBytes?: number;
  /**
   * The current segment is extended with zeros this many bytes at a time ahead of the
   * writes, so most fdatasyncs need no file-size update (about 3x more fsyncs per second
   * on ext4). 0 turns it off. Default 1 MiB.
   */
  readonly preallocateBytes?: number;
}

interface ResolvedLogOptions {
  readonly segmentBytes: number;
  readonly sync: boolean;
  readonly recordTargetBytes: number;
  readonly preallocateBytes: number;
}

function resolveLogOptions(options: FileLogOptions): ResolvedLogOptions {
  const owner = 'FileLogOptions';
  rejectUnknownOptions(owner, options, ['segmentBytes', 'sync', 'recordTargetBytes', 'preallocateBytes']);
  return {
    segmentBytes: intOption(owner, 'segmentBytes', options.segmentBytes, 64 * 1024 * 1024, 4096, 2 ** 40),
    sync: boolOption(owner, 'sync', options.sync, true),
    recordTargetBytes: intOption(owner, 'recordTargetBytes', options.recordTargetBytes, 1024 * 1024, 1024, 64 * 1024 * 1024),
    preallocateBytes: intOption(owner, 'preallocateBytes', options.preallocateBytes, 1024 * 1024, 0, 1024 * 1024 * 1024),
  };
}

/** Opens (creating if needed) the log in `dir`. Throws CorruptionError for damage other than a torn tail. */
export function openFileLog(dir: string, options: FileLogOptions = {}): FileLogStore {
  const resolved = resolveLogOptions(options);
  ensureDirSync(dir, resolved.sync);
  const loaded = loadSegments(dir, resolved.sync, DEFAULT_MAX_FRAME_BYTES);
  const { baseIndex, entries } = loaded.replayed;
  const baseTerm = loaded.segments.length === 0 ? 0 : loaded.replayed.baseTerm;
  if (baseTerm === null) {
    const first = loaded.segments[0]?.path ?? dir;
    throw new CorruptionError(first, 0, `log resumes at index ${baseIndex + 1} but nothing records the term of ${baseIndex}: a segment is missing`);
  }
  return new FileLogStore(dir, resolved, loaded.segments, loaded.maxSeq, { baseIndex, baseTerm, entries }, loaded.recovery);
}

interface PendingReset {
  readonly index: number;
  readonly term: number;
}

export class FileLogStore implements LogStore {
  private baseIndex: number;
  private baseTerm: number;
  /** entries[i] has index baseIndex + 1 + i. */
  private entriesHeld: Entry[];
  private readonly pending: RecordBuffer;
  private pendingReset: PendingReset | null = null;
  /** Highest compact index among records still in `pending`. */
  private pendingCompact = 0;
  /** Counts mutations; durableSeq catches up as flushes complete. */
  private appendedSeq = 0;
  private durableSeq = 0;
  private tail: Promise<void> = Promise.resolve();
  private queuedSync: Promise<void> | null = null;
  private failure: Error | null = null;
  private closed = false;
  private writer: SegmentWriter | null = null;
  private fsyncsInFlight = 0;
  /** Counters for INFO and tests: log fdatasyncs issued, and the most ever in flight at once. */
  readonly stats = { fsyncs: 0, maxFsyncsInFlight: 0 };
  private dirDirty = false;

  constructor(
    private readonly dir: string,
    private readonly options: ResolvedLogOptions,
    private readonly segments: SegmentFile[],
    private lastSeq: number,
    state: { baseIndex: number; baseTerm: number; entries: Entry[] },
    /** What open repaired (a torn tail, leftover files); for logs and tests. */
    readonly recovery: LogRecovery,
  ) {
    this.baseIndex = state.baseIndex;
    this.baseTerm = state.baseTerm;
    this.entriesHeld = state.entries;
    this.pending = new RecordBuffer(options.recordTargetBytes);
    const last = segments[segments.length - 1];
    if (last === undefined) {
      this.startSegment(HeaderMode.Continue, this.baseIndex, this.baseTerm);
      if (options.sync) {
        fs.fsyncSync(this.currentWriter.fd);
        fsyncDirSync(dir);
        this.dirDirty = false;
      }
    } else {
      this.writer = SegmentWriter.reopen(last, options.preallocateBytes);
    }
  }

  firstIndex(): number {
    return this.baseIndex + 1;
  }

  lastIndex(): number {
    return this.baseIndex + this.entriesHeld.length;
  }

  term(index: number): number {
    if (index === this.baseIndex) return this.baseTerm;
    if (index < this.baseIndex) throw new CompactedError(`index ${index} is compacted (first is ${this.baseIndex + 1})`);
    const entry = this.entriesHeld[index - this.baseIndex - 1];
    if (entry === undefined) throw new UnavailableError(`index ${index} is past the last index ${this.lastIndex()}`);
    return entry.term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo <= this.baseIndex) throw new CompactedError(`index ${lo} is compacted (first is ${this.baseIndex + 1})`);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(`index ${hi - 1} is past the last index ${this.lastIndex()}`);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const entry = this.entriesHeld[i - this.baseIndex - 1]!;
      bytes += entry.data.length;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  append(entries: readonly Entry[]): void {
    this.checkUsable();
    const first = entries[0];
    if (first === undefined) return;
    assert(first.index > this.baseIndex, () => `append at ${first.index} would overwrite compacted entries (first is ${this.baseIndex + 1})`);
    assert(first.index <= this.lastIndex() + 1, () => `append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    for (let i = 1; i < entries.length; i++) {
      assert(entries[i]!.index === first.index + i, 'appended entries must be contiguous');
    }
    this.pending.appendEntries(entries);
    const held = this.entriesHeld;
    held.length = first.index - this.baseIndex - 1;
    for (const entry of entries) held.push(entry);
    this.appendedSeq++;
  }

  sync(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('log store is closed'));
    if (this.durableSeq === this.appendedSeq) return Promise.resolve();
    if (this.queuedSync !== null) return this.queuedSync;
    const flush = this.enqueue(() => this.flush());
    this.queuedSync = flush;
    return flush;
  }

  async compact(index: number, term: number): Promise<void> {
    this.checkUsable();
    if (index <= this.baseIndex) return;
    if (index <= this.lastIndex()) {
      assert(this.term(index) === term, () => `compact(${index}, ${term}): the entry there has term ${this.term(index)}`);
      this.entriesHeld = this.entriesHeld.slice(index - this.baseIndex);
    } else {
      this.entriesHeld = [];
    }
    this.baseIndex = index;
    this.baseTerm = term;
    this.pending.appendCompact(index, term);
    this.pendingCompact = Math.max(this.pendingCompact, index);
    this.appendedSeq++;
    await this.sync();
  }

  async reset(index: number, term: number): Promise<void> {
    this.checkUsable();
    this.entriesHeld = [];
    this.baseIndex = index;
    this.baseTerm = term;
    // Entries appended before the reset are superseded; later appends follow it.
    this.pending.clear();
    this.pendingCompact = 0;
    this.pendingReset = { index, term };
    this.appendedSeq++;
    await this.sync();
  }

  /** Bytes of records in all segments (preallocated zeros not counted). */
  sizeBytes(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.size;
    return total;
  }

  /** Segment files in write order (for tests and diagnostics). */
  segmentPaths(): string[] {
    return this.segments.map((s) => s.path);
  }

  /** Bytes of records in each segment (files may be longer: preallocated zeros). */
  segmentBytes(): { path: string; bytes: number }[] {
    return this.segments.map((s) => ({ path: s.path, bytes: s.size }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.failure === null) await this.sync();
    } finally {
      this.closed = true;
      await this.tail;
      this.currentWriter.close();
    }
  }

  private checkUsable(): void {
    if (this.failure !== null) throw this.failure;
    assert(!this.closed, 'log store used after close()');
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.failure !== null) throw this.failure;
      try {
        await op();
      } catch (err) {
        this.failure ??= err as Error;
        throw err;
      }
    };
    const done = this.tail.then(run);
    this.tail = done.catch(() => undefined);
    return done;
  }

  /** One flush: everything buffered goes out in one write, then one fdatasync. */
  private async flush(): Promise<void> {
    this.queuedSync = null;
    const target = this.appendedSeq;
    const reset = this.pendingReset;
    const compactedTo = this.pendingCompact;
    this.pendingReset = null;
    this.pendingCompact = 0;
    const maxEntryIndex = this.pending.maxEntryIndex;
    const bytes = this.pending.take();
    if (bytes.length === 0 && reset === null && compactedTo === 0) {
      // An earlier flush already wrote and fsynced everything up to target.
      this.durableSeq = target;
      return;
    }
    // No await until the bytes are written: appends must not slip in between.
    if (reset !== null) this.startSegment(HeaderMode.Reset, reset.index, reset.term);
    else if (bytes.length > 0 && this.current.size >= this.options.segmentBytes) {
      this.startSegment(HeaderMode.Continue, this.baseIndex, this.baseTerm);
    }
    const current = this.current;
    if (bytes.length > 0) {
      this.currentWriter.append(bytes);
      current.maxEntryIndex = Math.max(current.maxEntryIndex, maxEntryIndex);
    }
    this.pending.shrink();
    if (this.options.sync) await this.syncCurrent();
    this.durableSeq = target;
    if (reset !== null) this.deleteSegments(() => true);
    if (compactedTo > 0) this.deleteSegments((s) => s.maxEntryIndex <= compactedTo);
    if (this.dirDirty && this.options.sync) await this.syncDir();
  }

  private get current(): SegmentFile {
    return this.segments[this.segments.length - 1]!;
  }

  private async syncCurrent(): Promise<void> {
    this.stats.fsyncs++;
    this.fsyncsInFlight++;
    this.stats.maxFsyncsInFlight = Math.max(this.stats.maxFsyncsInFlight, this.fsyncsInFlight);
    try {
      await fdatasync(this.currentWriter.fd);
    } finally {
      this.fsyncsInFlight--;
    }
    if (this.dirDirty) await this.syncDir();
  }

  private async syncDir(): Promise<void> {
    this.dirDirty = false;
    await fsyncDir(this.dir);
  }

  private get currentWriter(): SegmentWriter {
    assert(this.writer !== null, 'the log has a current segment');
    return this.writer;
  }

  /**
   * Closes the current segment (its data is durable: every flush ends with an fsync; its
   * zero tail is cut, and if that cut is lost, zeros read as unused space) and begins the next.
   */
  private startSegment(mode: number, baseIndex: number, baseTerm: number): void {
    const seq = ++this.lastSeq;
    const segment: SegmentFile = { seq, path: path.join(this.dir, segmentName(seq)), size: 0, maxEntryIndex: 0 };
    const header = encodeHeaderFrame({ mode, seq, baseIndex, baseTerm });
    const next = SegmentWriter.create(segment, header, this.options.preallocateBytes);
    this.writer?.close();
    this.writer = next;
    this.segments.push(segment);
    this.dirDirty = true;
  }

  /** Deletes the segments before the current one that `covered` accepts. */
  private deleteSegments(covered: (segment: SegmentFile) => boolean): void {
    const keep: SegmentFile[] = [];
    const last = this.segments.length - 1;
    this.segments.forEach((segment, k) => {
      if (k < last && covered(segment)) {
        fs.unlinkSync(segment.path);
        this.dirDirty = true;
      } else {
        keep.push(segment);
      }
    });
    this.segments.splice(0, this.segments.length, ...keep);
  }
}
