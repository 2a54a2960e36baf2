/**
 * The records of the write-ahead log: the payloads inside frames (framing.ts). Integers
 * are little-endian; a "u53" is an index or term as two u32s (low word first), exact up
 * to 2^53 like the numbers that carry them.
 *
 *   header  (first record of every segment)
 *     u8 type=3, u32 magic 'RWAL', u8 version=1, u8 mode (0 continue, 1 reset),
 *     u53 seq (the segment's number), u53 baseIndex, u53 baseTerm
 *     mode reset: the log restarts after (baseIndex, baseTerm) (snapshot install).
 *     mode continue: the compaction point when the segment was started; it gives the
 *     term of the first entry's predecessor once older segments are deleted.
 *   entries
 *     u8 type=1, u53 firstIndex, u32 count, then per entry:
 *     u53 term, u8 kind, u32 dataLength, data
 *     Replay appends them with LogStore.append's semantics: entries from firstIndex on
 *     replace what was held there. This record *is* the truncation record for a
 *     follower's conflicting suffix: one frame both cuts and appends, so a crash leaves
 *     either the old suffix (the record is torn, and never acknowledged) or the new one.
 *   compact
 *     u8 type=2, u53 index, u53 term: entries up to index are gone.
 */
import type { Entry, EntryKind } from '../core/types.js';
import { FRAME_HEADER_BYTES, sealFrame } from './framing.js';

export const RecordType = { Entries: 1, Compact: 2, Header: 3 } as const;
export const HEADER_MAGIC = 0x4c415752; // 'RWAL' read as a little-endian u32
export const FORMAT_VERSION = 1;
export const HeaderMode = { Continue: 0, Reset: 1 } as const;

export const ENTRIES_RECORD_PREFIX_BYTES = 1 + 8 + 4;
export const ENTRY_HEADER_BYTES = 8 + 1 + 4;
const COMPACT_RECORD_BYTES = 1 + 8 + 8;
const HEADER_RECORD_BYTES = 1 + 4 + 1 + 1 + 8 + 8 + 8;

export interface SegmentHeader {
  readonly mode: number;
  readonly seq: number;
  readonly baseIndex: number;
  readonly baseTerm: number;
}

export type LogRecord =
  | { readonly type: typeof RecordType.Entries; readonly firstIndex: number; readonly entries: Entry[] }
  | { readonly type: typeof RecordType.Compact; readonly index: number; readonly term: number }
  | ({ readonly type: typeof RecordType.Header } & SegmentHeader);

export function writeU53(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 0x1_0000_0000, true);
  view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
}

export function readU53(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x1_0000_0000;
}

/** A framed header record. */
export function encodeHeaderFrame(header: SegmentHeader): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + HEADER_RECORD_BYTES);
  const view = new DataView(frame.buffer);
  let at = FRAME_HEADER_BYTES;
  view.setUint8(at, RecordType.Header);
  view.setUint32(at + 1, HEADER_MAGIC, true);
  view.setUint8(at + 5, FORMAT_VERSION);
  view.setUint8(at + 6, header.mode);
  at += 7;
  writeU53(view, at, header.seq);
  writeU53(view, at + 8, header.baseIndex);
  writeU53(view, at + 16, header.baseTerm);
  sealFrame(frame, 0, frame.length);
  return frame;
}

/** Writes a framed compact record at buf[at]; returns the end. */
export function writeCompactFrame(buf: Uint8Array, at: number, index: number, term: number): number {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const p = at + FRAME_HEADER_BYTES;
  view.setUint8(p, RecordType.Compact);
  writeU53(view, p + 1, index);
  writeU53(view, p + 9, term);
  const end = p + COMPACT_RECORD_BYTES;
  sealFrame(buf, at, end);
  return end;
}

export const COMPACT_FRAME_BYTES = FRAME_HEADER_BYTES + COMPACT_RECORD_BYTES;

/** Thrown for a record whose CRC matched but whose contents make no sense. */
export class BadRecordError extends Error {
  override name = 'BadRecordError';
}

/**
 * Decodes one record. Entry data are views into `payload` (no copy): the segment buffer
 * read at open stays referenced while its entries are held.
 */
export function decodeRecord(payload: Uint8Array): LogRecord {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const type = payload[0];
  if (type === RecordType.Entries) return decodeEntries(payload, view);
  if (type === RecordType.Compact) {
    expectLength(payload, COMPACT_RECORD_BYTES, 'compact');
    return { type, index: readU53(view, 1), term: readU53(view, 9) };
  }
  if (type === RecordType.Header) return decodeHeader(payload, view);
  throw new BadRecordError(`unknown record type ${String(type)}`);
}

function expectLength(payload: Uint8Array, length: number, what: string): void {
  if (payload.length !== length) throw new BadRecordError(`${what} record of ${payload.length} bytes, expected ${length}`);
}

function decodeHeader(payload: Uint8Array, view: DataView): LogRecord {
  expectLength(payload, HEADER_RECORD_BYTES, 'header');
  if (view.getUint32(1, true) !== HEADER_MAGIC) throw new BadRecordError('bad segment magic');
  const version = view.getUint8(5);
  if (version !== FORMAT_VERSION) throw new BadRecordError(`segment format version ${version}, this build reads ${FORMAT_VERSION}`);
  const mode = view.getUint8(6);
  if (mode !== HeaderMode.Continue && mode !== HeaderMode.Reset) throw new BadRecordError(`unknown header mode ${mode}`);
  return { type: RecordType.Header, mode, seq: readU53(view, 7), baseIndex: readU53(view, 15), baseTerm: readU53(view, 23) };
}

function decodeEntries(payload: Uint8Array, view: DataView): LogRecord {
  if (payload.length < ENTRIES_RECORD_PREFIX_BYTES) throw new BadRecordError('short entries record');
  const firstIndex = readU53(view, 1);
  const count = view.getUint32(9, true);
  const entries: Entry[] = new Array<Entry>(count);
  let at = ENTRIES_RECORD_PREFIX_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + ENTRY_HEADER_BYTES > payload.length) throw new BadRecordError(`entries record ends inside entry ${i} of ${count}`);
    const term = readU53(view, at);
    const kind = view.getUint8(at + 8) as EntryKind;
    const length = view.getUint32(at + 9, true);
    at += ENTRY_HEADER_BYTES;
    if (at + length > payload.length) throw new BadRecordError(`entry ${i} data runs past its record`);
    entries[i] = { index: firstIndex + i, term, kind, data: payload.subarray(at, at + length) };
    at += length;
  }
  if (at !== payload.length) throw new BadRecordError(`${payload.length - at} stray bytes after ${count} entries`);
  return { type: RecordType.Entries, firstIndex, entries };
}
