/**
 * Segment files of the write-ahead log and their recovery at open: read every segment,
 * replay its records, cut a torn tail off the last one, and refuse (CorruptionError,
 * naming file and offset) any other damage.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDirSync } from './fs-durable.js';
import { scanFrames } from './framing.js';
import { HeaderMode, RecordType, decodeRecord, type LogRecord } from './log-records.js';
import { LogReplay, type ReplayedLog } from './log-replay.js';
import { CorruptionError } from './types.js';

const SEGMENT_NAME = /^(\d{20})\.wal$/;

export function segmentName(seq: number): string {
  return `${String(seq).padStart(20, '0')}.wal`;
}

export interface SegmentFile {
  readonly seq: number;
  readonly path: string;
  /** Bytes in the file. */
  size: number;
  /** Highest entry index written to this segment (0 if none): it may go once compaction passes it. */
  maxEntryIndex: number;
}

/** What open had to repair; empty after a clean shutdown. */
export interface LogRecovery {
  /**
   * A torn tail cut off the last segment: an interrupted write that was never
   * acknowledged. (Zeros after the last record are preallocated space, cut silently.)
   */
  readonly tornTail: { readonly file: string; readonly offset: number; readonly bytes: number; readonly reason: string } | null;
  /** Files removed: a last segment whose header never became durable, or segments superseded by a reset. */
  readonly removedFiles: readonly string[];
}

export interface LoadedLog {
  readonly segments: SegmentFile[];
  /** Highest segment number seen, including removed files: new segments count on from it. */
  readonly maxSeq: number;
  readonly replayed: ReplayedLog;
  readonly recovery: LogRecovery;
}

export function listSegmentFiles(dir: string): { seq: number; path: string }[] {
  const found: { seq: number; path: string }[] = [];
  for (const name of fs.readdirSync(dir)) {
    const match = SEGMENT_NAME.exec(name);
    if (match !== null) found.push({ seq: Number(match[1]), path: path.join(dir, name) });
  }
  return found.sort((a, b) => a.seq - b.seq);
}

interface LoadState {
  readonly replay: LogReplay;
  readonly sync: boolean;
  readonly maxFrameBytes: number;
  tornTail: LogRecovery['tornTail'];
  readonly removedFiles: string[];
}

/** Reads and replays every segment of `dir`, repairing only what a crash can leave. */
export function loadSegments(dir: string, sync: boolean, maxFrameBytes: number): LoadedLog {
  const files = listSegmentFiles(dir);
  const state: LoadState = { replay: new LogReplay(), sync, maxFrameBytes, tornTail: null, removedFiles: [] };
  const segments: SegmentFile[] = [];
  let lastReset = -1;
  files.forEach((file, k) => {
    const loaded = loadSegment(file, k === files.length - 1, state);
    if (loaded === null) return;
    if (loaded.reset) lastReset = segments.length;
    segments.push(loaded.segment);
  });
  // A crash during a reset can leave the segments it replaced; they hold nothing live.
  const superseded = lastReset > 0 ? segments.splice(0, lastReset) : [];
  for (const segment of superseded) removeFile(segment.path, state);
  if (state.removedFiles.length > 0 && sync) fsyncDirSync(dir);
  const maxSeq = files.length === 0 ? 0 : files[files.length - 1]!.seq;
  return { segments, maxSeq, replayed: state.replay.result(), recovery: { tornTail: state.tornTail, removedFiles: state.removedFiles } };
}

function loadSegment(file: { seq: number; path: string }, isLast: boolean, state: LoadState): { segment: SegmentFile; reset: boolean } | null {
  const read = fs.readFileSync(file.path);
  // Plain Uint8Array views, so entries read back look like the ones appended.
  const buf = new Uint8Array(read.buffer, read.byteOffset, read.length);
  const segment: SegmentFile = { seq: file.seq, path: file.path, size: buf.length, maxEntryIndex: 0 };
  const header = { seen: false, reset: false };
  const end = scanFrames(buf, 0, buf.length, state.maxFrameBytes, (payload, offset) => {
    const record = decodeAt(file.path, payload, offset);
    if (!header.seen) {
      checkHeader(file, record, offset);
      header.seen = true;
      header.reset = record.type === RecordType.Header && record.mode === HeaderMode.Reset;
    } else if (record.type === RecordType.Header) throw new CorruptionError(file.path, offset, 'segment header in the middle of a segment');
    if (record.type === RecordType.Entries && record.entries.length > 0) {
      segment.maxEntryIndex = Math.max(segment.maxEntryIndex, record.firstIndex + record.entries.length - 1);
    }
    state.replay.apply(record);
  });
  if (end.kind !== 'clean') {
    if (isZero(buf, end.offset)) {
      // Preallocated space never written (segment-writer.ts), in any segment.
      cutTail(file.path, end.offset, state.sync);
    } else if (end.kind === 'corrupt') {
      throw new CorruptionError(file.path, end.offset, end.reason);
    } else if (!isLast) {
      throw new CorruptionError(file.path, end.offset, `${end.reason} in a segment that is not the last`);
    } else {
      cutTail(file.path, end.offset, state.sync);
      state.tornTail = { file: file.path, offset: end.offset, bytes: buf.length - end.offset, reason: end.reason };
    }
    segment.size = end.offset;
  }
  if (!header.seen) {
    if (!isLast) throw new CorruptionError(file.path, 0, 'segment has no header');
    // The crash came while the segment was being started: it never held anything durable.
    removeFile(file.path, state);
    return null;
  }
  return { segment, reset: header.reset };
}

function decodeAt(file: string, payload: Uint8Array, offset: number): LogRecord {
  try {
    return decodeRecord(payload);
  } catch (err) {
    throw new CorruptionError(file, offset, (err as Error).message);
  }
}

function checkHeader(file: { seq: number; path: string }, record: LogRecord, offset: number): void {
  if (record.type !== RecordType.Header) throw new CorruptionError(file.path, offset, 'segment does not start with a header');
  if (record.seq !== file.seq) throw new CorruptionError(file.path, offset, `header says segment ${record.seq}, file name says ${file.seq}`);
}

function isZero(buf: Uint8Array, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

function cutTail(file: string, offset: number, sync: boolean): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.ftruncateSync(fd, offset);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function removeFile(file: string, state: LoadState): void {
  fs.unlinkSync(file);
  state.removedFiles.push(file);
}
