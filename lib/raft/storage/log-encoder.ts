/**
 * Encodes appended entries and compact records into framed log records in one growable
 * buffer, so append() costs a memcpy per entry and no syscall; the writer takes the
 * whole buffer and writes it with one write() at sync time.
 */
import type { Entry } from '../core/types.js';
import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, sealFrame } from './framing.js';
import {
  COMPACT_FRAME_BYTES,
  ENTRIES_RECORD_PREFIX_BYTES,
  ENTRY_HEADER_BYTES,
  RecordType,
  writeCompactFrame,
  writeU53,
} from './log-records.js';

/** The data of one entry must fit one frame. */
export const MAX_ENTRY_DATA_BYTES = DEFAULT_MAX_FRAME_BYTES - ENTRIES_RECORD_PREFIX_BYTES - ENTRY_HEADER_BYTES;
const INITIAL_BYTES = 64 * 1024;
/** A buffer grown past this by a burst is dropped after the write, not kept forever. */
const KEEP_BYTES = 8 * 1024 * 1024;

interface OpenRecord {
  readonly frameStart: number;
  nextIndex: number;
  count: number;
}

export class RecordBuffer {
  private buf = new Uint8Array(INITIAL_BYTES);
  private view = new DataView(this.buf.buffer);
  private end = 0;
  private open: OpenRecord | null = null;
  /** Highest entry index encoded since the last take(), or 0. */
  maxEntryIndex = 0;

  /** @param recordTargetBytes an entries record is closed once its payload reaches this size. */
  constructor(private readonly recordTargetBytes: number) {}

  get byteLength(): number {
    return this.end;
  }

  /** Encodes entries; checks them all first, so a refused batch leaves nothing behind. */
  appendEntries(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.data.length > MAX_ENTRY_DATA_BYTES) {
        throw new RangeError(`log entry ${entry.index} has ${entry.data.length} bytes of data, over the limit of ${MAX_ENTRY_DATA_BYTES}`);
      }
    }
    for (const entry of entries) {
      const open = this.openFor(entry.index);
      this.ensure(ENTRY_HEADER_BYTES + entry.data.length);
      writeU53(this.view, this.end, entry.term);
      this.view.setUint8(this.end + 8, entry.kind);
      this.view.setUint32(this.end + 9, entry.data.length, true);
      this.buf.set(entry.data, this.end + ENTRY_HEADER_BYTES);
      this.end += ENTRY_HEADER_BYTES + entry.data.length;
      open.count++;
      open.nextIndex++;
      if (entry.index > this.maxEntryIndex) this.maxEntryIndex = entry.index;
    }
  }

  appendCompact(index: number, term: number): void {
    this.closeOpen();
    this.ensure(COMPACT_FRAME_BYTES);
    this.end = writeCompactFrame(this.buf, this.end, index, term);
  }

  /** The framed records so far (a view, valid until the next call), and a reset. */
  take(): Uint8Array {
    this.closeOpen();
    const bytes = this.buf.subarray(0, this.end);
    this.end = 0;
    this.maxEntryIndex = 0;
    return bytes;
  }

  /** Releases a buffer a burst made large; call once the bytes from take() are written. */
  shrink(): void {
    if (this.buf.length > KEEP_BYTES && this.end === 0) {
      this.buf = new Uint8Array(INITIAL_BYTES);
      this.view = new DataView(this.buf.buffer);
    }
  }

  /** Drops everything not yet taken. */
  clear(): void {
    this.open = null;
    this.end = 0;
    this.maxEntryIndex = 0;
  }

  /** The open entries record `index` continues, closing the current one when it cannot. */
  private openFor(index: number): OpenRecord {
    const open = this.open;
    if (open !== null && open.nextIndex === index && this.end - open.frameStart < this.recordTargetBytes) return open;
    this.closeOpen();
    this.ensure(FRAME_HEADER_BYTES + ENTRIES_RECORD_PREFIX_BYTES);
    const frameStart = this.end;
    const p = frameStart + FRAME_HEADER_BYTES;
    this.view.setUint8(p, RecordType.Entries);
    writeU53(this.view, p + 1, index);
    this.end = p + ENTRIES_RECORD_PREFIX_BYTES;
    this.open = { frameStart, nextIndex: index, count: 0 };
    return this.open;
  }

  private closeOpen(): void {
    const open = this.open;
    if (open === null) return;
    this.open = null;
    this.view.setUint32(open.frameStart + FRAME_HEADER_BYTES + 9, open.count, true);
    sealFrame(this.buf, open.frameStart, this.end);
  }

  private ensure(extra: number): void {
    if (this.end + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.end + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.end));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
}
