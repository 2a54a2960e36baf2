/**
 * Record framing shared by the log, the hard state and snapshots:
 *
 *   [u32 length][u32 crc32(payload)][payload: length bytes]   (little-endian)
 *
 * Payloads are never empty, so a zero length marks bytes that were never written
 * (a zero-filled or preallocated tail).
 *
 * Telling a torn tail from corruption. A write interrupted by a crash leaves a bad frame
 * that nothing valid follows: fsync makes every earlier write durable, so a frame that
 * did not survive was never followed by a completed fsync, and no later frame was ever
 * acknowledged. Damage to acknowledged data, by contrast, almost always has intact
 * frames after it. So a bad frame (short header, zero or oversized length, length past
 * the end, or CRC mismatch) is a *torn tail* when no valid frame starts anywhere after
 * it, and *corruption* otherwise. The scan for a later frame also catches a flipped
 * length field in the middle that points past the end, which a "length runs past EOF
 * means torn" rule would silently truncate.
 */
import { crc32 } from './crc32.js';
import { assert } from '../../util/assert.js';

export const FRAME_HEADER_BYTES = 8;

/** Default bound on one frame's payload; anything larger is treated as damage. */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** Bytes a frame with this payload length occupies. */
export function frameSize(payloadLength: number): number {
  return FRAME_HEADER_BYTES + payloadLength;
}

/** Frames a payload into a new array. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  frame.set(payload, FRAME_HEADER_BYTES);
  sealFrame(frame, 0, frame.length);
  return frame;
}

/**
 * Fills in the header of a frame whose payload was built in place: the payload occupies
 * buf[frameStart + 8, frameEnd). Lets writers encode straight into their buffers.
 */
export function sealFrame(buf: Uint8Array, frameStart: number, frameEnd: number): void {
  const length = frameEnd - frameStart - FRAME_HEADER_BYTES;
  assert(length > 0, 'frame payloads are never empty');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setUint32(frameStart, length, true);
  view.setUint32(frameStart + 4, crc32(buf.subarray(frameStart + FRAME_HEADER_BYTES, frameEnd)), true);
}

export type FrameAt =
  | { readonly ok: true; readonly payload: Uint8Array; readonly next: number }
  | { readonly ok: false; readonly reason: string };

function readU32(buf: Uint8Array, at: number): number {
  return (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
}

/** Reads and checks the frame at `offset` of buf[0, end). */
export function readFrameAt(buf: Uint8Array, offset: number, end: number, maxFrameBytes: number): FrameAt {
  if (end - offset < FRAME_HEADER_BYTES) return { ok: false, reason: `incomplete frame header (${end - offset} of 8 bytes)` };
  const length = readU32(buf, offset);
  if (length === 0) return { ok: false, reason: 'zero frame length (unwritten bytes)' };
  if (length > maxFrameBytes) return { ok: false, reason: `frame length ${length} over the limit ${maxFrameBytes}` };
  const payloadStart = offset + FRAME_HEADER_BYTES;
  if (payloadStart + length > end) {
    return { ok: false, reason: `frame of ${length} bytes runs past the end (${end - payloadStart} bytes left)` };
  }
  const payload = buf.subarray(payloadStart, payloadStart + length);
  if (crc32(payload) !== readU32(buf, offset + 4)) return { ok: false, reason: 'CRC mismatch' };
  return { ok: true, payload, next: payloadStart + length };
}

/** True when some valid frame starts at a position in (from, end). */
export function validFrameFollows(buf: Uint8Array, from: number, end: number, maxFrameBytes: number): boolean {
  for (let p = from + 1; p + FRAME_HEADER_BYTES < end; p++) {
    const length = readU32(buf, p);
    if (length === 0 || length > maxFrameBytes || p + FRAME_HEADER_BYTES + length > end) continue;
    if (readFrameAt(buf, p, end, maxFrameBytes).ok) return true;
  }
  return false;
}

/** How a scan ended: all bytes were frames, a torn tail at `offset`, or corruption at `offset`. */
export type BadEnd =
  | { readonly kind: 'torn'; readonly offset: number; readonly reason: string }
  | { readonly kind: 'corrupt'; readonly offset: number; readonly reason: string };
export type ScanEnd = { readonly kind: 'clean'; readonly end: number } | BadEnd;

/** Classifies the bad frame at `offset` of buf[0, end) (see the file comment). */
export function classifyBadFrame(buf: Uint8Array, offset: number, end: number, reason: string, maxFrameBytes: number): BadEnd {
  if (validFrameFollows(buf, offset, end, maxFrameBytes)) {
    return { kind: 'corrupt', offset, reason: `${reason}, with valid frames after it` };
  }
  return { kind: 'torn', offset, reason };
}

/**
 * Calls onFrame for each valid frame of buf[start, end) in order and says how the bytes
 * ended. Frame offsets passed to onFrame are positions in buf.
 */
export function scanFrames(
  buf: Uint8Array,
  start: number,
  end: number,
  maxFrameBytes: number,
  onFrame: (payload: Uint8Array, offset: number) => void,
): ScanEnd {
  let offset = start;
  while (offset < end) {
    const frame = readFrameAt(buf, offset, end, maxFrameBytes);
    if (!frame.ok) return classifyBadFrame(buf, offset, end, frame.reason, maxFrameBytes);
    onFrame(frame.payload, offset);
    offset = frame.next;
  }
  return { kind: 'clean', end };
}

/**
 * An incremental frame reader for bytes that arrive in pieces (snapshot chunks, a file
 * read in blocks). push() returns the complete frames so far; finish() says how the
 * stream ended. After the first bad frame it keeps the rest of the input so finish()
 * can tell a torn tail from corruption. Pieces are joined only once a frame is complete,
 * so a large frame arriving in many small pieces is copied once.
 */
export class FrameReader {
  /** Unparsed bytes: `head` then the pieces in `parts`. */
  private head: Uint8Array = new Uint8Array(0);
  private parts: Uint8Array[] = [];
  private unparsedBytes = 0;
  /** Unparsed bytes needed before parsing can make progress. */
  private needed = FRAME_HEADER_BYTES;
  /** Stream offset of head[0]. */
  private headAt = 0;
  private bad: { offset: number; reason: string } | null = null;

  constructor(private readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  /** Adds bytes; returns the payloads of the frames they complete, with stream offsets. */
  push(chunk: Uint8Array): { payload: Uint8Array; offset: number }[] {
    if (chunk.length === 0) return [];
    this.parts.push(chunk);
    this.unparsedBytes += chunk.length;
    if (this.bad !== null || this.unparsedBytes < this.needed) return [];
    const buf = this.joined();
    const frames: { payload: Uint8Array; offset: number }[] = [];
    let at = 0;
    for (;;) {
      const frame = readFrameAt(buf, at, buf.length, this.maxFrameBytes);
      if (!frame.ok) {
        this.needed = this.bytesToDecide(buf, at);
        if (this.needed === 0) this.bad = { offset: at, reason: frame.reason };
        break;
      }
      frames.push({ payload: frame.payload, offset: this.headAt + at });
      at = frame.next;
    }
    if (this.bad === null) {
      this.head = buf.subarray(at);
      this.headAt += at;
      this.unparsedBytes -= at;
    }
    return frames;
  }

  /** Ends the stream: clean when every byte belonged to a valid frame. */
  finish(): ScanEnd {
    const buf = this.joined();
    if (this.bad === null && buf.length === 0) return { kind: 'clean', end: this.headAt };
    const at = this.bad?.offset ?? 0;
    const frame = readFrameAt(buf, at, buf.length, this.maxFrameBytes);
    const reason = this.bad?.reason ?? (frame.ok ? 'unexpected valid frame' : frame.reason);
    const verdict = classifyBadFrame(buf, at, buf.length, reason, this.maxFrameBytes);
    return { ...verdict, offset: this.headAt + at };
  }

  private joined(): Uint8Array {
    if (this.parts.length > 0) {
      const out = new Uint8Array(this.head.length + this.parts.reduce((n, p) => n + p.length, 0));
      out.set(this.head, 0);
      let at = this.head.length;
      for (const part of this.parts) {
        out.set(part, at);
        at += part.length;
      }
      this.head = out;
      this.parts = [];
    }
    return this.head;
  }

  /**
   * Bytes from `at` needed before the frame there can be read; 0 when it is bad no
   * matter what follows (a zero or oversized length, or a complete frame with a bad CRC).
   */
  private bytesToDecide(buf: Uint8Array, at: number): number {
    const remaining = buf.length - at;
    if (remaining < FRAME_HEADER_BYTES) return FRAME_HEADER_BYTES;
    const length = readU32(buf, at);
    if (length === 0 || length > this.maxFrameBytes) return 0;
    const total = FRAME_HEADER_BYTES + length;
    return remaining >= total ? 0 : total;
  }
}
